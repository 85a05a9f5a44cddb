"""`convgen avenant`: the avenant from one version of a convention to the next."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from convgen.commands import CONTEXT_SETTINGS, handle_errors, root_option
from convgen.commands.registre import DATE


@click.command("avenant", context_settings=CONTEXT_SETTINGS)
@click.argument("versions", nargs=-1, required=True, metavar="[OLD] NEW")
@click.option(
    "--signed",
    is_flag=True,
    help="Comparer NEW à la version signée enregistrée au registre (sans OLD).",
)
@click.option("--numero", type=click.IntRange(min=1), help="Numéro (par défaut : le registre).")
@click.option(
    "--le", "on", type=DATE, help="Date de signature (« Fait à …, le »). Défaut : aujourd'hui."
)
@click.option("--effet", type=DATE, help="Date d'effet (par défaut : à la signature).")
@click.option(
    "--deliberation",
    help="La délibération qui autorise l'avenant, après « Vu la délibération » "
    "(ex. « n° 2026-031 du conseil d'administration du 12 février 2026 »).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fichier .docx à écrire (défaut : out/<instance>-avenant-<n>.docx).",
)
@click.option("--pdf", is_flag=True, help="Produire aussi le PDF (LibreOffice).")
@root_option
@handle_errors
def command(
    versions: tuple[Path, ...],
    signed: bool,
    numero: int | None,
    on: date | None,
    effet: date | None,
    deliberation: str | None,
    output: Path | None,
    pdf: bool,
    root: Path,
) -> None:
    """Écrit l'avenant qui fait passer une convention de OLD à NEW.

    OLD : l'instance ou le document (.docx, .pdf) de la convention signée ; avec --signed,
    la version enregistrée au registre (convgen registre signe). NEW : l'instance modifiée.
    Chaque article modifié l'est une fois, avec la formule d'usage (article remplacé, alinéa
    modifié, article inséré ou supprimé, annexe remplacée) ; suivent la date d'effet, « Les
    autres stipulations de la convention demeurent inchangées. » et les signatures.

    \b
    Exemple :
      convgen avenant convention-signee.docx instances/ccas-poitiers.yaml --le 2026-03-02
      convgen avenant --signed instances/ccas-poitiers.yaml --effet 2026-04-01 --pdf
    """
    from convgen.errors import InputError
    from convgen.lifecycle.avenant import AvenantOptions, make_avenant
    from convgen.lifecycle.register import Register
    from convgen.lifecycle.signing import signed_source
    from convgen.project import require_project
    from convgen.render.zipout import make_output_dir, write_atomic

    require_project(root, "clauses", "templates")  # NEW is rendered with the project's library
    paths = [Path(v) for v in versions]
    if signed and len(paths) != 1:
        raise InputError("avec --signed, donner seulement NEW (l'instance modifiée)")
    if not signed and len(paths) != 2:
        raise InputError("donner OLD et NEW (ou NEW avec --signed)")
    new = paths[-1]
    name = new.stem
    old = signed_source(f"signee:{name}", root) if signed else paths[0]
    recorded = Register(root).get(name) if (root / "registre").exists() else None
    previous: tuple[tuple[int, date | None], ...] = ()
    convention_signed = None
    if recorded is not None:
        previous = tuple((e.numero or 0, e.date) for e in recorded.avenants)
        convention_signed = recorded.signed_on
    options = AvenantOptions(
        numero=numero or len(previous) + 1,
        signed_on=on,
        effective=effet,
        deliberation=deliberation,
        convention_signed_on=convention_signed,
        previous=previous,
    )
    avenant = make_avenant(old, new, options)
    target = output or root / "out" / f"{name}-avenant-{options.numero}.docx"
    make_output_dir(target.parent)
    write_atomic(target, avenant.data)
    from convgen.compose.french import compte

    amended = compte(len(avenant.amendments), "article modifié")
    click.echo(f"écrit : {target}  ({amended})", err=True)
    if pdf:
        from convgen.lifecycle.avenant import avenant_pdf

        click.echo(f"écrit : {avenant_pdf(target)}", err=True)
