"""diff compares what a reader sees outside the body: headers, footers, notes, text boxes, comments.

The Word files are written part by part the way Word writes them: header1.xml and footer1.xml
referenced from the section, footnotes.xml with its separator notes (ids -1 and 0), comments.xml,
a text box as a DrawingML shape in mc:Choice and again as a VML shape in mc:Fallback.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from click.testing import CliRunner

from convgen.cli import cli
from convgen.diff import diff_paths
from convgen.diff.report_html import render_html
from convgen.diff.report_json import diff_to_dict
from convgen.read.extract import ZONE_COMMENT, ZONE_FOOTNOTE, ZONE_TEXTBOX, read_docx

WNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{WNS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'mc:Ignorable="w14"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"


@dataclass
class WordFile:
    """What to write: body paragraphs (text or raw `<w:p>` XML) and the other parts."""

    body: list[str]
    header: str | None = None
    footer: str | None = "Page {PAGE}"  # {PAGE}: a PAGE field, cached result « 1 »
    notes: dict[int, list[str]] = field(default_factory=dict)  # body paragraph → its notes
    comments: list[tuple[int, str, str]] = field(default_factory=list)  # (paragraph, author, text)
    text_box: tuple[int, str] | None = None  # (paragraph, text)
    hyperlinks: dict[str, str] = field(default_factory=dict)  # r:id → URL


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _page_field_runs(text: str) -> str:
    before, _, after = text.partition("{PAGE}")
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    return (run(before) if before else "") + field + (run(after) if after else "")


def _text_box(text: str) -> str:
    """A text box as Word 2010+ writes it: DrawingML in mc:Choice, VML copy in mc:Fallback."""
    content = f"<w:txbxContent><w:p>{run(text)}</w:p></w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" '
        'distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" '
        'allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column">'
        '<wp:posOffset>0</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph">'
        '<wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="2000000" cy="500000"/>'
        '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="1" name="Zone de texte 1"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        'wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" '
        'y="0"/><a:ext cx="2000000" cy="500000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        f"</a:prstGeom></wps:spPr><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        '<mc:Fallback><w:pict><v:shape id="Zone1" style="width:157pt;height:39pt" '
        f'type="#_x0000_t202"><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>'
        "</mc:AlternateContent></w:r>"
    )


def write_word(path: Path, spec: WordFile) -> Path:
    """Write `spec` as a .docx package, part by part."""
    paragraphs = []
    note_id = 0
    notes_xml = []
    for index, text in enumerate(spec.body):
        if text.startswith("<w:p"):
            paragraphs.append(text)
            continue
        style = '<w:pPr><w:pStyle w:val="Titre1"/></w:pPr>' if text.startswith("Article") else ""
        inner = run(text)
        for note in spec.notes.get(index, []):
            note_id += 1
            inner += (
                '<w:r><w:rPr><w:rStyle w:val="Appelnotedebasdep"/></w:rPr>'
                f'<w:footnoteReference w:id="{note_id}"/></w:r>'
            )
            notes_xml.append(
                f'<w:footnote w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="Notedebasdepage"/>'
                '</w:pPr><w:r><w:rPr><w:rStyle w:val="Appelnotedebasdep"/></w:rPr><w:footnoteRef/>'
                f"</w:r>{run(' ' + note)}</w:p></w:footnote>"
            )
        for cid, (at, _author, _text) in enumerate(spec.comments):
            if at == index:
                inner = (
                    f'<w:commentRangeStart w:id="{cid}"/>{inner}<w:commentRangeEnd w:id="{cid}"/>'
                    f'<w:r><w:commentReference w:id="{cid}"/></w:r>'
                )
        if spec.text_box and spec.text_box[0] == index:
            inner += _text_box(spec.text_box[1])
        paragraphs.append(f"<w:p>{style}{inner}</w:p>")
    refs = ""
    rels = [
        f'<Relationship Id="rIdStyles" Type="{REL}/styles" Target="styles.xml"/>',
        f'<Relationship Id="rIdSettings" Type="{REL}/settings" Target="settings.xml"/>',
    ]
    overrides = [
        f'<Override PartName="/word/document.xml" ContentType="{CT}.document.main+xml"/>',
        f'<Override PartName="/word/styles.xml" ContentType="{CT}.styles+xml"/>',
        f'<Override PartName="/word/settings.xml" ContentType="{CT}.settings+xml"/>',
    ]
    parts: dict[str, str] = {}
    if spec.header is not None:
        refs += '<w:headerReference w:type="default" r:id="rIdHeader1"/>'
        rels.append(f'<Relationship Id="rIdHeader1" Type="{REL}/header" Target="header1.xml"/>')
        overrides.append(f'<Override PartName="/word/header1.xml" ContentType="{CT}.header+xml"/>')
        parts["word/header1.xml"] = (
            f'<w:hdr {NAMESPACES}><w:p><w:pPr><w:pStyle w:val="En-tte"/></w:pPr>'
            f"{run(spec.header)}</w:p></w:hdr>"
        )
    if spec.footer is not None:
        refs += '<w:footerReference w:type="default" r:id="rIdFooter1"/>'
        rels.append(f'<Relationship Id="rIdFooter1" Type="{REL}/footer" Target="footer1.xml"/>')
        overrides.append(f'<Override PartName="/word/footer1.xml" ContentType="{CT}.footer+xml"/>')
        parts["word/footer1.xml"] = (
            f"<w:ftr {NAMESPACES}><w:p>{_page_field_runs(spec.footer)}</w:p></w:ftr>"
        )
    # Word writes footnotes.xml with its two separator notes even when there is no note.
    rels.append(f'<Relationship Id="rIdNotes" Type="{REL}/footnotes" Target="footnotes.xml"/>')
    overrides.append(f'<Override PartName="/word/footnotes.xml" ContentType="{CT}.footnotes+xml"/>')
    parts["word/footnotes.xml"] = (
        f"<w:footnotes {NAMESPACES}>"
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        "</w:r></w:p></w:footnote>" + "".join(notes_xml) + "</w:footnotes>"
    )
    if spec.comments:
        rels.append(f'<Relationship Id="rIdComments" Type="{REL}/comments" Target="comments.xml"/>')
        overrides.append(
            f'<Override PartName="/word/comments.xml" ContentType="{CT}.comments+xml"/>'
        )
        parts["word/comments.xml"] = (
            f"<w:comments {NAMESPACES}>"
            + "".join(
                f'<w:comment w:id="{cid}" w:author="{escape(author)}" '
                f'w:date="2026-11-02T10:00:00Z" w:initials="AM"><w:p>'
                f"<w:r><w:annotationRef/></w:r>{run(text)}</w:p></w:comment>"
                for cid, (_at, author, text) in enumerate(spec.comments)
            )
            + "</w:comments>"
        )
    for rid, url in spec.hyperlinks.items():
        rels.append(
            f'<Relationship Id="{rid}" Type="{REL}/hyperlink" Target="{escape(url)}" '
            'TargetMode="External"/>'
        )
    sect = (
        f'<w:sectPr>{refs}<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" '
        'w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" '
        'w:gutter="0"/></w:sectPr>'
    )
    parts["word/document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NAMESPACES}>'
        f"<w:body>{''.join(paragraphs)}{sect}</w:body></w:document>"
    )
    parts["word/styles.xml"] = (
        f'<w:styles xmlns:w="{WNS}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts '
        'w:ascii="Liberation Serif" w:hAnsi="Liberation Serif"/><w:sz w:val="22"/></w:rPr>'
        "</w:rPrDefault></w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        "</w:style>"
        '<w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/>'
        '<w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/>'
        "</w:rPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="Notedebasdepage"><w:name w:val="footnote text"/>'
        '<w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="18"/></w:rPr></w:style>'
        '<w:style w:type="character" w:styleId="Appelnotedebasdep"><w:name '
        'w:val="footnote reference"/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="En-tte"><w:name w:val="header"/>'
        '<w:basedOn w:val="Normal"/></w:style>'
        '<w:style w:type="character" w:styleId="Lienhypertexte"><w:name w:val="Hyperlink"/>'
        '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>'
        "</w:styles>"
    )
    parts["word/settings.xml"] = (
        f'<w:settings xmlns:w="{WNS}"><w:zoom w:percent="100"/></w:settings>'
    )
    parts["word/_rels/document.xml.rels"] = (
        f'<Relationships xmlns="{REL[: -len("officeDocument/2006/relationships")]}package/2006/'
        f'relationships">{"".join(rels)}</Relationships>'
    )
    parts["_rels/.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + "".join(overrides)
        + "</Types>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


BODY = [
    "CONVENTION DE PARTENARIAT",
    "Entre le CCAS de Niort et la Mutuelle des Deux-Sèvres.",
    "Article 1 – Objet",
    "La présente convention organise le partenariat entre le CCAS et la mutuelle.",
    "Article 2 – Participation",
    "Le CCAS verse une participation annuelle aux adhérents de la mutuelle.",
    "Article 3 – Durée",
    "Elle est conclue pour une durée d'un an.",
]
HEADER = "Convention CCAS de Niort – Mutuelle des Deux-Sèvres"


def _spec(**changes: object) -> WordFile:
    spec = WordFile(
        list(BODY),
        header=HEADER,
        notes={5: ["Versée sur justificatif."]},
        comments=[(3, "Anne Martin", "À relire par le service juridique.")],
        text_box=(1, "Document de travail"),
    )
    for key, value in changes.items():
        setattr(spec, key, value)
    return spec


def _pair(tmp_path: Path, **changes: object) -> tuple[Path, Path]:
    old = write_word(tmp_path / "v1.docx", _spec())
    new = write_word(tmp_path / "v2.docx", _spec(**changes))
    return old, new


def _diff_cli(old: Path, new: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), *args])
    return result.exit_code, result.output


def test_reader_skips_separator_notes_and_reads_a_text_box_once(tmp_path: Path) -> None:
    doc = read_docx(write_word(tmp_path / "a.docx", _spec()), comparison=True)
    notes = [b for b in doc.blocks if b.zone == ZONE_FOOTNOTE]
    assert [(b.text, b.note_number, b.item) for b in notes] == [
        (" Versée sur justificatif.", 1, "1")
    ]
    boxes = [b.text for b in doc.blocks if b.zone == ZONE_TEXTBOX]
    assert boxes == ["Document de travail"]  # mc:Choice only, not its mc:Fallback copy
    comments = [(b.author, b.text) for b in doc.blocks if b.zone == ZONE_COMMENT]
    assert comments == [("Anne Martin", "À relire par le service juridique.")]
    footer = [b.text for b in doc.blocks if b.zone == "pied de page"]
    assert footer == ["Page {PAGE}"]  # the page number by name, not its cached « 1 »
    header = next(b for b in doc.blocks if b.zone == "en-tête")
    assert (header.text, header.item, header.part) == (HEADER, "1:default", "word/header1.xml")
    # check reads as before: no comments, the cached page number
    plain = read_docx(tmp_path / "a.docx")
    assert not [b for b in plain.blocks if b.zone == ZONE_COMMENT]
    assert [b.text for b in plain.blocks if b.zone == "pied de page"] == ["Page 1"]
    assert [b.text for b in plain.blocks if b.zone == ZONE_TEXTBOX] == ["Document de travail"]


def test_identical_word_files_are_identical(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    diff = diff_paths(old, new)
    assert diff.identical
    assert {p.name for p in diff.parts} == {
        "En-tête",
        "Pied de page",
        "Note de bas de page n° 1 (Article 2)",
        "Zone de texte",
        "Commentaire d'Anne Martin (Article 1)",
    }
    code, out = _diff_cli(old, new)
    assert code == 0, out
    assert "documents identiques" in out


def test_a_footnote_adding_a_ceiling_is_a_difference(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, notes={5: ["Versée sur justificatif, plafonnée à 2 000 €."]})
    diff = diff_paths(old, new)
    assert all(e.status == "unchanged" for e in diff.entries)  # the body did not change
    assert not diff.identical
    [note] = diff.changed_parts
    assert note.name == "Note de bas de page n° 1 (Article 2)"
    assert [(c.old, c.new) for c in note.changes] == [("", ", plafonnée à 2 000 €")]
    code, out = _diff_cli(old, new)
    assert code == 1
    assert "documents différents" in out
    assert "Note de bas de page n° 1" in out
    assert "{+, plafonnée à 2 000 €+}" in out.replace("\u00a0", " ")


def test_a_header_naming_another_mutuelle_in_every_report(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, header="Convention CCAS de Niort – Mutuelle Solidaire")
    code, out = _diff_cli(old, new, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert all(e["status"] == "unchanged" for e in data["articles"])
    changed = [p for p in data["parts"] if p["status"] != "unchanged"]
    assert changed == [
        {
            "zone": "en-tête",
            "name": "En-tête",
            "status": "changed",
            "changes": [{"old": "des Deux-Sèvres", "new": "Solidaire"}],
        }
    ]
    html = render_html(diff_paths(old, new))
    assert "En-tête" in html
    assert "<del>des Deux-Sèvres</del>" in html and "<ins>Solidaire</ins>" in html


def test_footer_text_box_and_comment_changes(tmp_path: Path) -> None:
    old, new = _pair(
        tmp_path,
        footer="Page {PAGE} – version du 12 mars",
        text_box=(1, "Document définitif"),
        comments=[(3, "Anne Martin", "Relu par le service juridique.")],
    )
    diff = diff_paths(old, new)
    changes = {p.name: [(c.old, c.new) for c in p.changes] for p in diff.changed_parts}
    assert changes == {
        "Pied de page": [("", "– version du 12 mars")],
        "Zone de texte": [("de travail", "définitif")],
        "Commentaire d'Anne Martin (Article 1)": [("À relire", "Relu")],
    }
    code, out = _diff_cli(old, new)
    assert code == 1
    assert "── Pied de page (modifié)" in out
    assert "── Zone de texte (modifiée)" in out  # the status agrees with « une zone »
    assert "── Commentaire d'Anne Martin (Article 1) (modifié)" in out


def test_an_inserted_note_does_not_change_the_later_ones(tmp_path: Path) -> None:
    old, new = _pair(
        tmp_path,
        notes={3: ["Au sens de l'article L. 123-5 du code de l'action sociale."],
               5: ["Versée sur justificatif."]},
    )  # fmt: skip
    diff = diff_paths(old, new)
    notes = [(p.name, p.status, p.flags) for p in diff.parts if p.zone == ZONE_FOOTNOTE]
    assert notes == [
        ("Note de bas de page n° 1 (Article 1)", "added", []),
        ("Note de bas de page n° 2 (Article 2)", "unchanged", ["renumérotée (1 → 2)"]),
    ]
    assert not diff.identical
    data = diff_to_dict(diff)
    added = [p for p in data["parts"] if p["status"] == "added"]
    assert added[0]["changes"][0]["new"].startswith("Au sens de l'article L. 123-5")


def test_removed_comment_and_header(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, comments=[], header=None)
    diff = diff_paths(old, new)
    removed = sorted(p.name for p in diff.parts if p.status == "removed")
    assert removed == ["Commentaire d'Anne Martin (Article 1)", "En-tête"]
    code, _out = _diff_cli(old, new)
    assert code == 1


def test_word_against_pdf_compares_the_bodies_only(tmp_path: Path) -> None:
    old = write_word(tmp_path / "v1.docx", _spec())
    text = tmp_path / "v2.txt"
    text.write_text("\n".join(BODY), encoding="utf-8")
    diff = diff_paths(old, text)
    assert diff.parts == []


def test_the_same_document_rewritten_by_libreoffice_is_identical(tmp_path: Path) -> None:
    """LibreOffice writes every part anew (its own styles, field and note markup, a text box
    without the VML copy…): what a reader sees is the same, and diff says so."""
    from tests.test_diff_redline import _soffice

    original = write_word(tmp_path / "convention.docx", _spec())
    out = tmp_path / "libreoffice"
    _soffice(
        tmp_path / "profil",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(out),
        str(original),
    )
    rewritten = out / "convention.docx"
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(rewritten) as b:
        assert a.read("word/document.xml") != b.read("word/document.xml")
    diff = diff_paths(original, rewritten)
    assert diff.identical
    assert len(diff.parts) == 5
