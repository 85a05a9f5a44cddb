"""Deviation report: each document × clause of the library, identical / modified / missing / extra."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.diff.deviations import (
    EXTRA,
    IDENTICAL,
    MISSING,
    MODIFIED,
    DeviationReport,
    find_deviations,
)
from convgen.diff.report_deviations import render_csv, render_html
from tests.seeds import seed_path
from tests.test_diff_align import edited_seed_000_text

ROOT = Path(__file__).resolve().parents[1]
CLAUSES = ROOT / "clauses"


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four signed conventions: two CCAS (one modified), a commune, a rendered instance."""
    folder = tmp_path_factory.mktemp("conventions")
    shutil.copy(seed_path("000"), folder / "ccas-poitiers-2025.txt")
    (folder / "ccas-modifiee.txt").write_text(edited_seed_000_text(), encoding="utf-8")
    shutil.copy(seed_path("001"), folder / "saint-chamond.md")
    (folder / "README.md").write_text(
        "Conventions signées.\n", encoding="utf-8"
    )  # not a convention
    return folder


@pytest.fixture(scope="module")
def report(documents: Path) -> DeviationReport:
    instance = ROOT / "instances" / "ccas-poitiers.yaml"
    return find_deviations([documents, instance], CLAUSES)


def _doc(report: DeviationReport, name: str):  # type: ignore[no-untyped-def]
    return next(d for d in report.documents if d.path.name == name)


def test_every_document_is_read_and_given_its_model(report: DeviationReport) -> None:
    names = [d.path.name for d in report.documents]
    assert names == [
        "ccas-modifiee.txt",
        "ccas-poitiers-2025.txt",
        "saint-chamond.md",
        "ccas-poitiers.yaml",
    ]
    models = {d.path.name: d.model for d in report.documents}
    assert models["ccas-poitiers-2025.txt"] == "mutuelle-communale"
    assert models["saint-chamond.md"] == "mutuelle-regionale"
    assert models["ccas-poitiers.yaml"] == "mutuelle-communale"


def test_original_conventions_match_the_library(report: DeviationReport) -> None:
    # Values of the partnership (names, dates, numbers) fill the library's […]: not changes.
    for name in ("ccas-poitiers-2025.txt", "ccas-poitiers.yaml"):
        doc = _doc(report, name)
        statuses = {r.clause_id: r.status for r in doc.rows}
        assert set(statuses.values()) == {IDENTICAL}, (name, statuses)
        assert {
            "preambule-mutuelle-communale", "objet", "beneficiaires", "duree",
            "engagements-organisme", "engagements-ccas", "resiliation", "litiges",
        } <= set(statuses)  # fmt: skip
    commune = _doc(report, "saint-chamond.md")
    resiliation = commune.row("resiliation")
    assert resiliation is not None
    assert (resiliation.status, resiliation.variant) == (IDENTICAL, "mise-en-demeure")


def test_modified_missing_and_extra(report: DeviationReport) -> None:
    doc = _doc(report, "ccas-modifiee.txt")
    resiliation = doc.row("resiliation")
    assert resiliation is not None and resiliation.status == MODIFIED
    assert [(c.old, c.new) for c in resiliation.changes] == [("3", "2")]
    assert 0.9 < resiliation.similarity < 1.0
    assert resiliation.article == "Article 8 – Résiliation"
    missing = doc.row("garantie-offre")
    assert missing is not None and missing.status == MISSING
    extras = [r.article for r in doc.rows if r.status == EXTRA]
    assert extras == ["Article 6 – Communication"]
    moved = doc.row("suivi")  # moved and renumbered: still the same clause, identical
    assert moved is not None and moved.status == IDENTICAL and moved.article.startswith("Article 3")


def test_csv_answers_which_documents_modified_a_clause(report: DeviationReport) -> None:
    text = render_csv(report)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))
    modified = [
        r["document"] for r in rows if r["clause"] == "resiliation" and r["statut"] == "modifiée"
    ]
    assert modified == ["ccas-modifiee.txt"]
    line = next(
        r for r in rows if r["document"] == "ccas-modifiee.txt" and r["clause"] == "resiliation"
    )
    assert line["modifications"] == "3 → 2" and line["nb_modifications"] == "1"
    assert line["similarite"].startswith("0,9")


def test_html_matrix_links_to_details(report: DeviationReport) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert 'href="#ecart-0-resiliation"' in page and 'id="ecart-0-resiliation"' in page
    assert "<del>3</del>" in page and "<ins>2</ins>" in page
    assert "Article 6 – Communication" in page


def test_cli_exit_codes_and_formats(documents: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["deviations", "--clauses", str(CLAUSES)]
    result = runner.invoke(cli, [*base, str(documents)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "modifiée" in result.stdout and "Résiliation" in result.stdout
    result = runner.invoke(cli, [*base, str(seed_path("000"))], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
    target = tmp_path / "ecarts.csv"
    result = runner.invoke(cli, [*base, str(documents), "--format", "csv", "-o", str(target)])
    assert result.exit_code == 1
    assert target.read_bytes().startswith(b"\xef\xbb\xbfdocument;modele;clause")


def test_cli_input_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "abimé.pdf"
    bad.write_bytes(b"%PDF-1.4 pas un vrai PDF")
    result = runner.invoke(cli, ["deviations", "--clauses", str(CLAUSES), str(bad)])
    assert result.exit_code == 2
    assert "abimé.pdf" in result.stderr and "PDF" in result.stderr
    result = runner.invoke(
        cli, ["deviations", "--clauses", str(tmp_path / "absent"), str(seed_path("000"))]
    )
    assert result.exit_code == 2
    assert "bibliothèque de clauses introuvable" in result.stderr
