"""Aligning a template's text with a document's text to find the values between literal pieces.

The template is rendered with sentinels (`sentinel.render_with_slots`); its literal pieces
become a regular expression (spaces and bullets flexible, typography folded) and each marker a
group that may not cross a paragraph. The whole article is tried first; when it does not match
(the article was reworded), each paragraph of the template is looked for among the article's
paragraphs, in order, so that the values of the paragraphs left as they were are still found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from convgen.importer.sentinel import MARKER, Slot
from convgen.read.textnorm import fold_line

_BULLET = "(?:[•·*–-]\\s*)?"


@dataclass(frozen=True)
class Found:
    """A value's text as the document writes it, and the slot of the template it fills."""

    slot: Slot
    text: str
    where: str  # "Article 6 – Durée"


@dataclass
class Alignment:
    found: list[Found]
    matched_paragraphs: int
    template_paragraphs: int
    whole: bool  # the whole article matched the template

    @property
    def complete(self) -> bool:
        return self.whole or self.matched_paragraphs == self.template_paragraphs


def _clean(paragraph: str) -> str:
    return fold_line(paragraph.removeprefix("• "))


def _pattern(paragraph: str, lax: bool = False) -> tuple[str, list[int]]:
    """The regular expression of one template paragraph and the slot index of each group.

    A value is at least one character, unless `lax`: a blank left in the source (« Fait à
    Poitiers, le ») is then found as an empty value, to be reported.
    """
    parts: list[str] = [_BULLET]
    order: list[int] = []
    pos = 0
    for m in MARKER.finditer(paragraph):
        parts.append(_literal(paragraph[pos : m.start()]))
        parts.append("([^\\n]*?)" if lax else "([^\\n]+?)")
        order.append(int(m.group(1)))
        pos = m.end()
    parts.append(_literal(paragraph[pos:]))
    pattern = "".join(parts)
    return (pattern.replace("\\s+", "\\s*") if lax else pattern), order


# A comma the source adds before a space (« Représentée par, M. Julien ») is not a reword.
_GAP = "[,;:]?\\s+"


def _literal(text: str) -> str:
    words = text.split(" ")
    return _GAP.join(re.escape(w) for w in words) if text else ""


def _harvest(
    match: re.Match[str], order: Sequence[int], slots: Sequence[Slot], where: str
) -> list[Found]:
    return [Found(slots[k], match.group(g + 1), where) for g, k in enumerate(order)]


def align(
    template: Sequence[str], slots: Sequence[Slot], document: Sequence[str], where: str
) -> Alignment:
    """Values of `slots` found by matching `template` paragraphs against `document`'s."""
    cleaned = [_clean(p) for p in template if _clean(p)]
    doc = [fold_line(p) for p in document if fold_line(p)]
    patterns = [_pattern(p) for p in cleaned]
    lax_patterns = [_pattern(p, lax=True) for p in cleaned]
    order = [k for _, o in patterns for k in o]
    for variant in (patterns, lax_patterns):
        whole = "\\n".join(p for p, _ in variant)
        m = re.fullmatch(whole, "\n".join(doc), re.DOTALL) if variant else None
        if m:
            return Alignment(_harvest(m, order, slots, where), len(variant), len(variant), True)
    found: list[Found] = []
    matched = 0
    start = 0
    for (pattern, p_order), (lax, _) in zip(patterns, lax_patterns, strict=True):
        strict, loose = re.compile(pattern), re.compile(lax)
        for i in range(start, len(doc)):
            pm = strict.fullmatch(doc[i]) or loose.fullmatch(doc[i])
            if pm:
                found.extend(_harvest(pm, p_order, slots, where))
                matched += 1
                start = i + 1
                break
    return Alignment(found, matched, len(patterns), False)
