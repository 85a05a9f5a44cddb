"""Strict YAML loading: every scalar stays the string that was written, with its line.

PyYAML's `safe_load` turns `01000` into 512, `NO` into False, `10:30` into 630 and silently keeps
the last of two duplicated keys. Here no scalar is interpreted: values come back as `str` (or
`None` for an empty value), typing is left to the schema, and each value's line is kept so
that errors point to `file:line`. Duplicated keys are reported, all of them.

Hostile input is refused with a French message before it costs anything: a file over
`MAX_BYTES`, nesting deeper than `MAX_DEPTH`, a recursive alias (`a: &a [*a]`), aliases that
expand to more than `MAX_ALIAS_NODES` nodes (the "billion laughs"), and characters a Word
document cannot hold (`forbidden_char`: control characters, U+FFFE/U+FFFF, lone surrogates),
which are reported like any other problem of the file.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from convgen.errors import InputError, Problem, problem_at

Path_ = tuple[str | int, ...]

_NULLS = {"", "~", "null", "Null", "NULL"}

MAX_BYTES = 5 * 1024 * 1024  # size of one YAML file
MAX_DEPTH = 50  # nesting levels (an instance uses fewer than 8)
MAX_ALIAS_NODES = 100_000  # nodes produced by expanding aliases (`*nom`), in all

# Characters XML 1.0 (hence Word) refuses; tab, newline and carriage return are allowed.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def forbidden_char(text: str) -> str | None:
    """A French description of the first character of `text` a Word document cannot hold
    (« caractère interdit U+000B (caractère de contrôle) … »), or None if there is none."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    return describe_char(found.group())


