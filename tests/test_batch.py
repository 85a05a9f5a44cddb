"""Batch generation from a table: bad rows, re-runs, --jobs, status, the fast zip writer."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.build import Project, build
from convgen.cli import cli
from convgen.read.extract import read_docx
from tests.miniproject import make_project

BAD_LINE = 102  # spreadsheet row (header is row 1)


def write_table(path: Path, rows: int, bad_line: int | None = BAD_LINE) -> Path:
    """A CSV of `rows` partners for the mini project; `bad_line` has a bad postal code."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            ["fichier", "collectivite.nom", "collectivite.code_postal", "partenaire.nom"]
        )
        for line in range(2, rows + 2):
            postal = "12AB5" if line == bad_line else f"{line:05d}"
            writer.writerow(
                [f"doc-{line:04d}", f"Commune n°{line}", postal, f"Mutuelle {line} & Fils"]
            )
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("batch") / "projet")
    # The base instance gives everything the table does not (dates, clause settings).
    (root / "base.yaml").write_text((root / "instances" / "bourg.yaml").read_text(encoding="utf-8"))
    return root


def run(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["build", "--root", str(project), "--base", str(project / "base.yaml"), *args],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def index_rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8"))))


def test_bad_row_is_reported_with_its_number_and_does_not_stop_the_others(
    project: Path, tmp_path: Path
) -> None:
    table = write_table(tmp_path / "communes.csv", 300)
    out = tmp_path / "out"
    code, output = run(project, "--data", str(table), "--out", str(out), "--jobs", "2")
    assert code == 2
    assert f"communes.csv:{BAD_LINE}: collectivite.code_postal:" in output
    written = sorted(p.name for p in out.glob("*.docx"))
    assert len(written) == 299 and f"doc-{BAD_LINE:04d}.docx" not in written
    rows = index_rows(out)
    assert [r["statut"] for r in rows].count("erreur") == 1
    assert {r["statut"] for r in rows} == {"final", "erreur"}
    # values come out exactly as written, in the row's own document
    texts = [b.text for b in read_docx(out / "doc-0250.docx").body()]
    assert any("Commune n°250 (code postal 00250) et Mutuelle 250 & Fils" in t for t in texts)
    assert not list(out.glob(".*.tmp"))

    # Re-run: nothing changed, nothing rendered; then one changed row is rendered again.
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.docx")}
    code, output = run(project, "--data", str(table), "--out", str(out))
    assert code == 2 and "0 document produit, 299 inchangés, 1 en erreur" in output
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.docx")} == before
    text = table.read_text(encoding="utf-8").replace("Commune n°17;", "Commune de Dix-Sept;")
    table.write_text(text, encoding="utf-8")
    code, output = run(project, "--data", str(table), "--out", str(out))
    assert "1 document produit, 298 inchangés" in output
    assert any("Commune de Dix-Sept" in b.text for b in read_docx(out / "doc-0017.docx").body())


def test_jobs_do_not_change_a_single_byte(project: Path, tmp_path: Path) -> None:
    table = write_table(tmp_path / "communes.csv", 60, bad_line=None)
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, _ = run(project, "--data", str(table), "--out", str(out), "--jobs", jobs)
        assert code == 0
        outputs[jobs] = {
            p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".")
        }
    assert len(outputs["1"]) == 61  # 60 documents and the index
    assert outputs["1"] == outputs["2"]


def test_yaml_table_and_name_pattern(project: Path, tmp_path: Path) -> None:
    table = tmp_path / "partenaires.yaml"
    table.write_text(
        "- collectivite: {nom: Ville d'Été, code_postal: '01000'}\n"
        "  partenaire.nom: Dupont <SARL>\n"
        "- collectivite.nom: Autre Ville\n"
        "  collectivite.code_postl: '01000'\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = run(
        project, "--data", str(table), "--out", str(out), "--name", "convention-{collectivite.nom}"
    )
    assert code == 2
    assert "partenaires.yaml:3: collectivite.code_postl: clé inconnue" in output
    doc = out / "convention-ville-d-ete.docx"
    assert any("Dupont <SARL>" in b.text for b in read_docx(doc).body())


def test_build_marks_a_document_with_a_placeholder_as_draft(project: Path, tmp_path: Path) -> None:
    draft_project = tmp_path / "projet"
    make_project(draft_project)
    instance = draft_project / "instances" / "bourg.yaml"
    text = instance.read_text(encoding="utf-8")
    instance.write_text(text.replace("Dupont & Fils <SARL>", "Mutuelle XXXX"), encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "--root", str(draft_project), "--out", str(out), str(instance)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1
    assert "XXXX" in result.output and "pas final" in result.output
    properties = read_docx(out / "bourg.docx").properties
    assert properties["convgen.statut"] == "projet"
    result = CliRunner().invoke(cli, [*args, "--draft"], catch_exceptions=False)
    assert result.exit_code == 0 and "projet" in result.output

    (doc,) = build([], tmp_path / "clean", Project(project))
    assert doc.status == "final" and not doc.findings
    assert read_docx(doc.output).properties["convgen.statut"] == "final"


def test_fast_zip_writer_reads_like_zipfile(project: Path, tmp_path: Path) -> None:
    (doc,) = build([], tmp_path / "out", Project(project))
    with zipfile.ZipFile(doc.output) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    assert names[0] == "[Content_Types].xml" and "word/document.xml" in names


def test_interrupted_batch_leaves_no_half_written_file(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from convgen import batch
    from convgen.render import zipout

    table = write_table(tmp_path / "communes.csv", 30, bad_line=None)
    out = tmp_path / "out"
    calls: list[int] = []
    real_write_all = zipout._write_all

    def write_all(fd: int, data: bytes) -> None:
        calls.append(fd)
        if len(calls) == 12:  # Ctrl-C while a document is being written
            os.write(fd, b"PK\x03\x04 half")
            raise KeyboardInterrupt
        real_write_all(fd, data)

    monkeypatch.setattr(zipout, "_write_all", write_all)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch(Project(project), table, out, base=project / "base.yaml")
    monkeypatch.undo()
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith(".convgen-mise"))
    documents = [n for n in names if n.endswith(".docx")]
    assert names == [*documents, "index.csv"]  # no temporary or half-written file
    assert 5 <= len(documents) < 30
    for name in documents:
        with zipfile.ZipFile(out / name) as archive:
            assert archive.testzip() is None
    assert sorted(r["fichier"] for r in index_rows(out)) == documents
    # the next run renders only what is missing
    report = batch.run_batch(Project(project), table, out, base=project / "base.yaml")
    assert report.skipped == len(documents) and len(report.results) == 30


def test_build_checks_the_text_that_check_reads_from_the_file(
    project: Path, tmp_path: Path
) -> None:
    from convgen.finalize import Checker
    from convgen.read.extract import read_document

    (doc,) = build([], tmp_path / "out", Project(project))
    in_memory = Checker().read(doc.output.read_bytes(), doc.output)
    from_file = read_document(doc.output)
    assert in_memory.blocks == from_file.blocks
    assert in_memory.properties == from_file.properties
