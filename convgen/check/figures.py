"""Numbers and dates that contradict themselves inside a paragraph.

- `nombre-incoherent`: "trente (20) jours", "2 (trois) mois": the amount written in letters and in
  figures must agree; it is the letters that bind in case of doubt, so a mismatch is an error.
- `date-invalide`: "le 31 avril 2025", "30/02/2025".
- `dates-incoherentes`: "prend effet le 17/03/2025 ... jusqu'au 31/12/2024": an end before its
  start in the same sentence.
"""

from __future__ import annotations

import re
from datetime import date

from convgen.check.hits import Hit
from convgen.check.model import ERROR

_UNITS = {
    "zero": 0, "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16,
}  # fmt: skip
_TENS = {"trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
_NUMBER_WORDS = set(_UNITS) | set(_TENS) | {"vingt", "vingts", "cent", "cents", "mille", "et"}

_WORDS_THEN_FIGURE = re.compile(
    r"(?P<words>(?:[A-Za-zÀ-ÿ]+[\s-]+){0,5}[A-Za-zÀ-ÿ]+)\s*\(\s*(?P<figure>\d{1,6})\s*\)"
)
_FIGURE_THEN_WORDS = re.compile(
    r"(?<![\d,.])(?P<figure>\d{1,6})\s*\(\s*(?P<words>[A-Za-zÀ-ÿ\s-]+?)\s*\)"
)

_DIGIT = re.compile(r"\d")
_MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}  # fmt: skip
_DATE = re.compile(
    r"(?<![\d/])(?P<d>\d{1,2})(?:er)?\s+(?P<month>" + "|".join(_MONTHS) + r")\s+(?P<y>\d{4})(?!\d)"
    r"|(?<![\d/])(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4})(?![\d/])",
    re.IGNORECASE,
)
_STARTS = re.compile(
    r"(?:\bdu|compter\s+du|effet\s+(?:le|au)|partir\s+du|d[ée]but\s+le|entre\s+le)\s*$",
    re.IGNORECASE,
)
_ENDS = re.compile(r"(?:\bau|jusqu'au|jusqu'à|fin\s+le|terme\s+le|et\s+le)\s*$", re.IGNORECASE)


def words_value(words: str) -> int | None:
    """Value of a French number in letters ("quatre-vingt-dix", "deux cents"), None otherwise."""
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t and t != "et"]
    if not tokens:
        return None
    total, current = 0, 0
    for i, token in enumerate(tokens):
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token in ("vingt", "vingts"):
            # "quatre-vingt(s)" is 4 × 20; elsewhere vingt is 20.
            current = current * 20 if i > 0 and tokens[i - 1] == "quatre" else current + 20
        elif token in ("cent", "cents"):
            current = (current or 1) * 100
        elif token == "mille":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


def _number_suffix(words: str) -> tuple[str, int] | None:
    """The longest run of number words ending `words` ("délai de trente" → "trente", 30)."""
    tokens = list(re.finditer(r"[A-Za-zÀ-ÿ]+", words))
    for k, token in enumerate(tokens):
        if all(t.group().lower() in _NUMBER_WORDS for t in tokens[k:]):
            phrase = words[token.start() :]
            value = words_value(phrase)
            return (phrase, value) if value is not None else None
    return None


def find_figure_problems(text: str) -> list[Hit]:
    """Numbers in letters and figures that differ, impossible dates, ends before starts."""
    hits: list[Hit] = []
    if "(" in text:
        for m in _WORDS_THEN_FIGURE.finditer(text):
            found = _number_suffix(m.group("words"))
            figure = int(m.group("figure"))
            if found and found[1] != figure and not (found[1] < 100 and 1900 <= figure < 2100):
                # "un bâtiment neuf (2020)": a year, not the figure of "neuf".
                start = m.end() - len(m.group()) + m.group().rfind(found[0])
                hits.append(_mismatch(text, start, m.end(), found[0], figure))
        for m in _FIGURE_THEN_WORDS.finditer(text):
            value = words_value(m.group("words"))
            if value is not None and value != int(m.group("figure")):
                hits.append(
                    _mismatch(text, m.start(), m.end(), m.group("words"), int(m.group("figure")))
                )
    if _DIGIT.search(text):
        hits.extend(_dates(text))
    return hits


def _mismatch(text: str, start: int, end: int, words: str, figure: int) -> Hit:
    message = f"nombre écrit « {words} » en lettres mais {figure} en chiffres"
    return Hit("nombre-incoherent", start, end, text[start:end], message, ERROR)


def _dates(text: str) -> list[Hit]:
    hits: list[Hit] = []
    found: list[tuple[re.Match[str], date]] = []
    for m in _DATE.finditer(text):
        if m.group("d"):
            d, mo, y = int(m.group("d")), _MONTHS[m.group("month").lower()], int(m.group("y"))
        else:
            d, mo, y = int(m.group("d2")), int(m.group("m2")), int(m.group("y2"))
        try:
            found.append((m, date(y, mo, d)))
        except ValueError:
            hits.append(
                Hit("date-invalide", m.start(), m.end(), m.group(), "date impossible", ERROR)
            )
    for (a, start), (b, end) in zip(found, found[1:], strict=False):
        between = text[a.end() : b.start()]
        if (
            end < start
            and _STARTS.search(text[max(0, a.start() - 30) : a.start()])
            and _ENDS.search(between)
            and len(between) <= 120
        ):
            message = f"la date de fin ({end:%d/%m/%Y}) précède la date de début ({start:%d/%m/%Y})"
            hits.append(
                Hit(
                    "dates-incoherentes",
                    a.start(),
                    b.end(),
                    text[a.start() : b.end()],
                    message,
                    ERROR,
                )
            )
    return hits
