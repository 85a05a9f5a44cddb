"""Rendering an assembled convention into a .docx, from the model's Word frame.

The frame is compiled once per model (`compile_frame`): its document, header and footer XML
become sandboxed Jinja templates (tags split across Word runs are first joined back into one
run), and block paragraphs (`{{ bloc.articles }}`…) become slots for XML built here. Rendering
a document is then one template render per part plus a zip: no re-parsing of the frame, which
is what makes batches fast (plain docxtpl recompiles the whole document on every render).

Output is deterministic: same inputs, same bytes (fixed zip timestamps and order, no clock).
"""

from __future__ import annotations

import copy
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import Template, TemplateError, TemplateSyntaxError
from lxml import etree
from markupsafe import Markup

from convgen.compose import french
from convgen.compose.assemble import Article, Assembled
from convgen.compose.markup import LINE_BREAK, Block, PageBreak, Paragraph, Table, plain_text
from convgen.compose.templating import MissingValueError, describe_error, frame_env, to_text
from convgen.compose.typography import NBSP, NNBSP, ordinal_spans, typography
from convgen.errors import LibraryError, jinja_syntax_message, problem_at
from convgen.render.render_parties import parties_xml, signatures_xml
from convgen.render.text_width import text_twips
from convgen.render.wordml import ADDRESS, TEXT_WIDTH_TWIPS, run_xml, text_runs_xml
from convgen.render.wordml import text_xml as _t
from convgen.render.zipout import DOCUMENT_LEVEL, Member, write_zip

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"
BLOCKS = ("sommaire", "preambule", "articles", "annexes", "parties", "signatures")
_BLOCK_PARA = re.compile(r"^\s*\{\{\s*bloc\.(\w+)\s*\}\}\s*$")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)

STYLE_IDS = {
    "texte": None,
    "puce": "ListBullet",
    "puce2": "ListBullet2",
    "intertitre": "Heading3",
}


@dataclass
class CompiledFrame:
    """A model's Word frame, parsed and compiled once."""

    path: Path
    static_parts: dict[str, bytes]  # copied as they are
    templates: dict[str, Template]  # part name → compiled template
    order: list[str]  # zip member order of the frame
    uses_page_count: bool = False
    run_props: list[str] = field(default_factory=list)  # rPr of the runs holding `{{ … }}`
    _deflated: dict[str, Member] = field(default_factory=dict, repr=False)

    def static_member(self, name: str) -> Member | None:
        """The static part `name`, deflated once and reused by every document."""
        member = self._deflated.get(name)
        if member is None and name in self.static_parts:
            member = self._deflated[name] = Member.static(name, self.static_parts[name])
        return member


