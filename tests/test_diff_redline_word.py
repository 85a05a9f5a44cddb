"""The Word redline as Word writes one: moves, fields and hyperlinks kept, notes and headers tracked.

Versions are written part by part as Word writes them (`tests.test_diff_parts.write_word`). The
redline is opened with lxml and python-docx, its changes accepted and rejected by XML
transformation (`convgen.diff.revisions`) and by LibreOffice itself, and converted to PDF.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from lxml import etree
from pypdf import PdfReader

from convgen.diff import diff_paths
from convgen.diff.redline import write_redline
from convgen.diff.revisions import document_body, paragraph_texts, resolve
from convgen.read.extract import read_docx
from convgen.render.libreoffice import convert_to_pdf
from tests.test_diff_parts import BODY, WordFile, _pair, run, write_word
from tests.test_diff_redline import _libreoffice_resolve, _lines, lo_profile

__all__ = ["lo_profile"]  # the LibreOffice profile fixture, shared with test_diff_redline

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _non_empty(texts: list[str]) -> list[str]:
    return [t for t in texts if t.strip()]


def _body_texts(path: Path) -> list[str]:
    return _non_empty([b.text for b in read_docx(path).body()])


def _pdf_text(pdf: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "") for p in PdfReader(pdf).pages).split())


# --------------------------------------------------------------------------- moves

ARTICLES = [
    ("Objet", "La présente convention organise le partenariat entre le CCAS et la mutuelle."),
    ("Participation", "Le CCAS verse une participation annuelle aux adhérents de la mutuelle."),
    ("Communication", "Chaque partie informe l'autre de toute communication publique sur le "
     "partenariat, au moins quinze jours avant sa diffusion."),
    ("Durée", "Elle est conclue pour une durée d'un an à compter de sa signature."),
]  # fmt: skip


def _articles(order: list[int], duration: str | None = None) -> list[str]:
    body = ["CONVENTION DE PARTENARIAT", "Entre le CCAS de Niort et la Mutuelle des Deux-Sèvres."]
    for number, index in enumerate(order, start=1):
        title, text = ARTICLES[index]
        if title == "Durée" and duration:
            text = duration
        body += [f"Article {number} – {title}", text]
    return body


def _moved(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Durée moved before Communication, and its duration changed on the way."""
    old = write_word(tmp_path / "v1.docx", WordFile(_articles([0, 1, 2, 3])))
    new = write_word(
        tmp_path / "v2.docx",
        WordFile(
            _articles(
                [0, 1, 3, 2],
                "Elle est conclue pour une durée de deux ans à compter de sa signature.",
            )
        ),
    )
    diff = diff_paths(old, new)
    assert [e.unit.title for e in diff.entries if e.moved] == ["Durée"]
    redline = tmp_path / "redline.docx"
    write_redline(diff, redline, summary=False, author="Anne Martin")
    return old, new, redline


def test_a_moved_article_is_a_word_move(tmp_path: Path) -> None:
    old, new, redline = _moved(tmp_path)
    body = document_body(redline)
    starts = {k: list(body.iter(f"{W}{k}RangeStart")) for k in ("moveFrom", "moveTo")}
    ends = {k: list(body.iter(f"{W}{k}RangeEnd")) for k in ("moveFrom", "moveTo")}
    assert [len(v) for v in starts.values()] == [1, 1]
    assert [len(v) for v in ends.values()] == [1, 1]
    # both ends of the move carry the same name; each range closes with its own id
    assert starts["moveFrom"][0].get(f"{W}name") == starts["moveTo"][0].get(f"{W}name")
    for kind in ("moveFrom", "moveTo"):
        assert starts[kind][0].get(f"{W}id") == ends[kind][0].get(f"{W}id")
        assert starts[kind][0].get(f"{W}author") == "Anne Martin"
    moved_from = "".join(t for m in body.iter(f"{W}moveFrom") for t in m.itertext())
    moved_to = "".join(t for m in body.iter(f"{W}moveTo") for t in m.itertext())
    # where it stood: the older wording; where it stands: the common words, moved
    assert "Article 4 – Durée" in moved_from
    assert "durée d'un an à compter de sa signature" in moved_from
    assert "– Durée" in moved_to and "à compter de sa signature" in moved_to
    # the moved article is not a deletion plus an insertion; its new words are insertions
    deleted = "".join(t for d in body.iter(f"{W}del") for t in d.itertext())
    inserted = "".join(t for i in body.iter(f"{W}ins") for t in i.itertext())
    assert "compter" not in deleted and "compter" not in inserted
    assert "deux ans" in inserted and "d'un an" not in moved_to
    # paragraph marks of the moved paragraphs are moves too
    marks = {
        etree.QName(flag).localname
        for p in body.iter(f"{W}p")
        for flag in p.findall(f"{W}pPr/{W}rPr/*")
    }
    assert {"moveFrom", "moveTo"} <= marks
    # accept all → new version, reject all → old version
    assert _non_empty(paragraph_texts(resolve(body, accept=True))) == _body_texts(new)
    assert _non_empty(paragraph_texts(resolve(body, accept=False))) == _body_texts(old)
    docx.Document(str(redline))  # python-docx opens it