def describe_char(char: str) -> str:
    """The French message naming a character a document cannot hold, as U+XXXX."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "caractère de contrôle invisible, souvent issu d'un copier-coller"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "moitié isolée d'une paire de substitution UTF-16"
    else:
        kind = "non-caractère Unicode"
    return (
        f"caractère interdit U+{code:04X} ({kind}) : un document Word ne peut pas le contenir ; "
        "supprimez-le"
    )


class _LimitError(Exception):
    """A limit reached while composing: carries the line and the French message."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with a nesting limit and recursive aliases refused while
    composing (the composer recurses once per level: it must stop before Python does)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.open_anchors: set[str] = set()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                raise _LimitError(
                    line,
                    f"alias récursif « *{event.anchor} » : la valeur de l'ancre "
                    f"« &{event.anchor} » se contient elle-même",
                )
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _LimitError(line, f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            if anchor is not None:
                self.open_anchors.discard(anchor)


@dataclass
class _Walk:
    """State of one conversion: the nodes already converted, and the alias budget."""

    doc: YamlDoc
    done: set[int] = field(default_factory=set)
    ancestors: set[int] = field(default_factory=set)
    expanded: int = 0


@dataclass
class YamlDoc:
    """A parsed YAML file: plain data (dicts, lists, str, None) plus the line of every path."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # File where each path was written, when it is not `path` itself: an instance that starts
    # from another (`base:`, see convgen.load.inheritance) holds values written in its base files.
    files: dict[Path_, Path] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of `path`, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def file_of(self, path: Path_) -> Path:
        """File where `path` (or its nearest parent that has a line) was written."""
        while path:
            if path in self.lines:
                return self.files.get(path, self.path)
            path = path[:-1]
        return self.files.get((), self.path)


def load_yaml_text(text: str, path: Path) -> YamlDoc:
    """Parse `text` (the content of `path`); raise `InputError` on a syntax error or a limit."""
    if len(text) > MAX_BYTES:
        raise _too_big(path)
    try:
        node = _fast_compose(text)
        if node is _SLOW:
            node = yaml.compose(text, Loader=_Loader)
    except _LimitError as exc:
        raise InputError(
            "fichier YAML refusé", [problem_at(path, exc.line, None, exc.message)]
        ) from exc
    except yaml.reader.ReaderError as exc:
        # a raw forbidden character: PyYAML gives its offset in the text
        at = text.count("\n", 0, max(exc.position or 0, 0)) + 1
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise InputError(
            "fichier YAML invalide", [problem_at(path, at, None, describe_char(char))]
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            "fichier YAML invalide",
            [problem_at(path, line, None, f"syntaxe YAML invalide : {exc.problem}")],
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError("fichier YAML invalide", [problem_at(path, None, None, str(exc))]) from exc
    doc = YamlDoc(path=path, data=None)
    if node is not None:
        doc.data = _convert(node, (), _Walk(doc))
    return doc


_SLOW: Any = object()
# What the C composer (libyaml) is given: no anchor (aliases then stay with the composer that
# names them), and nesting bounded by the text itself (libyaml composes recursively in C).
_ANCHOR = re.compile(r"&[\w-]")
_DEEP_INDENT = re.compile(r"^ {200,}\S", re.MULTILINE)
_MAX_FAST_BRACKETS = 200


def _fast_compose(text: str) -> Any:
    """The node tree by libyaml (about 20× faster than PyYAML's Python composer), or `_SLOW`.

    Only for text that cannot reach the limits `_Loader` enforces while composing; a text
    libyaml refuses goes to `_Loader` too, for PyYAML's exact message and line.
    """
    if not getattr(yaml, "__with_libyaml__", False) or _ANCHOR.search(text):
        return _SLOW
    if text.count("[") + text.count("{") > _MAX_FAST_BRACKETS or _DEEP_INDENT.search(text):
        return _SLOW
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return _SLOW


def _too_big(path: Path) -> InputError:
    return InputError(
        "fichier YAML refusé",
        [
            problem_at(
                path,
                None,
                None,
                f"fichier trop volumineux (au plus {MAX_BYTES // (1024 * 1024)} Mo)",
            )
        ],
    )


def load_yaml(path: Path) -> YamlDoc:
    """Read and parse a YAML file; raise `InputError` if it cannot be read or parsed."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A named pipe or a device (/dev/zero) would block or never end: not read.
            raise InputError(
                "fichier illisible",
                [problem_at(path, None, None, "ce n'est pas un fichier ordinaire")],
            )
        if info.st_size > MAX_BYTES:
            raise _too_big(path)
        with path.open("rb") as handle:
            # the size may have grown since `stat`: never read more than the limit
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise _too_big(path)
        # as `read_text` does: universal newlines
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise InputError(
            "fichier illisible",
            [problem_at(path, None, None, "le fichier n'est pas encodé en UTF-8")],
        ) from exc
    except OSError as exc:
        raise InputError(
            "fichier illisible", [problem_at(path, None, None, f"lecture impossible ({exc})")]
        ) from exc
    return load_yaml_text(text, path)


def _convert(node: yaml.Node, path: Path_, walk: _Walk) -> Any:
    doc = walk.doc
    line = node.start_mark.line + 1
    doc.lines[path] = line
    key = id(node)
    if key in walk.done:
        # an alias (`*nom`) expands its anchor's value once more
        walk.expanded += 1
        if walk.expanded > MAX_ALIAS_NODES:
            raise InputError(
                "fichier YAML refusé",
                [
                    problem_at(
                        doc.path,
                        line,
                        _dotted(path),
                        f"les alias YAML (« *nom ») donnent plus de {MAX_ALIAS_NODES} valeurs",
                    )
                ],
            )
    walk.done.add(key)
    if isinstance(node, yaml.ScalarNode):
        why = forbidden_char(node.value)
        if why is not None:
            doc.problems.append(problem_at(doc.path, line, _dotted(path), why))
        if not node.style and node.value in _NULLS:  # plain: None (PyYAML) or "" (libyaml)
            return None
        return node.value
    if len(path) >= MAX_DEPTH or key in walk.ancestors:
        # reached through aliases only: the composer checked the text as written
        why = (
            "alias récursif : la valeur se contient elle-même"
            if key in walk.ancestors
            else f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)"
        )
        raise InputError("fichier YAML refusé", [problem_at(doc.path, line, _dotted(path), why)])
    walk.ancestors.add(key)
    try:
        return _convert_collection(node, path, walk)
    finally:
        walk.ancestors.discard(key)


def _convert_collection(node: yaml.Node, path: Path_, walk: _Walk) -> Any:
    doc = walk.doc
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), walk) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                doc.problems.append(
                    problem_at(
                        doc.path,
                        key_node.start_mark.line + 1,
                        _dotted(path),
                        "une clé doit être un simple texte",
                    )
                )
                continue
            key = key_node.value
            bad = forbidden_char(key)
            if bad is not None:
                doc.problems.append(
                    problem_at(doc.path, key_node.start_mark.line + 1, _dotted(path), bad)
                )
                continue
            if key == "<<":
                doc.problems.append(
                    problem_at(
                        doc.path,
                        key_node.start_mark.line + 1,
                        _dotted(path),
                        "la fusion YAML « << » n'est pas acceptée ; utilisez « base: »",
                    )
                )
                continue
            child_path = (*path, key)
            if key in result:
                first = doc.lines.get(child_path)
                doc.problems.append(
                    problem_at(
                        doc.path,
                        key_node.start_mark.line + 1,
                        _dotted(child_path),
                        f"clé en double (déjà définie ligne {first})",
                    )
                )
                continue
            result[key] = _convert(value_node, child_path, walk)
            doc.lines[child_path] = key_node.start_mark.line + 1
        return result
    raise AssertionError(f"unexpected YAML node {node!r}")


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out or "(racine)"


dotted = _dotted
