"""The form of an instance, generated from its model's schema and its clauses' parameters.

`build_form` turns a model (sections, typed fields with French descriptions, clause variants
and parameters) and an instance's values into a tree of `FormSection` / `FormField` that the
templates render; each field knows its own value (written in the instance file), the value it
inherits (`base:`, with the file that wrote it) or its default, and the CLI messages about it.
`read_form` does the reverse: the posted form becomes the changes to write into the file.

A field is named in HTML by its dotted path, as the CLI names it in its messages
(`commune.nom`, `clauses.duree.periode`, `contacts[2].email`), so that a message attaches to its
field by name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convgen.errors import Problem
from convgen.load.clauses import Library
from convgen.load.models import Model
from convgen.load.schema import FieldSpec, SectionSpec
from convgen.load.values import TYPE_LABELS
from convgen.load.yamlload import Path_, YamlDoc, dotted
from convgen.web.yamledit import Value

# Control per type: what the browser shows. Dates and numbers are text inputs with a numeric
# keyboard: the CLI accepts « 17/04/2025 » and « 1 234,50 », which native date and number
# inputs would refuse or rewrite, and a wrong value must reach the server's message.
CONTROLS = {
    "texte": "text", "lieu": "text", "entier": "number", "decimal": "number", "montant": "number",
    "date": "date", "duree": "text", "booleen": "yesno", "choix": "select", "email": "email",
    "telephone": "tel", "code_postal": "number", "siren": "number", "liste": "list",
}  # fmt: skip
LONG_TEXT = 70  # characters beyond which a text value is edited in a text area
EXTRA_ROWS = 1  # empty rows offered at the end of a list (more with the « Ajouter » button)


def field_id(path: Path_ | str) -> str:
    """The HTML id of the field at `path` (a dotted name or a path)."""
    name = path if isinstance(path, str) else dotted(path)
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


@dataclass
class FormField:
    path: Path_
    spec: FieldSpec
    label: str
    help: str
    control: str
    value: str = ""  # as written in the instance file itself
    rows: list[Any] = field(default_factory=list)  # a list: its rows (str, or dict of str)
    inherited: Any = None  # the value a `base:` file gives
    inherited_from: str = ""  # which file
    default: Any = None
    errors: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)  # select: (value, label)

    @property
    def name(self) -> str:
        return dotted(self.path)

    @property
    def id(self) -> str:
        return field_id(self.path)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.spec.type]

    @property
    def item_fields(self) -> list[tuple[str, FieldSpec]]:
        """For a list of sections: its columns."""
        elements = self.spec.elements
        if isinstance(elements, SectionSpec):
            return [(k, s) for k, s in elements.fields.items() if isinstance(s, FieldSpec)]
        return []

    @property
    def item_spec(self) -> FieldSpec | None:
        """For a list of simple values: the spec of one value."""
        return self.spec.elements if isinstance(self.spec.elements, FieldSpec) else None

    def row_names(self) -> list[str]:
        """The names of the shown rows' inputs (`contacts[2]`, `contacts[2].email`)."""
        if self.control != "list":
            return []
        names: list[str] = []
        for n in range(1, len(self.rows) + EXTRA_ROWS + 1):
            if self.item_fields:
                names.extend(f"{self.name}[{n}].{k}" for k, _ in self.item_fields)
            else:
                names.append(f"{self.name}[{n}]")
        return names

    def column_label(self, key: str, spec: FieldSpec) -> str:
        return label_of(key, spec.description)

    def shown_rows(self) -> list[Any]:
        empty: Any = {k: "" for k, _ in self.item_fields} if self.item_fields else ""
        return [*self.rows, *([empty] * EXTRA_ROWS)]


@dataclass
class FormSection:
    path: Path_
    legend: str
    help: str
    fields: list[FormField | FormSection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    variant: FormField | None = None  # a clause's variant choice

    @property
    def id(self) -> str:
        return field_id(self.path)

    def all_fields(self) -> list[FormField]:
        out: list[FormField] = []
        if self.variant is not None:
            out.append(self.variant)
        for item in self.fields:
            out.extend(item.all_fields() if isinstance(item, FormSection) else [item])
        return out


@dataclass
class Form:
    sections: list[FormSection]
    clauses: list[FormSection]
    general_errors: list[Problem] = field(default_factory=list)  # attached to no field
    problems: list[Problem] = field(default_factory=list)  # every CLI message, in order

    def all_fields(self) -> list[FormField]:
        return [f for s in [*self.sections, *self.clauses] for f in s.all_fields()]

    def anchor_of(self, problem: Problem) -> str | None:
        """The id of the field (or section) a problem is about, if the form shows it."""
        if not problem.field:
            return None
        ids = {f.name: f.id for f in self.all_fields()}
        for item in self.all_fields():
            ids.update({name: field_id(name) for name in item.row_names()})
        for s in [*self.sections, *self.clauses]:
            ids.setdefault(dotted(s.path), s.id)
        name = problem.field
        while name:
            if name in ids:
                return ids[name]
            name = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", name) if re.search(r"[.\]]", name) else ""
        return None


