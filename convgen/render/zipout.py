"""A deterministic zip writer for .docx files whose static members are compressed only once.

A Word frame is ~800 kB of XML (styles, theme…) that never changes between documents, and ~40 kB
that does. `zipfile` recompresses everything on every document: 80 % of the render time of a
convention. Here each static member is deflated once per frame (`Member.static`) and its raw
deflate stream is copied into every document; only the rendered parts are compressed per
document.

The layout is the one `zipfile.ZipFile(..., ZIP_DEFLATED)` writes for a
`ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))` with mode 0o644. Static members are deflated at
level 6 (once, so the cost does not matter); per-document members at level 1: on the 32 kB body
of a convention, 0.23 ms instead of 1.12 ms for 1.4 kB more (measured), the largest single saving
of a batch.

Every output file of convgen (documents, PDFs, reports, instances to fill in, index) is written
by `write_atomic` here: a temporary file in the same folder, then a rename, so that a full disk
or an interruption never leaves a half-written file; an `OSError` becomes an `OutputError`
naming the path and the cause in French; `check_output` refuses an output that is one of the
inputs (a report written over the document it compares). The module stays light (`convgen diff`,
`new` use it).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from convgen.errors import InputError, OutputError

LEVEL = 6  # static members: compressed once per frame
DOCUMENT_LEVEL = 1  # per-document members: compressed for every document
_DOS_TIME = 0  # 00:00:00
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_VERSION = 20  # deflate
_CREATE_SYSTEM = 3  # unix, as zipfile writes on POSIX
_EXTERNAL_ATTR = 0o644 << 16
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


@dataclass(frozen=True)
class Member:
    """One zip member, already deflated: name, CRC-32, sizes and the raw deflate stream."""

    name: bytes
    flags: int
    crc: int
    size: int
    deflated: bytes

    @classmethod
    def static(cls, name: str, data: bytes, level: int = LEVEL) -> Member:
        """Compress `data` now (static parts: once per frame, for reuse in every document)."""
        try:
            encoded = name.encode("ascii")
            flags = 0
        except UnicodeEncodeError:
            encoded = name.encode("utf-8")
            flags = 0x800  # names in UTF-8, as zipfile marks them
        compressor = zlib.compressobj(
            level, zlib.DEFLATED, -_window_bits(len(data)), _mem_level(len(data))
        )
        deflated = compressor.compress(data) + compressor.flush()
        return cls(encoded, flags, zlib.crc32(data), len(data), deflated)


def _window_bits(size: int) -> int:
    """The smallest deflate window (2**9 to 2**15 bytes) that holds `size` bytes.

    A match never reaches further back than the data itself, so a window larger than the
    part changes nothing in the output; but zlib clears the whole window and its hash table
    for every compressor: for the small parts of every document (properties, header, footer:
    1 or 2 kB) that clearing cost five times the compression itself (80 µs → 15 µs a part).
    """
    return min(15, max(9, (size - 1).bit_length()))


def _mem_level(size: int) -> int:
    """zlib's hash table size for `size` bytes: the default (8) from 16 kB, smaller below."""
    return 8 if size > 16384 else 4


def write_zip(members: list[Member]) -> bytes:
    """The bytes of a zip archive holding `members` in order."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        header = _LOCAL.pack(
            b"PK\x03\x04",
            _VERSION,
            0,
            m.flags,
            zlib.DEFLATED,
            _DOS_TIME,
            _DOS_DATE,
            m.crc,
            len(m.deflated),
            m.size,
            len(m.name),
            0,
        )
        out += (header, m.name, m.deflated)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                _VERSION,
                _CREATE_SYSTEM,
                _VERSION,
                0,
                m.flags,
                zlib.DEFLATED,
                _DOS_TIME,
                _DOS_DATE,
                m.crc,
                len(m.deflated),
                m.size,
                len(m.name),
                0,
                0,
                0,
                0,
                _EXTERNAL_ATTR,
                offset,
            )
            + m.name
        )
        offset += len(header) + len(m.name) + len(m.deflated)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(out) + directory + end


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def make_output_dir(path: Path) -> None:
    """Create the output folder `path` (and its parents); `OutputError` if that fails."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file where the folder should be
        raise OutputError(f"création impossible : {path} : un fichier porte ce nom") from exc
    except OSError as exc:
        raise OutputError.from_os_error(path, exc, "création du dossier") from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    The temporary file is created with the mode a plain `open` gives (0666 less the umask),
    under a name of this process (`.NAME.PID.tmp`; a random one if a crashed run left it).
    A path that exists and is not a regular file (a device such as /dev/stdout, a named pipe)
    is written directly: it cannot be replaced. Raise `OutputError` (full disk, permission
    refused, missing folder…): `path` is then unchanged and no temporary file is left.
    """
    try:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            with path.open("wb") as handle:
                handle.write(data)
            return
        fd, tmp = _create_temporary(path)
    except OSError as exc:
        raise OutputError.from_os_error(path, exc) from exc
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError.from_os_error(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path` (descriptor, name), with the mode a plain `open` gives: 0666
    less the umask, which `os.open` applies itself.

    The name is the process's (`.NAME.PID.tmp`), or, if a killed run of the same process
    number left that file, a random one. (`tempfile.mkstemp` — random name, 0600, then a
    chmod — cost a fifth more per file, and a batch writes thousands.)
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.tmp")
    for _ in range(100):
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), tmp)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_text_atomic(path: Path, text: str, newline: str | None = None) -> None:
    """`write_atomic` for text, in UTF-8; `newline` as for `open` (None: os.linesep)."""
    if newline is None and os.linesep != "\n":  # pragma: no cover - Windows
        text = text.replace("\n", os.linesep)
    write_atomic(path, text.encode("utf-8"))


def check_output(output: Path, inputs: Sequence[Path]) -> None:
    """Refuse an output file that cannot be written or that is one of the compared documents.

    Raise `InputError` (exit code 2) when `output` is one of `inputs` (the same file, whatever
    the path that names it), `OutputError` when its folder does not exist or it is a folder.
    """
    for source in inputs:
        same = output.resolve() == source.resolve()
        if not same and output.exists() and source.exists():
            try:
                same = output.samefile(source)
            except OSError:
                same = False
        if same:
            raise InputError(
                f"-o {output} : c'est l'un des documents comparés ({source}) ; il serait "
                "remplacé par le rapport. Choisissez un autre fichier de sortie."
            )
    if output.is_dir():
        raise OutputError(f"écriture impossible : {output} : c'est un dossier")
    if not output.parent.is_dir():
        raise OutputError(
            f"écriture impossible : {output} : dossier introuvable ({output.parent}) ; "
            "créez-le d'abord ou choisissez un autre chemin"
        )
