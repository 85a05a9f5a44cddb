"""Structural page checks of a convention: its .docx (what was asked) against its PDF (what
LibreOffice laid out). Shared by tests/test_layout.py (the bundled conventions) and
tests/test_layout_batch.py (a batch of communes with short and long names).

`page_problems` returns every problem found, one sentence each, so that a batch reports all
its documents at once instead of stopping at the first.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree
from pypdf import PdfReader

from convgen.read.textnorm import fold_line

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FOOTER = re.compile(r"^Page \d+ sur \d+$")
_HEADINGS = ("Heading1", "Heading2", "Heading3")
# « En 2 exemplaires originaux sur SEPT (7) pages » (the words may wrap in the PDF).
_STATED_PAGES = re.compile(r"\bsur\s+[^\W\d_][\w\s-]*?\s*\((\d+)\)\s*pages\b", re.IGNORECASE)


def docx_xml(path: Path, part: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def style_of(p: etree._Element) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return "" if style is None else style.get(f"{W}val", "")


def text_of(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def headings(body: etree._Element) -> set[str]:
    return {
        fold_line(text_of(p))
        for p in body.iter(f"{W}p")
        if style_of(p) in _HEADINGS and text_of(p).strip()
    }


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines, folded, without the running header (first line) and the footer."""
    pages = []
    for page in PdfReader(pdf).pages:
        lines = [fold_line(x) for x in (page.extract_text() or "").splitlines() if x.strip()]
        pages.append([x for x in lines[1:] if not _FOOTER.match(x)])
    return pages


def done_at(line: str) -> bool:
    return re.match(r"Fait (?:à|au|aux|en) ", line) is not None


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", fold_line(text))


def _pages_holding(needle: str, pages: list[str]) -> set[int]:
    return {i for i, page in enumerate(pages) if needle in page}


def _row_needles(row: etree._Element) -> list[str]:
    """Beginnings and ends of each cell's text: enough to find the row on its page."""
    needles = []
    for cell in row.iter(f"{W}tc"):
        texts = [_squeeze(text_of(p)) for p in cell.iter(f"{W}p")]
        texts = [t for t in texts if len(t) >= 6]
        if texts:
            needles += [texts[0][:24], texts[-1][-24:]]
    return needles


def _split_rows(body: etree._Element, squeezed: list[str]) -> list[str]:
    problems = []
    for table_number, table in enumerate(body.iter(f"{W}tbl"), start=1):
        for row_number, row in enumerate(table.iter(f"{W}tr"), start=1):
            if row.find(f"{W}trPr/{W}cantSplit") is None:
                problems.append(f"table {table_number}, row {row_number}: no cantSplit")
            if row.find(f"{W}trPr/{W}tblHeader") is not None:
                continue  # repeated on every page the table runs on
            found = [p for p in (_pages_holding(n, squeezed) for n in _row_needles(row)) if p]
            if found and not set.intersection(*found):
                where = sorted(set.union(*found))
                problems.append(
                    f"table {table_number}, row {row_number} split over pages "
                    f"{', '.join(str(p + 1) for p in where)}"
                )
    return problems


def _ends_signatures(el: etree._Element) -> bool:
    """A heading (an annex), a page break or the section's end: past the signature block."""
    if el.tag != f"{W}p":
        return el.tag != f"{W}tbl"
    if style_of(el) in _HEADINGS or el.find(f"{W}pPr/{W}pageBreakBefore") is not None:
        return True
    return any(br.get(f"{W}type") == "page" for br in el.iter(f"{W}br"))


def _signature_block(body: etree._Element) -> tuple[str, list[str]]:
    """The « Fait à » paragraph and the texts that follow it up to the annexes or the end:
    the signature table or the signatories' paragraphs."""
    children = list(body)
    for index, child in enumerate(children):
        if child.tag == f"{W}p" and done_at(fold_line(text_of(child))):
            names = []
            for el in children[index + 1 :]:
                if _ends_signatures(el):
                    break
                names += [_squeeze(text_of(p)) for p in el.iter(f"{W}p")]
            return fold_line(text_of(child)), [n for n in names if n]
    raise AssertionError("no « Fait à » paragraph in the document body")


def page_problems(docx: Path, pdf: Path) -> list[str]:
    """Every layout problem of `pdf`, the PDF of `docx`; an empty list when the pages are right.

    - no page ends with a heading, and no page is empty;
    - « Fait à », the date and the whole signature table are on one page, which also holds
      text of the last article (« Fait à » does not open the page);
    - no table row is split across pages (and every row says so to Word: cantSplit);
    - a page count stated in the text (« sur SEPT (7) pages ») is the PDF's.
    """
    name = docx.stem
    body = docx_xml(docx).find(f"{W}body")
    assert body is not None
    lines = page_lines(pdf)
    squeezed = [_squeeze(p.extract_text() or "") for p in PdfReader(pdf).pages]
    problems: list[str] = []
    titles = headings(body)
    for number, page in enumerate(lines, start=1):
        if not page:
            problems.append(f"{name}: page {number} is empty")
        elif page[-1] in titles:
            problems.append(f"{name}: page {number} ends with the heading « {page[-1]} »")

    done, signatures = _signature_block(body)
    done_pages = [i for i, page in enumerate(lines) if any(done_at(x) for x in page)]
    if len(done_pages) != 1:
        problems.append(f"{name}: « Fait à » found on pages {[p + 1 for p in done_pages]}")
    else:
        at = done_pages[0]
        first = next(i for i, x in enumerate(lines[at]) if done_at(x))
        if first == 0:
            problems.append(f"{name}: « {done} » opens page {at + 1}, away from the last article")
        for text in signatures:
            if text not in squeezed[at]:
                pages = sorted(p + 1 for p in _pages_holding(text, squeezed))
                problems.append(
                    f"{name}: signature block « {text} » on page(s) {pages}, not {at + 1}"
                )

    problems += [f"{name}: {p}" for p in _split_rows(body, squeezed)]

    real = len(lines)
    text = " ".join(x for page in lines for x in page)
    for match in _STATED_PAGES.finditer(text):
        if int(match.group(1)) != real:
            problems.append(f"{name}: states « {match.group(0)} », has {real} pages")
    return problems


def stated_page_counts(pdf: Path) -> list[int]:
    """The page counts the document states (« sur SEPT (7) pages » → 7)."""
    text = " ".join(x for page in page_lines(pdf) for x in page)
    return [int(m.group(1)) for m in _STATED_PAGES.finditer(text)]
