"""The first section of the Word redline: what changed, in one page a lawyer reads first.

It lists the two files, the counts, a table of every article (status, old → new number, number
of changes) and the changes themselves, briefly. It is not a tracked change: it belongs to
neither version, and sits in its own section before the compared text.
"""

from __future__ import annotations

from typing import Any

from convgen.diff import UNCHANGED, DocumentDiff
from convgen.diff.parts import PartDiff
from convgen.diff.report_text import numbers, status_text, summary_line

MAX_CHANGE_CHARS = 160
MAX_CHANGES_PER_ARTICLE = 12


def _short(text: str) -> str:
    text = text.replace("\n", " ¶ ")
    return text if len(text) <= MAX_CHANGE_CHARS else text[:MAX_CHANGE_CHARS].rstrip() + " […]"


def _style(document: Any, name: str) -> str | None:
    """`name` when the document defines it: the newer .docx the redline is written into may
    not ("Table Grid", "List Bullet" exist only once used in Word)."""
    try:
        document.styles[name]
    except KeyError:
        return None
    return name


def _heading(document: Any, text: str, level: int) -> None:
    if _style(document, f"Heading {level}"):
        document.add_heading(text, level=level)
    else:
        document.add_paragraph().add_run(text).bold = True


def write_summary(document: Any, diff: DocumentDiff) -> None:
    """Append the summary to a python-docx `Document`."""
    _heading(document, "Synthèse des modifications", 1)
    document.add_paragraph(f"Ancienne version : {diff.old.path.name}")
    document.add_paragraph(f"Nouvelle version : {diff.new.path.name}")
    document.add_paragraph(summary_line(diff))
    document.add_paragraph(
        "Les pages suivantes montrent la nouvelle version en modifications suivies : « Accepter "
        "toutes les modifications » donne la nouvelle version, « Rejeter toutes les "
        "modifications » l'ancienne. Un article déplacé apparaît comme déplacé (« Déplacé ») : "
        "à son ancienne place et à la nouvelle. Les en-têtes, pieds de page, notes et zones "
        "de texte portent leurs propres modifications suivies ; les commentaires modifiés "
        "sont listés ci-dessous. Cette synthèse, hors suivi des modifications, est à retirer "
        "avant signature."
    )
    table = document.add_table(rows=1, cols=4)
    if _style(document, "Table Grid"):
        table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("Article", "Statut", "N° (ancien → nouveau)", "Modifications"),
        strict=True,
    ):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for entry in [*diff.entries, *diff.changed_parts]:
        count = len(entry.changes) if entry.status != UNCHANGED else 0
        row = table.add_row().cells
        row[0].text = entry.name
        row[1].text = status_text(entry)
        row[2].text = numbers(entry)
        row[3].text = str(count) if count else "–"
    changed = [e for e in diff.entries if e.status != UNCHANGED] + list(diff.changed_parts)
    if not changed:
        return
    _heading(document, "Détail", 2)
    for entry in changed:
        document.add_paragraph(
            f"{entry.name} ({status_text(entry)})", style=_style(document, "List Bullet")
        )
        if entry.status in ("added", "removed") and not isinstance(entry, PartDiff):
            continue
        changes = entry.changes
        for change in changes[:MAX_CHANGES_PER_ARTICLE]:
            p = document.add_paragraph(style=_style(document, "List Bullet 2"))
            if change.old:
                p.add_run(f"« {_short(change.old)} »").font.strike = True
            if change.old and change.new:
                p.add_run(" → ")
            if change.new:
                p.add_run(f"« {_short(change.new)} »").bold = True
        if len(changes) > MAX_CHANGES_PER_ARTICLE:
            document.add_paragraph(
                f"… et {len(changes) - MAX_CHANGES_PER_ARTICLE} autres modifications",
                style=_style(document, "List Bullet 2"),
            )
