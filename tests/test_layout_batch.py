"""Page layout of a 20-commune batch: real commune names, the shortest (« Y », « Eu ») and the
longest (« Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson »), with elisions (« L'Île-Rousse »,
« Œuilly »), articles (« Le Teil », « Les Trois-Îlets ») and overseas and Corsican postal codes.

One `convgen build --data … --pdf` run (one LibreOffice batch for the 20 PDFs) on the bundled
« mutuelle régionale » model with instances/saint-chamond.yaml as the base, as the README shows;
then the structural page checks of tests/layout_checks.py on every PDF it made.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from convgen.cli import cli
from tests.layout_checks import page_lines, page_problems, stated_page_counts

ROOT = Path(__file__).resolve().parents[1]
TABLE = Path(__file__).parent / "testdata" / "layout" / "communes-20.csv"


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch-layout")
    args = [
        "build", "--root", str(ROOT), "--model", "mutuelle-regionale",
        "--base", str(ROOT / "instances" / "saint-chamond.yaml"),
        "--data", str(TABLE), "--pdf", "--out", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_the_table_has_twenty_communes_short_and_long() -> None:
    names = [row["commune.nom"] for row in _rows()]
    assert len(names) == 20 == len(set(names))
    assert min(map(len, names)) == 1 and max(map(len, names)) > 40


def test_every_commune_gets_its_pdf(batch: Path) -> None:
    for row in _rows():
        pdf = batch / f"{row['fichier']}.pdf"
        assert pdf.is_file(), pdf.name
        assert (batch / f"{row['fichier']}.docx").is_file()


def test_page_checks_hold_for_every_document(batch: Path) -> None:
    problems = []
    for row in _rows():
        stem = row["fichier"]
        problems += page_problems(batch / f"{stem}.docx", batch / f"{stem}.pdf")
    assert not problems, "\n".join(problems)


def test_each_document_states_its_own_page_count(batch: Path) -> None:
    for row in _rows():
        pdf = batch / f"{row['fichier']}.pdf"
        assert stated_page_counts(pdf) == [len(PdfReader(pdf).pages)], pdf.name


def test_each_document_names_its_own_commune_where_it_signs(batch: Path) -> None:
    """The long name stays whole (no page or line trick drops a part of it); the signature
    page names the commune and its representative."""
    for row in _rows():
        pages = page_lines(batch / f"{row['fichier']}.pdf")
        text = re.sub(r"\s+", "", " ".join(x for page in pages for x in page))
        name = re.sub(r"\s+", "", row["commune.nom"].replace("'", "’"))
        assert name.replace("’", "'") in text.replace("’", "'"), row["fichier"]
        # A long name may wrap in its signature cell (« DE LA TOUR-⏎D'AUVERGNE »).
        last = re.sub(r"\s+", "", " ".join(pages[-1]))
        assert re.sub(r"\s+", "", row["commune.representant"]) in last, row["fichier"]


def test_qualities_are_elided_in_the_parties_block(batch: Path) -> None:
    """« En sa qualité d’Adjointe au maire… », not « de Adjointe »."""
    first = " ".join(page_lines(batch / "saint-remy.pdf")[0])
    assert "En sa qualité d'Adjointe au maire déléguée" in first
    assert "qualité de Adjointe" not in first
    assert "En sa qualité de Maire," in " ".join(page_lines(batch / "le-teil.pdf")[0])


@pytest.mark.parametrize(
    ("stem", "phrases"),
    [
        ("y", ["La Commune d'Y", "Fait à Y, le 12/04/2025.", "Pour la commune d'Y,"]),
        ("eu", ["La Commune d'Eu", "Pour la commune d'Eu,"]),
        ("oeuilly", ["La Commune d'Œuilly", "Fait à Œuilly,"]),
        ("le-havre", ["La Commune du Havre", "Fait au Havre,", "Pour la commune du Havre,"]),
        ("trois-ilets", ["La Commune des Trois-Îlets", "Fait aux Trois-Îlets,"]),
        ("ile-rousse", ["La Commune de L'Île-Rousse", "Fait à L'Île-Rousse,"]),
        ("les-vans", ["La Commune des Vans", "Fait aux Vans,"]),
    ],
)
def test_commune_names_take_their_article_and_elision(
    batch: Path, stem: str, phrases: list[str]
) -> None:
    pages = page_lines(batch / f"{stem}.pdf")
    text = " ".join(x for page in (pages[0], pages[-1]) for x in page)
    for phrase in phrases:
        assert phrase in text, (stem, phrase)