def compile_frame(path: Path) -> CompiledFrame:
    """Read the Word frame at `path` and compile its text parts; raise `LibraryError`."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
            order = [info.filename for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise LibraryError(f"{path}: cadre Word illisible ({exc})") from exc
    frame = CompiledFrame(path=path, static_parts={}, templates={}, order=order)
    for name, data in parts.items():
        if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
            source = _frame_source(data, name, path, frame.run_props)
            try:
                template = frame_env.from_string(
                    source,
                    globals={"_sup": _superscripts(frame.run_props), "accord": french.accord},
                )
            except TemplateSyntaxError as exc:
                raise LibraryError(
                    "cadre Word invalide",
                    [
                        problem_at(
                            path,
                            None,
                            name,
                            f"champ mal formé, {jinja_syntax_message(exc.message)}",
                        )
                    ],
                ) from exc
            frame.templates[name] = template
            frame.uses_page_count |= "document.pages" in source
        elif name == "word/settings.xml":
            # Ask Word to refresh fields (sommaire page numbers) when the document is opened.
            frame.static_parts[name] = _with_update_fields(data)
        elif name in ("docProps/core.xml", "docProps/custom.xml", "docProps/thumbnail.jpeg"):
            continue  # written per document (properties) or dropped (stale thumbnail)
        else:
            frame.static_parts[name] = data
    if "word/document.xml" not in frame.templates:
        raise LibraryError(f"{path}: pas un document Word (word/document.xml absent)")
    frame.static_parts["[Content_Types].xml"] = _content_types(parts["[Content_Types].xml"])
    frame.static_parts["_rels/.rels"] = _root_rels(parts["_rels/.rels"])
    frame.order = [n for n in order if n != "docProps/thumbnail.jpeg"]
    for name in ("docProps/core.xml", "docProps/custom.xml"):
        if name not in frame.order:
            frame.order.append(name)
    return frame


def _frame_source(data: bytes, name: str, path: Path, run_props: list[str]) -> str:
    """The part's XML as a Jinja template: tags joined into one run, blocks as slots.

    The frame's own text gets French typography here, once (values get it when they are
    inserted, see `convgen.compose.templating`); each `{{ value }}` is wrapped so that an ordinal in
    the value (« le 1er avril ») gets its superscript run, in the run properties of its place.
    """
    root = etree.fromstring(data)
    for p in list(root.iter(f"{_W}p")):
        texts = [t for t in p.iter(f"{_W}t")]
        full = "".join(t.text or "" for t in texts)
        if "{" not in full:
            _typeset(texts)
            continue
        block = _BLOCK_PARA.match(full)
        if block:
            if block.group(1) not in BLOCKS:
                raise LibraryError(
                    "cadre Word invalide",
                    [
                        problem_at(
                            path,
                            None,
                            name,
                            f"bloc inconnu « bloc.{block.group(1)} » (blocs : {', '.join(BLOCKS)})",
                        )
                    ],
                )
            marker = etree.Element("convgen-bloc", name=block.group(1))
            p.getparent().replace(p, marker)
            continue
        _join_split_tags(texts)
        _typeset(texts)
        for t in texts:
            if t.text and "{{" in t.text:
                _wrap_values(t, run_props)
    xml = etree.tostring(root, encoding="unicode")
    xml = re.sub(r'<convgen-bloc name="(\w+)"/>', r"{{ bloc.\1 }}", xml)
    # Inside tags, undo the XML escaping of the frame's text ("&gt;" → ">").
    return _TAG.sub(
        lambda m: m.group(0).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&"), xml
    )


_MASK = "\ue000"  # stands for a tag while the frame's text is typeset
_EXPR = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def _typeset(texts: list[etree._Element]) -> None:
    """French typography on the frame's own text, tags left as they are."""
    previous: etree._Element | None = None
    for t in texts:
        text = t.text or ""
        tags = _TAG.findall(text)
        masked = typography(_TAG.sub(_MASK, text))
        pieces = masked.split(_MASK)
        typeset = pieces[0] + "".join(
            tag + piece for tag, piece in zip(tags, pieces[1:], strict=True)
        )
        # A run ending with a space before a run starting with « ; : ! ? » (several runs of
        # one sentence, as Word writes them).
        if previous is not None and previous.text and previous.text.endswith(" "):
            head = typeset.lstrip()[:1]
            if head in (";", "!", "?", "»"):
                previous.text = previous.text[:-1] + NNBSP
            elif head == ":":
                previous.text = previous.text[:-1] + NBSP
        if typeset != text:
            t.text = typeset
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        if text:
            previous = t


# Elements of a run's properties that come after w:vertAlign (ECMA-376 CT_RPr order).
_AFTER_VERTALIGN = {
    f"{_W}{n}" for n in ("rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")
}


def _wrap_values(t: etree._Element, run_props: list[str]) -> None:
    """Wrap every `{{ expr }}` of `t` as `{{ _sup((expr), n) }}`, n naming its run's rPr."""
    run = t.getparent()
    rpr = run.find(f"{_W}rPr") if run is not None else None
    plain = _inner_xml(rpr) if rpr is not None else ""
    sup = etree.Element(f"{_W}rPr") if rpr is None else copy.deepcopy(rpr)
    align = etree.Element(f"{_W}vertAlign")
    align.set(f"{_W}val", "superscript")
    after = [i for i, child in enumerate(sup) if child.tag in _AFTER_VERTALIGN]
    sup.insert(after[0] if after else len(sup), align)
    run_props.append(f"{plain}\n{_inner_xml(sup)}")
    index = len(run_props) - 1
    t.text = _EXPR.sub(lambda m: f"{{{{ _sup(({m.group(1).strip()}), {index}) }}}}", t.text or "")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _inner_xml(element: etree._Element) -> str:
    xml = "".join(etree.tostring(child, encoding="unicode") for child in element)
    return re.sub(r' xmlns:\w+="[^"]*"', "", xml)


