"""Instance inheritance: an instance may start from another one (`base: ami-poitiers.yaml`).

The convention signed with the laureate of an AMI reuses the AMI's data, and the communes of one
regional scheme share one base: nothing is typed twice. The rule (see instances/README.md):

- `base:` is a path relative to the file that writes it; a base may itself have a base (a chain);
  a file met twice in a chain is reported as a cycle.
- Mappings are merged key by key, deeply; anything else (text, date, list) written in the child
  replaces the base's value whole — a list is never merged item by item.
- Every value keeps the file and line where it was written (`YamlDoc.files` / `lines`), so an
  error on an inherited value points into the base file.
- The child's model may differ from the base's (AMI → convention). A value *inherited* that the
  child's model does not know is dropped silently if the model of the file that wrote it knows
  it (the AMI's calendar means nothing to the convention); otherwise it stays and is reported as
  unknown. A value written in the child file itself is always checked against the child's model.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from convgen.errors import ConvgenError, InputError, Problem, problem_at
from convgen.load.schema import SectionSpec
from convgen.load.yamlload import Path_, YamlDoc, load_yaml

if TYPE_CHECKING:
    from convgen.load.instances import ModelSource
    from convgen.load.models import Model

BASE_KEY = "base"


@dataclass
class MergedInstance:
    """An instance file with its bases merged in, and where each value came from."""

    doc: YamlDoc  # `doc.path` is the file asked for; `doc.files` says where inherited values are
    chain: list[Path] = field(
        default_factory=list
    )  # the file, then its base, then the base's base…
    models: dict[Path, str | None] = field(default_factory=dict)  # file → its (effective) modele
    base_line: int | None = None  # line of `base:` in the file asked for

    def is_inherited(self, path: Path_) -> bool:
        return not _same(self.doc.file_of(path), self.doc.path)


def load_merged(path: Path) -> MergedInstance:
    """Read the instance at `path` and every base it names; raise `InputError` on a bad chain."""
    return _load(path, ())


def _load(path: Path, seen: tuple[Path, ...]) -> MergedInstance:
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or BASE_KEY not in data:
        return MergedInstance(doc, [path], {path.resolve(): _modele(data)})
    line = doc.line_of((BASE_KEY,))
    target = data[BASE_KEY]
    if not isinstance(target, str) or not target.strip():
        raise InputError(
            "instance invalide",
            [problem_at(path, line, BASE_KEY, "le nom d'un fichier d'instance est attendu")],
        )
    base_path = path.parent / target.strip()
    chain = (*seen, path.resolve())
    if base_path.resolve() in chain:
        names = " → ".join(p.name for p in (*chain, base_path))
        raise InputError(
            "instance invalide",
            [problem_at(path, line, BASE_KEY, f"héritage circulaire : {names}")],
        )
    if not base_path.is_file():
        raise InputError(
            "instance invalide",
            [problem_at(path, line, BASE_KEY, f"fichier de base introuvable : {base_path}")],
        )
    base = _load(base_path, chain)
    if not isinstance(base.doc.data, dict):
        raise InputError(
            "instance invalide",
            [problem_at(base_path, 1, None, "le fichier doit contenir des clés: valeurs")],
        )
    merged = _merge(base.doc, doc)
    models = {**base.models}
    models[path.resolve()] = _modele(merged.data)
    return MergedInstance(merged, [path, *base.chain], models, line)


def merged_data(path: Path) -> Any:
    """The plain data of the instance at `path` with its bases merged in; never raises.

    For tools that read instances loosely rather than validate them (the party names of
    `convgen check`): the names a convention inherits from its AMI are its own names. A file
    whose chain cannot be read gives its own data, or None if it cannot be parsed at all.
    """
    try:
        return load_merged(path).doc.data
    except ConvgenError:
        try:
            return load_yaml(path).data
        except ConvgenError:
            return None


def _modele(data: Any) -> str | None:
    value = data.get("modele") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _merge(base: YamlDoc, child: YamlDoc) -> YamlDoc:
    """`child` laid over `base`: a new document whose paths remember their own file."""
    out = YamlDoc(path=child.path, data=copy.deepcopy(base.data))
    out.problems = [*base.problems, *child.problems]
    for p, line in base.lines.items():
        out.lines[p] = line
        out.files[p] = base.files.get(p, base.path)
    child_data = {k: v for k, v in child.data.items() if k != BASE_KEY}
    _merge_mapping(out, out.data, child_data, (), child)
    out.lines[()] = child.lines.get((), 1)
    out.files.pop((), None)
    return out


def _merge_mapping(
    out: YamlDoc, target: dict[str, Any], child: dict[str, Any], path: Path_, child_doc: YamlDoc
) -> None:
    for key, value in child.items():
        p = (*path, key)
        if isinstance(target.get(key), dict) and isinstance(value, dict):
            _merge_mapping(out, target[key], value, p, child_doc)
            out.lines[p] = child_doc.lines[p]
            out.files.pop(p, None)  # the section is (also) written in the child
            continue
        for q in [q for q in out.lines if q[: len(p)] == p]:
            del out.lines[q]
            out.files.pop(q, None)
        target[key] = copy.deepcopy(value)
        for q, line in child_doc.lines.items():
            if q[: len(p)] == p:
                out.lines[q] = line


# --------------------------------------------------------------------------- foreign values


def drop_foreign(merged: MergedInstance, model: Model, models: ModelSource) -> None:
    """Remove inherited values that the child's model does not know but their file's model does.

    This is what lets a convention start from an AMI instance: the AMI's calendar and criteria
    are the AMI's business. A value the writer's model does not know either stays, so that a
    typo in a base is still reported (at the base's line).
    """
    data = merged.doc.data
    if isinstance(data, dict):
        _drop(merged, data, (), model, models)


def _drop(
    merged: MergedInstance, data: dict[str, Any], path: Path_, model: Model, models: ModelSource
) -> None:
    for key in list(data):
        p = (*path, key)
        kind = spec_kind(model, p)
        if kind == "section" and isinstance(data[key], dict):
            _drop(merged, data[key], p, model, models)
            continue
        if kind is not None or not merged.is_inherited(p):
            continue
        writer = merged.models.get(merged.doc.file_of(p).resolve())
        if writer is None or writer == model.name:
            continue
        try:
            writer_model = models.model(writer)
        except ConvgenError:
            continue  # its own build reports it; here the value stays and is reported unknown
        if spec_kind(writer_model, p) is not None:
            del data[key]
            for q in [q for q in merged.doc.lines if q[: len(p)] == p]:
                del merged.doc.lines[q]
                merged.doc.files.pop(q, None)


def spec_kind(model: Model, path: Path_) -> str | None:
    """ "section" or "field" if `model` knows the instance path `path`, else None."""
    head = path[0]
    if head in ("modele", BASE_KEY):
        return "field"
    if head == "clauses":
        if len(path) == 1:
            return "section"
        # A clause the model uses is known with all its settings: they are the same clause's.
        return "field" if path[1] in model.clause_ids() else None
    spec: Any = model.schema
    for part in path:
        if not isinstance(spec, SectionSpec) or part not in spec.fields:
            return None
        spec = spec.fields[part]
    return "section" if isinstance(spec, SectionSpec) else "field"


# --------------------------------------------------------------------------- error locations

_INDEX = re.compile(r"\[(\d+)\]")


def parse_dotted(text: str) -> Path_:
    """Inverse of `convgen.load.yamlload.dotted`: "a.b[2]" → ("a", "b", 1)."""
    out: list[str | int] = []
    for part in text.split("."):
        name = _INDEX.split(part)
        if name[0]:
            out.append(name[0])
        out.extend(int(n) - 1 for n in name[1::2])
    return tuple(out)


def relocate(problems: list[Problem], merged: MergedInstance) -> list[Problem]:
    """Point each problem of the merged document to the file where its value was written.

    Problems are built by the schema validator against the merged document, with its main file;
    their field names the path, which says which file wrote it. A value missing from a section
    that comes whole from a base is still the child's to add: it is reported in the child file.
    """
    if not problems:
        return problems
    doc = merged.doc
    shown_main = problem_at(doc.path, None, None, "").file
    out: list[Problem] = []
    for problem in problems:
        if problem.file != shown_main or not problem.field or len(merged.chain) == 1:
            out.append(problem)
            continue
        path = problem.path if problem.path is not None else parse_dotted(problem.field)
        origin = doc.file_of(path)
        if _same(origin, doc.path):
            out.append(problem)
        elif path not in doc.lines and problem.missing:
            where = problem_at(origin, problem.line, None, "")
            out.append(
                problem_at(
                    doc.path,
                    merged.base_line,
                    problem.field,
                    f"{problem.message} (section héritée de {where.file}:{where.line})",
                )
            )
        else:
            out.append(problem_at(origin, problem.line, problem.field, problem.message))
    return out


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()
