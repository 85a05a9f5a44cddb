"""Tracked changes outside the body: headers, footers, notes and text boxes of the redline.

The redline's parts are the newer version's (python-docx keeps their names); each changed item
receives its changes in place, as body paragraphs do. A note added is inserted with its call;
a note removed comes back deleted, with a deleted call, the notes numbered again in the order
of their calls.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Sequence

from lxml import etree
from rapidfuzz import fuzz

from convgen.diff import DocumentDiff
from convgen.diff.parts import PartItem
from convgen.diff.redline_inplace import _write_in_place
from convgen.diff.redline_plan import _Builder, _pair, _whole
from convgen.diff.redline_xml import (
    _REL_ATTRS,
    DELETED,
    INSERTED,
    R,
    _flag_mark,
    _Ids,
    _w,
    _wrap_every_run,
)
from convgen.read.extract import (
    MC,
    ZONE_ENDNOTE,
    ZONE_FOOTER,
    ZONE_FOOTNOTE,
    ZONE_HEADER,
    ZONE_TEXTBOX,
    body_paragraph_elements,
    text_boxes_in_order,
)

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
