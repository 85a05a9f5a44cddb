"""Building a convention from the mini project: text, numbering, references, properties, bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.build import Project, build
from convgen.cli import cli
from convgen.read.extract import read_docx
from tests.miniproject import make_project


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "projet")


def body_texts(path: Path) -> list[str]:
    return [b.text for b in read_docx(path).body()]


def test_build_writes_filled_numbered_convention(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (doc,) = build([], out, Project(project))
    assert doc.output == out / "bourg.docx"
    texts = body_texts(doc.output)
    # values are never reinterpreted, and XML-special characters survive exactly
    assert "Entre Commune de Bourg-en-Bresse (code postal 01000) et Dupont & Fils <SARL>." in texts
    # numbering style of the model ("1er", "–"), sub-articles "2.1"
    headings = [b.text for b in read_docx(doc.output).body() if b.outline_level is not None]
    assert headings == [
        "Article 1er – Objet de la convention",
        "Article 2 – Obligations",
        "2.1 Engagements du partenaire",
        "Article 3 – Durée",
        "Article 4 – Litiges",
    ]
    # reference by clause id resolved to the final number; no-break space before ";"
    # French typography (convgen.compose.typography): ’, no-break spaces after « article », before « ; ».
    assert any("voir notamment l’article\u00a02.1." in t and "habitants\u202f;" in t for t in texts)
    # derived dates are computed: 17 April 2025 + 2 years -> 16 April 2027
    assert (
        "Conclue pour deux ans à compter du 17\u00a0avril 2025, soit jusqu’au 16\u00a0avril 2027."
        in texts
    )
    assert "Fait en deux exemplaires." in texts
    footer = [b.text for b in read_docx(doc.output).blocks if b.zone == "pied de page"]
    assert footer == ["Convention Dupont & Fils <SARL>"]


def test_sommaire_lists_every_article_with_its_page(tmp_path: Path) -> None:
    project = make_project(tmp_path / "projet", sommaire=True)
    (doc,) = build([], tmp_path / "out", Project(project))
    texts = body_texts(doc.output)
    start = texts.index("Sommaire")
    assert texts[start + 1 : start + 5] == [
        "Article 1er – Objet de la convention\t1",
        "Article 2 – Obligations\t1",
        "Article 3 – Durée\t1",
        "Article 4 – Litiges\t1",
    ]


def test_sommaire_page_numbers_follow_the_layout(tmp_path: Path) -> None:
    project = make_project(tmp_path / "projet", sommaire=True)
    clause = project / "clauses" / "engagements.md"
    clause.write_text(
        clause.read_text().replace(
            "Le partenaire s'engage à :", "[saut de page]\n\nLe partenaire s'engage à :"
        )
    )
    (doc,) = build([], tmp_path / "out", Project(project))
    texts = body_texts(doc.output)
    assert "Article 3 – Durée\t2" in texts
    assert "Article 2 – Obligations\t1" in texts


def test_same_inputs_give_identical_bytes(project: Path, tmp_path: Path) -> None:
    (a,) = build([], tmp_path / "a", Project(project))
    (b,) = build([], tmp_path / "b", Project(project))
    assert a.output.read_bytes() == b.output.read_bytes()


def test_properties_record_model_instance_and_input_hash(project: Path, tmp_path: Path) -> None:
    (doc,) = build([], tmp_path / "out", Project(project))
    props = read_docx(doc.output).properties
    assert props["title"] == "Convention Commune de Bourg-en-Bresse – Dupont & Fils <SARL>"
    assert props["convgen.modele"] == "essai"
    assert props["convgen.instance"] == "bourg.yaml"
    assert len(props["convgen.empreinte"]) == 64
    # changing a clause changes the hash
    clause = project / "clauses" / "litiges.md"
    clause.write_text(clause.read_text().replace("Tribunal", "Le tribunal"))
    (again,) = build([], tmp_path / "out2", Project(project))
    assert read_docx(again.output).properties["convgen.empreinte"] != props["convgen.empreinte"]


def test_instance_can_choose_variant_and_parameters(project: Path, tmp_path: Path) -> None:
    inst = project / "instances" / "bourg.yaml"
    inst.write_text(
        inst.read_text()
        + "  avec_litiges: non\nclauses:\n  duree:\n    variante: tacite\n    duree: 1 année\n    preavis: 2 mois\n"
    )
    (doc,) = build([], tmp_path / "out", Project(project))
    texts = body_texts(doc.output)
    assert "Article 3 – Durée et dénonciation" in texts
    assert (
        "Conclue pour une (1) année, renouvelable\u202f; préavis de deux (2) mois, soit au plus tard "
        "le 16\u00a0février 2026." in texts
    )
    assert not any("Litiges" in t for t in texts)  # conditional article dropped


def test_word_frame_is_valid_for_python_docx(project: Path, tmp_path: Path) -> None:
    import docx

    (doc,) = build([], tmp_path / "out", Project(project))
    document = docx.Document(str(doc.output))
    styles = [p.style.name for p in document.paragraphs]
    assert "Heading 1" in styles and "Heading 2" in styles and "List Bullet" in styles
    with zipfile.ZipFile(doc.output) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())


def test_cli_build_default_out(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (project / "out" / "bourg.docx").is_file()
    assert "out/bourg.docx" in result.output


def test_article_titles_may_name_the_partner(project: Path, tmp_path: Path) -> None:
    clause = project / "clauses" / "engagements.md"
    clause.write_text(
        clause.read_text().replace(
            "titre: Engagements du partenaire", "titre: Engagements de {{ partenaire.nom }}"
        )
    )
    (doc,) = build([], tmp_path / "out", Project(project))
    texts = body_texts(doc.output)
    assert "2.1 Engagements de Dupont & Fils <SARL>" in texts


def test_document_author_is_the_issuing_body(project: Path, tmp_path: Path) -> None:
    manifest = project / "templates" / "essai" / "modele.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "proprietes:\n", 'proprietes:\n  auteur: "{{ collectivite.nom }}"\n'
        )
    )
    (doc,) = build([], tmp_path / "out", Project(project))
    assert read_docx(doc.output).properties["creator"] == "Commune de Bourg-en-Bresse"


def test_many_instance_files_are_read_in_the_workers_with_every_problem_listed(
    project: Path, tmp_path: Path
) -> None:
    """From `LOAD_IN_WORKERS` files the workers read them: same documents as one process,
    and with broken files every problem of every file is listed and nothing is written."""
    from convgen.build import LOAD_IN_WORKERS

    folder = project / "instances"
    text = (folder / "bourg.yaml").read_text(encoding="utf-8")
    for i in range(LOAD_IN_WORKERS + 6):
        (folder / f"commune-{i:03d}.yaml").write_text(text, encoding="utf-8")
    proj = Project(project)
    one = build([folder], tmp_path / "un", proj, jobs=1)
    two = build([folder], tmp_path / "deux", proj, jobs=2)
    assert [d.output.name for d in two] == [d.output.name for d in one]
    assert all(a.data == b.data for a, b in zip(one, two, strict=True))
    (folder / "commune-007.yaml").write_text("modele: essai\ncommune: [ouvert\n", encoding="utf-8")
    (folder / "commune-050.yaml").write_text(
        text.replace("modele: essai", "modele: inconnu"), encoding="utf-8"
    )
    out = tmp_path / "trois"
    result = CliRunner().invoke(
        cli, ["build", str(folder), "--out", str(out), "--jobs", "2", "--root", str(project)]
    )
    assert result.exit_code == 2, result.output
    assert "commune-007.yaml:" in result.output and "commune-050.yaml" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not list(out.glob("*.docx"))
