"""References to articles, numbering and sommaire, on small conventions written for each case."""

from __future__ import annotations

from pathlib import Path

import docx

from convgen.check import check_document
from convgen.check.consistency import same_title
from convgen.check.model import Finding
from convgen.read.extract import read_document

PARTIES = """Convention de partenariat

Entre la Commune de Niort, représentée par son maire, M. Jérôme BALOGE,
Et l'association Solidarité Santé, représentée par sa présidente, Mme Anne MARTIN,
"""


def _check(tmp_path: Path, body: str, name: str = "convention.txt") -> list[Finding]:
    path = tmp_path / name
    path.write_text(PARTIES + body, encoding="utf-8")
    return check_document(read_document(path))


def _rules(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def test_reference_to_missing_sub_article(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """
Article 1 : Objet
La présente convention a pour objet le partenariat.
Article 2 : Résiliation
En cas de manquement aux obligations de l'article 1.2 de la présente convention, elle est résiliée.
""",
    )
    [ref] = _rules(findings, "reference-article")
    assert ref.text == "article 1.2"
    assert ref.location.article == "Article 2"
    assert "1.2" in ref.message


def test_references_that_exist_or_point_to_other_texts_are_fine(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """
Article 1 : Objet
Les articles 2 et 3 précisent les engagements ; voir aussi l'article 1er.
Article 2 : Engagements
1) La commune
La commune s'engage comme dit à l'article 2.1 ci-dessus.
2) L'association
Conformément à l'article L.511-1 du Code des assurances, à l'article 6 du règlement (UE)
2016/679 et à l'article 9 de la loi n°78-17, rien de plus.
Article 3 : Durée
La convention dure un an, sauf application de l'article 2.2.
L'article le plus discuté reste l'article 3, puis l'article L. 511 du code.
""",
    )
    assert _rules(findings, "reference-article") == []


def test_reference_lists_and_ranges_are_each_checked(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """
Article 1 : Objet
Les articles 2, 3 et 7 s'appliquent.
Article 2 : Engagements
Texte.
Article 3 : Durée
Texte.
""",
    )
    [ref] = _rules(findings, "reference-article")
    assert "7" in ref.message and ref.location.article == "Article 1"


def test_numbering_gap_zero_and_duplicate(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """
Article 00 : Préalable
Texte.
Article 1 : Objet
Texte.
Article 2 : Durée
Texte.
Article 2 : Résiliation
Texte.
Article 3 : Engagements
Texte.
Article 5 : Litiges
Texte.
""",
    )
    numbering = _rules(findings, "numerotation-articles")
    by_text = {f.text: f.message for f in numbering}
    assert set(by_text) == {
        "Article 00 : Préalable",
        "Article 2 : Résiliation",
        "Article 5 : Litiges",
    }
    assert "invalide" in by_text["Article 00 : Préalable"]
    assert "double" in by_text["Article 2 : Résiliation"]
    assert "il manque l'article 4" == by_text["Article 5 : Litiges"].split(" : ")[-1]


def test_nine_then_eleven(tmp_path: Path) -> None:
    body = "".join(f"\nArticle {n} : Titre {n}\nTexte.\n" for n in [*range(1, 10), 11])
    [gap] = _rules(_check(tmp_path, body), "numerotation-articles")
    assert gap.text == "Article 11 : Titre 11" and "10" in gap.message


def test_sub_article_numbering(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """
Article 1 : Durée
1.1 Durée
Texte.
1.3 Renouvellement
Texte.
""",
    )
    [gap] = _rules(findings, "numerotation-articles")
    assert gap.text.startswith("1.3") and "1.2" in gap.message


def test_roman_numbered_articles(tmp_path: Path) -> None:
    findings = _check(
        tmp_path,
        """
Article I : Objet
Voir l'article II.
Article II : Durée
Texte.
Article IV : Litiges
Texte.
""",
    )
    assert not [f for f in findings if f.rule == "marqueur-x"]
    [gap] = _rules(findings, "numerotation-articles")
    assert gap.text == "Article IV : Litiges"
    assert _rules(findings, "reference-article") == []


SOMMAIRE = """
Sommaire
Préambule\tp\t2
Article 1 – objet de la convention\tp\t2
Article 2 – Financement..... p 3
Article 3 – Durée..... p 3
Article 4 – Litiges..... p 4

Préambule
Les parties se sont rapprochées.
Article 1 : Objet de la convention
Texte.
Article 2 : Durée
Texte.
Article 3 : Durée
Texte.
"""


def test_sommaire_entries_against_body(tmp_path: Path) -> None:
    findings = _rules(_check(tmp_path, SOMMAIRE), "sommaire")
    by_text = {f.text: f for f in findings}
    assert set(by_text) == {"Article 2 – Financement", "Article 4 – Litiges"}
    assert by_text["Article 4 – Litiges"].severity == "error"
    assert "absent" in by_text["Article 4 – Litiges"].message
    assert by_text["Article 2 – Financement"].severity == "warning"
    assert "Durée" in by_text["Article 2 – Financement"].message
    assert all(f.location.article == "Sommaire" for f in findings)


def test_sommaire_in_word_with_tabs_and_leaders(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Convention de partenariat")
    document.add_paragraph("S o m m a i r e")
    document.add_paragraph("Article 1 – Objet\tp\t3")
    document.add_paragraph("Article 2 – public concerné.....\tp\t4")
    document.add_paragraph("Entre la commune de Niort et l'association,")
    document.add_paragraph("Article 1 : Objet", style="Heading 1")
    document.add_paragraph("Texte.")
    document.add_paragraph("Article 2 : Public concerné", style="Heading 1")
    document.add_paragraph("Texte.")
    document.add_paragraph("Article 3 : Durée", style="Heading 1")
    document.add_paragraph("Texte.")
    path = tmp_path / "sommaire.docx"
    document.save(str(path))
    findings = check_document(read_document(path))
    [missing] = _rules(findings, "sommaire")
    assert missing.text == "Article 3 : Durée" and missing.severity == "warning"
    assert missing.location.paragraph == 10


def test_same_title_ignores_case_typography_and_page_numbers() -> None:
    assert same_title("public concerné", "Public concerné")
    assert same_title("Durée, renouvellement, modification", "Durée , renouvellement, modification")
    assert same_title(
        "Evaluation et modalités de pilotage 6", "Évaluation et modalités de pilotage"
    )
    assert not same_title("Financement", "Durée")


def test_annex_references_are_checked_when_the_document_has_annexes(tmp_path: Path) -> None:
    body = """
Article 1 : Objet
Les contacts figurent en annexe 1 ; le circuit des demandes en annexe 2 (annexes 1 et 3).
Fait à Niort, le 3 mars 2025
Annexe 1 – Liste des contacts
Mme Anne MARTIN
Annexe 3 – Indicateurs
Nombre de personnes accompagnées
"""
    refs = _rules(_check(tmp_path, body), "reference-annexe")
    assert [(f.text, f.location.article) for f in refs] == [("annexe 2", "Article 1")]


def test_annex_references_without_annexes_in_the_document(tmp_path: Path) -> None:
    # Seed 004 refers to annexes 1 to 6, sent as separate files: nothing to compare with.
    body = "\nArticle 1 : Objet\nVoir les annexes 1, 2 et 6.\n"
    assert _rules(_check(tmp_path, body), "reference-annexe") == []


def test_an_avenant_refers_to_the_articles_of_the_convention_it_amends(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from convgen.cli import cli

    draft = tmp_path / "avenant.txt"
    draft.write_text(
        "Avenant n° 1 à la convention de partenariat\n"
        "Article 1 – Modification de l’article 8\n"
        "L’article 8 « Résiliation » de la convention est remplacé ; l’annexe 2 de la convention "
        "est remplacée ; voir l’article 5 du présent avenant.\n"
        "Article 2 – Date d’effet\n"
        "Le présent avenant prend effet à sa signature.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", str(draft)])
    assert result.exit_code == 1
    assert "renvoi à l'article 5" in result.output  # the avenant's own article 5: missing
    assert "renvoi à l'article 8" not in result.output  # the convention's article 8
    assert "reference-annexe" not in result.output
