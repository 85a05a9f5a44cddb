"""The comparison as a Word document with real tracked changes (`w:ins` / `w:del`).

Lawyers work in Word: they open the redline, read the changes in the margin, and accept or
reject them. The body is built so that "accept all" gives exactly the new version's paragraphs
and "reject all" the old version's (typography folded: where both versions say the same thing
with different spaces or apostrophes, the new version's characters are kept, since typography is
never a change). python-docx has no tracked-changes API, so the XML is written here:

- an article paired across versions is diffed word by word; a changed paragraph break becomes a
  paragraph mark flagged inserted or deleted (`w:pPr/w:rPr/w:ins|w:del`), otherwise accepting
  would leave merged or empty paragraphs (FIELD-NOTES);
- an added or removed article is wholly inserted or deleted, paragraph marks included;
- a moved article is deleted where it stood and inserted where it now stands.

A summary of the changes comes first, in its own section and outside tracked changes (it belongs
to neither version); `summary=False` leaves it out for a document whose accept-all and
reject-all are exactly the two versions and nothing else.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from convgen.diff import ArticleDiff, DocumentDiff
from convgen.diff.align import Unit
from convgen.diff.words import Token, diff_tokens, tokenize
from convgen.extract import TextBlock

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
AUTHOR = "convgen"
DATE = "2026-01-01T00:00:00Z"  # fixed, so that the same comparison gives the same file
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

EQUAL, INSERTED, DELETED = "equal", "ins", "del"


def _w(tag: str) -> str:
    return f"{_W}{tag}"


@dataclass
class _Para:
    """One output paragraph: its runs and the fate of its paragraph mark."""

    style: str
    runs: list[tuple[str, str]]  # (EQUAL | INSERTED | DELETED, text)
    mark: str = EQUAL


class _Builder:
    """Turns (kind, text) pieces and paragraph marks into `_Para`s."""

    def __init__(self) -> None:
        self.paras: list[_Para] = []
        self.runs: list[tuple[str, str]] = []

    def text(self, kind: str, text: str) -> None:
        if not text:
            return
        if self.runs and self.runs[-1][0] == kind:
            self.runs[-1] = (kind, self.runs[-1][1] + text)
        else:
            self.runs.append((kind, text))

    def mark(self, kind: str, style: str) -> None:
        self.paras.append(_Para(style, self.runs, kind))
        self.runs = []


def _styles_of(unit: Unit) -> list[str]:
    """Style of each paragraph of a unit: its heading, sub-article headings, body text."""
    styles = []
    for block in _blocks_of(unit):
        if block is unit.heading:
            styles.append("Heading1")
        elif id(block) in unit.sub_headings or block.outline_level is not None:
            styles.append("Heading2")
        else:
            styles.append("Normal")
    return styles


def _blocks_of(unit: Unit) -> list[TextBlock]:
    return ([unit.heading] if unit.heading is not None else []) + unit.blocks


def _texts_of(unit: Unit) -> list[str]:
    return [b.text for b in _blocks_of(unit)]


def _whole(builder: _Builder, unit: Unit, kind: str) -> None:
    """A unit wholly inserted or deleted, paragraph marks included."""
    for text, style in zip(_texts_of(unit), _styles_of(unit), strict=True):
        builder.text(kind, text)
        builder.mark(kind, style)


def _pair(builder: _Builder, left: Unit, right: Unit) -> None:
    """A paired unit, word by word; paragraph marks follow the token diff."""
    if not _texts_of(left) or not _texts_of(right):
        _whole(builder, left, DELETED)
        _whole(builder, right, INSERTED)
        return
    old_tokens = tokenize(_texts_of(left))
    new_tokens = tokenize(_texts_of(right))
    old_styles, new_styles = _styles_of(left), _styles_of(right)
    old_para = new_para = 0

    def emit(kind: str, tokens: Sequence[Token]) -> None:
        nonlocal old_para, new_para
        for token in tokens:
            if not token.is_para:
                builder.text(kind, token.raw)
                continue
            style = old_styles[old_para] if kind == DELETED else new_styles[new_para]
            builder.mark(kind, style)
            if kind in (EQUAL, DELETED):
                old_para += 1
            if kind in (EQUAL, INSERTED):
                new_para += 1

    for segment in diff_tokens(old_tokens, new_tokens).segments:
        if segment.equal:
            for old_token, new_token in zip(segment.old, segment.new, strict=True):
                if new_token.is_para:
                    emit(EQUAL, [new_token])
                    continue
                # The same word; the space after it may exist in one version only
                # ("soins grâce" / "soins."), which reject-all and accept-all must each keep.
                word = new_token.raw.rstrip()
                new_space = new_token.raw[len(word) :]
                old_space = old_token.raw[len(old_token.raw.rstrip()) :]
                builder.text(EQUAL, word)
                if bool(old_space) == bool(new_space):
                    builder.text(EQUAL, new_space)
                else:
                    builder.text(DELETED, old_space)
                    builder.text(INSERTED, new_space)
        else:
            old, new, tail = _common_trailing_space(segment.old, segment.new)
            emit(DELETED, old)
            emit(INSERTED, new)
            builder.text(EQUAL, tail)
    builder.mark(EQUAL, new_styles[new_para])


def _common_trailing_space(
    old: list[Token], new: list[Token]
) -> tuple[list[Token], list[Token], str]:
    """Keep the space after a replaced word out of the change: "[-3-]{+2+} mois", not "3 "."""
    if not old or not new or old[-1].is_para or new[-1].is_para:
        return old, new, ""
    old_raw, new_raw = old[-1].raw, new[-1].raw
    tail = new_raw[len(new_raw.rstrip()) :]
    if not tail or old_raw[len(old_raw.rstrip()) :] != tail:
        return old, new, ""
    trimmed_old = [*old[:-1], Token(old[-1].key, old_raw.rstrip())]
    trimmed_new = [*new[:-1], Token(new[-1].key, new_raw.rstrip())]
    return trimmed_old, trimmed_new, tail


def _plan(diff: DocumentDiff) -> Iterator[tuple[str, ArticleDiff]]:
    """Units in output order: old order kept for what is deleted, new order for the rest."""
    moved = sorted((e for e in diff.entries if e.moved), key=lambda e: _index(e.left))
    for entry in diff.entries:
        if entry.left is not None and not entry.moved:
            while moved and _index(moved[0].left) < _index(entry.left):
                yield DELETED, moved.pop(0)
        if entry.moved:
            yield INSERTED, entry
        elif entry.left is None:
            yield INSERTED, entry
        elif entry.right is None:
            yield DELETED, entry
        else:
            yield EQUAL, entry
    for entry in moved:
        yield DELETED, entry


def _index(unit: Unit | None) -> int:
    assert unit is not None
    return unit.index


def body_paragraphs(diff: DocumentDiff) -> list[_Para]:
    builder = _Builder()
    for kind, entry in _plan(diff):
        if kind == EQUAL and entry.left is not None and entry.right is not None:
            _pair(builder, entry.left, entry.right)
        elif kind == INSERTED and entry.right is not None:
            _whole(builder, entry.right, INSERTED)
        elif kind == DELETED and entry.left is not None:
            _whole(builder, entry.left, DELETED)
    return builder.paras


# --------------------------------------------------------------------------- XML


class _Ids:
    def __init__(self, author: str = AUTHOR, date: str = DATE) -> None:
        self.next = 1
        self.author = author
        self.date = date

    def attrs(self) -> dict[str, str]:
        self.next += 1
        return {_w("id"): str(self.next), _w("author"): self.author, _w("date"): self.date}


def _run(text: str, deleted: bool) -> etree._Element:
    run = etree.Element(_w("r"))
    text = _INVALID_XML.sub("", text)
    for piece in re.split(r"(\t|\n)", text):
        if piece == "\t":
            etree.SubElement(run, _w("tab"))
        elif piece == "\n":
            etree.SubElement(run, _w("br"))
        elif piece:
            t = etree.SubElement(run, _w("delText" if deleted else "t"))
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def paragraph_xml(para: _Para, ids: _Ids) -> etree._Element:
    p = etree.Element(_w("p"))
    ppr = etree.SubElement(p, _w("pPr"))
    etree.SubElement(ppr, _w("pStyle"), {_w("val"): para.style})
    if para.mark != EQUAL:
        rpr = etree.SubElement(ppr, _w("rPr"))
        etree.SubElement(rpr, _w(para.mark), ids.attrs())
    for kind, text in para.runs:
        if kind == EQUAL:
            p.append(_run(text, deleted=False))
        else:
            wrapper = etree.SubElement(p, _w(kind), ids.attrs())
            wrapper.append(_run(text, deleted=kind == DELETED))
    return p


# Elements that come before w:trackRevisions in w:settings (Word rejects them out of order).
_BEFORE_TRACK_REVISIONS = {
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView",
}  # fmt: skip


def _track_revisions(settings: etree._Element) -> None:
    """Turn on "track changes", so that the reader's own edits are tracked too."""
    if settings.find(_w("trackRevisions")) is not None:
        return
    element = etree.Element(_w("trackRevisions"))
    for child in settings:
        if etree.QName(child).localname not in _BEFORE_TRACK_REVISIONS:
            child.addprevious(element)
            return
    settings.append(element)


