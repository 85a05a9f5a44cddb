"""`convgen clauses`: list the clause library, or show one clause."""

from __future__ import annotations

from pathlib import Path

import click

from convgen.cli import handle_errors
from convgen.commands import root_option
from convgen.errors import InputError


@click.command("clauses")
@click.argument("clause_id", required=False)
@root_option
@handle_errors
def command(clause_id: str | None, root: Path) -> None:
    """Liste les clauses de la bibliothèque, ou affiche l'une d'elles avec ses variantes
    et ses paramètres.

    \b
    Exemple :
      convgen clauses
      convgen clauses duree
    """
    from convgen.build import Project
    from convgen.schema import FieldSpec

    library = Project(root).library
    if clause_id is None:
        clauses = sorted(library.clauses.values(), key=lambda c: (c.categorie, c.id))
        cat_width = max(len(c.categorie) for c in clauses)
        id_width = max(len(c.id) for c in clauses)
        for clause in clauses:
            variants = f" ({', '.join(clause.variants)})" if len(clause.variants) > 1 else ""
            click.echo(
                f"{clause.categorie:<{cat_width}}  {clause.id:<{id_width}}  {clause.titre}{variants}"
            )
        return
    if clause_id not in library.clauses:
        raise InputError(f"clause inconnue « {clause_id} »{library.suggest(clause_id)}")
    clause = library.clauses[clause_id]
    click.echo(f"{clause.id} — {clause.titre}")
    click.echo(f"catégorie : {clause.categorie}")
    if clause.source:
        click.echo(f"source : {clause.source}")
    click.echo(f"fichier : {clause.path}")
    if clause.parametres.fields:
        click.echo("paramètres :")
        for name, spec in clause.parametres.fields.items():
            if isinstance(spec, FieldSpec):
                default = f" (défaut : {spec.defaut})" if spec.defaut is not None else ""
                click.echo(f"  {name} [{spec.type}]{default} — {spec.description}")
    for variant in clause.variants.values():
        marker = " (par défaut)" if variant.name == clause.default_variant else ""
        click.echo(f"\n=== {variant.name}{marker} === {variant.description}")
        if variant.titre:
            click.echo(f"titre : {variant.titre}")
        click.echo(variant.body.rstrip())
