"""Word review leftovers: tracked changes not accepted and reviewers' comments."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml

from convgen.check import check_paths

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _tracked(paragraph: docx.text.paragraph.Paragraph, kind: str, text: str) -> None:
    tag = "w:delText" if kind == "del" else "w:t"
    paragraph._p.append(
        parse_xml(
            f'<w:{kind} {W_NS} w:id="{len(text)}" w:author="Mutuelle du Clain" '
            f'w:date="2025-03-01T10:00:00Z"><w:r><{tag} xml:space="preserve">{text}</{tag}>'
            f"</w:r></w:{kind}>"
        )
    )


def test_tracked_changes_and_comments_are_reported(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Article 1 : Objet", style="Heading 1")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Cellule"
    changed = document.add_paragraph("La convention est conclue pour ")
    _tracked(changed, "del", "deux ans")
    _tracked(changed, "ins", "trois ans")
    commented = document.add_paragraph("Le préavis est de trois mois.")
    document.add_comment(commented.runs, text="Trois mois ou deux ?", author="Service juridique")
    path = tmp_path / "relue.docx"
    document.save(str(path))

    report = check_paths([path])
    found = sorted((f.rule, f.text, f.location.paragraph, f.severity) for f in report.findings)
    assert found == [
        ("commentaire", "Trois mois ou deux ?", 4, "warning"),
        ("modification-suivie", "deux ans", 3, "error"),
        ("modification-suivie", "trois ans", 3, "error"),
    ]
    messages = {f.text: f.message for f in report.findings}
    assert "suppression par Mutuelle du Clain" in messages["deux ans"]
    assert "ajout" in messages["trois ans"]
    assert "Service juridique" in messages["Trois mois ou deux ?"]
    assert {f.location.article for f in report.findings} == {"Article 1"}


def test_clean_document_has_no_review_findings(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Article 1 : Objet", style="Heading 1")
    document.add_paragraph("La convention est conclue pour deux ans.")
    path = tmp_path / "propre.docx"
    document.save(str(path))
    assert check_paths([path]).findings == []
