"""`convgen echeances`: the dates that matter, from every instance and the register."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import click

from convgen.commands import CONTEXT_SETTINGS, handle_errors, root_option, writing_stdout
from convgen.commands.registre import DATE


@click.command("echeances", context_settings=CONTEXT_SETTINGS)
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--within",
    metavar="DURÉE",
    help="Seulement les échéances des prochains jours (ex. 90j, 3 mois, 1 an).",
)
@click.option(
    "--from", "start", type=DATE, help="Point de départ de --within (défaut : aujourd'hui)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "ics"]),
    default="text",
    show_default=True,
    help="text : tableau trié par date ; csv : tableur (UTF-8 avec BOM, « ; ») ; ics : "
    "calendrier (Outlook, Thunderbird, téléphone), avec rappels.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Fichier.")
@root_option
@handle_errors
def command(
    targets: tuple[Path, ...],
    within: str | None,
    start: date | None,
    fmt: str,
    output: Path | None,
    root: Path,
) -> None:
    """Échéances des conventions : effet, termes, reconductions, dates limites de dénonciation,
    bilans, fin de la dernière reconduction possible, calendrier des AMI.

    Chaque date vient des paramètres des clauses de l'instance (et des dates du registre) et
    indique l'article d'où elle vient. Une date limite d'envoi qui tombe un samedi, un dimanche
    ou un jour férié (Alsace-Moselle et outre-mer compris) est ramenée au jour ouvré précédent.

    \b
    Exemple :
      convgen echeances --within 90j
      convgen echeances --format ics -o echeances.ics
      convgen echeances instances/saint-chamond.yaml --format csv -o echeances.csv
    """
    from convgen.build import find_instances
    from convgen.compose.french import parse_duree
    from convgen.errors import InputError
    from convgen.lifecycle.calendar_ics import deadlines_csv, deadlines_ics, deadlines_text
    from convgen.lifecycle.deadlines import all_deadlines
    from convgen.project import require_project
    from convgen.render.zipout import write_atomic

    require_project(root, "clauses", "templates", *(() if targets else ("instances",)))
    paths = find_instances(targets, root / "instances")
    deadlines = all_deadlines(paths, root)
    if within:
        try:
            span = parse_duree(re.sub(r"^(\d+)\s*j$", r"\1 jours", within.strip()))
        except ValueError as exc:
            raise InputError(
                f"--within : « {within} » n'est pas une durée (ex. 90j, 3 mois)"
            ) from exc
        first = start or date.today()
        last = first + span.delta()
        deadlines = [d for d in deadlines if first <= d.date <= last]
    if fmt == "ics":
        data = deadlines_ics(deadlines)
    elif fmt == "csv":
        data = deadlines_csv(deadlines).encode("utf-8")
    else:
        data = (deadlines_text(deadlines) + "\n").encode("utf-8")
    if output is None:
        with writing_stdout():
            sys.stdout.buffer.write(data)
    else:
        write_atomic(output, data)
        from convgen.compose.french import compte

        click.echo(f"écrit : {output}  ({compte(len(deadlines), 'échéance')})", err=True)
