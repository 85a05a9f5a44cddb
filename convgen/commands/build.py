"""`convgen build`: instances → .docx conventions."""

from __future__ import annotations

from pathlib import Path

import click

from convgen.cli import handle_errors


@click.command("build")
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Dossier où écrire les conventions.",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("."),
    show_default=True,
    help="Dossier du projet (contenant clauses/, templates/, instances/).",
)
@handle_errors
def command(targets: tuple[Path, ...], out_dir: Path, root: Path) -> None:
    """Produit une convention Word (.docx) par instance.

    Sans argument : toutes les instances de instances/ vers out/<instance>.docx. Une instance
    invalide n'écrit rien : tous les problèmes sont listés (fichier:ligne: champ: message).

    \b
    Exemple :
      convgen build instances/ccas-poitiers.yaml --out out/
    """
    from convgen.build import Project, build

    project = Project(root)
    for doc in build(targets, out_dir, project):
        click.echo(f"écrit : {doc.output}  ({doc.assembled.model.name})")
