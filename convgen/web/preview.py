"""The assembled text of a convention as HTML: what the .docx will say, as the user types.

The preview shows the text convgen assembles (parties, préambule, numbered articles, annexes,
with the instance's values and the resolved references), not the Word frame's page layout:
that is the .docx and PDF's job. Every text is escaped; only the markup's own structure
(paragraphs, bullets, sub-headings, tables, bold/italic/underline) becomes tags.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from convgen.compose.assemble import Article, Assembled
from convgen.compose.markup import LINE_BREAK, Block, PageBreak, Paragraph, Run, Table


def preview_html(assembled: Assembled) -> Markup:
    parts: list[str] = [f'<h2 class="doc-title">{escape(assembled.title)}</h2>']
    if assembled.parties:
        parts.append('<section class="doc-parties" aria-label="Les parties">')
        for index, party in enumerate(assembled.parties):
            if index:
                parts.append('<p class="doc-between">Et</p>')
            runs = [*party.designation, *party.details, *party.representation]
            text = _runs(runs)
            parts.append(f"<p>{text}, {_runs(party.denomination)}</p>")
        parts.append("</section>")
    if assembled.preamble:
        parts.append(f'<section class="doc-preamble">{_blocks(assembled.preamble)}</section>')
    for article in assembled.articles:
        parts.append(_article(article, 3))
    for annex in assembled.annexes:
        parts.append(_article(annex, 3))
    return Markup("\n".join(parts))


def _article(article: Article, level: int) -> str:
    heading = (
        f'<h{level} id="apercu-{escape(article.bookmark)}">{escape(article.heading)}</h{level}>'
    )
    children = "".join(_article(child, min(level + 1, 6)) for child in article.children)
    return f'<section class="doc-article">{heading}{_blocks(article.blocks)}{children}</section>'


def _blocks(blocks: list[Block]) -> str:
    out: list[str] = []
    open_list = False
    for block in blocks:
        bullet = isinstance(block, Paragraph) and block.kind in ("puce", "puce2")
        if bullet and not open_list:
            out.append("<ul>")
            open_list = True
        if not bullet and open_list:
            out.append("</ul>")
            open_list = False
        if isinstance(block, Paragraph):
            text = _runs(block.runs)
            if block.kind == "intertitre":
                out.append(f'<p class="doc-subheading">{text}</p>')
            elif block.kind == "puce2":
                out.append(f'<li class="doc-level2">{text}</li>')
            elif block.kind == "puce":
                out.append(f"<li>{text}</li>")
            else:
                out.append(f"<p>{text}</p>")
        elif isinstance(block, Table):
            out.append(_table(block))
        elif isinstance(block, PageBreak):
            out.append('<hr class="doc-pagebreak" aria-hidden="true">')
    if open_list:
        out.append("</ul>")
    return "".join(out)


def _table(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = "".join(f"<td>{_blocks(cell)}</td>" for cell in row)
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="doc-table">{"".join(rows)}</table>'


def _runs(runs: list[Run] | tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        text = str(escape(run.text)).replace(LINE_BREAK, "<br>")
        if run.bold:
            text = f"<strong>{text}</strong>"
        if run.italic:
            text = f"<em>{text}</em>"
        if run.underline:
            text = f'<span class="u">{text}</span>'
        out.append(text)
    return "".join(out)