# --------------------------------------------------------------------------- labels


def label_of(name: str, description: str) -> str:
    """A short French label: the description's first words, else the key made readable."""
    head = re.split(r"[,;:(.«]| – | - ", description, maxsplit=1)[0].strip()
    if 3 <= len(head) <= 60:
        return head
    if len(head) > 60:  # the first words, cut between two words
        return head[:50].rsplit(" ", 1)[0].rstrip(" ,;:'’") + "…"
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def legend_of(name: str) -> str:
    text = name.replace("_", " ").replace("-", " ")
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- building


@dataclass
class Values:
    """An instance's values: its own file's, and the merged ones with where each was written."""

    own: dict[str, Any]
    merged: YamlDoc | None = None
    own_path: Path | None = None

    def own_at(self, path: Path_) -> Any:
        return _get(self.own, path)

    def inherited_at(self, path: Path_) -> tuple[Any, str]:
        if self.merged is None or self.own_path is None:
            return None, ""
        value = _get(self.merged.data, path)
        if value is None or path not in self.merged.lines:
            return None, ""
        origin = self.merged.file_of(path)
        if _resolved(origin) == _resolved(self.own_path):
            return None, ""
        return value, origin.name


@functools.lru_cache(maxsize=256)
def _resolved(path: Path) -> Path:
    return path.resolve()


def _get(data: Any, path: Path_) -> Any:
    for key in path:
        if isinstance(data, dict) and isinstance(key, str):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def build_form(
    model: Model,
    library: Library,
    values: Values,
    problems: list[Problem] = (),  # type: ignore[assignment]
) -> Form:
    sections = [
        _section((name,), spec, values)
        for name, spec in model.schema.fields.items()
        if isinstance(spec, SectionSpec)
    ]
    loose = [
        _field((name,), spec, values)
        for name, spec in model.schema.fields.items()
        if isinstance(spec, FieldSpec)
    ]
    if loose:
        sections.insert(0, FormSection((), "Généralités", "", list(loose)))
    clauses = _clause_sections(model, library, values)
    form = Form(sections, clauses, problems=list(problems))
    attach_problems(form, list(problems))
    return form


def _section(path: Path_, spec: SectionSpec, values: Values) -> FormSection:
    out = FormSection(path, legend_of(str(path[-1])), spec.description)
    for name, sub in spec.fields.items():
        sub_path = (*path, name)
        if isinstance(sub, SectionSpec):
            out.fields.append(_section(sub_path, sub, values))
        else:
            out.fields.append(_field(sub_path, sub, values))
    return out


def _field(path: Path_, spec: FieldSpec, values: Values) -> FormField:
    own = values.own_at(path)
    inherited, origin = values.inherited_at(path)
    control = CONTROLS.get(spec.type, "text")
    item = FormField(
        path=path,
        spec=spec,
        label=label_of(str(path[-1]), spec.description),
        help=spec.description,
        control=control,
        inherited=inherited,
        inherited_from=origin,
        default=spec.defaut,
    )
    if control == "list":
        item.rows = _rows(own, item)
        return item
    item.value = own if isinstance(own, str) else ""
    if control == "text" and spec.type == "texte":
        longest = max(len(str(v or "")) for v in (item.value, inherited, spec.defaut, spec.exemple))
        multiline = any("\n" in str(v or "") for v in (item.value, inherited, spec.defaut))
        if longest > LONG_TEXT or multiline:
            item.control = "textarea"
    if control == "select":
        item.options = [(c, c) for c in spec.choix or []]
    return item


def _rows(own: Any, item: FormField) -> list[Any]:
    if not isinstance(own, list):
        return []
    if item.item_fields:
        return [
            {k: (row.get(k) or "") if isinstance(row, dict) else "" for k, _ in item.item_fields}
            for row in own
        ]
    return [r if isinstance(r, str) else "" for r in own]


def _clause_sections(model: Model, library: Library, values: Values) -> list[FormSection]:
    """One fieldset per clause of the model that has a choice to make: variant or parameters."""
    article_variant: dict[str, str | None] = {}
    for spec in [*model.articles, *model.annexes]:
        for s in [spec, *spec.sous_articles]:
            if s.clause:
                article_variant.setdefault(s.clause, s.variante)
    out: list[FormSection] = []
    for clause_id in dict.fromkeys(model.clause_ids()):
        clause = library.clauses[clause_id]
        chosen = article_variant.get(clause_id) or clause.default_variant
        has_choice = len(clause.variants) > 1
        if not has_choice and not clause.parametres.fields:
            continue
        path: Path_ = ("clauses", clause_id)
        section = FormSection(path, clause.titre, f"Clause « {clause_id} »")
        if has_choice:
            variant_spec = FieldSpec(name="variante", type="choix", choix=list(clause.variants))
            own = values.own_at((*path, "variante"))
            inherited, origin = values.inherited_at((*path, "variante"))
            section.variant = FormField(
                path=(*path, "variante"),
                spec=variant_spec,
                label="Rédaction",
                help=f"Variante de la clause ; celle du modèle : « {chosen} ».",
                control="select",
                value=own if isinstance(own, str) else "",
                inherited=inherited,
                inherited_from=origin,
                default=chosen,
                options=[
                    (name, f"{name} — {v.description}" if v.description else name)
                    for name, v in clause.variants.items()
                ],
            )
        for name, sub in clause.parametres.fields.items():
            if isinstance(sub, FieldSpec):
                section.fields.append(_field((*path, name), sub, values))
        out.append(section)
    return out


