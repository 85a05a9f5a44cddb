"""The parties block and the signature block of a model that lists its parties (`parties:`).

`{{ bloc.parties }}` writes « Entre », each party's paragraph (designation, details,
representation, « ci-après dénommé(e) … »), « Et » between parties; `{{ bloc.signatures }}`
writes a borderless table with one cell per party: up to three side by side, four or more in
rows of two. Each row of parties is two table rows — titles, then the space to sign and the
signatory's name — so that names stay aligned when one title runs longer, and neither row is
split across pages nor separated from the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from convgen.compose.assemble import Party
from convgen.compose.markup import Run
from convgen.render.wordml import TEXT_WIDTH_TWIPS, run_xml

SIGNING_SPACE = 4  # empty lines left to sign (about 2 cm at 11 pt)


def _paragraph(runs: Iterable[Run], props: str = "") -> str:
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{''.join(run_xml(r) for r in runs)}</w:p>"


def _joined(parts: Sequence[Sequence[Run]], end: str) -> list[Run]:
    """`parts` one after the other, separated by « , », closed by `end`."""
    runs: list[Run] = []
    for part in (p for p in parts if p):
        if runs:
            runs.append(Run(", "))
        runs.extend(part)
    runs.append(Run(end))
    return runs


def parties_xml(parties: Sequence[Party]) -> str:
    """« Entre » A, « Et » B (, « Et » C…): one paragraph per party."""
    out = []
    keep = '<w:keepNext/><w:jc w:val="left"/>'
    for index, party in enumerate(parties):
        out.append(_paragraph([Run("Entre" if index == 0 else "Et", bold=True)], keep))
        last = index == len(parties) - 1
        out.append(
            _paragraph(
                _joined(
                    [party.designation, party.details, party.representation, party.denomination],
                    "." if last else ",",
                )
            )
        )
    return "".join(out)


def signatures_xml(parties: Sequence[Party]) -> str:
    """The signature table: a cell per party, titles above, name under the space to sign."""
    if not parties:
        return ""
    columns = len(parties) if len(parties) <= 3 else 2
    width = TEXT_WIDTH_TWIPS // columns
    rows = []
    for start in range(0, len(parties), columns):
        group = list(parties[start : start + columns])
        titles = [_cell([_paragraph(line, _KEEP) for line in p.signature], width) for p in group]
        names = [
            _cell(
                [_paragraph([], _KEEP)] * SIGNING_SPACE + [_paragraph(p.signataire, _LEFT)], width
            )
            for p in group
        ]
        blank = _cell([_paragraph([])], width)
        titles += [blank] * (columns - len(group))
        names += [blank] * (columns - len(group))
        rows.append(f"<w:tr>{_ROW}{''.join(titles)}</w:tr>")
        rows.append(f"<w:tr>{_ROW}{''.join(names)}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in range(columns))
    borders = "".join(
        f'<w:{edge} w:val="nil"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tblpr = (
        f'<w:tblPr><w:tblW w:w="{width * columns}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr>'
    )
    return f"<w:tbl>{tblpr}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl><w:p/>"


_LEFT = '<w:spacing w:after="0"/><w:jc w:val="left"/>'
_KEEP = "<w:keepNext/>" + _LEFT  # a title stays on the page of the space to sign
_ROW = "<w:trPr><w:cantSplit/></w:trPr>"


def _cell(paragraphs: list[str], width: int) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{"".join(paragraphs)}</w:tc>'