def test_libreoffice_accepts_and_rejects_the_move(tmp_path: Path, lo_profile: Path) -> None:
    old, new, redline = _moved(tmp_path)
    assert _lines(_libreoffice_resolve(redline, "accept", lo_profile)) == _body_texts(new)
    assert _lines(_libreoffice_resolve(redline, "reject", lo_profile)) == _body_texts(old)


# --------------------------------------------------------------------------- fields, links


def _field_paragraph(amount: str) -> str:
    """A paragraph with a REF field (w:fldSimple), a PAGE field (w:fldChar) and a hyperlink."""
    return (
        "<w:p>"
        + run(f"Le CCAS verse une participation annuelle de {amount} euros, selon l'")
        + '<w:fldSimple w:instr=" REF _RefObjet \\h "><w:r><w:t>Article 1 – Objet</w:t></w:r>'
        "</w:fldSimple>" + run(" (page ") + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + run(") et le barème publié sur ")
        + '<w:hyperlink r:id="rIdLien1" w:history="1"><w:r><w:rPr><w:rStyle '
        'w:val="Lienhypertexte"/></w:rPr><w:t>www.ccas-niort.fr</w:t></w:r></w:hyperlink>'
        + run(".")
        + "</w:p>"
    )


def _with_fields(amount: str) -> WordFile:
    body = list(BODY)
    body[2] = (
        '<w:p><w:pPr><w:pStyle w:val="Titre1"/></w:pPr><w:bookmarkStart w:id="0" '
        'w:name="_RefObjet"/>' + run("Article 1 – Objet") + '<w:bookmarkEnd w:id="0"/></w:p>'
    )
    body[5] = _field_paragraph(amount)
    return WordFile(body, hyperlinks={"rIdLien1": "https://www.ccas-niort.fr/bareme"})


def _fields(tmp_path: Path) -> tuple[Path, Path, Path]:
    old = write_word(tmp_path / "v1.docx", _with_fields("500"))
    new = write_word(tmp_path / "v2.docx", _with_fields("800"))
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False)
    return old, new, redline


