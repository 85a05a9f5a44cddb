"""Pairing the articles of two versions by what they say, not by their number.

Each document becomes a list of units: the front matter (title, parties, sommaire), the
préambule, each article (sub-articles included), the closing and each annex. Front matter,
préambule and closing pair with their counterpart. Articles and annexes are paired by a global
assignment on a similarity that mixes content (shared word pairs) and title: exact matches
first, then the best-scoring pairs, each unit used once, under thresholds below which an article
is reported added or removed rather than forced onto an unrelated one. Pairing by number fails
as soon as an article is inserted (10/40 pairs right on a 40-article test, FIELD-NOTES).

Pairs whose relative order differs are "moved": the longest run of pairs in the same order in
both versions stays in place, the others moved.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from convgen.diff.words import PARA, Token, is_punct_key, tokenize
from convgen.read.extract import DocumentText, TextBlock
from convgen.read.structure import Section, clean_heading_text, split_sections
from convgen.read.textnorm import fold_line

FRONT, PREAMBULE, ARTICLE, CLOSING, ANNEXE = "entete", "preambule", "article", "cloture", "annexe"
UNIT_LABELS = {FRONT: "En-tête et parties", PREAMBULE: "Préambule", CLOSING: "Signatures"}

# Thresholds of the assignment (similarities are in 0..1).
CONTENT_ALONE = 0.45  # enough shared wording to pair whatever the titles say
TITLE_STRONG = 0.75  # same subject by title ("Résiliation" / "Résiliation de la convention")
CONTENT_WITH_TITLE = 0.03  # …with at least some wording in common
COMBINED = 0.40

_STOPWORDS = set(
    "de la le les des du d l et à a au aux en un une pour par sur dans ce cette ces son sa ses "
    "leur leurs convention présente partenariat article"
    # Generic heads say nothing of the subject: "Obligation des parties" / "de confidentialité".
    " obligation obligations engagement engagements disposition dispositions modalités "
    "général générale générales généraux diverses divers parties partie".split()
)


@dataclass
class Unit:
    """One comparable part of a document: an article with its sub-articles, or a fixed part."""

    kind: str
    number: str | None
    title: str
    heading: TextBlock | None
    blocks: list[TextBlock]  # body paragraphs in order, sub-article headings included
    tokens: list[Token] = field(default_factory=list)  # of `blocks`, sub-numbers neutralised
    shingles: frozenset[tuple[str, str]] = frozenset()
    title_words: frozenset[str] = frozenset()
    title_head: str = ""  # first significant word of the title, the subject of the article
    title_label: str = ""  # annexes: "Annexe 2"
    index: int = -1  # position among the units of its document
    sub_headings: frozenset[int] = frozenset()  # id() of the sub-article heading blocks
    body_key: tuple[str, ...] = ()  # comparison keys of the body, paragraph breaks left out

    @property
    def label(self) -> str:
        if self.kind == ARTICLE:
            return f"Article {self.number}" if self.number else (self.title or "Article")
        if self.kind == ANNEXE:
            return self.title_label
        return UNIT_LABELS.get(self.kind, self.title)


def _neutralise_sub_numbers(tokens: list[Token], parent: str | None) -> list[Token]:
    """Make "6.1" and "5.1" compare equal inside an article renumbered from 6 to 5."""
    if not parent:
        return tokens
    out = list(tokens)
    starts = [0] + [i + 1 for i, t in enumerate(tokens) if t[0] == PARA]
    for i in starts:
        if i + 1 < len(out) and out[i][0] == parent and out[i + 1][0] == ".":
            out[i] = Token("§", out[i].raw)
    return out


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", fold_line(text).casefold())]


def make_unit(
    kind: str, number: str | None, title: str, heading: TextBlock | None, blocks: list[TextBlock]
) -> Unit:
    tokens = _neutralise_sub_numbers(tokenize([b.text for b in blocks]), number)
    body_key = tuple(t[0] for t in tokens if t[0] != PARA)
    keys = [k.casefold() for k in body_key if not is_punct_key(k)]
    shingles = frozenset(zip(keys, keys[1:], strict=False)) or frozenset((k, "") for k in keys)
    significant = [w for w in _words(title) if w not in _STOPWORDS]
    unit = Unit(
        kind,
        number,
        title,
        heading,
        blocks,
        tokens,
        shingles,
        frozenset(significant),
        significant[0] if significant else "",
    )
    unit.body_key = body_key
    return unit


def units_of(doc: DocumentText) -> list[Unit]:
    """The comparable units of a document, in document order."""
    units: list[Unit] = []
    front: list[TextBlock] = []
    for section in split_sections(doc):
        if section.kind in ("titre", "parties", "sommaire"):
            front.extend(section.iter_blocks())
            continue
        units.extend(_section_units(section))
    if front:
        units.insert(0, make_unit(FRONT, None, UNIT_LABELS[FRONT], None, front))
    for index, unit in enumerate(units):
        unit.index = index
    return units


def _section_units(section: Section) -> list[Unit]:
    body = list(section.iter_blocks(include_heading=False))
    if section.kind == "article":
        unit = make_unit(ARTICLE, section.number, section.title, section.heading, body)
        unit.sub_headings = frozenset(
            id(c.heading) for c in _descendants(section) if c.heading is not None and c.title
        )
        return [unit]
    if section.kind == "annexe":
        unit = make_unit(ANNEXE, None, section.title, section.heading, body)
        unit.title_label = section.label
        return [unit]
    kind = PREAMBULE if section.kind == "preambule" else CLOSING
    return [make_unit(kind, None, UNIT_LABELS[kind], section.heading, body)]


def _descendants(section: Section) -> list[Section]:
    out: list[Section] = []
    for child in section.children:
        out.append(child)
        out.extend(_descendants(child))
    return out


# --------------------------------------------------------------------------- similarity


def content_similarity(a: Unit, b: Unit) -> float:
    """Dice coefficient of the word pairs of both bodies (1.0 for two empty bodies)."""
    if not a.shingles and not b.shingles:
        return 1.0
    if not a.shingles or not b.shingles:
        return 0.0
    return 2 * len(a.shingles & b.shingles) / (len(a.shingles) + len(b.shingles))


def _same_word(a: str, b: str) -> bool:
    """Same word up to its ending: « résiliation » / « résilier », « engagement(s) ».

    A shared beginning is not enough when one word is much longer: « commune » is not
    « communication ».
    """
    return a[:6] == b[:6] and min(len(a), len(b)) >= 0.6 * max(len(a), len(b))


def title_similarity(a: Unit, b: Unit) -> float:
    """Similarity of the titles' significant words; a title contained in the other scores 1."""
    if not a.title_words or not b.title_words:
        return 0.0
    small, large = sorted((a.title_words, b.title_words), key=len)
    overlap = sum(any(_same_word(w, v) for v in large) for w in small) / len(small)
    fuzzy = fuzz.token_set_ratio(" ".join(sorted(a.title_words)), " ".join(sorted(b.title_words)))
    same_subject = 0.85 if a.title_head and _same_word(a.title_head, b.title_head) else 0.0
    return max(overlap, fuzzy / 100, same_subject)


