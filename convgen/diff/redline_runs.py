"""Changes marked on a paragraph's own runs, so that what is not text stays as it was.

The compared text is matched character by character with the paragraph's text; runs are split
where the kind of text changes and only the changed pieces wrapped or added. Fields, hyperlinks,
bookmarks, note calls and drawings are never rewritten. When the texts cannot be matched (a
paragraph whose beginning an older paragraph carries), `_flatten` rewrites the paragraph.
"""

from __future__ import annotations

import copy
import re
from difflib import SequenceMatcher

from lxml import etree

from convgen.diff.redline_xml import (
    _PAGE_FIELD_NAME,
    _SKIPPED_SUBTREES,
    DELETED,
    EQUAL,
    INSERTED,
    MOVE_TO,
    NEW_SIDE,
    _Ids,
    _text_runs,
    _w,
    _wrap_every_run,
)


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
