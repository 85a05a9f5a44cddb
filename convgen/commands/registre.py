"""`convgen registre`: the register of signed conventions (signature, avenants, fin)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from convgen.commands import CONTEXT_SETTINGS, handle_errors, root_option, writing_stdout


class FrenchDate(click.ParamType):
    """A date written 2025-04-17 or 17/04/2025; a French message otherwise."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        from convgen.load.values import parse_date

        try:
            return parse_date(str(value).strip())
        except ValueError:
            self.fail(f"« {value} » n'est pas une date (ex. 2025-04-17 ou 17/04/2025)", param, ctx)


DATE = FrenchDate()


@click.group("registre", context_settings=CONTEXT_SETTINGS)
def command() -> None:
    """Registre des conventions signées : signature, avenants, dénonciation, fin.

    Le registre est une base SQLite dans le dossier du projet (registre/registre.sqlite3) ;
    chaque signature et chaque avenant y garde le document signé (registre/documents/).

    \b
    Exemple :
      convgen registre signe instances/ccas-poitiers.yaml --le 2025-04-17 --pdf signe.pdf
      convgen registre avenant instances/ccas-poitiers.yaml --le 2026-03-02
      convgen registre denonce ccas-poitiers --le 2026-10-15
      convgen registre liste --statut signée
    """


def _register(root: Path, *folders: str) -> Any:
    """The project's register; `folders` are those the command needs besides the register."""
    from convgen.lifecycle.register import Register
    from convgen.project import require_project

    if folders or not (root / "registre").is_dir():  # a register alone is a project
        require_project(root, *folders)
    return Register(root)


def _say(convention: Any, what: str) -> None:
    click.echo(f"{convention.instance} : {what} (statut : {convention.status.value})")


@command.command("signe")
@click.argument("instance", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--le", "on", type=DATE, required=True, help="Date de signature.")
@click.option(
    "--pdf",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Le PDF signé : son empreinte SHA-256 et une copie sont gardées.",
)
@click.option("--deliberation", help="La délibération qui autorise la signature (texte libre).")
@root_option
@handle_errors
def sign(instance: Path, on: date, pdf: Path | None, deliberation: str | None, root: Path) -> None:
    """Enregistre la signature d'une convention (le document tel qu'il est produit).

    \b
    Exemple :
      convgen registre signe instances/ccas-poitiers.yaml --le 2025-04-17 --pdf signe.pdf
    """
    from convgen.lifecycle.signing import signed_document

    register = _register(root, "clauses", "templates")  # the instance is rendered
    convention = register.sign(signed_document(instance), on, pdf, deliberation)
    _say(convention, f"signée le {on.isoformat()}")


@command.command("avenant")
@click.argument("instance", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--le", "on", type=DATE, required=True, help="Date de signature de l'avenant.")
@click.option("--numero", type=click.IntRange(min=1), help="Numéro (par défaut : le suivant).")
@click.option(
    "--pdf",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Le PDF de l'avenant signé.",
)
@click.option("--deliberation", help="La délibération qui autorise l'avenant (texte libre).")
@click.option(
    "--convention",
    metavar="NOM",
    help="La convention du registre que modifie l'avenant (par défaut : le nom de INSTANCE).",
)
@root_option
@handle_errors
def amend(
    instance: Path,
    on: date,
    numero: int | None,
    pdf: Path | None,
    deliberation: str | None,
    convention: str | None,
    root: Path,
) -> None:
    """Enregistre un avenant signé : INSTANCE est la convention telle qu'elle est modifiée.

    \b
    Exemple :
      convgen registre avenant instances/ccas-poitiers.yaml --le 2026-03-02
    """
    import dataclasses

    from convgen.lifecycle.signing import signed_document

    register = _register(root, "clauses", "templates")  # the instance is rendered
    document = signed_document(instance)
    if convention:
        document = dataclasses.replace(document, instance=Path(convention).stem)
    recorded = register.amend(document, on, numero, pdf, deliberation)
    last = recorded.avenants[-1]
    _say(recorded, f"avenant n° {last.numero} signé le {on.isoformat()}")


def _end_command(name: str, kind: str, doc: str) -> None:
    @command.command(name, help=doc)
    @click.argument("instance")
    @click.option("--le", "on", type=DATE, required=True, help="Date de l'événement.")
    @click.option("--motif", help="Motif (texte libre).")
    @root_option
    @handle_errors
    def end(instance: str, on: date, motif: str | None, root: Path) -> None:
        from convgen.lifecycle.register import EventType

        convention = _register(root).end(Path(instance).stem, EventType(kind), on, motif)
        _say(convention, f"{kind} le {on.isoformat()}")


_end_command(
    "denonce",
    "dénonciation",
    "Enregistre la dénonciation (non-reconduction) d'une convention.\n\n\b\nExemple :\n"
    "  convgen registre denonce saint-chamond --le 2026-10-15",
)
_end_command(
    "resilie",
    "résiliation",
    "Enregistre la résiliation d'une convention.\n\n\b\nExemple :\n"
    '  convgen registre resilie saint-chamond --le 2026-05-01 --motif "mise en demeure"',
)
_end_command(
    "termine",
    "fin",
    "Enregistre la fin d'une convention arrivée à son terme.\n\n\b\nExemple :\n"
    "  convgen registre termine ccas-poitiers --le 2027-04-16",
)


@command.command("liste")
@click.option(
    "--statut",
    type=click.Choice(["signée", "dénoncée", "résiliée", "terminée"]),
    help="Seulement les conventions de ce statut.",
)
@click.option("--partenaire", help="Seulement celles dont le partenaire contient ce texte.")
@click.option(
    "--clause-ancienne",
    "clause",
    metavar="CLAUSE",
    help="Seulement celles dont le texte signé de cette clause diffère de celui de clauses/ "
    "(comparaison de convgen deviations).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
    help="text : tableau ; csv : pour un tableur (UTF-8 avec BOM, « ; »).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Fichier.")
@root_option
@handle_errors
def list_(
    statut: str | None,
    partenaire: str | None,
    clause: str | None,
    fmt: str,
    output: Path | None,
    root: Path,
) -> None:
    """Liste les conventions du registre, avec leurs avenants et leur statut.

    \b
    Exemple :
      convgen registre liste --statut signée
      convgen registre liste --clause-ancienne resiliation
      convgen registre liste --format csv -o registre.csv
    """
    from convgen.lifecycle.register import Status
    from convgen.lifecycle.register_report import register_csv, register_text

    register = _register(root)
    status = Status(statut) if statut else None
    if clause:
        from convgen.lifecycle.queries import signed_with_older_clause

        rows = signed_with_older_clause(register, root, clause, status, partenaire)
    else:
        rows = register.conventions(status, partenaire)
    if fmt == "csv":
        from convgen.render.zipout import write_text_atomic

        text = register_csv(rows)
        if output is None:
            with writing_stdout():
                sys.stdout.write(text)
        else:
            write_text_atomic(output, text, newline="")
            click.echo(f"écrit : {output}", err=True)
        return
    with writing_stdout():
        click.echo(register_text(rows))


@command.command("montre")
@click.argument("instance")
@root_option
@handle_errors
def show(instance: str, root: Path) -> None:
    """Affiche l'historique d'une convention : signature, avenants, fin.

    \b
    Exemple :
      convgen registre montre ccas-poitiers
    """
    from convgen.errors import RegisterError
    from convgen.lifecycle.register_report import history_text

    convention = _register(root).get(Path(instance).stem)
    if convention is None:
        raise RegisterError(f"{instance} : convention absente du registre")
    with writing_stdout():
        click.echo(history_text(convention))
