"""`convgen check`: find what a draft still lacks before signature."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from convgen.commands import echo_output, handle_errors


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Format du rapport : texte pour les personnes, json ou sarif pour les outils.",
)
@click.option(
    "--instances",
    "instances_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Dossier des instances (noms des partenaires) ; par défaut instances/ s'il existe.",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Fichier des constats acceptés ; par défaut .convgen-check.yaml s'il existe.",
)
@click.option(
    "--rules",
    "list_rules",
    is_flag=True,
    help="Lister les règles (leur nom sert à accepter un constat dans .convgen-check.yaml).",
)
@handle_errors
def command(
    paths: tuple[Path, ...],
    fmt: str,
    instances_dir: Path | None,
    config: Path | None,
    list_rules: bool,
) -> None:
    """Signale ce qu'il manque encore dans des conventions (.docx, .pdf, .txt, .md) et des
    instances (.yaml) : champs à remplir (« XXXX », « M..... », « [Raison sociale] »,
    « Tél. : » vide, « Fait à …, le » sans date…), renvois à des articles absents, numérotation,
    sommaire, noms d'autres partenaires, dates contradictoires.

    Les dossiers sont parcourus. Code de sortie : 0 rien à signaler, 1 problèmes trouvés,
    2 fichier illisible (les autres fichiers sont quand même vérifiés).

    Un faux positif connu s'accepte, avec sa justification, par « convgen: ignorer <règle> --
    <raison> » dans le document ou dans .convgen-check.yaml (voir --rules) : il reste listé,
    comme accepté.

    \b
    Exemple :
      convgen check out/ instances/ccas-poitiers.yaml --format json
    """
    from convgen.check import check_paths
    from convgen.check.report import FORMATTERS, format_rules, format_text

    if list_rules:
        echo_output(format_rules())
        return
    if not paths:
        raise click.UsageError("indiquez au moins un fichier ou un dossier à vérifier")

    report = check_paths(paths, instances_dir=instances_dir, config=config)
    if fmt == "text":
        echo_output(format_text(report, color=sys.stdout.isatty()))
        for error in report.errors:
            click.echo(f"erreur : {error.file} : {error.message}", err=True)
    else:
        echo_output(FORMATTERS[fmt](report))
    sys.exit(report.exit_code)