def _base_document(diff: DocumentDiff) -> Any:
    """The package the redline is written into: the newer .docx itself when there is one.

    Its styles, page size and margins, sections, headers and footers and list definitions are
    kept, so that the redline looks like the convention; its body is replaced by the compared
    text. Other formats (PDF, text) give python-docx's default document.
    """
    import docx

    path = diff.new.path
    if path.suffix.lower() == ".docx" and path.is_file():
        document = docx.Document(str(path))
        body = document.element.body
        for child in list(body):
            if child.tag != _w("sectPr"):
                body.remove(child)
        return document
    document = docx.Document()
    body = document.element.body
    for p in list(body.iterchildren(_w("p"))):
        body.remove(p)
    return document


def _style_ids(document: Any) -> dict[str, str]:
    """Our paragraph kinds ("Heading1", "Heading2", "Normal") → style ids of `document`."""
    styles = document.styles.element
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    default = "Normal"
    for style in styles.iterchildren(_w("style")):
        if style.get(_w("type")) != "paragraph":
            continue
        sid = style.get(_w("styleId"), "")
        name_el = style.find(_w("name"))
        name = (name_el.get(_w("val"), "") if name_el is not None else "").lower()
        names[name] = sid
        names[sid.lower()] = sid
        if style.get(_w("default")) in ("1", "true"):
            default = sid
    for kind, candidates in (
        ("Heading1", ("heading1", "heading 1", "titre 1", "titre1")),
        ("Heading2", ("heading2", "heading 2", "titre 2", "titre2")),
    ):
        ids[kind] = next((names[c] for c in candidates if c in names), default)
    ids["Normal"] = default
    return ids


