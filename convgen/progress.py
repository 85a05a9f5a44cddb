"""What a long build shows on a terminal: each phase named, and the documents counted.

A build goes through phases of very different lengths — LibreOffice measuring the page
numbers, rendering and checking the documents, converting them to PDF — and a bar that sits at
0 during the first and at 100 % during the last says nothing. `TerminalProgress` shows one
line per phase, named in French, with a counter where there is something to count and a
spinner where LibreOffice works on a whole set at once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LAYOUT = "mise en page (LibreOffice)"
DOCUMENTS = "conventions"
PDF = "PDF (LibreOffice)"


class TerminalProgress:
    """A rich progress display on stderr: `phase(label)` starts a line, `(done, total)` counts."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            SpinnerColumn(),
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        self.task: Any = None
        self.label = DOCUMENTS
        self.started = False

    def phase(self, label: str, total: int | None = None) -> None:
        """Start the phase `label`; without `total`, a spinner until the next phase."""
        if not self.started:
            self.bar.start()
            self.started = True
        if self.task is not None:
            self.bar.update(self.task, completed=self.bar.tasks[-1].total or 0)
        self.label = label
        self.task = self.bar.add_task(label, total=total)

    def __call__(self, done: int, total: int) -> None:
        if self.task is None or self.label != DOCUMENTS:
            self.phase(DOCUMENTS, total)
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.started:
            self.bar.stop()
            self.started = False


@contextmanager
def terminal_progress() -> Iterator[TerminalProgress | None]:
    """A progress display while the block runs, when stderr is a terminal (else None)."""
    bar = TerminalProgress() if sys.stderr.isatty() else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()
