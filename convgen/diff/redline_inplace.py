"""The redline written into the newer document's own paragraphs.

A paragraph of the newer version keeps its properties and runs and receives its changes; a
paragraph of the older version only is inserted where it stood, as a Word list item again
when it was one, with its own runs from the older package when it is wholly deleted.
"""

from __future__ import annotations

import copy
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lxml import etree

from convgen.diff import DocumentDiff
from convgen.diff.redline_runs import _flatten, _same_text, _text_atoms, track_in_runs
from convgen.diff.redline_xml import (
    _REL_ATTRS,
    DELETED,
    EQUAL,
    INSERTED,
    MOVE_TO,
    OLD_ONLY,
    R,
    _add_move_range,
    _flag_mark,
    _Ids,
    _Para,
    _w,
    _wrap_every_run,
    paragraph_xml,
)
from convgen.diff.revisions import unwrap
from convgen.read.extract import (
    TextBlock,
    body_paragraph_elements,
)


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
            unwrap(tracked)
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
