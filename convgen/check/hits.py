"""What one rule finds inside one paragraph, and the rules' identifiers and messages."""

from __future__ import annotations

from dataclasses import dataclass

from convgen.check.model import ERROR, WARNING, WARNING_RULES
from convgen.check.rules import BLANK, titles


@dataclass(frozen=True)
class Hit:
    """One placeholder inside a paragraph: `text[start:end]` is the offending text."""

    rule: str
    start: int
    end: int
    text: str
    message: str
    severity: str = ERROR


# Rules, most specific first: on overlapping matches the earlier rule wins (`check.rules`).
RULES: dict[str, str] = titles(BLANK)


def make_hit(rule: str, text: str, start: int, end: int, message: str | None = None) -> Hit:
    """A hit on `text[start:end]`, trailing spaces and commas left out."""
    while end > start and text[end - 1] in " ,;":
        end -= 1
    severity = WARNING if rule in WARNING_RULES else ERROR
    return Hit(rule, start, end, text[start:end], message or RULES[rule], severity)
