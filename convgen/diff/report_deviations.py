"""The deviation report in the terminal, as CSV and as one HTML page.

The terminal and HTML show a matrix, one row per clause and one column per document, so that
"which communes signed a modified résiliation clause?" is read along one row; then the articles
that match no clause, and the changes of every modified clause. The CSV has one line per
document × clause, separated by semicolons and encoded UTF-8 with a BOM, as French spreadsheet
software expects.
"""

from __future__ import annotations

import csv
import io
from typing import IO

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from rich.console import Console
from rich.table import Table
from rich.text import Text

from convgen.compose.french import compte, liste_comptes
from convgen.diff.deviations import (
    EXTRA,
    IDENTICAL,
    MISSING,
    MODIFIED,
    ClauseRow,
    DeviationReport,
    DocumentDeviations,
)
from convgen.diff.report_html import sides_html
from convgen.spreadsheet import safe_cell

STYLES = {IDENTICAL: "green", MODIFIED: "yellow", MISSING: "red", EXTRA: "magenta"}


def cell(row: ClauseRow | None) -> str:
    """ "identique", "modifiée (87 %)", "absente", or "" when the clause does not apply."""
    if row is None:
        return ""
    if row.status == MODIFIED:
        return f"modifiée ({round(row.similarity * 100)} %)"
    return row.status


def _summary(report: DeviationReport) -> str:
    counts = {s: 0 for s in (IDENTICAL, MODIFIED, MISSING, EXTRA)}
    for doc in report.documents:
        for row in doc.rows:
            counts[row.status] += 1
    return (
        f"{compte(len(report.documents), 'document')}, "
        f"{compte(len(report.clause_titles), 'clause')} : "
        + liste_comptes(
            [
                (counts[IDENTICAL], "identique"),
                (counts[MODIFIED], "modifiée"),
                (counts[MISSING], "absente"),
                (counts[EXTRA], "article en plus", "articles en plus"),
            ]
        )
        + "."
    )


def render_text(report: DeviationReport, file: IO[str] | None = None) -> None:
    console = Console(file=file, highlight=False, emoji=False, no_color=file is not None)
    if not console.is_terminal:
        console.width = max(110, 30 + 22 * len(report.documents))
    table = Table(header_style="bold")
    table.add_column("Clause")
    for doc in report.documents:
        table.add_column(f"{doc.path.name}\n({doc.model or 'modèle ?'})")
    for clause_id, title in report.clause_titles.items():
        cells = []
        for doc in report.documents:
            row = doc.row(clause_id)
            cells.append(Text(cell(row), style=STYLES.get(row.status, "") if row else ""))
        table.add_row(Text(f"{title}\n{clause_id}"), *cells)
    console.print(table)
    console.print(Text(_summary(report)))
    for doc in report.documents:
        details = [r for r in doc.rows if r.status in (MODIFIED, EXTRA)]
        if not details:
            continue
        console.print()
        console.print(Text(f"── {doc.path.name}", style="bold"))
        for row in details:
            if row.status == EXTRA:
                console.print(Text(f"  en plus : {row.article} (aucune clause de la bibliothèque)"))
                continue
            console.print(
                Text(
                    f"  {row.clause_title} ({row.clause_id}, variante {row.variant}) → "
                    f"{row.article} : {cell(row)}"
                )
            )
            if row.title_change:
                console.print(
                    Text(f"      titre : « {row.title_change.old} » → « {row.title_change.new} »")
                )
            for change in row.changes:
                line = Text("      ")
                if change.old:
                    line.append(f"[-{_one_line(change.old)}-]", style="red")
                if change.new:
                    line.append(f"{{+{_one_line(change.new)}+}}", style="green")
                console.print(line)


def _one_line(text: str, limit: int = 300) -> str:
    text = text.replace("\n", " ¶ ")
    return text if len(text) <= limit else text[:limit] + " […]"


CSV_COLUMNS = [
    "document",
    "modele",
    "clause",
    "titre",
    "variante",
    "statut",
    "similarite",
    "article",
    "nb_modifications",
    "modifications",
]


