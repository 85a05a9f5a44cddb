"""What an avenant must change: the article-aligned diff of two versions, as amendments.

The two versions are paired article by article exactly as `convgen diff` pairs them
(`convgen.diff.align.align_units`); inside a pair, sub-articles are paired by title (then
number) and paragraphs by their folded text (`difflib`). Each amended article of the
convention becomes one `Amendment`, whatever the number of values that changed in it: a
duration used in three articles amends three articles, each once.

How a change is said depends on how much of the article changed: a few paragraphs (« alinéas »)
are modified, inserted or deleted one by one; when fewer than half of the paragraphs are kept,
or a change falls inside a table, the whole (sub-)article is replaced. Numbers are those of the
convention being amended (the old version): that is the text the avenant modifies.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import StrEnum

from convgen.diff.align import (
    ANNEXE,
    ARTICLE,
    TITLE_STRONG,
    Pair,
    Unit,
    align_units,
    title_key,
    title_similarity,
    units_of,
)
from convgen.read.extract import DocumentText, TextBlock
from convgen.read.structure import Section, split_sections
from convgen.read.textnorm import fold_line

KEPT_FOR_PARAGRAPH_EDITS = 0.5  # below this share of kept paragraphs, the article is replaced


class Kind(StrEnum):
    """What happens to one article, sub-article or annex of the convention."""

    REPLACED = "remplacé"
    PARAGRAPHS = "alinéas modifiés"
    RETITLED = "intitulé modifié"
    INSERTED = "inséré"
    DELETED = "supprimé"
    ANNEX_REPLACED = "annexe remplacée"
    ANNEX_INSERTED = "annexe ajoutée"
    ANNEX_DELETED = "annexe supprimée"
    RENUMBERED = "renumérotation"


@dataclass(frozen=True)
class ParagraphEdit:
    """Paragraphs `start`..`end` (0-based, end excluded) of the old text become `new`."""

    start: int
    end: int
    new: tuple[TextBlock, ...]

    @property
    def op(self) -> str:
        if self.start == self.end:
            return "insert"
        return "delete" if not self.new else "replace"


@dataclass(frozen=True)
class Point:
    """One change inside an amendment, said in one sentence (and a quotation)."""

    kind: Kind
    number: str  # old number of the (sub-)article: "6", "4.1"; annexes: "2"
    title: str  # its title in the old version (the new one for an insertion)
    new_number: str = ""
    new_title: str = ""
    quoted: tuple[TextBlock, ...] = ()  # new text, from the new version
    edits: tuple[ParagraphEdit, ...] = ()
    after: str = ""  # insertion: old number of the article it follows ("" at the start)
    renumbering: tuple[tuple[str, str], ...] = ()  # (old, new) numbers


@dataclass
class Amendment:
    """One article of the avenant: the changes made to one article (or annex) of the convention."""

    target: str  # "6", "annexe 2", "" for a renumbering
    title: str
    annex: bool = False
    points: list[Point] = field(default_factory=list)

    @property
    def kind(self) -> Kind:
        return self.points[0].kind


@dataclass(frozen=True)
class _Segment:
    number: str
    title: str
    heading: TextBlock | None
    blocks: tuple[TextBlock, ...]


def _key(block: TextBlock) -> str:
    return " ".join(fold_line(block.text).casefold().split())


def _sections_by_heading(doc: DocumentText) -> dict[int, Section]:
    return {id(s.heading): s for s in split_sections(doc) if s.heading is not None}


def _segments(section: Section) -> list[_Segment]:
    """The article's own paragraphs, then each sub-article (with its own sub-levels)."""
    number = section.number or ""
    out = []
    if section.blocks or not section.children:
        out.append(_Segment(number, section.title, section.heading, tuple(section.blocks)))
    for child in section.children:
        blocks = tuple(child.iter_blocks(include_heading=False))
        out.append(_Segment(child.number or number, child.title, child.heading, blocks))
    return out