def pair_score(a: Unit, b: Unit) -> float | None:
    """Score of pairing `a` with `b`, or None if they should not be paired."""
    content = content_similarity(a, b)
    if content < CONTENT_WITH_TITLE and a.title_words != b.title_words:
        return None  # no rule below can pair them: spare the title comparison
    title = title_similarity(a, b)
    combined = 0.7 * content + 0.3 * title if a.title_words and b.title_words else content
    if content >= CONTENT_ALONE:
        return max(content, combined)
    if title >= TITLE_STRONG and content >= CONTENT_WITH_TITLE:
        return combined
    if title >= 0.99 and a.title_words == b.title_words:
        return combined  # same title, wording rewritten: the same article, changed
    if combined >= COMBINED:
        return combined
    return None


@dataclass
class Pair:
    left: Unit | None
    right: Unit | None
    score: float = 1.0
    moved: bool = False


def _assign(left: Sequence[Unit], right: Sequence[Unit]) -> list[tuple[int, int, float]]:
    """Global one-to-one assignment: identical bodies first, then best scores first."""
    pairs: list[tuple[int, int, float]] = []
    used_l: set[int] = set()
    used_r: set[int] = set()
    by_tokens: dict[tuple[str, ...], list[int]] = {}
    for j, unit in enumerate(right):
        by_tokens.setdefault(unit.body_key, []).append(j)
    for i, unit in enumerate(left):
        candidates = by_tokens.get(unit.body_key, [])
        free = [j for j in candidates if j not in used_r]
        if free and unit.tokens:
            j = min(free, key=lambda j: (right[j].title != unit.title, abs(j - i)))
            pairs.append((i, j, 1.0))
            used_l.add(i)
            used_r.add(j)
    scored: list[tuple[float, int, int]] = []
    for i, a in enumerate(left):
        if i in used_l:
            continue
        for j, b in enumerate(right):
            if j in used_r:
                continue
            score = pair_score(a, b)
            if score is not None:
                # Same number only breaks ties between equally similar candidates.
                tie = 0.001 if a.number and a.number == b.number else 0.0
                scored.append((score + tie, i, j))
    for score, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if i in used_l or j in used_r:
            continue
        pairs.append((i, j, min(score, 1.0)))
        used_l.add(i)
        used_r.add(j)
    return pairs


