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
- a moved article is a Word move: `w:moveFrom` where it stood and `w:moveTo` where it now
  stands, each inside its named range (`w:moveFromRangeStart`/`End`, `w:moveToRangeStart`/`End`,
  same name), so that Word shows « Déplacé » and accepts or rejects both ends at once; words
  changed inside the moved article are `w:ins` inside the destination (the source keeps the
  older wording, so that rejecting gives it back where it stood).

Paragraphs of the newer version keep their own runs: a changed paragraph's runs are split where
its changes begin and end, and only the changed pieces are wrapped (`w:ins`) or added (`w:del`),
so that its fields (`w:fldSimple`, `w:fldChar` … REF, PAGE), hyperlinks (`w:hyperlink` and its
relationship), bookmarks, note calls and comment ranges stay what and where they were. Headers,
footers, footnotes and endnotes of the newer version receive their changes the same way, in
their own parts.

A summary of the changes comes first, in its own section and outside tracked changes (it belongs
to neither version); `summary=False` leaves it out for a document whose accept-all and
reject-all are exactly the two versions and nothing else.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from lxml import etree

from convgen.diff import ArticleDiff, DocumentDiff
from convgen.diff.align import Unit
from convgen.diff.parts import PartItem
from convgen.diff.words import Token, diff_tokens, tokenize
from convgen.extract import (
    MC,
    PAGE_FIELDS,
    ZONE_ENDNOTE,
    ZONE_FOOTER,
    ZONE_FOOTNOTE,
    ZONE_HEADER,
    ZONE_TEXTBOX,
    TextBlock,
    body_paragraph_elements,
    text_boxes_in_order,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
AUTHOR = "convgen"
DATE = "2026-01-01T00:00:00Z"  # fixed, so that the same comparison gives the same file
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

EQUAL, INSERTED, DELETED = "equal", "ins", "del"
MOVE_FROM, MOVE_TO = "moveFrom", "moveTo"  # a moved article: where it stood, where it stands
OLD_ONLY = (DELETED, MOVE_FROM)  # gone once every change is accepted
NEW_SIDE = (EQUAL, INSERTED, MOVE_TO)  # the text of the newer version


def _w(tag: str) -> str:
    return f"{_W}{tag}"


@dataclass
class _Para:
    """One output paragraph: its runs and the fate of its paragraph mark."""

    style: str
    runs: list[tuple[str, str]]  # (EQUAL | INSERTED | DELETED | MOVE_FROM | MOVE_TO, text)
    mark: str = EQUAL
    # The paragraph it ends: the newer version's for an equal, inserted or moved-to mark, the
    # older version's for a deleted or moved-from one.
    source: TextBlock | None = None
    # A moved article's named range (w:moveFromRangeStart/End, w:moveToRangeStart/End):
    # its name, and whether this paragraph opens and closes it.
    move_name: str = ""
    opens_move: bool = False
    closes_move: bool = False


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
                yield MOVE_FROM, moved.pop(0)
        if entry.moved:
            yield MOVE_TO, entry
        elif entry.left is None:
            yield INSERTED, entry
        elif entry.right is None:
            yield DELETED, entry
        else:
            yield EQUAL, entry
    for entry in moved:
        yield MOVE_FROM, entry


def _index(unit: Unit | None) -> int:
    assert unit is not None
    return unit.index


def _moved_from(builder: _Builder, left: Unit, name: str) -> None:
    """Where a moved article stood: its older wording, moved away."""
    start = len(builder.paras)
    _whole(builder, left, MOVE_FROM)
    _name_range(builder.paras[start:], name)


def _moved_to(builder: _Builder, left: Unit, right: Unit, name: str) -> None:
    """Where a moved article stands: the common words moved here, its new words inserted.

    Words of the older version only are not repeated here: they stay in the source, which
    accepting removes and rejecting keeps. A paragraph break of the older version only joins
    its words to the next paragraph.
    """
    pair = _Builder()
    _pair(pair, left, right)
    out: list[_Para] = []
    carried: list[tuple[str, str]] = []
    for para in pair.paras:
        runs = [(MOVE_TO if k == EQUAL else k, t) for k, t in para.runs if k != DELETED]
        if para.mark == DELETED:
            carried.extend(runs)
            continue
        mark = MOVE_TO if para.mark == EQUAL else para.mark
        out.append(_Para(para.style, carried + runs, mark, para.source))
        carried = []
    _name_range(out, name)
    builder.paras.extend(out)


def _name_range(paras: list[_Para], name: str) -> None:
    for para in paras:
        para.move_name = name
    if paras:
        paras[0].opens_move = True
        paras[-1].closes_move = True


def body_paragraphs(diff: DocumentDiff) -> list[_Para]:
    builder = _Builder()
    names: dict[int, str] = {}
    for kind, entry in _plan(diff):
        if kind in (MOVE_FROM, MOVE_TO):
            name = names.setdefault(id(entry), f"convgen_deplacement{len(names) + 1}")
            if kind == MOVE_FROM and entry.left is not None:
                _moved_from(builder, entry.left, name)
            elif entry.left is not None and entry.right is not None:
                _moved_to(builder, entry.left, entry.right, name)
        elif kind == EQUAL and entry.left is not None and entry.right is not None:
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
        self.ranges: dict[tuple[str, str], str] = {}

    def attrs(self) -> dict[str, str]:
        self.next += 1
        return {_w("id"): str(self.next), _w("author"): self.author, _w("date"): self.date}

    def range_id(self, kind: str, name: str) -> str:
        """The w:id shared by the start and end of one named move range."""
        key = (kind, name)
        if key not in self.ranges:
            self.next += 1
            self.ranges[key] = str(self.next)
        return self.ranges[key]


def _add_move_range(p: etree._Element, para: _Para, ids: _Ids) -> None:
    """Open (close) the moved article's named range at the start (end) of `p`."""
    if not para.move_name or not (para.opens_move or para.closes_move):
        return
    kind = (
        "moveFrom"
        if para.mark == MOVE_FROM or any(k == MOVE_FROM for k, _ in para.runs)
        else "moveTo"
    )
    range_id = ids.range_id(kind, para.move_name)
    if para.opens_move:
        start = etree.Element(
            _w(f"{kind}RangeStart"),
            {_w("id"): range_id, _w("author"): ids.author, _w("date"): ids.date,
             _w("name"): para.move_name},
        )  # fmt: skip
        ppr = p.find(_w("pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
    if para.closes_move:
        p.append(etree.Element(_w(f"{kind}RangeEnd"), {_w("id"): range_id}))


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


def _text_runs(text: str, deleted: bool, rpr: etree._Element | None = None) -> list[etree._Element]:
    """Runs of `text`; a page-number field read by name (« {PAGE} ») is written back as a
    field (`w:fldChar` … `w:instrText` or `w:delInstrText`), never as its name."""
    runs: list[etree._Element] = []

    def add(run: etree._Element) -> None:
        if rpr is not None:
            run.insert(0, copy.deepcopy(rpr))
        runs.append(run)

    def field_char(kind: str) -> etree._Element:
        run = etree.Element(_w("r"))
        etree.SubElement(run, _w("fldChar"), {_w("fldCharType"): kind})
        return run

    position = 0
    for match in [*_PAGE_FIELD_NAME.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        if text[position:end]:
            add(_run(text[position:end], deleted))
        if match is None:
            break
        add(field_char("begin"))
        code = etree.Element(_w("r"))
        instr = etree.SubElement(code, _w("delInstrText" if deleted else "instrText"))
        instr.text = f" {match.group(0)[1:-1]} "
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        add(code)
        add(field_char("separate"))
        add(_run("1", deleted))  # a cached result, computed again by Word when it lays out
        add(field_char("end"))
        position = match.end()
    return runs


def paragraph_xml(para: _Para, ids: _Ids) -> etree._Element:
    p = etree.Element(_w("p"))
    ppr = etree.SubElement(p, _w("pPr"))
    etree.SubElement(ppr, _w("pStyle"), {_w("val"): para.style})
    if para.mark != EQUAL:
        rpr = etree.SubElement(ppr, _w("rPr"))
        etree.SubElement(rpr, _w(para.mark), ids.attrs())
    for kind, text in para.runs:
        if kind == EQUAL:
            p.extend(_text_runs(text, deleted=False))
        else:
            wrapper = etree.SubElement(p, _w(kind), ids.attrs())
            wrapper.extend(_text_runs(text, deleted=kind == DELETED))
    _add_move_range(p, para, ids)
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
    in_place = False
    removed_notes: list[tuple[str, etree._Element]] = []
    if elements is not None:
        element_of = {
            id(block): elements[block.paragraph - 1]
            for block in diff.new.body()
            if block.paragraph is not None and 0 < block.paragraph <= len(elements)
        }
        older = _OlderParagraphs.of(diff, document)
        in_place = _write_in_place(diff.new.body(), paras, element_of, ids, styles, names, older)
        if in_place:
            removed_notes = _removed_notes(diff, element_of, ids)
    if not in_place:
        for child in kept:
            body.remove(child)
        for para in paras:
            element = paragraph_xml(replace(para, style=styles.get(para.style, para.style)), ids)
            if sect_pr is not None:
                sect_pr.addprevious(element)
            else:
                body.append(element)
    _track_revisions(document.settings.element)
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    if elements is not None:
        data = _track_other_parts(data, diff, ids, styles, names, removed_notes)
    return data


# --------------------------------------------------------------------------- other parts


_TRACKED_ZONES = (ZONE_HEADER, ZONE_FOOTER, ZONE_FOOTNOTE, ZONE_ENDNOTE, ZONE_TEXTBOX)


def _track_other_parts(
    data: bytes,
    diff: DocumentDiff,
    ids: _Ids,
    styles: dict[str, str],
    names: dict[str, str],
    removed_notes: Sequence[tuple[str, etree._Element]] = (),
) -> bytes:
    """Write the changes of headers, footers and notes into the redline's own parts.

    The redline's parts are the newer version's (python-docx keeps their names). An item of
    the newer version only is wholly inserted (a note's call too); a note of the older
    version only comes back deleted (`removed_notes`: part name and the note, see
    `_removed_notes`); other items of the older version only have no place in the newer
    package and are left to the summary and the other reports.
    """
    changed = [
        p
        for p in diff.changed_parts
        if p.zone in _TRACKED_ZONES and p.new_item is not None and p.new_item.blocks
    ]
    if not changed and not removed_notes:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    contents = {info.filename: content for info, content in members}
    roots: dict[str, etree._Element] = {}
    for name, note in removed_notes:
        if name not in roots:
            roots[name] = etree.fromstring(contents[name])
        roots[name].append(note)

    for part_diff in changed:
        item = part_diff.new_item
        assert item is not None
        name = item.blocks[0].part
        if name not in contents:
            continue
        if name not in roots:
            roots[name] = etree.fromstring(contents[name])
        container = _item_container(roots[name], part_diff.zone, item)
        if container is None:
            continue
        elements = body_paragraph_elements(container)
        element_of = {
            id(b): elements[b.part_paragraph - 1]
            for b in item.blocks
            if b.part_paragraph is not None and 0 < b.part_paragraph <= len(elements)
        }
        if len(element_of) != len(item.blocks):
            continue
        builder = _Builder()
        if part_diff.left is not None and part_diff.right is not None:
            _pair(builder, part_diff.left, part_diff.right)
        elif part_diff.right is not None:
            _whole(builder, part_diff.right, INSERTED)
        _write_in_place(item.blocks, builder.paras, element_of, ids, styles, names)
        if part_diff.zone == ZONE_TEXTBOX:
            _copy_to_fallback(container)
        if part_diff.left is None and part_diff.zone in (ZONE_FOOTNOTE, ZONE_ENDNOTE):
            main = "word/document.xml"
            if main not in roots:
                roots[main] = etree.fromstring(contents[main])
            _insert_note_calls(roots[main], part_diff.zone, item.key, ids)
    if removed_notes:
        main = "word/document.xml"
        if main not in roots:
            roots[main] = etree.fromstring(contents[main])
        for zone, name in _NOTE_PARTS.items():
            if name in roots:
                _order_notes(roots[name], roots[main], zone)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            if info.filename in roots:
                content = etree.tostring(roots[info.filename], xml_declaration=True,
                                         encoding="UTF-8", standalone=True)  # fmt: skip
            archive.writestr(info, content)
    return out.getvalue()


def _item_container(root: etree._Element, zone: str, item: PartItem) -> etree._Element | None:
    """The element holding an item's paragraphs: the header/footer root, one note, one box."""
    if zone in (ZONE_HEADER, ZONE_FOOTER):
        return root
    if zone == ZONE_TEXTBOX:
        number = item.blocks[0].box_in_part
        boxes = text_boxes_in_order(root)
        return boxes[number - 1] if number is not None and 0 < number <= len(boxes) else None
    tag = _w("footnote") if zone == ZONE_FOOTNOTE else _w("endnote")
    for note in root.iterchildren(tag):
        if note.get(_w("id")) == item.key:
            return note
    return None


_NOTE_PARTS = {ZONE_FOOTNOTE: "word/footnotes.xml", ZONE_ENDNOTE: "word/endnotes.xml"}


def _removed_notes(
    diff: DocumentDiff, element_of: dict[int, etree._Element], ids: _Ids
) -> list[tuple[str, etree._Element]]:
    """Notes of the older version only, given back deleted, each with its call.

    The call is put, deleted, at the end of the paragraph of the newer version most like the
    one that called the note (in the same article); the note itself, with a new w:id, is
    returned to be appended to the redline's notes part. Notes whose calling paragraph has no
    counterpart, or whose part the newer package lacks, are left to the reports.
    """
    try:
        with zipfile.ZipFile(diff.old.path) as old_zip, zipfile.ZipFile(diff.new.path) as new_zip:
            old_parts = {
                zone: etree.fromstring(old_zip.read(name))
                for zone, name in _NOTE_PARTS.items()
                if name in old_zip.namelist() and name in new_zip.namelist()
            }
            new_ids = {
                zone: [int(n.get(_w("id"), "0")) for n in etree.fromstring(new_zip.read(name))
                       if n.get(_w("id"), "").lstrip("-").isdigit()]
                for zone, name in _NOTE_PARTS.items()
                if name in new_zip.namelist()
            }  # fmt: skip
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []
    out: list[tuple[str, etree._Element]] = []
    for part_diff in diff.parts:
        old_item = part_diff.old_item
        if part_diff.new_item is not None or old_item is None or part_diff.zone not in old_parts:
            continue
        target = _calling_paragraph(diff, old_item.blocks[0].called_from, element_of)
        tag = _w("footnote") if part_diff.zone == ZONE_FOOTNOTE else _w("endnote")
        note = next((n for n in old_parts[part_diff.zone].iterchildren(tag)
                     if n.get(_w("id")) == old_item.key), None)  # fmt: skip
        if target is None or note is None:
            continue
        note = copy.deepcopy(note)
        if not _deleted_note(note, ids):
            continue
        new_id = max([0, *new_ids[part_diff.zone]]) + 1
        new_ids[part_diff.zone].append(new_id)
        note.set(_w("id"), str(new_id))
        reference = "footnoteReference" if part_diff.zone == ZONE_FOOTNOTE else "endnoteReference"
        call = etree.SubElement(target, _w("del"), ids.attrs())
        run = etree.SubElement(call, _w("r"))
        rpr = etree.SubElement(run, _w("rPr"))
        etree.SubElement(rpr, _w("vertAlign"), {_w("val"): "superscript"})
        etree.SubElement(run, _w(reference), {_w("id"): str(new_id)})
        out.append((_NOTE_PARTS[part_diff.zone], note))
    return out


def _order_notes(notes: etree._Element, document: etree._Element, zone: str) -> None:
    """Number the notes in the order of their calls, and write them in that order.

    Word finds a note by its w:id; LibreOffice 7.4 gives the n-th call the n-th note by id
    (observed: a note put back with the next free id, called before the others, was shown
    with the text of the following note). Separators keep their ids; notes come after them.
    """
    reference = _w("footnoteReference") if zone == ZONE_FOOTNOTE else _w("endnoteReference")
    refs = list(document.iter(reference))
    order: list[str] = []
    for ref in refs:
        if ref.get(_w("id"), "") not in order:
            order.append(ref.get(_w("id"), ""))
    separators = [n for n in notes if n.get(_w("type")) not in (None, "normal")]
    others = [n for n in notes if n not in separators]
    first = max([_int_id(n) for n in separators] + [0]) + 1
    renumbered = {old: str(first + k) for k, old in enumerate(order)}
    uncalled = [n for n in others if n.get(_w("id")) not in renumbered]
    for k, note in enumerate(uncalled):
        renumbered.setdefault(note.get(_w("id"), ""), str(first + len(order) + k))
    for ref in refs:
        ref.set(_w("id"), renumbered.get(ref.get(_w("id"), ""), ref.get(_w("id"), "")))
    by_id = {n.get(_w("id"), ""): n for n in others}
    for note in others:
        notes.remove(note)
        note.set(_w("id"), renumbered.get(note.get(_w("id"), ""), note.get(_w("id"), "")))
    for old in [*order, *(n.get(_w("id"), "") for n in uncalled)]:
        if old in by_id:
            notes.append(by_id[old])


def _int_id(note: etree._Element) -> int:
    try:
        return int(note.get(_w("id"), "0"))
    except ValueError:
        return 0


def _calling_paragraph(
    diff: DocumentDiff, called_from: int | None, element_of: dict[int, etree._Element]
) -> etree._Element | None:
    """The newer paragraph most like the older one numbered `called_from`, in its article."""
    from rapidfuzz import fuzz

    if called_from is None:
        return None
    for entry in diff.entries:
        left, right = entry.left, entry.right
        if left is None or right is None:
            continue
        olds = [b for b in [*([left.heading] if left.heading else []), *left.blocks]
                if b.paragraph == called_from]  # fmt: skip
        if not olds:
            continue
        news = [b for b in [*([right.heading] if right.heading else []), *right.blocks]
                if id(b) in element_of]  # fmt: skip
        if not news:
            return None
        best = max(news, key=lambda b: fuzz.ratio(b.text, olds[0].text))
        return element_of[id(best)]
    return None


def _deleted_note(note: etree._Element, ids: _Ids) -> bool:
    """Turn an older note into a wholly deleted one; False if it points into its package."""
    for link in note.iter(_w("hyperlink")):
        link.attrib.pop(f"{{{R}}}id", None)
    for node in note.iter():
        if any(node.get(f"{{{R}}}{name}") is not None for name in _REL_ATTRS):
            return False
    for p in note.iter(_w("p")):
        _flag_mark(p, DELETED, ids)
    for node in note.iter(_w("t"), _w("instrText")):
        node.tag = _w("delText") if node.tag == _w("t") else _w("delInstrText")
    _wrap_every_run(note, DELETED, ids)
    return True


def _insert_note_calls(root: etree._Element, zone: str, note_id: str, ids: _Ids) -> None:
    """The call of a note added in the newer version is an insertion too: « Tout refuser »
    removes the number from the text along with the note."""
    tag = _w("footnoteReference") if zone == ZONE_FOOTNOTE else _w("endnoteReference")
    for ref in list(root.iter(tag)):
        run = ref.getparent()
        if ref.get(_w("id")) != note_id or run is None or run.tag != _w("r"):
            continue
        parent = run.getparent()
        if parent is None or parent.tag in (_w("ins"), _w("moveTo")):
            continue
        wrapper = etree.Element(_w("ins"), ids.attrs())
        run.addprevious(wrapper)
        wrapper.append(run)


def _copy_to_fallback(box: etree._Element) -> None:
    """Give the VML copy of a text box (`mc:Fallback`, for older readers) the same tracked
    text as its DrawingML shape (`mc:Choice`)."""
    choice = next((a for a in box.iterancestors() if a.tag == f"{{{MC}}}Choice"), None)
    if choice is None:
        return
    alternate = choice.getparent()
    fallback = alternate.find(f"{{{MC}}}Fallback") if alternate is not None else None
    if fallback is None:
        return
    for old in fallback.iter(_w("txbxContent")):
        old.getparent().replace(old, copy.deepcopy(box))
        break


# --------------------------------------------------------------------------- in place


def _write_in_place(
    blocks: Sequence[TextBlock],
    paras: list[_Para],
    element_of: dict[int, etree._Element],
    ids: _Ids,
    styles: dict[str, str],
    names: dict[str, str],
    older: _OlderParagraphs | None = None,
) -> bool:
    """Put the changes into the newer version's own paragraphs; False if it cannot be done.

    `blocks` are the newer version's paragraphs (of the body, or of one header or note) and
    `element_of` maps each (by id) to its `w:p`. A paragraph that did not change is left
    exactly as it is; a changed one keeps its paragraph properties (style, list numbering,
    alignment) and its own runs, split where the changes are. A paragraph of the older
    version only is inserted, deleted, before the next paragraph of the newer one.
    """
    position = {id(el): i for i, el in enumerate(element_of.values())}
    anchors = [
        element_of[id(p.source)]
        for p in paras
        if p.source is not None and p.mark not in OLD_ONLY and id(p.source) in element_of
    ]
    order = [position[id(el)] for el in anchors]
    if order != sorted(order) or len(set(order)) != len(order):
        return False  # the new version's paragraphs would not stay in their order
    # Paragraph properties of the newer version's numbered paragraphs, by list level and by
    # style: an older paragraph that was numbered is restored on the same Word list, so that
    # « Tout refuser » numbers it again (its label is never typed as text).
    numbered: dict[str, etree._Element] = {}
    for block in blocks:
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
        target = (
            element_of.get(id(source)) if source is not None and para.mark not in OLD_ONLY else None
        )
        if target is None or source is None:
            pending.append(_older_paragraph(para, ids, styles, names, numbered, older))
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
    older: _OlderParagraphs | None = None,
) -> etree._Element:
    """A paragraph of the older version only (deleted, moved away, or merged into the next).

    A paragraph wholly deleted (moved away) is given its own runs from the older package
    when `older` has them: its fields and hyperlinks come back as such on « Tout refuser ».
    """
    element = _older_paragraph_text(para, ids, styles, names, numbered)
    if older is not None and para.source is not None:
        older.restore(element, para, ids)
    return element


def _older_paragraph_text(
    para: _Para,
    ids: _Ids,
    styles: dict[str, str],
    names: dict[str, str],
    numbered: dict[str, etree._Element],
) -> etree._Element:
    source = para.source
    style = styles.get(para.style, para.style)
    if source is not None and source.style:
        style = names.get(source.style.lower(), style)
    template = None
    if source is not None and source.number_label:
        template = numbered.get(f"list:{source.list_level}")
        if template is None:
            template = numbered.get(f"style:{(source.style or '').lower()}")
    if source is None or template is None:
        return paragraph_xml(replace(para, style=style), ids)
    runs = _strip_label(para.runs, source.number_label, old_side=True)
    element = paragraph_xml(replace(para, style=style, runs=runs), ids)
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
    if old_side:
        other: tuple[str, ...] = (INSERTED, MOVE_TO)
    else:
        other = OLD_ONLY
    side_text = "".join(text for kind, text in runs if kind not in other)
    if not label or not side_text.startswith(label):
        return runs
    left = len(label)
    out: list[tuple[str, str]] = []
    for kind, text in runs:
        if left <= 0:
            out.append((kind, text))
        elif kind in other:
            if left < len(label) and len(text.strip()) <= 6:
                continue  # inside the label: the other number ("Article [-3-]{+4+}")
            out.append((kind, text))
        elif len(text) <= left:
            left -= len(text)
        else:
            out.append((kind, text[left:]))
            left = 0
    return out


def _flag_mark(target: etree._Element, kind: str, ids: _Ids) -> None:
    """Flag the paragraph mark inserted, deleted or moved (`w:pPr/w:rPr/w:ins`…)."""
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
    rpr.insert(0, etree.Element(_w(kind), ids.attrs()))


def _rewrite_paragraph(target: etree._Element, para: _Para, source: TextBlock, ids: _Ids) -> None:
    unchanged = para.mark == EQUAL and all(kind == EQUAL for kind, _ in para.runs)
    if unchanged and "".join(text for _, text in para.runs) == source.text:
        return  # unchanged: runs, fields and formatting kept as the document has them
    runs = _strip_label(para.runs, source.number_label)
    if para.mark != EQUAL:
        _flag_mark(target, para.mark, ids)
    if not track_in_runs(target, runs, ids):
        _flatten(target, runs, ids)
    _add_move_range(target, para, ids)


# --------------------------------------------------------------------------- older runs

_REL_ATTRS = ("id", "embed", "link", "pict")  # r:… attributes pointing into a package


class _OlderParagraphs:
    """The older version's own paragraphs, to give back a deleted paragraph its runs."""

    def __init__(self, elements: list[etree._Element], rels: dict[str, tuple[str, str]], part: Any):
        self.elements = elements
        self.rels = rels  # r:id → (relationship type, target) of external hyperlinks
        self.part = part  # the redline's document part, to relate hyperlinks to
        self.linked: dict[str, str] = {}  # older r:id → the redline's

    @classmethod
    def of(cls, diff: DocumentDiff, document: Any) -> _OlderParagraphs | None:
        path = diff.old.path
        if diff.old.kind != "docx" or path.suffix.lower() != ".docx" or not path.is_file():
            return None
        try:
            with zipfile.ZipFile(path) as archive:
                root = etree.fromstring(archive.read("word/document.xml"))
                rels_xml = archive.read("word/_rels/document.xml.rels")
        except (KeyError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
            return None
        body = root.find(_w("body"))
        elements = body_paragraph_elements(body) if body is not None else []
        if len(elements) != len(diff.old.body()):
            return None
        rels = {
            rel.get("Id", ""): (rel.get("Type", ""), rel.get("Target", ""))
            for rel in etree.fromstring(rels_xml)
            if rel.get("TargetMode") == "External" and rel.get("Type", "").endswith("/hyperlink")
        }
        return cls(elements, rels, document.part)

    def restore(self, element: etree._Element, para: _Para, ids: _Ids) -> None:
        """Replace the runs of `element` (a paragraph wholly deleted or moved away) by the
        older paragraph's own, tracked the same way; leave it as it is when they differ."""
        source = para.source
        kinds = {kind for kind, text in para.runs if text}
        if para.mark not in OLD_ONLY or not kinds <= {para.mark} or source is None:
            return
        if source.paragraph is None or not 0 < source.paragraph <= len(self.elements):
            return
        old = copy.deepcopy(self.elements[source.paragraph - 1])
        if not self._clean(old):
            return
        atoms = _text_atoms(old)
        text = "".join(t for _, t in para.runs)
        if source.number_label:
            typed = _text_atoms(element) or []
            if "".join(t for _, t in typed).startswith(source.number_label.strip()):
                return  # its label is typed (no Word list of the newer version to draw it)
            text = text[len(source.number_label) :]
        if atoms is None or not _same_text(text, "".join(t for _, t in atoms)):
            return
        for run in old.iter(_w("r")):
            if para.mark == DELETED:
                for node in run.iter(_w("t"), _w("instrText")):
                    node.tag = _w("delText") if node.tag == _w("t") else _w("delInstrText")
        _wrap_every_run(old, para.mark, ids)
        children = [c for c in old if c.tag != _w("pPr")]
        for child in list(element):
            if child.tag in (_w("r"), _w(para.mark)):
                element.remove(child)
        end = element.find(_w(f"{para.mark}RangeEnd"))
        for child in children:
            if end is not None:
                end.addprevious(child)
            else:
                element.append(child)

    def _clean(self, p: etree._Element) -> bool:
        """Make an older paragraph fit the newer package; False if it cannot be."""
        for tracked in list(p.iter(_w("del"), _w("moveFrom"))):
            tracked.getparent().remove(tracked)  # the older version's own pending deletions
        for tracked in list(p.iter(_w("ins"), _w("moveTo"))):
            _unwrap(tracked)
        # What points into the older package or duplicates a newer name: note calls, comment
        # anchors, bookmarks, drawings (an image is another part).
        dropped = (
            "footnoteReference", "endnoteReference", "commentReference", "drawing", "pict",
            "object", "AlternateContent",
        )  # fmt: skip
        for run in list(p.iter(_w("r"))):
            if any(etree.QName(c).localname in dropped for c in run):
                run.getparent().remove(run)
        for mark in list(p.iter(_w("bookmarkStart"), _w("bookmarkEnd"), _w("commentRangeStart"),
                                _w("commentRangeEnd"), _w("proofErr"))):  # fmt: skip
            mark.getparent().remove(mark)
        for link in p.iter(_w("hyperlink")):
            rid = link.get(f"{{{R}}}id")
            if rid is None:
                continue
            if rid not in self.rels:
                del link.attrib[f"{{{R}}}id"]
                continue
            if rid not in self.linked:
                from docx.opc.constants import RELATIONSHIP_TYPE as RT

                self.linked[rid] = self.part.relate_to(
                    self.rels[rid][1], RT.HYPERLINK, is_external=True
                )
            link.set(f"{{{R}}}id", self.linked[rid])
        for node in p.iter():
            for name in _REL_ATTRS:
                if node.tag != _w("hyperlink") and node.get(f"{{{R}}}{name}") is not None:
                    return False
        return True


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    for child in list(element):
        parent.insert(index, child)
        index += 1
    parent.remove(element)


# --------------------------------------------------------------------------- runs kept

_SKIPPED_SUBTREES = (_w("txbxContent"),)
_PAGE_FIELD_NAME = re.compile(r"\{(?:" + "|".join(PAGE_FIELDS) + r")\}")


def _text_atoms(p: etree._Element) -> list[tuple[etree._Element, str]] | None:
    """The text-bearing elements of a paragraph's runs and their text, as `read_docx` reads
    them (text boxes apart); None if one is not directly in a run (unusual markup)."""
    atoms: list[tuple[etree._Element, str]] = []
    for node in p.iter(_w("t"), _w("tab"), _w("br"), _w("cr"), _w("noBreakHyphen")):
        parent = node.getparent()
        if parent is None or parent.tag != _w("r"):
            if node.tag == _w("tab"):
                continue  # a tab stop of the paragraph properties, not a character
            return None
        if any(a.tag in _SKIPPED_SUBTREES for a in node.iterancestors()):
            continue
        if node.tag == _w("t"):
            atoms.append((node, node.text or ""))
        elif node.tag == _w("tab"):
            atoms.append((node, "\t"))
        elif node.tag == _w("noBreakHyphen"):
            atoms.append((node, "\u2011"))
        else:
            atoms.append((node, "\n"))
    return atoms


def track_in_runs(p: etree._Element, runs: list[tuple[str, str]], ids: _Ids) -> bool:
    """Mark `runs` (the compared text) on the paragraph's own runs; False if they differ.

    The newer side of `runs` (equal, inserted and moved-here text) is matched character by
    character with the paragraph's text; runs are split where the kind of text changes, the
    inserted (moved) pieces wrapped in `w:ins` (`w:moveTo`), and the older version's text put
    back as `w:del` (`w:moveFrom`) runs where it stood. Everything that is not text — field
    characters and codes, hyperlinks, bookmarks, note calls, drawings — stays where it is.
    """
    atoms = _text_atoms(p)
    if atoms is None:
        return False
    actual = "".join(text for _, text in atoms)
    kinds: list[str] = []
    removed: list[tuple[int, str, str]] = []  # (position in the newer text, kind, text)
    for kind, text in runs:
        if kind in NEW_SIDE:
            kinds.extend(kind for _ in text)
        elif text:
            removed.append((len(kinds), kind, text))
    new_text = "".join(text for kind, text in runs if kind in NEW_SIDE)
    whole = {kind for kind, text in runs if text}
    if len(whole) == 1 and whole <= {INSERTED, MOVE_TO} and _same_text(new_text, actual):
        _wrap_every_run(p, whole.pop(), ids)  # field characters and codes included
        return True
    if not actual and (new_text or not removed):
        return not new_text and not removed
    matcher = SequenceMatcher(None, new_text, actual, autojunk=False)
    mapped: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapped[block.a + k] = block.b + k
    # Page-number fields are compared by name (« {PAGE} »): their cached digits are the text.
    by_name = {k for m in _PAGE_FIELD_NAME.finditer(new_text) for k in range(m.start(), m.end())}
    significant = [i for i, c in enumerate(new_text) if not c.isspace() and i not in by_name]
    if significant and sum(i in mapped for i in significant) < 0.9 * len(significant):
        return False
    # Every character of the paragraph must be one of the compared text: a paragraph of the
    # newer version whose beginning is carried by an older paragraph (two paragraphs joined)
    # is rewritten whole. Field results are exempt (« {PAGE} » is read for « 3 »).
    in_fields = _field_result_atoms(p)
    matched = set(mapped.values())
    position = 0
    for node, text in atoms:
        for k, char in enumerate(text):
            if position + k not in matched and not char.isspace() and id(node) not in in_fields:
                return False
        position += len(text)
    char_kind = [EQUAL] * len(actual)
    for i, j in mapped.items():
        char_kind[j] = kinds[i]
    for j in range(1, len(actual)):  # a field's cached result goes with the text before it
        if j not in matched and char_kind[j - 1] in (INSERTED, MOVE_TO):
            char_kind[j] = char_kind[j - 1]

    def actual_position(i: int) -> int:
        """Where, in the paragraph's text, the newer text's position `i` falls."""
        for k in range(i - 1, -1, -1):
            if k in mapped:
                return mapped[k] + 1
        for k in range(i, len(new_text)):
            if k in mapped:
                return mapped[k]
        return 0

    deletions: dict[int, list[tuple[str, str]]] = {}
    for i, kind, text in removed:
        deletions.setdefault(actual_position(i), []).append((kind, text))
    cuts = set(deletions) | {j for j in range(1, len(actual)) if char_kind[j] != char_kind[j - 1]}
    starts, last_run = _split_runs(p, atoms, char_kind, cuts, ids)
    for pos in sorted(deletions):
        for kind, text in deletions[pos]:
            anchor = starts.get(pos)
            rpr = _rpr_near(anchor if anchor is not None else last_run)
            element = etree.Element(_w("del" if kind == DELETED else kind), ids.attrs())
            element.extend(_text_runs(text, kind == DELETED, rpr))
            if anchor is not None:
                anchor.addprevious(element)
            elif last_run is not None:
                last_run.addnext(element)
                last_run = element
            else:
                p.append(element)
    return True


def _same_text(compared: str, actual: str) -> bool:
    """The compared text is the whole of the paragraph's (spaces, digits and page-number
    fields read by name apart: « {PAGE} » is shown as a number)."""

    def folded(text: str) -> str:
        return re.sub(r"[\s\d]", "", text)

    return folded(_PAGE_FIELD_NAME.sub("", compared)) == folded(actual)


def _wrap_every_run(p: etree._Element, kind: str, ids: _Ids) -> None:
    """A paragraph wholly inserted (moved here): each of its runs wrapped, wherever it is
    (in a hyperlink, a field, a content control), text boxes apart."""
    for run in list(p.iter(_w("r"))):
        parent = run.getparent()
        if parent is None or parent.tag in (_w("ins"), _w("del"), _w("moveTo"), _w("moveFrom")):
            continue
        if any(a.tag in _SKIPPED_SUBTREES for a in run.iterancestors()):
            continue
        wrapper = etree.Element(_w(kind), ids.attrs())
        run.addprevious(wrapper)
        wrapper.append(run)


def _field_result_atoms(p: etree._Element) -> set[int]:
    """id() of the text elements that show a field's result (`w:fldSimple`, or between a
    complex field's `separate` and `end`)."""
    found: set[int] = set()
    depth_in_result: list[bool] = []
    for node in p.iter():
        if node.tag == _w("fldChar"):
            kind = node.get(_w("fldCharType"))
            if kind == "begin":
                depth_in_result.append(False)
            elif kind == "separate" and depth_in_result:
                depth_in_result[-1] = True
            elif kind == "end" and depth_in_result:
                depth_in_result.pop()
        elif node.tag == _w("t"):
            simple = any(a.tag == _w("fldSimple") for a in node.iterancestors())
            if simple or any(depth_in_result):
                found.add(id(node))
    return found


def _rpr_near(element: etree._Element | None) -> etree._Element | None:
    if element is None:
        return None
    run = element if element.tag == _w("r") else element.find(f".//{_w('r')}")
    rpr = run.find(_w("rPr")) if run is not None else None
    return copy.deepcopy(rpr) if rpr is not None else None


def _split_runs(
    p: etree._Element,
    atoms: list[tuple[etree._Element, str]],
    char_kind: list[str],
    cuts: set[int],
    ids: _Ids,
) -> tuple[dict[int, etree._Element], etree._Element | None]:
    """Split the runs holding text at `cuts`, wrap pieces that are not EQUAL.

    Return the element (run or wrapper) that starts at each text position where a piece
    starts, and the last element holding text.
    """
    position_of: dict[int, int] = {}  # id(atom element) → its first character's position
    pos = 0
    for node, text in atoms:
        position_of[id(node)] = pos
        pos += len(text)
    runs: list[etree._Element] = []
    for node, _ in atoms:
        run = node.getparent()
        if run is not None and (not runs or runs[-1] is not run):
            runs.append(run)
    starts: dict[int, etree._Element] = {}
    last: etree._Element | None = None
    for run in runs:
        rpr = run.find(_w("rPr"))
        pieces: list[tuple[str | None, int | None, list[etree._Element]]] = []

        for child in list(run):
            if child is rpr:
                continue
            if id(child) not in position_of:
                if not pieces:
                    pieces.append((None, None, []))
                pieces[-1][2].append(child)
                continue
            start = position_of[id(child)]
            text = child.text or "" if child.tag == _w("t") else "x"
            offset = 0
            while offset < len(text):
                at = start + offset
                end = offset + 1
                while end < len(text) and start + end not in cuts:
                    end += 1
                kind = char_kind[at] if at < len(char_kind) else EQUAL
                piece_el = child
                if child.tag == _w("t"):
                    piece_el = etree.Element(_w("t"))
                    piece_el.text = text[offset:end]
                    piece_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                current = pieces[-1] if pieces else None
                if current is not None and current[0] is None and current[1] is None:
                    pieces[-1] = (kind, at, current[2])  # leading non-text joins the first text
                elif current is None or current[0] != kind or at in cuts:
                    pieces.append((kind, at, []))
                pieces[-1][2].append(piece_el)
                offset = end
        parent = run.getparent()
        assert parent is not None
        index = parent.index(run)
        parent.remove(run)
        for piece_kind, piece_start, children in pieces:
            new_run = etree.Element(_w("r"), dict(run.attrib))
            if rpr is not None:
                new_run.append(copy.deepcopy(rpr))
            for child in children:
                new_run.append(child)
            element = new_run
            if piece_kind not in (None, EQUAL):
                element = etree.Element(_w(str(piece_kind)), ids.attrs())
                element.append(new_run)
            parent.insert(index, element)
            index += 1
            if piece_start is not None:
                starts.setdefault(piece_start, element)
                last = element
    return starts, last


_KEPT_IN_PARAGRAPH = {_w("pPr"), _w("bookmarkStart"), _w("bookmarkEnd")}


def _flatten(target: etree._Element, runs: list[tuple[str, str]], ids: _Ids) -> None:
    """The paragraph's runs replaced by the compared text (when its text cannot be matched).

    Note calls and comment anchors are not text: kept (at the end of the paragraph) so that
    the document's footnotes, endnotes and comments keep their place in the text.
    """
    first_rpr = None
    for run in target.iter(_w("r")):
        if run.find(_w("t")) is not None:
            found = run.find(_w("rPr"))
            first_rpr = copy.deepcopy(found) if found is not None else None
            break
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
    for kind, text in runs:
        pieces = _text_runs(text, kind == DELETED, first_rpr)
        if kind == EQUAL:
            target.extend(pieces)
        else:
            wrapper = etree.SubElement(target, _w(kind), ids.attrs())
            wrapper.extend(pieces)
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
