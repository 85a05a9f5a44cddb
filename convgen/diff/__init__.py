"""Comparing two versions of a convention article by article.

`diff_documents(a, b)` splits both documents into units (`align.units_of`), pairs them by
content and title (`align.align_units`), then diffs the words inside each pair
(`words.diff_tokens`). Headers, footers, notes, text boxes and comments of two Word documents
are compared too, item by item (`parts.diff_parts`). The result, a `DocumentDiff`, is what every
report (terminal, HTML, JSON, Word redline) is written from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from convgen.diff.align import Pair, align_units, units_of
from convgen.diff.articles import ADDED, CHANGED, REMOVED, STATUS_LABELS, UNCHANGED, ArticleDiff
from convgen.diff.parts import PartDiff, diff_parts
from convgen.diff.sources import read_for_diff
from convgen.diff.words import diff_tokens
from convgen.read.extract import DocumentText

__all__ = [
    "ADDED",
    "CHANGED",
    "REMOVED",
    "STATUS_LABELS",
    "UNCHANGED",
    "ArticleDiff",
    "DocumentDiff",
    "diff_documents",
    "diff_paths",
]


@dataclass
class DocumentDiff:
    """The comparison of two documents, entries in reading order of the new version."""

    old: DocumentText
    new: DocumentText
    entries: list[ArticleDiff] = field(default_factory=list)
    # Headers, footers, notes, text boxes and comments (Word documents only), zone by zone.
    parts: list[PartDiff] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """True when nothing a reader would notice differs (numbers and order included)."""
        return all(
            e.status == UNCHANGED and not e.moved and not e.renumbered for e in self.entries
        ) and all(p.status == UNCHANGED for p in self.parts)

    @property
    def changed_parts(self) -> list[PartDiff]:
        """The items outside the body that differ."""
        return [p for p in self.parts if p.status != UNCHANGED]

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)


def _diff_pair(pair: Pair) -> ArticleDiff:
    if pair.left is None or pair.right is None:
        return ArticleDiff(pair.left, pair.right)
    words = diff_tokens(pair.left.tokens, pair.right.tokens)
    return ArticleDiff(pair.left, pair.right, words, pair.score, pair.moved)


def diff_documents(a: DocumentText, b: DocumentText) -> DocumentDiff:
    """Compare two documents already read; `a` is the old version, `b` the new one."""
    pairs = align_units(units_of(a), units_of(b))
    entries = [_diff_pair(p) for p in pairs]
    return DocumentDiff(a, b, entries, diff_parts(a, b, entries))


def diff_paths(a: Path | str, b: Path | str) -> DocumentDiff:
    """Read (or render, for instance YAML files) two documents and compare them."""
    return diff_documents(
        read_for_diff(Path(a), comparison=True), read_for_diff(Path(b), comparison=True)
    )


__all__ = [
    "ADDED",
    "CHANGED",
    "REMOVED",
    "UNCHANGED",
    "ArticleDiff",
    "DocumentDiff",
    "diff_documents",
    "diff_paths",
]