def redline_bytes(
    diff: DocumentDiff, summary: bool = True, author: str = AUTHOR, date: str = DATE
) -> bytes:
    """The redline .docx as bytes; its changes are signed `author` on `date` (ISO 8601)."""
    from docx.enum.section import WD_SECTION

    from convgen.diff.redline_summary import write_summary

    document = _base_document(diff)
    document.core_properties.author = author
    document.core_properties.title = "Comparaison de deux versions d'une convention"
    body = document.element.body
    styles = _style_ids(document)
    if summary:
        write_summary(document, diff)
        document.add_section(WD_SECTION.NEW_PAGE)  # the summary's own section ends here
    ids = _Ids(author, date)
    sect_pr = body.find(_w("sectPr"))
    paras = body_paragraphs(diff)
    if not paras or paras[-1].mark != EQUAL:
        paras.append(_Para("Normal", []))  # Word cannot delete the last paragraph mark
    for para in paras:
        para = _Para(styles.get(para.style, para.style), para.runs, para.mark)
        element = paragraph_xml(para, ids)
        if sect_pr is not None:
            sect_pr.addprevious(element)
        else:
            body.append(element)
    _track_revisions(document.settings.element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_redline(
    diff: DocumentDiff, path: Path, summary: bool = True, author: str = AUTHOR, date: str = DATE
) -> None:
    """Write the redline to `path` (.docx)."""
    path.write_bytes(redline_bytes(diff, summary, author, date))
