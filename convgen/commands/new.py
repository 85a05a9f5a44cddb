"""`convgen new`: write an instance file to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from convgen.commands import echo_output, handle_errors, root_option
from convgen.errors import InputError


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
    from convgen.load.scaffold import instance_skeleton
    from convgen.project import require_project
    from convgen.render.zipout import make_output_dir, write_text_atomic

    require_project(root, "clauses", "templates")
    project = Project(root)
    if file.exists() and not force:
        raise InputError(f"{file} existe déjà (--force pour le remplacer)")
    text = instance_skeleton(project.model(model), project.library)
    make_output_dir(file.parent)
    write_text_atomic(file, text)
    echo_output(f"écrit : {file} — remplissez-le puis : convgen build {file}")
