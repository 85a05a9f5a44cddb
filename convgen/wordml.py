"""WordprocessingML snippets shared by the renderers: text and runs."""

from __future__ import annotations

from xml.sax.saxutils import escape

from convgen.markup import LINE_BREAK, Run

TEXT_WIDTH_TWIPS = 9070  # A4 with 2.5 cm margins: where the sommaire's page numbers align


def text_xml(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def run_xml(run: Run, extra_props: str = "") -> str:
    props = extra_props
    if run.bold:
        props += "<w:b/><w:bCs/>"
    if run.italic:
        props += "<w:i/><w:iCs/>"
    if run.underline:
        props += '<w:u w:val="single"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    pieces = run.text.split(LINE_BREAK)
    inner = "<w:br/>".join(text_xml(piece) for piece in pieces)
    return f"<w:r>{rpr}{inner}</w:r>"
