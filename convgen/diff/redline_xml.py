"""The XML pieces of the Word redline: kinds of change, paragraphs, runs, revision ids.

A compared paragraph is a `_Para`: runs of text, each equal, inserted, deleted or moved, and
the fate of its paragraph mark. `paragraph_xml` writes one from scratch; the other modules
of the redline put changes into the document's own paragraphs.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from convgen.read.extract import (
    PAGE_FIELDS,
    TextBlock,
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


_SKIPPED_SUBTREES = (_w("txbxContent"),)


_PAGE_FIELD_NAME = re.compile(r"\{(?:" + "|".join(PAGE_FIELDS) + r")\}")


_REL_ATTRS = ("id", "embed", "link", "pict")  # r:… attributes pointing into a package
