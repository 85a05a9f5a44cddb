"""Page layout of the bundled conventions, in Word's XML and in LibreOffice's PDF.

Each page is also compared with its reviewed image in tests/testdata/layout/pages/ (40 dpi,
grey, tests/page_images.py). After an intended change of the frames, clauses or renderer:

    CONVGEN_UPDATE_PAGES=1 .venv/bin/python -m pytest tests/test_layout.py -k pages_look

rewrites them; look at every changed PNG (git status shows them) before committing it.

The rules live in the Word XML (keepNext, keepLines, cantSplit, tblHeader, widowControl) so that
Word lays pages out as LibreOffice does; the PDF made by LibreOffice shows they hold: no page
ends with a heading, the signatures share their page with the end of the last article, the page
count a convention states is its real one.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from convgen.cli import cli
from convgen.compose.markup import Paragraph, Run, Table
from convgen.read.extract import read_docx
from convgen.read.textnorm import fold_line
from convgen.render.libreoffice import convert_to_pdf, find_soffice
from convgen.render.render_docx import blocks_xml, table_layout, table_xml
from convgen.render.text_width import text_twips
from convgen.render.wordml import TEXT_WIDTH_TWIPS, text_runs_xml
from tests.layout_checks import page_problems
from tests.page_images import GreyImage, differing_share, read_png, render_pages, write_png

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NAMES = ["ami-poitiers", "ccas-poitiers", "cpam-cote-opale", "les-vans-tripartite", "saint-chamond"]
_FOOTER = re.compile(r"^Page \d+ sur \d+$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("layout")
    result = CliRunner().invoke(
        cli, ["build", "--root", str(ROOT), str(ROOT / "instances"), "--pdf", "--out", str(out)]
    )
    assert result.exit_code in (0, 1), result.output
    for name in NAMES:
        assert (out / f"{name}.pdf").is_file(), result.output
    return out


def _xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def _style(p: etree._Element) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return "" if style is None else style.get(f"{W}val", "")


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def _headings(path: Path) -> set[str]:
    body = _xml(path, "word/document.xml")
    return {
        fold_line(_text(p))
        for p in body.iter(f"{W}p")
        if _style(p) in ("Heading1", "Heading2", "Heading3") and _text(p).strip()
    }


def _page_lines(pdf: Path) -> list[list[str]]:
    pages = []
    for page in PdfReader(pdf).pages:
        lines = [fold_line(x) for x in (page.extract_text() or "").splitlines() if x.strip()]
        pages.append([x for x in lines[1:] if not _FOOTER.match(x)])  # header line, footer
    return pages


@pytest.mark.parametrize("name", NAMES)
def test_word_xml_keeps_headings_rows_and_lines_together(built: Path, name: str) -> None:
    docx = built / f"{name}.docx"
    body = _xml(docx, "word/document.xml")
    # The engine's headings (articles, annexes: bookmarked) say it themselves; the frame's own
    # (« Préambule ») have it from their style.
    headings = [
        p
        for p in body.iter(f"{W}p")
        if _style(p) in ("Heading1", "Heading2") and p.find(f"{W}bookmarkStart") is not None
    ]
    assert headings
    styles = _xml(docx, "word/styles.xml")
    for style in styles.iter(f"{W}style"):
        if style.get(f"{W}styleId") in ("Heading1", "Heading2", "Heading3"):
            assert style.find(f"{W}pPr/{W}keepNext") is not None
    for p in headings:
        assert p.find(f"{W}pPr/{W}keepNext") is not None, _text(p)
        assert p.find(f"{W}pPr/{W}keepLines") is not None, _text(p)
    rows = list(body.iter(f"{W}tr"))
    assert rows and all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    assert styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}widowControl") is not None
    # The paragraph before « Fait à » (the end of the last article) is kept with it.
    paragraphs = [p for p in body.iter(f"{W}p") if p.getparent().tag == f"{W}body"]
    done = next(i for i, p in enumerate(paragraphs) if _done_at(_text(p)))
    before = next(p for p in reversed(paragraphs[:done]) if _text(p).strip())
    assert before.find(f"{W}pPr/{W}keepNext") is not None, _text(before)
    assert paragraphs[done].find(f"{W}pPr/{W}keepNext") is not None


@pytest.mark.parametrize("name", NAMES)
def test_no_page_ends_with_a_heading(built: Path, name: str) -> None:
    headings = _headings(built / f"{name}.docx")
    for number, lines in enumerate(_page_lines(built / f"{name}.pdf"), start=1):
        assert lines, f"page {number} is empty"
        assert lines[-1] not in headings, f"{name}: page {number} ends with « {lines[-1]} »"


@pytest.mark.parametrize("name", NAMES)
def test_signatures_share_their_page_with_article_text(built: Path, name: str) -> None:
    pages = _page_lines(built / f"{name}.pdf")
    number, lines = next((i, p) for i, p in enumerate(pages) if any(_done_at(x) for x in p))
    at = next(i for i, x in enumerate(lines) if _done_at(x))
    assert at >= 1, f"{name}: « Fait à » opens page {number + 1}: {lines[:3]}"
    # …and the signatories' names are on that same page.
    assert len(lines) > at + 3


def _done_at(line: str) -> bool:
    return re.match(r"Fait (?:à|au|aux) ", line) is not None


def test_stated_page_count_is_the_real_one(built: Path) -> None:
    lines = [x for page in _page_lines(built / "saint-chamond.pdf") for x in page]
    stated = next(x for x in lines if "exemplaires originaux sur" in x)
    count = int(re.search(r"\((\d+)\) pages", stated).group(1))  # type: ignore[union-attr]
    assert count == len(PdfReader(built / "saint-chamond.pdf").pages)


def test_answer_grid_leaves_room_to_answer(built: Path) -> None:
    body = _xml(built / "ami-poitiers.docx", "word/document.xml")
    grid = next(t for t in body.iter(f"{W}tbl") if "Exigence du règlement" in "".join(t.itertext()))
    widths = [int(c.get(f"{W}w")) for c in grid.find(f"{W}tblGrid")]
    assert widths[1] > widths[0] > widths[2]  # answer widest, then requirement, then proof
    assert grid.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None  # header repeats


def _cell(text: str) -> list:
    return [Paragraph([Run(text)])]


def test_column_widths_fit_an_email_address() -> None:
    address = "mas.cpam-cote-opale@assurance-maladie.fr"
    table = Table(
        rows=[
            [_cell("Service"), _cell("Objet des demandes"), _cell("Téléphone"), _cell("Courriel")],
            [
                _cell("MAS"),
                _cell("Renoncement aux soins, accompagnement des situations complexes " * 2),
                _cell("03 53 73 21 45"),
                _cell(address),
            ],
        ]
    )
    layout = table_layout(table)
    assert sum(layout.widths) == TEXT_WIDTH_TWIPS
    # The address fits on one line of its column, inside Word's cell margins (2 × 108 twips),
    # at the body size: no break is written into it.
    assert layout.size_pt == 11
    assert layout.widths[3] >= text_twips(address) + 216
    assert layout.widths[1] > layout.widths[0]
    assert "<w:br/>" not in table_xml(table)


# The CPAM contacts: the longest words of the four columns do not fit side by side at 11 pt.
_CONTACTS = [
    ("Pôle d’appui Accès aux Droits", "questions sur les dispositifs", "03\u00a053\u00a073\u00a021\u00a040",
     "pole-appui-adss.cpam-cote-opale@assurance-maladie.fr"),
    ("Mission d’Accompagnement en Santé", "suivi des accompagnements,", "03\u00a053\u00a073\u00a021\u00a045",
     "partenaires-droits.cpam-cote-opale@assurance-maladie.fr"),
]  # fmt: skip


def test_a_table_whose_words_do_not_fit_is_set_smaller_and_breaks_addresses_after_at() -> None:
    header = [_cell("Service"), _cell("Objet des demandes"), _cell("Téléphone"), _cell("Courriel")]
    table = Table(rows=[header, *[[_cell(x) for x in row] for row in _CONTACTS]])
    layout = table_layout(table)
    assert layout.size_pt == 10
    # Every column holds its longest word (an address: up to « @ », and after it) at 10 pt.
    local = "partenaires-droits.cpam-cote-opale@"
    assert layout.widths[3] >= text_twips(local, size_pt=10) + 216
    assert layout.widths[0] >= text_twips("d’Accompagnement", size_pt=10) + 216
    xml = table_xml(table)
    assert '<w:sz w:val="20"/>' in xml
    assert f"{local}</w:t><w:br/>" in xml  # a line break right after « @ »…
    assert "cote-</w:t>" not in xml  # …and nowhere else
    # A table that fits keeps the body size: nothing smaller, no break.
    small = Table(rows=[header, [_cell("MAS"), _cell("Fiches"), _cell("03"), _cell("a@b.fr")]])
    assert table_layout(small).size_pt == 11 and "<w:br/>" not in table_xml(small)


def _instance_addresses() -> list[str]:
    """Every e-mail address the bundled instances give (annexes, DPO, contacts)."""
    found: set[str] = set()
    for path in (ROOT / "instances").glob("*.yaml"):
        found |= set(re.findall(r"[\w.-]+@[\w-]+(?:\.[\w-]+)+", path.read_text("utf-8")))
    return sorted(a for a in found if "-" in a)


@pytest.mark.parametrize("name", NAMES)
def test_addresses_never_break_at_a_hyphen(built: Path, name: str) -> None:
    """« julien.caron@ccas-|calais.fr » read as a hyphenated address: an address is on one
    line, or (in a table column too narrow for it) breaks right after its « @ »."""
    text = "\n".join(p.extract_text() or "" for p in PdfReader(built / f"{name}.pdf").pages)
    found = 0
    for address in _instance_addresses():
        # The address as extracted, with any line break (and the spaces around it) allowed.
        pattern = r"\s*\n?\s*".join(re.escape(c) for c in address)
        for match in re.finditer(pattern, text):
            found += 1
            seen = match.group(0)
            for at in (i for i, c in enumerate(seen) if c == "\n"):
                assert seen[:at].rstrip().endswith("@"), f"« {seen} » breaks after a hyphen"
    if name in ("cpam-cote-opale", "ami-poitiers"):
        assert found >= 5, found


def test_address_hyphens_are_written_unbreakable_and_read_back_as_hyphens(built: Path) -> None:
    xml = text_runs_xml("Mail : julien.caron@ccas-calais.fr, la Région Auvergne-Rhône-Alpes")
    assert 'ccas</w:t><w:noBreakHyphen/><w:t xml:space="preserve">calais.fr' in xml
    assert "Auvergne-Rhône-Alpes" in xml  # an ordinary word keeps its ordinary hyphens
    url = text_runs_xml("sur https://www.marches-securises.fr.")
    assert "marches</w:t><w:noBreakHyphen/>" in url
    # In the .docx: U+2011 when read (convgen.read.extract), the address once folded (checks, diff);
    # in the PDF: an ordinary « - » (copying the address from the PDF gives it back).
    texts = [b.text for b in read_docx(built / "cpam-cote-opale.docx").body()]
    assert any("julien.caron@ccas\u2011calais.fr" in t for t in texts)
    assert any("julien.caron@ccas-calais.fr" in fold_line(t) for t in texts)
    pdf = " ".join(p.extract_text() or "" for p in PdfReader(built / "cpam-cote-opale.pdf").pages)
    assert "julien.caron@ccas-calais.fr" in pdf and "\u2011" not in pdf


def test_a_list_keeps_its_announcement_and_its_last_two_items_together() -> None:
    blocks = [
        Paragraph([Run("L’organisme s’engage à ce que :")]),
        Paragraph([Run("premier ;")], kind="puce"),
        Paragraph([Run("deuxième ;")], kind="puce"),
        Paragraph([Run("troisième ;")], kind="puce"),
        Paragraph([Run("dernier.")], kind="puce"),
        Paragraph([Run("Ces éléments sont transmis au CCAS.")]),
    ]
    body = etree.fromstring(f'<w:body xmlns:w="{W[1:-1]}">{blocks_xml(blocks)}</w:body>'.encode())
    kept = [p.find(f"{W}pPr/{W}keepNext") is not None for p in body.iter(f"{W}p")]
    # announcement, first item (short opening paragraph rule does not apply), …, next-to-last
    assert kept == [True, False, False, True, False, False]


def test_bundled_lists_never_leave_their_last_item_alone(built: Path) -> None:
    """Les Vans, page 5 used to open with the last item of article 7's list alone."""
    body = _xml(built / "les-vans-tripartite.docx", "word/document.xml")
    paragraphs = [p for p in body.iter(f"{W}p") if p.getparent().tag == f"{W}body"]
    bullets = [_style(p) == "ListBullet" for p in paragraphs]
    checked = 0
    for i in range(1, len(paragraphs) - 1):
        if bullets[i] and bullets[i - 1] and not bullets[i + 1]:
            assert paragraphs[i - 1].find(f"{W}pPr/{W}keepNext") is not None
            checked += 1
    assert checked >= 3
    pages = _page_lines(built / "les-vans-tripartite.pdf")
    last_item = next(p for p in pages if any("Les évolutions tarifaires" in x for x in p))
    assert any("Le nombre de réclamations" in x for x in last_item)


