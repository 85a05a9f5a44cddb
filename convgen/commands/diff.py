"""`convgen diff`: what changed between two versions of a convention, article by article."""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from convgen.commands import handle_errors, writing_stdout

if TYPE_CHECKING:
    pass


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "docx", "json"]),
    default="text",
    show_default=True,
    help="text : tableau dans le terminal ; html : rapport côte à côte ; docx : document Word "
    "avec modifications suivies ; json : pour d'autres programmes.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fichier à écrire (obligatoire pour docx ; sinon sortie standard).",
)
@click.option(
    "--no-summary",
    "no_summary",
    is_flag=True,
    help="docx : sans la page de synthèse ; « Tout accepter » donne alors exactement la "
    "nouvelle version et « Tout refuser » l'ancienne.",
)
@click.option(
    "--author",
    default=lambda: user_name(),
    show_default="votre nom sur cet ordinateur",
    help="docx : auteur des modifications suivies, tel que Word l'affiche.",
)
@click.option(
    "--date",
    "when",
    help="docx : date des modifications suivies (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM) ; "
    "par défaut maintenant.",
)
@handle_errors
def command(
    old: Path,
    new: Path,
    fmt: str,
    output: Path | None,
    no_summary: bool,
    author: str,
    when: str | None,
) -> None:
    """Compare deux versions d'une convention, article par article.

    OLD et NEW peuvent être des .docx, .pdf, .txt/.md ou des instances .yaml (produites
    d'abord), ou « signee:INSTANCE » : la version signée enregistrée au registre. Les articles
    sont appariés par leur contenu et leur titre, pas par leur numéro : un article renuméroté
    ou déplacé n'est pas compté comme supprimé puis ajouté.

    Code de sortie : 0 documents identiques, 1 différences, 2 erreur de saisie.

    \b
    Exemple :
      convgen diff convention-2025.docx convention-2026.pdf
      convgen diff v1.docx v2.docx --format docx -o modifications.docx
      convgen diff signee:ccas-poitiers instances/ccas-poitiers.yaml
    """
    from convgen.diff import diff_paths
    from convgen.diff.output import check_output, write_report
    from convgen.lifecycle.signing import resolve_side  # « signee:INSTANCE » (registre)

    stamp = _change_date(when)
    if output is not None:
        check_output(output, [old, new])  # before comparing: nothing computed for nothing
    diff = diff_paths(resolve_side(old), resolve_side(new))
    if output is None:
        with writing_stdout():
            write_report(diff, fmt, None, summary=not no_summary)
    else:
        write_report(diff, fmt, output, not no_summary, author, stamp)
        click.echo(f"écrit : {output}", err=True)
    sys.exit(0 if diff.identical else 1)


def user_name() -> str:
    """Who runs convgen, as the system knows them: the full name of the account (its GECOS
    field), else its login; « convgen » when neither is known."""
    try:
        entry = pwd.getpwuid(os.getuid())
    except (KeyError, OSError):
        return os.environ.get("USER") or "convgen"
    return entry.pw_gecos.split(",")[0].strip() or entry.pw_name or "convgen"


def _change_date(when: str | None) -> str:
    """The ISO 8601 date of the tracked changes: `when` checked, or now (UTC, to the second)."""
    from datetime import UTC, datetime

    if when is None:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        parsed = datetime.fromisoformat(when)
    except ValueError:
        raise click.BadParameter(
            f"« {when} » n'est pas une date (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM)", param_hint="--date"
        ) from None
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
