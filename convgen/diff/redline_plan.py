"""Which paragraphs the Word redline shows, in which order, with which changes.

Articles in output order (`_plan`): what is deleted or moved away where it stood in the older
version, the rest in the newer version's order. Each becomes `_Para`s: a paired article word
by word, an added or removed one whole, a moved one as a move (`w:moveFrom` where it stood,
`w:moveTo` and its new words where it stands).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from convgen.diff import ArticleDiff, DocumentDiff
from convgen.diff.align import Unit
from convgen.diff.redline_xml import DELETED, EQUAL, INSERTED, MOVE_FROM, MOVE_TO, _Para
from convgen.diff.words import Token, diff_tokens, tokenize
from convgen.read.extract import (
    TextBlock,
)


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
