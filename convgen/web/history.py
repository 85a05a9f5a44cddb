"""The git history of an instance, for « Comparer » : the commits that changed its file, and
the project as it was at one of them.

Only when the served folder is inside a git repository (`git` on the PATH). A revision is
rendered with the library and models of the same commit (`git archive` of `clauses/`,
`templates/`, `instances/` into a private folder), so that the comparison shows what the
convention said then, clause wording included. A commit named by a request is used only if it
is one of those `revisions` listed for that file: no request text reaches git's command line.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 30  # seconds for one git command
LIMIT = 200  # commits listed for one file
FOLDERS = ("clauses", "templates", "instances")
_SEP = "\x1f"
_HASH = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


class HistoryError(Exception):
    """Raised when git cannot give what was asked; the message is for the user, in French."""


@dataclass(frozen=True)
class Revision:
    commit: str  # the full hash
    date: str  # YYYY-MM-DD, the author's date
    author: str
    subject: str

    @property
    def short(self) -> str:
        return self.commit[:8]

    @property
    def label(self) -> str:
        return f"{self.date} · {self.short} · {self.author} : {self.subject}"


@dataclass(frozen=True)
class Repository:
    root: Path  # the served project folder: at the top of the repository or inside it


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    exe = shutil.which("git")
    if exe is None:
        raise HistoryError("git est introuvable sur cet ordinateur.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    try:
        return subprocess.run(
            [exe, "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            timeout=TIMEOUT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise HistoryError(f"git n'a pas répondu en {TIMEOUT} s.") from exc
    except OSError as exc:
        raise HistoryError(f"git n'a pas pu être lancé : {exc.strerror}.") from exc


def repository(root: Path) -> Repository | None:
    """The repository holding the project folder `root`, or None (no git, not a repository)."""
    try:
        run = _git(root, "rev-parse", "--is-inside-work-tree")
    except HistoryError:
        return None
    if run.returncode != 0 or run.stdout.strip() != b"true":
        return None
    return Repository(root)


def revisions(repo: Repository, relative: str) -> list[Revision]:
    """The commits that changed `relative` (a file of the project, e.g. `instances/x.yaml`),
    newest first."""
    run = _git(
        repo.root,
        "log",
        f"--max-count={LIMIT}",
        "--date=short",
        f"--format=%H{_SEP}%ad{_SEP}%an{_SEP}%s",
        "--",
        relative,
    )
    if run.returncode != 0:
        return []  # no commit yet: git log fails on an empty repository
    out = []
    for line in run.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split(_SEP)
        if len(parts) == 4 and _HASH.match(parts[0]):
            out.append(Revision(*parts))
    return out


def project_at(repo: Repository, commit: str, folder: Path) -> Path:
    """Write the project's `clauses/`, `templates/` and `instances/` as of `commit` into
    `folder`; return the project folder there."""
    if not _HASH.match(commit):
        raise HistoryError("révision inconnue.")
    listed = _git(repo.root, "ls-tree", "--name-only", commit, "--", *FOLDERS)
    present = [
        name for name in listed.stdout.decode("utf-8", "replace").splitlines() if name
    ]  # names relative to the project folder, as given
    if listed.returncode != 0 or not present:
        raise HistoryError(f"la révision {commit[:8]} ne contient pas le projet.")
    archive = _git(repo.root, "archive", "--format=tar", commit, "--", *present)
    if archive.returncode != 0:
        detail = archive.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(
            f"la révision {commit[:8]} n'a pas pu être extraite"
            + (f" ({detail[-1]})" if detail else "")
            + "."
        )
    # run in the project folder, git archives its paths from there (`instances/x.yaml`)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(folder, filter="data")  # no absolute path, no link out of `folder`
        else:  # Python 3.11.0 to 3.11.3: files and folders only, inside `folder`
            base = folder.resolve()
            members = [
                m
                for m in tar.getmembers()
                if (m.isfile() or m.isdir()) and (base / m.name).resolve().is_relative_to(base)
            ]
            tar.extractall(folder, members=members)  # noqa: S202 - members checked above
    return folder
