"""Running a hostile case through the real CLI, bounded, and checking the contract.

Each command is `python -m convgen …` in a subprocess with an address-space limit of
`MEMORY` bytes and a wall-clock limit of `TIMEOUT` seconds: a bomb that is not refused fails
its case instead of taking the machine or the suite down.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.hostile.base import Case, Outcome, Run

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0  # seconds per command
MEMORY = 1024**3  # bytes of address space per command

# A message is French if it holds one of these words (every French error of convgen does).
FRENCH = re.compile(
    r"[éèêàçùâîô]|\b(?:erreur|impossible|invalide|illisible|refusée?|introuvable|interdit|"
    r"fichier|ligne|problème|manquante?|trop|inconnue?|aucun|dossier|déjà|attendue?|Interrompu|"
    r"permission|espace|lancé|colonne|cellule|caractère|guillemet|syntaxe|alias|imbrication|"
    r"existe|pour|des|une|est|doit|pas|chaque|entrée)s?\b",
    re.IGNORECASE,
)
# What must never reach a user: a traceback, Python's repr of an object, click's English words.
LEAKS = (
    "Traceback (most recent call last)",
    "object at 0x",
    "Aborted!",
    "\nError: ",  # click's English (at the start of a line)
    "\nUsage: ",
    "Try '",
    "MemoryError",
    "RecursionError",
    "LimitReachedError",
    "XMLSyntaxError",
    "UnicodeDecodeError",
)


def _limits(file_size: int | None) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return apply


def environment(run: Run) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update({"PYTHONPATH": str(REPO), "LC_ALL": "C.UTF-8", "PYTHONFAULTHANDLER": ""})
    env.update(run.env)
    return env


def execute(args: list[str], run: Run, check_before: bool = False) -> Outcome:
    """One command of `run`, bounded; `Outcome.code` None when it had to be killed."""
    stdout = run.stdout_to.open("wb") if run.stdout_to is not None and not check_before else None
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "convgen", *args],
        cwd=run.cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(run),
        preexec_fn=_limits(None if check_before else run.file_size_limit),
        start_new_session=True,
    )
    timer = None
    if run.interrupt is not None and not check_before:
        delay, sig = run.interrupt
        timer = threading.Timer(delay, lambda: _signal(proc, sig))
        timer.start()
    try:
        out, err = proc.communicate(timeout=run.timeout or TIMEOUT)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, err = proc.communicate()
        code = None
    finally:
        if timer is not None:
            timer.cancel()
        if stdout is not None:
            stdout.close()
    return Outcome(
        code,
        (out or b"").decode("utf-8", "replace"),
        (err or b"").decode("utf-8", "replace"),
        time.monotonic() - start,
    )


def _signal(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass


def fingerprint(paths: list[Path]) -> dict[str, str]:
    """SHA-256 of every file under `paths` (and which paths are missing)."""
    seen: dict[str, str] = {}
    for top in paths:
        if not top.exists():
            seen[str(top)] = "absent"
            continue
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            seen[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


def run_case(case: Case, folder: Path) -> tuple[Run, list[Outcome], dict[str, str]]:
    """Make the case's input in `folder`, run it; also return the fingerprint before the run."""
    folder.mkdir(parents=True, exist_ok=True)
    run = case.make(folder)
    for args in run.before:
        if callable(args):  # a change of the input between two runs
            args()
            continue
        done = execute(list(args), run, check_before=True)
        assert done.code == 0, f"préparation {args} : code {done.code}\n{done.output}"
    before = fingerprint(list(run.intact))
    if run.concurrent == 1:
        outcomes = [execute(list(run.args), run)]
    else:
        results: list[Outcome | None] = [None] * run.concurrent

        def one(i: int) -> None:
            results[i] = execute(list(run.args), run)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(run.concurrent)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes = [r for r in results if r is not None]
    return run, outcomes, before


def check_contract(run: Run, outcomes: list[Outcome], before: dict[str, str]) -> None:
    """The contract of every case: exit code, no traceback, French message naming the file,
    nothing half-written, the previous output intact."""
    for outcome in outcomes:
        shown = f"code {outcome.code} en {outcome.seconds:.1f} s\n{outcome.output[-3000:]}"
        assert outcome.code is not None, f"tué après {run.timeout or TIMEOUT:.0f} s\n{shown}"
        assert outcome.code in run.exits, f"code attendu {run.exits}, obtenu {shown}"
        for leak in LEAKS:
            assert leak not in "\n" + outcome.stdout and leak not in "\n" + outcome.stderr, (
                f"« {leak} » dans la sortie\n{shown}"
            )
        for text in run.forbid:
            assert text not in outcome.output, f"« {text} » dans la sortie\n{shown}"
        if outcome.code == 2:
            message = outcome.stderr or outcome.stdout
            assert FRENCH.search(message), f"message non français\n{shown}"
            assert run.names is not None, "un cas de code 2 doit dire quel fichier est nommé"
            assert run.names in outcome.output, f"« {run.names} » non nommé\n{shown}"
    for text in run.expect:
        assert any(text in o.output for o in outcomes), f"« {text} » attendu\n{outcomes}"
    after = fingerprint([Path(p) for p in before]) if before else {}
    changed = sorted(p for p in before if after.get(p) != before[p])
    assert not changed, f"sortie précédente modifiée : {changed}"
    for path in run.absent:
        # a folder may have been created, but nothing in it
        found = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        assert not path.exists() or not found, f"{found} écrit alors que rien ne devait l'être"
    temporary = [p for p in run.cwd.rglob(".*.tmp") if p.is_file()]
    assert not temporary, f"fichiers temporaires laissés : {temporary}"
    if run.post is not None:
        run.post(outcomes)
