"""Word-level differences inside one pair of articles, grouped the way a lawyer reads them.

Texts are cut into tokens (words and punctuation marks), each with a comparison key folded
from its typography (no-break spaces, apostrophes, ligatures: `convgen.textnorm.fold`) and the
raw text to print back. Bullet glyphs and decorative symbols carry no key: Word's "•" and a
PDF's private-use bullet are the same list item. Paragraph breaks are tokens too, so that the
Word redline can rebuild paragraphs, but a change made only of paragraph breaks (a PDF joining
two lines differently) is layout, not a change of text, and is not reported.

difflib's `autojunk` heuristic is off: on legal boilerplate it gave 23 % more changed words
than a minimal diff (see FIELD-NOTES). Neighbouring changes separated only by punctuation or a
very short word are merged, so that "trois (3) mois" → "deux (2) mois" is one change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from convgen.textnorm import fold

PARA = "\n"  # key of a paragraph-break token
# Hyphenated compounds are one token compared without their hyphens: a PDF line break after
# "multi-" cannot be told from a hyphenation, so "multi-employeurs" and "multiemployeurs" from
# the same text must compare equal.
_TOKEN = re.compile(r"\w+(?:[-\u2011]\w+)*|(?:\.{2,}|…)+|[^\w\s]")
_LEADING_BULLET = re.compile(r"^\s*([•·▪●◦○■□►▸–—\-*\uf000-\uf0ff]|\d+[.)]?(?=\t))\s+")
# A short word between two changes is absorbed into one change ("de", "à", "(3)").
_MAX_GAP_WORD = 3


@dataclass(frozen=True)
class Token:
    """One word or punctuation mark: `key` is compared, `raw` (with its spaces) is printed."""

    key: str
    raw: str

    @property
    def is_para(self) -> bool:
        return self.key == PARA

    @property
    def is_punct(self) -> bool:
        return self.key != PARA and not any(c.isalnum() for c in self.key)


def _ignorable(token: str) -> bool:
    """Decorative symbols (arrows, private-use bullets) are never compared."""
    return all(unicodedata.category(c) in ("So", "Co", "Cn") for c in token)


def _key(word: str) -> str:
    folded = fold(word)
    if folded.startswith(".."):
        return "..."  # "…", "..." and dot leaders
    return folded.replace("-", "") if len(folded) > 1 else folded


def tokenize(paragraphs: Sequence[str]) -> list[Token]:
    """Tokens of consecutive paragraphs, with a paragraph-break token between paragraphs.

    Joining the raw texts of a paragraph's tokens gives the paragraph back exactly.
    """
    tokens: list[Token] = []
    for index, text in enumerate(paragraphs):
        if index:
            tokens.append(Token(PARA, ""))
        head, body = "", text
        bullet = _LEADING_BULLET.match(text)
        if bullet:
            head, body = text[: bullet.end()], text[bullet.end() :]
        matches = list(_TOKEN.finditer(body))
        first = len(tokens)
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
            if _ignorable(m.group()):
                if len(tokens) > first:
                    last = tokens[-1]
                    tokens[-1] = Token(last.key, last.raw + body[m.start() : end])
                continue  # before the first word: taken with it below
            key = _key(m.group())
            if len(tokens) == first:
                tokens.append(Token(key, head + body[:end]))
            else:
                tokens.append(Token(key, body[m.start() : end]))
        if len(tokens) == first and text.strip():
            tokens.append(Token(fold(text).strip(), text))  # symbols only, e.g. "↳"
    return tokens


def text_of(tokens: Sequence[Token]) -> str:
    """Readable text of a run of tokens; paragraph breaks become line breaks."""
    out = "".join("\n" if t.is_para else t.raw for t in tokens)
    return re.sub(r"[ \t]*\n[ \t]*", "\n", out).strip()


@dataclass
class Segment:
    """A run of the merged token sequence: equal in both texts, or changed."""

    equal: bool
    old: list[Token] = field(default_factory=list)
    new: list[Token] = field(default_factory=list)

    @property
    def layout_only(self) -> bool:
        """A change of paragraph breaks only: not a change of the text."""
        return not self.equal and all(t.is_para for t in self.old + self.new)


@dataclass
class Change:
    """One change as reported: the old and new wording (empty when added or removed)."""

    old: str
    new: str


@dataclass
class ChangeInContext:
    """A change with a few words of unchanged text on each side, for display."""

    before: str
    old: str
    new: str
    after: str


@dataclass
class WordDiff:
    segments: list[Segment]

    def in_context(self, words: int = 6) -> list[ChangeInContext]:
        """Each reported change with up to `words` unchanged tokens around it."""
        out: list[ChangeInContext] = []
        for i, seg in enumerate(self.segments):
            if seg.equal or seg.layout_only:
                continue
            before = self.segments[i - 1].new[-words:] if i and self.segments[i - 1].equal else []
            nxt = self.segments[i + 1] if i + 1 < len(self.segments) else None
            after = nxt.new[:words] if nxt is not None and nxt.equal else []
            out.append(
                ChangeInContext(
                    _context(before, tail=True),
                    text_of(seg.old),
                    text_of(seg.new),
                    _context(after, tail=False),
                )
            )
        return out

    @property
    def changes(self) -> list[Change]:
        return [
            Change(text_of(s.old), text_of(s.new))
            for s in self.segments
            if not s.equal and not s.layout_only
        ]

    @property
    def identical(self) -> bool:
        return all(s.equal or s.layout_only for s in self.segments)


def _context(tokens: Sequence[Token], tail: bool) -> str:
    """Context text cut at a paragraph break, so that it reads as one line."""
    text = "".join("\n" if t.is_para else t.raw for t in tokens)
    parts = text.split("\n")
    return (parts[-1] if tail else parts[0]).strip()


def _absorbable(gap: Sequence[Token]) -> bool:
    """An equal run short enough to be read as part of the changes around it."""
    words = [t for t in gap if not t.is_punct and not t.is_para]
    if any(t.is_para for t in gap):
        return False
    if not words:
        return len(gap) <= 3
    return len(gap) <= 3 and len(words) == 1 and len(words[0].key) <= _MAX_GAP_WORD


def diff_tokens(a: Sequence[Token], b: Sequence[Token]) -> WordDiff:
    """Minimal word diff of two token runs, with neighbouring changes merged."""
    a_keys = [t.key for t in a]
    b_keys = [t.key for t in b]
    if a_keys == b_keys:
        return WordDiff([Segment(True, list(a), list(b))] if a or b else [])
    matcher = SequenceMatcher(None, a_keys, b_keys, autojunk=False)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        raw.append(Segment(tag == "equal", list(a[i1:i2]), list(b[j1:j2])))
    return WordDiff(_balance(_merge(raw)))


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        if (
            seg.equal
            and out
            and not out[-1].equal
            and i + 1 < len(segments)
            and not segments[i + 1].equal
            and _absorbable(seg.old)
            and not out[-1].layout_only
            and not segments[i + 1].layout_only
        ):
            nxt = segments[i + 1]
            prev = out[-1]
            prev.old += seg.old + nxt.old
            prev.new += seg.new + nxt.new
            i += 2
            continue
        if not seg.equal and out and not out[-1].equal:
            out[-1].old += seg.old
            out[-1].new += seg.new
        else:
            out.append(Segment(seg.equal, list(seg.old), list(seg.new)))
        i += 1
    return out


_OPENERS = {"(": ")", "«": "»", "[": "]", '"': '"'}


def _balance(segments: list[Segment]) -> list[Segment]:
    """Take a closing bracket into the change that opened it: "trois (3)" → "deux (2)"."""
    for i, seg in enumerate(segments[:-1]):
        if seg.equal or seg.layout_only:
            continue
        nxt = segments[i + 1]
        if not nxt.equal or not nxt.old:
            continue
        closer = nxt.old[0].key
        opened = [
            _OPENERS[t.key] for side in (seg.old, seg.new) for t in side[-2:] if t.key in _OPENERS
        ]
        if closer in opened:
            seg.old.append(nxt.old.pop(0))
            seg.new.append(nxt.new.pop(0))
    return [s for s in segments if not s.equal or s.old or s.new]


def diff_paragraphs(a: Sequence[str], b: Sequence[str]) -> WordDiff:
    """Word diff of two lists of paragraphs."""
    return diff_tokens(tokenize(a), tokenize(b))
