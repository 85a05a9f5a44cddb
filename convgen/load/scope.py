"""Whose data a field is: the partner's own, or shared by every convention of a scheme.

A model's schema marks with `portee: partenaire` the fields (or whole sections) that belong to
the partner who signs — the commune, the organisme, their signatories, DPO, place and date of
signature. Such a value must never come from another partner's file: a batch over a `--base`
that reuses it would sign 49 conventions with Saint-Chamond's DPO and place of signature. So:

- in a batch, every partner field that the base sets must have a column in the table (or be
  declared shared for this batch with `--shared CHAMP`); the table is refused before anything is
  rendered, with the columns to add, and a row whose cell is empty is refused on its own;
- an instance never inherits a partner field from its `base:` file(s): it must write it itself.

Fields without `portee` are shared (the scheme, the mutuelle, clause settings).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from convgen.errors import InputError, Problem, problem_at
from convgen.load.schema import Portee, SectionSpec
from convgen.load.yamlload import YamlDoc


def partner_fields(section: SectionSpec, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Paths of the fields of `section` that belong to the partner."""
    for name, spec in section.fields.items():
        path = (*prefix, name)
        if isinstance(spec, SectionSpec):
            yield from partner_fields(spec, path)
        elif spec.portee == Portee.PARTENAIRE:
            yield path


def _value(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def inherited_partner_values(
    doc: YamlDoc, schema: SectionSpec, base_line: int | None
) -> list[Problem]:
    """Problems for the partner fields of a merged instance whose value comes from a base file.

    Each is reported in the instance itself: at its section's line when the instance writes
    that section, else at its `base:` line.
    """
    problems = []
    for path in partner_fields(schema):
        if _value(doc.data, path) is None or path not in doc.lines:
            continue
        source = doc.file_of(path)
        if source == doc.path:
            continue
        section = path[:-1]
        own_section = section in doc.lines and doc.file_of(section) == doc.path
        problems.append(
            problem_at(
                doc.path,
                doc.lines[section] if own_section else base_line,
                ".".join(path),
                f"donnée propre au partenaire reprise de {source.name}:{doc.lines[path]} :"
                " l'écrire dans ce fichier (les données d'un partenaire ne s'héritent pas d'un"
                " autre fichier)",
            )
        )
    return problems


def check_table_scope(
    columns: Iterable[str],
    schema: SectionSpec,
    base: dict[str, Any] | None,
    base_path: Path | None,
    shared: Iterable[str],
    table: Path,
) -> list[str]:
    """The partner fields each row must give (those the base sets, less `shared`).

    Raise `InputError` when a shared name is no partner field, or when the table has no column
    for one of them: nothing is rendered, and the message names the columns to add.
    """
    fields = {".".join(p) for p in partner_fields(schema)}
    shared = list(shared)
    unknown = [name for name in shared if name not in fields]
    if unknown:
        raise InputError(
            "option --shared invalide",
            [
                problem_at(
                    table,
                    None,
                    name,
                    f"--shared : « {name} » n'est pas une donnée propre au partenaire"
                    f" (celles du modèle : {', '.join(sorted(fields)) or 'aucune'})",
                )
                for name in unknown
            ],
        )
    if base is None:
        return []
    required = [
        name for name in sorted(fields)
        if name not in shared and _value(base, tuple(name.split("."))) is not None
    ]  # fmt: skip
    present = set(columns)
    missing = [name for name in required if name not in present]
    if missing:
        where = base_path.name if base_path else "la base"
        raise InputError(
            "tableau incomplet : aucun document produit",
            [
                problem_at(
                    table,
                    1,
                    None,
                    f"colonnes à ajouter : {', '.join(missing)} — ces données sont propres à chaque"
                    f" partenaire ; sans elles, chaque convention reprendrait celles de {where}"
                    " (si une valeur vaut pour tous : --shared CHAMP)",
                )
            ],
        )
    return required


def without_partner_fields(data: dict[str, Any], schema: SectionSpec) -> dict[str, Any]:
    """A copy of instance `data` without its partner fields."""
    out = _copy_sections(data)
    for path in partner_fields(schema):
        target: Any = out
        for part in path[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(path[-1], None)
    return out


def _copy_sections(data: Any) -> Any:
    return {k: _copy_sections(v) for k, v in data.items()} if isinstance(data, dict) else data


def row_scope_problem(values: dict[str, Any], required: list[str]) -> str | None:
    """Why a row cannot be built: partner fields its cells leave empty, or None."""
    empty = [name for name in required if name not in values]
    if not empty:
        return None
    return (
        f"cellules vides pour des données propres au partenaire : {', '.join(empty)}"
        " (la valeur de la base serait celle d'un autre partenaire)"
    )
