"""PDF output: batched conversion of rendered .docx through LibreOffice, and reading PDFs back.

What LibreOffice gives for free is used as is: one bookmark per heading (articles, sub-articles,
annexes), the title and author from the .docx core properties (in the document information and
the XMP metadata, which pypdf's `add_metadata` would not update), PDF/A-2b on demand. pypdf only
appends external annex files (`pieces_jointes`) after the convention, with a bookmark each.

Page numbers written in the text ("sur SEPT (7) pages", the sommaire) depend on the layout:
`layout_of_pdf` measures a converted document so that the caller can re-render and re-convert
only the documents whose numbers were wrong.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from convgen.errors import InputError, problem_at
from convgen.read.textnorm import fold_line
from convgen.render.libreoffice import convert_to_pdf

CHUNK = 100  # documents per soffice process: startup (~1 s) shared, a crash costs little


@dataclass
class Layout:
    """Where LibreOffice put things: the page count and the page of each heading."""

    pages: int
    heading_pages: dict[str, int]


def layout_of_pdf(pdf: Path, headings: dict[str, str] | None = None) -> Layout:
    """Page count of `pdf` and the page of each heading (bookmark → heading text).

    A heading is looked for as a whole line of a page's text, or as the start of a line when
    it wraps. The sommaire lists the same headings before the body (a wrapped entry's first
    line has no dot leader), so the page kept is the last one where the heading matches.
    Without headings, the text is not read.
    """

    reader = PdfReader(pdf)
    if not headings:
        return Layout(pages=len(reader.pages), heading_pages={})
    page_lines = [
        {fold_line(line) for line in (page.extract_text() or "").splitlines()}
        for page in reader.pages
    ]
    found: dict[str, int] = {}
    for bookmark, text in headings.items():
        wanted = fold_line(text)
        for number, lines in enumerate(page_lines, start=1):
            if wanted in lines or any(
                line.startswith(wanted[:40]) and "..." not in line for line in lines
            ):
                found[bookmark] = number
    return Layout(pages=len(page_lines), heading_pages=found)


def measure_layout(docx: bytes, stem: str, headings: dict[str, str]) -> Layout:
    """Lay one document out with LibreOffice (one process); see `measure_layouts`."""
    return measure_layouts([(stem, docx, headings)])[0]


def measure_layouts(docs: Sequence[tuple[str, bytes, dict[str, str]]]) -> list[Layout]:
    """Lay several documents out in one LibreOffice process; their layouts, in order."""
    with tempfile.TemporaryDirectory(prefix="convgen-layout-") as tmp:
        sources = []
        for stem, data, _ in docs:
            source = Path(tmp) / f"{stem}.docx"
            source.write_bytes(data)
            sources.append(source)
        pdfs = convert_to_pdf(sources, Path(tmp) / "pdf")
        return [layout_of_pdf(pdf, h) for pdf, (_, _, h) in zip(pdfs, docs, strict=True)]


def convert_many(
    sources: Sequence[Path], out_dir: Path, *, pdfa: bool = False, jobs: int = 1
) -> list[Path]:
    """Convert every source to `out_dir/<stem>.pdf` in chunks, `jobs` soffice processes at once.

    Each process has its own private profile (see `convgen.render.libreoffice`), so they can run side by
    side; each expected PDF is checked to exist. When one chunk fails or the run is interrupted,
    the other conversions are stopped, their processes killed.
    """
    # Small sets are split evenly over the processes (20 files, 2 jobs: 2 × 10), large ones in
    # chunks of CHUNK so that a LibreOffice crash or timeout costs little.
    size = max(1, min(CHUNK, -(-len(sources) // max(1, jobs))))
    chunks = [list(sources[i : i + size]) for i in range(0, len(sources), size)]
    if not chunks:
        return []
    if len(chunks) == 1:  # in this thread: Ctrl-C reaches the conversion directly
        return convert_to_pdf(chunks[0], out_dir, pdfa=pdfa, batch_size=size)
    # Ctrl-C or a failed chunk cancels the others: their LibreOffice runs are stopped (and
    # their processes killed) instead of being waited for.
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(chunks))))
    try:
        futures = [
            pool.submit(convert_to_pdf, c, out_dir, pdfa=pdfa, batch_size=size, cancel=cancel)
            for c in chunks
        ]
        done = [future.result() for future in futures]
    except BaseException:
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [pdf for chunk in done for pdf in chunk]


def append_annexes(pdf: Path, annexes: Sequence[tuple[str, Path]], owner: Path) -> None:
    """Append external annex PDFs (title, path) after the convention, with one bookmark each.

    The convention's own bookmarks and metadata are kept (pypdf clones the document). Raise
    `InputError` naming `owner` (the instance) if an annex cannot be read.
    """
    if not annexes:
        return

    writer = PdfWriter(clone_from=PdfReader(pdf))
    for title, path in annexes:
        try:
            start = len(writer.pages)
            writer.append(PdfReader(path), import_outline=False)
        except (OSError, PdfReadError, ValueError) as exc:
            raise InputError(
                "pièce jointe illisible",
                [problem_at(owner, None, "pieces_jointes", f"{path} : {exc}")],
            ) from exc
        writer.add_outline_item(title=title, page_number=start)
    tmp = pdf.with_name(f".{pdf.name}.annexes.tmp")
    with tmp.open("wb") as handle:
        writer.write(handle)
    tmp.replace(pdf)
