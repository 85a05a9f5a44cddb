"""Signature-ready PDFs: page count, bookmarks, text, metadata, PDF/A, appended annexes.

LibreOffice runs are few and batched: one `build --pdf` of the bundled instances, one batch
`--pdfa` of the mini project.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from convgen.build import Project, build
from convgen.cli import cli
from convgen.render.pdf import append_annexes
from tests.miniproject import make_project

ROOT = Path(__file__).resolve().parent.parent


def outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def pdf_text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


@pytest.fixture(scope="module")
def bundled_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    build(
        [ROOT / "instances" / "saint-chamond.yaml", ROOT / "instances" / "cpam-cote-opale.yaml"],
        out,
        Project(ROOT),
        pdf=True,
        jobs=2,
    )
    return out


def test_regional_convention_states_its_real_page_count(bundled_pdfs: Path) -> None:
    reader = PdfReader(bundled_pdfs / "saint-chamond.pdf")
    text = pdf_text(reader)
    stated = re.search(r"sur ([A-ZÉ\-]+) \((\d+)\) pages", text)
    assert stated, "la convention doit indiquer son nombre de pages"
    assert int(stated.group(2)) == len(reader.pages)
    assert "Article 1 – Objet de la convention" in outline_titles(reader)
    assert "SAINT CHAMOND" in text and "Mutuelle MILTIS" in text
    assert reader.metadata is not None
    assert "SAINT CHAMOND" in str(reader.metadata.title)
    assert reader.metadata.author


def test_cpam_convention_has_bookmarks_for_articles_and_annexes(bundled_pdfs: Path) -> None:
    reader = PdfReader(bundled_pdfs / "cpam-cote-opale.pdf")
    titles = outline_titles(reader)
    assert any(t.startswith("Article 1 ") for t in titles)
    assert any(t.startswith("Annexe 1 ") for t in titles)
    assert len(reader.pages) > 5
    # The .docx next to it is the one that was converted, and it is final.
    from convgen.read.extract import read_docx

    assert read_docx(bundled_pdfs / "cpam-cote-opale.docx").properties["convgen.statut"] == "final"


def test_batch_pdfa(tmp_path: Path) -> None:
    project = make_project(tmp_path / "projet")
    (project / "base.yaml").write_text((project / "instances" / "bourg.yaml").read_text())
    table = tmp_path / "communes.csv"
    table.write_text(
        "fichier,collectivite.nom,partenaire.nom\n"
        "ain,Commune d'Ain,Mutuelle A\n"
        "oise,Commune d'Oise,Mutuelle B\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["build", "--root", str(project), "--base", str(project / "base.yaml")]
    result = CliRunner().invoke(
        cli, [*args, "--data", str(table), "--out", str(out), "--pdfa"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(out / "oise.pdf")
    assert reader.xmp_metadata is not None
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "Commune d’Oise" in pdf_text(
        reader
    )  # typographic apostrophe (convgen.compose.typography)
    assert "Article 1er – Objet de la convention" in outline_titles(reader)
    assert "oise.pdf" in (out / "index.csv").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.startswith(".convgen-pdf")]


def test_external_annexes_are_appended_with_a_bookmark(tmp_path: Path) -> None:
    def blank(path: Path, pages: int) -> Path:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(595, 842)
        writer.add_outline_item(title="Article 1", page_number=0)
        with path.open("wb") as handle:
            writer.write(handle)
        return path

    main = blank(tmp_path / "convention.pdf", 3)
    annex = blank(tmp_path / "annexe.pdf", 2)
    append_annexes(main, [("Annexe A – Plan de financement", annex)], tmp_path / "x.yaml")
    reader = PdfReader(main)
    assert len(reader.pages) == 5
    titles = outline_titles(reader)
    assert titles == ["Article 1", "Annexe A – Plan de financement"]
    destination = next(
        o for o in reader.outline if not isinstance(o, list) and o.title.startswith("Annexe")
    )
    assert reader.get_destination_page_number(destination) == 3


def test_instance_attachments_follow_the_convention_in_the_signed_pdf(tmp_path: Path) -> None:
    project = make_project(tmp_path / "projet")
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    with (project / "instances" / "grille-tarifaire.pdf").open("wb") as handle:
        writer.write(handle)
    instance = project / "instances" / "bourg.yaml"
    instance.write_text(
        instance.read_text()
        + "pieces_jointes:\n  - titre: Annexe – Grille tarifaire 2025\n    fichier: grille-tarifaire.pdf\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", "--root", str(project), "--out", str(out), "--pdf"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(out / "bourg.pdf")
    assert len(reader.pages) == 1 + 2
    assert outline_titles(reader)[-1] == "Annexe – Grille tarifaire 2025"
    assert "Article 1er – Objet de la convention" in outline_titles(reader)


def test_missing_attachment_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    project = make_project(tmp_path / "projet")
    instance = project / "instances" / "bourg.yaml"
    instance.write_text(
        instance.read_text() + "pieces_jointes:\n  - titre: Grille\n    fichier: absente.pdf\n"
    )
    result = CliRunner().invoke(
        cli, ["build", "--root", str(project), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "bourg.yaml:11: pieces_jointes[1].fichier: fichier introuvable" in result.output
    assert not (tmp_path / "o").exists()
