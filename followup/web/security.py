"""What keeps the local web app safe: a login token, CSRF tokens, security headers, body limits.

The audit pages and every write that is not the job seeker's own consultation need a login:
the token printed when the server starts (as Jupyter does) or a password from a file. Every
form carries a CSRF token that must match a cookie only this site can set.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine.limits import WEB_BODY_BYTES

MAX_BODY_BYTES = WEB_BODY_BYTES
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
    """Who may see the audit pages: the holder of the secret (token or password)."""

    secret: str
    from_password_file: bool = False
    # Sessions ended by logging out here. A session is signed with the secret, so every
    # worker process (`serve --workers`) accepts it; a logout is known to its own process.
    ended: set[str] = field(default_factory=set)

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

    def _signature(self, nonce: str) -> str:
        return hmac.new(self.secret.encode(), f"session:{nonce}".encode(), "sha256").hexdigest()

    def open_session(self) -> str:
        nonce = secrets.token_urlsafe(32)
        return f"{nonce}.{self._signature(nonce)}"

    def close_session(self, request: Request) -> None:
        self.ended.add(request.cookies.get(SESSION_COOKIE, ""))

    def _valid_session(self, session: str) -> bool:
        nonce, _, signature = session.partition(".")
        if not nonce or session in self.ended:
            return False
        return hmac.compare_digest(signature.encode(), self._signature(nonce).encode())

    def allows(self, request: Request) -> bool:
        """A logged-in browser (session cookie) or a program sending `Authorization: Bearer`."""
        if self._valid_session(request.cookies.get(SESSION_COOKIE, "")):
            return True
        scheme, _, offered = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(offered) and self.matches(offered)


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
