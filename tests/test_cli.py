"""The command line: every command documented in French with an example; `new` writes a
complete instance that builds once filled."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from tests.miniproject import make_project


def test_every_command_is_documented_with_an_example() -> None:
    runner = CliRunner()
    assert cli.commands, "aucune commande enregistrée"
    for name in cli.commands:
        result = runner.invoke(cli, [name, "--help"], catch_exceptions=False)
        assert result.exit_code == 0, name
        assert "Exemple" in result.output, f"convgen {name} --help n'a pas d'exemple"


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(cli, ["build", "--nimporte"])
    assert result.exit_code == 2


def test_new_writes_every_field_commented_and_it_builds_once_filled(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    target = project / "instances" / "nouvelle.yaml"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["new", "essai", str(target), "--root", str(project)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert "modele: essai" in text
    assert "  nom: …   # Nom de la collectivité — un texte" in text
    assert "  code_postal: 86000   # un code postal à 5 chiffres (ex. 01000)" in text
    assert "  siren: 123 456 789   # un numéro SIREN à 9 chiffres (facultatif)" in text
    assert "  # exemplaires: 2   # un nombre entier (ex. 3) (défaut)" in text
    assert "#     variante: avenant   # parmi : avenant, tacite" in text
    # a second `new` does not overwrite silently
    again = runner.invoke(cli, ["new", "essai", str(target), "--root", str(project)])
    assert again.exit_code == 2 and "existe déjà" in again.output
    # the skeleton is a valid instance once the placeholders "…" are replaced
    target.write_text(text.replace("…", "Commune d'Essai"))
    (project / "instances" / "bourg.yaml").unlink()
    built = runner.invoke(
        cli, ["build", "--root", str(project), "--out", str(tmp_path / "o"), str(target)]
    )
    assert built.exit_code == 0, built.output


@pytest.mark.parametrize(
    "args", [["clauses"], ["clauses", "duree"], ["models"], ["models", "essai"]]
)
def test_listing_commands(tmp_path: Path, args: list[str]) -> None:
    project = make_project(tmp_path / "p")
    result = CliRunner().invoke(cli, [*args, "--root", str(project)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if args == ["clauses", "duree"]:
        assert "=== avenant (par défaut) ===" in result.output
        assert "duree [duree] (défaut : 2 ans)" in result.output
    if args == ["models", "essai"]:
        assert "2. Obligations" in result.output and "engagements" in result.output


def test_unknown_clause_suggests(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    result = CliRunner().invoke(cli, ["clauses", "dureee", "--root", str(project)])
    assert result.exit_code == 2
    assert "vouliez-vous dire « duree » ?" in result.output


@pytest.mark.parametrize(
    "model", ["mutuelle-communale", "mutuelle-regionale", "cpam-acces-aux-droits"]
)
def test_new_skeleton_of_each_bundled_model_builds_once_filled(tmp_path: Path, model: str) -> None:
    root = Path(__file__).resolve().parents[1]
    target = tmp_path / f"{model}.yaml"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["new", model, str(target), "--root", str(root)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    text = target.read_text()
    if model == "cpam-acces-aux-droits":  # a list of records is written field by field
        assert "  personnes_autorisees:" in text and "\n    - nom: " in text
    target.write_text(text.replace("…", "Valeur de test"))
    built = runner.invoke(
        cli, ["build", "--root", str(root), "--out", str(tmp_path / "out"), "--draft", str(target)]
    )
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / f"{model}.docx").is_file()
