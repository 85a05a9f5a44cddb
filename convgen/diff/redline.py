"""The comparison as a Word document with real tracked changes (`w:ins` / `w:del`).

Lawyers work in Word: they open the redline, read the changes in the margin, and accept or
reject them. The body is built so that "accept all" gives exactly the new version's paragraphs
and "reject all" the old version's (typography folded: where both versions say the same thing
with different spaces or apostrophes, the new version's characters are kept, since typography is
never a change). python-docx has no tracked-changes API, so the XML is written by this module
and its companions (`redline_plan`: which paragraphs with which changes; `redline_inplace` and
`redline_runs`: into the document's own paragraphs and runs; `redline_parts`: headers, footers,
notes, text boxes; `redline_xml`: the pieces):

- an article paired across versions is diffed word by word; a changed paragraph break becomes a
  paragraph mark flagged inserted or deleted (`w:pPr/w:rPr/w:ins|w:del`), otherwise accepting
  would leave merged or empty paragraphs (FIELD-NOTES);
- an added or removed article is wholly inserted or deleted, paragraph marks included;
- a moved article is a Word move: `w:moveFrom` where it stood and `w:moveTo` where it now
  stands, each inside its named range (`w:moveFromRangeStart`/`End`, `w:moveToRangeStart`/`End`,
  same name), accepted or rejected at both ends at once (LibreOffice 7.4 draws both ends in
  green, as moves); words changed inside the moved article are `w:ins` at the destination
  (the source keeps the older wording, so that rejecting gives it back where it stood).

Paragraphs of the newer version keep their own runs: a changed paragraph's runs are split where
its changes begin and end, and only the changed pieces are wrapped (`w:ins`) or added (`w:del`),
so that its fields (`w:fldSimple`, `w:fldChar` … REF, PAGE), hyperlinks (`w:hyperlink` and its
relationship), bookmarks, note calls and comment ranges stay what and where they were. A
paragraph wholly deleted or moved away is given back its own runs from the older package.
Headers, footers, footnotes, endnotes and text boxes of the newer version receive their changes
the same way, in their own parts; a note added is inserted with its call, a note removed comes
back deleted with a deleted call.

A summary of the changes comes first, in its own section and outside tracked changes (it belongs
to neither version); `summary=False` leaves it out for a document whose accept-all and
reject-all are exactly the two versions and nothing else.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_SECTION
from lxml import etree

from convgen.diff import DocumentDiff
from convgen.diff.redline_inplace import _OlderParagraphs, _write_in_place
from convgen.diff.redline_parts import _removed_notes, _track_other_parts
from convgen.diff.redline_plan import body_paragraphs
from convgen.diff.redline_summary import write_summary
from convgen.diff.redline_xml import AUTHOR, DATE, EQUAL, _Ids, _Para, _w, paragraph_xml
from convgen.read.extract import body_paragraph_elements
from convgen.render.zipout import check_output, write_atomic

__all__ = ["AUTHOR", "DATE", "redline_bytes", "write_redline"]

# Elements that come before w:trackRevisions in w:settings (Word rejects them out of order).
_BEFORE_TRACK_REVISIONS = {
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView",
}  # fmt: skip


def _track_revisions(settings: etree._Element) -> None:
    """Turn on "track changes", so that the reader's own edits are tracked too."""
    if settings.find(_w("trackRevisions")) is not None:
        return
    element = etree.Element(_w("trackRevisions"))
    for child in settings:
        if etree.QName(child).localname not in _BEFORE_TRACK_REVISIONS:
            child.addprevious(element)
            return
    settings.append(element)


