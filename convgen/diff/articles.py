"""One entry of a comparison: a pair of units of the two versions, with its word changes."""

from __future__ import annotations

from dataclasses import dataclass

from convgen.diff.align import Unit, title_key
from convgen.diff.words import Change, WordDiff, text_of

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
