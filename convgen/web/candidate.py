"""Validating and previewing an instance that is not saved yet, with the CLI's own loader.

The loader reads files (`base:` is relative to the instance's folder, so are `pieces_jointes`),
so the text being typed is written into a private temporary folder that holds links to every
other entry of `instances/`, under the instance's own file name: bases, attachments and the
partner names of the other instances resolve as they will once it is saved. Messages naming
the temporary file are given back the real file's name. Nothing is written into the project.
The folders are kept from one request to the next (`CandidateFolders`), and the outcomes of
the last texts too (`Evaluations`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from markupsafe import Markup

from convgen.build import Project
from convgen.compose.assemble import Assembled, assemble
from convgen.errors import ConvgenError, InputError, Problem, problem_at
from convgen.load.instances import Instance
from convgen.load.models import Model
from convgen.web.preview import preview_html


@dataclass
class Outcome:
    """What the loader and the assembler say about a text: problems, or the assembled text."""

    problems: list[Problem]
    assembled: Assembled | None = None
    instance: Instance | None = None
    model: Model | None = None
    preview: Markup | None = None  # the assembled text as HTML


class CandidateFolders:
    """Private folders mirroring `instances/` with links, each used by one evaluation at a time.

    A folder is made once and kept: an evaluation only writes its file in place of the link of
    the same name, then puts the link back. Making and removing a folder of links per request
    cost 4 to 8 ms on a busy disk, as much as the assembling itself. The folders are on
    `/dev/shm` (memory) when there is one, mode 0700, and removed by `close` (the web
    application's shutdown) or, failing that, when the process ends normally.
    """

    def __init__(self) -> None:
        self._free: list[_Mirror] = []
        self._made: list[Path] = []
        self._lock = threading.Lock()
        self._closed = 0  # how many times `close` ran: a folder made before is not reused
        weakref.finalize(self, _remove_all, self._made)

    def close(self) -> None:
        """Remove every folder made so far (one in use is made again at the next call)."""
        with self._lock:
            self._free.clear()
            _remove_all(self._made)
            self._made.clear()
            self._closed += 1

    @contextmanager
    def file(self, instances_dir: Path, filename: str, text: str) -> Iterator[Path]:
        with self._lock:
            mirror = self._free.pop() if self._free else None
        if mirror is None:
            root = Path(tempfile.mkdtemp(prefix="convgen-web-", dir=_memory_dir()))
            with self._lock:
                self._made.append(root)
            mirror = _Mirror(root, self._closed)
        try:
            mirror.follow(instances_dir)
            path = mirror.root / filename
            if path.is_symlink():
                path.unlink()
                mirror.links.discard(filename)
            path.write_text(text, encoding="utf-8")
            try:
                yield path
            finally:
                path.unlink()
        finally:
            with self._lock:
                if mirror.closed == self._closed:
                    self._free.append(mirror)


class _Mirror:
    def __init__(self, root: Path, closed: int) -> None:
        self.root = root
        self.closed = closed
        self.source: Path | None = None
        self.links: set[str] = set()

    def follow(self, instances_dir: Path) -> None:
        """Make the links match the entries of `instances_dir` (bases, attachments, other
        instances); the link of a name points to `instances_dir/name`, whatever it becomes."""
        try:
            names = {n for n in os.listdir(instances_dir) if not n.startswith(".")}
        except OSError:
            names = set()
        if instances_dir != self.source:
            for name in self.links:
                (self.root / name).unlink(missing_ok=True)
            self.links, self.source = set(), instances_dir
        for name in self.links - names:
            (self.root / name).unlink(missing_ok=True)
        for name in names - self.links:
            (self.root / name).symlink_to(instances_dir.resolve() / name)
        self.links = names


def _memory_dir() -> str | None:
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _remove_all(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


FOLDERS = CandidateFolders()


@contextmanager
def candidate_file(
    instances_dir: Path, filename: str, text: str, folders: CandidateFolders | None = None
) -> Iterator[Path]:
    """`text` written as `filename` in a private folder beside links to `instances/`."""
    with (folders or FOLDERS).file(instances_dir, filename, text) as path:
        yield path


def evaluate(
    project: Project,
    real_path: Path,
    text: str,
    *,
    assemble_it: bool = True,
    folders: CandidateFolders | None = None,
) -> Outcome:
    """Validate `text` as the content of `real_path` and assemble it if it is valid."""
    with candidate_file(project.instances_dir, real_path.name, text, folders) as path:
        shown_tmp = problem_at(path, None, None, "").file
        shown_real = problem_at(real_path, None, None, "").file

        def rename(problems: list[Problem]) -> list[Problem]:
            return [replace(p, file=shown_real) if p.file == shown_tmp else p for p in problems]

        try:
            instance, model = project.load_instance(path)
        except InputError as exc:
            return Outcome(rename(exc.problems or [Problem(shown_real, None, None, exc.message)]))
        if not assemble_it:
            return Outcome([], None, instance, model)
        try:
            assembled = assemble(instance, model, project.library)
        except ConvgenError as exc:
            problems = exc.problems or [Problem(shown_real, None, None, exc.message)]
            return Outcome(rename(problems), None, instance, model)
        return Outcome([], assembled, instance, model, preview_html(assembled))


class Evaluations:
    """The outcomes of the last texts evaluated, until an input file changes (`generation`).

    The form page, « Vérifier », the save and the preview while typing often evaluate the same
    text (the page after a save, a check then a save, a field left and re-entered). Outcomes
    are shared between requests: callers do not change them. The candidate folders are the
    application's own (`close` removes them).
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._outcomes: OrderedDict[tuple[int, date, Path, str], Outcome] = OrderedDict()
        self._lock = threading.Lock()
        self.folders = CandidateFolders()

    def close(self) -> None:
        self.folders.close()

    def evaluate(self, project: Project, generation: int, real_path: Path, text: str) -> Outcome:
        key = (generation, date.today(), real_path, text)  # a text may say « today »
        with self._lock:
            cached = self._outcomes.get(key)
            if cached is not None:
                self._outcomes.move_to_end(key)
                return cached
        outcome = evaluate(project, real_path, text, folders=self.folders)
        with self._lock:
            self._outcomes[key] = outcome
            while len(self._outcomes) > self.size:
                self._outcomes.popitem(last=False)
        return outcome