def attach_problems(form: Form, problems: list[Problem]) -> None:
    """Each CLI message next to its field; those about no shown field go to the summary only."""
    by_id = {f.id: f for f in form.all_fields()}
    rows = {field_id(n): f for f in form.all_fields() for n in f.row_names()}
    sections = {s.id: s for s in _walk_sections([*form.sections, *form.clauses])}
    for problem in problems:
        anchor = form.anchor_of(problem)
        message = problem.message
        if anchor in by_id:
            by_id[anchor].errors.append(message)
        elif anchor in rows:  # a cell of a list: said on the list, with its row
            where = (problem.field or "")[len(rows[anchor].name) :]
            row = re.match(r"\[(\d+)\](?:\.(\w+))?", where)
            if row:
                column = f", {row.group(2)}" if row.group(2) else ""
                message = f"ligne {row.group(1)}{column} : {message}"
            rows[anchor].errors.append(message)
        elif anchor in sections:
            sections[anchor].errors.append(f"{problem.field} : {message}")
        else:
            form.general_errors.append(problem)


def _walk_sections(sections: list[FormSection]) -> list[FormSection]:
    out: list[FormSection] = []
    for s in sections:
        out.append(s)
        out.extend(_walk_sections([f for f in s.fields if isinstance(f, FormSection)]))
    return out


# --------------------------------------------------------------------------- reading a post


_ROW = re.compile(r"^\[(\d+)\](?:\.(\w+))?$")


def read_form(form: Form, posted: Mapping[str, str], values: Values) -> dict[Path_, Value]:
    """The changes the posted form makes to the instance file: path → new value (None: remove).

    A value the user did not change is not in the result, so the file keeps it as written. An
    empty field removes its key: the value is then inherited, the default, or missing.
    """
    changes: dict[Path_, Value] = {}
    for item in form.all_fields():
        before = values.own_at(item.path)
        if item.control == "list":
            after: Value = _read_rows(item, posted) or None
            if _same_list(before, after):
                continue
        else:
            raw = posted.get(item.name, "")
            after = _clean(raw, multiline=item.control == "textarea") or None
            if (before if isinstance(before, str) else None) == after:
                continue
            if before is not None and not isinstance(before, str) and after is None:
                continue  # a value the form cannot show (a list where a text is expected)
        changes[item.path] = after
    return changes


def _clean(raw: str, multiline: bool) -> str:
    if multiline:
        lines = [line.rstrip() for line in raw.replace("\r\n", "\n").split("\n")]
        return "\n".join(lines).strip("\n").strip()
    return " ".join(raw.split()) if "\n" in raw else raw.strip()


def _read_rows(item: FormField, posted: Mapping[str, str]) -> list[Any]:
    rows: dict[int, Any] = {}
    prefix = item.name
    for key, raw in posted.items():
        if not key.startswith(prefix + "["):
            continue
        match = _ROW.match(key[len(prefix) :])
        if not match:
            continue
        index, column = int(match.group(1)), match.group(2)
        value = _clean(raw, multiline=False)
        if item.item_fields:
            if column is None:
                continue
            row = rows.setdefault(index, {})
            if value:
                row[column] = value
        elif column is None and value:
            rows[index] = value
    ordered = [rows[i] for i in sorted(rows)]
    if item.item_fields:
        columns = [k for k, _ in item.item_fields]
        return [{k: row[k] for k in columns if k in row} for row in ordered if row]
    return ordered


def _same_list(before: Any, after: Value) -> bool:
    if after is None:
        return before is None or before == []
    if not isinstance(before, list):
        return False
    cleaned = [
        {k: v for k, v in row.items() if v is not None} if isinstance(row, dict) else row
        for row in before
    ]
    return cleaned == after


def order_of(model: Model, library: Library) -> Any:
    """The schema's key order for each mapping of an instance (new keys are inserted by it)."""

    def order(path: Path_) -> list[str]:
        if not path:
            return ["modele", "base", *model.schema.fields, "clauses", "pieces_jointes"]
        if path == ("clauses",):
            return list(dict.fromkeys(model.clause_ids()))
        if len(path) == 2 and path[0] == "clauses" and path[1] in library.clauses:
            return ["variante", *library.clauses[str(path[1])].parametres.fields]
        spec = model.schema.find(tuple(str(p) for p in path))
        return list(spec.fields) if isinstance(spec, SectionSpec) else []

    return order
