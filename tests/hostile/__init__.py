"""The hostile corpus (issue 17): generators of broken and hostile inputs, one family a module.

`CASES` lists every case (`family/name`); `tests/test_hostile_corpus.py` runs each through the
real CLI with time and memory limits and checks the contract (`tests.hostile.runner`).
"""

from __future__ import annotations

# each module registers its cases
from tests.hostile import (  # noqa: F401
    clauses,
    concurrency,
    control,
    documents,
    libreoffice,
    misc,
    outputs,
    tables,
    yaml_bombs,
)
from tests.hostile.base import CASES, Case

__all__ = ["CASES", "Case"]
