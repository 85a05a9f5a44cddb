"""Folding of French typography for matching and comparing text.

Word, LibreOffice and PDF extraction write the same sentence with different bytes: no-break
spaces (U+00A0, U+202F), curly or straight apostrophes, ligatures, soft hyphens. Every match
(check) and every comparison (diff) goes through `fold` first, so that typography never shows as
a change or hides a finding. (PDF line breaks and hyphenation are undone earlier, when
`convgen.read.extract` joins a page's lines into paragraphs.)
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006]+")
_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark
        "\u2018": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "–",  # keep en dash as is (explicit for readers of this table)
        "\u2011": "-",  # non-breaking hyphen
        "\u00ad": None,  # soft hyphen: invisible
        "\u200b": None,  # zero width space
        "\ufeff": None,
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u2026": "...",
    }
)


def fold_spaces(text: str) -> str:
    """Collapse every kind of space (no-break, narrow, tabs) into one ordinary space."""
    return _SPACES.sub(" ", text)


def fold(text: str) -> str:
    """Return `text` with typography folded: spaces, apostrophes, ligatures, ellipsis, NFC.

    The result keeps letters, accents and case: only what a reader cannot see differs.
    """
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [fold_spaces(line).strip() for line in text.split("\n")]
    return "\n".join(lines)


def fold_line(text: str) -> str:
    """Like `fold`, but also joins lines: for text that is one paragraph."""
    return fold_spaces(fold(text).replace("\n", " ")).strip()