def test_fields_and_hyperlinks_of_a_changed_paragraph_are_kept(tmp_path: Path) -> None:
    old, new, redline = _fields(tmp_path)
    body = document_body(redline)
    [p] = [p for p in body.iter(f"{W}p") if "participation annuelle" in "".join(p.itertext())]
    assert ["".join(d.itertext()) for d in p.iter(f"{W}del")] == ["500"]
    assert ["".join(i.itertext()) for i in p.iter(f"{W}ins")] == ["800"]
    [simple] = p.iter(f"{W}fldSimple")
    assert simple.get(f"{W}instr") == " REF _RefObjet \\h "
    assert "".join(simple.itertext()) == "Article 1 – Objet"
    kinds = [c.get(f"{W}fldCharType") for c in p.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]
    assert [t.text for t in p.iter(f"{W}instrText")] == [" PAGE "]
    [link] = p.iter(f"{W}hyperlink")
    assert link.get(f"{R}id") == "rIdLien1"
    assert "".join(link.itertext()) == "www.ccas-niort.fr"
    assert link.find(f"{W}r/{W}rPr/{W}rStyle").get(f"{W}val") == "Lienhypertexte"
    with zipfile.ZipFile(redline) as archive:
        rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    assert targets["rIdLien1"] == "https://www.ccas-niort.fr/bareme"
    # python-docx sees the hyperlink as one
    document = docx.Document(str(redline))
    paragraph = next(q for q in document.paragraphs if "participation" in q.text)
    assert [h.address for h in paragraph.hyperlinks] == ["https://www.ccas-niort.fr/bareme"]
    # the bookmark the REF field points at is still there
    assert [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")] == ["_RefObjet"]
    assert _non_empty(paragraph_texts(resolve(body, accept=True))) == _body_texts(new)
    assert _non_empty(paragraph_texts(resolve(body, accept=False))) == _body_texts(old)


def _page_blank(lines: list[str]) -> list[str]:
    # LibreOffice's text export has no pages: it writes its PAGE field as « 0 » (observed).
    return [re.sub(r"\(page \d+\)", "(page N)", line) for line in lines]


def test_libreoffice_keeps_fields_and_links_of_the_redline(
    tmp_path: Path, lo_profile: Path
) -> None:
    old, new, redline = _fields(tmp_path)
    accepted = _lines(_libreoffice_resolve(redline, "accept", lo_profile))
    assert _page_blank(accepted) == _page_blank(_body_texts(new))
    rejected = _lines(_libreoffice_resolve(redline, "reject", lo_profile))
    assert _page_blank(rejected) == _page_blank(_body_texts(old))
    accepted = _libreoffice_resolve(redline, "accept", lo_profile, as_word=True)
    with zipfile.ZipFile(accepted) as archive:
        xml = archive.read("word/document.xml").decode()
    # after LibreOffice accepted the changes, the fields and the link are still fields and link
    assert "REF _RefObjet" in xml and " PAGE " in xml
    assert "w:hyperlink" in xml


# --------------------------------------------------------------------------- other parts

NEW_HEADER = "Convention CCAS de Niort – Mutuelle Solidaire"
NEW_NOTE = "Versée sur justificatif, plafonnée à 2 000 €."


def _parts(tmp_path: Path) -> tuple[Path, Path, Path]:
    old, new = _pair(
        tmp_path,
        header=NEW_HEADER,
        notes={5: [NEW_NOTE]},
        footer="Page {PAGE} – version du 12 mars",
    )
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False, author="Anne Martin")
    return old, new, redline


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def _texts(root: etree._Element) -> list[str]:
    return _non_empty(paragraph_texts(root))


def test_header_footer_and_footnote_changes_are_tracked_in_their_parts(tmp_path: Path) -> None:
    old, new, redline = _parts(tmp_path)
    assert not list(document_body(redline).iter(f"{W}ins", f"{W}del"))  # the body is the same
    header = _part(redline, "word/header1.xml")
    assert ["".join(d.itertext()) for d in header.iter(f"{W}del")] == ["des Deux-Sèvres"]
    assert ["".join(i.itertext()) for i in header.iter(f"{W}ins")] == ["Solidaire"]
    notes = _part(redline, "word/footnotes.xml")
    assert ["".join(i.itertext()) for i in notes.iter(f"{W}ins")] == [", plafonnée à 2 000 €"]
    footer = _part(redline, "word/footer1.xml")
    assert ["".join(i.itertext()) for i in footer.iter(f"{W}ins")] == [" – version du 12 mars"]
    # the footer's PAGE field is still a field, and its cached number is not typed over
    assert [c.get(f"{W}fldCharType") for c in footer.iter(f"{W}fldChar")] == [
        "begin",
        "separate",
        "end",
    ]
    assert "{PAGE}" not in "".join(footer.itertext())
    # the separator notes are untouched, the note call is still the note's
    assert [n.get(f"{W}id") for n in notes] == ["-1", "0", "1"]
    authors = {c.get(f"{W}author") for part in (header, notes, footer)
               for c in part.iter(f"{W}ins", f"{W}del")}  # fmt: skip
    assert authors == {"Anne Martin"}
    # accepting gives the newer parts, rejecting the older ones
    for name in ("word/header1.xml", "word/footnotes.xml", "word/footer1.xml"):
        root = _part(redline, name)
        assert _texts(resolve(root, accept=True)) == _texts(_part(new, name))
        assert _texts(resolve(root, accept=False)) == _texts(_part(old, name))


