"""convgen's light markup (the rendered text of a clause) parsed into typed blocks.

The syntax is described for legal staff in clauses/README.md: blank lines separate paragraphs,
"- " bullets (two levels), "## " unnumbered sub-headings, **bold**, *italic*, __underline__,
"[saut de page]", and tables between "[tableau]" and "[fin tableau]" ("[tableau 30 50 20]" gives
the columns' widths in percent; otherwise the renderer sizes them from their content). A backslash escapes a
character; values inserted by templates are escaped that way, so data never becomes markup.
French spacing (no-break spaces before ; : ! ? and inside « ») is applied to every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from convgen.compose.french import typography

LINE_BREAK = "\u2028"  # an in-paragraph line break (from a multi-line value)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass
class Paragraph:
    runs: list[Run]
    kind: str = "texte"  # "texte" | "puce" | "puce2" | "intertitre"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class PageBreak:
    pass


@dataclass
class Table:
    rows: list[list[list[Block]]] = field(default_factory=list)  # rows → cells → blocks
    widths: list[int] | None = None  # percent of the text width, one per column, if given


Block = Paragraph | PageBreak | Table


class MarkupError(ValueError):
    """Raised with a French message and the offending line (1-based, in the rendered text)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


_BULLET = re.compile(r"^( *)[-•·▪] +(.*)$")
_TABLE_MARKERS = ("[tableau]", "[ligne]", "[cellule]", "[fin tableau]")
_TABLE_START = re.compile(r"^\[tableau((?: +\d+)*)\]$")


def parse_markup(text: str) -> list[Block]:
    lines = text.split("\n")
    blocks, _ = _parse_lines(lines, 0, len(lines), 1)
    return blocks


def _parse_lines(lines: list[str], start: int, end: int, offset: int) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    current: list[str] = []
    kind = "texte"
    first_line = start

    def flush() -> None:
        nonlocal current, kind
        if current:
            joined = " ".join(part.strip() for part in current)
            blocks.append(Paragraph(parse_inline(joined, offset + first_line), kind))
        current, kind = [], "texte"

    i = start
    while i < end:
        line = lines[i]
        stripped = line.strip()
        opening = _TABLE_START.match(stripped)
        if opening:
            flush()
            close = _find_table_end(lines, i, end, offset)
            table = _parse_table(lines, i + 1, close, offset)
            if opening.group(1):
                table.widths = _widths(opening.group(1), len(table.rows[0]), offset + i)
            blocks.append(table)
            i = close + 1
            continue
        if stripped in _TABLE_MARKERS:
            raise MarkupError(f"« {stripped} » hors d'un tableau", offset + i)
        if not stripped:
            flush()
        elif stripped == "[saut de page]":
            flush()
            blocks.append(PageBreak())
        elif stripped.startswith("## "):
            flush()
            blocks.append(Paragraph(parse_inline(stripped[3:], offset + i), "intertitre"))
        elif m := _BULLET.match(line):
            flush()
            kind = "puce2" if len(m.group(1)) >= 2 else "puce"
            current, first_line = [m.group(2)], i
        else:
            if not current:
                first_line = i
            current.append(line)
        i += 1
    flush()
    return blocks, i


def _find_table_end(lines: list[str], start: int, end: int, offset: int) -> int:
    for j in range(start + 1, end):
        if lines[j].strip() == "[fin tableau]":
            return j
        if _TABLE_START.match(lines[j].strip()):
            raise MarkupError("tableau dans un tableau : non pris en charge", offset + j)
    raise MarkupError("« [tableau] » sans « [fin tableau] »", offset + start)


def _parse_table(lines: list[str], start: int, end: int, offset: int) -> Table:
    table = Table()
    row: list[list[Block]] | None = None
    cell_start: int | None = None

    def close_cell(upto: int) -> None:
        if row is not None and cell_start is not None:
            cell, _ = _parse_lines(lines, cell_start, upto, offset)
            row.append(cell)

    for j in range(start, end):
        marker = lines[j].strip()
        if marker == "[ligne]":
            close_cell(j)
            cell_start = None
            row = []
            table.rows.append(row)
        elif marker == "[cellule]":
            if row is None:
                raise MarkupError("« [cellule] » avant la première « [ligne] »", offset + j)
            close_cell(j)
            cell_start = j + 1
        elif lines[j].strip() and cell_start is None:
            raise MarkupError("texte hors d'une « [cellule] »", offset + j)
    close_cell(end)
    widths = {len(r) for r in table.rows}
    if len(widths) > 1:
        raise MarkupError(
            "les lignes du tableau n'ont pas le même nombre de cellules", offset + start
        )
    if not table.rows:
        raise MarkupError("tableau vide", offset + start)
    return table


def _widths(text: str, columns: int, line: int) -> list[int]:
    widths = [int(w) for w in text.split()]
    if len(widths) != columns:
        raise MarkupError(
            f"« [tableau {text.strip()}] » : {len(widths)} largeurs pour {columns} colonnes", line
        )
    if sum(widths) != 100 or min(widths) < 5:
        raise MarkupError(
            f"« [tableau {text.strip()}] » : les largeurs (en %, 5 au moins) doivent totaliser "
            f"100, pas {sum(widths)}",
            line,
        )
    return widths


_INLINE = re.compile(r"\\(.)|(\*\*|__|\*)", re.DOTALL)


def parse_inline(text: str, line: int = 0) -> list[Run]:
    """Split a paragraph's text into runs by **bold**, *italic* and __underline__."""
    runs: list[Run] = []
    state = {"**": False, "*": False, "__": False}
    buffer: list[str] = []

    def emit() -> None:
        if buffer:
            runs.append(Run(typography("".join(buffer)), state["**"], state["*"], state["__"]))
            buffer.clear()

    pos = 0
    for m in _INLINE.finditer(text):
        buffer.append(text[pos : m.start()])
        pos = m.end()
        if m.group(1) is not None:
            buffer.append(m.group(1))
            continue
        emit()
        state[m.group(2)] = not state[m.group(2)]
    buffer.append(text[pos:])
    emit()
    open_marks = [mark for mark, on in state.items() if on]
    if open_marks:
        raise MarkupError(f"mise en forme « {open_marks[0]} » ouverte mais jamais fermée", line)
    return [r for r in runs if r.text]


def plain_text(blocks: list[Block]) -> str:
    """Text of blocks, one paragraph per line (for tests and the clause viewer)."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            prefix = {"puce": "- ", "puce2": "  - ", "intertitre": "## "}.get(block.kind, "")
            out.append(prefix + block.text.replace(LINE_BREAK, " "))
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    out.append(plain_text(cell))
    return "\n".join(out)