def _superscripts(run_props: list[str]) -> Callable[[object, int], object]:
    """The `_sup` of a frame: a value holding an ordinal becomes runs with a superscript."""

    def sup(value: object, index: int) -> object:
        if hasattr(value, "__html__"):
            return value
        text = typography(to_text(value))
        spans = ordinal_spans(text)
        if len(spans) == 1:
            return text
        plain, superscript = run_props[index].split("\n")
        out = []
        for piece, is_sup in spans:
            if is_sup:
                out.append(
                    f'</w:t></w:r><w:r><w:rPr>{superscript}</w:rPr><w:t xml:space="preserve">'
                    f'{escape(piece)}</w:t></w:r><w:r><w:rPr>{plain}</w:rPr><w:t xml:space="preserve">'
                )
            else:
                out.append(escape(piece))
        return Markup("".join(out).replace("\n", " "))

    return sup


def _join_split_tags(texts: list[etree._Element]) -> None:
    """Move every `{{ … }}` / `{% … %}` that Word split over several runs into its first run."""
    values = [t.text or "" for t in texts]
    bounds: list[int] = []
    total = 0
    for v in values:
        bounds.append(total)
        total += len(v)
    full = "".join(values)

    def locate(pos: int) -> tuple[int, int]:
        for i in range(len(values) - 1, -1, -1):
            if bounds[i] <= pos:
                return i, pos - bounds[i]
        return 0, 0

    for m in reversed(list(_TAG.finditer(full))):
        i0, o0 = locate(m.start())
        i1, o1 = locate(m.end() - 1)
        if i0 == i1:
            continue
        values[i0] = values[i0][:o0] + m.group(0)
        for i in range(i0 + 1, i1):
            values[i] = ""
        values[i1] = values[i1][o1 + 1 :]
    for t, v in zip(texts, values, strict=False):
        if t.text != v:
            t.text = v
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _with_update_fields(settings: bytes) -> bytes:
    if b"updateFields" in settings:
        return settings
    return re.sub(rb"(<w:settings[^>]*>)", rb'\1<w:updateFields w:val="true"/>', settings, count=1)


def _content_types(data: bytes) -> bytes:
    if b"/docProps/custom.xml" in data:
        return data
    override = (
        b'<Override PartName="/docProps/custom.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
    )
    data = data.replace(
        b'<Override PartName="/docProps/thumbnail.jpeg" ContentType="image/jpeg"/>', b""
    )
    return data.replace(b"</Types>", override + b"</Types>")


def _root_rels(data: bytes) -> bytes:
    data = re.sub(rb'<Relationship[^>]*Target="docProps/thumbnail.jpeg"[^>]*/>', b"", data)
    if b"docProps/custom.xml" in data:
        return data
    rel = (
        b'<Relationship Id="rIdConvgenCustom" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" '
        b'Target="docProps/custom.xml"/>'
    )
    return data.replace(b"</Relationships>", rel + b"</Relationships>")


# --------------------------------------------------------------------------- blocks → XML


def paragraph_xml(
    block: Paragraph,
    run_props: str = "",
    in_table: bool = False,
    keep_next: bool = False,
    size_pt: float | None = None,
) -> str:
    style = STYLE_IDS.get(block.kind)
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if keep_next:  # the paragraph before the signature block: « Fait à » never stands alone
        props += "<w:keepNext/>"
    if in_table:  # justified text in a narrow column stretches words apart
        props += '<w:jc w:val="left"/>'
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{''.join(run_xml(r, run_props, size_pt) for r in block.runs)}</w:p>"


