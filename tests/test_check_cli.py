"""The `convgen check` command: reports, formats, exit codes, and files that cannot be read."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfWriter

from convgen.check import check_paths
from convgen.cli import cli
from tests.seeds import seed_path

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for seed in ("000", "002"):
        (folder / f"{seed}.txt").write_bytes(seed_path(seed).read_bytes())
    return folder


def test_clean_file_exits_0(seeds: Path) -> None:
    code, out, _ = _run(seeds / "002.txt")
    assert code == 0
    assert "aucun problème" in out


def test_findings_exit_1_with_a_report_grouped_by_file(seeds: Path) -> None:
    code, out, _ = _run(seeds)
    assert code == 1
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.endswith("000.txt"))
    assert not any(line.endswith("002.txt") for line in lines)  # clean files stay quiet
    section = lines[header + 1 : header + 6]
    assert any(
        "Article 6" in line
        and "ligne 110" in line
        and "« xxx 2027 »" in line
        and "[masque-date]" in line
        for line in section
    )
    assert "2 fichiers vérifiés" in lines[-1] and "5 problèmes" in lines[-1]


def test_json_contract(seeds: Path) -> None:
    code, out, _ = _run(seeds, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"findings", "accepted", "errors"}
    first = data["findings"][0]
    assert set(first) == {"file", "rule", "severity", "message", "text", "location"}
    assert first["file"].endswith("000.txt")
    assert first["severity"] in ("error", "warning")
    assert first["location"] == {"line": 6, "article": "Parties"}
    assert first["text"] == "2025-xxxx"
    assert all(
        set(f["location"]) <= {"line", "paragraph", "page", "article"} for f in data["findings"]
    )


def test_json_locations_for_docx_and_pdf(seed_docx_dir: Path, seed_pdf_dir: Path) -> None:
    code, out, _ = _run(seed_docx_dir / "000.docx", seed_pdf_dir / "000.pdf", "--format", "json")
    assert code == 1
    findings = json.loads(out)["findings"]
    docx_locations = [f["location"] for f in findings if f["file"].endswith(".docx")]
    pdf_locations = [f["location"] for f in findings if f["file"].endswith(".pdf")]
    assert docx_locations and all(set(loc) == {"paragraph", "article"} for loc in docx_locations)
    assert pdf_locations and all(set(loc) == {"page", "article"} for loc in pdf_locations)


def test_sarif(seeds: Path, tmp_path: Path) -> None:
    config = tmp_path / "check.yaml"
    config.write_text(
        "accepter:\n  - regle: date-signature\n    justification: date portée à la main\n",
        encoding="utf-8",
    )
    code, out, _ = _run(seeds, "--format", "sarif", "--config", config)
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = run["results"]
    assert len(results) == 5
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    [suppressed] = [r for r in results if "suppressions" in r]
    assert suppressed["ruleId"] == "date-signature"
    assert suppressed["suppressions"][0]["justification"] == "date portée à la main"
    assert run["invocations"][0]["executionSuccessful"] is True


def _corrupt_docx(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 ceci n'est pas un document Word")
    return path


def _zip_bomb(path: Path) -> Path:
    """A .docx whose one member inflates 1000 times (guarded before python-docx opens it)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/image1.bin", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100 * 1024
    return path


def _encrypted_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="secret")
    with path.open("wb") as out:
        writer.write(out)
    return path


