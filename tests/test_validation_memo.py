"""Sections validated once by content (`convgen.load.schema.ValidationMemo`): the same values
as validating each time, and never another instance's problems or lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from convgen.build import Project
from convgen.errors import Problem
from convgen.load.instances import validate_instance
from convgen.load.memo import RepeatMemo
from convgen.load.schema import ValidationMemo, parse_section
from convgen.load.values import Absent
from convgen.load.yamlload import load_yaml_text

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "instances" / "saint-chamond.yaml").read_text(encoding="utf-8")


PROJECT = Project(ROOT)


def _validate(text: str, name: str) -> tuple[dict, list[Problem], dict]:
    model = PROJECT.model("mutuelle-regionale")
    doc = load_yaml_text(text, Path(name))
    problems: list[Problem] = []
    instance = validate_instance(doc, model, PROJECT.library, problems)
    params = {k: s.params for k, s in instance.settings.items()}
    return instance.data, problems, params


def test_same_values_whether_remembered_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instances that differ in the commune only: from the third one, the mutuelle comes from
    the memory (not validated again), and equals what a fresh validation gives."""
    import convgen.load.schema as schema

    spec = PROJECT.model("mutuelle-regionale").schema.fields["mutuelle"]
    mutuelles: list[int] = []
    real = schema.validate_section

    def counting(raw, section, *args, **kwargs):  # type: ignore[no-untyped-def]
        if section is spec:
            mutuelles.append(1)
        return real(raw, section, *args, **kwargs)

    monkeypatch.setattr(schema, "validate_section", counting)
    schema.VALIDATED._entries.clear()
    results = []
    for i, (commune, code) in enumerate([("LE TEIL", "07400"), ("LES VANS", "07140"),
                                         ("ŒUILLY", "02160"), ("L'ÎLE-ROUSSE", "20220")]):  # fmt: skip
        text = BASE.replace("SAINT CHAMOND", commune).replace("42400", code)
        data, problems, params = _validate(text, f"{i}.yaml")
        assert problems == []
        assert data["commune"]["nom"] == commune
        results.append((data, params))
    assert len(mutuelles) == 2  # seen once, kept the second time, then remembered
    assert all(data["mutuelle"] == results[0][0]["mutuelle"] for data, _ in results)
    assert all(params == results[0][1] for _, params in results)
    doc = load_yaml_text(BASE, Path("c.yaml"))
    fresh = real(doc.data["mutuelle"], spec, doc, ("mutuelle",), [])
    assert fresh == results[-1][0]["mutuelle"]


def test_a_problem_is_reported_for_every_instance_at_its_own_line() -> None:
    """A section with a problem is not remembered: each instance gets its own message, with
    its own file and line (here the wrong e-mail is two lines lower in the second file)."""
    bad = BASE.replace("dpo_email: contact-cnll@miltis.fr", "dpo_email: pas-une-adresse")
    _, problems, _ = _validate(bad, "un.yaml")
    _validate(bad, "un.yaml")  # seen twice: would be kept if problems did not prevent it
    lower = bad.replace("modele: mutuelle-regionale", "modele: mutuelle-regionale\n\n", 1)
    _, problems2, _ = _validate(lower, "deux.yaml")
    assert [(Path(p.file).name, p.field) for p in problems] == [("un.yaml", "mutuelle.dpo_email")]
    assert [(Path(p.file).name, p.field) for p in problems2] == [
        ("deux.yaml", "mutuelle.dpo_email")
    ]
    assert problems2[0].line == problems[0].line + 2


SCHEMA = """\
telephone: {type: telephone, obligatoire: non}
courriel: {type: email}
exemplaires: {type: entier, defaut: "2"}
"""


def _spec(text: str = SCHEMA):
    doc = load_yaml_text(text, Path("schema.yaml"))
    problems: list[Problem] = []
    spec = parse_section(doc.data, doc, (), problems, "contact")
    assert problems == []
    return spec


def test_absent_values_keep_their_own_file() -> None:
    """An optional value left empty names where it would be written: a section holding one is
    validated again for each instance, never shared."""
    memo, spec = ValidationMemo(), _spec()
    values = []
    for file in ("x.yaml", "y.yaml"):
        doc = load_yaml_text("contact:\n  courriel: a@b.fr\n", Path(file))
        values.append(memo.validate(doc.data["contact"], spec, doc, ("contact",), []))
    assert isinstance(values[0]["telephone"], Absent) and isinstance(values[1]["telephone"], Absent)
    assert values[0]["telephone"].file.name == "x.yaml"
    assert values[1]["telephone"].file.name == "y.yaml"


def test_remembered_by_content_and_spec() -> None:
    """The same values give the remembered result (a copy, not the dict itself); other values,
    or the same values against another spec, are validated."""
    memo, spec = ValidationMemo(), _spec()
    doc = load_yaml_text("contact: {}\n", Path("z.yaml"))
    raw = {"telephone": "03 53 73 21 40", "courriel": "a@b.fr"}
    first = memo.validate(raw, spec, doc, ("contact",), [])
    again = memo.validate(dict(raw), spec, doc, ("contact",), [])
    assert again == first == {"telephone": "03 53 73 21 40", "courriel": "a@b.fr", "exemplaires": 2}
    assert again is not first
    other: list[Problem] = []
    changed = memo.validate({**raw, "exemplaires": "3"}, spec, doc, ("contact",), other)
    assert changed["exemplaires"] == 3 and other == []
    spec3 = _spec(SCHEMA.replace('defaut: "2"', 'defaut: "5"'))
    assert memo.validate(dict(raw), spec3, doc, ("contact",), [])["exemplaires"] == 5
    wrong: list[Problem] = []
    memo.validate({**raw, "courriel": "pas-une-adresse"}, spec, doc, ("contact",), wrong)
    memo.validate({**raw, "courriel": "pas-une-adresse"}, spec, doc, ("contact",), wrong)
    assert [p.field for p in wrong] == ["contact.courriel", "contact.courriel"]


def test_a_value_is_kept_the_second_time_its_key_is_seen() -> None:
    """What a single row writes (its commune) is never kept; what comes back is, within the
    limit, and a full memory empties and fills again with what keeps coming back."""
    memo: RepeatMemo[str] = RepeatMemo(limit=3, seen_limit=100)
    memo.put(("commune", "LE TEIL"), "a")
    assert memo.get(("commune", "LE TEIL")) is None and len(memo) == 0
    memo.put(("commune", "LE TEIL"), "a")
    assert memo.get(("commune", "LE TEIL")) == "a"
    for i in range(5):
        memo.put(i, str(i))
        memo.put(i, str(i))
        assert len(memo) <= 3
    assert memo.get(4) == "4"
    small: RepeatMemo[int] = RepeatMemo(limit=10, seen_limit=2)
    for i in range(50):
        small.put(f"ligne {i}", i)
    assert len(small) == 0 and len(small._seen) <= 2


def test_sections_alike_in_many_instances_are_validated_once_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The third instance writing a section alike gets it from the memory, not validated."""
    import convgen.load.schema as schema

    memo, spec = ValidationMemo(), _spec()
    calls: list[int] = []
    real = schema.validate_section

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(schema, "validate_section", counting)
    doc = load_yaml_text("contact: {}\n", Path("z.yaml"))
    raw = {"telephone": "03 53 73 21 40", "courriel": "a@b.fr"}
    values = [memo.validate(dict(raw), spec, doc, ("contact",), []) for _ in range(5)]
    assert len(calls) == 2 and all(v == values[0] for v in values)
