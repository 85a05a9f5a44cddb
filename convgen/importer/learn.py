"""New clauses learnt from documents: the common text is the clause, what varies its parameters.

The articles of several documents that say the same thing are aligned word by word
(difflib, without its « autojunk » heuristic, which FIELD-NOTES measured as wrong on legal
boilerplate). The words every document shares are the clause's literal text; each span between
them that differs in at least one document becomes a parameter, typed when its values all read
back as one type through one filter (dates « 17 avril 2025 », durations « trois (3) ans »,
whole numbers, amounts), and a text otherwise. A single document gives a clause without
parameters: its own text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from convgen.compose.french import Duree, parse_duree
from convgen.compose.templating import escape_markup
from convgen.importer.parse_values import candidates, render_filters
from convgen.read.textnorm import fold_line

PARA = "\n"  # paragraph break token
GLUE = "\x01"  # marks a token written without a space before it
# How a typed value may be written, tried in this order: the first type and filter that give
# back every document's text wins.
_TYPED_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("date", ("date",)),
    ("date", ("date_courte",)),
    ("duree", ("lettres_chiffres",)),
    ("duree", ("lettres",)),
    ("duree", ("chiffres",)),
    ("montant", ("montant",)),
    ("entier", ("lettres_chiffres",)),
    ("entier", ()),
)


@dataclass
class Parameter:
    name: str
    type: str
    filters: tuple[str, ...]
    values: list[Any]  # one per document
    texts: list[str] = field(default_factory=list)  # as each document writes it


@dataclass
class LearntText:
    """A template text (clause markup or frame paragraphs) and its parameters."""

    paragraphs: list[list[str | int]]  # literal words and parameter indexes
    parameters: list[Parameter] = field(default_factory=list)


def _words(paragraphs: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        text = fold_line(p)
        if not text:
            continue
        if out:
            out.append(PARA)
        for word in text.split(" "):
            m = re.fullmatch(r"(.{3,}?[^.,;:!?]|\d+)([.,;:!?]+)", word)
            if m:  # trailing punctuation apart: « 2025. » is the date « 2025 » and a period
                out.extend([m.group(1), GLUE + m.group(2)])
            else:
                out.append(word)
    return out


def _anchors(base: list[str], other: list[str]) -> dict[int, int]:
    """Index in `other` of each word of `base` that the alignment keeps."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    mapping: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping


def _type_of(texts: list[str]) -> tuple[str, tuple[str, ...], list[Any]]:
    for type_, filters in _TYPED_FILTERS:
        values: list[Any] = []
        for text in texts:
            value = next(
                (
                    v
                    for v in candidates(text, type_)
                    if fold_line(render_filters(v, filters) or "") == fold_line(text)
                ),
                None,
            )
            if value is None:
                break
            values.append(value)
        else:
            return type_, filters, values
    return "texte", (), list(texts)


def _join(tokens: Sequence[str]) -> str:
    text = ""
    for token in tokens:
        if token.startswith(GLUE):
            text += token[1:]
        else:
            text += (" " if text else "") + token
    return text


_UNIT = re.compile(r"(jours?|semaines?|mois|ans|années?|an)$")


def _merge_durations(pieces: list[str | int], parameters: list[Parameter]) -> None:
    """« {{ n | lettres_chiffres }} ans » is a duration: the unit joins the number."""

    for k, piece in enumerate(pieces[:-1]):
        nxt = pieces[k + 1]
        if not isinstance(piece, int) or not isinstance(nxt, str) or not _UNIT.match(nxt):
            continue
        param = parameters[piece]
        if param.type != "entier":
            continue
        try:
            unit = parse_duree(f"1 {nxt}").unite
        except ValueError:
            continue
        values = [Duree(v, unit) for v in param.values]
        texts = [render_filters(v, param.filters) for v in values]
        spelt = [render_filters(v, param.filters + ()) for v in param.values]
        if all(t is not None and s is not None and fold_line(t) == fold_line(f"{s} {nxt}")
               for t, s in zip(texts, spelt, strict=True)):  # fmt: skip
            parameters[piece] = Parameter(param.name, "duree", param.filters, values, param.texts)
            pieces[k + 1] = ""


