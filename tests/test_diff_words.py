"""Word-level diff inside a pair: grouped changes, typography folded, exact reconstruction."""

from __future__ import annotations

import pytest

from convgen.diff.words import diff_paragraphs, text_of, tokenize


def _changes(old: str, new: str) -> list[tuple[str, str]]:
    return [(c.old, c.new) for c in diff_paragraphs([old], [new]).changes]


def test_duration_written_in_words_and_figures_is_one_change() -> None:
    assert _changes(
        "en respectant un préavis de trois (3) mois.",
        "en respectant un préavis de deux (2) mois.",
    ) == [("trois (3)", "deux (2)")]


def test_typography_never_shows_as_a_change() -> None:
    old = "L’organisme s’engage\u00a0: 10\u202f000\u00a0€ … ﬁn"
    new = "L'organisme s'engage : 10 000 € ... fin"
    assert diff_paragraphs([old], [new]).identical


def test_bullets_of_word_and_pdf_are_the_same_item() -> None:
    assert diff_paragraphs(
        ["• Le nombre d’adhérents ;"], ["\uf0b7 Le nombre d'adhérents ;"]
    ).identical


def test_paragraph_breaks_alone_are_layout_not_changes() -> None:
    diff = diff_paragraphs(
        ["1) L'organisme", "L'organisme s'engage."], ["1) L'organisme L'organisme s'engage."]
    )
    assert diff.identical
    assert not diff.changes
    assert any(not s.equal for s in diff.segments)  # kept for the Word redline


def test_distant_changes_stay_separate() -> None:
    assert _changes(
        "Le CCAS transmet chaque année un bilan détaillé au conseil d'administration.",
        "Le CCAS transmet chaque semestre un bilan détaillé au conseil municipal.",
    ) == [("année", "semestre"), ("d'administration", "municipal")]


def test_punctuation_between_changes_is_merged() -> None:
    assert _changes("du 1er janvier au 31 décembre 2025", "du 1er mars au 30 juin 2026") == [
        ("janvier au 31 décembre 2025", "mars au 30 juin 2026")
    ]


def test_insertions_and_deletions() -> None:
    assert _changes(
        "par lettre recommandée.", "par lettre recommandée avec accusé de réception."
    ) == [("", "avec accusé de réception")]
    assert _changes(
        "Elle est conclue pour un an renouvelable.", "Elle est conclue pour un an."
    ) == [("renouvelable", "")]


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["  • Le  nombre d’adhérents ;  ", "↳ adaptée", "", "a ↳ b"],
        ["Article 1\u00a0: Objet", "Texte (avec « guillemets »)."],
    ],
)
def test_tokens_give_back_the_exact_text(paragraphs: list[str]) -> None:
    tokens = tokenize(paragraphs)
    rebuilt = "".join("\n" if t.is_para else t.raw for t in tokens).split("\n")
    assert rebuilt == [p if p.strip() else "" for p in paragraphs]
    assert text_of(tokens).split("\n")[0] == paragraphs[0].strip()


def test_sommaire_dot_leaders_and_blank_paragraphs_are_not_wording() -> None:
    word = ["Article 1 : Objet de la convention\t3", "\n", "Article 2 : Durée\t4"]
    pdf = ["Article 1 : Objet de la convention.................... 3", "Article 2 : Durée..... 4"]
    assert diff_paragraphs(word, pdf).identical
    # a placeholder of dots is still different from a filled value
    assert _changes("DPO : .....", "DPO : M. Dupont") == [("", "M. Dupont")]
