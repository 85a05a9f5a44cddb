"""Editing an instance file in place: ruamel.yaml round trip, only the touched values change.

The file stays the source of truth and stays readable: comments, blank lines, key order and
quoting of the values the user did not touch are kept (ruamel.yaml's round-trip mode). Every
scalar is read and written as a string, as convgen's strict loader reads it (`convgen.load.yamlload`):
ruamel's resolver is replaced so that `01000`, `NO` or `2025-03-17` are neither converted on
reading nor quoted on writing; a value YAML would misread (`a: b # c`, `null`) is quoted.
"""

from __future__ import annotations

import copy
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tag import Tag
from ruamel.yaml.tokens import CommentToken

from convgen.load.yamlload import Path_

_NULLS = {"", "~", "null", "Null", "NULL"}  # the strict loader's empty values


class _StringResolver(VersionedResolver):
    """Plain scalars are strings, or null when empty: no int, bool, float or date."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            suffix = "null" if value in _NULLS else "str"
            return Tag(suffix=f"tag:yaml.org,2002:{suffix}")
        return super().resolve(kind, value, implicit)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Resolver = _StringResolver
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value written on one line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


Value = str | list[Any] | dict[str, Any] | None
OrderOf = Callable[[Path_], list[str]]


class EditError(ValueError):
    """Raised when the file cannot be edited as a mapping (the strict loader said why)."""


def load_roundtrip(text: str) -> CommentedMap:
    try:
        data = _yaml().load(text)
    except YAMLError as exc:  # the strict loader reports it with its line first
        raise EditError(str(exc)) from exc
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise EditError("le fichier doit contenir des clés: valeurs")
    return data


def dump_roundtrip(data: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


class ParsedTexts:
    """The round-trip trees of the last few texts, each parsed once and copied for an edit.

    Parsing is two thirds of an edit's cost (6.7 ms of 10.3 ms for a 90-line instance, against
    1.3 ms for a deep copy), and while a user types every edit starts from the same saved file.
    The cached trees are never handed out: `tree` returns a copy the caller may change.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._trees: OrderedDict[str, _Parsed] = OrderedDict()
        self._lock = threading.Lock()

    def tree(self, text: str) -> CommentedMap:
        return copy.deepcopy(self._parsed(text).tree)

    def _parsed(self, text: str) -> _Parsed:
        with self._lock:
            cached = self._trees.get(text)
            if cached is not None:
                self._trees.move_to_end(text)
                return cached
        parsed = _Parsed(load_roundtrip(text))  # EditError is not cached: the file is reported
        with self._lock:
            self._trees[text] = parsed
            while len(self._trees) > self.size:
                self._trees.popitem(last=False)
        return parsed

    def quick_edit(self, text: str, changes: dict[Path_, Value]) -> str | None:
        """`text` with `changes` as `apply_changes` writes them, or None when it cannot tell.

        Only for values typed over existing one-line values (what the preview asks for at each
        key stroke): each new value, as ruamel writes it, replaces the old one in the text that
        ruamel writes for the unchanged file, and a comment after it keeps its column as ruamel
        keeps it (one space at least). No line is added or removed: the text is the one
        `apply_changes` would save (the tests compare them byte for byte). A removed key, a
        list, a new key or a multi-line value: None (use `apply_changes`).
        """
        parsed = self._parsed(text)
        spans = parsed.spans()
        edits: list[tuple[int, int, str]] = []
        for path, value in changes.items():
            span = spans.get(path)
            if span is None or not isinstance(value, str) or not _one_line(value):
                return None
            try:
                old = _get(parsed.tree, path)
            except (KeyError, TypeError):
                return None
            written = _scalar_as_written(old, value)
            if written is None:
                return None
            if span.comment_column is not None:
                end_column = span.column + len(written)
                written += " " * max(1, span.comment_column - end_column)
            edits.append((span.start, span.end, written))
        out = parsed.dumped()
        for start, end, written in sorted(edits, reverse=True):
            out = out[:start] + written + out[end:]
        return out