def _widen(pieces: list[str | int], parameters: list[Parameter]) -> None:
    """A text value followed by a word every document shares (« 1er septembre » + « 2025 »)
    takes that word when together they read as a typed value (a date)."""
    for k, piece in enumerate(pieces[:-1]):
        nxt = pieces[k + 1]
        if not isinstance(piece, int) or not isinstance(nxt, str) or not nxt or nxt == PARA:
            continue
        param = parameters[piece]
        if param.type != "texte" or nxt.startswith(GLUE):
            continue
        texts = [f"{t} {nxt}" for t in param.texts]
        type_, filters, values = _type_of(texts)
        if type_ != "texte":
            parameters[piece] = Parameter(param.name, type_, filters, values, texts)
            pieces[k + 1] = ""


def learn(documents: Sequence[Sequence[str]], prefix: str = "valeur") -> LearntText:
    """The shared text of `documents` (paragraph lists), varying spans as parameters."""
    words = [_words(d) for d in documents]
    base = words[0]
    maps = [_anchors(base, w) for w in words[1:]]
    # A word is common when every document keeps it, in the same order.
    common = [i for i in range(len(base)) if all(i in m for m in maps)]
    pieces: list[str | int] = []
    parameters: list[Parameter] = []
    prev_base, prev_others = -1, [-1] * len(maps)
    for i in [*common, len(base)]:
        others = [m[i] if i < len(base) else len(words[k + 1]) for k, m in enumerate(maps)]
        spans = [base[prev_base + 1 : i]] + [
            words[k + 1][prev_others[k] + 1 : o] for k, o in enumerate(others)
        ]
        if any(s != spans[0] for s in spans) or any(PARA in s for s in spans):
            if any(PARA in s for s in spans) or any(not s for s in spans):
                # A paragraph added or removed, or a word only some documents have: not a
                # value of the partnership but a different wording: kept as the first says.
                pieces.extend(spans[0])
            else:
                texts = [_join(s) for s in spans]
                type_, filters, values = _type_of(texts)
                name = f"{prefix}_{len(parameters) + 1}"
                parameters.append(Parameter(name, type_, filters, values, texts))
                pieces.append(len(parameters) - 1)
        else:
            pieces.extend(spans[0])
        if i < len(base):
            pieces.append(base[i])
        prev_base, prev_others = i, others
    _merge_durations(pieces, parameters)
    _widen(pieces, parameters)
    paragraphs: list[list[str | int]] = [[]]
    for piece in pieces:
        if piece == "":
            continue
        if piece == PARA:
            paragraphs.append([])
        else:
            paragraphs[-1].append(piece)
    return LearntText([p for p in paragraphs if p], parameters)


_JINJA = re.compile(r"(\{[{%#]|[}%#]\})")


def literal(text: str, markup: bool) -> str:
    """Literal text safe in a template (Jinja delimiters), and in clause markup if `markup`."""

    text = _JINJA.sub(lambda m: "{{ '" + m.group(1) + "' }}", text)
    return escape_markup(text) if markup else text


def template_lines(learnt: LearntText, variable: str, markup: bool) -> list[str]:
    """Each paragraph as template text, parameter `n` printed `{{ <variable>.<name> | … }}`."""
    lines = []
    for paragraph in learnt.paragraphs:
        out: list[str] = []
        for piece in paragraph:
            if isinstance(piece, int):
                param = learnt.parameters[piece]
                filters = "".join(f" | {f}" for f in param.filters)
                out.append(f"{{{{ {variable}.{param.name}{filters} }}}}")
            elif piece.startswith(GLUE):
                out.append(GLUE + literal(piece[1:], markup))
            else:
                out.append(literal(piece, markup))
        lines.append(" ".join(out).replace(" " + GLUE, "").replace(GLUE, ""))
    return lines
