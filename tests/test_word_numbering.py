"""Word list numbering read as Word draws it, with LibreOffice as the oracle.

Each case is a .docx built the way Word writes it: python-docx for the package, then
`word/numbering.xml` and the paragraph / style `w:numPr` written as raw OOXML. Every case is
converted to PDF by LibreOffice; the labels convgen computes must be the ones on the page.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from pypdf import PdfReader

from convgen.check.core import check_document
from convgen.read.extract import read_docx
from convgen.read.structure import split_sections
from convgen.render.libreoffice import convert_to_pdf

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W_NS}"'


def level_xml(
    ilvl: int,
    text: str,
    fmt: str = "decimal",
    start: int = 1,
    restart: int | None = None,
    legal: bool = False,
    style: str | None = None,
) -> str:
    extra = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
    extra += f'<w:pStyle w:val="{style}"/>' if style else ""
    extra += "<w:isLgl/>" if legal else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{720 * (ilvl + 1)}" w:hanging="720"/></w:pPr></w:lvl>'
    )


def numbering_xml(abstracts: dict[int, list[str]], nums: dict[int, str]) -> str:
    """`abstracts`: id → its levels' XML; `nums`: numId → the inside of its `w:num`."""
    parts = [f"<w:numbering {NS}>"]
    for aid, levels in abstracts.items():
        parts.append(
            f'<w:abstractNum w:abstractNumId="{aid}"><w:multiLevelType w:val="multilevel"/>'
            + "".join(levels)
            + "</w:abstractNum>"
        )
    for nid, inner in nums.items():
        parts.append(f'<w:num w:numId="{nid}">{inner}</w:num>')
    parts.append("</w:numbering>")
    return "".join(parts)


@dataclass(frozen=True)
class Para:
    text: str
    style: str | None = None  # a style id defined by `styles`
    num: int | None = None  # direct numbering: w:numId
    ilvl: int | None = None  # direct numbering: w:ilvl


