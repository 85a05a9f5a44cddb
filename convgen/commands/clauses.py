"""`convgen clauses`: list the clause library, or show one clause."""

from __future__ import annotations

import re
from pathlib import Path

import click

from convgen.commands import handle_errors, root_option
from convgen.errors import InputError

_VALUE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_NAME = re.compile(r"^[\w.]+$")
_CALL = re.compile(r"^(\w+)\(\s*[\"']([^\"']*)[\"']\s*\)$")
# Field names are written without accents in data keys; readers see the words.
_WORDS = {
    "duree": "durée", "designation": "désignation", "qualite": "qualité",
    "deliberation": "délibération", "preavis": "préavis", "delai": "délai",
    "numero": "numéro", "telephone": "téléphone", "siege": "siège", "region": "région",
    "beneficiaires": "bénéficiaires", "reference": "référence", "periode": "période",
    "representant": "représentant", "ponderation": "pondération", "criteres": "critères",
    "exigence": "exigence", "delegue": "délégué", "publication": "publication",
    "denonciation": "dénonciation", "reponse": "réponse", "deposer": "déposer", "depot": "dépôt", "decision": "décision",
}  # fmt: skip


def readable(text: str) -> str:
    """A clause's template text with each inserted value as a readable marker.

    « {{ p.duree | lettres_chiffres }} » → « ‹durée› », « {{ mutuelle.designation }} » →
    « ‹mutuelle : désignation› », « {{ article("rgpd") }} » → « ‹article rgpd› »; the
    `{% … %}` statements (loops, conditions) stay, they say how the text varies.
    """

    def marker(m: re.Match[str]) -> str:
        expr = m.group(1).split("|")[0].strip()
        call = _CALL.match(expr)
        if call:
            return f"‹{_words(call.group(1))} {call.group(2)}›"
        if not _NAME.match(expr):
            return f"‹{expr}›"
        parts = [_words(p) for p in expr.split(".") if p not in ("p", "loop")]
        if expr.startswith("loop."):
            return "‹n°›"
        if len(parts) >= 2:
            return f"‹{' '.join(parts[:-1])} : {parts[-1]}›"
        return f"‹{parts[0] if parts else expr}›"

    return _VALUE.sub(marker, text)


def _words(name: str) -> str:
    return " ".join(_WORDS.get(w, w) for w in name.split("_"))


def require_library(clauses: Path, option: str) -> None:
    """A missing clause library says where it was looked for and which option names it."""
    if not clauses.is_dir():
        raise InputError(
            f"bibliothèque de clauses introuvable : {clauses.resolve()} ; lancez convgen depuis "
            f"le dossier du projet (qui contient clauses/, templates/ et instances/) ou "
            f"indiquez-le avec {option}"
        )


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
    from convgen.load.schema import FieldSpec
    from convgen.project import require_project

    require_project(root, "clauses")
    library = Project(root).library
    if clause_id is None:
        clauses = sorted(library.clauses.values(), key=lambda c: (c.categorie, c.id))
        cat_width = max(len(c.categorie) for c in clauses)
        id_width = max(len(c.id) for c in clauses)
        for clause in clauses:
            variants = f" ({', '.join(clause.variants)})" if len(clause.variants) > 1 else ""
            click.echo(
                f"{clause.categorie:<{cat_width}}  {clause.id:<{id_width}}  "
                f"{readable(clause.titre)}{variants}"
            )
        return
    if clause_id not in library.clauses:
        raise InputError(f"clause inconnue « {clause_id} »{library.suggest(clause_id)}")
    clause = library.clauses[clause_id]
    click.echo(f"{clause.id} — {readable(clause.titre)}")
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
            click.echo(f"titre : {readable(variant.titre)}")
        click.echo(readable(variant.body.rstrip()))
