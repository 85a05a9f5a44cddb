"""Strict YAML: scalars stay as written, duplicated keys are reported with their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from convgen.errors import InputError
from convgen.load.yamlload import load_yaml_text


def test_scalars_are_kept_as_written() -> None:
    doc = load_yaml_text(
        "a: 01000\nb: NO\nc: 10:30\nd: 2025-04-17\ne:\nf: ''\ng: [1, yes]\n", Path("x.yaml")
    )
    assert doc.data == {
        "a": "01000",
        "b": "NO",
        "c": "10:30",
        "d": "2025-04-17",
        "e": None,
        "f": "",
        "g": ["1", "yes"],
    }
    assert doc.line_of(("d",)) == 4
    assert doc.line_of(("g", 1)) == 7


def test_duplicated_keys_are_all_reported() -> None:
    doc = load_yaml_text("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", Path("x.yaml"))
    messages = [str(p) for p in doc.problems]
    assert messages == [
        "x.yaml:4: b.c: clé en double (déjà définie ligne 3)",
        "x.yaml:5: a: clé en double (déjà définie ligne 1)",
    ]
    assert doc.data["a"] == "1"  # the first value is kept, never silently the last


def test_merge_keys_are_refused() -> None:
    doc = load_yaml_text("x: &x {a: 1}\ny:\n  <<: *x\n", Path("x.yaml"))
    assert "fusion YAML" in str(doc.problems[0])


def test_syntax_error_has_a_line() -> None:
    with pytest.raises(InputError) as info:
        load_yaml_text("a: [1,\nb: 2\n", Path("x.yaml"))
    assert info.value.problems[0].line is not None
