"""Deadlines as an iCalendar file (RFC 5545, `icalendar` library) and as a CSV for a spreadsheet.

One all-day VEVENT per deadline, with a VALARM some weeks before (`Deadline.alarm_before`) and
the convention, article and clause in its description. UIDs are built from the instance, the
kind of deadline and its rank (`Deadline.uid`), never from the date: a calendar re-imported or
subscribed to again after a change updates its events instead of duplicating them (DTSTAMP,
the time of the export, tells the newer version).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from icalendar import Alarm, Calendar, Event

from convgen.compose.french import date_courte, date_longue
from convgen.lifecycle.deadlines import Deadline
from convgen.spreadsheet import safe_cell

PRODID = "-//convgen//Échéances des conventions//FR"


def _description(d: Deadline) -> str:
    lines = [d.label, "", d.convention]
    if d.article:
        lines.append(d.article + (f" (clause « {d.clause} »)" if d.clause else ""))
    if d.note:
        lines.append(f"Date {d.note}.")
    lines.append(f"Instance : {d.instance}")
    return "\n".join(lines)


def deadlines_ics(deadlines: Iterable[Deadline], stamp: datetime | None = None) -> bytes:
    """The calendar as bytes (CRLF lines, folded as RFC 5545 requires)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Échéances des conventions")
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    for d in deadlines:
        event = Event()
        event.add("uid", d.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", d.date)
        event.add("dtend", d.date + timedelta(days=1))
        event.add("summary", f"{d.instance} : {d.label}")
        event.add("description", _description(d))
        event.add("categories", [d.kind.value])
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -d.alarm_before)
        alarm.add("description", f"Échéance le {date_longue(d.date)} : {d.label}")
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


CSV_HEADER = ["date", "instance", "échéance", "type", "article", "clause", "remarque", "convention"]


def deadlines_csv(deadlines: Iterable[Deadline]) -> str:
    """CSV as French Excel opens it: UTF-8 with BOM, « ; », dates as 31/10/2026, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for d in deadlines:
        row = [
            date_courte(d.date),
            d.instance,
            d.label,
            d.kind.value,
            d.article,
            d.clause or "",
            d.note,
            d.convention,
        ]
        writer.writerow([safe_cell(c) for c in row])
    return "\ufeff" + buffer.getvalue()


def deadlines_text(deadlines: list[Deadline]) -> str:
    if not deadlines:
        return "aucune échéance"
    lines = []
    for d in deadlines:
        where = f" — {d.article}" if d.article else ""
        note = f" ({d.note})" if d.note else ""
        lines.append(f"{date_courte(d.date)}  {d.instance}  {d.label}{note}{where}")
    n = len(deadlines)
    return "\n".join(lines) + f"\n{n} échéance{'s' if n > 1 else ''}"
