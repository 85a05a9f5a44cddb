"""The Word redline looks like the convention: written into the newer document's own package.

Two versions of a convention built as Word writes them (A4, a serif font, a running header,
« Article n » headings numbered by a Word list, a signature table) are compared; the redline is
laid out by LibreOffice and its pages are compared with the newer version's.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Mm, Pt
from lxml import etree
from pypdf import PdfReader

from convgen.diff import diff_paths
from convgen.diff.redline import write_redline
from convgen.diff.revisions import document_body, resolve
from convgen.read.extract import TextBlock, read_docx
from convgen.render.libreoffice import convert_to_pdf
from tests.test_word_numbering import ARTICLE, numbering_xml

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FONT = "Liberation Serif"
HEADER = "Convention CCAS de Niort – Mutuelle partenaire"


def _convention(path: Path, articles: list[tuple[str, str]]) -> Path:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.header.paragraphs[0].text = HEADER
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    heading = document.styles["Heading 1"]
    heading.font.name = FONT
    ppr = heading.element.get_or_add_pPr()
    ppr.append(
        etree.fromstring(
            f'<w:numPr xmlns:w="{W[1:-1]}"><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
        )
    )
    document.add_paragraph("CONVENTION DE PARTENARIAT")
    for title, body in articles:
        document.add_paragraph(title, style="Heading 1")
        document.add_paragraph(body)
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text = "Pour le CCAS, la Présidente"
    table.cell(0, 1).text = "Pour la mutuelle, le Directeur"
    document.save(str(path))
    numbering = numbering_xml({0: [ARTICLE]}, {1: '<w:abstractNumId w:val="0"/>'})
    with zipfile.ZipFile(path) as src:
        members = {i.filename: src.read(i.filename) for i in src.infolist()}
    members["word/numbering.xml"] = numbering.encode()
    _add_footnote(members, after="Elle est conclue", text=NOTE)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


NOTE = "Durée plafonnée à 2 000 € de participation annuelle."
WNS = W[1:-1]


def _add_footnote(members: dict[str, bytes], after: str, text: str) -> None:
    """A footnote called at the end of the paragraph starting with `after`, as Word writes it."""
    members["word/footnotes.xml"] = (
        f'<w:footnotes xmlns:w="{WNS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
        f'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}'
        "</w:t></w:r></w:p></w:footnote></w:footnotes>"
    ).encode()
    types = members["[Content_Types].xml"].decode()
    members["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/word/footnotes.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
    ).encode()
    rels = members["word/_rels/document.xml.rels"].decode()
    members["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdNote1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    ).encode()
    root = etree.fromstring(members["word/document.xml"])
    for p in root.iter(f"{W}p"):
        if "".join(p.itertext()).startswith(after):
            run = etree.SubElement(p, f"{W}r")
            rpr = etree.SubElement(run, f"{W}rPr")
            etree.SubElement(rpr, f"{W}vertAlign", {f"{W}val": "superscript"})
            etree.SubElement(run, f"{W}footnoteReference", {f"{W}id": "1"})
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, standalone=True)


OLD = [
    ("Objet", "La présente convention organise le partenariat entre le CCAS et la mutuelle."),
    ("Durée", "Elle est conclue pour une durée d'un an."),
    ("Garantie", "La mutuelle propose trois niveaux de garantie."),
    ("Résiliation", "Chaque partie peut résilier la convention avec un préavis de trois mois."),
]
NEW = [
    ("Objet", "La présente convention organise le partenariat entre le CCAS et la mutuelle."),
    ("Durée", "Elle est conclue pour une durée de deux ans."),
    ("Résiliation", "Chaque partie peut résilier la convention avec un préavis de deux mois."),
    ("Litiges", "Les litiges sont portés devant le tribunal administratif de Poitiers."),
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("redline-layout")
    old = _convention(out / "v1.docx", OLD)
    new = _convention(out / "v2.docx", NEW)
    redline = out / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False, author="Anne Martin")
    pdfs = convert_to_pdf([new, redline], out / "pdf")
    return {"old": old, "new": new, "redline": redline, "new_pdf": pdfs[0], "redline_pdf": pdfs[1]}


def _non_empty(blocks: list[TextBlock]) -> list[str]:
    return [b.text for b in blocks if b.text.strip()]


def _shown(redline: Path, body: etree._Element, accept: bool) -> list[str]:
    """Body paragraphs once every change is accepted (rejected), read as Word shows them."""
    root = copy.deepcopy(body)
    old_body = root.find(f"{W}body")
    assert old_body is not None
    root.replace(old_body, resolve(document_body(redline), accept=accept))
    out = redline.with_name(f"resolu-{accept}.docx")
    with zipfile.ZipFile(redline) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = etree.tostring(root) if name == "word/document.xml" else src.read(name)
            dst.writestr(name, data)
    return _non_empty(read_docx(out).body())


def _fonts(pdf: Path) -> set[str]:
    fonts: set[str] = set()
    for page in PdfReader(pdf).pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def test_redline_keeps_page_fonts_header_lists_and_table(pages: dict[str, Path]) -> None:
    new_pdf, redline_pdf = PdfReader(pages["new_pdf"]), PdfReader(pages["redline_pdf"])
    new_box = new_pdf.pages[0].mediabox
    red_box = redline_pdf.pages[0].mediabox
    assert (round(float(red_box.width)), round(float(red_box.height))) == (595, 842)  # A4
    assert (red_box.width, red_box.height) == (new_box.width, new_box.height)
    assert {f for f in _fonts(pages["redline_pdf"]) if "Serif" in f} == {
        f for f in _fonts(pages["new_pdf"]) if "Serif" in f
    }
    text = "\n".join(page.extract_text() for page in redline_pdf.pages)
    assert HEADER in text  # the running header of the newer version
    # Headings are numbered by the Word list, as in the newer version: LibreOffice draws
    # "Article 1" … from numbering.xml; none of these labels is typed in the document.
    for label in ("Article 1", "Article 2", "Article 3", "Article 4"):
        assert label in text
    with zipfile.ZipFile(pages["redline"]) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    typed = "".join(t.text or "" for t in body.iter(f"{W}t", f"{W}delText"))
    assert "Article" not in typed
    styles = {p.get(f"{W}val") for p in body.iter(f"{W}pStyle")}
    assert styles <= {"Heading1", "Normal"}  # the document's own styles, nothing added
    # the signature table is still a table, with its borders style
    tables = list(body.iter(f"{W}tbl"))
    assert len(tables) == 1
    assert tables[0].find(f"{W}tblPr/{W}tblStyle").get(f"{W}val") == "TableGrid"
    # « Tout accepter » gives the newer version, « Tout refuser » the older, as Word shows them
    new_doc, old_doc = read_docx(pages["new"]), read_docx(pages["old"])
    assert _shown(pages["redline"], body, accept=True) == _non_empty(new_doc.body())
    assert _shown(pages["redline"], body, accept=False) == _non_empty(old_doc.body())
    # the footnote of the changed Article 2 keeps its call, and is on the page
    assert len(list(body.iter(f"{W}footnoteReference"))) == 1
    assert NOTE in text
    # every change signed by the author given
    authors = {c.get(f"{W}author") for c in body.iter(f"{W}ins", f"{W}del")}
    assert authors == {"Anne Martin"}


def _pixels(pdf: Path, out: Path) -> tuple[int, int, bytes]:
    """Page 1 drawn by pdftoppm at 40 dpi, as (width, height, RGB bytes) of its PPM image."""
    import shutil
    import subprocess

    exe = shutil.which("pdftoppm")
    assert exe, "pdftoppm (poppler-utils) doit être installé"
    subprocess.run(
        [exe, "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
        check=True,
        timeout=60,
    )
    data = out.with_suffix(".ppm").read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert (magic, depth) == (b"P6", b"255")
    return int(width), int(height), pixels


def _coloured_rows(width: int, pixels: bytes) -> set[int]:
    """Rows holding a pixel that is not grey: tracked changes are drawn in colour."""
    rows = set()
    for i in range(0, len(pixels) - 2, 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        if max(r, g, b) - min(r, g, b) > 60:
            rows.add(i // 3 // width)
    return rows


def test_redline_pages_compared_as_images(pages: dict[str, Path], tmp_path: Path) -> None:
    """Page 1 of the newer version and of its redline, drawn by LibreOffice and pdftoppm: same
    page size, the same running header pixel for pixel, and the changes drawn in colour in the
    body only (more coloured lines than the newer version's own blue headings)."""
    width, height, new = _pixels(pages["new_pdf"], tmp_path / "nouvelle")
    red_width, red_height, red = _pixels(pages["redline_pdf"], tmp_path / "comparaison")
    assert (red_width, red_height) == (width, height) == (331, 468)  # A4 at 40 dpi
    header_rows = int(height * 0.08)  # above the top margin (2.5 cm of 29.7)
    band = header_rows * width * 3
    assert red[:band] == new[:band]
    own = _coloured_rows(width, new)  # python-docx's Heading 1 is blue
    coloured = _coloured_rows(width, red)
    assert min(coloured) >= header_rows
    assert len(coloured) > 2 * len(own)
