"""Writing an avenant as a .docx, in the frame of the convention it amends.

The frame is the new version of the convention itself, rendered by convgen: its styles, page
setup, numbering definitions, header and footer. Its body is replaced by the avenant: title,
the parties block and the signature table copied from the convention (the parties do not
change), the visas, the articles, and the replaced annexes. Quoted text (« les dispositions
suivantes : « … » ») is copied from the convention's own paragraphs, so bullets, bold and
tables come out as in the convention.

References to the convention's articles (« l'article 6 de la convention ») are not articles of
the avenant: `convgen check` knows an avenant by its title and does not look for them in it.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from xml.sax.saxutils import escape

from lxml import etree

from convgen.compose.french import date_longue, lettres
from convgen.lifecycle.wording import AnnexCopy, AvenantText, Heading, Item, Para, Quote
from convgen.read.extract import DocumentText, TextBlock, body_paragraph_elements
from convgen.read.structure import split_sections
from convgen.render.wordml import text_runs_xml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REFERENCE = re.compile(r"\b(articles?|annexes?)\s+(n°\s*)?\d", re.IGNORECASE)


def _p(text: str, style: str | None = None, bold: bool = False, props: str = "") -> etree._Element:
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    ppr += props
    runs = text_runs_xml(text, "<w:b/><w:bCs/>" if bold else "")
    xml = f'<w:p xmlns:w="{W_NS}"><w:pPr>{ppr}</w:pPr>{runs}</w:p>'
    return etree.fromstring(xml)


class _Source:
    """The convention's rendered body: blocks → their top-level elements."""

    def __init__(self, body: etree._Element) -> None:
        self.body = body
        self.paragraphs = body_paragraph_elements(body)

    def top(self, block: TextBlock) -> etree._Element:
        assert block.paragraph is not None
        el = self.paragraphs[block.paragraph - 1]
        while el.getparent() is not self.body:
            el = el.getparent()
        return el

    def elements(self, blocks: tuple[TextBlock, ...] | list[TextBlock]) -> list[etree._Element]:
        seen: list[etree._Element] = []
        for block in blocks:
            if block.paragraph is None:
                continue
            el = self.top(block)
            if not any(el is s for s in seen):
                seen.append(el)
        return [_clean_copy(el) for el in seen]


def _clean_copy(el: etree._Element) -> etree._Element:
    """A copy without bookmarks (their names belong to the convention)."""
    out = copy.deepcopy(el)
    for tag in ("bookmarkStart", "bookmarkEnd"):
        for mark in list(out.iter(f"{_W}{tag}")):
            mark.getparent().remove(mark)
    return out


def _prepend(p: etree._Element, text: str) -> None:
    run = etree.fromstring(
        f'<w:r xmlns:w="{W_NS}"><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    )
    ppr = p.find(f"{_W}pPr")
    p.insert(0 if ppr is None else 1, run)


def _append(p: etree._Element, text: str) -> None:
    run = etree.fromstring(
        f'<w:r xmlns:w="{W_NS}"><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    )
    p.append(run)


def _quoted(elements: list[etree._Element]) -> list[etree._Element]:
    """`elements` between « and », the marks inside the first and last paragraphs."""
    if not elements:
        return elements
    if elements[0].tag == f"{_W}p":
        _prepend(elements[0], "«\u00a0")
    else:
        elements.insert(0, _p("«"))
    if elements[-1].tag == f"{_W}p":
        _append(elements[-1], "\u00a0»")
    else:
        elements.append(_p("»"))
    return elements


def _section_blocks(doc: DocumentText, kind: str) -> list[TextBlock]:
    for section in split_sections(doc):
        if section.kind == kind:
            return list(section.iter_blocks())
    return []


def _signature_tables(source: _Source, doc: DocumentText) -> list[etree._Element]:
    """The convention's signature table(s): the tables of its closing section."""
    blocks = [b for b in _section_blocks(doc, "cloture") if b.in_table]
    return source.elements(blocks)


def write_avenant_docx(
    frame: bytes,
    new_doc: DocumentText,
    text: AvenantText,
    *,
    place: str,
    signed_on: date,
    copies: int,
) -> bytes:
    """The avenant as .docx bytes, in the frame of the rendered convention `frame`."""

    archive = zipfile.ZipFile(io.BytesIO(frame))
    parts = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(f"{_W}body")
    assert body is not None
    source = _Source(body)
    out: list[etree._Element] = [
        _p(text.title, "Title"),
        _p(text.subtitle, "Title"),
    ]
    out.extend(source.elements(_section_blocks(new_doc, "parties")))
    out.append(_p("Préambule", "Heading1", props="<w:keepNext/>"))
    out.extend(_items(text.preamble, source))
    for heading, items in text.articles:
        out.append(_p(heading, "Heading1", props="<w:keepNext/><w:keepLines/>"))
        out.extend(_items(items, source))
    exemplaires = f"{lettres(copies)} ({copies})"
    out.append(
        _p(
            f"Fait {place}, le {date_longue(signed_on)}, en {exemplaires} exemplaires originaux.",
            props="<w:keepNext/>",
        )
    )
    out.extend(_signature_tables(source, new_doc))
    for annex in text.annexes:
        elements = source.elements(annex.blocks)
        if elements and elements[0].tag == f"{_W}p":
            ppr = elements[0].find(f"{_W}pPr")
            if ppr is None:
                ppr = etree.SubElement(elements[0], f"{_W}pPr")
                elements[0].insert(0, ppr)
            if ppr.find(f"{_W}pageBreakBefore") is None:
                ppr.append(etree.Element(f"{_W}pageBreakBefore"))
        out.extend(elements)
    sect = body.find(f"{_W}sectPr")
    for child in list(body):
        body.remove(child)
    for el in out:
        body.append(el)
    if sect is not None:
        body.append(sect)
    parts["word/document.xml"] = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    _retitle(parts, f"{text.title} {text.subtitle}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in archive.namelist():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, parts[name])
        for name in sorted(set(parts) - set(archive.namelist())):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, parts[name])
    return buffer.getvalue()


def _items(items: list[Item], source: _Source) -> Iterator[etree._Element]:
    for item in items:
        if isinstance(item, Para):
            yield _p(item.text, bold=item.bold)
        elif isinstance(item, Heading):
            yield _p(item.text, "Heading2")
        elif isinstance(item, Quote):
            yield from _quoted(source.elements(item.blocks))
        elif isinstance(item, AnnexCopy):
            yield from source.elements(item.blocks)


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{_W}t"))


def _retitle(parts: dict[str, bytes], title: str) -> None:
    """The document's title property, and the running header, name the avenant."""
    core = parts.get("docProps/core.xml")
    if core is not None:
        parts["docProps/core.xml"] = re.sub(
            rb"<dc:title>.*?</dc:title>",
            b"<dc:title>" + escape(title).encode() + b"</dc:title>",
            core,
            flags=re.S,
        )
    for name in [n for n in parts if re.fullmatch(r"word/header\d*\.xml", n)]:
        header = etree.fromstring(parts[name])
        first = next((t for t in header.iter(f"{_W}t") if (t.text or "").strip()), None)
        if first is not None:
            first.text = f"{title.split(' à ')[0]} – {first.text}"
            parts[name] = etree.tostring(
                header, xml_declaration=True, encoding="UTF-8", standalone=True
            )
