"""How wide a text is on the page, in twips, in the frames' body font (Calibri 11).

Table columns are sized from their content (`convgen.render.render_docx.column_widths`). Counting
characters was not enough: « pole-appui-adss.cpam-cote-opale@assurance-maladie.fr » (51
characters) measures 5 060 twips, « d’Accompagnement » (16) 1 855 twips — digits and capitals are
twice as wide as « i » or « l ». These are the advance widths of Carlito, the metric-compatible
Calibri that LibreOffice renders with (read from Carlito-Regular.ttf, in thousandths of an em);
bold is 2.4 % wider on average. Letters with accents take their base letter's width.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

BODY_SIZE_PT = 11
BOLD_FACTOR = 1.024
_DEFAULT = 500  # any other character: about an average lowercase letter

# Characters U+0020 to U+007E, in thousandths of an em.
_ASCII = (
    226, 326, 401, 498, 507, 715, 682, 221, 303, 303, 498, 498, 250, 306, 252, 386,
    507, 507, 507, 507, 507, 507, 507, 507, 507, 507, 268, 268, 498, 498, 498, 463,
    894, 579, 544, 533, 615, 488, 459, 631, 623, 252, 319, 520, 420, 855, 646, 662,
    517, 673, 543, 459, 487, 642, 567, 890, 519, 487, 468, 307, 386, 307, 498, 498,
    291, 479, 525, 423, 525, 498, 305, 471, 525, 229, 239, 455, 229, 799, 525, 527,
    525, 525, 349, 391, 335, 525, 452, 715, 433, 453, 395, 314, 460, 314, 498,
)  # fmt: skip
_OTHERS = {
    "œ": 850, "Œ": 867, "æ": 773, "Æ": 763, "’": 250, "‘": 250, "«": 512, "»": 512,
    "–": 498, "—": 905, "…": 690, "€": 507, "\u00a0": 226, "\u202f": 226, "\u2011": 306,
}  # fmt: skip


@lru_cache(maxsize=512)
def _char_width(char: str) -> int:
    code = ord(char)
    if 0x20 <= code <= 0x7E:
        return _ASCII[code - 0x20]
    if char in _OTHERS:
        return _OTHERS[char]
    base = unicodedata.normalize("NFD", char)[:1]
    if base != char and 0x20 <= ord(base) <= 0x7E:
        return _ASCII[ord(base) - 0x20]
    if unicodedata.category(char).startswith("M") or unicodedata.category(char) == "Cf":
        return 0  # combining marks, zero-width spaces
    return _DEFAULT


def text_twips(text: str, bold: bool = False, size_pt: float = BODY_SIZE_PT) -> int:
    """Width of `text` set on one line (1 pt = 20 twips; widths are per em of `size_pt`)."""
    thousandths = sum(_char_width(c) for c in text)
    width = thousandths * size_pt * 20 / 1000
    return round(width * BOLD_FACTOR if bold else width)
