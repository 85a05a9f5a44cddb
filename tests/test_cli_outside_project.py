"""Run outside a project, every command that needs one says where convgen looked (the absolute
folder, each missing part of the project) and what `--root` does, with the command line that
names a project — no « introuvable : instances » without a hint, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.errors import ProjectNotFoundError
from convgen.project import require_project

# (arguments, the folders the message must name as missing, the option that names a project)
COMMANDS = [
    (["build"], ["clauses", "templates", "instances"], "--root"),
    (["build", "x.yaml"], ["clauses", "templates"], "--root"),
    (["build", "--data", "x.csv", "--model", "essai"], ["clauses", "templates"], "--root"),
    (["new", "mutuelle-communale", "ccas.yaml"], ["clauses", "templates"], "--root"),
    (["clauses"], ["clauses"], "--root"),
    (["clauses", "duree"], ["clauses"], "--root"),
    (["models"], ["clauses", "templates"], "--root"),
    (["serve"], ["instances", "templates"], "--root"),
    (["avenant", "x.docx", "x.yaml"], ["clauses", "templates"], "--root"),
    (["echeances"], ["clauses", "templates", "instances"], "--root"),
    (["echeances", "x.yaml"], ["clauses", "templates"], "--root"),
    (["registre", "signe", "x.yaml", "--le", "2025-04-17"], ["clauses", "templates"], "--root"),
    (["registre", "avenant", "x.yaml", "--le", "2026-03-02"], ["clauses", "templates"], "--root"),
    (["import", "x.txt"], ["clauses", "templates"], "--project"),
]
LABELS = {
    "clauses": "bibliothèque de clauses",
    "templates": "dossier des modèles",
    "instances": "dossier des instances",
}
# The register's commands need a project of any kind (or a register alone).
REGISTER = [
    ["registre", "liste"],
    ["registre", "montre", "x"],
    ["registre", "denonce", "x", "--le", "2026-10-15"],
    ["registre", "resilie", "x", "--le", "2026-10-15"],
    ["registre", "termine", "x", "--le", "2026-10-15"],
]


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("x.yaml", "x.csv", "x.txt"):
        (tmp_path / name).write_text("modele: essai\n", encoding="utf-8")
    (tmp_path / "x.docx").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, prog_name="convgen")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(("args", "missing", "option"), COMMANDS, ids=lambda a: str(a))
def test_outside_a_project_each_command_says_where_and_what_root_does(
    empty: Path, args: list[str], missing: list[str], option: str
) -> None:
    code, output = _run(args)
    assert code == 2, output
    where = empty.resolve()
    for name in missing:
        assert f"{LABELS[name]} introuvable : {where / name}" in output
    assert f"convgen a cherché le projet dans le dossier courant ({where})" in output
    assert "qui contient clauses/, templates/ et instances/" in output
    assert f"{option} DOSSIER" in output
    command = " ".join(args[:2]) if args[0] == "registre" else args[0]  # subcommand path
    assert f"(par exemple : convgen {command} {option} ../conventions)" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("args", REGISTER, ids=lambda a: " ".join(a))
def test_register_commands_outside_a_project(empty: Path, args: list[str]) -> None:
    code, output = _run(args)
    assert code == 2, output
    assert f"pas de projet convgen : ni clauses/, ni templates/, ni instances/ dans {empty}" in (
        output.replace(str(empty.resolve()), str(empty))
    )
    assert "--root DOSSIER" in output
    assert f"(par exemple : convgen registre {args[1]} --root ../conventions)" in output


def test_a_given_root_is_named_as_such(tmp_path: Path) -> None:
    code, output = _run(["build", "--root", str(tmp_path)])
    assert code == 2
    assert f"convgen a cherché le projet dans --root {tmp_path} ({tmp_path.resolve()})" in output
    assert f"bibliothèque de clauses introuvable : {tmp_path.resolve() / 'clauses'}" in output


def test_inside_a_project_nothing_is_required_that_is_there(tmp_path: Path) -> None:
    for name in ("clauses", "templates"):
        (tmp_path / name).mkdir()
    require_project(tmp_path, "clauses", "templates")
    require_project(tmp_path)  # any project folder will do
    with pytest.raises(ProjectNotFoundError) as caught:
        require_project(tmp_path, "clauses", "instances")
    assert caught.value.missing == ["instances"]
    assert "dossier des instances introuvable" in str(caught.value)
    assert "bibliothèque de clauses" not in str(caught.value)
