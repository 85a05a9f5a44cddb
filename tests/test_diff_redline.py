"""The Word redline: real tracked changes whose accept-all is the new version, reject-all the old.

Accept and reject are done twice: by XML transformation (`convgen.diff.revisions`, what Word
does) on the file opened with python-docx, and by LibreOffice itself, through a Basic macro run
headless in a private profile (".uno:AcceptAllTrackedChanges" then export as text).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from convgen.diff import DocumentDiff, diff_paths
from convgen.diff.redline import AUTHOR, DATE, write_redline
from convgen.diff.revisions import document_body, paragraph_texts, resolve
from convgen.read.extract import read_docx
from convgen.read.textnorm import fold
from tests.seeds import seed_path
from tests.test_diff_align import write_pair

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _old_new(diff: DocumentDiff) -> tuple[list[str], list[str]]:
    return [b.text for b in diff.old.body()], [b.text for b in diff.new.body()]


def _shown(redline: Path, body: etree._Element, accept: bool) -> list[str]:
    """The body paragraphs a reader sees once all changes are accepted (or rejected).

    The resolved body is put back into the redline's own package and read as Word shows it:
    list labels are computed from its numbering, not typed in the text.
    """
    with zipfile.ZipFile(redline) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(members["word/document.xml"])
    old_body = root.find(f"{W}body")
    assert old_body is not None
    root.replace(old_body, resolve(body, accept=accept))
    members["word/document.xml"] = etree.tostring(root)
    out = redline.with_name(f"{redline.stem}-{'accepte' if accept else 'refuse'}.docx")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return [b.text for b in read_docx(out).body()]


def _convention_part(texts_body: etree._Element) -> etree._Element:
    """The body after the summary's section break (the summary is the first section)."""
    body = etree.fromstring(etree.tostring(texts_body))
    for child in list(body):
        is_break = child.tag == f"{W}p" and child.find(f"{W}pPr/{W}sectPr") is not None
        body.remove(child)
        if is_break:
            return body
    raise AssertionError("pas de saut de section après la synthèse")


def _non_empty(texts: list[str]) -> list[str]:
    # Word cannot delete a document's last paragraph mark: a trailing empty paragraph may remain.
    return [t for t in texts if t.strip()]


def test_accept_all_is_new_and_reject_all_is_old_exactly(tmp_path: Path) -> None:
    diff = diff_paths(*write_pair(tmp_path))
    out = tmp_path / "redline.docx"
    write_redline(diff, out, summary=False)
    document = docx.Document(str(out))  # python-docx opens it
    assert len(document.paragraphs) >= len(diff.new.body())
    old, new = _old_new(diff)
    body = document_body(out)
    assert _non_empty(paragraph_texts(resolve(body, accept=True))) == new
    assert _non_empty(paragraph_texts(resolve(body, accept=False))) == old


def test_changes_are_tracked_with_fixed_author_and_date(tmp_path: Path) -> None:
    diff = diff_paths(*write_pair(tmp_path))
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    write_redline(diff, first)
    write_redline(diff, second)
    body = document_body(first)
    changes = list(body.iter(f"{W}ins", f"{W}del"))
    assert changes
    assert {c.get(f"{W}author") for c in changes} == {AUTHOR}
    assert {c.get(f"{W}date") for c in changes} == {DATE}
    ids = [c.get(f"{W}id") for c in changes]
    assert len(ids) == len(set(ids))
    # deleted text is w:delText inside w:del, never w:t
    for deletion in body.iter(f"{W}del"):
        assert deletion.find(f".//{W}t") is None
    # the notice period: "3" deleted and "2" inserted, side by side
    deleted = ["".join(d.itertext()) for d in body.iter(f"{W}del")]
    inserted = ["".join(i.itertext()) for i in body.iter(f"{W}ins")]
    assert "3" in deleted and "2" in inserted
    # wholly removed Article 5: its paragraph marks are deleted too
    marks = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    assert any("Garantie de l" in "".join(p.itertext()) for p in marks)
    # "track changes" stays on for the reader's own edits, at its place in w:settings
    with zipfile.ZipFile(first) as archive:
        settings = etree.fromstring(archive.read("word/settings.xml"))
    names = [etree.QName(child).localname for child in settings]
    assert names.index("trackRevisions") < names.index("defaultTabStop")
    # same comparison, same document
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")


def test_summary_is_a_separate_untracked_first_section(tmp_path: Path) -> None:
    diff = diff_paths(*write_pair(tmp_path))
    out = tmp_path / "redline.docx"
    write_redline(diff, out)
    body = document_body(out)
    summary = etree.fromstring(etree.tostring(body))
    convention = _convention_part(body)
    for child in list(summary)[len(list(summary)) - len(list(convention)) :]:
        summary.remove(child)
    summary_text = "\n".join(paragraph_texts(summary))
    assert "Synthèse des modifications" in summary_text
    assert "Article 8 – Résiliation" in summary_text and "7 → 3" in summary_text
    assert not list(summary.iter(f"{W}ins", f"{W}del"))  # the summary is in neither version
    old, new = _old_new(diff)
    assert _non_empty(paragraph_texts(resolve(convention, accept=True))) == new
    assert _non_empty(paragraph_texts(resolve(convention, accept=False))) == old


