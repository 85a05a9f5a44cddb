"""Files sent by the browser: size-limited, type-checked, kept in a private temporary folder.

An upload never chooses a path: its name is reduced to letters, digits, « . », « - », « _ »
(only to show it and to keep its extension), it is stored under that name inside a folder made
for the request (`tempfile.mkdtemp`, mode 0700) and removed with it. Its first bytes must match
its extension (a .docx is a zip, a .pdf starts with « %PDF- », a .txt or .md is UTF-8 text).

Results to download later (a JSON report, a redline .docx, an HTML comparison) are kept in
memory under an unguessable token, the last `KEPT` of them only.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_UPLOAD = 20 * 1024 * 1024  # one file
MAX_BODY = 2 * MAX_UPLOAD + 1024 * 1024  # a request: two files (compare) and the form
DOCUMENT_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
TABLE_SUFFIXES = (".csv", ".yaml", ".yml")
KEPT = 64
_CHUNK = 1024 * 1024


class UploadRefused(ValueError):
    """Raised with a French message naming why a file is refused; `status` is the HTTP code."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def safe_name(name: str | None, fallback: str = "document") -> str:
    """A file name that is never a path: its last component, reduced to a safe alphabet."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-_")
    return base[:100] or fallback


def _looks_like(head: bytes, suffix: str) -> bool:
    if suffix == ".docx":
        return head.startswith(b"PK\x03\x04")
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if b"\x00" in head:
        return False
    if suffix in TABLE_SUFFIXES:
        return True  # the table reader knows its encodings (UTF-8, cp1252 from Excel)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut by the end of the sample
    return True


async def store_upload(
    upload: UploadFile, folder: Path, prefix: str = "", allowed: tuple[str, ...] = DOCUMENT_SUFFIXES
) -> Path:
    """Copy `upload` into `folder` after checking its size and type; return its path."""
    name = safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise UploadRefused(
            f"« {name} » : format non pris en charge (formats : {', '.join(allowed)})"
        )
    target = folder / f"{prefix}{name}"
    size = 0
    head = b""
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise UploadRefused(
                    f"« {name} » : fichier trop volumineux (au plus {MAX_UPLOAD // 1024 // 1024} Mo)",
                    413,
                )
            if len(head) < 512:
                head += chunk[: 512 - len(head)]
            out.write(chunk)
    if size == 0:
        raise UploadRefused(f"« {name} » : fichier vide")
    if not _looks_like(head, suffix):
        raise UploadRefused(f"« {name} » : le contenu n'est pas celui d'un fichier {suffix}")
    return target


class BodyLimitMiddleware:
    """Refuse a request body over `limit` bytes while it arrives, with or without a length."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.exceptions import HTTPException

        length = dict(scope.get("headers", [])).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await _too_large(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, "Envoi trop volumineux.")
            return message

        await self.app(scope, limited, send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    from starlette.responses import PlainTextResponse

    response = PlainTextResponse(
        f"Envoi trop volumineux (au plus {MAX_UPLOAD // 1024 // 1024} Mo par fichier).",
        status_code=413,
    )
    await response(scope, receive, send)


@dataclass(frozen=True)
class Result:
    data: bytes
    filename: str
    media_type: str


class Results:
    """Downloads prepared by a page, kept under a random token (the last `KEPT` only)."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, Result] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, result: Result) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._items[token] = result
            while len(self._items) > KEPT:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> Result | None:
        with self._lock:
            return self._items.get(token)
