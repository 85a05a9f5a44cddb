"""`convgen new`: write an instance file to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from convgen.cli import handle_errors
from convgen.commands import root_option


@click.command("new")
@click.argument("model")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Remplacer le fichier s'il existe.")
@root_option
@handle_errors
def command(model: str, file: Path, force: bool, root: Path) -> None:
    """Écrit une instance du modèle MODEL à remplir : tous les champs, commentés.

    \b
    Exemple :
      convgen new mutuelle-communale instances/ccas-niort.yaml
    """
    from convgen.build import Project
    from convgen.scaffold import write_skeleton

    project = Project(root)
    write_skeleton(project.model(model), project.library, file, force)
    click.echo(f"écrit : {file} — remplissez-le puis : convgen build {file}")