def render_csv(report: DeviationReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for doc in report.documents:
        for row in doc.rows:
            changes = " | ".join(f"{c.old} → {c.new}" for c in row.changes)
            similarity = f"{row.similarity:.2f}".replace(".", ",") if row.words else ""
            cells = [
                doc.path.name,
                doc.model or "",
                row.clause_id,
                row.clause_title,
                row.variant,
                row.status,
                similarity,
                row.article,
                len(row.changes) if row.status == MODIFIED else "",
                changes,
            ]
            writer.writerow([safe_cell(c) for c in cells])
    return "\ufeff" + out.getvalue()


_TEMPLATE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Écarts à la bibliothèque de clauses</title>
<style>
body { font-family: "Liberation Sans", Arial, sans-serif; margin: 1rem 2rem; color: #1e1e1e; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.identique { background: #e3f6e6; } td.modifiée { background: #fff1c2; }
td.absente { background: #fde0e0; } small { color: #666; }
del { background: #fbd3d3; text-decoration: line-through; }
ins { background: #cdeed3; text-decoration: underline; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.columns div.text { border: 1px solid #e3e3e3; padding: 0 .6rem; background: #fcfcfc; }
section { border-top: 1px solid #ddd; margin-top: 1rem; }
</style></head><body>
<h1>Écarts à la bibliothèque de clauses</h1>
<p>{{ summary }}</p>
<table><thead><tr><th>Clause</th>
{% for d in documents %}<th>{{ d.name }}<br><small>{{ d.model }}</small></th>{% endfor %}
</tr></thead><tbody>
{% for c in clauses %}<tr><td>{{ c.title }}<br><small>{{ c.id }}</small></td>
{% for v in c.cells %}<td class="{{ v.status }}">{% if v.anchor %}<a href="#{{ v.anchor }}">{{ v.text }}</a>{% else %}{{ v.text }}{% endif %}</td>{% endfor %}
</tr>{% endfor %}
</tbody></table>
{% for d in documents %}{% if d.extras %}<p><strong>{{ d.name }}</strong>, articles sans clause
correspondante : {{ d.extras | join(", ") }}.</p>{% endif %}{% endfor %}
{% for s in sections %}<section id="{{ s.anchor }}"><h2>{{ s.document }} — {{ s.title }}</h2>
<p>{{ s.subtitle }}</p>
<div class="columns"><div><h3>Bibliothèque (valeurs par défaut)</h3>
<div class="text">{{ s.left }}</div></div>
<div><h3>{{ s.document }}</h3><div class="text">{{ s.right }}</div></div></div>
</section>{% endfor %}
</body></html>
"""


def render_html(report: DeviationReport) -> str:

    documents = [
        {
            "name": d.path.name,
            "model": d.model or "modèle ?",
            "extras": [r.article for r in d.extras],
        }
        for d in report.documents
    ]
    clauses, sections = [], []
    for clause_id, title in report.clause_titles.items():
        cells = []
        for n, doc in enumerate(report.documents):
            row = doc.row(clause_id)
            anchor = f"ecart-{n}-{clause_id}" if row and row.status == MODIFIED else ""
            cells.append({"status": row.status if row else "", "text": cell(row), "anchor": anchor})
            if anchor and row and row.words is not None:
                left, right = sides_html(row.words.segments)
                sections.append(_section(anchor, doc, row, left, right))
        clauses.append({"id": clause_id, "title": title, "cells": cells})
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    return env.from_string(_TEMPLATE).render(
        summary=_summary(report), documents=documents, clauses=clauses, sections=sections
    )


def _section(
    anchor: str, doc: DocumentDeviations, row: ClauseRow, left: Markup, right: Markup
) -> dict[str, object]:
    subtitle = f"{row.article} ; variante « {row.variant} » ; similarité {cell(row)}"
    if row.title_change:
        subtitle += f" ; titre : « {row.title_change.old} » → « {row.title_change.new} »"
    return {
        "anchor": anchor,
        "document": doc.path.name,
        "title": f"{row.clause_title} ({row.clause_id})",
        "subtitle": subtitle,
        "left": left,
        "right": right,
    }
