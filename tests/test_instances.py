"""Bad input never gives a traceback, a blank or a half-written file: all problems, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.build import Project, build
from convgen.cli import cli
from convgen.read.extract import read_docx
from tests.miniproject import make_project


def run_build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["build", "--root", str(project), "--out", str(project / "out"), *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "projet")


def write_instance(project: Path, text: str, name: str = "bourg.yaml") -> Path:
    path = project / "instances" / name
    path.write_text(text, encoding="utf-8")
    return path


BAD = """\
modele: essai
collectivite:
  nom: Commune de Bourg
  nom: Commune de Bourg bis
  code_postale: "01000"
partenaire:
  nom: Dupont
  siren: "12345"
convention:
  date_effet: 31/02/2025
  exemplaires: deux
  tribunall: Lyon
clauses:
  duree:
    variante: tacit
    durée: 2 ans
"""


def test_every_problem_is_reported_at_once_with_file_and_line(project: Path) -> None:
    write_instance(project, BAD)
    code, output = run_build(project, str(project / "instances"))
    assert code == 2
    expected = [
        "bourg.yaml:4: collectivite.nom: clé en double (déjà définie ligne 3)",
        "bourg.yaml:5: collectivite.code_postale: clé inconnue ; vouliez-vous dire « code_postal » ?",
        "bourg.yaml:2: collectivite.code_postal: valeur manquante",
        "bourg.yaml:8: partenaire.siren: « 12345 » n'est pas un numéro SIREN à 9 chiffres",
        "bourg.yaml:10: convention.date_effet: « 31/02/2025 » n'est pas une date",
        "bourg.yaml:11: convention.exemplaires: « deux » n'est pas un nombre entier",
        "bourg.yaml:12: convention.tribunall: clé inconnue ; vouliez-vous dire « tribunal » ?",
        "bourg.yaml:15: clauses.duree.variante: variante inconnue « tacit » ; vouliez-vous dire « tacite » ?",
        "bourg.yaml:16: clauses.duree.durée: clé inconnue ; vouliez-vous dire « duree » ?",
    ]
    for line in expected:
        assert line in output, f"{line!r} absent de :\n{output}"
    assert "Traceback" not in output
    assert not (project / "out").exists()


def test_one_bad_instance_writes_no_document_at_all(project: Path) -> None:
    write_instance(project, "modele: essai\ncollectivite:\n  nom: X\n", "autre.yaml")
    code, output = run_build(project)
    assert code == 2
    assert "autre.yaml:2: collectivite.code_postal: valeur manquante" in output
    assert "autre.yaml:1: partenaire: " not in output  # a missing section is reported per field
    assert "autre.yaml:1: partenaire.nom: valeur manquante" in output
    assert not (project / "out").exists()


def test_yaml_syntax_error_points_to_line(project: Path) -> None:
    write_instance(project, "modele: essai\ncollectivite: [\n")
    code, output = run_build(project)
    assert code == 2
    assert "bourg.yaml:3: syntaxe YAML invalide" in output


def test_unknown_model_suggests_the_closest(project: Path) -> None:
    write_instance(project, "modele: esai\n")
    code, output = run_build(project)
    assert code == 2
    assert "bourg.yaml:1: modele: modèle inconnu « esai » ; vouliez-vous dire « essai » ?" in output


@pytest.mark.parametrize(
    "value", ["01000", "NO", "10:30", "1e3", "0x1F", "~fin", "Dupont & Fils <SARL>"]
)
def test_values_are_never_reinterpreted(project: Path, tmp_path: Path, value: str) -> None:
    inst = project / "instances" / "bourg.yaml"
    inst.write_text(inst.read_text().replace("nom: Dupont & Fils <SARL>", f"nom: {value}"))
    (doc,) = build([], tmp_path / "out", Project(project))
    texts = [b.text for b in read_docx(doc.output).body()]
    assert f"Entre Commune de Bourg-en-Bresse (code postal 01000) et {value}." in texts


def test_markup_characters_in_values_stay_literal(project: Path, tmp_path: Path) -> None:
    inst = project / "instances" / "bourg.yaml"
    inst.write_text(
        inst.read_text().replace(
            "nom: Commune de Bourg-en-Bresse", 'nom: "*Bourg* __en__ [Bresse] - \\\\x"'
        )
    )
    (doc,) = build([], tmp_path / "out", Project(project))
    texts = [b.text for b in read_docx(doc.output).body()]
    assert any(
        t.startswith("La présente convention lie *Bourg* __en__ [Bresse] - \\x et") for t in texts
    )


def test_unresolved_reference_is_an_error(project: Path) -> None:
    clause = project / "clauses" / "objet.md"
    clause.write_text(clause.read_text().replace('article("engagements")', 'article("engagement")'))
    code, output = run_build(project)
    assert code == 2
    assert (
        'objet.md:13: article("engagement"): référence à une clause absente de ce document'
        in output
    )
    assert "vouliez-vous dire « engagements » ?" in output
    assert not (project / "out").exists()


def test_unknown_variable_in_clause_is_an_error_not_a_blank(project: Path) -> None:
    clause = project / "clauses" / "litiges.md"
    clause.write_text(
        clause.read_text().replace("convention.tribunal", "convention.tribunal_ville")
    )
    code, output = run_build(project)
    assert code == 2
    assert "litiges.md:7: valeur inconnue « tribunal_ville »" in output


def test_optional_value_left_empty_cannot_print_as_blank(project: Path) -> None:
    clause = project / "clauses" / "litiges.md"
    clause.write_text(clause.read_text() + "SIREN : {{ partenaire.siren }}\n")
    code, output = run_build(project)
    assert code == 2
    # the instance's field is to fill: the message points there (the section's line), not
    # into the clause file
    assert "bourg.yaml:5: partenaire.siren: champ facultatif non rempli" in output
    assert "(clause « litiges »)" in output and "litiges.md" not in output


def test_templates_render_in_a_sandbox(project: Path) -> None:
    clause = project / "clauses" / "litiges.md"
    clause.write_text(clause.read_text() + "{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    code, output = run_build(project)
    assert code == 2
    assert "litiges.md:8: opération interdite dans un modèle (attribut « __class__ »)" in output
    assert not (project / "out").exists()


def test_broken_library_reports_file_and_line(project: Path) -> None:
    (project / "clauses" / "litiges.md").write_text(
        "---\nid: litige\ntitre: Litiges\ncategorie: litiges\nparametres:\n  delai: {type: duree, defaut: trois mois}\n---\n{% if %}\n"
    )
    code, output = run_build(project)
    assert code == 2
    assert (
        "litiges.md:2: id: l'identifiant « litige » doit être le nom du fichier « litiges »"
        in output
    )
    assert (
        "litiges.md:6: parametres.delai.defaut: valeur par défaut : « trois mois » n'est pas une durée"
        in output
    )
    assert "litiges.md:8: erreur de syntaxe : expression attendue avant « %} »" in output


def test_output_size_is_bounded(project: Path) -> None:
    clause = project / "clauses" / "litiges.md"
    clause.write_text(clause.read_text() + "{{ 'x' * 3000000 }}\n")
    code, output = run_build(project)
    assert code == 2
    assert "texte produit trop long" in output
