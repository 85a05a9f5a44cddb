"""What stands between a request and the project: CSRF token, password, names from requests.

- Every POST carries the token of the `convgen_csrf` cookie in its form (`csrf`): another site
  can make a browser post, but cannot read the cookie to copy it (double-submit, SameSite=Strict).
- Outside 127.0.0.1, a password is required (HTTP Basic): `convgen serve --host 0.0.0.0`
  refuses to start without one.
- A name coming from a request is never a path: instance and model names must match `NAME`
  and the file must resolve inside its folder; anything else is « introuvable ».
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import re
import secrets
from pathlib import Path

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "convgen_csrf"
CSRF_FIELD = "csrf"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
MAX_FORM_BYTES = 2 * 1024 * 1024  # a form is small: refuse anything bigger before parsing


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The request's token (set as a cookie by `CsrfCookieMiddleware` when missing)."""
    token = request.cookies.get(CSRF_COOKIE) or request.scope.get("convgen_csrf", "")
    return str(token)


def check_csrf(request: Request, form: FormData) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD, "")
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise HTTPException(403, "Jeton de sécurité (CSRF) absent ou invalide : rechargez la page.")


class CsrfCookieMiddleware:
    """Give each browser its CSRF token cookie on its first request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = request.cookies.get(CSRF_COOKIE)
        if token:
            await self.app(scope, receive, send)
            return
        token = new_token()
        scope["convgen_csrf"] = token

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                cookie = f"{CSRF_COOKIE}={token}; Path=/; SameSite=Strict; HttpOnly"
                headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class PasswordMiddleware:
    """HTTP Basic authentication with one shared password (any user name)."""

    def __init__(self, app: ASGIApp, password: str) -> None:
        self.app = app
        self.password = password

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(Request(scope)):
            response: Response = PlainTextResponse(
                "Mot de passe requis.",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="convgen", charset="UTF-8"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        _user, _, password = decoded.partition(":")
        return hmac.compare_digest(password.encode(), self.password.encode())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def file_in(folder: Path, name: str, suffix: str) -> Path:
    """`folder/name+suffix` if `name` is a plain name and the file is inside `folder`."""
    if not NAME.match(name):
        raise HTTPException(404, "Introuvable.")
    path = folder / f"{name}{suffix}"
    try:
        inside = path.resolve().parent == folder.resolve()
    except OSError:
        inside = False
    if not inside:
        raise HTTPException(404, "Introuvable.")
    return path


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
