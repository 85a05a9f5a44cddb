"""Comparing what a reader sees outside the body: headers, footers, notes, text boxes, comments.

A footnote that adds « plafonnée à 2 000 € » or a header naming another mutuelle changes the
convention as much as an article does. Each item of these zones is paired with its counterpart
and diffed word by word like an article:

- headers and footers by the section that shows them and their kind (every page, first page,
  even pages): « En-tête », « Pied de page de la première page (section 2) »;
- footnotes, endnotes, text boxes and comments in reading order, by a pairing that keeps the
  order and maximises the similarity of the paired texts (a note inserted before others does
  not make every later note « modifiée »): « Note de bas de page n° 3 (Article 4) »,
  « Commentaire d'Anne Martin (Préambule) », named after the part of the body that calls them.

Only two Word documents are compared so: a PDF has no zones (its running lines are guessed,
its notes are body text), so a .docx against a .pdf compares the bodies alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from convgen.diff.align import Unit, make_unit
from convgen.diff.articles import ArticleDiff
from convgen.diff.words import diff_tokens
from convgen.read.extract import (
    ZONE_COMMENT,
    ZONE_ENDNOTE,
    ZONE_FOOTER,
    ZONE_FOOTNOTE,
    ZONE_HEADER,
    ZONE_TEXTBOX,
    DocumentText,
    TextBlock,
)
from convgen.read.textnorm import fold_line

# Zones in the order reports list them.
ZONES = (ZONE_HEADER, ZONE_FOOTER, ZONE_FOOTNOTE, ZONE_ENDNOTE, ZONE_TEXTBOX, ZONE_COMMENT)
_KEYED = (ZONE_HEADER, ZONE_FOOTER)  # paired by section and kind, not by content
_FEMININE = (ZONE_FOOTNOTE, ZONE_ENDNOTE, ZONE_TEXTBOX)  # « une note », « une zone de texte »
_CALLED = (ZONE_FOOTNOTE, ZONE_ENDNOTE, ZONE_COMMENT)  # named after where they are called
MIN_SIMILARITY = 0.5  # below, two notes (boxes, comments) are one removed and one added

_KIND_SUFFIX = {"default": "", "first": " de la première page", "even": " des pages paires"}


@dataclass
class PartItem:
    """One item of a zone: a header part, a note, a text box, a comment."""

    zone: str
    key: str  # header/footer: "section:type"; otherwise the item's id in its part
    blocks: list[TextBlock]
    unit: Unit

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    @property
    def note_number(self) -> int | None:
        return self.blocks[0].note_number if self.blocks else None

    @property
    def author(self) -> str:
        return self.blocks[0].author if self.blocks else ""


@dataclass
class PartDiff(ArticleDiff):
    """The comparison of one item outside the body (an `ArticleDiff` reports can print)."""

    zone: str = ""
    label: str = ""
    old_item: PartItem | None = None
    new_item: PartItem | None = None

    @property
    def name(self) -> str:
        return self.label

    @property
    def status_label(self) -> str:
        """ "modifiée" for a note or a text box, "modifié" for a header or a comment."""
        label = super().status_label
        return label + "e" if self.zone in _FEMININE else label

    @property
    def flags(self) -> list[str]:
        old, new = self.old_item, self.new_item
        if old and new and old.note_number and new.note_number:
            if old.note_number != new.note_number:
                return [f"renumérotée ({old.note_number} → {new.note_number})"]
        return []


def items_of(doc: DocumentText) -> list[PartItem]:
    """The items of `doc` outside its body, zone by zone, each in reading order."""
    groups: dict[tuple[str, str, str], list[TextBlock]] = {}
    for block in doc.blocks:
        if block.zone in ZONES:
            groups.setdefault((block.zone, block.part, block.item), []).append(block)
    items = []
    for zone in ZONES:
        for (z, part, item), blocks in groups.items():
            if z != zone or not any(b.text.strip() for b in blocks):
                continue  # an empty header is no header for a reader
            key = item or part
            items.append(PartItem(zone, key, blocks, make_unit(zone, None, "", None, blocks)))
    return items


def _similarity(a: PartItem, b: PartItem) -> float:
    score = fuzz.ratio(fold_line(a.text).casefold(), fold_line(b.text).casefold()) / 100
    if a.zone == ZONE_COMMENT and a.author != b.author:
        score *= 0.8
    return score


def pair_in_order(
    left: list[PartItem], right: list[PartItem]
) -> list[tuple[PartItem | None, PartItem | None]]:
    """Order-keeping pairing that maximises the summed similarity of the pairs.

    Dynamic programming as for a weighted longest common subsequence; a pair scores its
    similarity when at least `MIN_SIMILARITY`, otherwise it is not allowed.
    """
    n, m = len(left), len(right)
    sim = [[_similarity(a, b) for b in right] for a in left]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if sim[i][j] >= MIN_SIMILARITY:
                options.append(sim[i][j] + best[i + 1][j + 1])
            best[i][j] = max(options)
    out: list[tuple[PartItem | None, PartItem | None]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= MIN_SIMILARITY and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            out.append((left[i], right[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((left[i], None))
            i += 1
        else:
            out.append((None, right[j]))
            j += 1
    out.extend((a, None) for a in left[i:])
    out.extend((None, b) for b in right[j:])
    return out


def pair_by_key(
    left: list[PartItem], right: list[PartItem]
) -> list[tuple[PartItem | None, PartItem | None]]:
    """Headers and footers: the same section and kind in both versions."""
    by_key = {item.key: item for item in left}
    out: list[tuple[PartItem | None, PartItem | None]] = []
    seen = set()
    for item in right:
        out.append((by_key.get(item.key), item))
        seen.add(item.key)
    out.extend((item, None) for item in left if item.key not in seen)
    return out


def _where(old: PartItem | None, new: PartItem | None, places: dict[tuple[str, int], str]) -> str:
    """ " (Article 2)": the part of the body that calls a note or holds a comment."""
    for side, item in (("new", new), ("old", old)):
        called = item.blocks[0].called_from if item and item.blocks else None
        if called is not None and (side, called) in places:
            return f" ({places[(side, called)]})"
    return ""


def _places(entries: Sequence[ArticleDiff]) -> dict[tuple[str, int], str]:
    """(side, body paragraph) → label of the unit holding it ("Article 2", "Préambule")."""
    places: dict[tuple[str, int], str] = {}
    for entry in entries:
        for side, unit in (("old", entry.left), ("new", entry.right)):
            if unit is None:
                continue
            for block in [*([unit.heading] if unit.heading else []), *unit.blocks]:
                if block.paragraph is not None:
                    places[(side, block.paragraph)] = unit.label
    return places


def _label(
    zone: str, old: PartItem | None, new: PartItem | None, sections: bool, boxes: bool
) -> str:
    item = new or old
    assert item is not None
    if zone in _KEYED:
        base = "En-tête" if zone == ZONE_HEADER else "Pied de page"
        section, _, kind = item.key.partition(":")
        label = base + _KIND_SUFFIX.get(kind, "")
        if sections and section.isdigit():
            label += f" (section {section})"
        return label
    if zone in (ZONE_FOOTNOTE, ZONE_ENDNOTE):
        base = "Note de bas de page" if zone == ZONE_FOOTNOTE else "Note de fin"
        number = item.note_number
        return f"{base} n° {number}" if number else f"{base} (sans appel dans le texte)"
    if zone == ZONE_TEXTBOX:
        return f"Zone de texte n° {item.key}" if boxes else "Zone de texte"
    author = item.author.strip() or "auteur inconnu"
    elided = author[:1].casefold() in "aeiouyhéèêàâîôû"
    return f"Commentaire d'{author}" if elided else f"Commentaire de {author}"


def diff_parts(
    a: DocumentText, b: DocumentText, entries: Sequence[ArticleDiff] = ()
) -> list[PartDiff]:
    """Every item outside the body of two Word documents, paired and diffed; [] otherwise.

    `entries`, the comparison of the bodies, names where a note is called or a comment
    anchored: « Note de bas de page n° 3 (Article 4) ».
    """
    if a.kind != "docx" or b.kind != "docx":
        return []
    left, right = items_of(a), items_of(b)
    sections = len({i.key.partition(":")[0] for i in left + right if i.zone in _KEYED}) > 1
    boxes = max(sum(i.zone == ZONE_TEXTBOX for i in side) for side in (left, right)) > 1
    places = _places(entries)
    out: list[PartDiff] = []
    for zone in ZONES:
        old = [i for i in left if i.zone == zone]
        new = [i for i in right if i.zone == zone]
        pairs = pair_by_key(old, new) if zone in _KEYED else pair_in_order(old, new)
        for o, n in pairs:
            words = diff_tokens(o.unit.tokens, n.unit.tokens) if o and n else None
            out.append(
                PartDiff(
                    o.unit if o else None,
                    n.unit if n else None,
                    words,
                    zone=zone,
                    label=_label(zone, o, n, sections, boxes)
                    + (_where(o, n, places) if zone in _CALLED else ""),
                    old_item=o,
                    new_item=n,
                )
            )
    return out
