"""Conversion of .docx files to PDF with LibreOffice headless, a whole batch per process.

One `soffice --convert-to pdf` call for 20 files takes 2.0 s where 20 calls take 15.4 s: files
are converted in as few processes as possible, each with a private profile (so that a user's
open LibreOffice or a stale lock never interferes) and a timeout. soffice can exit 0 without
writing a PDF, so every expected output is checked.

Each run is its own process group (soffice starts soffice.bin, which would outlive a killed
soffice re-parented to PID 1): on timeout, interruption (Ctrl-C) or any error the whole group
is killed, then the private profile is removed.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from convgen.errors import ConvgenError, ToolMissingError

INSTALL_HINT = (
    "LibreOffice est introuvable (commande « soffice »). Installez-le, par exemple sous "
    "Debian/Ubuntu : sudo apt-get install -y --no-install-recommends libreoffice-writer-nogui "
    "fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea"
)

PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'

STARTUP_TIMEOUT = 30.0  # seconds a run is given on top of `timeout_per_file` per file
POLL = 0.2  # seconds between checks of the deadline and of a cancellation
TERM_GRACE = 2.0  # seconds between SIGTERM and SIGKILL of a run's process group
KILL_WAIT = 5.0  # seconds to wait for a killed process group to be gone


def find_soffice() -> str:
    """Return the path of the soffice executable, or raise `ToolMissingError`."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ToolMissingError(INSTALL_HINT)


def launch_failure(soffice: str, exc: OSError) -> str:
    """The French message for a `soffice` that the system could not start."""
    causes = {
        errno.ENOEXEC: "ce n'est pas un programme exécutable (format inconnu)",
        errno.EACCES: "permission refusée",
        errno.EPERM: "permission refusée",
        errno.ENOENT: "fichier ou interpréteur introuvable",
        errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
        errno.ETXTBSY: "fichier en cours d'écriture",
        errno.ENOMEM: "mémoire insuffisante",
    }
    cause = causes.get(exc.errno or 0) or f"erreur système ({exc.strerror or exc})"
    return (
        f"LibreOffice ne peut pas être lancé : {soffice} : {cause}. Vérifiez que la commande "
        "« soffice » trouvée dans le PATH est bien celle de LibreOffice."
    )


def convert_to_pdf(
    sources: Sequence[Path],
    out_dir: Path,
    *,
    pdfa: bool = False,
    batch_size: int = 200,
    timeout_per_file: float = 20.0,
    cancel: threading.Event | None = None,
) -> list[Path]:
    """Convert each .docx of `sources` to `out_dir/<stem>.pdf`; return the PDFs in order.

    Sources with the same stem would overwrite each other: that is refused. A run is given
    `STARTUP_TIMEOUT + timeout_per_file × files` seconds; setting `cancel` (from another
    thread) stops it. On timeout, cancellation, interruption or any error, every process of
    the run is killed and its profile folder removed.
    """
    soffice = find_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    stems = [s.stem for s in sources]
    if len(set(stems)) != len(stems):
        raise ConvgenError("conversion PDF : plusieurs fichiers portent le même nom")
    results: list[Path] = []
    for start in range(0, len(sources), batch_size):
        chunk = list(sources[start : start + batch_size])
        _convert_chunk(soffice, chunk, out_dir, pdfa, timeout_per_file, cancel)
        results.extend(out_dir / f"{s.stem}.pdf" for s in chunk)
    return results


def _convert_chunk(
    soffice: str,
    chunk: list[Path],
    out_dir: Path,
    pdfa: bool,
    timeout_per_file: float,
    cancel: threading.Event | None,
) -> None:
    if cancel is not None and cancel.is_set():
        raise ConvgenError("conversion PDF interrompue")
    profile = tempfile.mkdtemp(prefix="convgen-lo-")
    try:
        target = PDFA_FILTER if pdfa else "pdf"
        cmd = [
            soffice,
            f"-env:UserInstallation=file://{Path(profile).resolve().as_posix()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *[str(s) for s in chunk],
        ]
        env = dict(os.environ)
        env.setdefault("HOME", profile)
        timeout = STARTUP_TIMEOUT + timeout_per_file * len(chunk)
        for s in chunk:
            (out_dir / f"{s.stem}.pdf").unlink(missing_ok=True)
        # Output goes to a file, not a pipe: a child that outlives soffice would hold a pipe
        # open and block the read.
        with tempfile.TemporaryFile(dir=profile) as output:
            _run(cmd, env, output, timeout, cancel, len(chunk))
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
        missing = [s for s in chunk if not (out_dir / f"{s.stem}.pdf").is_file()]
        if missing:
            detail = text.strip().splitlines()[-3:]
            raise ConvgenError(
                "LibreOffice n'a pas produit le PDF de : "
                + ", ".join(str(m) for m in missing)
                + (f" ({' / '.join(detail)})" if detail else "")
            )
        broken = [s for s in chunk if not is_whole_pdf(out_dir / f"{s.stem}.pdf")]
        if broken:
            for s in broken:
                (out_dir / f"{s.stem}.pdf").unlink(missing_ok=True)
            raise ConvgenError(
                "LibreOffice a produit un PDF vide ou illisible pour : "
                + ", ".join(str(b) for b in broken)
            )
    finally:
        _remove_tree(Path(profile))


def is_whole_pdf(path: Path) -> bool:
    """Whether `path` starts as a PDF does and ends with its end-of-file marker (a PDF cut
    short by a crash, an empty file or another program's output does not)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 1024))
            tail = handle.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def _run(
    cmd: list[str],
    env: dict[str, str],
    output: IO[bytes],
    timeout: float,
    cancel: threading.Event | None,
    files: int,
) -> None:
    """Run soffice in its own process group; whatever happens, no process of it survives."""
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        # A `soffice` on PATH that is not a program (a text or garbage file, a script whose
        # interpreter is missing, a file the system refuses to run): nothing was started.
        raise ToolMissingError(launch_failure(cmd[0], exc)) from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                proc.wait(timeout=min(POLL, max(0.0, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    raise ConvgenError("conversion PDF interrompue") from None
                if time.monotonic() >= deadline:
                    raise ConvgenError(
                        f"LibreOffice n'a pas terminé la conversion en {timeout:.0f} s "
                        f"({files} fichier{'s' if files > 1 else ''}) : processus arrêté"
                    ) from None
    finally:
        # soffice's own children (soffice.bin) are in its group: end them too, even after a
        # normal exit, so that none is left re-parented to PID 1.
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group of `proc`, SIGKILL what is left shortly after, reap `proc`."""
    pgid = proc.pid
    if proc.poll() is None or _group_alive(pgid):
        _signal_group(pgid, signal.SIGTERM)
        _wait_group(proc, pgid, TERM_GRACE)
        _signal_group(pgid, signal.SIGKILL)
    try:
        proc.wait(timeout=KILL_WAIT)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignored
        pass
    _wait_group(proc, pgid, KILL_WAIT)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_group(proc: subprocess.Popen[bytes], pgid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        proc.poll()  # reap the leader as soon as it exits
        if proc.returncode is not None and not _group_alive(pgid):
            return
        time.sleep(0.02)


def _group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process of group `pgid` remains."""
    proc_dir = Path("/proc")
    if not (proc_dir / "self" / "stat").is_file():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp …: comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _remove_tree(path: Path) -> None:
    """Remove a profile folder; errors are ignored, but it is tried until it is gone."""
    for _ in range(5):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.1)
