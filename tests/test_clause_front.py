"""A clause's front matter is typed: a text where a text is expected, each mistake at its line."""

from __future__ import annotations

from pathlib import Path

from convgen.errors import Problem
from convgen.load.clauses import load_clause

BODY = "Le texte de la clause.\n"


def _load(tmp_path: Path, front: str) -> list[str]:
    path = tmp_path / "objet.md"
    path.write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    problems: list[Problem] = []
    load_clause(path, problems)
    return [str(p) for p in problems]


def test_well_formed_front_matter_has_no_problem(tmp_path: Path) -> None:
    assert _load(tmp_path, "id: objet\ntitre: Objet\ncategorie: objet\nsource: CCAS\n") == []


def test_list_and_dictionary_where_a_text_is_expected(tmp_path: Path) -> None:
    problems = _load(tmp_path, "id: objet\ntitre: [Objet, Durée]\ncategorie: {a: 1}\n")
    assert problems == [
        f"{tmp_path / 'objet.md'}:3: titre: un texte est attendu, pas une liste",
        f"{tmp_path / 'objet.md'}:4: categorie: un texte est attendu, pas un dictionnaire",
    ]


def test_empty_required_text_is_still_missing(tmp_path: Path) -> None:
    problems = _load(tmp_path, "id: objet\ntitre:\ncategorie: objet\nsource: [a]\n")
    assert any("titre: valeur manquante" in p for p in problems)
    assert any(":5: source: un texte est attendu, pas une liste" in p for p in problems)