class _Parsed:
    """A file's round-trip tree, the text ruamel writes for it, and where each of its one-line
    scalar values stands in that text (computed on first use)."""

    def __init__(self, tree: CommentedMap) -> None:
        self.tree = tree
        self._dumped: str | None = None
        self._spans: dict[Path_, _Span] | None = None

    def dumped(self) -> str:
        if self._dumped is None:
            self._dumped = dump_roundtrip(copy.deepcopy(self.tree))
        return self._dumped

    def spans(self) -> dict[Path_, _Span]:
        if self._spans is None:
            spans: dict[Path_, _Span] = {}
            text = self.dumped()
            try:
                root = _yaml().compose(text)
            except YAMLError:
                root = None
            if root is not None:
                _collect_spans(text, root, (), spans)
            self._spans = spans
        return self._spans


@dataclass(frozen=True)
class _Span:
    """Where a one-line value is written: the value itself (and any spaces before a comment)."""

    start: int
    end: int
    column: int  # of `start`
    comment_column: int | None  # of the `#` of a comment after the value


_COMMENT_AFTER = re.compile(r" +(?=#)")


def _collect_spans(text: str, node: Node, path: Path_, spans: dict[Path_, _Span]) -> None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                _collect_spans(text, value, (*path, key.value), spans)
    elif isinstance(node, SequenceNode):
        return  # a list is posted whole (`_set` replaces it): never spliced
    elif isinstance(node, ScalarNode) and path and node.style in (None, "", "'", '"'):
        start, end = node.start_mark, node.end_mark
        if start.line != end.line or node.anchor is not None:
            return
        stop, comment = end.index, None
        spaces = _COMMENT_AFTER.match(text, stop)
        if spaces:
            stop = spaces.end()
            comment = start.column + (stop - start.index)
        spans[path] = _Span(start.index, stop, start.column, comment)


def _one_line(value: str) -> bool:
    return len(value) < 1000 and not any(c in value for c in "\n\r\x85\u2028\u2029")


def _get(tree: CommentedMap, path: Path_) -> Any:
    node: Any = tree
    for key in path:
        node = node[key]
    return node


def _scalar_as_written(old: Any, value: str) -> str | None:
    """`value` as ruamel writes it over `old` in a block mapping: set as `_set` sets it (a
    quoted value stays quoted), plain or quoted as its content needs."""
    tiny = CommentedMap([("k", old)])
    tiny["k"] = value
    out = io.StringIO()
    _yaml().dump(tiny, out)
    written = out.getvalue()
    if not written.startswith("k: ") or written.count("\n") != 1:
        return None
    return written[3:-1]


def apply_changes(
    text: str,
    changes: dict[Path_, Value],
    order_of: OrderOf,
    parsed: ParsedTexts | None = None,
) -> str:
    """`text` with each path of `changes` set to its value (None: the key removed).

    A new key is inserted after the last key that precedes it in `order_of(parent path)` (the
    schema's order), so that a file filled from the web reads like one written by `convgen new`.
    A mapping left empty by a removal is removed too. With `parsed`, the tree of a text seen
    before is not parsed again.
    """
    root = parsed.tree(text) if parsed is not None else load_roundtrip(text)
    for path, value in changes.items():
        if value is None:
            _remove(root, path)
        else:
            _set(root, path, value, order_of)
    return dump_roundtrip(root)


def _to_yaml(value: Value) -> Any:
    if isinstance(value, list):
        return CommentedSeq([_to_yaml(v) for v in value])
    if isinstance(value, dict):
        return CommentedMap((k, _to_yaml(v)) for k, v in value.items())
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value.rstrip("\n") + "\n")
    return value


def _set(root: CommentedMap, path: Path_, value: Value, order_of: OrderOf) -> None:
    node = root
    for depth, key in enumerate(path[:-1]):
        child = node.get(key)
        if not isinstance(child, CommentedMap):
            child = CommentedMap()
            _insert(node, str(key), child, order_of(path[:depth]))
        node = child
    last = str(path[-1])
    if isinstance(value, list) and value and isinstance(node.get(last), CommentedSeq):
        _update_list(node[last], value)
    elif last in node:
        node[last] = _to_yaml(value)
    else:
        _insert(node, last, _to_yaml(value), order_of(path[:-1]))


