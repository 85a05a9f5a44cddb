"""Families « concurrence » (issue 17, item 4: two runs into one --out) and « interruption »
(SIGINT, SIGTERM in the middle of a batch): one run holds the folder, the other stops at once
with a French message; an interrupted run leaves only complete files and an index that lists
them."""

from __future__ import annotations

import csv
import io
import signal
import zipfile
from pathlib import Path

from tests.hostile.base import (
    Outcome,
    Run,
    batch_args,
    build_args,
    case,
    project,
    table_rows,
    write_table,
)

FAMILY = "concurrence"
INTERRUPT = "interruption"
BUSY = "un autre convgen y écrit déjà"


def _complete(out: Path, rows: int | None) -> None:
    """Every .docx in `out` is a whole zip; index.csv lists them (all `rows` when given)."""
    documents = sorted(p.name for p in out.glob("*.docx"))
    for name in documents:
        with zipfile.ZipFile(out / name) as archive:
            assert archive.testzip() is None, name
    if rows is not None:
        assert len(documents) == rows, len(documents)
    if (out / "index.csv").exists():
        text = (out / "index.csv").read_text(encoding="utf-8-sig")
        listed = {r["fichier"] for r in csv.DictReader(io.StringIO(text)) if r.get("fichier")}
        assert set(documents) <= listed, set(documents) - listed
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") and p.is_file()
                 and not p.name.startswith(".convgen-mise-en-page")]  # fmt: skip
    assert not leftovers, leftovers


def _one_wins(out: Path, rows: int | None) -> object:
    def check(outcomes: list[Outcome]) -> None:
        codes = [o.code for o in outcomes]
        assert 0 in codes, codes
        for o in outcomes:
            if o.code == 2:
                assert BUSY in o.output, o.output
        _complete(out, rows)

    return check


@case(FAMILY, "deux-lots")
def _two_batches(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, table_rows(150))
    return Run(batch_args("communes.csv"), root, (0, 2), names="out", concurrent=2,
               post=_one_wins(root / "out", 150))  # type: ignore[arg-type]  # fmt: skip


@case(FAMILY, "trois-lots")
def _three_batches(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, table_rows(150))
    return Run(batch_args("communes.csv"), root, (0, 2), names="out", concurrent=3,
               post=_one_wins(root / "out", 150))  # type: ignore[arg-type]  # fmt: skip


@case(FAMILY, "deux-builds")
def _two_builds(tmp: Path) -> Run:
    root = project(tmp)
    return Run(build_args(), root, (0, 2), names="out", concurrent=2,
               post=_one_wins(root / "out", 1))  # type: ignore[arg-type]  # fmt: skip


@case(FAMILY, "lot-et-relance")
def _batch_after_batch(tmp: Path) -> Run:
    root = project(tmp)
    table = write_table(root, table_rows(150))
    changed = table.read_text(encoding="utf-8").replace("Mutuelle", "Mutuelle bis")
    return Run(batch_args("communes.csv"), root, (0, 2), names="out", concurrent=2,
               before=[batch_args("communes.csv"),
                       lambda: table.write_text(changed, encoding="utf-8")],
               post=_one_wins(root / "out", 150))  # type: ignore[arg-type]  # fmt: skip


def _interrupted(sig: int) -> object:
    def make(tmp: Path) -> Run:
        root = project(tmp)
        write_table(root, table_rows(1500))
        out = root / "out"
        args = ["build", "--root", ".", "--base", "base.yaml", "--data", "communes.csv",
                "--out", "out"]  # fmt: skip
        return Run(args, root, 130, names="out", interrupt=(2.0, sig),
                   expect=["Interrompu : "],
                   post=lambda outcomes: _complete(out, None))  # fmt: skip

    return make


case(INTERRUPT, "sigint-pendant-un-lot")(_interrupted(signal.SIGINT))  # type: ignore[arg-type]
case(INTERRUPT, "sigterm-pendant-un-lot")(_interrupted(signal.SIGTERM))  # type: ignore[arg-type]
