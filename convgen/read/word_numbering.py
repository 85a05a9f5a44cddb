"""The labels Word draws for numbered paragraphs ("Article 3", "TITRE II", "4.1"), per ECMA-376 §17.9.

A convention's article numbers are often not in its text at all: Word computes them from
`word/numbering.xml`. Check, diff and structure read what a person sees, so the labels must be
computed as Word does, or a document gives false « numéro en double » and « il manque
l'article… » findings. What Word does, and what this module follows:

- a paragraph is numbered by its own `w:numPr`, else by its style's (`w:pStyle` → style
  `w:numPr`, through `w:basedOn`); a paragraph `w:numPr` with only `w:ilvl` keeps its style's
  list; `w:numId="0"` removes the numbering; a style linked to a level by `w:lvl/w:pStyle`
  takes that level;
- counters belong to the abstract definition (`w:abstractNum`): two `w:num` instances over one
  abstract list continue one counter, as Word's « Continuer la liste précédente »;
- a `w:num` with `w:lvlOverride/w:startOverride` (« Définir la valeur de numérotation ») is a
  list of its own that starts at that value; an override `w:lvl` replaces the level's format;
- a level restarts when a higher level is used (`w:lvlRestart` says which, 0 = never; Word
  restarts on that level "or any higher", [MS-OI29500] 2.1.291);
- `w:isLgl` shows every level of "%1.%2" in Arabic numerals ("II.3" becomes "2.3");
- `w:abstractNum/w:numStyleLink` points to the list defined by `w:styleLink` of the same style.

LibreOffice is the oracle of the tests: every case is rendered to PDF and compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from convgen.compose.french import to_roman

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
LEVELS = 9


@dataclass(frozen=True)
class Level:
    """One level of a list: how its number is written and when it restarts."""

    fmt: str = "decimal"
    text: str = ""
    start: int = 1
    restart: int | None = None  # w:lvlRestart (1-based level; 0 never); None: after any higher
    legal: bool = False  # w:isLgl
    style: str | None = None  # w:pStyle: the paragraph style linked to this level


@dataclass(frozen=True)
class ListInstance:
    """A `w:num`: which abstract list it draws from, and its overrides."""

    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # level → w:startOverride
    levels: dict[int, Level] = field(default_factory=dict)  # level → override w:lvl


@dataclass
class NumberingDefinitions:
    """What `word/numbering.xml` defines (empty when the document has none)."""

    abstracts: dict[str, dict[int, Level]] = field(default_factory=dict)
    instances: dict[str, ListInstance] = field(default_factory=dict)
    _resets: dict[tuple[str, int], tuple[int, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def resets(self, num_id: str, ilvl: int) -> tuple[int, ...]:
        """The deeper levels a paragraph of list `num_id` at level `ilvl` restarts: after
        any higher level by default, after level `w:lvlRestart` or higher when it is set
        (computed once per list and level: the definitions never change once read)."""
        key = (num_id, ilvl)
        found = self._resets.get(key)
        if found is None:
            levels = []
            for deeper in range(ilvl + 1, LEVELS):
                deep = self.level(num_id, deeper)
                restart = deep.restart if deep is not None else None
                if restart is None or (restart > 0 and ilvl <= restart - 1):
                    levels.append(deeper)
            found = self._resets[key] = tuple(levels)
        return found

    def level(self, num_id: str, ilvl: int) -> Level | None:
        instance = self.instances.get(num_id)
        if instance is None:
            return None
        if ilvl in instance.levels:
            return instance.levels[ilvl]
        return self.abstracts.get(instance.abstract, {}).get(ilvl)

    def level_of_style(self, num_id: str, style_id: str) -> int | None:
        """The level whose `w:pStyle` is `style_id` in the list of `num_id`, if any."""
        instance = self.instances.get(num_id)
        if instance is None:
            return None
        for ilvl, level in sorted(self.abstracts.get(instance.abstract, {}).items()):
            if level.style == style_id:
                return ilvl
        return None


def _val(el: etree._Element | None) -> str | None:
    return None if el is None else el.get(f"{_W}val")


def _int(value: str | None, default: int) -> int:
    """An integer attribute of untrusted XML; `default` when absent or malformed."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def level_index(value: str | None) -> int:
    """A list level (w:ilvl): Word has nine, 0 to 8."""
    return min(max(_int(value, 0), 0), LEVELS - 1)