def _pair_segments(
    old: list[_Segment], new: list[_Segment]
) -> list[tuple[_Segment | None, _Segment | None]]:
    """Pair sub-articles by title, then by number; new order kept."""
    if len(old) == 1 and len(new) == 1:
        return [(old[0], new[0])]  # an article without sub-articles: itself, renumbered or not
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for j, n in enumerate(new):
        for i, o in enumerate(old):
            if i not in used and n.title and title_key(n.title) == title_key(o.title):
                pairs[j] = i
                used.add(i)
                break
    for j, n in enumerate(new):
        if j in pairs:
            continue
        for i, o in enumerate(old):
            if i not in used and o.number == n.number:
                pairs[j] = i
                used.add(i)
                break
    out: list[tuple[_Segment | None, _Segment | None]] = []
    for j, n in enumerate(new):
        out.append((old[pairs[j]], n) if j in pairs else (None, n))
    out.extend((o, None) for i, o in enumerate(old) if i not in used)
    return out


def _paragraph_edits(old: _Segment, new: _Segment) -> tuple[list[ParagraphEdit], float]:
    """Paragraph edits from `old` to `new`, and the share of new paragraphs kept."""
    a = [_key(b) for b in old.blocks]
    b = [_key(x) for x in new.blocks]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    edits = [
        ParagraphEdit(i1, i2, new.blocks[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    kept = sum(size for _, _, size in matcher.get_matching_blocks())
    return edits, kept / max(len(a), len(b), 1)


def _in_table(segment: _Segment, edits: list[ParagraphEdit]) -> bool:
    for edit in edits:
        if any(b.in_table for b in segment.blocks[edit.start : edit.end]):
            return True
        if any(b.in_table for b in edit.new):
            return True
    return False


def _segment_points(old: _Segment, new: _Segment) -> list[Point]:
    points: list[Point] = []
    if old.title and new.title and title_key(old.title) != title_key(new.title):
        points.append(Point(Kind.RETITLED, old.number, old.title, new.number, new.title))
    edits, kept = _paragraph_edits(old, new)
    if not edits:
        return points
    if kept < KEPT_FOR_PARAGRAPH_EDITS or _in_table(old, edits):
        points = []  # the replacement states the new title too
        points.append(
            Point(Kind.REPLACED, old.number, old.title, new.number, new.title, quoted=new.blocks)
        )
    else:
        points.append(
            Point(Kind.PARAGRAPHS, old.number, old.title, new.number, new.title, edits=tuple(edits))
        )
    return points


def _article_points(old: Section, new: Section) -> list[Point]:
    """The points of a paired article: per sub-article, or the whole article replaced."""
    pairs = _pair_segments(_segments(old), _segments(new))
    points: list[Point] = []
    previous = ""
    for o, n in pairs:
        if o is not None and n is not None:
            points.extend(_segment_points(o, n))
            previous = o.number
        elif n is not None:
            points.append(
                Point(
                    Kind.INSERTED, "", n.title, n.number, n.title, quoted=n.blocks, after=previous
                )
            )
        elif o is not None:
            points.append(Point(Kind.DELETED, o.number, o.title))
    whole = [p for p in points if p.kind is not Kind.RETITLED]
    if len(pairs) > 1 and whole and all(p.kind is Kind.REPLACED for p in whole):
        if len(whole) == len(pairs):  # every sub-article replaced: replace the article
            blocks = tuple(new.iter_blocks(include_heading=False))
            return [
                Point(
                    Kind.REPLACED,
                    old.number or "",
                    old.title,
                    new.number or "",
                    new.title,
                    quoted=blocks,
                ),
            ]
    return points


def _rewritten_pairs(pairs: list[Pair]) -> list[Pair]:
    """A removed article followed by an added one on the same subject is one article rewritten.

    The diff reports an article whose whole text changed (another variant of its clause) as
    removed then added; an avenant replaces it: « L'article 8 est remplacé par … ».
    """
    out: list[Pair] = []
    for pair in pairs:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.right is None
            and previous.left is not None
            and pair.left is None
            and pair.right is not None
            and previous.left.kind == pair.right.kind == ARTICLE
            and title_similarity(previous.left, pair.right) >= TITLE_STRONG
        ):
            out[-1] = Pair(previous.left, pair.right, 0.0)
            continue
        out.append(pair)
    return out


def paragraph_counts(doc: DocumentText) -> dict[str, int]:
    """Paragraphs of each article and sub-article, by number (« complété par un alinéa »)."""
    counts: dict[str, int] = {}
    for section in _sections_by_heading(doc).values():
        for segment in _segments(section):
            counts[segment.number] = len(segment.blocks)
    return counts


def amendments(old: DocumentText, new: DocumentText) -> list[Amendment]:
    """The amendments that turn `old` (the convention signed) into `new`, in reading order."""
    old_sections = _sections_by_heading(old)
    new_sections = _sections_by_heading(new)
    out: list[Amendment] = []
    renumbered: list[tuple[str, str]] = []
    inserted_or_deleted = False
    previous_old = ""
    for pair in _rewritten_pairs(align_units(units_of(old), units_of(new))):
        left, right = pair.left, pair.right
        unit = right or left
        assert unit is not None
        if unit.kind == ARTICLE:
            if left is not None and right is not None:
                o = old_sections[id(left.heading)]
                n = new_sections[id(right.heading)]
                if o.number and n.number and o.number != n.number:
                    renumbered.append((o.number, n.number))
                points = _article_points(o, n)
                if points:
                    out.append(Amendment(o.number or "", o.title, points=points))
                previous_old = o.number or previous_old
            elif right is not None:
                n = new_sections[id(right.heading)]
                blocks = tuple(n.iter_blocks(include_heading=False))
                point = Point(
                    Kind.INSERTED,
                    "",
                    n.title,
                    n.number or "",
                    n.title,
                    quoted=blocks,
                    after=previous_old,
                )
                out.append(Amendment(n.number or "", n.title, points=[point]))
                inserted_or_deleted = True
            elif left is not None:
                o = old_sections[id(left.heading)]
                out.append(
                    Amendment(
                        o.number or "",
                        o.title,
                        points=[Point(Kind.DELETED, o.number or "", o.title)],
                    )
                )
                inserted_or_deleted = True
                previous_old = o.number or previous_old
        elif unit.kind == ANNEXE:
            out.extend(_annex_amendment(left, right))
    if renumbered and inserted_or_deleted:
        point = Point(Kind.RENUMBERED, "", "", renumbering=tuple(renumbered))
        out.append(Amendment("", "Renumérotation des articles", points=[point]))
    return out


def _annex_number(label: str) -> str:
    return label.split()[-1] if label else ""


def _annex_amendment(left: object, right: object) -> list[Amendment]:

    assert left is None or isinstance(left, Unit)
    assert right is None or isinstance(right, Unit)
    if left is not None and right is not None:
        if left.body_key == right.body_key and title_key(left.title) == title_key(right.title):
            return []
        number = _annex_number(left.title_label)
        point = Point(
            Kind.ANNEX_REPLACED,
            number,
            left.title,
            _annex_number(right.title_label),
            right.title,
            quoted=tuple([right.heading, *right.blocks] if right.heading else right.blocks),
        )
        return [Amendment(f"annexe {number}", left.title, annex=True, points=[point])]
    if right is not None:
        number = _annex_number(right.title_label)
        point = Point(
            Kind.ANNEX_INSERTED,
            "",
            right.title,
            number,
            right.title,
            quoted=tuple([right.heading, *right.blocks] if right.heading else right.blocks),
        )
        return [Amendment(f"annexe {number}", right.title, annex=True, points=[point])]
    assert left is not None
    number = _annex_number(left.title_label)
    point = Point(Kind.ANNEX_DELETED, number, left.title)
    return [Amendment(f"annexe {number}", left.title, annex=True, points=[point])]
