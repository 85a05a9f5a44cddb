"""The register shown to people: a table in the terminal, a CSV for a spreadsheet."""

from __future__ import annotations

import csv
import io

from convgen.compose.french import date_courte
from convgen.lifecycle.register import Convention, EventType
from convgen.spreadsheet import safe_cell

CSV_HEADER = [
    "instance",
    "modèle",
    "partenaire",
    "statut",
    "signée le",
    "avenants",
    "dernier avenant le",
    "fin le",
    "SHA-256 du PDF signé",
]


def _row(c: Convention) -> list[str]:
    avenants = c.avenants
    ends = [e for e in c.events if e.type not in (EventType.SIGNATURE, EventType.AVENANT)]
    signature = next((e for e in c.events if e.type is EventType.SIGNATURE), None)
    return [
        c.instance,
        c.model,
        c.partner,
        c.status.value,
        date_courte(c.signed_on) if c.signed_on else "",
        str(len(avenants)),
        date_courte(avenants[-1].date) if avenants else "",
        f"{ends[-1].type.value} le {date_courte(ends[-1].date)}" if ends else "",
        (signature.pdf_sha256 or "") if signature else "",
    ]


def register_csv(conventions: list[Convention]) -> str:
    """CSV as French Excel opens it: UTF-8 with BOM, « ; » separators, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in conventions:
        writer.writerow([safe_cell(cell) for cell in _row(c)])
    return "\ufeff" + buffer.getvalue()


def register_text(conventions: list[Convention]) -> str:
    if not conventions:
        return "aucune convention"
    rows = [["instance", "statut", "signée le", "avenants", "fin"]]
    for c in conventions:
        r = _row(c)
        rows.append([r[0], r[3], r[4], r[5], r[7]])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return (
        "\n".join(lines) + f"\n{len(conventions)} convention{'s' if len(conventions) > 1 else ''}"
    )


def history_text(c: Convention) -> str:
    lines = [f"{c.instance} ({c.model}) — {c.partner}", f"statut : {c.status.value}"]
    for e in c.events:
        what = e.type.value + (f" n° {e.numero}" if e.numero else "")
        extra = []
        if e.document_sha256:
            extra.append(f"document {e.document_sha256[:12]}")
        if e.pdf_sha256:
            extra.append(f"PDF signé {e.pdf_sha256[:12]}")
        if e.deliberation:
            extra.append(f"délibération {e.deliberation}")
        if e.motif:
            extra.append(f"motif : {e.motif}")
        lines.append(
            f"  {date_courte(e.date)}  {what}" + (f" ({', '.join(extra)})" if extra else "")
        )
    return "\n".join(lines)