def test_text_width_follows_the_font_metrics() -> None:
    assert text_twips("iiii") < text_twips("mmmm")  # proportional, not characters
    assert text_twips("Évaluation") == text_twips("Evaluation")  # accents: the base letter
    assert text_twips("Courriel", bold=True) > text_twips("Courriel")
    assert text_twips("03 53 73 21 40", size_pt=10) < text_twips("03 53 73 21 40")
    # Carlito's advance widths (2048 units per em) at 11 pt: « m » is 0.799 em = 176 twips.
    assert text_twips("m") == 176


@pytest.mark.parametrize("name", NAMES)
def test_page_checks_hold(built: Path, name: str) -> None:
    """The checks the 20-commune batch runs too (tests/layout_checks.py)."""
    assert page_problems(built / f"{name}.docx", built / f"{name}.pdf") == []


def _edited(source: Path, target: Path, edit: Callable[[str], str]) -> Path:
    with zipfile.ZipFile(source) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    xml = members["word/document.xml"].decode("utf-8")
    members["word/document.xml"] = edit(xml).encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return target


_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def test_page_checks_find_what_is_wrong(built: Path, tmp_path: Path) -> None:
    """Broken on purpose: a wrong stated page count; the signature table pushed to the page
    after « Fait à »; « Fait à » opening a page; a heading ending one."""
    source = built / "saint-chamond.docx"

    def wrong_count(xml: str) -> str:
        return xml.replace(">SEPT<", ">SIX<").replace(">7<", ">6<")

    def table_away(xml: str) -> str:
        at = xml.index("<w:tbl>", xml.index("exemplaires originaux"))
        return xml[:at] + "<w:p/>" * 50 + xml[at:]  # empty lines, enough to fill a page

    def done_alone(xml: str) -> str:
        at = xml.rindex("<w:p>", 0, xml.index(">Fait "))
        return xml[:at] + _PAGE_BREAK + xml[at:]

    def heading_last(xml: str) -> str:
        heading = xml.index("Article 10 – ")
        text = xml.index("<w:p>", heading)  # the article's first paragraph, after its heading
        return xml[:text] + _PAGE_BREAK + xml[text:]

    edits = {
        "count": wrong_count,
        "table": table_away,
        "done": done_alone,
        "heading": heading_last,
    }
    docs = [_edited(source, tmp_path / f"{k}.docx", f) for k, f in edits.items()]
    convert_to_pdf(docs, tmp_path)
    found = {d.stem: page_problems(d, d.with_suffix(".pdf")) for d in docs}
    assert any("states « sur SIX (6) pages », has 7 pages" in p for p in found["count"])
    assert any("signature block « M.PatrickJULIEN" in p for p in found["table"]), found["table"]
    assert any("opens page" in p for p in found["done"]), found["done"]
    assert any("ends with the heading « Article 10" in p for p in found["heading"])


