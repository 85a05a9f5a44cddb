"""Reading what a person sees in .docx and PDF files, and refusing hostile files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from convgen.errors import DocumentError
from convgen.read.extract import read_document
from convgen.render.libreoffice import convert_to_pdf

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(path: Path) -> Path:
    document = docx.Document()
    p = document.add_paragraph("représenté par ")
    p.add_run("XX")
    p.add_run("XXX")  # split across runs: one paragraph, one text
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Tél. :"
    table.cell(0, 1).text = "05 49 00 00 00"
    document.add_paragraph("Après le tableau")
    box = parse_xml(
        f'<w:r {W} xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<w:pict><w:txbxContent><w:p><w:r><w:t>Texte dans une zone</w:t></w:r></w:p></w:txbxContent></w:pict></w:r>"
    )
    document.add_paragraph("Avant la zone").runs[0]._r.addnext(box)
    document.sections[0].header.paragraphs[0].text = "En-tête courant"
    document.sections[0].footer.paragraphs[0].text = "Pied de page"
    document.add_paragraph("Objet", style="List Number")
    document.add_paragraph("Durée", style="List Number")
    document.save(str(path))
    return path


def test_docx_blocks_zones_and_paragraph_numbers(tmp_path: Path) -> None:
    doc = read_document(make_docx(tmp_path / "a.docx"))
    body = [(b.paragraph, b.text, b.in_table) for b in doc.body()]
    assert body[:4] == [
        (1, "représenté par XXXXX", False),
        (2, "Tél. :", True),
        (3, "05 49 00 00 00", True),
        (4, "Après le tableau", False),
    ]
    assert (5, "Avant la zone", False) in body
    assert [b.text for b in doc.blocks if b.zone == "zone de texte"] == ["Texte dans une zone"]
    assert [b.text for b in doc.blocks if b.zone == "en-tête"] == ["En-tête courant"]
    assert [b.text for b in doc.blocks if b.zone == "pied de page"] == ["Pied de page"]
    # automatic numbering is what Word shows, so it is part of the text
    assert [b.text for b in doc.body()][-2:] == ["1. Objet", "2. Durée"]


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b" " * (300 * 1024 * 1024) + b"/>")
    with pytest.raises(DocumentError, match="zip bomb"):
        read_document(bomb)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"pas un zip", "illisible"), (b"", "illisible")],
)
def test_corrupt_docx(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        read_document(path)


def test_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "x.odt"
    path.write_bytes(b"x")
    with pytest.raises(DocumentError, match="format non pris en charge"):
        read_document(path)


def test_pdf_running_header_and_footer_are_not_body_text(tmp_path: Path) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Convention de partenariat – Poitiers"
    footer = document.sections[0].footer.paragraphs[0]
    footer._p.append(
        parse_xml(f'<w:fldSimple {W} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    )
    for n in range(1, 4):
        document.add_paragraph(f"Article {n} : Titre {n}", style="Heading 1")
        document.add_paragraph(f"Texte de l'article {n}, qui se termine ici.")
        if n < 3:
            document.add_page_break()
    source = tmp_path / "c.docx"
    document.save(str(source))
    (pdf,) = convert_to_pdf([source], tmp_path)
    doc = read_document(pdf)
    body = [b.text for b in doc.body()]
    assert "Convention de partenariat – Poitiers" not in " ".join(body)
    assert body == [
        "Article 1 : Titre 1",
        "Texte de l'article 1, qui se termine ici.",
        "Article 2 : Titre 2",
        "Texte de l'article 2, qui se termine ici.",
        "Article 3 : Titre 3",
        "Texte de l'article 3, qui se termine ici.",
    ]
    assert [b.page for b in doc.blocks if b.zone == "en-tête"] == [1, 2, 3]
    assert [b.text for b in doc.blocks if b.zone == "pied de page"] == ["1", "2", "3"]