def test_libreoffice_shows_the_changes_of_header_footer_and_note(tmp_path: Path) -> None:
    _old, _new, redline = _parts(tmp_path)
    (pdf,) = convert_to_pdf([redline], tmp_path / "pdf")
    text = _pdf_text(pdf)
    # LibreOffice draws tracked changes in its PDF export: deleted text is still printed
    # (struck through) beside the inserted text, in the header, the footer and the note.
    assert "Mutuelle des Deux-SèvresSolidaire" in text
    assert "Versée sur justificatif, plafonnée à 2 000 €." in text.replace("\u00a0", " ")
    assert "Page 1 – version du 12 mars" in text


def test_the_summary_page_lists_the_changed_parts(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, header=NEW_HEADER, text_box=(1, "Document définitif"))
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline)
    text = "\n".join(paragraph_texts(document_body(redline)))
    assert "Synthèse des modifications" in text
    assert "En-tête (modifié)" in text
    assert "Zone de texte (modifiée)" in text
    assert "« de travail » → « définitif »" in text


def test_a_footer_added_is_inserted_with_its_page_field(tmp_path: Path) -> None:
    old = write_word(tmp_path / "v1.docx", WordFile(list(BODY), footer=None))
    new = write_word(tmp_path / "v2.docx", WordFile(list(BODY), footer="Page {PAGE} sur 3"))
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False)
    footer = _part(redline, "word/footer1.xml")
    runs = list(footer.iter(f"{W}r"))
    # every run is an insertion: its text, and the field's characters, code and result
    assert runs and all(r.getparent().tag == f"{W}ins" for r in runs)
    assert [t.text for t in footer.iter(f"{W}instrText")] == [" PAGE "]
    assert _texts(resolve(footer, accept=True)) == ["Page 1 sur 3"]
    assert _texts(resolve(footer, accept=False)) == []


def test_text_written_anew_keeps_page_numbers_as_fields() -> None:
    from convgen.diff.redline_xml import EQUAL, INSERTED, _Ids, _Para, paragraph_xml

    p = paragraph_xml(
        _Para("Normal", [(EQUAL, "Page {PAGE} sur "), (INSERTED, "{NUMPAGES}")]), _Ids()
    )
    assert [t.text for t in p.iter(f"{W}instrText")] == [" PAGE ", " NUMPAGES "]
    assert "{" not in "".join(p.itertext())
    inserted = p.find(f"{W}ins")
    assert [c.get(f"{W}fldCharType") for c in inserted.iter(f"{W}fldChar")] == [
        "begin",
        "separate",
        "end",
    ]


def test_a_text_box_change_is_tracked_in_both_copies_of_the_box(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, text_box=(1, "Document définitif"))
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False)
    with zipfile.ZipFile(redline) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    boxes = list(root.iter(f"{W}txbxContent"))
    assert len(boxes) == 2  # the DrawingML shape and its VML copy, as Word writes them
    for box in boxes:
        assert ["".join(d.itertext()) for d in box.iter(f"{W}del")] == ["de travail"]
        assert ["".join(i.itertext()) for i in box.iter(f"{W}ins")] == ["définitif"]
        assert _texts(resolve(box, accept=True)) == ["Document définitif"]
        assert _texts(resolve(box, accept=False)) == ["Document de travail"]
    (pdf,) = convert_to_pdf([redline], tmp_path / "pdf")
    assert "Document de travaildéfinitif" in _pdf_text(pdf)  # LibreOffice shows both


def test_a_deleted_paragraph_keeps_its_fields_and_hyperlink(
    tmp_path: Path, lo_profile: Path
) -> None:
    old_spec = _with_fields("500")
    new_spec = _with_fields("500")
    del new_spec.body[4:6]  # Article 2 – Participation removed
    new_spec.hyperlinks = {}
    old = write_word(tmp_path / "v1.docx", old_spec)
    new = write_word(tmp_path / "v2.docx", new_spec)
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False)
    body = document_body(redline)
    [p] = [p for p in body.iter(f"{W}p") if "participation annuelle" in "".join(p.itertext())]
    assert p.find(f"{W}pPr/{W}rPr/{W}del") is not None  # its paragraph mark is deleted
    runs = list(p.iter(f"{W}r"))
    assert runs and all(r.getparent().tag == f"{W}del" for r in runs)
    assert not list(p.iter(f"{W}t"))  # deleted text is w:delText
    [simple] = p.iter(f"{W}fldSimple")
    assert simple.get(f"{W}instr") == " REF _RefObjet \\h "
    assert [t.text for t in p.iter(f"{W}delInstrText")] == [" PAGE "]
    [link] = p.iter(f"{W}hyperlink")
    with zipfile.ZipFile(redline) as archive:
        rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    assert targets[link.get(f"{R}id")] == "https://www.ccas-niort.fr/bareme"
    assert _non_empty(paragraph_texts(resolve(body, accept=True))) == _body_texts(new)
    assert _non_empty(paragraph_texts(resolve(body, accept=False))) == _body_texts(old)
    # LibreOffice rejecting every change gives the older paragraph back with its field and link
    rejected = _libreoffice_resolve(redline, "reject", lo_profile, as_word=True)
    with zipfile.ZipFile(rejected) as archive:
        xml = archive.read("word/document.xml").decode()
        rels_xml = archive.read("word/_rels/document.xml.rels").decode()
    assert "REF _RefObjet" in xml and "w:hyperlink" in xml
    assert "https://www.ccas-niort.fr/bareme" in rels_xml


