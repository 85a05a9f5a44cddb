"""Batches from the browser: a table sent, checked row by row, then built with a progress bar.

The table goes through `convgen.batch.run_batch`, the function behind `convgen build --data`,
with the same encodings, separators and messages. « Vérifier » runs it into a throwaway folder
without the document checks and keeps only the per-row problems: nothing is offered before the
user asks for it. « Produire » runs it for real into a private folder; the documents and
`index.csv` are then offered as one zip. One batch runs at a time (the workspace's document
queue): `run_batch` is not re-entrant and LibreOffice is shared.
"""

from __future__ import annotations

import io
import secrets
import shutil
import tempfile
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convgen.batch import run_batch
from convgen.errors import ConvgenError
from convgen.web.uploads import Result, Results
from convgen.web.workspace import Workspace

KEPT = 16
WAITING, RUNNING, DONE, FAILED = "en attente", "en cours", "terminé", "échec"


@dataclass
class BatchJob:
    token: str
    table: Path  # inside `folder`
    shown: str  # the table's name as sent
    folder: Path
    model: str
    base: Path | None
    name_pattern: str | None
    pdf: bool
    preflight: bool
    state: str = WAITING
    done: int = 0
    total: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    zip_token: str = ""
    index_token: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def rename(self, text: str) -> str:
        """A message with the temporary table path replaced by the name the user knows."""
        return text.replace(str(self.table), self.shown)


class Batches:
    def __init__(self, workspace: Workspace, results: Results) -> None:
        self.workspace = workspace
        self.results = results
        self.jobs: OrderedDict[str, BatchJob] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> BatchJob | None:
        with self._lock:
            return self.jobs.get(token)

    def start(self, job: BatchJob) -> BatchJob:
        with self._lock:
            self.jobs[job.token] = job
            while len(self.jobs) > KEPT:
                _token, old = self.jobs.popitem(last=False)
                if old.state in (DONE, FAILED):
                    shutil.rmtree(old.folder, ignore_errors=True)
        threading.Thread(target=self._run, args=(job,), daemon=True).start()
        return job

    def again(self, job: BatchJob) -> BatchJob:
        """The real run of a checked table (the same file, settings and folder)."""
        return self.start(
            BatchJob(
                secrets.token_urlsafe(18), job.table, job.shown, job.folder, job.model,
                job.base, job.name_pattern, job.pdf, preflight=False,
            )
        )  # fmt: skip

    def _run(self, job: BatchJob) -> None:

        out = Path(tempfile.mkdtemp(prefix="out-", dir=job.folder))

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        with self.workspace.documents:
            job.state = RUNNING
            try:
                report = run_batch(
                    self.workspace.project(),
                    job.table,
                    out,
                    model_name=job.model or None,
                    base=job.base,
                    name_pattern=job.name_pattern or None,
                    pdf=job.pdf and not job.preflight,
                    check=not job.preflight,
                    progress=progress,
                )
            except ConvgenError as exc:
                job.errors = [job.rename(str(p)) for p in exc.problems] or [job.rename(exc.message)]
                if exc.problems:
                    job.errors.append(job.rename(exc.message))
                job.state = FAILED
                shutil.rmtree(out, ignore_errors=True)
                return
        for result in report.results:
            job.rows.append(
                {
                    "line": result.line,
                    "stem": result.stem,
                    "status": result.status,
                    "problems": [job.rename(p) for p in result.problems],
                    "findings": [f"{f.message} : « {f.text} »" for f in result.findings],
                }
            )
            job.counts[result.status] = job.counts.get(result.status, 0) + 1
        job.total = job.total or len(report.results)
        job.done = job.total
        if not job.preflight:
            stem = Path(job.shown).stem
            job.zip_token = self.results.keep(
                Result(_zip(out), f"conventions-{stem}.zip", "application/zip")
            )
            index = out / "index.csv"
            if index.is_file():
                job.index_token = self.results.keep(
                    Result(index.read_bytes(), f"index-{stem}.csv", "text/csv; charset=utf-8")
                )
            shutil.rmtree(job.folder, ignore_errors=True)  # the table is no longer needed
        else:
            shutil.rmtree(out, ignore_errors=True)
        job.state = DONE


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in (".docx", ".pdf", ".csv"):
                archive.write(path, path.name)
    return buffer.getvalue()
