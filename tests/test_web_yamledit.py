"""Saving a list from the form keeps the comments the user did not touch, above all the comment
lines that follow the list (ruamel keeps them with its last row)."""

from __future__ import annotations

import difflib
from pathlib import Path

from convgen.load.yamlload import load_yaml
from convgen.web.yamledit import apply_changes, load_roundtrip

REPO = Path(__file__).resolve().parent.parent
CPAM = REPO / "instances" / "cpam-cote-opale.yaml"
LIST = ("partenaire", "indicateurs_specifiques")
AFTER = "# Signature à Calais ; la convention est conclue pour un an à compter de cette date."

SMALL = """a:
  - x   # le premier
  - 'y'

# rubrique suivante
b:
  - k: 1
    m: 2  # en ligne

# après b
c: 3
"""


def no_order(path: tuple[object, ...]) -> list[str]:
    return []


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def rows_of(text: str) -> list[dict[str, str]]:
    return [dict(r) for r in load_roundtrip(text)[LIST[0]][LIST[1]]]


def test_editing_one_row_changes_one_line() -> None:
    text = CPAM.read_text(encoding="utf-8")
    rows = rows_of(text)
    rows[0]["source"] = "CCAS (revu)"
    saved = apply_changes(text, {LIST: rows}, no_order)
    assert changed_lines(text, saved) == ["-      source: CCAS", "+      source: CCAS (revu)"]


def test_removing_or_adding_the_last_row_keeps_the_comment_after_the_list(
    tmp_path: Path,
) -> None:
    text = CPAM.read_text(encoding="utf-8")
    rows = rows_of(text)
    fewer = apply_changes(text, {LIST: rows[:-1]}, no_order)
    more = apply_changes(
        text,
        {
            LIST: [
                *rows,
                {"libelle": "Nouvel indicateur", "source": "CPAM", "periodicite": "annuelle"},
            ]
        },
        no_order,
    )
    for saved, count in ((fewer, len(rows) - 1), (more, len(rows) + 1)):
        assert saved.count(AFTER) == 1
        assert f"\n\n{AFTER}\nconvention:" in saved
        path = tmp_path / "instance.yaml"
        path.write_text(saved, encoding="utf-8")
        read = load_yaml(path)
        assert read.problems == []
        assert len(read.data["partenaire"]["indicateurs_specifiques"]) == count
    assert "- libelle: Nouvel indicateur" in more.split(AFTER)[0]  # the new row before it


def test_lists_of_values_and_of_rows_keep_their_comments() -> None:
    added = apply_changes(SMALL, {("a",): ["x", "y", "z"]}, no_order)
    assert added.startswith("a:\n  - x   # le premier\n  - 'y'\n  - z\n\n# rubrique suivante\nb:")
    removed = apply_changes(SMALL, {("a",): ["x"]}, no_order)
    assert removed.startswith("a:\n  - x   # le premier\n\n# rubrique suivante\nb:")
    edited = apply_changes(SMALL, {("a",): ["w", "y"]}, no_order)
    assert changed_lines(SMALL, edited) == ["-  - x   # le premier", "+  - w   # le premier"]
    row = apply_changes(SMALL, {("b",): [{"k": "1"}]}, no_order)
    assert row.endswith("b:\n  - k: 1\n\n# après b\nc: 3\n")
