"""PDF output: conversion of rendered .docx through LibreOffice, and reading PDFs back."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from convgen.libreoffice import convert_to_pdf
from convgen.textnorm import fold_line


@dataclass
class Layout:
    """Where LibreOffice put things: the page count and the page of each heading."""

    pages: int
    heading_pages: dict[str, int]


def measure_layout(docx: bytes, stem: str, headings: dict[str, str]) -> Layout:
    """Lay `docx` out with LibreOffice; find the page of each heading (bookmark → text).

    A heading is looked for as a whole line of a page's text; lines of the sommaire end with
    dot leaders and a page number, so they never match.
    """
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory(prefix="convgen-layout-") as tmp:
        source = Path(tmp) / f"{stem}.docx"
        source.write_bytes(docx)
        (pdf,) = convert_to_pdf([source], Path(tmp))
        reader = PdfReader(pdf)
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
                break
    return Layout(pages=len(page_lines), heading_pages=found)
