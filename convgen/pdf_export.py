"""Signature-ready PDFs for a set of written .docx, page numbers settled batch-wide.

Page numbers a document writes ("sur SEPT (7) pages", the sommaire) are only known once a word
processor has laid it out. Per document, that is one LibreOffice run each (0.8 s); here the
whole set is converted in as few processes as possible, every PDF is measured, and only the
documents whose written numbers were wrong are re-rendered and converted again (usually none:
they were rendered with the numbers of a representative document).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from convgen.errors import ConvgenError
from convgen.pdf import Layout, append_annexes, convert_many, layout_of_pdf

MAX_ROUNDS = 4


@dataclass
class PdfTask:
    """One .docx to export. `written`: the page numbers the .docx states (None: it states none)."""

    docx: Path
    pdf: Path
    owner: Path  # the instance or table, for messages
    written: Layout | None = None
    headings: dict[str, str] = field(default_factory=dict)  # bookmark → heading, for a sommaire
    rerender: Callable[[Layout], bytes] | None = None  # new .docx bytes stating `Layout`
    annexes: list[tuple[str, Path]] = field(default_factory=list)


def _needs_rerender(task: PdfTask, measured: Layout) -> bool:
    if task.written is None or task.rerender is None:
        return False
    if task.written.pages != measured.pages:
        return True
    return bool(task.headings) and task.written.heading_pages != measured.heading_pages


def export_pdfs(
    tasks: Sequence[PdfTask],
    *,
    pdfa: bool = False,
    jobs: int = 1,
    on_round: Callable[[int, int], None] | None = None,
) -> int:
    """Write `task.pdf` for every task; return the number of documents converted again.

    PDFs are produced in a hidden folder next to the first output and moved into place only
    when settled, so an interrupted export leaves no half-written PDF.
    """
    if not tasks:
        return 0
    from convgen.build import write_atomic

    out_dir = tasks[0].pdf.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".convgen-pdf-", dir=out_dir))
    reconverted = 0
    try:
        pending = list(tasks)
        for round_number in range(1, MAX_ROUNDS + 1):
            if not pending:
                break
            if on_round:
                on_round(round_number, len(pending))
            if round_number > 1:
                reconverted += len(pending)
            sources = _stage(pending, work / f"tour{round_number}")
            pdfs = convert_many(sources, work / f"pdf{round_number}", pdfa=pdfa, jobs=jobs)
            still: list[PdfTask] = []
            for task, pdf in zip(pending, pdfs, strict=True):
                measured = layout_of_pdf(pdf, task.headings) if task.written else None
                if measured is not None and _needs_rerender(task, measured):
                    assert task.rerender is not None
                    write_atomic(task.docx, task.rerender(measured))
                    task.written = measured
                    still.append(task)
                    continue
                append_annexes(pdf, task.annexes, task.owner)
                os.replace(pdf, task.pdf)
            pending = still
        if pending:
            raise ConvgenError(
                "la pagination ne se stabilise pas : " + ", ".join(str(t.docx) for t in pending[:5])
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return reconverted


def _stage(tasks: Sequence[PdfTask], folder: Path) -> list[Path]:
    """Links to the .docx under unique names (two outputs folders may share a stem)."""
    folder.mkdir(parents=True)
    staged = []
    for task in tasks:
        target = folder / f"{task.pdf.stem}.docx"
        try:
            os.link(task.docx, target)
        except OSError:
            shutil.copyfile(task.docx, target)
        staged.append(target)
    return staged


def clean_stale_work(out_dir: Path) -> None:
    """Remove what an interrupted run left: hidden temporary files and PDF work folders."""
    if not out_dir.is_dir():
        return
    for leftover in out_dir.glob(".convgen-pdf-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
