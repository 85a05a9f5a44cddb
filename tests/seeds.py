"""The reference documents (tests/testdata/seeds), as text, .docx and PDF for tests.

The seeds are plain text extracted from Word/PDF with Markdown-ish artefacts (`**`, `###`,
`<sup>`). `seed_to_docx` rebuilds a Word document from them (article headings in "Heading 1",
bullets in "List Bullet") so that check and diff can be tested on .docx and on PDF made from it.
"""

from __future__ import annotations

import re
from pathlib import Path

# Copies kept in the repository (see its README for their origin): a fresh clone tests on its own.
SEEDS_DIR = Path(__file__).resolve().parent / "testdata" / "seeds"

SEED_FILES = {
    "000": "000_1055dcad363985f2.txt",
    "001": "001_93159f0dde1153c1.txt",
    "002": "002_307e14f21038a70b.txt",
    "004": "004_63e81a9daedd237c.txt",
}


def seed_path(seed_id: str) -> Path:
    return SEEDS_DIR / SEED_FILES[seed_id]


def seed_text(seed_id: str) -> str:
    return seed_path(seed_id).read_text(encoding="utf-8")


def strip_artefacts(line: str) -> str:
    """Remove the extraction's Markdown artefacts from one line."""
    line = re.sub(r"^#{1,6}\s*", "", line)
    line = line.replace("**", "")
    line = re.sub(r"</?sup>", "", line)
    line = re.sub(r"\[([^\]]+)\]\(mailto:[^)]+\)", r"\1", line)
    return line.rstrip()


_HEADING = re.compile(r"^(article|annexe)\s+\w+", re.IGNORECASE)
_BULLET = re.compile(r"^\s*([-·•▪]\s+)")


def seed_to_docx(seed_id: str, out: Path) -> Path:
    """Write the seed as a Word document at `out` and return it."""
    import docx

    document = docx.Document()
    for raw in seed_text(seed_id).splitlines():
        line = strip_artefacts(raw)
        if not line.strip():
            continue
        if _HEADING.match(line.strip()) or line.strip() in ("Préambule",):
            document.add_paragraph(line.strip(), style="Heading 1")
            continue
        bullet = _BULLET.match(line)
        if bullet:
            level = 2 if raw.startswith("  ") else 1
            style = "List Bullet" if level == 1 else "List Bullet 2"
            document.add_paragraph(line[bullet.end() :].strip(), style=style)
            continue
        document.add_paragraph(line.strip())
    document.save(str(out))
    return out
