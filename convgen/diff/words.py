"""Word-level differences inside one pair of articles, grouped the way a lawyer reads them.

Texts are cut into tokens (words and punctuation marks), each with a comparison key folded
from its typography (no-break spaces, apostrophes, ligatures: `convgen.read.textnorm.fold`) and the
raw text to print back. Bullet glyphs, decorative symbols and dot leaders carry no key: Word's
"•" and a PDF's private-use bullet are the same list item, and a sommaire's "....... 3" is
Word's tab. Hyphenated compounds compare without their hyphens. Paragraph breaks are tokens too, so that the
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
from functools import lru_cache
from typing import NamedTuple

from convgen.read.textnorm import fold

PARA = "\n"  # key of a paragraph-break token
# Hyphenated compounds are one token compared without their hyphens: a PDF line break after
# "multi-" cannot be told from a hyphenation, so "multi-employeurs" and "multiemployeurs" from
# the same text must compare equal.
_TOKEN = re.compile(r"\w+(?:[-\u2011]\w+)*|(?:\.{2,}|…)+|[^\w\s]")
_TOKEN_SPACE = re.compile(r"(" + _TOKEN.pattern + r")(\s*)")
_LEADING_BULLET = re.compile(r"^\s*([•·▪●◦○■□►▸–—\-*\uf000-\uf0ff]|\d+[.)]?(?=\t))\s+")
# A short word between two changes is absorbed into one change ("de", "à", "(3)").
_MAX_GAP_WORD = 3


class Token(NamedTuple):
    """One word or punctuation mark: `key` is compared, `raw` (with its spaces) is printed.

    A named tuple, not a dataclass: a 20,000-word convention makes some 60,000 of them.
    """

    key: str
    raw: str

    @property
    def is_para(self) -> bool:
        return self.key == PARA

    @property
    def is_punct(self) -> bool:
        return is_punct_key(self.key)


@lru_cache(maxsize=65536)
def is_punct_key(key: str) -> bool:
    return key != PARA and not any(c.isalnum() for c in key)


@lru_cache(maxsize=65536)
def _ignorable(token: str) -> bool:
    """Decorative symbols (arrows, private-use bullets) and dot leaders are never compared.

    A sommaire line is "Article 1 : Objet<tab>3" in Word and "Article 1 : Objet....... 3" in
    the PDF made from it.
    """
    if len(token) >= 4 and not token.strip("."):
        return True
    return all(unicodedata.category(c) in ("So", "Co", "Cn") for c in token)


@lru_cache(maxsize=65536)  # a convention uses a few thousand distinct words
def _key(word: str) -> str:
    # An ASCII word has no typography to fold (spaces, curly quotes, ligatures are not ASCII).
    folded = word if word.isascii() else fold(word)
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
            tokens.append(_BREAK)
        tokens.extend(_paragraph_tokens(text))
    return tokens


_BREAK = Token(PARA, "")


@lru_cache(maxsize=16384)  # two versions of a convention share most of their paragraphs
def _paragraph_tokens(text: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    pending = ""  # text before the paragraph's first word: bullet, spaces, symbols
    bullet = _LEADING_BULLET.match(text)
    body = text
    if bullet:
        pending, body = text[: bullet.end()], text[bullet.end() :]
    stripped = body.lstrip()
    pending += body[: len(body) - len(stripped)]
    for word, space in _TOKEN_SPACE.findall(stripped):
        if _ignorable(word):
            if tokens:
                last = tokens[-1]
                tokens[-1] = Token(last.key, last.raw + word + space)
            else:
                pending += word + space
            continue
        tokens.append(Token(_key(word), pending + word + space))
        pending = ""
    if pending:
        if tokens:
            last = tokens[-1]
            tokens[-1] = Token(last.key, last.raw + pending)
        elif pending.strip():
            tokens.append(Token(fold(pending).strip() or "·", pending))  # symbols only: "↳"
        # else: a paragraph of spaces or line breaks only (a page break): nothing to compare
    return tuple(tokens)


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
    """Minimal word diff of two token runs, with neighbouring changes merged.

    Paragraphs identical in both runs are matched first, and words are diffed only between
    them: a long article with one changed duration costs one paragraph's word diff, not the
    whole article's (difflib is quadratic on repetitive legal wording).
    """
    a_keys = [t.key for t in a]
    b_keys = [t.key for t in b]
    if a_keys == b_keys:
        return WordDiff([Segment(True, list(a), list(b))] if a or b else [])
    spans_a, spans_b = _paragraph_spans(a_keys), _paragraph_spans(b_keys)
    paras_a = [tuple(a_keys[s:e]) for s, e in spans_a]
    paras_b = [tuple(b_keys[s:e]) for s, e in spans_b]
    raw: list[Segment] = []
    pos_a = pos_b = 0
    matcher = SequenceMatcher(None, paras_a, paras_b, autojunk=False)
    for i, j, size in matcher.get_matching_blocks():
        if size == 0:
            continue
        start_a, end_a = spans_a[i][0], spans_a[i + size - 1][1]
        start_b, end_b = spans_b[j][0], spans_b[j + size - 1][1]
        raw += _diff_flat(a, b, a_keys, b_keys, pos_a, start_a, pos_b, start_b)
        raw.append(Segment(True, list(a[start_a:end_a]), list(b[start_b:end_b])))
        pos_a, pos_b = end_a, end_b
    raw += _diff_flat(a, b, a_keys, b_keys, pos_a, len(a), pos_b, len(b))
    return WordDiff(_balance(_merge(_coalesce(raw))))


def _paragraph_spans(keys: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each paragraph's tokens, paragraph breaks excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i, key in enumerate(keys):
        if key == PARA:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(keys)))
    return spans


def _diff_flat(
    a: Sequence[Token],
    b: Sequence[Token],
    a_keys: list[str],
    b_keys: list[str],
    a1: int,
    a2: int,
    b1: int,
    b2: int,
) -> list[Segment]:
    """Word diff of a[a1:a2] against b[b1:b2] (no paragraph matching)."""
    if a1 == a2 and b1 == b2:
        return []
    matcher = SequenceMatcher(None, a_keys[a1:a2], b_keys[b1:b2], autojunk=False)
    return [
        Segment(tag == "equal", list(a[a1 + i1 : a1 + i2]), list(b[b1 + j1 : b1 + j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def _coalesce(segments: list[Segment]) -> list[Segment]:
    """Join consecutive equal segments (paragraph matches and word matches meet)."""
    out: list[Segment] = []
    for seg in segments:
        if out and seg.equal and out[-1].equal:
            out[-1] = Segment(True, out[-1].old + seg.old, out[-1].new + seg.new)
        elif seg.old or seg.new:
            out.append(seg)
    return out


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
