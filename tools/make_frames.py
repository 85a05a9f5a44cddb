"""Build the Word frames (`templates/<model>/cadre.docx`) of the bundled convention models.

Run `python tools/make_frames.py` from the repository root. The frames are then committed as
.docx files and legal staff edit them in Word afterwards: this script is how they were first
made, not a step of every build.

Each frame starts from python-docx's default template, because the engine writes articles,
bullets and tables with that template's style ids (`Heading1`, `Heading2`, `Heading3`,
`ListBullet`, `ListBullet2`, `TableGrid`, `TOCHeading`, `Normal`). The styles are restyled, not
renamed: A4 page, 2.5 cm margins, Calibri 11 (Carlito renders it on Linux), French language.

Every `{{ … }}` field is written by a single `add_run` call so that Word's run splitting never
separates a tag from the start, and the block markers (`{{ bloc.articles }}`…) are each alone in
their paragraph, as templates/README.md requires.

Output is deterministic: fixed core properties and fixed zip timestamps, so running the script
twice gives the same bytes (a frame only shows as changed in git when its content changed).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"

FONT = "Calibri"
LANGUAGE = "fr-FR"
DARK_BLUE = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# --------------------------------------------------------------------------- styles


def _explicit_fonts(rpr: OxmlElement, size: float | None = None) -> None:
    """Give `rpr` Calibri for every script, replacing the template's theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))


def _set_language(rpr: OxmlElement) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")


def _set_alignment(ppr: OxmlElement, value: str) -> None:
    jc = ppr.find(qn("w:jc"))
    if jc is None:
        jc = OxmlElement("w:jc")
        ppr.append(jc)
    jc.set(qn("w:val"), value)


def _restyle(
    style: ParagraphStyle,
    size: float,
    bold: bool = False,
    color: RGBColor | None = None,
    before: float = 0,
    after: float = 6,
    keep_with_next: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
) -> None:
    font = style.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = color if color is not None else RGBColor(0, 0, 0)
    _explicit_fonts(style.element.get_or_add_rPr(), size)
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_with_next
    if align is not None:
        fmt.alignment = align