PAGES = Path(__file__).parent / "testdata" / "layout" / "pages"
# Share of a page's pixels allowed to differ: none differ between two runs with the same
# renderers (RENDERERS.txt); « acces-|sante@ » becoming « acces-sante@ » on the next line
# changed 222 pixels of 155 000, a non-breaking hyphen in place of a hyphen 19.
_TOLERANCE = 0.00005


def _renderers() -> str:
    """What draws the pages: another LibreOffice, poppler or body font draws other pixels."""
    import subprocess

    def first_line(*command: str) -> str:
        run = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        return (run.stdout or run.stderr).strip().splitlines()[0]

    return "\n".join(
        [
            first_line(find_soffice(), "--version"),
            first_line("pdftoppm", "-v"),
            first_line("fc-match", "Calibri"),
        ]
    )


@pytest.mark.parametrize("name", NAMES)
def test_pages_look_as_reviewed(built: Path, name: str, tmp_path: Path) -> None:
    pages = render_pages(built / f"{name}.pdf", tmp_path)
    renderers = _renderers()
    if os.environ.get("CONVGEN_UPDATE_PAGES") == "1":
        for old in PAGES.glob(f"{name}-*.png"):
            old.unlink()
        for number, page in enumerate(pages, start=1):
            write_png(page, PAGES / f"{name}-{number:02d}.png")
        (PAGES / "RENDERERS.txt").write_text(renderers + "\n", encoding="utf-8")
    reviewed = (PAGES / "RENDERERS.txt").read_text(encoding="utf-8").strip()
    if reviewed != renderers:
        pytest.skip(f"images revues avec « {reviewed} », ici « {renderers} »")
    references = sorted(PAGES.glob(f"{name}-*.png"))
    assert len(references) == len(pages), f"{name}: {len(pages)} pages, {len(references)} reviewed"
    changed = []
    for number, (reference, page) in enumerate(zip(references, pages, strict=True), start=1):
        share = differing_share(read_png(reference), page)
        if share > _TOLERANCE:
            shown = tmp_path / f"{name}-{number:02d}-nouvelle.png"
            write_png(page, shown)
            changed.append(f"page {number}: {share:.2%} of pixels differ (now: {shown})")
    assert not changed, f"{name}: " + "; ".join(changed)


