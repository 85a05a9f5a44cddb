"""Splitting conventions into sections, on the three real heading styles of the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from convgen.read.extract import DocumentText, TextBlock, read_document
from convgen.read.structure import (
    article_label_of_blocks,
    normalise_number,
    parse_article_heading,
    split_sections,
)
from tests.seeds import seed_path


def _doc(*lines: str) -> DocumentText:
    return DocumentText(
        Path("x.txt"), "txt", [TextBlock(t, line=i + 1) for i, t in enumerate(lines)]
    )


def _articles(doc: DocumentText) -> list[tuple[str | None, str]]:
    return [(s.number, s.title) for s in split_sections(doc) if s.kind == "article"]


@pytest.mark.parametrize(
    ("text", "number", "title"),
    [
        ("Article 1 : Objet de la convention", "1", "Objet de la convention"),
        ("Article 1\u00a0: Objet de la convention", "1", "Objet de la convention"),
        ("Article 1 – Objet de la convention", "1", "Objet de la convention"),
        ("ARTICLE 1er - OBJET", "1", "OBJET"),
        ("Article premier – Objet", "1", "Objet"),
        ("Art. 4 Obligations", "4", "Obligations"),
        ("Article IX – Litiges", "9", "Litiges"),
        ("### **Article 1 – Objet de la convention**", "1", "Objet de la convention"),
        ("#### **Article 4 – Durée**", "4", "Durée"),
        ("Article 12", "12", ""),
    ],
)
def test_article_heading_forms(text: str, number: str, title: str) -> None:
    h = parse_article_heading(text)
    assert h is not None
    assert (h.number, h.title) == (number, title)


@pytest.mark.parametrize(
    "text",
    [
        "Article 4 de la loi du 1er juillet 1901 dispose que les associations sont libres.",
        "Article L.511-1 du code des assurances",
        "Les relations se limitent au respect des éléments détaillés en article 4.",
    ],
)
def test_sentences_are_not_headings(text: str) -> None:
    assert parse_article_heading(text) is None


def test_numbers_are_normalised() -> None:
    assert normalise_number("1er") is None  # the suffix is parsed apart from the number
    assert normalise_number("premier") == "1"
    assert normalise_number("IX") == "9"
    assert normalise_number("04.1") == "4.1"
    assert normalise_number("L") is None


def test_seed_000_sections_and_sub_articles() -> None:
    sections = split_sections(read_document(seed_path("000")))
    kinds = [s.kind for s in sections]
    assert kinds[:3] == ["titre", "parties", "preambule"]
    assert kinds[-1] == "cloture"
    assert _articles(read_document(seed_path("000")))[0] == ("1", "Objet de la convention")
    article4 = next(s for s in sections if s.number == "4")
    assert [(c.number, c.title) for c in article4.children] == [
        ("4.1", "L'organisme"),
        ("4.2", "Obligation du CCAS"),
    ]
    closing = sections[-1]
    assert closing.blocks[0].text.startswith("Fait à Poitiers")
    assert any("exemplaires" in b.text for b in closing.blocks)


def test_seed_001_markdown_headings_and_inline_sub_articles() -> None:
    sections = split_sections(read_document(seed_path("001")))
    numbers = [s.number for s in sections if s.kind == "article"]
    assert numbers == [str(n) for n in range(1, 11)]
    article9 = next(s for s in sections if s.number == "9")
    assert [c.number for c in article9.children] == ["9.1", "9.2", "9.3"]
    # "**9.1** - Les stipulations…": number and body text on the same line
    assert article9.children[0].heading is not None
    assert "Les stipulations" in article9.children[0].heading.text
    assert article9.children[0].title == ""
    preambule = next(s for s in sections if s.kind == "preambule")
    assert any("Auvergne-Rhône-Alpes" in b.text for b in preambule.blocks)


def test_seed_004_sommaire_is_not_taken_for_articles() -> None:
    sections = split_sections(read_document(seed_path("004")))
    sommaire = next(s for s in sections if s.kind == "sommaire")
    assert any("Article 1 – Objet" in b.text for b in sommaire.blocks)
    articles = [s for s in sections if s.kind == "article"]
    assert [s.number for s in articles] == [str(n) for n in range(1, 10)]
    # the real Article 1 holds the article's text, not a sommaire line
    assert articles[0].blocks[0].text.startswith("Cette convention a pour objet")
    assert [c.title for c in articles[5].children] == [
        "Durée",
        "Renouvellement",
        "Modification",
        "Résiliation",
    ]
    assert sections[-1].kind == "cloture"


@pytest.mark.parametrize("seed", ["000", "001", "004"])
def test_docx_and_pdf_have_the_same_articles(
    seed: str, seed_docx_dir: Path, seed_pdf_dir: Path
) -> None:
    from_docx = read_document(seed_docx_dir / f"{seed}.docx")
    from_pdf = read_document(seed_pdf_dir / f"{seed}.pdf")
    assert _articles(from_docx) == _articles(from_pdf)
    kinds_docx = [s.kind for s in split_sections(from_docx) if s.kind != "titre"]
    kinds_pdf = [s.kind for s in split_sections(from_pdf) if s.kind != "titre"]
    assert kinds_docx == kinds_pdf


def test_roman_numerals_and_annexes() -> None:
    doc = _doc(
        "CONVENTION",
        "Entre la commune et l'association",
        "ARTICLE I - OBJET",
        "La présente convention a pour objet...",
        "ARTICLE II - DURÉE",
        "Elle est conclue pour un an.",
        "Fait à Lyon, le 1er mars 2026",
        "Annexe 1 – Liste des contacts",
        "M. Dupont",
    )
    sections = split_sections(doc)
    assert [(s.kind, s.number, s.label) for s in sections] == [
        ("titre", None, "Titre"),
        ("parties", None, "Parties"),
        ("article", "1", "ARTICLE I"),
        ("article", "2", "ARTICLE II"),
        ("cloture", None, "Signatures"),
        ("annexe", None, "Annexe 1"),
    ]
    assert sections[-1].title == "Liste des contacts"


def test_styled_documents_trust_heading_styles() -> None:
    doc = DocumentText(
        Path("x.docx"),
        "docx",
        [
            TextBlock("Article 1 – Objet", outline_level=0, paragraph=1),
            TextBlock("Voir l'article 2 ci-dessous.", paragraph=2),
            TextBlock("Article 2 Durée de deux ans", paragraph=3),  # body text, no style
            TextBlock("Article 2 – Durée", outline_level=0, paragraph=4),
            TextBlock("Deux ans.", paragraph=5),
        ],
    )
    assert _articles(doc) == [("1", "Objet"), ("2", "Durée")]


def test_labels_of_blocks() -> None:
    doc = read_document(seed_path("000"))
    labels = article_label_of_blocks(doc)
    by_text = {doc.blocks[i].text: label for i, label in labels.items()}
    assert by_text["Préambule"] == "Préambule"
    assert by_text["2) Obligation du CCAS"] == "4.2"
    assert by_text["Cette offre cible les populations non éligibles à un contrat de groupe."] == "2"
    assert labels[0] == "Titre"
    assert all(isinstance(k, int) for k in labels)
