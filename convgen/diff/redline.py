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

import copy
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
from convgen.extract import TextBlock, body_paragraph_elements

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
    # The paragraph it ends: the newer version's for an equal or inserted mark, the older
    # version's for a deleted one.
    source: TextBlock | None = None


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

    def mark(self, kind: str, style: str, source: TextBlock | None = None) -> None:
        self.paras.append(_Para(style, self.runs, kind, source))
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
    for block, style in zip(_blocks_of(unit), _styles_of(unit), strict=True):
        builder.text(kind, block.text)
        builder.mark(kind, style, block)


def _pair(builder: _Builder, left: Unit, right: Unit) -> None:
    """A paired unit, word by word; paragraph marks follow the token diff."""
    if not _texts_of(left) or not _texts_of(right):
        _whole(builder, left, DELETED)
        _whole(builder, right, INSERTED)
        return
    old_tokens = tokenize(_texts_of(left))
    new_tokens = tokenize(_texts_of(right))
    old_styles, new_styles = _styles_of(left), _styles_of(right)
    old_blocks, new_blocks = _blocks_of(left), _blocks_of(right)
    old_para = new_para = 0

    def emit(kind: str, tokens: Sequence[Token]) -> None:
        nonlocal old_para, new_para
        for token in tokens:
            if not token.is_para:
                builder.text(kind, token.raw)
                continue
            if kind == DELETED:
                builder.mark(kind, old_styles[old_para], old_blocks[old_para])
            else:
                builder.mark(kind, new_styles[new_para], new_blocks[new_para])
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
    builder.mark(EQUAL, new_styles[new_para], new_blocks[new_para])


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


def _base_document(diff: DocumentDiff) -> tuple[Any, list[etree._Element] | None]:
    """The package the redline is written into, and the newer version's body paragraphs.

    When the newer version is a .docx, the redline is written into that very package: its
    styles, page size and margins, sections, headers and footers, list definitions, tables and
    fields are kept, and its own paragraphs receive the changes (see `_write_in_place`). The
    list of its body `w:p` elements (in `TextBlock.paragraph` order) is None when the package
    cannot be used so (another format, or a body read differently): python-docx's default
    document is used then.
    """
    import docx

    path = diff.new.path
    if diff.new.kind == "docx" and path.suffix.lower() == ".docx" and path.is_file():
        document = docx.Document(str(path))
        elements = body_paragraph_elements(document.element.body)
        if len(elements) == len(diff.new.body()):
            return document, elements
    document = docx.Document()
    body = document.element.body
    for p in list(body.iterchildren(_w("p"))):
        body.remove(p)
    return document, None


