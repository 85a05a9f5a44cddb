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

from convgen.compose.french import compte
from convgen.errors import ConvgenError, DocumentError, OutputError
from convgen.render.pdf import Layout, append_annexes, convert_many, layout_of_pdf
from convgen.render.zipout import make_output_dir, write_atomic
from convgen.signature.fields import add_signature_fields

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
    data: bytes | None = None  # the new .docx, not yet written: replaced with its PDF
    fingerprint: str = ""  # the document's input fingerprint, recorded in the PDF
    paraphes: bool = False  # initials fields at the foot of every page


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
    when settled, so an interrupted export leaves no half-written PDF. A task given its .docx
    as `data` (not yet written) has its .docx and PDF replaced together, once every PDF of the
    set is settled: if a conversion fails, no .docx and no PDF is touched.
    """
    if not tasks:
        return 0
    out_dir = tasks[0].pdf.parent
    make_output_dir(out_dir)
    try:
        work = Path(tempfile.mkdtemp(prefix=".convgen-pdf-", dir=out_dir))
    except OSError as exc:
        raise OutputError.from_os_error(out_dir, exc) from exc
    reconverted = 0
    try:
        try:
            ready, reconverted = _convert_all(tasks, work, pdfa, jobs, on_round)
        except ConvgenError as exc:
            message = exc.message
            for task in tasks:  # name the outputs, not their copies in the work folder
                for number in range(1, MAX_ROUNDS + 1):
                    staged = work / f"tour{number}" / f"{task.pdf.stem}.docx"
                    message = message.replace(str(staged), str(task.docx))
            if any(t.data is not None for t in tasks):
                message = (
                    "PDF impossible, conventions non mises à jour (les .docx et PDF précédents "
                    f"sont conservés) : {message}"
                )
            exc.message = message
            exc.args = (message,)
            raise
        _commit(ready, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return reconverted


def _convert_all(
    tasks: Sequence[PdfTask],
    work: Path,
    pdfa: bool,
    jobs: int,
    on_round: Callable[[int, int], None] | None,
) -> tuple[list[tuple[PdfTask, Path]], int]:
    """Convert and settle every task; the (task, PDF) pairs still to put in place."""
    reconverted = 0
    ready: list[tuple[PdfTask, Path]] = []
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
                data = task.rerender(measured)
                if task.data is None:
                    write_atomic(task.docx, data)
                else:
                    task.data = data
                task.written = measured
                still.append(task)
                continue
            _add_signature_fields(pdf, task)
            try:
                append_annexes(pdf, task.annexes, task.owner)  # reading errors: InputError
            except OSError as exc:  # writing the PDF with its annexes (full disk…)
                raise OutputError.from_os_error(task.pdf, exc) from exc
            if task.data is None:
                _move(pdf, task.pdf)
            else:
                ready.append((task, pdf))
        pending = still
    if pending:
        raise ConvgenError(
            "la pagination ne se stabilise pas : " + ", ".join(str(t.docx) for t in pending[:5])
        )
    return ready, reconverted


def _add_signature_fields(pdf: Path, task: PdfTask) -> None:
    """An empty signature field in each party's block (`convgen.signature.fields`), and the
    input fingerprint the verifier compares. A draft without a signature block keeps none."""

    try:
        data = add_signature_fields(
            pdf.read_bytes(), fingerprint=task.fingerprint or None, paraphes=task.paraphes
        )
    except DocumentError:
        return  # no « Fait à … » / « Pour … » block to sign in: the PDF stays as converted
    try:
        pdf.write_bytes(data)
    except OSError as exc:
        raise OutputError.from_os_error(task.pdf, exc) from exc


def _commit(ready: list[tuple[PdfTask, Path]], work: Path) -> None:
    """Put each new .docx and its PDF in place, .docx first; on failure the pair is restored.

    If the PDF cannot be moved after its .docx was replaced, the previous .docx (kept as a
    hard link or a copy in `work`) is put back, or the new one removed if there was none.
    """
    backups = work / "anciens"
    for number, (task, pdf) in enumerate(ready):
        assert task.data is not None
        backup: Path | None = None
        if task.docx.is_file():
            backups.mkdir(exist_ok=True)
            backup = backups / f"{number}.docx"
            try:
                os.link(task.docx, backup)
            except OSError:
                try:
                    shutil.copyfile(task.docx, backup)
                except OSError as exc:
                    error = OutputError.from_os_error(backup, exc)
                    raise _not_updated(task, error, number) from exc
        try:
            write_atomic(task.docx, task.data)
        except OutputError as exc:
            raise _not_updated(task, exc, number) from exc
        try:
            _move(pdf, task.pdf)
        except OutputError as exc:
            if backup is not None:
                os.replace(backup, task.docx)
            else:
                task.docx.unlink(missing_ok=True)
            raise _not_updated(task, exc, number) from exc


def _not_updated(task: PdfTask, exc: OutputError, done: int) -> OutputError:
    before = (
        f" ({compte(done, 'convention mise', 'conventions mises')} à jour avant)" if done else ""
    )
    return OutputError(
        f"{exc.message} ; {task.docx.name} et {task.pdf.name} non mis à jour, "
        f"les versions précédentes sont conservées{before}"
    )


def _move(pdf: Path, target: Path) -> None:
    try:
        os.replace(pdf, target)
    except OSError as exc:
        raise OutputError.from_os_error(target, exc) from exc


def _stage(tasks: Sequence[PdfTask], folder: Path) -> list[Path]:
    """The .docx under unique names (two outputs folders may share a stem): the bytes of a
    task given as `data`, else links to (or copies of) the written .docx."""
    try:
        folder.mkdir(parents=True)
        staged = []
        for task in tasks:
            target = folder / f"{task.pdf.stem}.docx"
            if task.data is not None:
                target.write_bytes(task.data)
            else:
                try:
                    os.link(task.docx, target)
                except OSError:
                    shutil.copyfile(task.docx, target)
            staged.append(target)
    except OSError as exc:
        raise OutputError.from_os_error(folder, exc) from exc
    return staged


def clean_stale_work(out_dir: Path) -> None:
    """Remove what an interrupted run left: hidden temporary files and PDF work folders."""
    if not out_dir.is_dir():
        return
    for leftover in out_dir.glob(".convgen-pdf-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
