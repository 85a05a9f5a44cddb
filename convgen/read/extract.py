"""Reading the text a person sees in a .docx, .pdf, .txt or .md file.

`read_document(path)` returns a `DocumentText`: the paragraphs in reading order, each with where
it stands (body paragraph index for .docx, page for .pdf, line for text files) and which zone of
the document it belongs to (body, header, footer, footnote, text box). Check and diff work on this
and never open files themselves.

Untrusted files are guarded before they are parsed: a .docx is a zip and can be a bomb; a PDF can
be encrypted or be a scan with no text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree
from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PdfReadError

from convgen.errors import DocumentError
from convgen.read.repeated import BodyPieces, ParagraphMemo, PartsPackage, split_body
from convgen.read.textnorm import fold_spaces
from convgen.read.word_numbering import (
    NumberingDefinitions,
    NumberingState,
    level_index,
    parse_numbering,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"

# Guards for untrusted .docx (a 292 KB bomb took 55 s and 9.9 GB with python-docx).
MAX_MEMBERS = 2000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_PDF_PAGES = 2000

ZONE_BODY = "corps"
ZONE_HEADER = "en-tête"
ZONE_FOOTER = "pied de page"
ZONE_FOOTNOTE = "note de bas de page"
ZONE_ENDNOTE = "note de fin"
ZONE_TEXTBOX = "zone de texte"
ZONE_COMMENT = "commentaire"  # read only when asked (`comparison=True`): check ignores comments

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Fields whose cached result depends on where the text falls on the page: the same header
# says « Page 1 » in one file and « Page 3 » in the other depending on when it was saved.
PAGE_FIELDS = ("PAGE", "NUMPAGES", "SECTIONPAGES")

# What a .docx is read from: the file's zip, or its parts in memory before they are zipped.
Package = zipfile.ZipFile | PartsPackage


@dataclass
class TextBlock:
    """One paragraph as a reader sees it, with where it stands in its file."""

    text: str
    zone: str = ZONE_BODY
    paragraph: int | None = None  # .docx: 1-based among body paragraphs, table cells included
    page: int | None = None  # .pdf: 1-based page
    line: int | None = None  # .txt/.md: 1-based first line
    style: str | None = None  # .docx: style name ("Heading 1", "List Bullet"...)
    outline_level: int | None = None  # .docx: 0 for "Heading 1"-like paragraphs, else None
    in_table: bool = False
    # .docx: the Word list and level that number the paragraph ("0/1": abstract list 0, level 1)
    list_level: str | None = None
    table_row: tuple[int, int] | None = None  # .docx: (table, row), both counted from 1 and 0
    number_label: str = ""  # .docx: the label Word draws before the text ("Article 3 "), if any
    # .docx: where the paragraph stands in the package, for diff and the redline
    part: str = ""  # the package part: "word/document.xml", "word/header1.xml"…
    # Which item of its zone: header/footer "section:type" ("1:default"), note and comment
    # w:id, text box ordinal in reading order ("1").
    item: str = ""
    part_paragraph: int | None = None  # 1-based among the paragraphs of its item, as
    #                                  `body_paragraph_elements` lists them
    note_number: int | None = None  # footnotes/endnotes: the number Word prints
    called_from: int | None = None  # notes, comments: the body paragraph that calls them
    author: str = ""  # comments: w:author
    box_in_part: int | None = None  # text boxes: 1-based among the boxes of its part


@dataclass
class DocumentText:
    """All the visible text of one document, in reading order."""

    path: Path
    kind: str  # "docx" | "pdf" | "txt"
    blocks: list[TextBlock] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)

    def body(self) -> list[TextBlock]:
        return [b for b in self.blocks if b.zone == ZONE_BODY]

    def text(self) -> str:
        """Body text, one paragraph per line."""
        return "\n".join(b.text for b in self.body())


def read_document(path: Path | str, comparison: bool = False) -> DocumentText:
    """Read any supported document; raise `DocumentError` with a French message if unreadable.

    `comparison=True` reads what `convgen diff` compares beyond what check reads: Word
    comments (zone `ZONE_COMMENT`), and page-number fields as their name (« {PAGE} ») rather
    than the number cached when the file was last saved.
    """
    p = Path(path)
    if not p.exists():
        raise DocumentError(f"{p}: fichier introuvable")
    if p.is_dir():
        raise DocumentError(f"{p}: est un dossier, pas un document")
    if not p.is_file():  # a named pipe or a device would block the read, or never end
        raise DocumentError(f"{p}: n'est pas un fichier ordinaire (tube nommé, périphérique…)")
    suffix = p.suffix.lower()
    if suffix == ".docx":
        return read_docx(p, comparison=comparison)
    if suffix == ".pdf":
        return read_pdf(p)
    if suffix in (".txt", ".md", ".text", ".markdown"):
        return read_text(p)
    raise DocumentError(
        f"{p}: format non pris en charge ({suffix or 'sans extension'}) ; "
        "formats acceptés : .docx, .pdf, .txt, .md"
    )


# --------------------------------------------------------------------------- text files


def read_text(path: Path) -> DocumentText:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = raw.decode("cp1252", errors="replace")
    doc = DocumentText(path, "txt")
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            doc.blocks.append(TextBlock(line.rstrip(), line=number))
    return doc


# --------------------------------------------------------------------------- docx


def open_docx_zip(path: Path) -> zipfile.ZipFile:
    """Open a .docx as a zip after checking it is not a bomb; raise `DocumentError` otherwise."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(
            f"{path}: fichier .docx illisible (archive corrompue ou pas un document Word)"
        ) from exc
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise DocumentError(f"{path}: refusé : l'archive contient {len(infos)} éléments")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise DocumentError(
            f"{path}: refusé : contenu décompressé de {total // (1024 * 1024)} Mo "
            "(archive piégée « zip bomb » ?)"
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DocumentError(
                f"{path}: refusé : taux de compression anormal pour {info.filename} "
                "(archive piégée « zip bomb » ?)"
            )
    if "word/document.xml" not in archive.namelist():
        raise DocumentError(f"{path}: pas un document Word (word/document.xml absent)")
    return archive


def _parse_xml(archive: Package, name: str, path: Path) -> etree._Element:
    # Entities declared in the part itself are text Word shows (« &marque; »); entities that
    # point outside it (files, URLs: XXE) are never loaded. libxml2's limits (huge_tree off)
    # bound their expansion.
    parser = etree.XMLParser(resolve_entities="internal", no_network=True, huge_tree=False)
    try:
        return etree.fromstring(archive.read(name), parser)
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(f"{path}: partie {name} illisible ({exc})") from exc


class _Shape(NamedTuple):
    """A paragraph as read before its place is known: the same XML always reads the same."""

    text: str  # without the numbering label
    style: str | None
    outline_level: int | None
    num_id: str | None
    ilvl: int


class _Numbering:
    """The labels Word draws for numbered paragraphs (see `convgen.read.word_numbering`)."""

    def __init__(self, defs: NumberingDefinitions, styles: _Styles) -> None:
        self.styles = styles
        self.defs = defs
        self.state = NumberingState(defs)

    def label_of(self, num_id: str | None, ilvl: int) -> tuple[str, str | None]:
        """The label drawn and the list level ("abstract/level") of the next paragraph of
        list `num_id` at level `ilvl` (see `list_of`)."""
        label = self.state.label(num_id, ilvl)
        if not num_id or num_id not in self.defs.instances:
            return label, None
        return label, f"{self.defs.instances[num_id].abstract}/{ilvl}"

    def list_of(
        self, p: etree._Element, style_id: str | None, ppr: etree._Element | None = None
    ) -> tuple[str | None, int]:
        """(numId, level) of a paragraph: its own numPr over its style's."""
        style_num, style_lvl = self.styles.numbering_of(style_id) if style_id else (None, None)
        if ppr is None:
            ppr = p.find(_PPR)
        numpr = ppr.find(_NUMPR) if ppr is not None else None
        own_num = own_lvl = None
        if numpr is not None:
            own_num = _val(numpr.find(_NUMID))
            raw_lvl = _val(numpr.find(_ILVL))
            own_lvl = _level(raw_lvl) if raw_lvl is not None else None
        num_id = own_num if own_num is not None else style_num
        if not num_id or num_id == "0":
            return None, 0
        ilvl = own_lvl if own_lvl is not None else style_lvl
        if ilvl is None and style_id:
            ilvl = self.defs.level_of_style(num_id, style_id)
        return num_id, ilvl or 0


def _int(value: str | None, default: int) -> int:
    """An integer attribute of untrusted XML; `default` when absent or malformed."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(value: str | None) -> int:
    return level_index(value)


def _val(el: etree._Element | None) -> str | None:
    return None if el is None else el.get(f"{_W}val")


class _Styles:
    def __init__(self, styles: etree._Element | None) -> None:
        self.names: dict[str, str] = {}
        self.outline: dict[str, int] = {}
        self.numpr: dict[str, tuple[str | None, int | None]] = {}
        self.based_on: dict[str, str] = {}
        if styles is None:
            return
        for st in styles.iter(f"{_W}style"):
            sid = st.get(f"{_W}styleId", "")
            name = _val(st.find(f"{_W}name")) or sid
            self.names[sid] = name
            based = _val(st.find(f"{_W}basedOn"))
            if based:
                self.based_on[sid] = based
            lvl = _val(st.find(f"{_W}pPr/{_W}outlineLvl"))
            if lvl is not None:
                self.outline[sid] = _int(lvl, 9)
            else:
                m = re.fullmatch(r"(?i)(heading|titre)\s*(\d)", name)
                if m:
                    self.outline[sid] = int(m.group(2)) - 1
            numpr = st.find(f"{_W}pPr/{_W}numPr")
            if numpr is not None:
                raw_lvl = _val(numpr.find(f"{_W}ilvl"))
                self.numpr[sid] = (
                    _val(numpr.find(f"{_W}numId")),
                    _level(raw_lvl) if raw_lvl is not None else None,
                )

    def numbering_of(self, sid: str) -> tuple[str | None, int | None]:
        """(numId, level or None) of a style, through `w:basedOn`."""
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            if sid in self.numpr:
                return self.numpr[sid]
            sid = self.based_on.get(sid, "")
        return None, None


def _page_field(instr: str) -> str | None:
    """ "PAGE" for a field code « PAGE \\* Arabic », None for fields that are not page numbers."""
    words = instr.split()
    name = words[0].upper() if words else ""
    return name if name in PAGE_FIELDS else None


# Tags and paths of the paragraph walk, built once (an f-string per node was a measurable part
# of reading a convention).
_PPR, _PSTYLE, _OUTLINE = f"{_W}pPr", f"{_W}pStyle", f"{_W}outlineLvl"
_NUMPR, _NUMID, _ILVL = f"{_W}numPr", f"{_W}numId", f"{_W}ilvl"
_T, _TAB, _BR, _CR, _R = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}r"
_NO_BREAK_HYPHEN, _SYM, _TXBX = f"{_W}noBreakHyphen", f"{_W}sym", f"{_W}txbxContent"
_FLD_SIMPLE, _FLD_CHAR, _INSTR = f"{_W}fldSimple", f"{_W}fldChar", f"{_W}instrText"


def _run_text(el: etree._Element, page_fields: bool = False) -> str:
    """Visible text of a run-level subtree (text boxes excluded, deleted text excluded).

    `page_fields`: the result of a page-number field is read as its name (« {PAGE} »).
    """
    parts: list[str] = []
    fields: list[list[Any]] = []  # open complex fields: [code, in result, page field name]
    hidden: list[etree._Element] = []  # simple page fields, read as their name
    boxes = next(el.iter(_TXBX), None) is not None  # else no text can be inside one
    for node in el.iter():
        tag = node.tag
        if tag == _TXBX:
            continue
        if page_fields:
            if tag == _FLD_SIMPLE:
                name = _page_field(node.get(f"{_W}instr", ""))
                if name:
                    parts.append("{" + name + "}")
                    hidden.append(node)
                continue
            if tag == _FLD_CHAR:
                kind = node.get(f"{_W}fldCharType")
                if kind == "begin":
                    fields.append(["", False, None])
                elif kind == "separate" and fields:
                    fields[-1][1] = True
                    fields[-1][2] = _page_field(fields[-1][0])
                    if fields[-1][2] and not _in_page_result(fields[:-1]):
                        parts.append("{" + fields[-1][2] + "}")
                elif kind == "end" and fields:
                    fields.pop()
                continue
            if tag == _INSTR and fields and not fields[-1][1]:
                fields[-1][0] += node.text or ""
                continue
            if _in_page_result(fields) or any(_under(node, h) for h in hidden):
                continue
        if tag == _T:
            if boxes and _inside(node, _TXBX, el):
                continue
            parts.append(node.text or "")
        elif tag == _TAB:
            if node.getparent() is not None and node.getparent().tag == _R:
                parts.append("\t")
        elif tag in (_BR, _CR):
            if not (boxes and _inside(node, _TXBX, el)):
                parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("\u2011")
        elif tag == _SYM:
            parts.append("")
    return "".join(parts)


def _in_page_result(fields: list[list[Any]]) -> bool:
    return any(f[1] and f[2] for f in fields)


def _under(node: etree._Element, ancestor: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def _inside(node: etree._Element, tag: str, stop: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


_PARTS: dict[tuple[str, int, int], Any] = {}


def _cached_part(
    archive: Package, name: str, path: Path, parse: Callable[[etree._Element | None], Any]
) -> Any:
    """Parse a shared part (styles, numbering) once per distinct content.

    Documents made from one model share the same large styles.xml: parsing it for every file
    was most of the time of checking a thousand conventions. The key is the member's CRC and
    size, so a different styles.xml is parsed anew.
    """
    if name not in archive.NameToInfo:
        return parse(None)
    info = archive.getinfo(name)
    key = (name, info.CRC, info.file_size)
    if key not in _PARTS:
        if len(_PARTS) > 64:
            _PARTS.clear()
        _PARTS[key] = parse(_parse_xml(archive, name, path))
    return _PARTS[key]


class _DocxReader:
    def __init__(
        self,
        path: Path,
        archive: Package,
        comparison: bool = False,
        memo: ParagraphMemo | None = None,
    ) -> None:
        self.path = path
        self.archive = archive
        self.comparison = comparison
        self.memo = memo
        self.styles: _Styles = _cached_part(archive, "word/styles.xml", path, _Styles)
        defs = _cached_part(archive, "word/numbering.xml", path, parse_numbering)
        self.numbering = _Numbering(defs, self.styles)
        self.blocks: list[TextBlock] = []
        self.body_index = 0
        self.tables = 0
        self.cell: tuple[int, int] | None = None  # (table, row) of the cell being read
        # Where the paragraphs being read stand: part, item, paragraphs of the item so far.
        self.part = "word/document.xml"
        self.item = ""
        self.item_paragraphs = 0
        self.note_number: int | None = None
        self.called_from: int | None = None
        self.author = ""
        self.text_boxes = 0
        self.boxes_in_part = 0
        self.box_part = self.part  # the part whose boxes `boxes_in_part` counts
        self.box: int | None = None

    def shape(self, p: etree._Element) -> _Shape:
        """What a paragraph reads as wherever it stands (its numbering label apart)."""
        ppr = p.find(_PPR)
        sid = _val(ppr.find(_PSTYLE)) if ppr is not None else None
        num_id, ilvl = self.numbering.list_of(p, sid, ppr)
        level = None
        olvl = _val(ppr.find(_OUTLINE)) if ppr is not None else None
        if olvl is not None:
            level = _int(olvl, 9)
        elif sid and sid in self.styles.outline:
            level = self.styles.outline[sid]
        return _Shape(
            _run_text(p, page_fields=self.comparison),
            self.styles.names.get(sid, sid) if sid else None,
            level if level is not None and level < 9 else None,
            num_id,
            ilvl,
        )

    def paragraph(self, p: etree._Element, zone: str, in_table: bool) -> None:
        self.emit(self.shape(p), zone, in_table)
        if next(p.iter(_TXBX), None) is not None:
            for box in text_boxes(p):
                self.text_box(box)

    def emit(self, shape: _Shape, zone: str, in_table: bool) -> None:
        """The paragraph `shape` as the next block, numbered where it stands."""
        label, list_level = self.numbering.label_of(shape.num_id, shape.ilvl)
        self.item_paragraphs += 1
        block = TextBlock(
            text=label + shape.text,
            zone=zone,
            style=shape.style,
            outline_level=shape.outline_level,
            in_table=in_table,
            list_level=list_level,
            table_row=self.cell if in_table else None,
            number_label=label,
            part=self.part,
            item=self.item,
            part_paragraph=self.item_paragraphs,
            note_number=self.note_number,
            called_from=self.called_from,
            author=self.author,
            box_in_part=self.box if zone == ZONE_TEXTBOX else None,
        )
        if zone == ZONE_BODY:
            self.body_index += 1
            block.paragraph = self.body_index
        self.blocks.append(block)

    def text_box(self, box: etree._Element) -> None:
        """A text box's paragraphs, each counted among the box's own."""
        saved = (self.item, self.item_paragraphs, self.cell, self.box)
        self.text_boxes += 1
        self.boxes_in_part += 1
        self.item, self.item_paragraphs, self.cell = str(self.text_boxes), 0, None
        self.box = self.boxes_in_part
        self.container(box, ZONE_TEXTBOX, False)
        self.item, self.item_paragraphs, self.cell, self.box = saved

    def container(self, el: etree._Element, zone: str, in_table: bool) -> None:
        for child in el:
            if child.tag == f"{_W}p":
                self.paragraph(child, zone, in_table)
            elif child.tag == f"{_W}tbl":
                self.tables += 1
                table, rows = self.tables, -1
                outer = self.cell
                last_row: etree._Element | None = None
                for cell in child.iter(f"{_W}tc"):
                    if _inside(cell, f"{_W}tbl", child):
                        continue  # nested tables are read through their cell
                    row = cell.getparent()
                    if row is not last_row:
                        rows, last_row = rows + 1, row
                    self.cell = (table, rows)
                    self.container(cell, zone, True)
                self.cell = outer
            elif child.tag in (f"{_W}sdt",):
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.container(content, zone, in_table)
            elif child.tag in (f"{_W}ins", f"{_W}customXml", f"{_W}smartTag"):
                self.container(child, zone, in_table)

    def item_container(self, el: etree._Element, zone: str, part: str, item: str) -> None:
        """Read one item (a header part, a note, a comment) with its own paragraph count."""
        if part != self.box_part:
            self.boxes_in_part, self.box_part = 0, part
        self.part, self.item, self.item_paragraphs = part, item, 0
        self.container(el, zone, False)
        self.part, self.item, self.item_paragraphs = "word/document.xml", "", 0
        self.note_number = None
        self.called_from = None
        self.author = ""

    def read_pieces(self, cut: BodyPieces) -> etree._Element | None:
        """Read the body piece by piece (see `convgen.read.repeated`), each distinct paragraph
        once per memo; the root to look for section properties in, or None if a piece does not
        parse on its own (the document must then be read in full)."""
        assert self.memo is not None
        memo = self.memo
        memo.use(self.styles, self.numbering.defs, self.comparison, head=cut.head)
        sections = []
        for piece in cut.pieces:
            if b"sectPr" in piece:
                sections.append(piece)
            plain = piece.startswith(b"<w:p") and b"txbxContent" not in piece
            known = memo.shapes.get(piece) if plain else memo.trees.get(piece)
            if known is None:
                body = _parse_piece(cut.wrap(piece))
                if body is None:
                    return None
                if plain and (
                    len(body) != 1 or body[0].tag != f"{_W}p" or (body[0].tail or "").strip()
                ):
                    return None
                # A paragraph is kept as what it reads as; anything else (a table) as its tree,
                # read again where it stands (its cells are counted in the document's tables).
                if plain:
                    known = self.shape(body[0])
                    memo.shapes.put(piece, known)
                else:
                    known = body
                    memo.trees.put(piece, known)
            if plain:
                self.emit(known, ZONE_BODY, False)
            else:
                self.container(known, ZONE_BODY, False)
        joined = b"".join(sections)
        root = memo.trees.get(b"\0" + joined)
        if root is None:
            root = _parse_piece(cut.wrap(joined), root=True)
            if root is not None:
                memo.trees.put(b"\0" + joined, root)
        return root

    def read(self) -> DocumentText:
        doc = DocumentText(self.path, "docx")
        cut = None
        if self.memo is not None and not self.comparison:
            cut = split_body(self.archive.read("word/document.xml"))
        root = self.read_pieces(cut) if cut is not None else None
        if cut is not None and root is None:  # a piece that is not XML on its own
            return _DocxReader(self.path, self.archive, self.comparison).read()
        if root is None:
            root = _parse_xml(self.archive, "word/document.xml", self.path)
            body = root.find(f"{_W}body")
            if body is not None:
                self.container(body, ZONE_BODY, False)
        else:
            body = root.find(f"{_W}body")
        names = sorted(self.archive.namelist())
        sections = _header_footer_references(root, self.archive, self.path)
        note_numbers = {
            kind: _note_numbers(root, kind) for kind in ("footnoteReference", "endnoteReference")
        }
        calls = _calls(body) if body is not None else {}
        for name in names:
            zone = None
            if re.fullmatch(r"word/header\d*\.xml", name):
                zone = ZONE_HEADER
            elif re.fullmatch(r"word/footer\d*\.xml", name):
                zone = ZONE_FOOTER
            elif name == "word/footnotes.xml":
                zone = ZONE_FOOTNOTE
            elif name == "word/endnotes.xml":
                zone = ZONE_ENDNOTE
            elif name == "word/comments.xml" and self.comparison:
                zone = ZONE_COMMENT
            if zone is None:
                continue
            part = _parse_xml(self.archive, name, self.path)
            if zone in (ZONE_FOOTNOTE, ZONE_ENDNOTE):
                numbers = note_numbers[
                    "footnoteReference" if zone == ZONE_FOOTNOTE else "endnoteReference"
                ]
                for note in part:
                    if note.get(f"{_W}type") in ("separator", "continuationSeparator"):
                        continue
                    note_id = note.get(f"{_W}id", "")
                    self.note_number = numbers.get(note_id)
                    self.called_from = calls.get((zone, note_id))
                    self.item_container(note, zone, name, note_id)
            elif zone == ZONE_COMMENT:
                for comment in part.iter(f"{_W}comment"):
                    self.author = comment.get(f"{_W}author", "")
                    self.called_from = calls.get((zone, comment.get(f"{_W}id", "")))
                    self.item_container(comment, zone, name, comment.get(f"{_W}id", ""))
            else:
                self.item_container(part, zone, name, sections.get(name, name))
        doc.blocks = self.blocks
        doc.properties = _core_properties(self.archive, self.path)
        return doc


def _parse_piece(data: bytes, root: bool = False) -> etree._Element | None:
    """The `w:body` (or, with `root`, the document) of a wrapped piece; None if not XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        document = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    body = document.find(f"{_W}body")
    if body is None or (body.text or "").strip():
        return None
    return document if root else body


def text_boxes(p: etree._Element) -> list[etree._Element]:
    """The text boxes (`w:txbxContent`) drawn in a paragraph, each once.

    Word writes a text box twice: as a DrawingML shape in `mc:Choice` and as a VML shape in
    `mc:Fallback`, for older readers; only the first is a text a reader sees. Boxes nested in
    a box are read with their outer box.
    """
    found = []
    for box in p.iter(f"{_W}txbxContent"):
        if _inside(box, f"{_W}txbxContent", p) or _inside(box, f"{{{MC}}}Fallback", p):
            continue
        found.append(box)
    return found


def text_boxes_in_order(root: etree._Element) -> list[etree._Element]:
    """The text boxes of a part (its root element), in the order `read_docx` numbers them
    (`TextBlock.box_in_part`): paragraph by paragraph, a box's own boxes after it."""
    found: list[etree._Element] = []

    def visit(container: etree._Element) -> None:
        for p in body_paragraph_elements(container):
            for box in text_boxes(p):
                found.append(box)
                visit(box)

    if root.tag == f"{_W}document":
        body = root.find(f"{_W}body")
        if body is not None:
            visit(body)
    elif root.tag in (f"{_W}footnotes", f"{_W}endnotes", f"{_W}comments"):
        for item in root:
            visit(item)
    else:
        visit(root)
    return found


def _header_footer_references(root: etree._Element, archive: Package, path: Path) -> dict[str, str]:
    """Header and footer parts → "section:type" of the first section that shows them.

    Sections are counted from 1 in document order; the type is Word's `default`, `first` or
    `even`. A part no section refers to is not listed.
    """
    rels_name = "word/_rels/document.xml.rels"
    if rels_name not in archive.namelist():
        return {}
    rels = _parse_xml(archive, rels_name, path)
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        targets[rel.get("Id", "")] = (
            target.lstrip("/") if target.startswith("/") else f"word/{target}"
        )
    found: dict[str, str] = {}
    for number, sect in enumerate(root.iter(f"{_W}sectPr"), start=1):
        for ref in sect:
            if ref.tag not in (f"{_W}headerReference", f"{_W}footerReference"):
                continue
            name = targets.get(ref.get(f"{{{R}}}id", ""))
            if name:
                found.setdefault(name, f"{number}:{ref.get(f'{_W}type', 'default')}")
    return found


def _calls(body: etree._Element) -> dict[tuple[str, str], int]:
    """(zone, w:id) of each note and comment → the body paragraph (1-based, as
    `TextBlock.paragraph`) where it is first called or anchored."""
    tags = {
        f"{_W}footnoteReference": ZONE_FOOTNOTE,
        f"{_W}endnoteReference": ZONE_ENDNOTE,
        f"{_W}commentReference": ZONE_COMMENT,
        f"{_W}commentRangeStart": ZONE_COMMENT,
    }
    found: dict[tuple[str, str], int] = {}
    if next(body.iter(*tags), None) is None:
        return found  # no note, no comment: no paragraph to number
    for index, p in enumerate(body_paragraph_elements(body), start=1):
        for ref in p.iter(*tags):
            found.setdefault((tags[ref.tag], ref.get(f"{_W}id", "")), index)
    return found


def _note_numbers(root: etree._Element, reference: str) -> dict[str, int]:
    """Note w:id → the number Word prints: notes are numbered in the order they are called."""
    numbers: dict[str, int] = {}
    for ref in root.iter(f"{_W}{reference}"):
        if ref.get(f"{_W}customMarkFollows") in ("1", "true"):
            continue
        numbers.setdefault(ref.get(f"{_W}id", ""), len(numbers) + 1)
    return numbers


def body_paragraph_elements(body: etree._Element) -> list[etree._Element]:
    """The `w:p` elements of a body in the order `read_docx` numbers its body paragraphs.

    `TextBlock.paragraph` is a 1-based index into this list (the redline edits the newer
    document's own paragraphs through it).
    """
    found: list[etree._Element] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            if child.tag == f"{_W}p":
                found.append(child)
            elif child.tag == f"{_W}tbl":
                for cell in child.iter(f"{_W}tc"):
                    if not _inside(cell, f"{_W}tbl", child):
                        walk(cell)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    walk(content)
            elif child.tag in (f"{_W}ins", f"{_W}customXml", f"{_W}smartTag"):
                walk(child)

    walk(body)
    return found


def _core_properties(archive: Package, path: Path) -> dict[str, str]:
    props: dict[str, str] = {}
    for name in ("docProps/core.xml", "docProps/custom.xml"):
        if name not in archive.namelist():
            continue
        root = _parse_xml(archive, name, path)
        for el in root:
            local = etree.QName(el).localname
            if local == "property":
                key = el.get("name", "")
                props[key] = "".join(el.itertext())
            else:
                props[local] = el.text or ""
    return props


def read_docx(path: Path, comparison: bool = False) -> DocumentText:
    """Read a .docx (see `read_document` for `comparison`)."""
    archive = open_docx_zip(path)
    with archive:
        return _DocxReader(path, archive, comparison).read()


def read_parts(package: PartsPackage, path: Path, memo: ParagraphMemo) -> DocumentText:
    """Read a document about to be written at `path`, from its parts in memory, the paragraphs
    already in `memo` not parsed again (see `convgen.read.repeated`). The same text as
    `read_docx(path)` once the parts are zipped there."""
    if "word/document.xml" not in package.parts:
        raise DocumentError(f"{path}: pas un document Word (word/document.xml absent)")
    return _DocxReader(path, package, memo=memo).read()


# --------------------------------------------------------------------------- pdf

# Bullets drawn with the Symbol font come out of PDFs as private-use characters (U+F0B7...).
_BULLET_START = re.compile(r"^\s*([-–•·▪●◦*\uf000-\uf0ff]|\d+[.)]\s|[a-z][.)]\s)")
_HEADING_START = re.compile(r"^\s*(article|art\.|annexe|préambule|preambule)\b", re.IGNORECASE)
_PARA_END = re.compile(r"[.;:!?»)]\s*$")


def read_pdf(path: Path) -> DocumentText:
    """Read every page of a PDF; lines are joined back into paragraphs (with dehyphenation)."""

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise DocumentError(f"{path}: PDF chiffré, lecture impossible") from exc
            if not ok:
                raise DocumentError(f"{path}: PDF protégé par un mot de passe, lecture impossible")
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise DocumentError(f"{path}: refusé : {len(pages)} pages")
        doc = DocumentText(path, "pdf")
        page_lines = [(page.extract_text() or "").splitlines() for page in pages]
        headers, footers = _running_lines(page_lines)
        for number, lines in enumerate(page_lines, start=1):
            body = list(lines)
            while body and _page_key(body[0]) in headers:
                doc.blocks.append(
                    TextBlock(fold_spaces(body.pop(0)).strip(), ZONE_HEADER, page=number)
                )
            tail: list[TextBlock] = []
            while body and _page_key(body[-1]) in footers:
                tail.insert(0, TextBlock(fold_spaces(body.pop()).strip(), ZONE_FOOTER, page=number))
            for para in _pdf_paragraphs("\n".join(body)):
                doc.blocks.append(TextBlock(para, page=number))
            doc.blocks.extend(tail)
        if reader.metadata:
            for key, value in reader.metadata.items():
                doc.properties[key.lstrip("/")] = str(value)
    except DocumentError:
        raise
    except LimitReachedError as exc:
        raise DocumentError(
            f"{path}: refusé : un flux du PDF dépasse la taille admise une fois décompressé"
            " (PDF piégé ?)"
        ) from exc
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise DocumentError(f"{path}: PDF illisible ou corrompu ({exc})") from exc
    if not any(b.text.strip() for b in doc.blocks):
        raise DocumentError(
            f"{path}: le PDF ne contient aucun texte (document numérisé ?) : "
            "passez-le d'abord à la reconnaissance de caractères (OCR)"
        )
    return doc


def _page_key(line: str) -> str:
    """The identity of a page line: short lines with their numbers blanked ("Page 2 sur 5"
    and "Page 3 sur 5" are the same line), longer ones as written (headings that differ
    only by their number, "Article 2 : Titre 2", are not one repeated line)."""
    text = fold_spaces(line).strip()
    return re.sub(r"\d+", "#", text) if len(text.split()) <= 6 else text


def _running_lines(page_lines: list[list[str]]) -> tuple[set[str], set[str]]:
    """Running headers and footers: lines that open or close most pages of the document.

    A PDF has no header/footer zones: Word's running header ("Convention … – Poitiers") and
    footer ("Page 2 sur 5") come out as the first and last lines of every page, and would
    otherwise be read as body text in the middle of an article. Only the very first and last
    lines are candidates; a second line counts only below (above) a running one.
    """
    if len(page_lines) < 2:
        return set(), set()
    threshold = max(2, (len(page_lines) + 1) // 2)
    pages = [[line for line in lines if line.strip()] for lines in page_lines]

    def frequent(keys: list[str]) -> set[str]:
        counts: dict[str, int] = {}
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        return {key for key, n in counts.items() if n >= threshold}

    found: list[set[str]] = []
    for first, second in ((0, 1), (-1, -2)):
        outer = frequent([_page_key(p[first]) for p in pages if p])
        inner = frequent(
            [
                fold_spaces(p[second]).strip()
                for p in pages
                if len(p) > 2 and _page_key(p[first]) in outer
            ]
        )
        found.append(outer | inner)
    return found[0], found[1]


def _pdf_paragraphs(text: str) -> list[str]:
    """Join the visual lines of one page back into paragraphs.

    A line starts a new paragraph when the previous one ends a sentence, when the previous one
    is short (a line inside a paragraph fills the width: a short one ends a title such as
    "6.1 Durée" or "1) L'organisme"), or when it starts with a bullet or a heading word
    ("Article", "Annexe"). A heading stays alone, except that a long heading wrapped onto a
    next line starting in lower case ("... résiliation de cette" / "convention") is rejoined.
    """
    lines = [fold_spaces(line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    width = max((len(line) for line in lines), default=0)
    short = 0.6 * width
    paras: list[str] = []
    current = ""
    last_len = 0
    heading_open = False
    for line in lines:
        if heading_open:
            heading_open = False
            if last_len >= short and line[:1].islower():
                paras[-1] = paras[-1] + " " + line
                last_len = len(line)
                continue
        heading = bool(_HEADING_START.match(line))
        if current.endswith("-") and current[-2:-1].isalnum() and not heading:
            # A line never ends a paragraph on a hyphen, however short (narrow table cells).
            last_word = current.rsplit(" ", 1)[-1]
            first_word = line.split(" ", 1)[0]
            if any(c in last_word + first_word for c in "@/") or "." in last_word:
                current = current + line  # an e-mail or address broken at its own hyphen
            elif line[:1].islower():
                current = current[:-1] + line  # word hyphenation: "parte-" / "naires"
            else:
                current = current + line  # a compound broken at its hyphen: "Rhône-" / "Alpes"
            last_len = len(line)
            continue
        if current[-1:].isalnum() and line[:1] == "-" and line[1:2].isalnum() and not heading:
            current = current + line  # broken before its hyphen: "…@ccas" / "-calais.fr"
            last_len = len(line)
            continue
        if (
            current
            and not heading
            and not _BULLET_START.match(line)
            and not _PARA_END.search(current)
            and last_len >= short
        ):
            if current.endswith("-") and line[:1].islower():
                current = current[:-1] + line
            elif current.endswith("-") and current[-2:-1].isalpha() and line[:1].isupper():
                current = current + line  # a compound broken at its hyphen: "Rhône-" / "Alpes"
            else:
                current = current + " " + line
            last_len = len(line)
            continue
        if current:
            paras.append(current)
        current = line
        last_len = len(line)
        if heading:
            paras.append(current)
            current = ""
            heading_open = True
    if current:
        paras.append(current)
    return paras
