"""The life of a signed convention: avenants, deadlines, the register of what was signed.

- `changes`: what an avenant must say, from the article-aligned diff of two versions;
- `avenant`: the avenant's wording (French administrative style) and its Word document;
- `deadlines` and `calendar_ics`: the dates that matter, as a table, CSV or iCalendar file;
- `register`: the SQLite register of signed conventions, avenants, dénonciations.
"""
