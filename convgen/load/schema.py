"""Typed schemas (a model's instance schema, a clause's parameters) and validation against them.

A schema is written in YAML by legal staff (see templates/README.md): a leaf is a mapping with a
`type` key, any other mapping is a section. Validation converts the strings of an instance to
typed values and collects *every* problem (missing value, unknown key with a "did you mean",
wrong type) with its file and line, instead of stopping at the first one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from convgen.errors import Problem, problem_at
from convgen.load.memo import RepeatMemo, Uncacheable, content_key
from convgen.load.values import (
    BOUNDED_TYPES,
    NULL_WORDS,
    SIMPLE_TYPES,
    TYPE_LABELS,
    TYPES,
    Absent,
    ValueTypeError,
    convert_scalar,
    default_bounds,
    holds_absent,
    out_of_bounds,
    parse_bool,
)
from convgen.load.yamlload import YamlDoc, dotted

FIELD_KEYS = {
    "type", "description", "exemple", "defaut", "obligatoire", "choix", "elements", "portee",
    "min", "max",
}  # fmt: skip


class Portee(str, Enum):
    """Whose data a field is (`portee:`): see convgen.load.scope."""

    PARTENAIRE = "partenaire"
    COMMUN = "commun"


PORTEES = tuple(p.value for p in Portee)


@dataclass
class FieldSpec:
    """One typed value: `type` is a name of convgen.load.values.TYPES."""

    name: str
    type: str
    description: str = ""
    exemple: Any = None
    defaut: Any = None  # raw, as written in YAML (str, list or None)
    obligatoire: bool = True
    choix: list[str] | None = None
    elements: Spec | None = None  # for "liste"
    portee: str = "commun"  # "partenaire": the signing partner's own data (convgen.load.scope)
    # `min:`/`max:` of a number, amount, date or duration (values of its type); without them
    # the plausible bounds of its type (`values.default_bounds`).
    min: Any = None
    max: Any = None

    @property
    def has_default(self) -> bool:
        return self.defaut is not None


@dataclass
class SectionSpec:
    """A group of fields (`ccas:`, `organisme:`...)."""

    name: str
    fields: dict[str, Spec] = field(default_factory=dict)
    description: str = ""
    portee: str = "commun"

    def find(self, path: tuple[str, ...]) -> Spec | None:
        """The spec at dotted `path` (("ccas", "nom")), or None."""
        spec: Spec | None = self
        for part in path:
            spec = spec.fields.get(part) if isinstance(spec, SectionSpec) else None
        return spec


Spec = FieldSpec | SectionSpec


# --------------------------------------------------------------------------- parsing specs


def parse_section(
    raw: Any,
    ydoc: YamlDoc,
    path: tuple[Any, ...],
    problems: list[Problem],
    name: str = "",
    portee: str = "commun",
) -> SectionSpec:
    """Parse a section of a schema written in YAML; append problems instead of raising.

    A section's `portee` is that of every field in it that does not say its own.
    """
    if isinstance(raw, dict) and "portee" in raw and not isinstance(raw["portee"], dict):
        portee = _portee(raw["portee"], ydoc, (*path, "portee"), problems, portee)
    section = SectionSpec(name=name, portee=portee)
    if raw is None:
        return section
    if not isinstance(raw, dict):
        problems.append(_p(ydoc, path, "une section du schéma doit être un dictionnaire"))
        return section
    for key, value in raw.items():
        if key == "description" and isinstance(value, str):
            section.description = value
            continue
        if key == "portee" and not isinstance(value, dict):
            continue
        section.fields[key] = parse_spec(value, ydoc, (*path, key), problems, key, portee)
    return section


def _portee(
    raw: Any, ydoc: YamlDoc, path: tuple[Any, ...], problems: list[Problem], inherited: str
) -> str:
    if raw in PORTEES:
        return str(raw)
    problems.append(
        _p(
            ydoc,
            path,
            f"portée inconnue « {raw} » (portées : {', '.join(PORTEES)}){_suggest(str(raw), PORTEES)}",
        )
    )
    return inherited


def parse_spec(
    raw: Any,
    ydoc: YamlDoc,
    path: tuple[Any, ...],
    problems: list[Problem],
    name: str,
    portee: str = "commun",
) -> Spec:
    if isinstance(raw, dict) and "type" in raw:
        return parse_field(raw, ydoc, path, problems, name, portee)
    if isinstance(raw, str) and raw in TYPES:  # shorthand `nom: texte`
        return FieldSpec(name=name, type=raw, portee=portee)
    return parse_section(raw, ydoc, path, problems, name, portee)


def parse_field(
    raw: dict[str, Any],
    ydoc: YamlDoc,
    path: tuple[Any, ...],
    problems: list[Problem],
    name: str,
    portee: str = "commun",
) -> FieldSpec:
    for key in raw:
        if key not in FIELD_KEYS:
            problems.append(
                _p(ydoc, (*path, key), f"clé inconnue dans un champ{_suggest(key, FIELD_KEYS)}")
            )
    type_ = raw.get("type")
    if type_ not in TYPES:
        problems.append(
            _p(ydoc, (*path, "type"), f"type inconnu « {type_} » (types : {', '.join(TYPES)})")
        )
        type_ = "texte"
    try:
        obligatoire = parse_bool(raw.get("obligatoire", "oui"))
    except ValueTypeError as exc:
        problems.append(_p(ydoc, (*path, "obligatoire"), str(exc)))
        obligatoire = True
    spec = FieldSpec(
        name=name,
        type=type_,
        description=raw.get("description") or "",
        exemple=raw.get("exemple"),
        defaut=raw.get("defaut"),
        obligatoire=obligatoire,
        choix=raw.get("choix") if isinstance(raw.get("choix"), list) else None,
        portee=_portee(raw["portee"], ydoc, (*path, "portee"), problems, portee)
        if "portee" in raw
        else portee,
    )
    for bound in ("min", "max"):
        if raw.get(bound) is None:
            continue
        if type_ not in BOUNDED_TYPES:
            problems.append(
                _p(
                    ydoc,
                    (*path, bound),
                    f"« {bound} » ne s'applique qu'à un nombre, un montant, une date ou une durée",
                )  # fmt: skip
            )
            continue
        try:
            setattr(spec, bound, convert_scalar(str(raw[bound]), type_))
        except ValueTypeError as exc:
            problems.append(_p(ydoc, (*path, bound), str(exc)))
    if type_ == "choix" and not spec.choix:
        problems.append(_p(ydoc, path, "un champ de type choix doit lister ses valeurs (choix:)"))
    if type_ == "liste":
        elements = raw.get("elements", "texte")
        spec.elements = parse_spec(elements, ydoc, (*path, "elements"), problems, name)
    if spec.defaut is not None:
        # A default must itself be valid: check it now, against the spec, from the library file.
        scratch: list[Problem] = []
        validate_value(spec.defaut, spec, ydoc, (*path, "defaut"), scratch, from_default=True)
        for prob in scratch:
            problems.append(
                Problem(prob.file, prob.line, prob.field, f"valeur par défaut : {prob.message}")
            )
    return spec


# --------------------------------------------------------------------------- validation


class ValidationMemo:
    """Sections already validated, kept by content: a batch of 35,000 rows (or a folder of
    2,000 instances written from the same base) writes its mutuelle, its dispositif and most
    clause parameters alike in every instance; each is converted once.

    Only what does not depend on where it is written is kept: a section whose validation gave
    a problem, or holds an `Absent` (it names its file and line for the message of a clause that
    prints it), is validated again every time. The typed values are shared between instances:
    nothing modifies them (templates cannot, see convgen.compose.bounded_sandbox).
    """

    LIMIT = 512  # bounded: a worker's memory must not grow with the rows

    def __init__(self) -> None:
        # kept from the second time alike: a row's own section (its commune) is never kept
        self._entries: RepeatMemo[tuple[SectionSpec, Any]] = RepeatMemo(self.LIMIT)

    def _key(self, spec: SectionSpec, raw: Any) -> tuple[int, Any] | None:
        if not isinstance(raw, dict):
            return None
        try:
            return (id(spec), content_key(raw))
        except (Uncacheable, TypeError):
            return None

    def validate(
        self,
        raw: Any,
        spec: SectionSpec,
        ydoc: YamlDoc,
        path: tuple[Any, ...],
        problems: list[Problem],
        defaults_doc: YamlDoc | None = None,
    ) -> dict[str, Any]:
        """`validate_section`, or the value it gave for the same `raw` and `spec`."""
        key = self._key(spec, raw)
        if key is not None:
            known = self._entries.get(key)
            if known is not None and known[0] is spec:  # the same spec, not a reused address
                return dict(known[1])
        before = len(problems)
        value = validate_section(raw, spec, ydoc, path, problems, defaults_doc)
        if key is not None and len(problems) == before and not holds_absent(value):
            self._entries.put(key, (spec, value))
        return value


VALIDATED = ValidationMemo()


def validate_section(
    raw: Any,
    spec: SectionSpec,
    ydoc: YamlDoc,
    path: tuple[Any, ...],
    problems: list[Problem],
    defaults_doc: YamlDoc | None = None,
    memo: ValidationMemo | None = None,
) -> dict[str, Any]:
    """Validate the mapping `raw` against `spec`; return typed values, append problems.

    With `memo`, each section directly under `spec` is validated through it."""
    result: dict[str, Any] = {}
    if raw is not None and not isinstance(raw, dict):
        problems.append(_p(ydoc, path, "une section (des clés: valeurs) est attendue ici"))
        raw = None
    given = raw or {}
    for key in given:
        if key not in spec.fields:
            problems.append(
                _p(ydoc, (*path, key), f"clé inconnue{_suggest(key, spec.fields.keys())}")
            )
    for key, sub in spec.fields.items():
        sub_path = (*path, key)
        if isinstance(sub, SectionSpec):
            section = memo.validate if memo is not None else validate_section
            result[key] = section(given.get(key), sub, ydoc, sub_path, problems)
            continue
        if given.get(key) is None:
            if sub.has_default:
                result[key] = validate_value(
                    sub.defaut, sub, defaults_doc or ydoc, sub_path, [], from_default=True
                )
            elif not sub.obligatoire:
                result[key] = Absent(
                    dotted(sub_path), ydoc.file_of(sub_path), ydoc.line_of(sub_path)
                )
            else:
                what = f" ({sub.description})" if sub.description else ""
                # a missing key has no line: line_of() falls back to its section's line
                problems.append(_p(ydoc, sub_path, f"valeur manquante{what}", missing=True))
            continue
        result[key] = validate_value(given[key], sub, ydoc, sub_path, problems)
    return result


def validate_value(
    raw: Any,
    spec: Spec,
    ydoc: YamlDoc,
    path: tuple[Any, ...],
    problems: list[Problem],
    from_default: bool = False,
) -> Any:
    if isinstance(spec, SectionSpec):
        return validate_section(raw, spec, ydoc, path, problems)
    if spec.type == "liste":
        if raw is None:
            return []
        if not isinstance(raw, list):
            problems.append(_p(ydoc, path, "une liste est attendue (des lignes « - … »)"))
            return []
        assert spec.elements is not None
        return [
            validate_value(item, spec.elements, ydoc, (*path, i), problems, from_default)
            for i, item in enumerate(raw)
        ]
    if isinstance(raw, (dict, list)):
        problems.append(_p(ydoc, path, f"une valeur simple est attendue : {_label(spec)}"))
        return None
    if raw is None:
        problems.append(_p(ydoc, path, "valeur manquante", missing=True))
        return None
    if isinstance(raw, str) and raw.strip().lower() in NULL_WORDS:
        problems.append(
            _p(
                ydoc,
                path,
                f"« {raw.strip()} » n'est pas une valeur : écrire la valeur, ou laisser vide"
                " (ou supprimer la ligne) pour un champ facultatif",
            )
        )
        return None
    try:
        value = convert_scalar(raw, spec.type, spec.choix)
    except ValueTypeError as exc:
        problems.append(_p(ydoc, path, str(exc)))
        return None
    if spec.type in BOUNDED_TYPES:
        low, high = default_bounds(spec.type) or (None, None)
        why = out_of_bounds(
            value,
            spec.min if spec.min is not None else low,
            spec.max if spec.max is not None else high,
        )
        if why is not None:
            problems.append(_p(ydoc, path, why))
            return None
    return value


def _label(spec: FieldSpec) -> str:

    return TYPE_LABELS[spec.type]


def _suggest(key: str, candidates: Any) -> str:
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return f" ; vouliez-vous dire « {close[0]} » ?" if close else ""


suggest = _suggest


def _p(ydoc: YamlDoc, path: tuple[Any, ...], message: str, *, missing: bool = False) -> Problem:
    found = problem_at(ydoc.path, ydoc.line_of(path), dotted(path), message)
    return replace(found, path=tuple(path), missing=missing)


__all__ = ["FieldSpec", "SectionSpec", "Spec", "SIMPLE_TYPES", "parse_section", "validate_section"]