def _longest_in_order(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Pairs forming the longest subsequence increasing in both documents."""
    ordered = sorted(pairs, key=lambda p: p[1])
    tails: list[int] = []
    tail_idx: list[int] = []
    prev: list[int] = [-1] * len(ordered)
    for k, (i, _j) in enumerate(ordered):
        pos = bisect.bisect_left(tails, i)
        if pos == len(tails):
            tails.append(i)
            tail_idx.append(k)
        else:
            tails[pos] = i
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos else -1
    keep: set[tuple[int, int]] = set()
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        keep.add(ordered[k])
        k = prev[k]
    return keep


def align_units(left: list[Unit], right: list[Unit]) -> list[Pair]:
    """Pair the units of two documents; return pairs in reading order of the new version.

    Removed units are placed where they stood in the old version, just before the next unit
    that kept its place.
    """
    matched: list[tuple[int, int, float]] = []
    for kind in (FRONT, PREAMBULE, CLOSING):
        li = [i for i, u in enumerate(left) if u.kind == kind]
        ri = [j for j, u in enumerate(right) if u.kind == kind]
        if li and ri:
            matched.append((li[0], ri[0], content_similarity(left[li[0]], right[ri[0]])))
    for kind in (ARTICLE, ANNEXE):
        li = [i for i, u in enumerate(left) if u.kind == kind]
        ri = [j for j, u in enumerate(right) if u.kind == kind]
        for i, j, score in _assign([left[i] for i in li], [right[j] for j in ri]):
            matched.append((li[i], ri[j], score))
    in_place = _longest_in_order([(i, j) for i, j, _ in matched])
    by_right = {j: (i, s) for i, j, s in matched}
    paired_left = {i for i, _, _ in matched}
    # For each position of the new version, the old index of the next pair kept in place.
    next_anchor = [len(left)] * (len(right) + 1)
    for j in range(len(right) - 1, -1, -1):
        next_anchor[j] = next_anchor[j + 1]
        if j in by_right and (by_right[j][0], j) in in_place:
            next_anchor[j] = by_right[j][0]
    result: list[Pair] = []
    flushed = 0  # old units before this index are already placed

    def flush(until: int) -> None:
        nonlocal flushed
        for k in range(flushed, until):
            if k not in paired_left:
                result.append(Pair(left[k], None, 0.0))
        flushed = max(flushed, until)

    for j, unit in enumerate(right):
        # Removed units that stood before the next pair kept in place come first, so that
        # each gap reads "removed, then added" like a diff.
        flush(next_anchor[j])
        if j in by_right:
            i, score = by_right[j]
            moved = (i, j) not in in_place
            if not moved:
                flushed = max(flushed, i + 1)
            result.append(Pair(left[i], unit, score, moved))
        else:
            result.append(Pair(None, unit, 0.0))
    flush(len(left))
    return result


def title_key(title: str) -> str:
    return clean_heading_text(title).casefold()
