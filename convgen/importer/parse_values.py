"""French text back to typed values: dates, durations, amounts, numbers in words.

Each parser proposes candidates; `recover_value` keeps the first candidate whose rendering by
the template's filters gives the text found in the document (after typographic folding), so a
value is never guessed: « deux (2) ans » gives `2 ans` only because `lettres_chiffres(2 ans)`
writes « deux (2) ans » again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError

from convgen.compose.french import MONTHS, UNITS, Duree, nombre_lettres
from convgen.compose.templating import text_env
from convgen.load.values import ValueTypeError, convert_scalar
from convgen.read.textnorm import fold_line

# « XXXX », « 2025-xxxx », « M..... », « … », « [Raison sociale] », « xx/xx/xx »
PLACEHOLDER = re.compile(r"[xX]{3,}|\.{4,}|…{2,}|_{3,}|^\s*\[[^\]]*\]\s*$|\bxx/xx/xx")


def is_placeholder(text: str) -> bool:
    return bool(PLACEHOLDER.search(text))


@lru_cache(maxsize=1)
def _number_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for n in range(0, 1001):
        words.setdefault(nombre_lettres(n), n)
        words.setdefault(nombre_lettres(n, feminine=True), n)
    return words


def parse_number(text: str) -> list[int]:
    """ "3", "trois", "trois (3)", "10 000" → candidate integers."""
    folded = fold_line(text).lower()
    out: list[int] = []
    digits = re.sub(r"[\s.]", "", folded)
    if re.fullmatch(r"-?\d+", digits):
        out.append(int(digits))
    m = re.fullmatch(r"(.+?)\s*\((\d+)\)", folded)
    if m:
        out.append(int(m.group(2)))
    if folded in _number_words():
        out.append(_number_words()[folded])
    return out


_UNIT_WORDS = {word: key for key, forms in UNITS.items() for word in forms[:2]}


def parse_duration(text: str) -> list[Duree]:
    """ "2 ans", "deux ans", "deux (2) ans", "une (1) année" → candidate durations."""
    folded = fold_line(text).lower()
    m = re.fullmatch(r"(.+?)\s+(\S+)", folded)
    if not m:
        return []
    unit = _UNIT_WORDS.get(m.group(2))
    if unit is None:
        return []
    return [Duree(n, unit) for n in parse_number(m.group(1))]


_MONTH_INDEX = {name: i + 1 for i, name in enumerate(MONTHS)}


def parse_french_date(text: str) -> list[date]:
    """ "17 avril 2025", "1er janvier 2026", "lundi 6 janvier 2025", "17/04/2025"."""
    folded = fold_line(text).lower()
    out: list[date] = []
    m = re.search(r"(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})$", folded)
    if m and m.group(2) in _MONTH_INDEX:
        try:
            out.append(date(int(m.group(3)), _MONTH_INDEX[m.group(2)], int(m.group(1))))
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", folded)
    if m:
        try:
            out.append(date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        except ValueError:
            pass
    return out


def parse_amount(text: str) -> list[Decimal]:
    """ "10 000 €", "1 234,50 €", "10000" → candidate amounts."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|euros?", "", fold_line(text))
    cleaned = cleaned.replace(",", ".")
    try:
        return [Decimal(cleaned)]
    except InvalidOperation:
        return []


def _place_candidates(text: str) -> list[str]:
    """ "de Poitiers" / "du Teil" / "aux Vans" → the bare names that may have given them."""
    folded = fold_line(text)
    out = [folded]
    for prefix, article in (
        ("de la ", "La "), ("de l'", "L'"), ("du ", "Le "), ("des ", "Les "), ("de ", ""),
        ("d'", ""), ("à la ", "La "), ("à l'", "L'"), ("au ", "Le "), ("aux ", "Les "),
        ("à ", ""),
    ):  # fmt: skip
        if folded.lower().startswith(prefix):
            out.append(article + folded[len(prefix) :])
    return out


def _text_candidates(text: str) -> list[str]:
    folded = fold_line(text)
    out = [text.strip(), folded, folded.lower(), folded[:1].lower() + folded[1:]]
    out.extend(_place_candidates(text))
    return list(dict.fromkeys(out))


CANDIDATES: dict[str, Callable[[str], Iterable[Any]]] = {
    "entier": parse_number,
    "decimal": parse_amount,
    "montant": parse_amount,
    "date": parse_french_date,
    "duree": parse_duration,
}


def candidates(text: str, type_: str) -> list[Any]:
    """Values of `type_` that may have been written `text`; each one valid for its type."""

    parser = CANDIDATES.get(type_)
    if parser is not None:
        return list(parser(text))
    out = []
    for candidate in _text_candidates(text):
        try:
            out.append(convert_scalar(candidate, type_) if type_ != "texte" else candidate)
        except ValueTypeError:
            continue
    return out


def render_filters(value: Any, filters: tuple[str, ...]) -> str | None:
    """The text a template prints for `value` through `filters`, or None if it cannot."""

    source = "{{ v" + "".join(f" | {f}" for f in filters) + " }}"
    try:
        return text_env.from_string(source).render(v=value)
    except (TemplateError, TypeError, ValueError, ArithmeticError):
        return None


def recover_value(text: str, type_: str, filters: tuple[str, ...]) -> Any:
    """The first candidate value whose rendering gives `text` back; None when none does."""
    target = fold_line(text)
    for value in candidates(text, type_):
        shown = render_filters(value, filters)
        if shown is not None and fold_line(shown) == target:
            return value
    return None
