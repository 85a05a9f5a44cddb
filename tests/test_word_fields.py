"""Word files as Word leaves them: fields with cached error results, empty value tables."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml

from convgen.check.core import check_document
from convgen.read.extract import read_docx

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _field_paragraph(before: str, instr: str, cached: str, after: str) -> str:
    """A paragraph holding a complex field (`w:fldChar`) whose cached result is `cached`."""
    return (
        f'<w:p {NS}><w:r><w:t xml:space="preserve">{before}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:b/><w:t>{cached}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:r><w:t xml:space="preserve">{after}</w:t></w:r></w:p>'
    )


def _convention(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Article 1 : Objet", style="Heading 1")
    end = document.element.body.sectPr  # Word's body ends with its section properties
    end.addprevious(
        parse_xml(
            _field_paragraph(
                "Les modalités sont précisées à l'article ",
                "REF _Ref123456 \\r \\h",
                "Erreur ! Source du renvoi introuvable.",
                ".",
            )
        )
    )
    end.addprevious(
        parse_xml(
            _field_paragraph(
                "Voir page ", "PAGEREF _Toc99 \\h", "Error! Bookmark not defined.", "."
            )
        )
    )
    document.add_paragraph(
        "Conformément à l'article 10-1 de la loi n° 2000-321 du 12 avril 2000, à l'article "
        "L. 1111-2 du code général des collectivités territoriales et à l'article 6 du "
        "règlement (UE) 2016/679, la commune soutient l'association."
    )
    document.add_paragraph("Article 2 : Créneaux attribués", style="Heading 1")
    grid = document.add_table(rows=4, cols=3)
    for cell, text in zip(grid.rows[0].cells, ("Jour", "Horaire", "Salle"), strict=True):
        cell.text = text
    filled = document.add_table(rows=2, cols=2)
    filled.cell(0, 0).text = "Jour"
    filled.cell(0, 1).text = "Horaire"
    filled.cell(1, 0).text = "Mercredi"
    filled.cell(1, 1).text = "14 h – 18 h"
    document.add_paragraph("Article 3 : Durée", style="Heading 1")
    document.add_paragraph("La convention est conclue pour un an à compter de sa signature.")
    signatures = document.add_table(rows=2, cols=2)
    signatures.cell(0, 0).text = "Pour la commune, le Maire"
    signatures.cell(0, 1).text = "Pour l'association, la Présidente"
    document.save(str(path))
    return path


def test_field_errors_empty_tables_and_other_texts(tmp_path: Path) -> None:
    doc = read_docx(_convention(tmp_path / "convention.docx"))
    findings = check_document(doc, file="convention.docx")
    got = sorted((f.rule, f.text) for f in findings)
    assert got == [
        ("erreur-champ", "Erreur ! Source du renvoi introuvable."),  # true: broken REF
        ("erreur-champ", "Error! Bookmark not defined."),  # true: broken PAGEREF
        ("tableau-vide", "Jour | Horaire | Salle"),  # true: no slot filled
        # not flagged: the filled grid, the signature table (its empty row is for signing),
        # « article 10-1 de la loi », « article L. 1111-2 du code… », « article 6 du règlement »
    ]
    empty = next(f for f in findings if f.rule == "tableau-vide")
    assert empty.location.paragraph is not None
    assert empty.location.article == "Article 2"


def test_lists_announced_but_never_written(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Il est convenu ce qui suit :")
    document.add_paragraph("Article 1 : Objet", style="Heading 1")
    document.add_paragraph("La commune met à disposition les locaux suivants :")
    document.add_paragraph("Ces locaux comprennent :")
    document.add_paragraph("Article 2 : Durée", style="Heading 1")
    document.add_paragraph("La convention a pour objet de :")
    document.add_paragraph("- organiser des permanences ;")
    document.add_paragraph("Article 3 : Litiges", style="Heading 1")
    document.add_paragraph("Les litiges sont portés devant le tribunal administratif.")
    path = tmp_path / "listes.docx"
    document.save(str(path))
    findings = check_document(read_docx(path), file="listes.docx")
    assert sorted(f.text for f in findings if f.rule == "champ-vide") == [
        "Ces locaux comprennent :",  # true: last paragraph of its article
        "La commune met à disposition les locaux suivants :",  # true: followed by another
    ]