def test_page_comparison_sees_a_moved_line_and_ignores_nothing_else() -> None:
    reference = read_png(PAGES / "saint-chamond-07.png")
    assert differing_share(reference, reference) == 0
    # The signature block one line lower: every text row moves by 7 pixels (40 dpi).
    width, rows = reference.width, 7
    moved = GreyImage(
        width, reference.height, b"\xff" * width * rows + reference.pixels[: -width * rows]
    )
    assert differing_share(reference, moved) > 10 * _TOLERANCE
    # One word blacked out.
    pixels = bytearray(reference.pixels)
    for y in range(100, 106):
        pixels[y * width + 60 : y * width + 90] = b"\x00" * 30
    assert (
        differing_share(reference, GreyImage(width, reference.height, bytes(pixels))) > _TOLERANCE
    )
    # A page of another size is a different page.
    assert differing_share(reference, GreyImage(width, reference.height - 1, b"")) == 1.0


def test_form_rows_leave_room_to_answer(built: Path) -> None:
    """The AMI's identification and response grids: every body row at least three lines high
    (the « Date et signature » row was one line); tables without an empty column keep theirs."""
    body = _xml(built / "ami-poitiers.docx", "word/document.xml")
    forms = [t for t in body.iter(f"{W}tbl") if "Réponse du candidat" in "".join(t.itertext())]
    assert len(forms) == 2
    for table in forms:
        rows = list(table.iter(f"{W}tr"))[1:]
        heights = [r.find(f"{W}trPr/{W}trHeight") for r in rows]
        assert all(h is not None and h.get(f"{W}hRule") == "atLeast" for h in heights)
        assert all(int(h.get(f"{W}val")) >= 850 for h in heights if h is not None)
    contacts = _xml(built / "cpam-cote-opale.docx", "word/document.xml")
    assert contacts.find(f".//{W}trHeight") is None
    lines = [x for page in _page_lines(built / "ami-poitiers.pdf") for x in page]
    signature = lines.index("Date et signature")
    assert lines[signature + 1].startswith("Exigence du règlement")  # an empty row: no text
