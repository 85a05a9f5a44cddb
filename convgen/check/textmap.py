"""Folding a paragraph while being able to quote the original text of any folded span.

Rules match on folded text (`convgen.read.textnorm.fold_line`: no-break spaces, apostrophes, "…" →
"..."), but a finding must quote the document as its reader sees it: "……" and not "......", or a
search in Word for the offending text finds nothing. The map from folded to original positions
is only built for the few paragraphs that have a finding.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from convgen.read.textnorm import fold, fold_line

# Extraction artefacts of text files (Markdown emphasis, headings, <sup>, mail links).
_MARKUP = re.compile(r"\*\*|^\s*#{1,6}\s+|</?(?:sup|u|b|i|strong|em)>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:mailto:|https?://)[^)]*\)")
_FOLDED: dict[str, str] = {}


@dataclass
class Folded:
    """A folded paragraph; `source(start, end)` gives the original text of a folded span."""

    text: str
    original: str
    markup: bool = False
    _index: list[int] | None = field(default=None, repr=False)
    _kept: list[bool] | None = field(default=None, repr=False)

    def source(self, start: int, end: int) -> str:
        if self.text == self.original or start >= end:
            return self.text[start:end]
        if self._index is None:
            self._build_map()
        index, kept = self._index, self._kept
        if not index or len(index) != len(self.text) or kept is None:
            return self.text[start:end]  # the map disagrees with fold_line: quote folded text
        first, last = index[start], index[end - 1] + 1
        return "".join(c for j, c in enumerate(self.original[first:last], first) if kept[j])

    def _build_map(self) -> None:
        original = self.original
        keep = _kept_chars(original) if self.markup else [True] * len(original)
        chars: list[str] = []
        index: list[int] = []
        for i, c in enumerate(original):
            if not keep[i]:
                continue
            for p in _fold_char(c):
                if p == " " and (not chars or chars[-1] == " "):
                    continue
                chars.append(p)
                index.append(i)
        while chars and chars[-1] == " ":
            chars.pop()
            index.pop()
        self._index = index if "".join(chars) == self.text else []
        self._kept = keep


def _fold_char(c: str) -> str:
    folded = _FOLDED.get(c)
    if folded is None:
        folded = " " if c.isspace() else fold(c)
        _FOLDED[c] = folded
    return folded


def _kept_chars(original: str) -> list[bool]:
    keep = [True] * len(original)
    for m in _MD_LINK.finditer(original):
        for i in range(m.start(), m.end()):
            keep[i] = m.start(1) <= i < m.end(1)
    for m in _MARKUP.finditer(original):
        for i in range(m.start(), m.end()):
            keep[i] = False
    return keep


def strip_markup(text: str) -> str:
    """Text-file artefacts removed: "**XXXXX**" → "XXXXX", "[a@b.fr](mailto:a@b.fr)" → "a@b.fr"."""
    return _MARKUP.sub("", _MD_LINK.sub(r"\1", text))


def fold_mapped(text: str, markup: bool = False) -> Folded:
    """Fold one paragraph like `fold_line`; with `markup`, drop text-file artefacts too."""
    original = unicodedata.normalize("NFC", text)
    return Folded(fold_line(strip_markup(original) if markup else original), original, markup)