def _parse_level(lvl: etree._Element) -> Level:
    restart_el = lvl.find(f"{_W}lvlRestart")
    legal_el = lvl.find(f"{_W}isLgl")
    return Level(
        fmt=_val(lvl.find(f"{_W}numFmt")) or "decimal",
        text=_val(lvl.find(f"{_W}lvlText")) or "",
        start=_int(_val(lvl.find(f"{_W}start")), 1),
        restart=None if restart_el is None else _int(_val(restart_el), 0),
        legal=legal_el is not None and _val(legal_el) not in ("0", "false", "off"),
        style=_val(lvl.find(f"{_W}pStyle")),
    )


def parse_numbering(root: etree._Element | None) -> NumberingDefinitions:
    """Read `word/numbering.xml` (None: the document has no lists)."""
    defs = NumberingDefinitions()
    if root is None:
        return defs
    style_links: dict[str, str] = {}  # style → abstractNum defining it (w:styleLink)
    num_style_links: dict[str, str] = {}  # abstractNum → style it borrows (w:numStyleLink)
    for an in root.iter(f"{_W}abstractNum"):
        aid = an.get(f"{_W}abstractNumId", "")
        defs.abstracts[aid] = {
            level_index(lvl.get(f"{_W}ilvl")): _parse_level(lvl) for lvl in an.iter(f"{_W}lvl")
        }
        link = _val(an.find(f"{_W}styleLink"))
        if link:
            style_links[link] = aid
        borrowed = _val(an.find(f"{_W}numStyleLink"))
        if borrowed:
            num_style_links[aid] = borrowed
    for num in root.iter(f"{_W}num"):
        nid = num.get(f"{_W}numId", "")
        aid = _val(num.find(f"{_W}abstractNumId")) or ""
        aid = style_links.get(num_style_links.get(aid, ""), aid)
        starts: dict[int, int] = {}
        levels: dict[int, Level] = {}
        for override in num.iter(f"{_W}lvlOverride"):
            ilvl = level_index(override.get(f"{_W}ilvl"))
            start = override.find(f"{_W}startOverride")
            if start is not None:
                starts[ilvl] = _int(_val(start), 1)
            lvl = override.find(f"{_W}lvl")
            if lvl is not None:
                levels[ilvl] = _parse_level(lvl)
        defs.instances[nid] = ListInstance(aid, starts, levels)
    return defs


def format_number(n: int, fmt: str) -> str:
    """A counter value written in a level's format ("upperRoman" 4 → "IV")."""
    if n < 0:
        n = 0
    if fmt in ("upperRoman", "lowerRoman"):
        r = to_roman(n) if n > 0 else "0"
        return r if fmt == "upperRoman" else r.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        if n <= 0:
            return "0"
        # Word: A…Z, then AA…ZZ, AAA…: the letter repeated.
        s = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s if fmt == "upperLetter" else s.lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "ordinal":
        return "1er" if n == 1 else f"{n}e"
    return str(n)


class NumberingState:
    """Counters of one document, advanced paragraph by paragraph in reading order."""

    def __init__(self, defs: NumberingDefinitions) -> None:
        self.defs = defs
        # key → current value per level (None: level not used yet since its last restart)
        self.counters: dict[tuple[str, str], list[int | None]] = {}

    def _key(self, num_id: str) -> tuple[str, str]:
        instance = self.defs.instances[num_id]
        if instance.starts:
            return ("num", num_id)  # « Définir la valeur de numérotation »: a list of its own
        return ("abstract", instance.abstract)

    def label(self, num_id: str | None, ilvl: int) -> str:
        """Advance the list of `num_id` at level `ilvl` and return the label drawn."""
        if not num_id or num_id == "0" or num_id not in self.defs.instances:
            return ""
        level = self.defs.level(num_id, ilvl)
        if level is None:
            return ""
        key = self._key(num_id)
        counters = self.counters.setdefault(key, [None] * LEVELS)
        current = counters[ilvl]
        counters[ilvl] = self._start(num_id, ilvl) if current is None else current + 1
        for deeper in self.defs.resets(num_id, ilvl):
            counters[deeper] = None
        if level.fmt == "bullet":
            return "• "
        if level.fmt == "none" or not level.text:
            return ""

        def repl(m: re.Match[str]) -> str:
            shown = int(m.group(1)) - 1
            if not 0 <= shown < LEVELS:
                return ""
            value = counters[shown]
            if value is None:
                value = self._start(num_id, shown)
            spec = self.defs.level(num_id, shown) or Level()
            fmt = spec.fmt
            if level.legal and fmt not in ("decimalZero",):
                fmt = "decimal"
            return format_number(value, fmt)

        return re.sub(r"%(\d)", repl, level.text) + " "

    def _start(self, num_id: str, ilvl: int) -> int:
        instance = self.defs.instances[num_id]
        if ilvl in instance.starts:
            return instance.starts[ilvl]
        level = self.defs.level(num_id, ilvl)
        return level.start if level is not None else 1