def build_docx(
    path: Path,
    paragraphs: list[Para],
    numbering: str,
    styles: dict[str, tuple[int | None, int | None, int]] | None = None,
) -> Path:
    """A .docx whose `numbering.xml` is `numbering`.

    `styles`: style id → (numId, ilvl, outline level) of a paragraph style written with its own
    `w:numPr` (ilvl None: the style gives no level), as Word's « Titre 1 » linked to a list.
    """
    document = docx.Document()
    for sid, (num, ilvl, outline) in (styles or {}).items():
        style = document.styles.add_style(sid, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        numpr = ""
        if num is not None:
            lvl = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
            numpr = f'<w:numPr>{lvl}<w:numId w:val="{num}"/></w:numPr>'
        ppr = parse_xml(
            f'<w:pPr {NS}><w:keepNext/>{numpr}<w:outlineLvl w:val="{outline}"/></w:pPr>'
        )
        style.element.append(ppr)
    for para in paragraphs:
        p = document.add_paragraph(para.text)
        if para.style:
            p.style = document.styles[para.style]
        if para.num is not None or para.ilvl is not None:
            lvl = f'<w:ilvl w:val="{para.ilvl}"/>' if para.ilvl is not None else ""
            num = f'<w:numId w:val="{para.num}"/>' if para.num is not None else ""
            p._p.get_or_add_pPr().append(parse_xml(f"<w:numPr {NS}>{lvl}{num}</w:numPr>"))
    document.save(str(path))
    _replace_member(path, "word/numbering.xml", numbering.encode())
    return path


def _replace_member(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as src:
        members = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, content in members:
            out.writestr(info, data if info.filename == name else content)


ARTICLE = level_xml(0, "Article %1")
TITRE_ARTICLE = {
    # articles run on across titles
    "suivis": [level_xml(0, "TITRE %1", "upperRoman"), level_xml(1, "Article %2", restart=0)],
    # articles restart in each title (Word's default)
    "reprise": [level_xml(0, "TITRE %1", "upperRoman"), level_xml(1, "Article %2")],
}


def _cases() -> dict[str, tuple[list[Para], str, dict[str, tuple[int | None, int | None, int]]]]:
    art = {"ArticleTitre": (1, 0, 0)}
    return {
        # a heading numbered by its style, one with direct numbering on the same list
        "style-et-direct": (
            [
                Para("Objet", "ArticleTitre"),
                Para("Le texte de l'objet."),
                Para("Durée", "ArticleTitre"),
                Para("Engagements", num=1, ilvl=0),
                Para("Résiliation", "ArticleTitre"),
            ],
            numbering_xml({0: [ARTICLE]}, {1: '<w:abstractNumId w:val="0"/>'}),
            art,
        ),
        # « Définir la valeur de numérotation » : the list was broken by a pasted paragraph
        # and set back to 3 by a second w:num with startOverride
        "start-override": (
            [
                Para("Objet", "ArticleTitre"),
                Para("Durée", "ArticleTitre"),
                Para("Financement", num=2),
                Para("Voir l'article 4 pour la résiliation."),
                Para("Résiliation", num=2),
            ],
            numbering_xml(
                {0: [ARTICLE]},
                {
                    1: '<w:abstractNumId w:val="0"/>',
                    2: '<w:abstractNumId w:val="0"/>'
                    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/></w:lvlOverride>',
                },
            ),
            art,
        ),
        # two w:num over one w:abstractNum: Word continues one counter
        "deux-num-un-abstract": (
            [
                Para("Objet", num=1, ilvl=0),
                Para("Durée", num=1, ilvl=0),
                Para("Un paragraphe entre deux."),
                Para("Financement", num=3, ilvl=0),
                Para("Résiliation", num=3, ilvl=0),
            ],
            numbering_xml(
                {0: [ARTICLE]},
                {1: '<w:abstractNumId w:val="0"/>', 3: '<w:abstractNumId w:val="0"/>'},
            ),
            {},
        ),
        "titres-articles-suivis": (
            [
                Para("Dispositions générales", "Titre", ilvl=None),
                Para("Objet", "Art"),
                Para("Durée", "Art"),
                Para("Dispositions financières", "Titre"),
                Para("Montant", "Art"),
                Para("Versement", "Art"),
            ],
            numbering_xml({0: TITRE_ARTICLE["suivis"]}, {1: '<w:abstractNumId w:val="0"/>'}),
            {"Titre": (1, 0, 0), "Art": (1, 1, 1)},
        ),
        "titres-articles-repris": (
            [
                Para("Dispositions générales", "Titre"),
                Para("Objet", "Art"),
                Para("Durée", "Art"),
                Para("Dispositions financières", "Titre"),
                Para("Montant", "Art"),
                Para("Versement", "Art"),
            ],
            numbering_xml({0: TITRE_ARTICLE["reprise"]}, {1: '<w:abstractNumId w:val="0"/>'}),
            {"Titre": (1, 0, 0), "Art": (1, 1, 1)},
        ),
        # "%1.%2" with a roman first level and w:isLgl: "2.1", not "II.1"
        "is-lgl": (
            [
                Para("Généralités", num=1, ilvl=0),
                Para("Objet", num=1, ilvl=1),
                Para("Dispositions", num=1, ilvl=0),
                Para("Montant", num=1, ilvl=1),
                Para("Versement", num=1, ilvl=1),
            ],
            numbering_xml(
                {0: [level_xml(0, "TITRE %1", "upperRoman"), level_xml(1, "%1.%2", legal=True)]},
                {1: '<w:abstractNumId w:val="0"/>'},
            ),
            {},
        ),
        # a style linked to a level by w:lvl/w:pStyle (its numPr has no ilvl); w:numId="0"
        # takes one paragraph of a numbered style out of the list
        "style-lie-et-num-zero": (
            [
                Para("Objet", "Art"),
                Para("Sous-titre sans numéro", "Art", num=0),
                Para("Durée", "Art"),
                Para("Précision", "SousArt"),
                Para("Financement", "Art"),
            ],
            numbering_xml(
                {0: [level_xml(0, "Article %1", style="Art"), level_xml(1, "%1.%2")]},
                {1: '<w:abstractNumId w:val="0"/>'},
            ),
            {"Art": (1, None, 0), "SousArt": (1, 1, 1)},
        ),
    }


EXPECTED = {
    "style-et-direct": ["Article 1", "", "Article 2", "Article 3", "Article 4"],
    "start-override": ["Article 1", "Article 2", "Article 3", "", "Article 4"],
    "deux-num-un-abstract": ["Article 1", "Article 2", "", "Article 3", "Article 4"],
    "titres-articles-suivis": [
        "TITRE I",
        "Article 1",
        "Article 2",
        "TITRE II",
        "Article 3",
        "Article 4",
    ],
    "titres-articles-repris": [
        "TITRE I",
        "Article 1",
        "Article 2",
        "TITRE II",
        "Article 1",
        "Article 2",
    ],
    "is-lgl": ["TITRE I", "1.1", "TITRE II", "2.1", "2.2"],
    "style-lie-et-num-zero": ["Article 1", "", "Article 2", "2.1", "Article 3"],
}


# LibreOffice 7.4 departs from Word in two documented ways; there the test holds convgen to Word
# (ECMA-376 and [MS-OI29500]) and records what LibreOffice draws, so an upgrade that fixes it shows:
# - w:lvlRestart is ignored on import (articles restart in each title although lvlRestart=0;
#   python-docx PR #582: "Libre Office seem[s] to ignore it");
# - w:isLgl is not supported before LibreOffice 24.2 ("I.1" where Word draws "1.1").
LIBREOFFICE_7_4_DRAWS = {
    "titres-articles-suivis": [
        "TITRE I",
        "Article 1",
        "Article 2",
        "TITRE II",
        "Article 1",
        "Article 2",
    ],
    "is-lgl": ["TITRE I", "I.1", "TITRE II", "II.1", "II.2"],
}


def _split_label(text: str, paragraph: str) -> str:
    assert text.endswith(paragraph), (text, paragraph)
    return text[: len(text) - len(paragraph)].strip()


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Every case as .docx and as the PDF LibreOffice makes of it (one soffice run)."""
    out = tmp_path_factory.mktemp("word-numbering")
    paths = {
        name: build_docx(out / f"{name}.docx", paras, numbering, styles)
        for name, (paras, numbering, styles) in _cases().items()
    }
    pdfs = convert_to_pdf(list(paths.values()), out / "pdf")
    return {name: (paths[name], pdf) for name, pdf in zip(paths, pdfs, strict=True)}


def _pdf_lines(pdf: Path) -> list[str]:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_labels_are_the_ones_libreoffice_draws(
    name: str, cases: dict[str, tuple[Path, Path]]
) -> None:
    docx_path, pdf = cases[name]
    paragraphs = _cases()[name][0]
    blocks = read_docx(docx_path).body()
    labels = [_split_label(b.text, p.text) for b, p in zip(blocks, paragraphs, strict=True)]
    assert labels == EXPECTED[name]
    # The oracle: each paragraph's line on LibreOffice's page starts with the same label.
    lines = _pdf_lines(pdf)
    assert len(lines) == len(paragraphs)
    drawn_by_libreoffice = LIBREOFFICE_7_4_DRAWS.get(name, labels)
    for line, para, label in zip(lines, paragraphs, drawn_by_libreoffice, strict=True):
        drawn = re.sub(r"\s+", "", line)
        assert drawn == re.sub(r"\s+", "", label + para.text), (name, line, label)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_false_numbering_findings(name: str, cases: dict[str, tuple[Path, Path]]) -> None:
    doc = read_docx(cases[name][0])
    findings = check_document(doc, file=name)
    assert [f for f in findings if f.rule in ("numerotation-articles", "reference-article")] == []


def test_articles_restarting_per_title_are_told_apart(cases: dict[str, tuple[Path, Path]]) -> None:
    sections = split_sections(read_docx(cases["titres-articles-repris"][0]))
    articles = [(s.division, s.number) for s in sections if s.kind == "article" and s.number]
    assert articles == [("Titre I", "1"), ("Titre I", "2"), ("Titre II", "1"), ("Titre II", "2")]


def test_duplicate_inside_one_title_is_still_found(tmp_path: Path) -> None:
    # Typed numbers this time: article 2 twice in Titre II is a real duplicate.
    paths = build_docx(
        tmp_path / "doublon.docx",
        [
            Para("TITRE I - Dispositions générales"),
            Para("Article 1 - Objet"),
            Para("Article 2 - Durée"),
            Para("TITRE II - Dispositions financières"),
            Para("Article 1 - Montant"),
            Para("Article 2 - Versement"),
            Para("Article 2 - Contrôle"),
        ],
        numbering_xml({0: [ARTICLE]}, {1: '<w:abstractNumId w:val="0"/>'}),
    )
    findings = check_document(read_docx(paths), file="doublon.docx")
    numbering = [f for f in findings if f.rule == "numerotation-articles"]
    assert [(f.text, f.location.article) for f in numbering] == [
        ("Article 2 - Contrôle", "Titre II, article 2")
    ]
