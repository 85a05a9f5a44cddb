"""The parts of a convention: title, parties, sommaire, préambule, articles, closing, annexes.

`split_sections(doc)` cuts a `DocumentText` into `Section`s whatever the heading style of its
author: "Article 1 : Objet", "Article 1 – Objet", "ARTICLE 1er -", "Art. 1", "Article IX",
Markdown artefacts ("### **Article 1 – …**"), sub-articles ("6.1 Durée", "**9.1** - Les
stipulations…", "1) L'organisme" inside Article 4). Word heading styles are trusted when the
document has them; otherwise (PDF, text) the text patterns decide. A sommaire ("Article 1 –
Objet … p 4", dot leaders) is recognised as such so that its lines are never taken for articles.

Check and diff both build on this module: check to say in which article a finding is, diff to
align articles across two versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from convgen.compose.french import from_roman
from convgen.read.extract import DocumentText, TextBlock
from convgen.read.textnorm import fold_line


class Kind(StrEnum):
    """What a section of a convention is (its value is what reports and JSON write)."""

    TITRE = "titre"
    PARTIES = "parties"
    SOMMAIRE = "sommaire"
    PREAMBULE = "preambule"
    ARTICLE = "article"
    CLOTURE = "cloture"
    ANNEXE = "annexe"


KINDS = tuple(Kind)

# Kind → label shown to users for sections that have no number.
KIND_LABELS = {
    Kind.TITRE: "Titre",
    Kind.PARTIES: "Parties",
    Kind.SOMMAIRE: "Sommaire",
    Kind.PREAMBULE: "Préambule",
    Kind.CLOTURE: "Signatures",
    Kind.ANNEXE: "Annexe",
    Kind.ARTICLE: "Article",
}


@dataclass
class Section:
    """One part of a convention; articles may hold sub-articles in `children`.

    `blocks` holds the section's own paragraphs (heading excluded). For an article with
    sub-articles, `blocks` are the paragraphs before its first sub-article; each child holds its
    own heading and paragraphs. `iter_blocks()` gives everything in document order.
    """

    kind: Kind
    number: str | None
    label: str
    title: str
    heading: TextBlock | None = None
    blocks: list[TextBlock] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    # "Titre II", "Chapitre 3": the division the article stands in, for documents divided so.
    # Articles may restart in each title: Titre II, article 1 is not Titre I, article 1.
    division: str | None = None

    def iter_blocks(self, include_heading: bool = True) -> Iterator[TextBlock]:
        """Every block of the section in document order, sub-articles included."""
        if include_heading and self.heading is not None:
            yield self.heading
        yield from self.blocks
        for child in self.children:
            yield from child.iter_blocks(include_heading=True)


# --------------------------------------------------------------------------- patterns

_MARKUP = re.compile(r"^\s*#{1,6}\s*|\*\*|__|</?sup>|</?b>|</?strong>", re.IGNORECASE)
_SEP = r"\s*(?:[:.\-–—)]\s*)?"
_ARTICLE = re.compile(
    r"^(?:article|art\.?)\s*(?P<num>premier|\d+(?:\.\d+)*|[IVXLCDM]+)"
    r"(?P<suffix>er|ère|ème|e)?(?![\w])(?P<sep>" + _SEP + r")(?P<title>.*)$",
    re.IGNORECASE,
)
_ARTICLE_START = re.compile(r"^[\s#*_]*art", re.IGNORECASE)  # cheap test before cleaning
_SUBARTICLE = re.compile(r"^(?P<num>\d+(?:\.\d+)+)\.?(?![\d\w])(?P<sep>" + _SEP + r")(?P<rest>.*)$")
_PAREN_SUB = re.compile(r"^(?P<num>\d{1,2})\)\s*(?P<title>\S.*)$")
_PREAMBULE = re.compile(
    r"^(pr[ée]ambule|expos[ée] des motifs|il a [ée]t[ée] (pr[ée]alablement )?expos[ée] "
    r"ce qui suit)\s*:?$",
    re.IGNORECASE,
)
_PARTIES = re.compile(r"^(?i:entre)\b|\b(ENTRE|Entre)\s*[,:]?$")
_CLOSING = re.compile(
    r"^(fait\s+(à|a|en|le)\b|en\s+(deux|trois|quatre|cinq|\d+)\s+exemplaires\b|lu et approuv)",
    re.IGNORECASE,
)
_ANNEXE = re.compile(
    r"^annexe\s+(?P<num>n°\s*\d+|\d+|[IVXLC]+|[A-Z])(?![\w])(?P<sep>" + _SEP + r")(?P<title>.*)$",
    re.IGNORECASE,
)
# "TITRE II – Dispositions financières", "Chapitre 1er", "PARTIE 2 :".
_DIVISION = re.compile(
    r"^(?P<kind>titre|chapitre|partie)\s+(?P<num>premier|\d+|[IVXLC]+)(?:er)?(?![\w])"
    r"(?P<sep>" + _SEP + r")(?P<title>.*)$",
    re.IGNORECASE,
)
_ANNEXES = re.compile(r"^annexes\s*:?$", re.IGNORECASE)
_SOMMAIRE = re.compile(r"(sommaire|tabledesmati[eè]res)$", re.IGNORECASE)
# A sommaire line ends with its page ("\tp\t4", "..... p 6", "p" with the number on the next
# line) or is a lone page number.
_TOC_LINE = re.compile(
    r"((\.{4,}|…{2,})[\t ]*((?:p\.?|§)[\t ]*\d*|\d+)\s*$)|([\t ]p\.?[\t ]*\d*\s*$)|(\t\s*\d+\s*$)"
    r"|(^\d{1,3}$)",
    re.IGNORECASE,
)
MAX_HEADING = 160


@lru_cache(maxsize=4096)
def clean_heading_text(text: str) -> str:
    """Text of a paragraph without extraction artefacts (`###`, `**`, `<sup>`) and folded."""
    return fold_line(_MARKUP.sub("", text)).strip()


def roman_to_int(roman: str) -> int | None:
    """Value of an upper-case Roman numeral (1 to 399), None if it is not a well-formed one."""
    if not roman.isupper():
        return None
    value = from_roman(roman)
    return value if value is not None and value < 400 else None


def normalise_number(raw: str) -> str | None:
    """ "1er" → "1", "premier" → "1", "IX" → "9", "04.1" → "4.1"; None if not a number."""
    raw = raw.strip()
    if raw.lower() == "premier":
        return "1"
    if re.fullmatch(r"\d+(\.\d+)*", raw):
        return ".".join(str(int(p)) for p in raw.split("."))
    value = roman_to_int(raw)
    # Lone L, C, D, M are words in body text far more often than article numbers.
    if value is None or raw in ("L", "C", "D", "M") or value > 60:
        return None
    return str(value)


@dataclass(frozen=True)
class _Heading:
    kind: Kind
    number: str | None
    label: str
    title: str
    inline_body: bool = False  # "9.1 - Les stipulations…": the heading line is also body text


def _looks_like_title(title: str, has_sep: bool) -> bool:
    if not title:
        return True
    if not has_sep and not (title[0].isupper() or title[0].isdigit() or title[0] in "«\"'("):
        return False  # "Article 4 de la loi…" is a sentence, not a heading
    return not (title.endswith(".") and len(title.split()) > 15)


@lru_cache(maxsize=4096)  # a batch's documents repeat most of their paragraphs
def parse_article_heading(text: str) -> _Heading | None:
    """Recognise "Article 1 : Objet", "ARTICLE 1er -", "Art. 4", "Article IX"; None otherwise."""
    if not _ARTICLE_START.match(text):
        return None
    clean = clean_heading_text(text)
    if len(clean) > MAX_HEADING:
        return None
    m = _ARTICLE.match(clean)
    if not m:
        return None
    raw = m.group("num")
    if raw.isalpha() and raw.lower() != "premier" and raw != raw.upper():
        return None  # roman numerals are written in capitals
    number = normalise_number(raw)
    if number is None:
        return None
    title = m.group("title").strip(" :–—-.")
    if not _looks_like_title(m.group("title").strip(), bool(m.group("sep").strip())):
        return None
    label = clean[: m.start("title")].rstrip(" :–—-")
    return _Heading(Kind.ARTICLE, number, label, title)


_SOMMAIRE_END = re.compile(r"s\s?o\s?m\s?m\s?a\s?i\s?r\s?e\s*$", re.IGNORECASE)
_DIVISION_START = re.compile(r"^[\s#*_]*(titre|chapitre|partie)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def parse_division(text: str) -> str | None:
    """ "Titre II" for "TITRE II – Dispositions financières", "Chapitre 1" for "Chapitre 1er"."""
    if not _DIVISION_START.match(text):
        return None
    clean = clean_heading_text(text)
    m = _DIVISION.match(clean)
    if m is None or len(clean) > 120:
        return None
    raw = m.group("num")
    if raw.isalpha() and raw.lower() != "premier" and raw != raw.upper():
        return None
    number = normalise_number(raw)
    if number is None or not _looks_like_title(
        m.group("title").strip(), bool(m.group("sep").strip())
    ):
        return None
    if is_toc_line(clean):
        return None
    shown = "1er" if raw.lower() == "premier" else raw
    return f"{m.group('kind').capitalize()} {shown}"


def is_toc_line(text: str) -> bool:
    """A sommaire entry: ends with a page number ("p 4", tab + number) or has dot leaders."""
    return bool(_TOC_LINE.search(text.rstrip()))


def _is_sommaire_title(text: str) -> bool:
    compact = re.sub(r"\s+", "", clean_heading_text(text)).lower()
    return bool(_SOMMAIRE.search(compact)) and len(compact) < 200


# --------------------------------------------------------------------------- splitting


class _Splitter:
    def __init__(self, doc: DocumentText) -> None:
        self.blocks = doc.body()
        self.styled = (
            sum(
                1
                for b in self.blocks
                if b.outline_level is not None and parse_article_heading(b.text)
            )
            >= 2
        )
        # Word lists that number styled article headings: a paragraph of the same list and
        # level is a heading too, even numbered directly rather than through the style.
        self.heading_lists = {
            b.list_level
            for b in self.blocks
            if b.list_level and b.outline_level is not None and parse_article_heading(b.text)
        }
        self.sections: list[Section] = []
        self.article: Section | None = None  # current top-level article (for sub-articles)
        self.seen_body = False  # a préambule or an article has started
        self.division: str | None = None  # the current "Titre II"

    def _open(self, kind: Kind, heading: TextBlock | None, h: _Heading | None = None) -> Section:
        section = Section(
            kind=kind,
            number=h.number if h else None,
            label=h.label if h else KIND_LABELS[kind],
            title=h.title if h else "",
            heading=heading,
            division=self.division if kind == Kind.ARTICLE else None,
        )
        self.sections.append(section)
        self.article = section if kind == Kind.ARTICLE else None
        return section

    def _current(self) -> Section:
        if not self.sections or self.sections[-1].kind == Kind.SOMMAIRE:
            # What follows a sommaire is the title page again, until "Entre" or the préambule.
            self._open(Kind.TITRE, None)
        last = self.sections[-1]
        return last.children[-1] if last.children else last

    def _sub_heading(self, block: TextBlock) -> _Heading | None:
        if self.article is None or self.article.number is None:
            return None
        clean = clean_heading_text(block.text)
        parent = self.article.number
        m = _SUBARTICLE.match(clean)
        if m and m.group("num").split(".")[0] == parent.split(".")[0]:
            number = normalise_number(m.group("num"))
            rest = m.group("rest").strip()
            inline = len(rest) > 100 or (rest.endswith((".", ";")) and len(rest.split()) > 8)
            title = "" if inline else rest.strip(" :–—-")
            label = clean[: m.end("num")]
            return _Heading(Kind.ARTICLE, number, label, title, inline_body=inline)
        m = _PAREN_SUB.match(clean)
        if m and len(clean) <= 80 and not clean.endswith((".", ";", ",", ":")):
            title = m.group("title").strip()
            if title[:1].isupper() or title[:1] in "«\"'":
                return _Heading(Kind.ARTICLE, f"{parent}.{int(m.group('num'))}", clean[:2], title)
        return None

    def _article_heading(self, block: TextBlock) -> _Heading | None:
        h = parse_article_heading(block.text)
        if h is None:
            return None
        if self.styled and block.outline_level is None:
            if block.list_level is None or block.list_level not in self.heading_lists:
                return None
        return h

    def split(self) -> list[Section]:
        i = 0
        while i < len(self.blocks):
            if not self.seen_body and self._sommaire_starts(i):
                i = self._take_sommaire(i)
            else:
                self._place(self.blocks[i])
                i += 1
        return self.sections

    def _place(self, block: TextBlock) -> None:
        """Open the section `block` starts, or add it to the current one."""
        clean = clean_heading_text(block.text)
        h = self._article_heading(block) if clean else None
        ends_part = self._in_kind(Kind.CLOTURE, Kind.ANNEXE)
        if h is None and clean and not ends_part:
            division = parse_division(block.text)
            if division is not None and (block.outline_level is not None or not self.styled):
                self.division = division
        if h is not None:
            self._open(Kind.ARTICLE, block, h)
            self.seen_body = True
        elif clean and _PREAMBULE.match(clean) and not ends_part:
            self._open(Kind.PREAMBULE, block)
            self.seen_body = True
        elif (
            self.seen_body
            and clean
            and len(clean) <= 200
            and (_ANNEXE.match(clean) or _ANNEXES.match(clean))
        ):
            self._open_annexe(block, clean)
        elif self.seen_body and clean and _CLOSING.match(clean) and not ends_part:
            self._open(Kind.CLOTURE, None).blocks.append(block)
        elif (
            not self.seen_body
            and clean
            and _PARTIES.search(clean)
            and not self._in_kind(Kind.PARTIES)
        ):
            self._open(Kind.PARTIES, None).blocks.append(block)
        elif clean and (sub := self._sub_heading(block)) is not None and self.article is not None:
            child = Section(
                Kind.ARTICLE,
                sub.number,
                sub.label,
                sub.title,
                heading=block,
                division=self.division,
            )
            self.article.children.append(child)
        elif (
            self.styled
            and self.seen_body
            and block.outline_level == 0
            and 0 < len(clean) <= 120
            and not ends_part
        ):
            self._open(Kind.ARTICLE, block, _Heading(Kind.ARTICLE, None, clean, clean))
        else:
            self._current().blocks.append(block)

    def _in_kind(self, *kinds: Kind) -> bool:
        return bool(self.sections) and self.sections[-1].kind in kinds

    def _open_annexe(self, block: TextBlock, clean: str) -> None:
        m = _ANNEXE.match(clean)
        if m is None:
            self._open(Kind.ANNEXE, block, _Heading(Kind.ANNEXE, None, "Annexes", ""))
            return
        raw = re.sub(r"(?i)^n°\s*", "", m.group("num"))
        num = normalise_number(raw) or raw
        title = m.group("title").strip(" :–—-.")
        self._open(Kind.ANNEXE, block, _Heading(Kind.ANNEXE, None, f"Annexe {num}", title))

    def _sommaire_starts(self, i: int) -> bool:
        text = self.blocks[i].text
        if _is_sommaire_title(text) or _SOMMAIRE_END.search(text):
            return True
        # No "Sommaire" title: two entries in a row are enough.
        return (
            is_toc_line(text) and i + 1 < len(self.blocks) and is_toc_line(self.blocks[i + 1].text)
        )

    def _take_sommaire(self, i: int) -> int:
        """Put the sommaire's blocks in one section; return the index of the next block.

        Entries may be separated by short lines that are not entries themselves ("Annexes",
        "La convention", a heading wrapped onto two lines): up to two such lines are taken
        when an entry follows them.
        """
        first = self.blocks[i]
        is_title = _is_sommaire_title(first.text) or not is_toc_line(first.text)
        if is_title and not is_toc_line(first.text) and self._text_before_sommaire(first.text):
            self._current().blocks.append(first)  # "Convention de … S o m m a i r e" merged
            section = self._open(Kind.SOMMAIRE, None)
        else:
            section = self._open(Kind.SOMMAIRE, first if is_title else None)
            if not is_title:
                section.blocks.append(first)
        j = i + 1
        last_entry = i
        while j < len(self.blocks) and j - last_entry <= 3:
            if is_toc_line(self.blocks[j].text):
                for k in range(last_entry + 1, j + 1):
                    section.blocks.append(self.blocks[k])
                last_entry = j
            j += 1
        return last_entry + 1

    @staticmethod
    def _text_before_sommaire(text: str) -> bool:
        compact = re.sub(r"\s+", "", clean_heading_text(text)).lower()
        return len(compact) > len("sommaire") + 12


def split_sections(doc: DocumentText) -> list[Section]:
    """Cut the body of `doc` into sections, in document order.

    The cut depends on each paragraph's text only through what `_text_facts` says of it: the
    documents of a batch, which differ in the paragraphs that name their own party (« Fait
    à Le Teil, le … » is a closing line whatever the commune), are cut once per distinct
    sequence of facts and the cut is replayed on the others' paragraphs.
    """
    blocks = doc.body()
    key = tuple(_block_key(b) for b in blocks)
    recipe = _CUTS.get(key)
    if recipe is not None:
        return [_replay(r, blocks) for r in recipe]
    sections = _Splitter(doc).split()
    index = {id(b): i for i, b in enumerate(blocks)}
    if len(_CUTS) >= 256:
        _CUTS.clear()
    _CUTS[key] = tuple(_recipe(section, index) for section in sections)
    return sections


@lru_cache(maxsize=4096)
def _text_facts(text: str) -> tuple[object, ...]:
    """Everything `_Splitter` reads of a paragraph's text: two paragraphs with the same facts
    (and the same outline and list levels) are placed the same way and give the same labels.
    Most paragraphs have none: all are false."""
    clean = clean_heading_text(text)
    sub = _SUBARTICLE.match(clean)
    paren = _PAREN_SUB.match(clean)
    annexe = _ANNEXE.match(clean)
    annexes = bool(_ANNEXES.match(clean))
    toc, title, end = is_toc_line(text), _is_sommaire_title(text), bool(_SOMMAIRE_END.search(text))
    return (
        bool(clean),
        parse_article_heading(text),
        parse_division(text),
        bool(_PREAMBULE.match(clean)),
        (annexe.group("num"), annexe.group("title")) if annexe else None,
        annexes,
        len(clean) <= 200 if annexe or annexes else None,
        bool(_CLOSING.match(clean)),
        bool(_PARTIES.search(clean)),
        (sub.group("num"), sub.group("rest"), clean[: sub.end("num")]) if sub else None,
        (paren.group("num"), paren.group("title"), clean[:2], len(clean), clean[-1:])
        if paren
        else None,
        toc,
        title,
        end,
        # read only of a paragraph that may start a sommaire
        _Splitter._text_before_sommaire(text) if toc or title or end else None,
    )


def _block_key(block: TextBlock) -> tuple[object, ...]:
    # A paragraph with an outline level may be a heading by its whole text (styled documents).
    own = clean_heading_text(block.text) if block.outline_level is not None else None
    return (_text_facts(block.text), block.outline_level, block.list_level, own)


# A cut: (kind, number, label, title, heading index, block indexes, children, division).
_Recipe = tuple[
    Kind, str | None, str, str, int | None, tuple[int, ...], tuple[Any, ...], str | None
]
_CUTS: dict[tuple[object, ...], tuple[_Recipe, ...]] = {}


def _recipe(section: Section, index: dict[int, int]) -> _Recipe:
    return (
        section.kind,
        section.number,
        section.label,
        section.title,
        index[id(section.heading)] if section.heading is not None else None,
        tuple(index[id(b)] for b in section.blocks),
        tuple(_recipe(child, index) for child in section.children),
        section.division,
    )


def _replay(recipe: _Recipe, blocks: list[TextBlock]) -> Section:
    kind, number, label, title, heading, own, children, division = recipe
    return Section(
        kind,
        number,
        label,
        title,
        heading=blocks[heading] if heading is not None else None,
        blocks=[blocks[i] for i in own],
        children=[_replay(child, blocks) for child in children],
        division=division,
    )


def section_label(section: Section) -> str:
    """Label used by `article_label_of_blocks`: "4", "4.1", "Préambule", "Annexe 2"."""
    if section.kind == Kind.ARTICLE:
        return section.number or section.title or section.label
    if section.kind == Kind.ANNEXE:
        return section.label
    return KIND_LABELS[section.kind]


def article_label_of_blocks(doc: DocumentText) -> dict[int, str]:
    """Map the index of each body block in `doc.blocks` to the label of its section.

    Keys are indexes into `doc.blocks` (header and footer blocks have no entry); values are
    "4" for Article 4, "4.1" for its first sub-article, "Préambule", "Parties", "Signatures"…
    """
    index_of = {id(b): i for i, b in enumerate(doc.blocks)}
    labels: dict[int, str] = {}

    def visit(section: Section) -> None:
        label = section_label(section)
        if section.heading is not None and id(section.heading) in index_of:
            labels[index_of[id(section.heading)]] = label
        for block in section.blocks:
            if id(block) in index_of:
                labels[index_of[id(block)]] = label
        for child in section.children:
            visit(child)

    for section in split_sections(doc):
        visit(section)
    return labels
