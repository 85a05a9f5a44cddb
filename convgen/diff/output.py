"""Writing a comparison in the format asked for: terminal text, HTML, Word redline or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

from convgen.diff import DocumentDiff
from convgen.errors import InputError

FORMATS = ("text", "html", "docx", "json")


def write_report(diff: DocumentDiff, fmt: str, output: Path | None, summary: bool = True) -> None:
    """Write `diff` as `fmt` to `output`, or to standard output when `output` is None.

    `summary` only concerns the Word redline (its first page of synthesis).
    """
    if fmt == "text":
        from convgen.diff.report_text import render_text

        if output is None:
            render_text(diff)
        else:
            with output.open("w", encoding="utf-8") as handle:
                render_text(diff, handle, color=False)
        return
    if fmt == "docx":
        if output is None:
            raise InputError("--format docx écrit un document Word : indiquez -o FICHIER.docx")
        from convgen.diff.redline import write_redline

        write_redline(diff, output, summary=summary)
        return
    if fmt == "html":
        from convgen.diff.report_html import render_html

        text = render_html(diff)
    elif fmt == "json":
        from convgen.diff.report_json import render_json

        text = render_json(diff)
    else:
        raise InputError(f"format inconnu : {fmt} (formats : {', '.join(FORMATS)})")
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
