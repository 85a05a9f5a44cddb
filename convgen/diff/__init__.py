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
from typing import TYPE_CHECKING

from convgen.diff.align import Pair, Unit, align_units, title_key, units_of
from convgen.diff.words import Change, WordDiff, diff_tokens, text_of
from convgen.read.extract import DocumentText

if TYPE_CHECKING:
    from convgen.diff.parts import PartDiff

UNCHANGED, CHANGED, ADDED, REMOVED = "unchanged", "changed", "added", "removed"
STATUS_LABELS = {
    UNCHANGED: "inchangé",
    CHANGED: "modifié",
    ADDED: "ajouté",
    REMOVED: "supprimé",
}


@dataclass
class ArticleDiff:
    """One entry of the comparison: a pair of units, or a unit only in one version."""

    left: Unit | None
    right: Unit | None
    words: WordDiff | None = None  # body diff of a pair
    similarity: float = 0.0
    moved: bool = False

    @property
    def status(self) -> str:
        if self.left is None:
            return ADDED
        if self.right is None:
            return REMOVED
        return CHANGED if self.retitled or not self.words_identical else UNCHANGED

    @property
    def words_identical(self) -> bool:
        return self.words is None or self.words.identical

    @property
    def renumbered(self) -> bool:
        return bool(
            self.left
            and self.right
            and self.left.number
            and self.right.number
            and self.left.number != self.right.number
        )

    @property
    def retitled(self) -> bool:
        if self.left is None or self.right is None:
            return False
        return title_key(self.left.title) != title_key(self.right.title)

    @property
    def changes(self) -> list[Change]:
        """The changes a reader sees: title first, then the body, in reading order."""
        if self.left is None and self.right is not None:
            return [Change("", text_of(self.right.tokens))]
        if self.right is None and self.left is not None:
            return [Change(text_of(self.left.tokens), "")]
        out: list[Change] = []
        if self.retitled and self.left and self.right:
            out.append(Change(self.left.title, self.right.title))
        if self.words is not None:
            out.extend(self.words.changes)
        return out

    @property
    def status_label(self) -> str:
        """The status in French, agreeing with what is named: « modifié »."""
        return STATUS_LABELS[self.status]

    @property
    def flags(self) -> list[str]:
        """French remarks on a pair: "renuméroté", "déplacé", "titre modifié"."""
        out = []
        if self.renumbered:
            out.append("renuméroté")
        if self.moved:
            out.append("déplacé")
        if self.retitled:
            out.append("titre modifié")
        return out

    @property
    def unit(self) -> Unit:
        unit = self.right or self.left
        assert unit is not None
        return unit

    @property
    def name(self) -> str:
        """How the entry is named in reports: "Article 4 – Durée", "Préambule"."""
        unit = self.unit
        if unit.kind in ("article", "annexe") and unit.title:
            return f"{unit.label} – {unit.title}"
        return unit.label


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
    from convgen.diff.parts import diff_parts

    pairs = align_units(units_of(a), units_of(b))
    entries = [_diff_pair(p) for p in pairs]
    return DocumentDiff(a, b, entries, diff_parts(a, b, entries))


def diff_paths(a: Path | str, b: Path | str) -> DocumentDiff:
    """Read (or render, for instance YAML files) two documents and compare them."""
    from convgen.diff.sources import read_for_diff

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
