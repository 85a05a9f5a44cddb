"""`convgen import`: an existing convention (Word, PDF, text) to an instance that rebuilds it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from convgen.cli import CONTEXT_SETTINGS, handle_errors


@click.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--model", "model", help="Modèle de templates/ (par défaut : le plus proche).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Instance à écrire (par défaut : instances/<nom du fichier>.yaml).",
)
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Dossier du projet (clauses/, templates/).",
)
@handle_errors
def command(source: Path, model: str | None, out: Path | None, project: Path) -> None:
    """Importe une convention existante (.docx, .pdf, .txt, .md) comme instance d'un modèle.

    Chaque article est rapproché de la clause et de la variante qui l'expliquent, les valeurs
    (noms, dates, durées, montants) sont retrouvées et typées, l'instance est écrite puis
    reconstruite et comparée à la source, article par article. Les blancs de la source
    (« XXXX », « ..... ») sont signalés, pas importés.

    Code de sortie : 0 reconstruction identique, 1 différences, 2 erreur de saisie.

    \b
    Exemple :
      convgen import convention-2025.docx --out instances/partenaire.yaml
    """
    from convgen.importer import import_document
    from convgen.importer.report import report_text

    target = out or project / "instances" / f"{source.stem}.yaml"
    result = import_document(source, project, target, model_name=model)
    click.echo(report_text(result), nl=False)
    sys.exit(0 if result.identical else 1)
