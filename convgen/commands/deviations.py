"""`convgen deviations`: which documents deviate from the clause library, clause by clause."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from convgen.commands import handle_errors, writing_stdout
from convgen.commands.clauses import readable, require_library


@click.command("deviations")
@click.argument("targets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "csv"]),
    default="text",
    show_default=True,
    help="text : tableau dans le terminal ; html : rapport avec le détail des écarts ; "
    "csv : une ligne par document et par clause (séparateur « ; »).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fichier à écrire (sinon sortie standard).",
)
@click.option(
    "--clauses",
    "clauses_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("clauses"),
    show_default=True,
    help="Bibliothèque de clauses de référence (les modèles sont lus dans le dossier "
    "templates/ voisin).",
)
@handle_errors
def command(targets: tuple[Path, ...], fmt: str, output: Path | None, clauses_dir: Path) -> None:
    """Compare chaque article de chaque document à la clause la plus proche de la
    bibliothèque : identique, modifiée (avec la similarité et les changements), absente,
    ou article en plus.

    Les documents (.docx, .pdf, .txt/.md, instances .yaml) sont donnés un à un ou par
    dossier. Code de sortie : 0 aucun écart, 1 écarts, 2 erreur de saisie.

    \b
    Exemple :
      convgen deviations conventions-signees/ --format csv -o ecarts.csv
    """
    from convgen.diff.deviations import find_deviations
    from convgen.diff.report_deviations import render_csv, render_html, render_text
    from convgen.render.zipout import write_atomic

    require_library(clauses_dir, "--clauses DOSSIER")
    report = find_deviations(targets, clauses_dir)
    # Clause titles as readers see them: « ‹mutuelle : désignation› », not « {{ … }} ».
    report.clause_titles = {k: readable(v) for k, v in report.clause_titles.items()}
    for document in report.documents:
        for row in document.rows:
            row.clause_title = readable(row.clause_title)
    if fmt == "text":
        buffer = io.StringIO()
        render_text(report, buffer)
        text = buffer.getvalue()
    else:
        text = render_csv(report) if fmt == "csv" else render_html(report)
    if output is None:
        with writing_stdout():
            sys.stdout.write(text)
    else:
        write_atomic(output, text.encode("utf-8"))
    if output is not None:
        click.echo(f"écrit : {output}", err=True)
    sys.exit(1 if report.has_deviations else 0)
