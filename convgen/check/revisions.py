"""Word review leftovers: tracked changes not accepted, reviewers' comments.

A partner often sends the draft back with its changes tracked and comments in the margin. Signing
that document signs an unsettled text: each tracked change is an error (`modification-suivie`),
each comment a warning (`commentaire`), at the paragraph where it stands (body only).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from convgen.check.model import ERROR, WARNING, Finding, Location
from convgen.errors import DocumentError
from convgen.read.extract import W, open_docx_zip
from convgen.read.textnorm import fold_line

_W = f"{{{W}}}"
# « convgen: ignorer RÈGLE -- raison »: an acceptance written in the document (`check.suppress`);
# a comment that is one is not a reviewer's comment.
MARKER = re.compile(
    r"convgen\s*:\s*ignorer\b(?P<rules>(?:[\s,]+[a-z][a-z0-9]*(?:-[a-z0-9]+)*)*)"
    r"\s*(?:(?:--|—|–)\s*(?P<why>.*))?",
    re.IGNORECASE,
)


def is_marker(text: str) -> bool:
    """True for a "convgen: ignorer ..." acceptance marker."""
    return MARKER.search(fold_line(text)) is not None


_CHANGES = {
    f"{_W}ins": "ajout",
    f"{_W}del": "suppression",
    f"{_W}moveFrom": "déplacement (origine)",
    f"{_W}moveTo": "déplacement (destination)",
}
_MARKERS = (b"<w:ins ", b"<w:del ", b"<w:moveFrom ", b"<w:moveTo ", b"commentReference")


@dataclass(frozen=True)
class ReviewItem:
    """A tracked change or a comment, at a body paragraph (1-based, as in `extract`)."""

    paragraph: int
    kind: str  # "ajout", "suppression", "déplacement (...)" or "commentaire"
    author: str
    text: str


def docx_revisions(path: Path, file: str, articles: dict[int, str | None]) -> list[Finding]:
    """Tracked changes and comments of the .docx at `path`; `articles` maps paragraph → article.

    A comment that is an acceptance marker ("convgen: ignorer ...") is not reported: it is the
    way to accept a finding without writing in the text itself (see `suppress`).
    """

    findings: list[Finding] = []
    for item in review_items(path):
        location = Location(paragraph=item.paragraph, article=articles.get(item.paragraph))
        if item.kind == "commentaire":
            if is_marker(item.text):
                continue
            message = "commentaire de relecture laissé dans le document"
            if item.author:
                message += f" ({item.author})"
            findings.append(Finding(file, "commentaire", WARNING, message, item.text, location))
        else:
            message = f"modification suivie non acceptée ni refusée : {item.kind}"
            if item.author:
                message += f" par {item.author}"
            text = item.text or "¶"
            findings.append(Finding(file, "modification-suivie", ERROR, message, text, location))
    return findings


def review_items(path: Path) -> tuple[ReviewItem, ...]:
    """Tracked changes and comments of a .docx, in document order (read once per file)."""
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _review_items(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _review_items(path: Path, mtime: int, size: int) -> tuple[ReviewItem, ...]:
    del mtime, size  # part of the cache key only
    try:
        archive = open_docx_zip(path)
    except DocumentError:
        return ()  # already reported by the reader; nothing more to say here
    with archive:
        try:
            data = archive.read("word/document.xml")
        except (KeyError, zipfile.BadZipFile, OSError):
            return ()
        if not any(marker in data for marker in _MARKERS):
            return ()
        comments = _comments(archive)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return ()
    body = root.find(f"{_W}body")
    if body is None:
        return ()
    items: list[ReviewItem] = []
    number = 0
    for p in body.iter(f"{_W}p"):
        if _in_text_box(p):
            continue  # text boxes are their own zone, not numbered with the body
        number += 1
        seen: set[str] = set()
        for el in p.iter(*_CHANGES):
            kind = _CHANGES[el.tag]
            text = "".join(t.text or "" for t in el.iter(f"{_W}t", f"{_W}delText")).strip()
            if kind in seen and not text:
                continue
            seen.add(kind)
            items.append(ReviewItem(number, kind, el.get(f"{_W}author") or "", text))
        for ref in p.iter(f"{_W}commentReference"):
            author, text = comments.get(ref.get(f"{_W}id", ""), ("", ""))
            items.append(ReviewItem(number, "commentaire", author, text))
    return tuple(items)


def _in_text_box(p: etree._Element) -> bool:
    parent = p.getparent()
    while parent is not None:
        if parent.tag == f"{_W}txbxContent":
            return True
        parent = parent.getparent()
    return False


def _comments(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Comment id → (author, text)."""
    if "word/comments.xml" not in archive.namelist():
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(archive.read("word/comments.xml"), parser)
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, OSError):
        return {}
    out = {}
    for comment in root.iter(f"{_W}comment"):
        text = " ".join(
            "".join(t.text or "" for t in p.iter(f"{_W}t")) for p in comment.iter(f"{_W}p")
        )
        out[comment.get(f"{_W}id", "")] = (comment.get(f"{_W}author", ""), text.strip())
    return out
