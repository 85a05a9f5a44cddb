"""The rule registry: every rule declared once, its examples really reported by that rule."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from convgen.check.hits import RULES
from convgen.check.model import all_rules
from convgen.check.placeholders import find_placeholders
from convgen.check.rules import BLANK, REGISTRY, Severity
from convgen.cli import cli
from convgen.read.textnorm import fold_line

# Rules found on a whole table or document, not inside one paragraph.
NOT_IN_A_PARAGRAPH = {"tableau-vide"}


@pytest.mark.parametrize(
    ("rule_id", "example"),
    [
        (r.id, e)
        for r in REGISTRY.values()
        if r.kind == BLANK and r.id not in NOT_IN_A_PARAGRAPH
        for e in r.examples
    ],
)
def test_each_placeholder_example_is_reported_by_its_rule(rule_id: str, example: str) -> None:
    hits = find_placeholders(fold_line(example))
    assert [h.rule for h in hits] == [rule_id]
    assert hits[0].severity == REGISTRY[rule_id].severity


def test_every_rule_has_a_title_and_examples_and_one_severity() -> None:
    assert list(all_rules()) == list(REGISTRY)
    assert set(RULES) == {r.id for r in REGISTRY.values() if r.kind == BLANK}
    for r in REGISTRY.values():
        assert r.title and r.examples and r.severity in (Severity.ERROR, Severity.WARNING)


def test_rules_listing_and_sarif_read_the_registry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    listing = CliRunner().invoke(cli, ["check", "--rules"])
    assert listing.exit_code == 0
    for r in REGISTRY.values():
        assert r.id in listing.output and r.title in listing.output
    draft = tmp_path / "projet.txt"
    draft.write_text("Article 1 – Objet\nLa commune de XXXXX.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(draft), "--format", "sarif"])
    driver = json.loads(result.stdout)["runs"][0]["tool"]["driver"]
    described = {r["id"]: r for r in driver["rules"]}
    assert set(described) == set(REGISTRY)
    assert described["consigne-redaction"]["defaultConfiguration"]["level"] == "warning"
    assert "Exemples" in described["marqueur-x"]["fullDescription"]["text"]