# Column widths from content, in twips measured in the body font (`convgen.render.text_width`).
_CELL_PADDING_TWIPS = 216 + 64  # Word's cell margins (2 × 108) and a little slack
_NATURAL_CAP_TWIPS = 6000  # a cell longer than this wraps anyway: its length stops counting
_EMPTY_COLUMN_TWIPS = 4400  # a column left empty to be filled in (a form) gets room to write
_MIN_COLUMN_TWIPS = 600
# Where a line may break in a cell: ordinary spaces, tabs, line breaks, zero-width spaces.
_BREAKS = re.compile(r"[ \t\n\u200b\u2028]+")
# An e-mail or web address is one word (its hyphens do not break: `wordml.ADDRESS`); when it
# does not fit its column, it breaks after « @ ».
_ADDRESS = ADDRESS


@dataclass(frozen=True)
class _Measure:
    natural: int = 0  # longest line, capped
    word: int = 0  # longest word: narrower, a word breaks inside
    word_split: int = 0  # the same, an address allowed to break after its « @ »


def _measure(cell: list[Block], bold: bool, size_pt: float) -> _Measure:
    text = plain_text(cell)
    lines = text.splitlines() or [""]
    natural = max(text_twips(x, bold, size_pt) for x in lines)
    word = split = 0
    for token in _BREAKS.split(text):
        width = text_twips(token, bold, size_pt)
        word = max(word, width)
        if _ADDRESS.fullmatch(token) and "@" in token:
            local, _, domain = token.partition("@")
            width = max(text_twips(local + "@", bold, size_pt), text_twips(domain, bold, size_pt))
        split = max(split, width)
    return _Measure(min(natural, _NATURAL_CAP_TWIPS), word, split)


@dataclass(frozen=True)
class TableLayout:
    widths: list[int]  # twips, one per column, summing to the text width
    size_pt: float  # the font size of the table's text


# A table whose longest words do not fit the page side by side at the body size is set smaller
# (the CPAM contacts: service, request, telephone and an e-mail address of 35 + 20 characters).
_TABLE_SIZES = (11.0, 10.0, 9.0)


