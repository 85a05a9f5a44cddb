"""`convgen check` on the real drafts of tests/testdata/seeds, as text, Word and PDF.

Every placeholder a reader of seeds 000, 001 and 004 would send back is listed here by hand,
with its exact text; seed 002 (a partner's brochure full of real numbers) must stay clean.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from convgen.check import check_document
from convgen.check.model import Finding
from convgen.read.extract import read_document
from tests.seeds import seed_path

# (rule, offending text, article) for every placeholder of each seed.
EXPECTED: dict[str, list[tuple[str, str, str | None]]] = {
    "000": [
        ("marqueur-x", "2025-xxxx", "Parties"),  # "délibération ... n°2025-xxxx du 19 mars 2025"
        ("marqueur-x", "XXXXXX", "Parties"),  # the organisme's name
        ("champ-vide", "représenté par XXXXX", "Parties"),
        ("masque-date", "xxx 2027", "Article 6"),  # "soit jusqu'au xxx 2027"
        ("date-signature", "Fait à Poitiers, le", "Signatures"),
    ],
    "001": [
        ("champ-vide", "DPO de la COMMUNE : .....", "Article 6"),
    ],
    "002": [],
    "004": [
        ("consigne-redaction", "adaptée en fonction du partenaire signataire", None),
        ("champ-vide", "Représentée par", "Parties"),  # the CPAM's signatory
        ("marqueur-x", "XXXX", "Parties"),  # "Le partenaire XXXX"
        ("champ-vide", "Adresse :", "Parties"),
        ("pointilles", "M.....", "Parties"),  # "son Président, M....."
        ("marqueur-x", "XXXXX", "Préambule"),
        ("marqueur-x", "XXXX", "Article 1"),
        ("marqueur-x", "XXX", "Article 2"),
        ("champ-vide", "Tél. :", "Article 4"),
        ("champ-vide", "Mail :", "Article 4"),
        ("marqueur-x", "XXX", "Article 4"),  # "Pour le partenaire XXX :"
        ("champ-vide", "Tél. :", "Article 4"),
        ("champ-vide", "Mail :", "Article 4"),
        ("date-signature", "Fait à Calais, le xx/xx/xx", "Signatures"),
        ("choix-non-fait", "Le/la", "Signatures"),  # "Le/la Président (e) de xxxx"
        ("marqueur-x", "xxxx", "Signatures"),
    ],
}
SEEDS = sorted(EXPECTED)


def _key(f: Finding) -> tuple[str, str]:
    # The sommaire's "↳" arrow lands at either end of its line depending on the format.
    return f.rule, f.text.replace("↳", "").strip()


def _assert_expected(seed: str, findings: list[Finding], with_articles: bool = True) -> None:
    got = Counter(_key(f) for f in findings)
    want = Counter((rule, text) for rule, text, _ in EXPECTED[seed])
    assert got == want, f"missing: {want - got}; unexpected: {got - want}"
    if with_articles:
        got_articles = Counter((*_key(f), f.location.article) for f in findings)
        want_articles = Counter((r, t, a) for r, t, a in EXPECTED[seed] if a is not None)
        assert not want_articles - got_articles


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_as_text(seed: str) -> None:
    findings = check_document(read_document(seed_path(seed)))
    _assert_expected(seed, findings)
    assert all(f.location.line for f in findings)


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_as_docx(seed: str, seed_docx_dir: Path) -> None:
    findings = check_document(read_document(seed_docx_dir / f"{seed}.docx"))
    _assert_expected(seed, findings)


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_as_pdf(seed: str, seed_pdf_dir: Path) -> None:
    findings = check_document(read_document(seed_pdf_dir / f"{seed}.pdf"))
    _assert_expected(seed, findings)
    assert all(f.location.page for f in findings)


def test_seed_text_lines_point_at_the_placeholder() -> None:
    lines = seed_path("000").read_text(encoding="utf-8").splitlines()
    for f in check_document(read_document(seed_path("000"))):
        assert f.location.line is not None
        assert f.text in lines[f.location.line - 1].replace("’", "'")


def test_docx_paragraph_is_the_index_among_body_paragraphs(seed_docx_dir: Path) -> None:
    path = seed_docx_dir / "004.docx"
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    findings = check_document(read_document(path))
    assert findings
    for f in findings:
        assert f.location.paragraph is not None
        assert f.text.replace("↳", "").strip() in paragraphs[f.location.paragraph - 1]


def test_pdf_page_is_the_page_of_the_placeholder(seed_pdf_dir: Path) -> None:
    path = seed_pdf_dir / "004.pdf"
    reader = PdfReader(path)
    findings = check_document(read_document(path))
    done_at = next(f for f in findings if f.rule == "date-signature")
    assert done_at.location.page == len(reader.pages)
    page_text = reader.pages[done_at.location.page - 1].extract_text()
    assert "xx/xx/xx" in page_text


def test_sommaire_of_seed_004_matches_its_body_in_every_format(
    seed_docx_dir: Path, seed_pdf_dir: Path
) -> None:
    # "Article 2 – public concerné ..... p 5" against "Article 2 : Public concerné": same entry.
    for path in (seed_path("004"), seed_docx_dir / "004.docx", seed_pdf_dir / "004.pdf"):
        rules = {f.rule for f in check_document(read_document(path))}
        assert not rules & {"sommaire", "reference-article", "numerotation-articles"}, path


def test_reference_to_article_4_1_of_seed_000_is_its_1_sub_part() -> None:
    # Article 8 refers to "l'article 4.1": "1) L'organisme" inside Article 4 is that 4.1.
    text = seed_path("000").read_text(encoding="utf-8")
    assert "l’article 4.1" in text
    findings = check_document(read_document(seed_path("000")))
    assert not [f for f in findings if f.rule == "reference-article"]