def _update_list(old: CommentedSeq, new: list[Any]) -> None:
    """Make `old` hold the rows of `new`, row by row, keeping what the user did not touch: the
    comments on its rows and the comment lines that follow the list (in ruamel's model they
    belong to its last row, and would go with it)."""
    holder = _last_comment(old)
    trailing = holder[0].ca.items[holder[1]][holder[2]] if holder else None
    for index, row in enumerate(new):
        if index >= len(old):
            old.append(_to_yaml(row))
        elif isinstance(row, dict) and isinstance(old[index], CommentedMap):
            _update_row(old[index], row)
        elif isinstance(row, str) and not isinstance(old[index], CommentedMap | CommentedSeq):
            if old[index] != row:
                old[index] = _to_yaml(row)
        else:
            old[index] = _to_yaml(row)
    del old[len(new) :]
    if holder is None or trailing is None or not old:
        return
    after = _last_comment(old)
    if after is None:
        return
    node, key, slot = after
    entry = node.ca.items.setdefault(key, [None, None, None, None])
    current = entry[slot]
    if current is trailing:
        return
    text = trailing.value
    inline: str | None = None
    if text.startswith("#") and "\n" in text:  # a comment on the row's own line first
        inline, lines_after = text[: text.index("\n") + 1], text[text.index("\n") + 1 :]
    else:
        lines_after = text[1:] if text.startswith("\n") else text
    if not lines_after.strip():
        return  # nothing after the list but its line end
    # the row that held them keeps only its own comment (when it is still in the list)
    held = holder[0].ca.items.get(holder[1])
    if held is not None and held[holder[2]] is trailing:
        held[holder[2]] = CommentToken(inline, trailing.start_mark, None) if inline else None
    base = current.value if current is not None else "\n"
    mark = current.start_mark if current is not None else CommentMark(0)
    entry[slot] = CommentToken(base + lines_after, mark, None)


def _update_row(old: CommentedMap, new: dict[str, Any]) -> None:
    for key in [k for k in old if k not in new]:
        del old[key]
    order = list(new)
    for key, value in new.items():
        if key in old and old[key] == value:
            continue
        if key in old:
            old[key] = _to_yaml(value)
        else:
            _insert(old, key, _to_yaml(value), order)


def _last_comment(seq: CommentedSeq) -> tuple[Any, Any, int] | None:
    """Where ruamel keeps the comment after the last row of `seq`: (container, key, slot)."""
    if not seq:
        return None
    last = seq[-1]
    if isinstance(last, CommentedMap) and last:
        key = list(last)[-1]
        value = last[key]
        if isinstance(value, CommentedSeq) and value:
            return _last_comment(value)
        return (last, key, 2)
    if isinstance(last, CommentedSeq | CommentedMap):
        return None
    return (seq, len(seq) - 1, 0)


def _insert(node: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Insert `key` after the last existing key that comes before it in `order`."""
    if key in order:
        before = set(order[: order.index(key)])
        position = 0
        for index, existing in enumerate(node):
            if existing in before:
                position = index + 1
        if position < len(node):
            node.insert(position, key, value)
            return
    node[key] = value


def _remove(root: CommentedMap, path: Path_) -> None:
    parents: list[CommentedMap] = []
    node: Any = root
    for key in path[:-1]:
        if not isinstance(node, CommentedMap) or not isinstance(node.get(key), CommentedMap):
            return
        parents.append(node)
        node = node[key]
    if isinstance(node, CommentedMap) and path[-1] in node:
        del node[path[-1]]
    for parent, key in zip(reversed(parents), reversed(path[:-1]), strict=True):
        child = parent[key]
        if isinstance(child, CommentedMap) and not child:
            del parent[key]