def table_layout(table: Table) -> TableLayout:
    """Column widths (twips) and font size of `table`: widths given in percent, or from content.

    Each column gets a share proportional to its longest cell (capped), but never less than
    its longest word, measured in the body font, so that an e-mail address or a long word is not
    broken inside a narrow column. When the longest words of all columns do not fit the page
    together, e-mail addresses may break after « @ » (`break_addresses` writes that break), then
    the table is set at 10 pt, then 9 pt. A column whose body cells are all empty is a space to
    answer in and gets room.
    """
    columns = len(table.rows[0])
    if table.widths:
        return TableLayout([TEXT_WIDTH_TWIPS * w // 100 for w in table.widths], _TABLE_SIZES[0])
    pad = _CELL_PADDING_TWIPS
    for size in _TABLE_SIZES:
        natural = [0] * columns
        whole = [0] * columns
        split = [0] * columns
        filled = [False] * columns
        for index, row in enumerate(table.rows):
            for col, cell in enumerate(row):
                measure = _measure(cell, bold=index == 0, size_pt=size)
                whole[col] = max(whole[col], measure.word)
                split[col] = max(split[col], measure.word_split)
                if index > 0 and plain_text(cell).strip():
                    filled[col] = True
                    natural[col] = max(natural[col], measure.natural)
        minimum = [min(w + pad, TEXT_WIDTH_TWIPS) for w in whole]
        if sum(minimum) > TEXT_WIDTH_TWIPS:
            minimum = [min(w + pad, TEXT_WIDTH_TWIPS) for w in split]
        if sum(minimum) <= TEXT_WIDTH_TWIPS:
            break
    for col in range(columns):
        if not filled[col] and len(table.rows) > 1:
            natural[col] = _EMPTY_COLUMN_TWIPS
        natural[col] = max(natural[col] + pad, minimum[col], _MIN_COLUMN_TWIPS)
    result = [int(w) for w in _share(natural, minimum)]
    result[-1] += TEXT_WIDTH_TWIPS - sum(result)
    return TableLayout(result, size)


def column_widths(table: Table) -> list[int]:
    """Widths (twips) of `table`'s columns (see `table_layout`)."""
    return table_layout(table).widths


def _share(natural: list[int], minimum: list[int]) -> list[float]:
    """The text width shared in proportion to `natural`, no column below its `minimum`.

    A column whose share falls below its minimum gets its minimum; the others share what is
    left, in proportion again, until no share is below its minimum. Minimums that do not fit
    together are scaled down alike.
    """
    if sum(minimum) >= TEXT_WIDTH_TWIPS:
        return [TEXT_WIDTH_TWIPS * m / sum(minimum) for m in minimum]
    fixed: dict[int, float] = {}
    while True:
        rest = [c for c in range(len(natural)) if c not in fixed]
        room = TEXT_WIDTH_TWIPS - sum(fixed.values())
        total = sum(natural[c] for c in rest)
        shares = {c: room * natural[c] / total for c in rest}
        short = [c for c in rest if shares[c] < minimum[c]]
        if not short:
            return [fixed[c] if c in fixed else shares[c] for c in range(len(natural))]
        for c in short:
            fixed[c] = minimum[c]


def break_addresses(cell: list[Block], width: int, size_pt: float = _TABLE_SIZES[0]) -> list[Block]:
    """`cell` with a line break after the « @ » of each address too wide for `width` twips.

    A break there reads as the end of a line; a break at a hyphen (« ccas-|calais.fr ») reads
    as part of the address, which is what LibreOffice and Word do on their own.
    """
    room = width - _CELL_PADDING_TWIPS

    def cut(match: re.Match[str]) -> str:
        address = match.group(0)
        if "@" not in address or text_twips(address, size_pt=size_pt) <= room:
            return address
        local, _, domain = address.partition("@")
        return f"{local}@{LINE_BREAK}{domain}"

    out: list[Block] = []
    for block in cell:
        if isinstance(block, Paragraph) and "@" in block.text:
            runs = [replace(r, text=_ADDRESS.sub(cut, r.text)) for r in block.runs]
            block = replace(block, runs=runs)
        out.append(block)
    return out


def table_xml(table: Table) -> str:
    layout = table_layout(table)
    widths = layout.widths
    answers = answer_columns(table)
    size = None if layout.size_pt == _TABLE_SIZES[0] else layout.size_pt
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = []
    for index, row in enumerate(table.rows):
        header = index == 0
        # No row is split across pages; the header row repeats on each page the table runs on.
        if header:
            trpr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
        else:
            trpr = _ANSWER_ROW_PROPS if answers else _ROW_PROPS
        cells = []
        for cell, width in zip(row, widths, strict=True):
            if not header:
                cell = break_addresses(cell, width, layout.size_pt)
            shading = '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>' if header else ""
            bold = "<w:b/><w:bCs/>" if header else ""
            content = blocks_xml(cell, bold, in_table=True, size_pt=size) or "<w:p/>"
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{content}</w:tc>'
            )
        rows.append(f"<w:tr>{trpr}{''.join(cells)}</w:tr>")
    tblpr = (
        f'<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr>'
    )
    # An empty paragraph after a table keeps Word from merging it with what follows.
    return f"<w:tbl>{tblpr}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


_ROW_PROPS = "<w:trPr><w:cantSplit/></w:trPr>"
# A row of a form (a table with a column left empty to answer in: the AMI's response grid, the
# candidate's identification) is at least three lines high, room to write an answer or sign.
_ANSWER_ROW_TWIPS = 850
_ANSWER_ROW_PROPS = (
    f'<w:trPr><w:cantSplit/><w:trHeight w:val="{_ANSWER_ROW_TWIPS}" w:hRule="atLeast"/></w:trPr>'
)


def answer_columns(table: Table) -> set[int]:
    """The columns whose body cells are all empty: spaces left to answer in."""
    if len(table.rows) < 2:
        return set()
    body = table.rows[1:]
    return {
        col
        for col in range(len(table.rows[0]))
        if all(col >= len(row) or not plain_text(row[col]).strip() for row in body)
    }


_SHORT_CHARS = 180  # about two lines of body text


def blocks_xml(
    blocks: list[Block],
    run_props: str = "",
    in_table: bool = False,
    keep_last: bool = False,
    size_pt: float | None = None,
) -> str:
    """`blocks` as WordprocessingML; `keep_last` keeps the last paragraph with what follows.

    Outside tables, a first paragraph of one or two lines (an article that opens with
    « La présente convention est soumise au droit français. ») is kept with the next one, so
    that its heading never ends a page with a single line under it; so is a paragraph that
    announces a list (« … à savoir : »), and the last item of a list is kept with the one
    before it, so that no page starts with a list's last item standing alone.
    """
    out = []
    last = len(blocks) - 1
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            keep = keep_last and index == last
            if index == 0 and not in_table and index < last and len(block.text) < _SHORT_CHARS:
                keep = True
            if not in_table and index < last and _keeps_with_next(block, blocks[index + 1 :]):
                keep = True
            out.append(paragraph_xml(block, run_props, in_table, keep, size_pt))
        elif isinstance(block, PageBreak):
            out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
        elif isinstance(block, Table):
            out.append(table_xml(block))
            out.append('<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>')
    return "".join(out)


_BULLETS = ("puce", "puce2")


def _keeps_with_next(block: Paragraph, rest: list[Block]) -> bool:
    """A list's announcement with its first item; a list's next-to-last item with its last."""
    following = rest[0]
    if not isinstance(following, Paragraph) or following.kind not in _BULLETS:
        return False
    if block.kind not in _BULLETS:
        return block.text.rstrip().endswith(":")
    after = rest[1] if len(rest) > 1 else None
    return not (isinstance(after, Paragraph) and after.kind in _BULLETS)


def heading_xml(article: Article, bookmark_id: int, page_break: bool = False) -> str:
    """A heading kept with its text and never cut in two, whatever the frame's styles say."""
    style = "Heading1" if article.level == 1 else "Heading2"
    ppr = (
        f'<w:pPr><w:pStyle w:val="{style}"/><w:keepNext/><w:keepLines/>'
        f"{'<w:pageBreakBefore/>' if page_break else ''}</w:pPr>"
    )
    return (
        f'<w:p>{ppr}<w:bookmarkStart w:id="{bookmark_id}" w:name="{article.bookmark}"/>'
        f"{text_runs_xml(article.heading, corrections=False)}"
        f'<w:bookmarkEnd w:id="{bookmark_id}"/></w:p>'
    )


# Clause blocks shared between the documents of a batch (see assemble._RENDERED) become the
# same XML every time: it is kept with the list it was made from (held, so its id stays its own).
_XML_OF_BLOCKS: dict[int, tuple[list[Block], str]] = {}


def _shared_blocks_xml(blocks: list[Block], keep_last: bool = False) -> str:
    if keep_last:  # once per document (its last article): not worth caching
        return blocks_xml(blocks, keep_last=True)
    entry = _XML_OF_BLOCKS.get(id(blocks))
    if entry is not None and entry[0] is blocks:
        return entry[1]
    xml = blocks_xml(blocks)
    if len(_XML_OF_BLOCKS) > 1024:
        _XML_OF_BLOCKS.clear()
    _XML_OF_BLOCKS[id(blocks)] = (blocks, xml)
    return xml


def articles_xml(articles: list[Article], first_id: int, annex: bool = False) -> str:
    """Headings and text of `articles`; the last lines of the last article (not of an annex)
    are kept with what follows, the place, date and signatures, so these never stand alone
    on a page."""
    out = []
    next_id = first_id
    sections = [(a, c) for a in articles for c in [a, *a.children]]
    for index, (article, section) in enumerate(sections):
        out.append(heading_xml(section, next_id, page_break=annex and section is article))
        next_id += 1
        keep = not annex and index == len(sections) - 1
        out.append(_shared_blocks_xml(section.blocks, keep_last=keep))
    return "".join(out)


def sommaire_xml(assembled: Assembled) -> str:
    """One line per article and annex: title, dot leader, page number (a PAGEREF field).

    The page numbers are fields: LibreOffice computes them when it lays the document out (PDF),
    and Word refreshes them on opening (`updateFields` in settings).
    """
    out = [
        '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r>' + _t("Sommaire") + "</w:r></w:p>"
    ]
    tabs = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH_TWIPS}"/></w:tabs>'
    for article in assembled.toc_entries():
        indent = '<w:ind w:left="0"/>'
        out.append(
            f'<w:p><w:pPr>{tabs}<w:spacing w:after="60"/>{indent}</w:pPr>'
            f'<w:hyperlink w:anchor="{article.bookmark}" w:history="1">{text_runs_xml(article.heading, corrections=False)}</w:hyperlink>'
            "<w:r><w:tab/></w:r>"
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> PAGEREF {article.bookmark} \\h </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r>{_t(str(assembled.heading_pages.get(article.bookmark, 1)))}</w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
    return "".join(out)


# --------------------------------------------------------------------------- properties


def core_xml(assembled: Assembled) -> bytes:
    props = assembled.properties
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(assembled.title)}</dc:title>"
        f"<dc:subject>{escape(assembled.model.titre)}</dc:subject>"
        f"<dc:creator>{escape(props.get('auteur', 'convgen'))}</dc:creator>"
        f"<cp:keywords>convgen; {escape(assembled.model.name)}; {escape(assembled.instance.name)}</cp:keywords>"
        f"<dc:description>{escape(_description(assembled))}</dc:description>"
        "<cp:lastModifiedBy>convgen</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        "<dc:language>fr-FR</dc:language>"
        "</cp:coreProperties>"
    ).encode()


