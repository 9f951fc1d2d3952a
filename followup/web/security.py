"""What keeps the local web app safe: a login token, CSRF tokens, security headers, body limits.

The audit pages and every write that is not the job seeker's own consultation need a login:
the token printed when the server starts (as Jupyter does) or a password from a file. Every
form carries a CSRF token that must match a cookie only this site can set.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.limits import WEB_BODY_BYTES, WEB_SESSION_HOURS

MAX_BODY_BYTES = WEB_BODY_BYTES
# A session cookie is far shorter: a longer one is refused before any hashing.
MAX_SESSION_CHARS = 200
SESSION_COOKIE = "followup_session"
CSRF_COOKIE = "followup_csrf"
CSRF_FIELD = "csrf_token"
# No inline script or style anywhere: htmx and the copy button are files under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # The login token may be in the address: never send it to another site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class PasswordFileError(ValueError):
    """The password file cannot be read or is empty."""


@dataclass
class Gate:
    """Who may see the audit pages: the holder of the secret (token or password).

    A session is a signed nonce and the time it began, so every worker process
    (`serve --workers`) accepts it, and it ends by itself after WEB_SESSION_HOURS. A logout is
    kept in `ended`, and in `ended_file` when workers share one: each worker reads the file
    again whenever it has grown, so a logout in one ends the session in all.
    """

    secret: str
    from_password_file: bool = False
    ended: set[str] = field(default_factory=set)
    ended_file: Path | None = None
    _ended_read: int = 0  # bytes of ended_file read so far

    @classmethod
    def with_token(cls) -> Gate:
        return cls(secrets.token_urlsafe(24))

    @classmethod
    def from_file(cls, path: Path) -> Gate:
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise PasswordFileError(f"cannot read the password file {path}: {error}") from None
        if not secret:
            raise PasswordFileError(f"the password file {path} is empty")
        return cls(secret, from_password_file=True)

    def matches(self, offered: str) -> bool:
        # Compared in constant time, so the secret cannot be guessed a character at a time.
        return hmac.compare_digest(offered.encode(), self.secret.encode())

    def _signature(self, payload: str) -> str:
        return hmac.new(self.secret.encode(), f"session:{payload}".encode(), "sha256").hexdigest()

    def open_session(self) -> str:
        payload = f"{secrets.token_urlsafe(32)}.{int(time.time())}"
        return f"{payload}.{self._signature(payload)}"

    def close_session(self, request: Request) -> None:
        session = request.cookies.get(SESSION_COOKIE, "")
        if not self._valid_session(session):
            return
        ended = _ended_name(session)
        self.ended.add(ended)
        if self.ended_file is not None:
            with contextlib.suppress(OSError), self.ended_file.open("a", encoding="ascii") as out:
                out.write(ended + "\n")

    def _valid_session(self, session: str) -> bool:
        payload, _, signature = session.rpartition(".")
        nonce, _, began = payload.partition(".")
        if not nonce or not began.isdigit() or len(session) > MAX_SESSION_CHARS:
            return False
        if not hmac.compare_digest(signature.encode(), self._signature(payload).encode()):
            return False
        if not 0 <= time.time() - int(began) < WEB_SESSION_HOURS * 3600:
            return False
        return _ended_name(session) not in self._ended_now()

    def _ended_now(self) -> set[str]:
        """The sessions ended so far, by this worker or, through the shared file, any other."""
        if self.ended_file is not None:
            with contextlib.suppress(OSError), self.ended_file.open("rb") as shared:
                shared.seek(self._ended_read)
                grown = shared.read()
                complete = grown[: grown.rfind(b"\n") + 1]  # a line being written waits
                self._ended_read += len(complete)
                self.ended.update(complete.decode("ascii", "replace").split())
        return self.ended

    def allows(self, request: Request) -> bool:
        """A logged-in browser (session cookie) or a program sending `Authorization: Bearer`."""
        if self._valid_session(request.cookies.get(SESSION_COOKIE, "")):
            return True
        scheme, _, offered = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(offered) and self.matches(offered)


def _ended_name(session: str) -> str:
    """How an ended session is kept: its digest, so the shared file holds no usable cookie."""
    return hashlib.sha256(session.encode()).hexdigest()


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (set as a cookie by the middleware below)."""
    return str(request.state.csrf)


def csrf_ok(request: Request, offered: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    return bool(cookie and offered) and hmac.compare_digest(str(cookie), str(offered))


class SecurityMiddleware:
    """Security headers on every response, a CSRF cookie for every browser, a cap on bodies."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        existing = request.cookies.get(CSRF_COOKIE)
        token = existing if existing and len(existing) < 100 else secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf"] = token
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await self._too_large(scope, receive, send, secured=True)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                if token != existing:
                    cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                    headers.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": headers}
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send_with_headers)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, secured: bool = False
    ) -> None:
        response = PlainTextResponse(
            f"The request is too large: at most {self.max_body:,} bytes are accepted.",
            status_code=413,
            headers=HEADERS if secured else None,
        )
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    """A body without a Content-Length went past the limit while it was read."""