def setup_styles(document: Document) -> None:
    """Restyle the default template: Calibri 11 in French, dark blue headings, A4 margins."""
    styles = document.styles
    # Document defaults: every style not based on Normal (tables, header) inherits these.
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _explicit_fonts(rpr_default, 11)
    _set_language(rpr_default)

    # Body text is justified through the document defaults rather than the Normal style, so
    # that the TableGrid style (below) can left-align the engine's table cells: Word applies
    # defaults, then table style, then paragraph style.
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        defaults.append(ppr_default)
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        ppr_default.append(ppr)
    _set_alignment(ppr, "both")
    # Widow and orphan control: a paragraph never leaves its first or last line alone on a
    # page (Word and LibreOffice both read it from the document defaults).
    if ppr.find(qn("w:widowControl")) is None:
        ppr.insert(0, OxmlElement("w:widowControl"))
    grid_ppr = styles["Table Grid"].element.get_or_add_pPr()
    _set_alignment(grid_ppr, "left")

    normal = styles["Normal"]
    _restyle(normal, 11, after=6)
    _set_language(normal.element.get_or_add_rPr())
    normal.paragraph_format.line_spacing = 1.08

    _restyle(styles["Title"], 16, bold=True, color=DARK_BLUE, before=0, after=12,
             align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    title_ppr = styles["Title"].element.get_or_add_pPr()
    border = title_ppr.find(qn("w:pBdr"))
    if border is not None:  # the default template underlines titles with a blue rule
        title_ppr.remove(border)
    styles["Title"].font.all_caps = False
    spacing = styles["Title"].element.rPr.find(qn("w:spacing"))
    if spacing is not None:
        styles["Title"].element.rPr.remove(spacing)

    _restyle(styles["Heading 1"], 12.5, bold=True, color=DARK_BLUE, before=16, after=6,
             keep_with_next=True, align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    _restyle(styles["Heading 2"], 11.5, bold=True, color=DARK_BLUE, before=10, after=4,
             keep_with_next=True, align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    _restyle(styles["Heading 3"], 11, bold=True, color=DARK_BLUE, before=10, after=4,
             keep_with_next=True, align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    _restyle(styles["TOC Heading"], 14, bold=True, color=DARK_BLUE, before=0, after=12,
             keep_with_next=True, align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    for name in ("List Bullet", "List Bullet 2"):
        styles[name].paragraph_format.space_after = Pt(3)
    for name in ("Header", "Footer"):
        _restyle(styles[name], 9, color=GREY, after=0)


def setup_page(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    section.header_distance = Cm(1.25)
    section.footer_distance = Cm(1.25)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """Append a Word field (PAGE, NUMPAGES…) whose last computed value is `shown`."""

    def fld_char(kind: str) -> None:
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    fld_char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(shown)
    fld_char("end")


def setup_header_footer(document: Document, short_title: str) -> None:
    """Header: the convention's short title; footer: « Page X sur Y » with real fields."""
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run(short_title)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE", "1")
    footer.add_run(" sur ")
    _field(footer, "NUMPAGES", "1")


# --------------------------------------------------------------------------- content helpers


def para(
    document: Document,
    *pieces: str | tuple[str, str],
    style: str | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    keep_with_next: bool = False,
    after: float | None = None,
    before: float | None = None,
) -> Paragraph:
    """Add a paragraph made of `pieces`, each one run (so a `{{ … }}` tag is never split)."""
    paragraph = document.add_paragraph(style=style)
    for piece in pieces:
        text, marks = (piece, "") if isinstance(piece, str) else piece
        run = paragraph.add_run(text)
        run.bold = True if "b" in marks else None
        run.italic = True if "i" in marks else None
    if align is not None:
        paragraph.alignment = align
    if keep_with_next:
        paragraph.paragraph_format.keep_with_next = True
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    return paragraph


def block(document: Document, name: str) -> None:
    """A block marker alone in its paragraph, replaced by the engine (articles, annexes…)."""
    document.add_paragraph("{{ bloc." + name + " }}")


def title(document: Document, *lines: str) -> None:
    """The convention's title (Title style, centred); several lines are joined by line breaks."""
    paragraph = document.add_paragraph(style="Title")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)


def page_break(document: Document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _no_borders(table_element: OxmlElement) -> None:
    tbl_pr = table_element.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def signatures(
    document: Document,
    left: list[str | tuple[str, str]],
    right: list[str | tuple[str, str]],
    names: tuple[str, str],
) -> None:
    """The signature block: a borderless two-column table.

    The first row holds each party's title lines (« Pour le CCAS de Poitiers, », « La
    Présidente, »); the second leaves room to sign, then the signatories' names, which therefore
    stay aligned even when one title wraps onto more lines than the other.
    """
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table._tbl)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    titles, signed = table.rows
    for cell, lines in zip(titles.cells, (left, right), strict=True):
        _cell_lines(cell, lines)
    for cell, name in zip(signed.cells, names, strict=True):
        _cell_lines(cell, ["", "", "", name], keep_with_next=False)


def _cell_lines(cell, lines: list[str | tuple[str, str]], keep_with_next: bool = True) -> None:
    """Write `lines` into `cell`, one left-aligned paragraph each ("" leaves a blank line)."""
    cell.width = Cm(8)
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.keep_with_next = keep_with_next
        if line:
            text, marks = (line, "") if isinstance(line, str) else line
            run = paragraph.add_run(text)
            run.bold = True if "b" in marks else None


# --------------------------------------------------------------------------- the three frames


def possessive(party: str) -> str:
    """A field writing « sa » or « son » before the party's representative's title."""
    return "{{ 'sa' if " + party + ".representant_genre == 'féminin' else 'son' }}"


def article(party: str) -> str:
    """A field writing « La » or « Le » before the party's representative's title."""
    return "{{ 'La' if " + party + ".representant_genre == 'féminin' else 'Le' }}"


def mutuelle_communale(document: Document) -> None:
    """Seed 000: CCAS de Poitiers ↔ organisme mutuel (mutuelle communale)."""
    title(
        document,
        "Convention de partenariat pour la mise en place d’une Mutuelle communale pour les "
        "habitants de la Ville {{ ccas.commune | de_lieu }}",
    )
    para(document, "Entre,")
    para(
        document,
        "Le {{ ccas.nom }}",
        ", représenté par ",
        possessive("ccas"),
        " {{ ccas.representant_qualite }}",
        ", ",
        "{{ ccas.representant }}",
        ", dument ",
        "{{ 'habilitée' if ccas.representant_genre == 'féminin' else 'habilité' }}",
        " par la délibération du Conseil d’administration n°",
        "{{ ccas.deliberation_numero }}",
        " du ",
        "{{ ccas.deliberation_date | date }}",
        ",",
    )
    para(document, "Ci-après dénommé le « ", "{{ ccas.nom_court }}", " » ;")
    para(document, "Et,")
    para(
        document,
        "{{ organisme.nom }}",
        ", ",
        "{{ organisme.forme }}",
        ", représenté par ",
        "{{ organisme.representant }}",
        ", ",
        "{{ organisme.representant_qualite }}",
        ",",
    )
    para(document, "Ci-après dénommé « l’organisme » ;")
    para(document, "Préambule", style="Heading 1")
    block(document, "preambule")
    block(document, "articles")
    para(
        document,
        "Fait ",
        "{{ convention.lieu_signature | a_lieu }}",
        ", le ",
        "{{ convention.date_signature | date }}",
        keep_with_next=True,
        before=18,
    )
    para(document, "En ", "{{ convention.exemplaires | lettres }}", " exemplaires,",
         keep_with_next=True, after=18)  # fmt: skip
    signatures(
        document,
        [
            "Pour le {{ ccas.nom_court }} {{ ccas.commune | de_lieu }},",
            article("ccas") + " {{ ccas.representant_qualite | capitalize }},",
        ],
        ["Pour la mutuelle", "{{ organisme.representant_qualite | capitalize }},"],
        ("{{ ccas.representant }}", "{{ organisme.representant }}"),
    )


def mutuelle_communale_tripartite(document: Document) -> None:
    """Commune + its CCAS + organisme mutuel: parties and signatures from the model's list."""
    title(
        document,
        "Convention de partenariat pour la mise en place d’une mutuelle communale pour les "
        "habitants de la Commune {{ ccas.commune | de_lieu }}",
    )
    block(document, "parties")
    para(document, "Ci-après dénommés ensemble « les parties ».")
    para(document, "Préambule", style="Heading 1")
    block(document, "preambule")
    block(document, "articles")
    para(
        document,
        "Fait ",
        "{{ convention.lieu_signature | a_lieu }}",
        ", le ",
        "{{ convention.date_signature | date }}",
        ",",
        keep_with_next=True,
        before=18,
    )
    para(document, "En ", "{{ convention.exemplaires | lettres }}", " exemplaires originaux.",
         keep_with_next=True, after=18)  # fmt: skip
    block(document, "signatures")


def mutuelle_regionale(document: Document) -> None:
    """Seed 001: Commune de Saint-Chamond ↔ Mutuelle MILTIS (Mutuelle Régionale AURA)."""
    title(
        document, "CONVENTION DE PARTENARIAT", "{{ dispositif.nom }} de la {{ dispositif.region }}"
    )
    para(document, ("Entre", "b"))
    para(document, ("La Commune {{ commune.nom | de_lieu }}", "b"))
    para(document, "{{ commune.adresse }}", " ", "{{ commune.code_postal }}", " ",
         "{{ commune.ville }}")  # fmt: skip
    para(document, "Représentée par ", "{{ commune.representant }}")
    # « de Maire », « d’Adjointe au maire » : the preposition elides before a vowel.
    para(document, "En sa qualité ", "{{ commune.representant_qualite | de }}", ",")
    para(document, "Ci-après dénommée « ", ("LA COMMUNE", "b"), " »,")
    para(document, ("D’une part", "b"))
    para(document, ("Et", "b"))
    para(document, ("{{ mutuelle.nom }}", "b"))
    para(document, "{{ mutuelle.statut }}")
    para(
        document, "Immatriculée au répertoire SIRENE sous le numéro SIREN ", "{{ mutuelle.siren }}"
    )
    para(document, "Dont le siège social est situé ", "{{ mutuelle.siege }}")
    para(
        document,
        "Représentée par ",
        "{{ mutuelle.representant }}",
        ", ",
        "{{ mutuelle.representant_qualite }}",
        ",",
    )
    para(document, "Ayant tous pouvoirs à effet des présentes,")
    para(document, "Ci-après dénommée « ", ("LA MUTUELLE", "b"), " »,")
    para(document, ("D’autre part", "b"))
    para(
        document,
        "Ci-après dénommées individuellement « ",
        ("Partie", "b"),
        " » ou collectivement « ",
        ("Parties", "b"),
        " »",
    )
    para(document, "Préambule", style="Heading 1")
    block(document, "preambule")
    block(document, "articles")
    para(
        document,
        "Fait ",
        "{{ convention.lieu_signature | a_lieu }}",
        ", le ",
        "{{ convention.date_signature | date_courte }}",
        ".",
        keep_with_next=True,
        before=18,
    )
    para(
        document,
        "En ",
        "{{ convention.exemplaires }}",
        " exemplaires originaux sur ",
        "{{ document.pages | lettres | upper }}",
        " (",
        "{{ document.pages }}",
        ") pages",
        keep_with_next=True,
        after=18,
    )
    signatures(
        document,
        [
            ("Pour la {{ mutuelle.designation }},", "b"),
        ],
        [("Pour la commune {{ commune.nom | de_lieu }},", "b")],
        (
            "{{ mutuelle.representant }}, {{ mutuelle.representant_qualite }}.",
            "{{ commune.representant }}, {{ commune.representant_qualite }}.",
        ),
    )


def cpam_acces_aux_droits(document: Document) -> None:
    """Seed 004: CPAM de la Côte d'Opale ↔ a partner (access to rights, care and health)."""
    long_title = "Convention de partenariat relative à l’accès aux droits, aux soins et à la santé"
    title(document, long_title)
    block(document, "sommaire")
    page_break(document)
    title(document, long_title)
    para(document, ("ENTRE", "b"), align=WD_ALIGN_PARAGRAPH.CENTER)
    para(document, ("La {{ cpam.nom }}", "b"))
    para(document, "située au")
    para(document, "{{ cpam.adresse }}")
    para(
        document,
        "Représentée par ",
        possessive("cpam"),
        " ",
        ("{{ cpam.representant_qualite }}, {{ cpam.representant }}", "b"),
        after=18,
    )
    para(document, ("{{ partenaire.nom }}", "b"))
    # Agreement with the partner (« le CCAS » → situé, « l’association » → située): the
    # `accord` function reads the article and noun of `partenaire.designation`.
    para(
        document,
        "{{ accord(partenaire.designation, 'situé', 'située') }}",
        " ",
        "{{ partenaire.adresse }}",
    )
    para(
        document,
        "{{ accord(partenaire.designation, 'Représenté', 'Représentée') }}",
        " par ",
        possessive("partenaire"),
        " ",
        ("{{ partenaire.representant_qualite }}, {{ partenaire.representant }}", "b"),
    )
    para(document, "Préambule", style="Heading 1")
    block(document, "preambule")
    block(document, "articles")
    para(
        document,
        "Fait ",
        "{{ convention.lieu_signature | a_lieu }}",
        ", le ",
        ("{{ convention.date_signature | date_courte }}", "b"),
        keep_with_next=True,
        before=18,
        after=18,
    )
    signatures(
        document,
        [
            ("Pour {{ partenaire.designation }},", "b"),
            article("partenaire") + " {{ partenaire.representant_qualite }},",
        ],
        [
            (article("cpam") + " {{ cpam.representant_qualite }} de la", "b"),
            ("{{ cpam.nom }},", "b"),
        ],
        ("{{ partenaire.representant }}", "{{ cpam.representant }}"),
    )
    block(document, "annexes")


@dataclass
class Frame:
    model: str
    title: str
    short_title: str
    build: Callable[[Document], None]


FRAMES = [
    Frame(
        "mutuelle-communale",
        "Convention de partenariat – mutuelle communale",
        "Convention de partenariat – Mutuelle communale {{ ccas.commune | de_lieu }}",
        mutuelle_communale,
    ),
    Frame(
        "mutuelle-communale-tripartite",
        "Convention de partenariat tripartite – mutuelle communale",
        "Convention tripartite – Mutuelle communale {{ ccas.commune | de_lieu }}",
        mutuelle_communale_tripartite,
    ),
    Frame(
        "mutuelle-regionale",
        "Convention de partenariat – mutuelle régionale",
        "Convention de partenariat {{ dispositif.nom }} – Commune {{ commune.nom | de_lieu }}",
        mutuelle_regionale,
    ),
    Frame(
        "cpam-acces-aux-droits",
        "Convention CPAM – accès aux droits, aux soins et à la santé",
        "Convention d’accès aux droits, aux soins et à la santé – {{ cpam.nom_court }}",
        cpam_acces_aux_droits,
    ),
]


# --------------------------------------------------------------------------- writing


def make_frame(frame: Frame) -> bytes:
    """Return the bytes of the frame's .docx (deterministic)."""
    document = docx.Document()
    setup_styles(document)
    setup_page(document)
    setup_header_footer(document, frame.short_title)
    frame.build(document)
    props = document.core_properties
    props.title = frame.title
    props.subject = f"Cadre Word du modèle « {frame.model} » (convgen)"
    props.author = "convgen"
    props.last_modified_by = "convgen"
    props.keywords = f"convgen; cadre; {frame.model}"
    props.comments = "Produit par tools/make_frames.py ; modifiable dans Word."
    props.language = LANGUAGE
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a .docx zip with fixed timestamps (python-docx stamps members with the clock).

    The default template's thumbnail (a picture of an unrelated page, shown by file browsers)
    is dropped with its relationship and content type.
    """
    thumbnail = "docProps/thumbnail.jpeg"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == thumbnail:
                continue
            content = source.read(info)
            if info.filename == "_rels/.rels":
                content = re.sub(
                    rb"<Relationship [^>]*Target=\"docProps/thumbnail.jpeg\"/>", b"", content
                )
            elif info.filename == "[Content_Types].xml":
                content = re.sub(
                    rb"<Override PartName=\"/docProps/thumbnail.jpeg\"[^>]*/>", b"", content
                )
                content = re.sub(rb"<Default Extension=\"jpeg\"[^>]*/>", b"", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def main() -> None:
    for frame in FRAMES:
        path = TEMPLATES / frame.model / "cadre.docx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_frame(frame))
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
