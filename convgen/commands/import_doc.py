"""`convgen import`: existing conventions (Word, PDF, text) to instances that rebuild them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from convgen.commands import CONTEXT_SETTINGS, handle_errors


@click.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--model", "model", help="Modèle de templates/ (par défaut : le plus proche).")
@click.option(
    "--new-model",
    "new_model",
    help="Apprend un nouveau modèle NOM (clauses, modele.yaml, cadre Word) des documents.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Instance à écrire, ou dossier des instances pour un dossier ou --new-model "
    "(par défaut : instances/).",
)
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Dossier du projet (clauses/, templates/).",
)
@handle_errors
def command(
    source: Path, model: str | None, new_model: str | None, out: Path | None, project: Path
) -> None:
    """Importe des conventions existantes (.docx, .pdf, .txt, .md) comme instances.

    Chaque article est rapproché de la clause et de la variante qui l'expliquent, les valeurs
    (noms, dates, durées, montants) sont retrouvées et typées, l'instance est écrite puis
    reconstruite et comparée à la source, article par article. Les blancs de la source
    (« XXXX », « ..... ») sont signalés, pas importés.

    Avec --new-model NOM, le texte commun des documents (un fichier ou un dossier) devient
    des clauses nouvelles et un modèle, ce qui varie d'un document à l'autre des paramètres
    typés, et chaque document son instance.

    Code de sortie : 0 reconstruction identique, 1 différences, 2 erreur de saisie.

    \b
    Exemple :
      convgen import convention-2025.docx --out instances/partenaire.yaml
      convgen import conventions-salles/ --new-model salle-associations
    """
    from convgen.diff.deviations import collect_documents
    from convgen.errors import InputError

    if model and new_model:
        raise InputError("--model et --new-model s'excluent : choisir l'un des deux")
    if not source.exists():
        raise InputError(f"{source}: fichier introuvable")
    from convgen.project import require_project

    # Articles are matched against the project's clauses; its models give the fields.
    require_project(project, "clauses", "templates", option="--project")
    sources = collect_documents([source])
    if new_model:
        from convgen.importer.newmodel import import_new_model
        from convgen.importer.report import new_model_report

        learnt = import_new_model(sources, project, new_model, out or project / "instances")
        click.echo(new_model_report(learnt), nl=False)
        sys.exit(0 if not any(learnt.differing.values()) else 1)

    from convgen.importer import import_document
    from convgen.importer.report import report_text

    if source.is_dir() and out is not None and out.suffix in (".yaml", ".yml"):
        raise InputError("pour un dossier, --out est le dossier des instances")
    identical = True
    for path in sources:
        if out is not None and not source.is_dir():
            target = out
        else:
            target = (out or project / "instances") / f"{path.stem}.yaml"
        result = import_document(path, project, target, model_name=model)
        click.echo(report_text(result))
        identical = identical and result.identical
    sys.exit(0 if identical else 1)
