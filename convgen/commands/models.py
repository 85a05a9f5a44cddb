"""`convgen models`: list the models and what they contain."""

from __future__ import annotations

from pathlib import Path

import click

from convgen.commands import handle_errors, root_option


@click.command("models")
@click.argument("name", required=False)
@root_option
@handle_errors
def command(name: str | None, root: Path) -> None:
    """Liste les modèles de convention, ou détaille l'un d'eux (articles, annexes).

    \b
    Exemple :
      convgen models
      convgen models mutuelle-communale
    """
    from convgen.build import Project
    from convgen.load.models import list_models
    from convgen.project import require_project

    require_project(root, "clauses", "templates")
    project = Project(root)
    names = [name] if name else list_models(project.templates_dir)
    for model_name in names:
        model = project.model(model_name)
        click.echo(f"{model.name} — {model.titre}")
        if not name:
            continue
        if model.description:
            click.echo(f"  {model.description}")
        click.echo(
            f"  numérotation : {model.numbering.article} ; sommaire : {'oui' if model.sommaire else 'non'}"
        )
        if model.preambule:
            click.echo(f"  préambule : {model.preambule}")
        for index, spec in enumerate(model.articles, start=1):
            what = spec.clause or "(sous-articles)"
            extra = f" [variante {spec.variante}]" if spec.variante else ""
            cond = f" [si {spec.si}]" if spec.si else ""
            click.echo(f"  {index}. {spec.titre or what}{extra}{cond}")
            for child in spec.sous_articles:
                click.echo(f"     - {child.titre or child.clause} ({child.clause})")
        for index, spec in enumerate(model.annexes, start=1):
            click.echo(f"  annexe {index} : {spec.clause}")
