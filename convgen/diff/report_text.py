"""The comparison in the terminal: a summary table, then every change in context.

Changes are printed the way `wdiff` does, `[-ancien-]{+nouveau+}`, with colours when the output
is a terminal; the markers stay so that the text reads the same in black and white or in a file.
Document text is never parsed as rich markup (it may contain brackets).
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from convgen.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED,
    ArticleDiff,
    DocumentDiff,
)
from convgen.diff.words import text_of

STATUS_STYLES = {UNCHANGED: "dim", CHANGED: "yellow", ADDED: "green", REMOVED: "red"}
MAX_WHOLE_TEXT = 600  # characters of an added or removed article shown in the terminal


def numbers(entry: ArticleDiff) -> str:
    """ "6 → 4", "5", "– → 10", or "" for parts without numbers."""
    left = entry.left.number if entry.left else None
    right = entry.right.number if entry.right else None
    if not left and not right:
        return ""
    if entry.left is None:
        return f"→ {right}"
    if entry.right is None:
        return f"{left} →"
    return f"{left} → {right}" if left != right else str(left)


def status_text(entry: ArticleDiff) -> str:
    """ "modifié, renuméroté, déplacé" in French."""
    return ", ".join([entry.status_label, *entry.flags])


def summary_line(diff: DocumentDiff) -> str:
    """ "12 parties comparées : 10 inchangées, 2 modifiées — documents différents."

    The counts qualify « parties » (feminine): « 1 inchangée », « 2 modifiées ».
    """
    parts = []
    for status, word in (
        (UNCHANGED, "inchangée"),
        (CHANGED, "modifiée"),
        (ADDED, "ajoutée"),
        (REMOVED, "supprimée"),
    ):
        n = diff.count(status)
        if n:
            parts.append(_count(n, word))
    moved = sum(1 for e in diff.entries if e.moved)
    renumbered = sum(1 for e in diff.entries if e.renumbered)
    if moved:
        parts.append(_count(moved, "déplacée"))
    if renumbered:
        parts.append(_count(renumbered, "renumérotée"))
    verdict = "documents identiques" if diff.identical else "documents différents"
    total = len(diff.entries)
    compared = _count(total, "partie comparée", "parties comparées")
    return f"{compared}\u00a0: {', '.join(parts)}{_outside_body(diff)} — {verdict}."


def _outside_body(diff: DocumentDiff) -> str:
    """ " ; hors du corps du texte (en-têtes, …) : 5 éléments, 4 inchangés, 1 modifié"."""
    items = getattr(diff, "parts", [])
    if not items:
        return ""
    counts = []
    for status, word in (
        (UNCHANGED, "inchangé"),
        (CHANGED, "modifié"),
        (ADDED, "ajouté"),
        (REMOVED, "supprimé"),
    ):
        n = sum(1 for p in items if p.status == status)
        if n:
            counts.append(_count(n, word))
    return (
        " ; hors du corps du texte (en-têtes, pieds de page, notes, zones de texte, "
        f"commentaires)\u00a0: {_count(len(items), 'élément')}, {', '.join(counts)}"
    )


def _count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 modifiée", "2 modifiées" (French: the singular up to 1, « 0 modifiée »)."""
    return f"{n} {singular if n <= 1 else (plural or singular + 's')}"


def _table(entries: list[ArticleDiff], first: str = "Article") -> Table:
    table = Table(title=None, show_lines=False, header_style="bold")
    table.add_column(first)
    table.add_column("Statut")
    table.add_column("N° (ancien → nouveau)", justify="center")
    table.add_column("Modifications", justify="right")
    for entry in entries:
        count = len(entry.changes) if entry.status != UNCHANGED else 0
        table.add_row(
            Text(entry.name),
            Text(status_text(entry), style=STATUS_STYLES[entry.status]),
            Text(numbers(entry)),
            Text(str(count) if count else "–"),
        )
    return table


def _one_line(text: str) -> str:
    """Paragraph breaks inside a change are shown as ¶."""
    return text.replace("\n", " ¶ ")


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_WHOLE_TEXT else text[:MAX_WHOLE_TEXT].rstrip() + " […]"


def _entry_details(entry: ArticleDiff) -> list[Text]:
    header = Text(f"── {entry.name} ", style="bold")
    header.append(f"({status_text(entry)}", style=STATUS_STYLES[entry.status])
    where = numbers(entry)
    header.append(f"{', ' + where if where else ''})", style=STATUS_STYLES[entry.status])
    lines = [header]
    if entry.status == ADDED and entry.right is not None:
        whole = _one_line(_shorten(text_of(entry.right.tokens)))
        lines.append(Text("{+" + whole + "+}", style="green"))
        return lines
    if entry.status == REMOVED and entry.left is not None:
        whole = _one_line(_shorten(text_of(entry.left.tokens)))
        lines.append(Text("[-" + whole + "-]", style="red"))
        return lines
    if entry.retitled and entry.left and entry.right:
        line = Text("  titre : ")
        line.append(f"[-{entry.left.title}-]", style="red strike")
        line.append(f"{{+{entry.right.title}+}}", style="green")
        lines.append(line)
    if entry.words is not None:
        for n, change in enumerate(entry.words.in_context(), start=1):
            line = Text(f"  {n}. ")
            if change.before:
                line.append("…" + _one_line(change.before) + " ", style="dim")
            if change.old:
                line.append(f"[-{_one_line(change.old)}-]", style="red strike")
            if change.new:
                line.append(f"{{+{_one_line(change.new)}+}}", style="green")
            if change.after:
                space = "" if change.after[:1] in ",.;:)»" else " "
                line.append(space + _one_line(change.after) + "…", style="dim")
            lines.append(line)
    return lines


def render_text(diff: DocumentDiff, file: IO[str] | None = None, color: bool | None = None) -> None:
    """Print the summary table and the changes to `file` (standard output by default)."""
    console = Console(
        file=file,
        width=110 if file is not None else None,
        no_color=color is False,
        force_terminal=color,
        highlight=False,
        emoji=False,
    )
    if not console.is_terminal:
        console.width = 110
    console.print(Text(f"Ancienne version : {diff.old.path}\nNouvelle version : {diff.new.path}"))
    console.print(_table(diff.entries))
    if diff.parts:
        console.print(Text("Hors du corps du texte :", style="bold"))
        console.print(_table(list(diff.parts), "Partie"))
    console.print(Text(summary_line(diff)))
    for entry in [*diff.entries, *diff.parts]:
        if entry.status == UNCHANGED and not entry.changes:
            continue
        console.print()
        for line in _entry_details(entry):
            console.print(line)