def _style_ids(document: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Our paragraph kinds ("Heading1", "Heading2", "Normal") → style ids of `document`, and
    its paragraph style names (lower case) → ids."""
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
        names.setdefault(sid.lower(), sid)
        if style.get(_w("default")) in ("1", "true"):
            default = sid
    for kind, candidates in (
        ("Heading1", ("heading1", "heading 1", "titre 1", "titre1")),
        ("Heading2", ("heading2", "heading 2", "titre 2", "titre2")),
    ):
        ids[kind] = next((names[c] for c in candidates if c in names), default)
    ids["Normal"] = default
    return ids, names


def redline_bytes(
    diff: DocumentDiff, summary: bool = True, author: str = AUTHOR, date: str = DATE
) -> bytes:
    """The redline .docx as bytes; its changes are signed `author` on `date` (ISO 8601)."""
    from docx.enum.section import WD_SECTION

    from convgen.diff.redline_summary import write_summary

    document, elements = _base_document(diff)
    document.core_properties.author = author
    document.core_properties.title = "Comparaison de deux versions d'une convention"
    body = document.element.body
    styles, names = _style_ids(document)
    sect_pr = body.find(_w("sectPr"))
    kept = [child for child in body if child is not sect_pr]
    for child in kept:
        body.remove(child)
    if summary:
        write_summary(document, diff)
        document.add_section(WD_SECTION.NEW_PAGE)  # the summary's own section ends here
    for child in kept:
        if sect_pr is not None:
            sect_pr.addprevious(child)
        else:
            body.append(child)
    ids = _Ids(author, date)
    paras = body_paragraphs(diff)
    if not paras or paras[-1].mark != EQUAL:
        paras.append(_Para("Normal", []))  # Word cannot delete the last paragraph mark
    in_place = elements is not None and _write_in_place(diff, paras, elements, ids, styles, names)
    if not in_place:
        for child in kept:
            body.remove(child)
        for para in paras:
            element = paragraph_xml(
                _Para(styles.get(para.style, para.style), para.runs, para.mark), ids
            )
            if sect_pr is not None:
                sect_pr.addprevious(element)
            else:
                body.append(element)
    _track_revisions(document.settings.element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- in place


_KEPT_IN_PARAGRAPH = {_w("pPr"), _w("bookmarkStart"), _w("bookmarkEnd")}


def _write_in_place(
    diff: DocumentDiff,
    paras: list[_Para],
    elements: list[etree._Element],
    ids: _Ids,
    styles: dict[str, str],
    names: dict[str, str],
) -> bool:
    """Put the changes into the newer version's own paragraphs; False if it cannot be done.

    A paragraph of the newer version that did not change is left exactly as it is (runs,
    fields, formatting); a changed one keeps its paragraph properties (style, list numbering,
    alignment) and the formatting of its first run, and receives the compared runs. A paragraph
    of the older version only is inserted, deleted, before the next paragraph of the newer one.
    """
    element_of = {
        id(block): elements[block.paragraph - 1]
        for block in diff.new.body()
        if block.paragraph is not None and 0 < block.paragraph <= len(elements)
    }
    position = {id(el): i for i, el in enumerate(elements)}
    anchors = [
        element_of[id(p.source)]
        for p in paras
        if p.source is not None and p.mark != DELETED and id(p.source) in element_of
    ]
    order = [position[id(el)] for el in anchors]
    if order != sorted(order) or len(set(order)) != len(order):
        return False  # the new version's paragraphs would not stay in their order
    # Paragraph properties of the newer version's numbered paragraphs, by list level and by
    # style: an older paragraph that was numbered is restored on the same Word list, so that
    # « Tout refuser » numbers it again (its label is never typed as text).
    numbered: dict[str, etree._Element] = {}
    for block in diff.new.body():
        ppr = element_of[id(block)].find(_w("pPr")) if id(block) in element_of else None
        if block.number_label and ppr is not None:
            if block.list_level:
                numbered.setdefault(f"list:{block.list_level}", ppr)
            if block.style:
                numbered.setdefault(f"style:{block.style.lower()}", ppr)
    pending: list[etree._Element] = []
    last: etree._Element | None = None
    for para in paras:
        source = para.source
        target = element_of.get(id(source)) if source is not None and para.mark != DELETED else None
        if target is None or source is None:
            pending.append(_older_paragraph(para, ids, styles, names, numbered))
            continue
        for element in pending:
            target.addprevious(element)
        pending = []
        _rewrite_paragraph(target, para, source, ids)
        last = target
    if pending:
        if last is None:
            return False
        for element in pending:
            last.addnext(element)
            last = element
    return True


def _older_paragraph(
    para: _Para,
    ids: _Ids,
    styles: dict[str, str],
    names: dict[str, str],
    numbered: dict[str, etree._Element],
) -> etree._Element:
    """A paragraph of the older version only (deleted, or merged into the next one)."""
    source = para.source
    style = styles.get(para.style, para.style)
    if source is not None and source.style:
        style = names.get(source.style.lower(), style)
    template = None
    if source is not None and source.number_label:
        template = numbered.get(f"list:{source.list_level}") or numbered.get(
            f"style:{(source.style or '').lower()}"
        )
    if source is None or template is None:
        return paragraph_xml(_Para(style, para.runs, para.mark), ids)
    runs = _strip_label(para.runs, source.number_label, old_side=True)
    element = paragraph_xml(_Para(style, runs, para.mark), ids)
    ppr = copy.deepcopy(template)
    for own in [*ppr.findall(_w("rPr")), *ppr.findall(_w("sectPr")), *ppr.findall(_w("pPrChange"))]:
        ppr.remove(own)  # the mark's revision, a section break, a change: the template's own
    mark = element.find(f"{_w('pPr')}/{_w('rPr')}")
    if mark is not None:
        after = ppr.find(_w("sectPr"))
        if after is None:
            after = ppr.find(_w("pPrChange"))
        if after is not None:
            after.addprevious(mark)
        else:
            ppr.append(mark)
    old_ppr = element.find(_w("pPr"))
    if old_ppr is not None:
        element.replace(old_ppr, ppr)
    return element


def _strip_label(
    runs: list[tuple[str, str]], label: str, old_side: bool = False
) -> list[tuple[str, str]]:
    """The runs without the list label Word draws itself ("Article 3 ").

    The label is counted on the newer side (the older one, for an older paragraph); the other
    side's runs within it go too: the other number, which Word recomputes.
    """
    other = INSERTED if old_side else DELETED
    side_text = "".join(text for kind, text in runs if kind != other)
    if not label or not side_text.startswith(label):
        return runs
    left = len(label)
    out: list[tuple[str, str]] = []
    for kind, text in runs:
        if left <= 0:
            out.append((kind, text))
        elif kind == other:
            if left < len(label) and len(text.strip()) <= 6:
                continue  # inside the label: the other number ("Article [-3-]{+4+}")
            out.append((kind, text))
        elif len(text) <= left:
            left -= len(text)
        else:
            out.append((kind, text[left:]))
            left = 0
    return out


def _rewrite_paragraph(target: etree._Element, para: _Para, source: TextBlock, ids: _Ids) -> None:
    unchanged = para.mark == EQUAL and all(kind == EQUAL for kind, _ in para.runs)
    if unchanged and "".join(text for _, text in para.runs) == source.text:
        return  # unchanged: runs, fields and formatting kept as the document has them
    first_rpr = None
    for run in target.iter(_w("r")):
        if run.find(_w("t")) is not None:
            found = run.find(_w("rPr"))
            first_rpr = copy.deepcopy(found) if found is not None else None
            break
    # Note calls and comment anchors are not text: kept (at the end of the paragraph) so that
    # the document's footnotes, endnotes and comments keep their place in the text.
    anchors = [
        run
        for run in target.iter(_w("r"))
        if run.find(_w("footnoteReference")) is not None
        or run.find(_w("endnoteReference")) is not None
        or run.find(_w("commentReference")) is not None
    ]
    for child in list(target):
        if child.tag not in _KEPT_IN_PARAGRAPH:
            target.remove(child)
    if para.mark != EQUAL:
        ppr = target.find(_w("pPr"))
        if ppr is None:
            ppr = etree.Element(_w("pPr"))
            target.insert(0, ppr)
        rpr = ppr.find(_w("rPr"))
        if rpr is None:
            rpr = etree.Element(_w("rPr"))
            after = ppr.find(_w("sectPr"))
            if after is None:
                after = ppr.find(_w("pPrChange"))
            if after is not None:
                after.addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, etree.Element(_w(para.mark), ids.attrs()))
    for kind, text in _strip_label(para.runs, source.number_label):
        run = _run(text, deleted=kind == DELETED)
        if first_rpr is not None:
            run.insert(0, copy.deepcopy(first_rpr))
        if kind == EQUAL:
            target.append(run)
        else:
            wrapper = etree.SubElement(target, _w(kind), ids.attrs())
            wrapper.append(run)
    for run in anchors:
        target.append(run)


def write_redline(
    diff: DocumentDiff, path: Path, summary: bool = True, author: str = AUTHOR, date: str = DATE
) -> None:
    """Write the redline to `path` (.docx), atomically; refused if `path` is a compared file."""
    from convgen.diff.output import check_output
    from convgen.zipout import write_atomic

    check_output(path, [diff.old.path, diff.new.path])
    write_atomic(path, redline_bytes(diff, summary, author, date))
