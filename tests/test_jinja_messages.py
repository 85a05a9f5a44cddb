"""Jinja's syntax errors in a clause are said in French, with the clause's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from convgen.errors import Problem
from convgen.load.clauses import load_clause

FRONT = "---\nid: objet\ntitre: Objet\ncategorie: objet\n---\n"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("Texte {{ p.x | inexistant }}.\n", "filtre inconnu « inexistant »"),
        ("{% if p.x %}a\n", "bloc « {% if %} » jamais fermé"),
    ],
)
def test_jinja_errors_in_french_at_the_clause_line(tmp_path: Path, body: str, said: str) -> None:
    path = tmp_path / "objet.md"
    path.write_text(FRONT + "\n" + body, encoding="utf-8")
    problems: list[Problem] = []
    load_clause(path, problems)
    (problem,) = [str(p) for p in problems]
    assert said in problem, problem
    assert problem.startswith(f"{path}:7: ")
    assert "No " not in problem and "named" not in problem
