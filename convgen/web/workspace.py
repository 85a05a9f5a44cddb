"""The project behind the web application: instances, their status, saves without lost updates.

One `Workspace` per served folder. It rebuilds its `convgen.build.Project` when a file of
`clauses/` or `templates/` changes (the CLI and the web see the same files; a saved instance
does not reload the library, 60 ms), counts the changes of any input in `generation` (what a
cache of results keys on), keeps the status of each instance until one of its inputs changes,
serialises saves per file (a version token refuses a save over a file changed since the form
was loaded), and lets one LibreOffice job run at a time (`documents`): two users cannot start
twenty `soffice`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

from convgen.build import Project, render_instance
from convgen.check import Finding
from convgen.check.parties import own_names
from convgen.errors import ConvgenError, InputError, Problem, problem_at
from convgen.finalize import DRAFT, FINAL, Checker
from convgen.load.inheritance import MergedInstance, load_merged
from convgen.load.yamlload import YamlDoc, load_yaml
from convgen.render.zipout import write_text_atomic

ERROR = "erreur"
OUT_DIR = "out"
Stats = tuple[tuple[str, int, int], ...]  # (file, mtime in ns, size) of each file of a folder
KEY_TTL = 1.0  # seconds: how stale the view of files changed outside the web may be


@dataclass
class InstanceStatus:
    name: str
    path: Path
    model: str  # "" when the file does not say
    status: str  # FINAL, DRAFT or ERROR
    problems: list[Problem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    built_at: datetime | None = None  # out/<name>.docx
    built_current: bool = False  # newer than the instance file


class ConflictError(Exception):
    """Raised when the file changed since the form was loaded."""


def version_of(path: Path) -> str:
    """A token for the content of `path` ("" when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    except FileNotFoundError:
        return ""


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._project: Project | None = None
        self._key: tuple[object, ...] | None = None
        self._statuses: dict[Path, tuple[tuple[object, ...], InstanceStatus]] = {}
        self._lock = threading.Lock()
        self._file_locks: dict[Path, threading.Lock] = {}
        self._key_at = 0.0
        self.generation = 0  # increases when any input file changes
        self._loaded: dict[Path, tuple[tuple[object, ...], YamlDoc, MergedInstance]] = {}
        self.documents = threading.BoundedSemaphore(1)  # LibreOffice and builds, one at a time

    @property
    def instances_dir(self) -> Path:
        return self.root / "instances"

    @property
    def out_dir(self) -> Path:
        return self.root / OUT_DIR

    def _folder_key(self, folder: str) -> tuple[object, ...]:
        stats: list[object] = []
        base = self.root / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    st = path.stat()
                    stats.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(stats)

    def _inputs_key(self) -> tuple[object, ...]:
        return (self._folder_key("clauses"), self._folder_key("templates")), self._folder_key(
            "instances"
        )

    def inputs_key(self) -> tuple[object, ...]:
        """The state of every input file, looked at most once every `KEY_TTL` seconds."""
        now = time.monotonic()
        if self._key is None or now - self._key_at > KEY_TTL:
            key = self._inputs_key()
            with self._lock:
                if key != self._key:
                    if self._key is None or key[0] != self._key[0]:
                        self._project = None  # the library or a model changed
                    self.generation += 1
                self._key, self._key_at = key, now
        return self._key

    def newest_input_ns(self) -> int:
        """The modification time of the newest file of `clauses/`, `templates/`, `instances/`."""
        project_key, instances = cast(tuple[tuple[Stats, Stats], Stats], self.inputs_key())
        return max((mtime for part in (*project_key, instances) for _, mtime, _ in part), default=0)

    def project(self) -> Project:
        self.inputs_key()
        with self._lock:
            if self._project is None:
                self._project = Project(self.root)
                self._statuses.clear()
                self._loaded.clear()
            return self._project

    def loaded(self, path: Path) -> tuple[YamlDoc, MergedInstance]:
        """The instance file as written and with its bases merged (kept until a file changes).

        Raise `InputError` when it cannot be read (the strict loader's messages)."""
        key = self.inputs_key()
        cached = self._loaded.get(path)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        own = load_yaml(path)
        if own.problems:
            raise InputError("instance illisible", own.problems)
        merged = load_merged(path)
        self._loaded[path] = (key, own, merged)
        return own, merged

    def instance_paths(self) -> list[Path]:
        if not self.instances_dir.is_dir():
            return []
        return sorted(p for p in self.instances_dir.glob("*.yaml") if not p.name.startswith("."))

    def file_lock(self, path: Path) -> threading.Lock:
        with self._lock:
            return self._file_locks.setdefault(path.resolve(), threading.Lock())

    # ----------------------------------------------------------------------- status

    def statuses(self) -> list[InstanceStatus]:
        project = self.project()
        key = self._key or ()
        checker: Checker | None = None
        out: list[InstanceStatus] = []
        for path in self.instance_paths():
            cached = self._statuses.get(path)
            if cached is not None and cached[0] == key:
                out.append(cached[1])
                continue
            if checker is None:
                checker = Checker.for_project(self.instances_dir, _config(self.root))
            status = self._status(project, path, checker)
            self._statuses[path] = (key, status)
            out.append(status)
        return out

    def _status(self, project: Project, path: Path, checker: Checker) -> InstanceStatus:
        status = InstanceStatus(path.stem, path, _model_name(path), ERROR)
        built = self.out_dir / f"{path.stem}.docx"
        if built.is_file():
            status.built_at = datetime.fromtimestamp(built.stat().st_mtime)
            status.built_current = built.stat().st_mtime >= path.stat().st_mtime
        try:
            # page numbers are not settled here (no LibreOffice for a list): the checks
            # do not depend on them
            assembled, data = render_instance(project, path, settle=False)
        except InputError as exc:
            status.problems = exc.problems or [problem_at(path, None, None, exc.message)]
            return status
        except ConvgenError as exc:
            status.problems = [problem_at(path, None, None, exc.message)]
            return status
        output = self.out_dir / f"{path.stem}.docx"
        shown = f"{OUT_DIR}/{path.stem}.docx"
        status.findings = checker.check(data, output, shown, own_names=own_names(assembled))
        status.status = DRAFT if status.findings else FINAL
        return status

    # ----------------------------------------------------------------------- saving

    def save(self, path: Path, text: str, expected_version: str) -> str:
        """Write `text` into `path` atomically unless it changed since `expected_version`."""

        with self.file_lock(path):
            if version_of(path) != expected_version:
                raise ConflictError(path.name)
            write_text_atomic(path, text)
            self._key_at = 0.0  # look at the files again at the next request
            return version_of(path)


def _model_name(path: Path) -> str:
    try:
        data = load_yaml(path).data
    except ConvgenError:
        return ""
    name = data.get("modele") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


def _config(root: Path) -> Path | None:
    config = root / ".convgen-check.yaml"
    return config if config.is_file() else None
