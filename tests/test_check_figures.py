"""Numbers in letters and figures, impossible dates and ends before starts, in one paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest

from convgen.check import check_paths
from convgen.check.figures import find_figure_problems, words_value


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("un", 1),
        ("une", 1),
        ("SEPT", 7),
        ("dix-sept", 17),
        ("vingt et un", 21),
        ("vingt-et-un", 21),
        ("soixante et onze", 71),
        ("quatre-vingts", 80),
        ("quatre-vingt-dix", 90),
        ("deux cents", 200),
        ("mille deux cent cinquante", 1250),
        ("délai", None),
    ],
)
def test_words_value(words: str, value: int | None) -> None:
    assert words_value(words) == value


@pytest.mark.parametrize(
    ("paragraph", "rule", "text"),
    [
        ("dans un délai de trente (20) jours", "nombre-incoherent", "trente (20)"),
        ("un préavis de 2 (trois) mois", "nombre-incoherent", "2 (trois)"),
        ("le 31 avril 2025", "date-invalide", "31 avril 2025"),
        ("reçu le 30/02/2025", "date-invalide", "30/02/2025"),
        (
            "La présente convention prend effet le 17/03/2025 pour une période allant jusqu'au "
            "31/12/2024.",
            "dates-incoherentes",
            "17/03/2025 pour une période allant jusqu'au 31/12/2024",
        ),
        ("du 1er mars 2025 au 28 février 2025", "dates-incoherentes", None),
    ],
)
def test_contradiction_is_found(paragraph: str, rule: str, text: str | None) -> None:
    [hit] = find_figure_problems(paragraph)
    assert hit.rule == rule and hit.severity == "error"
    if text is not None:
        assert hit.text == text


@pytest.mark.parametrize(
    "paragraph",
    [
        "non régularisé dans un délai de trente (30) jours suivant mise en demeure",
        "En 2 exemplaires originaux sur SEPT (7) pages",
        "ne pourra excéder cinq (5) années",
        "avec un préavis d'un (1) mois",
        "les conditions : (1) la commune, (2) le partenaire et (3) la caisse",
        "un bâtiment neuf (2020) accueille les permanences",
        "prend effet le 17/03/2025 pour une période allant jusqu'au 31/12/2025.",
        "le 29/02/2024",
        "Fait à SAINT CHAMOND, le 17/03/2025.",
        "du règlement (UE) 2016/679 du Parlement européen du 27 avril 2016",
    ],
)
def test_consistent_figures_are_fine(paragraph: str) -> None:
    assert find_figure_problems(paragraph) == []


def test_figures_rule_in_a_document(tmp_path: Path) -> None:
    path = tmp_path / "convention.txt"
    path.write_text(
        "Article 1 : Durée\nLa convention est conclue pour une durée de deux (3) ans.\n",
        encoding="utf-8",
    )
    [finding] = check_paths([path]).findings
    assert (finding.rule, finding.text, finding.location.article, finding.location.line) == (
        "nombre-incoherent",
        "deux (3)",
        "Article 1",
        2,
    )
