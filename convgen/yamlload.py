"""Strict YAML loading: every scalar stays the string that was written, with its line.

PyYAML's `safe_load` turns `01000` into 512, `NO` into False, `10:30` into 630 and silently keeps
the last of two duplicated keys. Here no scalar is interpreted: values come back as `str` (or
`None` for an empty value), typing is left to the schema, and each value's line is kept so
that errors point to `file:line`. Duplicated keys are reported, all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from convgen.errors import InputError, Problem, problem_at

Path_ = tuple[str | int, ...]

_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class YamlDoc:
    """A parsed YAML file: plain data (dicts, lists, str, None) plus the line of every path."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # File where each path was written, when it is not `path` itself: an instance that starts
    # from another (`base:`, see convgen.inheritance) holds values written in its base files.
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
    """Parse `text` (the content of `path`); raise `InputError` on a syntax error."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
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
        doc.data = _convert(node, (), doc)
    return doc


def load_yaml(path: Path) -> YamlDoc:
    """Read and parse a YAML file; raise `InputError` if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
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


def _convert(node: yaml.Node, path: Path_, doc: YamlDoc) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), doc) for i, child in enumerate(node.value)]
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
            result[key] = _convert(value_node, child_path, doc)
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