def _base_document(diff: DocumentDiff) -> tuple[Any, list[etree._Element] | None]:
    """The package the redline is written into, and the newer version's body paragraphs.

    When the newer version is a .docx, the redline is written into that very package: its
    styles, page size and margins, sections, headers and footers, list definitions, tables and
    fields are kept, and its own paragraphs receive the changes (see `_write_in_place`). The
    list of its body `w:p` elements (in `TextBlock.paragraph` order) is None when the package
    cannot be used so (another format, or a body read differently): python-docx's default
    document is used then.
    """

    path = diff.new.path
    if diff.new.kind == "docx" and path.suffix.lower() == ".docx" and path.is_file():
        document = docx.Document(str(path))
        elements = body_paragraph_elements(document.element.body)
        if len(elements) == len(diff.new.body()):
            return document, elements
    document = docx.Document()
    body = document.element.body
    for p in list(body.iterchildren(_w("p"))):
        body.remove(p)
    return document, None


def _style_ids(document: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Our paragraph kinds ("Heading1", "Heading2", "Normal") → style ids of `document`, and
    its paragraph style names (lower case) → ids."""
    styles = document.styles.element
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    default = "Normal"
    for style in styles.iterchildren(_w("style")):
        if style.get(_w("type")) != "paragraph":
            continue
        sid = style.get(_w("styleId"), "")
        name_el = style.find(_w("name"))
        name = (name_el.get(_w("val"), "") if name_el is not None else "").lower()
        names[name] = sid
        names.setdefault(sid.lower(), sid)
        if style.get(_w("default")) in ("1", "true"):
            default = sid
    for kind, candidates in (
        ("Heading1", ("heading1", "heading 1", "titre 1", "titre1")),
        ("Heading2", ("heading2", "heading 2", "titre 2", "titre2")),
    ):
        ids[kind] = next((names[c] for c in candidates if c in names), default)
    ids["Normal"] = default
    return ids, names


def redline_bytes(
    diff: DocumentDiff, summary: bool = True, author: str = AUTHOR, date: str = DATE
) -> bytes:
    """The redline .docx as bytes; its changes are signed `author` on `date` (ISO 8601)."""

    document, elements = _base_document(diff)
    document.core_properties.author = author
    document.core_properties.title = "Comparaison de deux versions d'une convention"
    body = document.element.body
    styles, names = _style_ids(document)
    sect_pr = body.find(_w("sectPr"))
    kept = [child for child in body if child is not sect_pr]
    for child in kept:
        body.remove(child)
    if summary:
        write_summary(document, diff)
        document.add_section(WD_SECTION.NEW_PAGE)  # the summary's own section ends here
    for child in kept:
        if sect_pr is not None:
            sect_pr.addprevious(child)
        else:
            body.append(child)
    ids = _Ids(author, date)
    paras = body_paragraphs(diff)
    if not paras or paras[-1].mark != EQUAL:
        paras.append(_Para("Normal", []))  # Word cannot delete the last paragraph mark
    in_place = False
    removed_notes: list[tuple[str, etree._Element]] = []
    if elements is not None:
        element_of = {
            id(block): elements[block.paragraph - 1]
            for block in diff.new.body()
            if block.paragraph is not None and 0 < block.paragraph <= len(elements)
        }
        older = _OlderParagraphs.of(diff, document)
        in_place = _write_in_place(diff.new.body(), paras, element_of, ids, styles, names, older)
        if in_place:
            removed_notes = _removed_notes(diff, element_of, ids)
    if not in_place:
        for child in kept:
            body.remove(child)
        for para in paras:
            element = paragraph_xml(replace(para, style=styles.get(para.style, para.style)), ids)
            if sect_pr is not None:
                sect_pr.addprevious(element)
            else:
                body.append(element)
    _track_revisions(document.settings.element)
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    if elements is not None:
        data = _track_other_parts(data, diff, ids, styles, names, removed_notes)
    return data


def write_redline(
    diff: DocumentDiff, path: Path, summary: bool = True, author: str = AUTHOR, date: str = DATE
) -> None:
    """Write the redline to `path` (.docx), atomically; refused if `path` is a compared file."""
    check_output(path, [diff.old.path, diff.new.path])
    write_atomic(path, redline_bytes(diff, summary, author, date))
