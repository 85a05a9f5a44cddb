"""Folding a paragraph while remembering where each folded character came from.

Rules match on folded text (`convgen.textnorm.fold`: no-break spaces, apostrophes, "…" → "..."),
but a finding must quote the document as its reader sees it: "……" and not "......", or a search
in Word for the offending text finds nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from convgen.textnorm import fold

# Extraction artefacts of text files (Markdown emphasis, headings, <sup>, mail links).
_MARKUP = re.compile(r"\*\*|^\s*#{1,6}\s+|</?(?:sup|u|b|i|strong|em)>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:mailto:|https?://)[^)]*\)")
_FOLDED: dict[str, str] = {}


@dataclass(frozen=True)
class Folded:
    """A folded paragraph; `source(start, end)` gives the original text of a folded span."""

    text: str
    original: str
    index: tuple[int, ...]  # index[k] = position in `original` of folded character k
    dropped: frozenset[int] = frozenset()  # positions of artefacts removed from `original`

    def source(self, start: int, end: int) -> str:
        if start >= end or not self.index:
            return self.text[start:end]
        first, last = self.index[start], self.index[end - 1] + 1
        if not self.dropped:
            return self.original[first:last]
        return "".join(
            c for j, c in enumerate(self.original[first:last], first) if j not in self.dropped
        )


def _fold_char(c: str) -> str:
    folded = _FOLDED.get(c)
    if folded is None:
        folded = fold(c) if not c.isspace() else " "
        _FOLDED[c] = folded
    return folded


def fold_mapped(text: str, markup: bool = False) -> Folded:
    """Fold one paragraph like `fold_line`; with `markup`, drop text-file artefacts too."""
    original = unicodedata.normalize("NFC", text)
    keep = [True] * len(original)
    if markup:
        for m in _MD_LINK.finditer(original):
            for i in range(m.start(), m.end()):
                keep[i] = m.start(1) <= i < m.end(1)
        for m in _MARKUP.finditer(original):
            for i in range(m.start(), m.end()):
                keep[i] = False
    chars: list[str] = []
    index: list[int] = []
    for i, c in enumerate(original):
        if not keep[i]:
            continue
        piece = _fold_char(c) if c not in "\n\r" else " "
        for p in piece:
            if p == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(p)
            index.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    dropped = frozenset(i for i, k in enumerate(keep) if not k)
    return Folded("".join(chars), original, tuple(index), dropped)
