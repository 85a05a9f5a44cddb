"""The hostile corpus (issue 17): every case of `tests/hostile/` through the real CLI.

Each case builds its input in its own folder, then runs `python -m convgen …` in a subprocess
limited to 1 GB of address space and 60 s (`tests.hostile.runner`), and the contract is checked:
the expected exit code (0, 1 or 2), no traceback nor English leak, a French message naming the
file at fault when the exit code is 2, no file half-written, the previous output intact.

The selected cases are run once per module, two at a time (this machine has two cores), and
each case's test then checks its own outcome: `-k` selects cases as usual.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.hostile import CASES, Case
from tests.hostile.runner import check_contract, run_case

WORKERS = 2


def _params() -> list[Any]:
    return [
        pytest.param(
            c,
            id=c.id,
            marks=[pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else [],
        )
        for c in CASES
    ]


@pytest.fixture(scope="module")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Outcome of every selected case, by id (an exception if its input could not be made)."""
    selected = [
        item.callspec.params["hostile"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_hostile_case" and hasattr(item, "callspec")
    ]
    root = tmp_path_factory.mktemp("hostile")

    def one(c: Case) -> Any:
        try:
            return run_case(c, root / c.family / c.name)
        except Exception as exc:  # reported by the case's own test
            return exc

    with ThreadPoolExecutor(WORKERS) as pool:
        results = dict(zip([c.id for c in selected], pool.map(one, selected), strict=True))
    return results


@pytest.mark.parametrize("hostile", _params())
def test_hostile_case(hostile: Case, corpus: dict[str, Any]) -> None:
    result = corpus[hostile.id]
    if isinstance(result, BaseException):
        raise result
    run, outcomes, before = result
    check_contract(run, outcomes, before)


def test_corpus_covers_every_family() -> None:
    counts = Counter(c.family for c in CASES)
    assert len(CASES) >= 100, counts
    assert len({c.id for c in CASES}) == len(CASES)
    # one family per item of the list (items 1–11), each with several cases
    assert set(counts) == {
        "controle", "yaml", "clause", "concurrence", "tableau", "relance", "sortie", "pdf",
        "interruption", "check", "divers",
    }, counts  # fmt: skip
    assert all(n >= 2 for n in counts.values()), counts
