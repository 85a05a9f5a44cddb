"""WordprocessingML snippets shared by the renderers: text and runs.

Every run convgen writes goes through `run_xml`, which applies French typography
(`convgen.compose.typography`) and writes ordinals (« 1er », « 2e ») with their letters in a real
superscript run, as Word does it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape

from convgen.compose.markup import LINE_BREAK, Run
from convgen.compose.typography import ordinal_spans, typography

TEXT_WIDTH_TWIPS = 9070  # A4 with 2.5 cm margins: where the sommaire's page numbers align
SUPERSCRIPT = '<w:vertAlign w:val="superscript"/>'


# An e-mail or web address: one word. Word and LibreOffice break lines after its hyphens
# (« julien.caron@ccas-|calais.fr » reads as a hyphenated address), so its hyphens are written
# as Word's non-breaking hyphen, which LibreOffice draws and exports to PDF as an ordinary « - »
# (copying the address from the PDF gives it back) and convgen.read.extract reads as U+2011.
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)[^\s<>«»]+")
NO_BREAK_HYPHEN = "<w:noBreakHyphen/>"


def text_xml(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def _address_xml(address: str) -> str:
    return NO_BREAK_HYPHEN.join(text_xml(part) if part else "" for part in address.split("-"))


def text_and_addresses_xml(text: str) -> str:
    """`text` as run content, the hyphens of its addresses unbreakable."""
    if "-" not in text or ("@" not in text and "://" not in text and "www." not in text):
        return text_xml(text)
    out, at = [], 0
    for match in ADDRESS.finditer(text):
        if "-" not in match.group(0):
            continue
        if match.start() > at:
            out.append(text_xml(text[at : match.start()]))
        out.append(_address_xml(match.group(0)))
        at = match.end()
    if at < len(text):
        out.append(text_xml(text[at:]))
    return "".join(out) or text_xml(text)


def run_xml(run: Run, extra_props: str = "", size_pt: float | None = None) -> str:
    """`run` as WordprocessingML; `size_pt` sets its font size (a table set smaller).

    Properties are written in the order the schema requires (b, i, sz, u), which Word checks.
    """
    props = extra_props
    if run.bold and "<w:b/>" not in props:
        props += "<w:b/><w:bCs/>"
    if run.italic:
        props += "<w:i/><w:iCs/>"
    if size_pt is not None:
        half_points = round(size_pt * 2)
        props += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    if run.underline:
        props += '<w:u w:val="single"/>'
    return text_runs_xml(run.text, props)


@lru_cache(maxsize=1024)  # a pure function of its text: batches repeat the same texts
def text_runs_xml(text: str, props: str = "", corrections: bool = True) -> str:
    """`text` as one run with `props` (several when it holds an ordinal to superscript).

    `corrections=False` for headings: see `convgen.compose.typography.Rule.corrects`; their ordinals
    stay on the line too, because the pagination finds headings in the PDF's text, where a
    superscript « er » is extracted apart (« Article 1 er »).
    """
    out = []
    typeset = typography(text, corrections)
    spans = ordinal_spans(typeset) if corrections else ((typeset, False),)
    for piece, superscript in spans:
        rprops = props + SUPERSCRIPT if superscript else props
        rpr = f"<w:rPr>{rprops}</w:rPr>" if rprops else ""
        inner = "<w:br/>".join(text_and_addresses_xml(p) for p in piece.split(LINE_BREAK))
        out.append(f"<w:r>{rpr}{inner}</w:r>")
    return "".join(out)
