"""Who may talk to the server, and the headers every response carries.

- Bound to loopback with no token: only requests whose Host is a loopback name
  are served (a web page elsewhere cannot reach the server by DNS rebinding).
- With a token (required off loopback): a request needs ``Authorization: Bearer
  TOKEN``, the cookie set by opening ``/?token=TOKEN`` once, or that query.
- Requests that change state (POST, DELETE) from a browser must come from the
  app's own origin.
- Every response: a strict Content-Security-Policy (no outside scripts, fonts or
  styles), nosniff, no referrer, no framing by other sites, no caching.
"""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

COOKIE = "squatcheck_token"
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            "media-src 'self' blob:; connect-src 'self'; frame-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
# The report is one self-contained HTML file (inline styles, embedded images and
# maybe scripts) written by squatcheck itself; it may fetch nothing.
REPORT_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
              "img-src 'self' data: blob:; media-src 'self' blob:; font-src data:; "
              "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'self'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), usb=()"),
    (b"cache-control", b"no-store"),
]
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}


class SecurityMiddleware:
    """Pure ASGI middleware (streams request bodies through untouched)."""

    def __init__(self, app, *, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        refusal = self._refuse(scope, headers, host)
        if refusal:
            return await _respond(send, *refusal)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if self.token and query.get("token") and scope["method"] == "GET":
            # Came in through the printed link: keep the token in a cookie, drop it from the URL.
            rest = urlencode({k: v for k, v in query.items() if k != "token"})
            location = scope["path"] + ("?" + rest if rest else "")
            cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            return await _respond(send, 303, "Signed in.", extra=[
                (b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode())])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    def _refuse(self, scope, headers: dict, host: str) -> tuple[int, str] | None:
        if self.token:
            if not self._has_token(scope, headers):
                return 401, ("This squatcheck server needs its access token: open the link "
                             "printed by 'squatcheck serve', or send 'Authorization: Bearer "
                             "TOKEN'.")
        elif _hostname(host) not in LOOPBACK_NAMES:
            return 400, ("This server only answers at http://127.0.0.1 or http://localhost "
                         "(or start it with --token to allow other names).")
        origin = headers.get("origin")
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and origin is not None:
            scheme = scope.get("scheme", "http")
            if origin != f"{scheme}://{host}":
                return 403, "Requests that change data must come from the squatcheck page itself."
        return None

    def _has_token(self, scope, headers: dict) -> bool:
        offered = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append(auth[7:].strip())
        if "cookie" in headers:
            jar = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:
                jar = SimpleCookie()
            if COOKIE in jar:
                offered.append(jar[COOKIE].value)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query:
            offered.append(query["token"])
        return any(secrets.compare_digest(o.encode(), self.token.encode()) for o in offered)


def _hostname(host: str) -> str:
    """Host header without its port ('[::1]:8000' → '[::1]', '127.0.0.1:80' → '127.0.0.1')."""
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _respond(send, status: int, message: str, *, extra=()) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *HEADERS, (b"content-security-policy", PAGE_CSP.encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
