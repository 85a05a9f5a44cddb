"""Memories kept by content across the documents of a batch: what they are keyed by, and how
much of it they keep.

A batch of 35,000 rows writes most values alike in every row (the mutuelle, the dispositif,
most clause parameters): what is computed from them (validated sections, rendered titles) is
kept and shared. What a row writes alone (its commune) is never asked for again: keeping it
only costs memory, so a value is kept the second time its key is seen (`RepeatMemo`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from convgen.compose.french import Duree
from convgen.load.values import Absent

V = TypeVar("V")


class Uncacheable(Exception):
    """A value `content_key` cannot describe (a type it does not know)."""


_SCALARS = (str, int, float, bool, Decimal, date, Duree, type(None), Absent)


def content_key(value: Any) -> Any:
    """A hashable, content-based image of `value` (never an id: a freed object's address can
    be reused), or `Uncacheable` for a type not known here. Types are part of the image:
    `1`, `True` and `"1"` differ, a `date` and a `datetime` too."""
    if isinstance(value, dict):
        return ("d", tuple((k, content_key(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("l", tuple(content_key(v) for v in value))
    if isinstance(value, _SCALARS):
        return (type(value).__name__, value)
    raise Uncacheable(type(value).__name__)


class RepeatMemo(Generic[V]):
    """At most `limit` values, each stored only once its key has been seen before.

    The keys seen once are remembered by their hash alone (a bounded set of integers): a
    collision only lets a value in early. When full, the memory is emptied and fills again
    with what keeps coming back; a worker's memory does not grow with the rows.
    """

    def __init__(self, limit: int, seen_limit: int = 2048) -> None:
        self.limit = limit
        self.seen_limit = seen_limit
        self._values: dict[Any, V] = {}
        self._seen: set[int] = set()

    def get(self, key: Any) -> V | None:
        return self._values.get(key)

    def put(self, key: Any, value: V) -> None:
        digest = hash(key)
        if digest not in self._seen:
            if len(self._seen) >= self.seen_limit:
                self._seen.clear()
            self._seen.add(digest)
            return
        if len(self._values) >= self.limit:
            self._values.clear()
        self._values[key] = value

    def clear(self) -> None:
        self._values.clear()
        self._seen.clear()

    def __len__(self) -> int:
        return len(self._values)
