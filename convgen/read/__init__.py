"""Reading documents back as a person sees them (.docx with Word's numbering, PDF, text):
what check, diff and import work on.
"""
