"""Plausible values: `min:`/`max:` declared by a schema, and the bounds of each type otherwise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from convgen.errors import Problem
from convgen.load.schema import parse_section, validate_section
from convgen.load.values import default_bounds
from convgen.load.yamlload import load_yaml_text

SCHEMA = """\
convention:
  exemplaires: {type: entier, min: 1, max: 20}
  duree: {type: duree, min: 1 mois, max: 10 ans}
  montant: {type: montant}
  date_effet: {type: date}
  retenue: {type: decimal}
"""


def _validate(values: str) -> list[str]:
    problems: list[Problem] = []
    schema_doc = load_yaml_text(SCHEMA, Path("modele.yaml"))
    spec = parse_section(schema_doc.data, schema_doc, (), problems)
    assert problems == []
    doc = load_yaml_text(values, Path("i.yaml"))
    validate_section(doc.data, spec, doc, (), problems)
    return [str(p) for p in problems]


GOOD = {"exemplaires": "2", "duree": "2 ans", "montant": "1500", "date_effet": "2025-04-17",
        "retenue": "-2,5"}  # fmt: skip


def _instance(**changed: str) -> str:
    values = {**GOOD, **changed}
    return "convention:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items())


def test_plausible_values_pass() -> None:
    assert _validate(_instance()) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("exemplaires", "0", "« 0 » est trop petit : au moins 1"),
        ("exemplaires", "-3", "« -3 » est trop petit : au moins 1"),
        ("exemplaires", "21", "« 21 » est trop grand : au plus 20"),
        ("exemplaires", "9" * 400, "est trop grand : au plus 20"),
        ("duree", "15 jours", "« 15\u00a0jours » est trop petit : au moins 1\u00a0mois"),
        ("duree", "99999999999 ans", "est trop grand : au plus 10\u00a0ans"),
        ("montant", "-10", "« -10 » est trop petit : au moins 0"),
        ("date_effet", "2099-04-17", "« 17/04/2099 » est trop lointaine : au plus tard le"),
        (
            "date_effet",
            "0001-01-01",
            "« 01/01/0001 » est trop ancienne : au plus tôt le 01/01/1800",
        ),
    ],
)
def test_implausible_value_refused_at_its_line(field: str, value: str, message: str) -> None:
    (problem,) = _validate(_instance(**{field: value}))
    line = 2 + list(GOOD).index(field)
    assert problem.startswith(f"i.yaml:{line}: convention.{field}: ")
    assert message in problem


def test_default_bounds_of_each_type() -> None:
    today = date(2026, 12, 3)
    assert default_bounds("entier") == (0, 10**12)
    low, high = default_bounds("date", today)  # type: ignore[misc]
    assert (low, high) == (date(1800, 1, 1), date(2056, 12, 3))
    assert default_bounds("texte") is None


def test_bounds_on_a_text_or_not_of_the_type_are_schema_problems() -> None:
    problems: list[Problem] = []
    doc = load_yaml_text(
        "a: {type: texte, min: 3}\nb: {type: entier, max: beaucoup}\n", Path("modele.yaml")
    )
    parse_section(doc.data, doc, (), problems)
    assert [str(p) for p in problems] == [
        "modele.yaml:1: a.min: « min » ne s'applique qu'à un nombre, un montant, une date ou une"
        " durée",
        "modele.yaml:2: b.max: « beaucoup » n'est pas un nombre entier (ex. 3)",
    ]