def test_different_models_from_word_files(tmp_path: Path, seed_docx_dir: Path) -> None:
    # Heavy rewriting: paragraphs split and joined, articles added, removed, renumbered.
    diff = diff_paths(seed_docx_dir / "000.docx", seed_docx_dir / "001.docx")
    out = tmp_path / "redline.docx"
    write_redline(diff, out, summary=False)
    old, new = _old_new(diff)
    body = document_body(out)
    # Read as Word shows it: the newer document's bullets stay a Word list (no typed « • »).
    assert _non_empty(_shown(out, body, accept=True)) == _non_empty(new)
    rejected = _non_empty(_shown(out, body, accept=False))
    # Where both versions say the same words with other typography, the new one's is kept.
    assert [fold(t) for t in rejected] == [fold(t) for t in _non_empty(old)]


def test_docx_styles_of_headings(tmp_path: Path) -> None:
    diff = diff_paths(seed_path("004"), seed_path("004"))
    out = tmp_path / "redline.docx"
    write_redline(diff, out, summary=False)
    document = docx.Document(str(out))
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["Article 1 : Objet de la convention"] == "Heading 1"
    assert styles["6.1 Durée"] == "Heading 2"
    assert not list(document_body(out).iter(f"{W}ins", f"{W}del"))  # identical: no change


# --------------------------------------------------------------------------- LibreOffice

_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub Resolve(src As String, dst As String, mode As String, filter As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;Hidden&quot;
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), &quot;_blank&quot;, 0, args())
  helper = createUnoService(&quot;com.sun.star.frame.DispatchHelper&quot;)
  frame = doc.CurrentController.Frame
  If mode = &quot;accept&quot; Then
    helper.executeDispatch(frame, &quot;.uno:AcceptAllTrackedChanges&quot;, &quot;&quot;, 0, Array())
  Else
    helper.executeDispatch(frame, &quot;.uno:RejectAllTrackedChanges&quot;, &quot;&quot;, 0, Array())
  End If
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = &quot;FilterName&quot;
  out(0).Value = filter
  doc.storeToURL(ConvertToURL(dst), out())
  doc.close(True)
End Sub
</script:module>
"""


def _soffice(profile: Path, *args: str) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) doit être installé"
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", *args],
        check=True,
        timeout=120,
        capture_output=True,
    )


def _libreoffice_resolve(docx_path: Path, mode: str, profile: Path, as_word: bool = False) -> Path:
    """Accept or reject all changes in LibreOffice itself; save as text (or .docx)."""
    suffix, filter_name = (".docx", "MS Word 2007 XML") if as_word else (".txt", "Text (encoded)")
    out = docx_path.with_name(f"{docx_path.stem}-{mode}{suffix}")
    macro = f'macro:///Standard.Module1.Resolve("{docx_path}","{out}","{mode}","{filter_name}")'
    _soffice(profile, "--invisible", macro)
    assert out.is_file(), "LibreOffice n'a pas exécuté la macro"
    return out


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8-sig").split("\n") if line.strip()]


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    profile = tmp_path_factory.mktemp("lo-profile")
    _soffice(profile, "--terminate_after_init")
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    assert module.is_file()
    module.write_text(_MACRO, encoding="utf-8")
    return profile


def test_libreoffice_accept_all_and_reject_all(tmp_path: Path, lo_profile: Path) -> None:
    diff = diff_paths(*write_pair(tmp_path))
    out = tmp_path / "redline.docx"
    write_redline(diff, out, summary=False)
    old, new = _old_new(diff)
    assert _lines(_libreoffice_resolve(out, "accept", lo_profile)) == new
    assert _lines(_libreoffice_resolve(out, "reject", lo_profile)) == old
    # after accepting, headings are still headings and body text is still body text
    accepted = docx.Document(str(_libreoffice_resolve(out, "accept", lo_profile, as_word=True)))
    styles = {p.text: p.style.name for p in accepted.paragraphs if p.text.strip()}
    assert styles["Article 6\u00a0: Communication"] == "Heading 1"
    assert styles["Article 3\u00a0: Suivi du partenariat"] == "Heading 1"
    assert styles["2) Obligation du CCAS"] == "Heading 2"
    assert all(
        name == "Normal" for text, name in styles.items() if text.startswith(("Toute", "La "))
    )


def test_libreoffice_shows_the_changes_in_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from convgen.render.libreoffice import convert_to_pdf

    diff = diff_paths(*write_pair(tmp_path))
    out = tmp_path / "redline.docx"
    write_redline(diff, out)
    (pdf,) = convert_to_pdf([out], tmp_path / "pdf")
    text = " ".join((page.extract_text() or "") for page in PdfReader(pdf).pages)
    text = " ".join(text.split())
    assert "Synthèse des modifications" in text
    # deleted "3" (struck through) and inserted "2" drawn side by side, then the kept space
    assert "préavis de 32 mois" in text
    assert "Article 5 : Garantie de l’offre" in text  # the removed article is still visible
