"""Writing a comparison in the format asked for: terminal text, HTML, Word redline or JSON.

Files are written atomically (`convgen.render.zipout.write_atomic`: a temporary file in the same
folder, then a rename), so that an interrupted or failed write never leaves half a report, nor
destroys the previous one. An output that is one of the compared documents is refused before
anything is written: `convgen diff v1.docx v2.docx --format docx -o v2.docx` would replace the
newer version by its redline.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from convgen.diff import DocumentDiff
from convgen.diff.redline import AUTHOR, DATE, redline_bytes
from convgen.diff.report_html import render_html
from convgen.diff.report_json import render_json
from convgen.diff.report_text import render_text
from convgen.errors import InputError
from convgen.render.zipout import check_output, write_atomic

__all__ = ["FORMATS", "check_output", "report_bytes", "write_report"]

FORMATS = ("text", "html", "docx", "json")


def report_bytes(
    diff: DocumentDiff,
    fmt: str,
    summary: bool = True,
    author: str | None = None,
    date: str | None = None,
) -> bytes:
    """The report as the bytes of its file (UTF-8 text, or the .docx package)."""
    if fmt == "docx":
        return redline_bytes(diff, summary, author or AUTHOR, date or DATE)
    if fmt == "text":
        buffer = io.StringIO()
        render_text(diff, buffer, color=False)
        text = buffer.getvalue()
    elif fmt == "html":
        text = render_html(diff)
    elif fmt == "json":
        text = render_json(diff)
    else:
        raise InputError(f"format inconnu : {fmt} (formats : {', '.join(FORMATS)})")
    return text.encode("utf-8")


def write_report(
    diff: DocumentDiff,
    fmt: str,
    output: Path | None,
    summary: bool = True,
    author: str | None = None,
    date: str | None = None,
) -> None:
    """Write `diff` as `fmt` to `output`, or to standard output when `output` is None.

    `summary`, `author` and `date` only concern the Word redline (its first page of synthesis,
    who signs its tracked changes and when).
    """
    if fmt not in FORMATS:
        raise InputError(f"format inconnu : {fmt} (formats : {', '.join(FORMATS)})")
    if output is None:
        if fmt == "docx":
            raise InputError("--format docx écrit un document Word : indiquez -o FICHIER.docx")
        if fmt == "text":
            render_text(diff)
        else:
            sys.stdout.write(report_bytes(diff, fmt).decode("utf-8"))
        return
    check_output(output, [diff.old.path, diff.new.path])
    write_atomic(output, report_bytes(diff, fmt, summary, author, date))
