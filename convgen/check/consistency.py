"""Consistency of a convention with itself: references, numbering, sommaire.

- `reference-article`: "notamment dans l'article 4.1" when there is no 4.1. Sub-parts written
  "1) L'organisme" inside Article 4 are its 4.1 (the sections of `convgen.read.structure` say so).
  References to other texts ("article L.511-1 du Code des assurances", "article 6 du RGPD") are
  not ours to check.
- `numerotation-articles`: "Article 00", an article number used twice, 9 followed by 11.
- `sommaire`: an entry of the sommaire with no article of that number in the body, or with a
  different title. Case, dashes versus colons, dot leaders and page numbers do not count:
  "Article 2 – public concerné ….. p 5" matches "Article 2 : Public concerné".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

from rapidfuzz import fuzz

from convgen.check.fields import find_empty_tables, starts_with_label
from convgen.check.hits import RULES
from convgen.check.model import ERROR, WARNING, Finding, Location
from convgen.read.extract import DocumentText, TextBlock
from convgen.read.structure import (
    Section,
    clean_heading_text,
    normalise_number,
    parse_article_heading,
)

# "4", "4.1", "1er", "IX" (roman numerals in capitals only: "l'article le plus..." is prose).
# "10-1", "L. 1111-2": numbers of codes and laws, taken whole so that what follows them ("de la
# loi…") says they are another text's.
_NUM = r"(?:\d+(?:\.\d+)*(?:-\d+)*(?![\w.]*\d)|1er|premier|(?-i:[IVXL]+)(?!\w|\.\d))"
_REFERENCE = re.compile(
    rf"\barticles?\s+(?P<first>{_NUM})(?P<more>(?:\s*(?:,|et|ou|à|au)\s*{_NUM})*)",
    re.IGNORECASE,
)
_MORE = re.compile(_NUM)
_ANNEX_NUM = r"(?:\d+|(?-i:[IVX]+|[A-H]))(?![\w.])"
_ANNEX_REFERENCE = re.compile(
    rf"\bannexes?\s+(?:n°\s*)?(?P<first>{_ANNEX_NUM})(?P<more>(?:\s*(?:,|et|à)\s*{_ANNEX_NUM})*)",
    re.IGNORECASE,
)
_ANNEX_MORE = re.compile(_ANNEX_NUM)
# What follows a reference to another text: "du Code…", "de la loi…", "du règlement (UE)…".
_EXTERNAL = re.compile(
    r"^\s*(?:,?\s*(?:alin[ée]a|paragraphe|point|§)\s*\w+\s*,?)?\s*"
    r"(?:du|de\s+la|de\s+l'|des|de|d')\s*(?P<what>[\w'À-ÿ]+(?:\s+[\w'À-ÿ]+)?)",
    re.IGNORECASE,
)
_OURS = re.compile(
    r"^(?:pr[ée]sente?s?|ladite|ledit|cette|la\s+convention|convention|la\s+pr[ée]sente|"
    r"pr[ée]sent\b|ci-dessus|ci-dessous|ci-apr[èe]s)",
    re.IGNORECASE,
)
_TOC_TAIL = re.compile(
    r"(?:\s*(?:\.{2,}|…+)\s*(?:p\.?|page)?\s*\d*|\s+(?:p\.?|page)\s*\d*|\t+\s*\d+)\s*$",
    re.IGNORECASE,
)
TITLE_SIMILARITY = 90
# An avenant's article numbers are those of the convention it amends (« L'article 8
# « Résiliation » est remplacé… »), but for « l'article 2 du présent avenant ».
_AVENANT_TITLE = re.compile(r"^\s*avenant\b", re.IGNORECASE)
_AVENANT_OWN = re.compile(
    r"^[^.;:«»]{0,60}?\b(?:du\s+pr[ée]sent|de\s+cet)\s+avenant\b", re.IGNORECASE
)


def check_consistency(
    doc: DocumentText,
    sections: list[Section],
    labels: dict[int, str],
    texts: list[str],
    file: str,
) -> list[Finding]:
    """Findings about references, numbering and the sommaire of one document."""
    del labels  # locations come from the sections themselves
    where: dict[int, str] = {}
    for section in sections:
        name = _article_name(section) if section.kind == "article" else section.label
        for block in section.iter_blocks():
            where.setdefault(id(block), name)
    findings = [
        Finding(
            file,
            "tableau-vide",
            ERROR,
            RULES["tableau-vide"],
            header,
            _loc(block, where.get(id(block))),
        )
        for block, header in find_empty_tables(doc)
    ]
    articles = [s for s in sections if s.kind == "article"]
    if not articles:
        return findings  # a brochure, a letter: nothing to be consistent with
    index = {id(b): i for i, b in enumerate(doc.blocks)}
    findings += _numbering(articles, file)
    findings += _empty_lists(articles, texts, index, file)
    findings += _references(doc, sections, articles, texts, index, file)
    findings += _sommaire(sections, articles, file)
    return findings


def _loc(block: TextBlock | None, article: str | None) -> Location:
    if block is None:
        return Location(article=article)
    return Location(block.line, block.paragraph, block.page, article, block.zone)


def _article_name(section: Section, divided: bool = False) -> str:
    """ "Article 4"; "Titre II, article 1" where articles restart in each division."""
    if not section.number:
        return section.title
    if divided and section.division:
        return f"{section.division}, article {section.number}"
    return f"Article {section.number}"


def restarts_per_division(articles: list[Section]) -> bool:
    """True when the articles are numbered anew in each title / chapter of the document.

    Then Titre II, article 1 and Titre I, article 1 are two articles, not a duplicate.
    """
    firsts: dict[str, str] = {}
    for article in articles:
        if article.division and article.number and article.division not in firsts:
            firsts[article.division] = article.number
    later = list(firsts.values())[1:]
    return bool(later) and any(number == "1" for number in later)


# --------------------------------------------------------------------------- numbering


def _numbering(articles: list[Section], file: str) -> list[Finding]:
    findings: list[Finding] = []
    divided = restarts_per_division(articles)

    def report(section: Section, message: str) -> None:
        text = clean_heading_text(section.heading.text) if section.heading else section.label
        findings.append(
            Finding(
                file,
                "numerotation-articles",
                ERROR,
                message,
                text,
                _loc(section.heading, _article_name(section, divided)),
            )
        )

    if divided:
        runs: dict[str | None, list[Section]] = {}
        for article in articles:
            runs.setdefault(article.division, []).append(article)
        for run in runs.values():
            _check_sequence(run, report, parent=None)
    else:
        _check_sequence(articles, report, parent=None)
    for article in articles:
        if article.children:
            _check_sequence(article.children, report, parent=article.number)
    return findings


def _check_sequence(
    sections: list[Section], report: Callable[[Section, str], None], parent: str | None
) -> None:
    seen: dict[str, Section] = {}
    previous: int | None = 0
    for section in sections:
        number = section.number
        if number is None:
            continue
        last = number.split(".")[-1]
        if not last.isdigit():
            previous = None
            continue
        value = int(last)
        if value == 0:
            report(section, f"numéro d'article invalide : « {section.label} »")
        elif number in seen:
            report(section, f"numéro d'article en double : {number} est déjà utilisé plus haut")
        elif previous is not None and value != previous + 1 and value > previous:
            expected = f"{parent}.{previous + 1}" if parent else str(previous + 1)
            missing = f"{parent}.{value - 1}" if parent else str(value - 1)
            gap = expected if expected == missing else f"{expected} à {missing}"
            report(section, f"numérotation interrompue : il manque l'article {gap}")
        elif previous is not None and 0 < value < previous:
            report(section, f"numérotation dans le désordre : {number} vient après {previous}")
        seen[number] = section
        previous = value if value else previous


# --------------------------------------------------------------------------- empty lists

# "Il est convenu ce qui suit :" announces the articles, not a list to fill.
_ANNOUNCES_ARTICLES = re.compile(r"(?:ce\s+qui\s+suit|comme\s+suit|ce\s+qu'il\s+suit)\s*:$", re.I)


def _empty_lists(
    articles: list[Section], texts: list[str], index: dict[int, int], file: str
) -> list[Finding]:
    """ "Ces locaux comprennent :" with nothing after it in its article: a list never written.

    A paragraph ending with a colon is followed by what it announces; when it closes its
    article, or another announcing paragraph follows it at once, the list is missing.
    """
    findings: list[Finding] = []
    divided = restarts_per_division(articles)
    for article in articles:
        for part in [article, *article.children]:
            blocks = [b for b in part.blocks if id(b) in index and not b.in_table]
            for i, block in enumerate(blocks):
                text = texts[index[id(block)]].strip()
                if not text.endswith(":") or len(text.split()) < 3:
                    continue
                if _ANNOUNCES_ARTICLES.search(text) or starts_with_label(text):
                    continue
                following = texts[index[id(blocks[i + 1])]].strip() if i + 1 < len(blocks) else ""
                last = i + 1 == len(blocks) and not part.children
                if last or following.endswith(":") and len(following.split()) >= 3:
                    findings.append(
                        Finding(
                            file,
                            "champ-vide",
                            ERROR,
                            "liste annoncée par « : » mais jamais écrite",
                            block.text.strip(),
                            _loc(block, _article_name(part, divided)),
                        )
                    )
    return findings


# --------------------------------------------------------------------------- references


def _known_numbers(articles: list[Section]) -> set[str]:
    numbers: set[str] = set()
    for article in articles:
        if article.number:
            numbers.add(article.number)
        for child in article.children:
            if child.number:
                numbers.add(child.number)
    return numbers


def _references(
    doc: DocumentText,
    sections: list[Section],
    articles: list[Section],
    texts: list[str],
    index: dict[int, int],
    file: str,
) -> list[Finding]:
    known = _known_numbers(articles)
    # Annexes are only checked when the document has some: often they are separate files.
    annexes = {
        s.label.split()[-1].upper() for s in sections if s.kind == "annexe" and " " in s.label
    }
    skip = {id(s.heading) for s in sections if s.heading is not None}
    for article in articles:
        skip.update(id(c.heading) for c in article.children if c.heading is not None)
    findings: list[Finding] = []
    amends = _is_avenant(doc)
    for section in sections:
        if section.kind == "sommaire":
            continue
        name = _article_name(section) if section.kind == "article" else section.label
        for sub, block in _blocks_with_section(section):
            if id(block) in skip or id(block) not in index:
                continue
            text = texts[index[id(block)]]
            articles_cited, annexes_cited = _cited(text, amends)
            for written, numbers in articles_cited:
                for number in numbers:
                    if number not in known:
                        where = _article_name(sub) if sub is not None else name
                        findings.append(
                            Finding(
                                file,
                                "reference-article",
                                ERROR,
                                f"renvoi à l'article {number}, qui n'existe pas dans le document",
                                written,
                                _loc(block, where),
                            )
                        )
            for written, numbers in annexes_cited if annexes else ():
                for number in numbers:
                    value = normalise_number(number.upper()) or number.upper()
                    if value not in annexes and number.upper() not in annexes:
                        where = _article_name(sub) if sub is not None else name
                        findings.append(
                            Finding(
                                file,
                                "reference-annexe",
                                ERROR,
                                f"renvoi à l'annexe {number}, absente du document",
                                written,
                                _loc(block, where),
                            )
                        )
    return findings


Cited = tuple[tuple[str, tuple[str, ...]], ...]  # (reference as written, numbers it names)


@lru_cache(maxsize=4096)  # a batch's documents repeat most of their paragraphs
def _cited(text: str, amends: bool) -> tuple[Cited, Cited]:
    """The references of one paragraph to this document's articles and to its annexes.

    References to other texts (« l'article 6 du règlement (UE) 2016/679 ») are left out; in
    an avenant, only those to the amended convention's own articles are kept.
    """
    articles: list[tuple[str, tuple[str, ...]]] = []
    for m in _REFERENCE.finditer(text):
        if _is_external(text[m.end() :]):
            continue
        if amends and not _AVENANT_OWN.match(text[m.end() :]):
            continue
        raw = [m.group("first"), *_MORE.findall(m.group("more"))]
        numbers = tuple(filter(None, (normalise_number(_plain(r)) for r in raw)))
        articles.append((m.group(), numbers))
    annexes: list[tuple[str, tuple[str, ...]]] = []
    for m in _ANNEX_REFERENCE.finditer(text):
        if amends and not _AVENANT_OWN.match(text[m.end() :]):
            continue
        annexes.append((m.group(), (m.group("first"), *_ANNEX_MORE.findall(m.group("more")))))
    return tuple(articles), tuple(annexes)


def _blocks_with_section(section: Section) -> Iterator[tuple[Section | None, TextBlock]]:
    """(sub-article or None, block) for every block of a section, in order."""
    for block in section.blocks:
        yield None, block
    for child in section.children:
        if child.heading is not None:
            yield child, child.heading
        for block in child.blocks:
            yield child, block


def _plain(raw: str) -> str:
    return "1" if raw.lower() in ("1er", "premier") else raw


def _is_avenant(doc: DocumentText) -> bool:
    """Whether `doc` is an avenant: its first line of text says so (« Avenant n° 1 … »)."""
    first = next((b.text for b in doc.body() if b.text.strip()), "")
    return bool(_AVENANT_TITLE.match(first))


def _is_external(after: str) -> bool:
    m = _EXTERNAL.match(after)
    return m is not None and not _OURS.match(m.group("what"))


# --------------------------------------------------------------------------- sommaire


def _sommaire(sections: list[Section], articles: list[Section], file: str) -> list[Finding]:
    sommaire = next((s for s in sections if s.kind == "sommaire"), None)
    if sommaire is None:
        return []
    by_number: dict[str, Section] = {}
    for article in articles:
        if article.number:
            by_number.setdefault(article.number, article)
        for child in article.children:
            if child.number:
                by_number.setdefault(child.number, child)
    has_preamble = any(s.kind == "preambule" for s in sections)
    annexes = {s.label.lower(): s for s in sections if s.kind == "annexe"}
    findings: list[Finding] = []
    listed: set[str] = set()

    def report(block: TextBlock, severity: str, message: str, text: str) -> None:
        findings.append(Finding(file, "sommaire", severity, message, text, _loc(block, "Sommaire")))

    for block in sommaire.blocks:
        entry = clean_heading_text(_TOC_TAIL.sub("", block.text)).strip(" .…\t")
        if not entry or re.fullmatch(r"\d+", entry):
            continue
        heading = parse_article_heading(entry)
        if heading is not None and heading.number:
            listed.add(heading.number)
            body = by_number.get(heading.number)
            if body is None:
                report(
                    block,
                    ERROR,
                    f"le sommaire annonce l'article {heading.number}, absent du texte",
                    entry,
                )
            elif heading.title and body.title and not same_title(heading.title, body.title):
                report(
                    block,
                    WARNING,
                    f"intitulé différent dans le texte : « {body.title} »",
                    entry,
                )
        elif re.match(r"(?i)pr[ée]ambule\b", entry) and not has_preamble:
            report(block, ERROR, "le sommaire annonce un préambule, absent du texte", entry)
        elif annexes:
            m = re.match(r"(?i)(annexe\s+\S+)", entry)
            if m and m.group(1).lower() not in annexes:
                report(block, ERROR, f"le sommaire annonce l'{m.group(1).lower()}, absente", entry)
    if listed:
        for article in articles:
            if article.number and article.number not in listed and article.heading is not None:
                findings.append(
                    Finding(
                        file,
                        "sommaire",
                        WARNING,
                        f"l'article {article.number} n'apparaît pas dans le sommaire",
                        clean_heading_text(article.heading.text),
                        _loc(article.heading, _article_name(article)),
                    )
                )
    return findings


def _title_key(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


def same_title(a: str, b: str) -> bool:
    """Titles equal for a reader: case, accents, punctuation and a stray page number aside."""
    ka, kb = _title_key(a), _title_key(b)
    if ka == kb:
        return True
    candidates = {ka, re.sub(r"\s\d+$", "", ka)}
    return any(fuzz.ratio(c, kb) >= TITLE_SIMILARITY for c in candidates)