def _description(assembled: Assembled) -> str:
    return (
        f"Modèle : {assembled.model.name} ; instance : {assembled.instance.path.name} ; "
        f"empreinte des données : {assembled.fingerprint}"
    )


def custom_xml(assembled: Assembled) -> bytes:
    items = {
        "convgen.modele": assembled.model.name,
        "convgen.instance": assembled.instance.path.name,
        "convgen.empreinte": assembled.fingerprint,
        **{f"convgen.{k}": v for k, v in assembled.properties.items() if k != "auteur"},
    }
    body = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(items.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{body}</Properties>"
    ).encode()


# --------------------------------------------------------------------------- document


def render_docx(assembled: Assembled, frame: CompiledFrame) -> bytes:
    """Render `assembled` with `frame` into the bytes of a .docx file."""
    return zip_parts(render_parts(assembled, frame), frame)


def render_parts(assembled: Assembled, frame: CompiledFrame) -> dict[str, bytes]:
    """The parts that differ from one document to the next (body, header, footer, properties).

    Kept apart from zipping so that `convgen build` can check the text it has just rendered
    without reading the archive back.
    """
    n_articles = sum(1 + len(a.children) for a in assembled.articles)
    bloc = {
        "sommaire": Markup(sommaire_xml(assembled)) if assembled.model.sommaire else Markup(""),
        "preambule": Markup(_shared_blocks_xml(assembled.preamble)),
        "articles": Markup(articles_xml(assembled.articles, 100)),
        "annexes": Markup(articles_xml(assembled.annexes, 100 + n_articles, annex=True)),
        "parties": Markup(parties_xml(assembled.parties)),
        "signatures": Markup(signatures_xml(assembled.parties)),
    }
    context = {**assembled.context, "bloc": bloc}
    rendered: dict[str, bytes] = {}
    for name, template in sorted(frame.templates.items()):
        try:
            rendered[name] = template.render(context).encode("utf-8")
        except (TemplateError, MissingValueError, TypeError, ValueError) as exc:
            raise LibraryError(
                "cadre Word : rendu impossible",
                [
                    problem_at(
                        frame.path,
                        None,
                        name,
                        f"{describe_error(exc)} (instance {assembled.instance.path.name})",
                    )
                ],
            ) from exc
    rendered["docProps/core.xml"] = core_xml(assembled)
    rendered["docProps/custom.xml"] = custom_xml(assembled)
    return rendered


def zip_parts(rendered: dict[str, bytes], frame: CompiledFrame) -> bytes:
    """The .docx bytes: rendered parts compressed now, static parts as compressed once."""
    members: list[Member] = []
    for name in frame.order:
        data = rendered.get(name)
        if data is not None:
            member: Member | None = Member.static(name, data, DOCUMENT_LEVEL)
        else:
            member = frame.static_member(name)
        if member is not None:
            members.append(member)
    return write_zip(members)