def test_an_added_note_is_inserted_with_its_call(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, notes={3: ["Au sens du code de l'action sociale."],
                                      5: ["Versée sur justificatif."]})  # fmt: skip
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False)
    body = document_body(redline)
    calls = {
        r.get(f"{W}id"): r.getparent().getparent().tag for r in body.iter(f"{W}footnoteReference")
    }
    assert calls == {"1": f"{W}ins", "2": f"{W}p"}  # the new note's call inserted, not the other
    notes = _part(redline, "word/footnotes.xml")
    added = next(n for n in notes if n.get(f"{W}id") == "1")
    assert all(r.getparent().tag == f"{W}ins" for r in added.iter(f"{W}r"))
    assert added.find(f".//{W}pPr/{W}rPr/{W}ins") is not None
    rejected = resolve(body, accept=False)
    assert [r.get(f"{W}id") for r in rejected.iter(f"{W}footnoteReference")] == ["2"]


def test_a_removed_note_comes_back_deleted_with_its_call(tmp_path: Path) -> None:
    old = write_word(tmp_path / "v1.docx", _spec_notes({3: [REMOVED_NOTE], 5: [KEPT_NOTE]}))
    new = write_word(tmp_path / "v2.docx", _spec_notes({5: [KEPT_NOTE]}))
    redline = tmp_path / "redline.docx"
    write_redline(diff_paths(old, new), redline, summary=False)
    notes = _part(redline, "word/footnotes.xml")
    [back] = [n for n in notes if REMOVED_NOTE in "".join(n.itertext())]
    # notes numbered again in the order of their calls: the one put back is called first
    assert [n.get(f"{W}id") for n in notes] == ["-1", "0", "1", "2"]
    assert back.get(f"{W}id") == "1"
    assert not list(back.iter(f"{W}t"))  # all its text is w:delText
    assert all(r.getparent().tag == f"{W}del" for r in back.iter(f"{W}r"))
    body = document_body(redline)
    [call] = [r for r in body.iter(f"{W}footnoteReference") if r.get(f"{W}id") == "1"]
    assert call.getparent().getparent().tag == f"{W}del"
    calling = next(p for p in body.iter(f"{W}p") if call in p.iter())
    assert "La présente convention organise" in "".join(calling.itertext())
    accepted, rejected = resolve(body, accept=True), resolve(body, accept=False)
    assert [r.get(f"{W}id") for r in accepted.iter(f"{W}footnoteReference")] == ["2"]
    assert [r.get(f"{W}id") for r in rejected.iter(f"{W}footnoteReference")] == ["1", "2"]
    assert REMOVED_NOTE in " ".join(_texts(resolve(notes, accept=False)))
    assert REMOVED_NOTE not in " ".join(_texts(resolve(notes, accept=True)))
    # LibreOffice prints the removed note (struck through) first, under its own call
    (pdf,) = convert_to_pdf([redline], tmp_path / "pdf")
    text = _pdf_text(pdf)
    assert text.index(REMOVED_NOTE) < text.index(KEPT_NOTE)


REMOVED_NOTE = "Au sens du code de l'action sociale et des familles."
KEPT_NOTE = "Versée sur justificatif."


def _spec_notes(notes: dict[int, list[str]]) -> WordFile:
    return WordFile(list(BODY), notes=notes)
