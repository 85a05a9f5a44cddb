"""convgen import: seed conventions (text, Word, PDF) back to instances that rebuild them."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
from click.testing import CliRunner

from convgen.cli import cli
from convgen.compose.french import Duree
from convgen.diff.sources import strip_markdown
from convgen.importer import import_document

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "testdata" / "import"


def _as_docx(text_file: Path, target: Path) -> Path:
    document = docx.Document()
    for line in text_file.read_text("utf-8").splitlines():
        if line.strip():
            # What the Word original showed: the extraction's Markdown (« ** », « <sup> ») removed.
            document.add_paragraph(strip_markdown(line))
    document.save(str(target))
    return target


def test_poitiers_text_values_typed_and_blanks_reported(tmp_path: Path) -> None:
    out = tmp_path / "poitiers.yaml"
    result = import_document(DATA / "ccas-poitiers-000.txt", ROOT, out)
    assert result.model == "mutuelle-communale"
    assert result.values["clauses.duree.duree"] == Duree(2, "an")
    assert result.values["clauses.resiliation.preavis"] == Duree(3, "mois")
    assert result.values["ccas.deliberation_date"] == date(2025, 3, 19)
    assert result.values["ccas.representant_genre"] == "féminin"
    blanks = {(b.slot.path, b.text) for b in result.placeholders}
    assert ("ccas.deliberation_numero", "2025-xxxx") in blanks
    assert (None, "xxx 2027") in blanks
    # Every article rebuilds identically except those holding the draft's blanks.
    rebuilt = {a.clause_id: a.rebuilt for a in result.articles}
    assert len(rebuilt) == 11  # préambule, 9 articles, 4.1 and 4.2 apart
    assert [c for c, ok in rebuilt.items() if not ok] == ["duree"]
    written = out.read_text("utf-8")
    assert 'duree: "2 ans"' in written
    assert "# ccas.deliberation_numero: — « 2025-xxxx »" in written


def test_saint_chamond_docx_rebuilds_but_for_named_articles(tmp_path: Path) -> None:
    source = _as_docx(DATA / "saint-chamond-001.txt", tmp_path / "saint-chamond.docx")
    result = import_document(source, ROOT, tmp_path / "sc.yaml")
    assert result.model == "mutuelle-regionale"
    assert result.values["clauses.duree.reconductions_max"] == 3
    assert result.values["clauses.rgpd.duree_conservation"] == Duree(5, "année")
    assert result.values["mutuelle.siren"] == "417 934 817"
    # « Représentée par, M. Patrick JULIEN, Directeur Général, »: the comma after « par » is
    # the source's punctuation, not part of the frame's words.
    assert result.values["mutuelle.representant"] == "M. Patrick JULIEN"
    assert result.values["mutuelle.representant_qualite"] == "Directeur Général"
    assert {b.slot.path for b in result.placeholders} == {"commune.dpo_email"}
    differing = {a.clause_id for a in result.articles if a.rebuilt is False}
    # RGPD: the DPO's address is « ..... » in the source; dispositions diverses: « A » for « À ».
    assert differing == {"rgpd", "dispositions-diverses"}
    assert any(d.startswith("Article 6") and "blanc" in d for d in result.differing)


def test_pdf_of_seed_imports_like_the_text(tmp_path: Path) -> None:
    source = _as_docx(DATA / "ccas-poitiers-000.txt", tmp_path / "poitiers.docx")
    soffice = shutil.which("soffice")
    assert soffice is not None
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    result = import_document(tmp_path / "poitiers.pdf", ROOT, tmp_path / "p.yaml")
    assert result.model == "mutuelle-communale"
    assert result.values["clauses.duree.duree"] == Duree(2, "an")
    assert result.values["clauses.suivi.delai_bilan"] == Duree(3, "mois")


def test_command_reports_in_french(tmp_path: Path) -> None:
    out = tmp_path / "sc.yaml"
    res = CliRunner().invoke(
        cli,
        ["import", str(DATA / "saint-chamond-001.txt"), "--out", str(out), "--project", str(ROOT)],
    )
    assert res.exit_code == 1, res.output
    assert "clause duree variante tacite-reconduction" in res.output
    assert "reconstruit à l'identique" in res.output
    assert "Blancs de la source (non importés)" in res.output
    assert out.is_file()


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["import", str(tmp_path / "absent.docx"), "--project", str(ROOT)])
    assert res.exit_code == 2
    assert "introuvable" in res.output


def test_cpam_template_blanks_reported_fixed_articles_rebuilt(tmp_path: Path) -> None:
    source = _as_docx(DATA / "cpam-cote-opale-004.txt", tmp_path / "cpam.docx")
    result = import_document(source, ROOT, tmp_path / "cpam.yaml")
    assert result.model == "cpam-acces-aux-droits"
    assert result.values["clauses.duree.periode"] == Duree(1, "an")
    assert result.values["clauses.resiliation.delai_plein_droit"] == Duree(15, "jour")
    assert result.values["clauses.preambule-cpam.taux_couverture"] == 77
    blanks = {(b.slot.path, b.text) for b in result.placeholders}
    assert ("partenaire.designation", "le partenaire XXXX") in blanks
    assert ("convention.date_signature", "xx/xx/xx") in blanks
    assert "partenaire" not in result.values  # a blank is never imported as a value
    rebuilt = {a.name.split(" – ")[0] for a in result.articles if a.rebuilt}
    assert {"6.1", "6.2", "6.3", "6.4", "Article 7", "Article 8", "Article 9"} <= rebuilt
    # The template lists its six annexes without their content: said, not hidden.
    assert sum("absent de la source" in d for d in result.differing) == 6


def test_article_no_clause_explains_becomes_a_clause_file(tmp_path: Path) -> None:
    from convgen.load.clauses import load_clause

    text = (DATA / "ccas-poitiers-000.txt").read_text("utf-8")
    head, _, tail = text.partition("Fait à Poitiers, le")
    extra = (
        "Article 10 : Communication\n\nChaque partie peut faire état du présent partenariat"
        " dans ses supports de communication, après accord écrit de l'autre partie.\n\n"
    )
    source = tmp_path / "poitiers-plus.txt"
    source.write_text(head + extra + "Fait à Poitiers, le" + tail, "utf-8")
    out = tmp_path / "instances" / "poitiers-plus.yaml"
    result = import_document(source, ROOT, out)
    assert result.extras == ["Article 10 – Communication"]
    written = result.new_clauses["Article 10 – Communication"]
    assert written == tmp_path / "instances" / "poitiers-plus-clauses" / "communication.md"
    clause = load_clause(written, problems := [])
    assert not problems and clause is not None
    assert clause.titre == "Communication"
    assert "après accord écrit de l'autre partie." in clause.variant(None).body
    # Said, not hidden: the rebuilt document (the model's articles) lacks it.
    assert any(d.startswith("Article 10") and "absent du document reconstruit" in d
               for d in result.differing)  # fmt: skip
    assert not (ROOT / "clauses" / "communication.md").exists()


def test_folder_import_one_instance_per_document_each_its_model(tmp_path: Path) -> None:
    folder = tmp_path / "recues"
    folder.mkdir()
    shutil.copy(DATA / "ccas-poitiers-000.txt", folder)
    _as_docx(DATA / "saint-chamond-001.txt", folder / "saint-chamond.docx")
    out = tmp_path / "instances"
    res = CliRunner().invoke(
        cli, ["import", str(folder), "--out", str(out), "--project", str(ROOT)]
    )
    assert res.exit_code == 1, res.output  # the drafts' blanks: differences, said
    assert "(modèle « mutuelle-communale »)" in res.output
    assert "(modèle « mutuelle-regionale »)" in res.output
    assert sorted(p.name for p in out.glob("*.yaml")) == [
        "ccas-poitiers-000.yaml",
        "saint-chamond.yaml",
    ]
    # A blank no template value was aligned with is still reported, with its paragraph.
    assert "texte de la source : « XXXXXX, organisme mutuel, représenté par XXXXX, »" in res.output


def test_unreadable_word_file_is_refused_with_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "recue.docx"
    bad.write_bytes(b"not a zip")
    out = tmp_path / "recue.yaml"
    res = CliRunner().invoke(cli, ["import", str(bad), "--out", str(out), "--project", str(ROOT)])
    assert res.exit_code == 2
    assert "illisible" in res.output
    assert not out.exists()
