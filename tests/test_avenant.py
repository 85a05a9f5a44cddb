"""Avenants between two versions of the bundled conventions: each kind of change worded as
French administrations do, the result read back from the .docx, checked, and printed to PDF."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.lifecycle.avenant import AvenantOptions, make_avenant
from convgen.lifecycle.changes import Kind
from convgen.read.extract import read_document

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled project (clauses, models, instances) that a test may modify."""
    for name in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def render(project: Path, instance: str, target: Path) -> Path:
    from convgen.build import Project, render_instance

    _assembled, data = render_instance(Project(project), project / instance, settle=False)
    target.write_bytes(data)
    return target


def paragraphs(docx: Path) -> list[str]:
    """Body paragraphs, spaces and apostrophes folded (typography is not what is tested)."""
    return [
        " ".join(b.text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'").split())
        for b in read_document(docx).body()
    ]


def check_clean(docx: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(docx)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "aucun problème" in result.output


def test_mutuelle_communale_every_kind_of_article_change(project: Path, tmp_path: Path) -> None:
    signed = render(project, "instances/ccas-poitiers.yaml", tmp_path / "signee.docx")
    # The new version: one value in a paragraph, a clause variant, an article removed from
    # the model and another added at the end.
    instance = project / "instances/ccas-poitiers.yaml"
    edit(instance, "prolongation_max: 5 ans", "prolongation_max: 4 ans")
    edit(
        instance,
        "  resiliation:\n    preavis: 3 mois",
        "  resiliation:\n    variante: mise-en-demeure",
    )
    manifest = project / "templates/mutuelle-communale/modele.yaml"
    edit(manifest, "  - clause: garantie-offre\n", "")
    edit(
        manifest,
        "    variante: juridictions-competentes\n",
        "    variante: juridictions-competentes\n  - clause: modification\n",
    )

    avenant = make_avenant(
        signed,
        instance,
        AvenantOptions(
            numero=1, signed_on=date(2026, 3, 2), convention_signed_on=date(2025, 4, 17)
        ),
    )
    kinds = [(a.target, [p.kind for p in a.points]) for a in avenant.amendments]
    assert kinds == [
        ("5", [Kind.DELETED]),
        ("6", [Kind.PARAGRAPHS]),
        ("8", [Kind.REPLACED]),
        ("9", [Kind.INSERTED]),  # new article 9 « Modification », after old article 9
        ("", [Kind.RENUMBERED]),
    ]
    out = tmp_path / "avenant.docx"
    out.write_bytes(avenant.data)
    text = paragraphs(out)
    joined = "\n".join(text)
    assert text[0] == "Avenant n° 1"
    assert (
        "Vu la convention de partenariat – mutuelle communale de Poitiers – Mutuelle du Clain signée le 17 avril 2025, ci-après dénommée « la convention » ;"
        in text
    )
    assert "L'article 5 « Garantie de l'offre » est supprimé." in joined.replace("’", "'")
    assert "Le deuxième alinéa de l'article 6 est modifié comme suit :" in text
    assert any(
        t.startswith("« Elle pourra être prolongée annuellement") and "quatre ans" in t
        for t in text
    )
    assert (
        "L'article 8 « Résiliation » est remplacé, sous l'intitulé « Résiliation de la "
        "convention », par les dispositions suivantes :"
    ) in text
    assert any(t.startswith("« L'inexécution, le manquement ou la faute grave") for t in text)
    assert "Il est inséré, après l'article 9, un article 9 « Modification » ainsi rédigé :" in text
    assert (
        "En conséquence, les articles 6, 7, 8 et 9 de la convention deviennent respectivement "
        "les articles 5, 6, 7 et 8." in text
    )
    assert "Le présent avenant prend effet à la date de sa signature par les parties." in text
    assert "Les autres stipulations de la convention demeurent inchangées." in text
    assert "Fait à Poitiers, le 2 mars 2026, en deux (2) exemplaires originaux." in text
    assert "Léonore MONCOND'HUY" in joined and "Mme Sophie RENAUDIN" in joined  # signatures
    headings = [t for t in text if t.startswith("Article ")]
    assert headings[0] == "Article 1 : Suppression de l'article 5 « Garantie de l'offre »"
    assert headings[-2:] == ["Article 6 : Date d'effet", "Article 7 : Autres stipulations"]
    check_clean(out)


def test_value_used_in_several_articles_amends_each_once(project: Path, tmp_path: Path) -> None:
    signed = render(project, "instances/ccas-poitiers.yaml", tmp_path / "signee.docx")
    edit(
        project / "instances/ami-poitiers.yaml", "  commune: Poitiers\n", "  commune: Buxerolles\n"
    )
    avenant = make_avenant(
        signed, project / "instances/ccas-poitiers.yaml", AvenantOptions(signed_on=date(2026, 3, 2))
    )
    targets = [a.target for a in avenant.amendments]
    assert len(targets) == len(set(targets))  # each article once
    assert {"1", "2", "4", "5", "8"} <= set(targets)
    article_4 = next(a for a in avenant.amendments if a.target == "4")
    assert [p.number for p in article_4.points] == ["4.1", "4.2"]  # both sub-articles, one article
    out = tmp_path / "avenant.docx"
    out.write_bytes(avenant.data)
    text = paragraphs(out)
    assert any(t.startswith("1° ") and "article 4.1" in t for t in text)
    assert any(t.startswith("2° ") and "article 4.2" in t for t in text)


def test_cpam_annex_replaced_and_pdf_through_the_cli(project: Path, tmp_path: Path) -> None:
    signed = render(project, "instances/cpam-cote-opale.yaml", tmp_path / "signee.docx")
    instance = project / "instances/cpam-cote-opale.yaml"
    edit(instance, "Mme Karima BENALI", "Mme Karima BENALI-MARTIN")
    edit(instance, "- nom: Mme Karima BENALI-MARTIN", "- nom: Mme Karima BENALI-MARTIN")
    out = tmp_path / "avenant-1.docx"
    result = CliRunner().invoke(
        cli,
        [
            "avenant", str(signed), str(instance), "--le", "15/09/2025", "--effet", "2025-10-01",
            "--deliberation", "n° 2025-77 du conseil d’administration du 4 septembre 2025",
            "-o", str(out), "--pdf",
        ],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = paragraphs(out)
    assert (
        "L'annexe 1 « Liste des personnes de la structure partenaire autorisées à transmettre / "
        "revoir des éléments de dossier à la CPAM » de la convention est remplacée par l'annexe "
        "jointe au présent avenant." in [t.replace("’", "'") for t in text]
    )
    assert "Le présent avenant prend effet le 1er octobre 2025." in text
    assert any("Vu la délibération n° 2025-77" in t for t in text)
    assert "Mme Karima BENALI-MARTIN" in text  # the annex joined, its table copied
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    pdf_text = " ".join(paragraphs(pdf))
    assert "Avenant n° 1" in pdf_text and "BENALI-MARTIN" in pdf_text
    check_clean(out)


def test_same_text_is_an_error_exit_2(project: Path) -> None:
    instance = project / "instances/saint-chamond.yaml"
    result = CliRunner().invoke(cli, ["avenant", str(instance), str(instance)])
    assert result.exit_code == 2
    assert "aucun avenant à écrire" in result.output


@pytest.mark.parametrize(
    ("instance", "old", "new", "sentence"),
    [
        (
            "instances/saint-chamond.yaml",
            "preavis_denonciation: 2 mois",
            "preavis_denonciation: 3 mois",
            "Le quatrième alinéa de l'article 4 est modifié comme suit :",
        ),
        (
            "instances/les-vans-tripartite.yaml",
            "duree: 3 ans",
            "duree: 4 ans",
            "Le premier alinéa de l'article 6 est modifié comme suit :",
        ),
    ],
)
def test_other_bundled_models(
    project: Path, tmp_path: Path, instance: str, old: str, new: str, sentence: str
) -> None:
    signed = render(project, instance, tmp_path / "signee.docx")
    edit(project / instance, old, new)
    avenant = make_avenant(signed, project / instance, AvenantOptions(signed_on=date(2026, 2, 2)))
    assert len(avenant.amendments) == 1
    out = tmp_path / "avenant.docx"
    out.write_bytes(avenant.data)
    text = paragraphs(out)
    assert sentence in text
    assert "Les autres stipulations de la convention demeurent inchangées." in text
    check_clean(out)