def _blank_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_unreadable_files_exit_2_and_do_not_stop_the_others(seeds: Path, tmp_path: Path) -> None:
    bad = [
        _corrupt_docx(tmp_path / "corrompu.docx"),
        _zip_bomb(tmp_path / "bombe.docx"),
        _encrypted_pdf(tmp_path / "chiffre.pdf"),
        _blank_pdf(tmp_path / "scan.pdf"),
        tmp_path / "absent.docx",
    ]
    code, out, err = _run(*bad[:2], seeds / "000.txt", *bad[2:], "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert len(data["findings"]) == 5  # 000.txt was checked in full
    errors = {Path(e["file"]).name: e["message"] for e in data["errors"]}
    assert set(errors) == {p.name for p in bad}
    assert "illisible" in errors["corrompu.docx"]
    assert "zip bomb" in errors["bombe.docx"]
    assert "mot de passe" in errors["chiffre.pdf"] or "chiffré" in errors["chiffre.pdf"]
    assert "aucun texte" in errors["scan.pdf"]
    assert "introuvable" in errors["absent.docx"]
    assert "Traceback" not in out + err


def test_unreadable_file_in_text_mode_goes_to_stderr(tmp_path: Path) -> None:
    code, out, err = _run(_corrupt_docx(tmp_path / "corrompu.docx"))
    assert code == 2
    assert "erreur" in err and "corrompu.docx" in err
    assert "1 fichier illisible" in out


def test_invalid_configuration_exits_2_with_file_and_line(seeds: Path, tmp_path: Path) -> None:
    config = tmp_path / "check.yaml"
    config.write_text("accepter:\n  - regle: inconnue\n", encoding="utf-8")
    code, _, err = _run(seeds, "--config", config)
    assert code == 2
    assert "check.yaml:2: regle: règle inconnue" in err


def test_all_visible_text_of_a_word_document_is_checked(tmp_path: Path) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Convention n° XXXX"
    document.sections[0].footer.paragraphs[0].text = "Paraphe : ____"
    document.add_paragraph("Article 1 : Objet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Tél. :"
    table.cell(0, 1).text = "Mail : contact@niort.fr"
    split = document.add_paragraph("Le partenaire ")
    split.add_run("XX")
    split.add_run("XX").bold = True  # one word in two runs
    path = tmp_path / "zones.docx"
    document.save(str(path))
    report = check_paths([path])
    found = {(f.rule, f.text, f.location.zone, f.location.paragraph) for f in report.findings}
    assert ("marqueur-x", "XXXX", "en-tête", None) in found
    assert ("champ-vide", "Paraphe : ____", "pied de page", None) in found
    assert ("champ-vide", "Tél. :", "corps", 2) in found  # table cells count as paragraphs
    assert ("marqueur-x", "XXXX", "corps", 4) in found
    assert len(found) == 4


def test_directories_are_walked_for_every_format(seed_docx_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dossier"
    (folder / "sous").mkdir(parents=True)
    (folder / "sous" / "a.docx").write_bytes((seed_docx_dir / "002.docx").read_bytes())
    (folder / "b.md").write_text("# Titre\n\nLe partenaire XXXX.\n\n___\n", encoding="utf-8")
    (folder / "~$a.docx").write_bytes(b"lock")
    (folder / ".cache").mkdir()
    (folder / ".cache" / "c.txt").write_text("XXXX", encoding="utf-8")
    (folder / "notes.odt").write_text("XXXX", encoding="utf-8")
    report = check_paths([folder])
    assert sorted(Path(f).name for f in report.files) == ["a.docx", "b.md"]
    assert [(f.rule, f.text) for f in report.findings] == [("marqueur-x", "XXXX")]


def test_help_is_french_and_ends_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["check", "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Exemple" in result.output
    assert (
        result.output.split("Options\u00a0:")[0]
        .strip()
        .splitlines()[-1]
        .strip()
        .startswith("convgen check")
    )


def test_pre_commit_hook_definition() -> None:
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [h for h in hooks if h["id"] == "convgen-check"]
    assert hook["entry"].split()[:2] == ["convgen", "check"]
    for name in ("a.docx", "b.pdf", "c.txt", "d.md", "instances/e.yaml"):
        assert __import__("re").search(hook["files"], name)
    assert not __import__("re").search(hook["files"], "f.py")


def test_field_value_in_the_next_cell_or_line_is_filled(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Article 1 : Référents")
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in enumerate(
        [("Nom :", "Mme Anne MARTIN"), ("Tél. :", "05 49 00 00 00"), ("Mail :", "")]
    ):
        table.cell(row, 0).text = label
        table.cell(row, 1).text = value
    document.add_paragraph("Adresse :")
    document.add_paragraph("12 rue de la Gare, 79000 Niort")
    document.add_paragraph("Date :")
    document.add_paragraph("Pour la commune")
    path = tmp_path / "referents.docx"
    document.save(str(path))
    report = check_paths([path])
    assert sorted(f.text for f in report.findings) == ["Date :", "Mail :"]


def test_missing_instances_folder_or_configuration_exits_2(seeds: Path, tmp_path: Path) -> None:
    code, _, err = _run(seeds, "--instances", tmp_path / "instancse")
    assert code == 2 and "dossier des instances introuvable" in err
    code, _, err = _run(seeds, "--config", tmp_path / "absent.yaml")
    assert code == 2 and "configuration illisible" in err


def test_rules_are_listed_and_known_to_every_format() -> None:
    from convgen.check.model import all_rules

    code, out, _ = _run("--rules")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert listed == list(all_rules())
    assert {"marqueur-x", "reference-article", "sommaire", "nom-autre-partenaire"} <= set(listed)


def test_no_path_is_a_usage_error() -> None:
    code, _, err = _run()
    assert code == 2 and "au moins un fichier" in err


def test_malformed_word_numbering_is_read(tmp_path: Path) -> None:
    # w:ilvl="abc" (hand-edited XML): read as level 0 instead of stopping every check.
    document = docx.Document()
    document.add_paragraph("Le partenaire XXXX.", style="List Number")
    path = tmp_path / "numerotation.docx"
    document.save(str(path))
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    xml = parts["word/document.xml"].decode()
    parts["word/document.xml"] = xml.replace(
        "<w:pPr>", '<w:pPr><w:numPr><w:ilvl w:val="abc"/><w:numId w:val="1"/></w:numPr>', 1
    ).encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    report = check_paths([path])
    assert report.errors == [] and [f.text for f in report.findings] == ["XXXX"]


def test_footnotes_and_text_boxes_are_checked(tmp_path: Path) -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    document.add_paragraph("Article 1 : Objet")
    boxed = document.add_paragraph("Voir l'encadré.")
    boxed._p.append(
        docx.oxml.parse_xml(
            f'<w:r {w} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox>'
            "<w:txbxContent><w:p><w:r><w:t>Contact : [nom du référent]</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    noted = document.add_paragraph("Le montant est fixé par délibération")
    noted._p.append(docx.oxml.parse_xml(f'<w:r {w}><w:footnoteReference w:id="1"/></w:r>'))
    path = tmp_path / "notes.docx"
    document.save(str(path))
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {w}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:t>Délibération n° 2025-XXXX.</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["word/footnotes.xml"] = footnotes.encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    found = {(f.text, f.location.zone) for f in check_paths([path]).findings}
    assert found == {("[nom du référent]", "zone de texte"), ("2025-XXXX", "note de bas de page")}


def test_representative_on_the_next_line(tmp_path: Path) -> None:
    path = tmp_path / "parties.txt"
    path.write_text(
        "La Commune de Niort\nReprésentée par\nson Maire, M. Jérôme BALOGE,\n"
        "Et le CCAS de Niort\nReprésenté par\nLe partenaire de la commune\n",
        encoding="utf-8",
    )
    [finding] = check_paths([path]).findings
    assert (finding.rule, finding.text, finding.location.line) == (
        "champ-vide",
        "Représenté par",
        5,
    )


def test_signature_date_on_the_next_line(tmp_path: Path) -> None:
    path = tmp_path / "signatures.txt"
    path.write_text(
        "Fait à Niort, le\n12 mars 2025\nEn deux exemplaires.\nFait à Niort, le\nEn deux exemplaires.\n",
        encoding="utf-8",
    )
    [finding] = check_paths([path]).findings
    assert (finding.rule, finding.location.line) == ("date-signature", 4)
