"""ASGI middleware: body size caps (413 before parsing), security headers and Server-Timing on every response."""

from __future__ import annotations

import json
import re
import time

from starlette.middleware.cors import CORSMiddleware as _StarletteCORS

from app.config import settings
from app.pages import PAGES

PAGE_PATHS = frozenset(path for path, _ in PAGES.values())  # the HTML pages, which lesson links may frame

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
# Swagger UI sets inline styles; it still runs no inline script and loads nothing remote.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def body_cap(path: str) -> int:
    path = path.rstrip("/") or "/"
    if path in settings.body_caps:
        return settings.body_caps[path]
    return next((cap for pattern, cap in settings.body_cap_patterns.items() if re.match(pattern, path)),
                settings.default_body_cap)


SMALL_BODY = 64 * 1024   # bodies up to this size are not counted against settings.bodies_in_flight
RETRY_AFTER = b"2"       # seconds, on a 429 for bodies in flight


class BodyLimitMiddleware:
    """Reads the request body up to the path's cap; anything larger gets 413 before the app sees it.

    Each body is held whole until its request is answered, so one process's bodies in flight are bounded too:
    512 connections uploading 21 MiB models would hold 10 GiB. A body larger than SMALL_BODY reserves its bytes
    (its Content-Length at once, a chunked body as it arrives) from settings.bodies_in_flight; one that does not
    fit gets 429 with Retry-After before more of it is read, and the reservation is returned when its request
    is answered. Small bodies (every JSON request of the pages) are never refused for this."""

    in_flight = 0   # bytes reserved by this process' requests (one event loop: no lock needed)

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        cap = body_cap(scope["path"])
        raw_headers = scope.get("headers") or []
        problem = _header_problem(raw_headers) if scope["method"] in ("POST", "PUT", "PATCH") else None
        if problem:   # (a body this server would misread; a DELETE has none to misread)
            return await _reject(send, *problem)
        length = dict(raw_headers).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0:
                return await _reject(send, 400, "Content-Length must be a non-negative integer")
            if declared > cap:
                return await _reject(send, 413, f"the body is {declared:,} bytes; the cap here is {cap:,}")
        reserved = 0
        try:
            if length is not None and declared > SMALL_BODY:
                if not self._reserve(declared):
                    return await _busy(send)
                reserved = declared
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body = message.get("body", b"")
                size += len(body)
                if size > cap:
                    return await _reject(send, 413, f"the body is over the cap of {cap:,} bytes")
                if size > max(reserved, SMALL_BODY):   # a chunked body reserves as it comes
                    if not self._reserve(size - reserved):
                        return await _busy(send)
                    reserved = size
                chunks.append(body)
                if not message.get("more_body", False):
                    break
            whole = b"".join(chunks)
            del chunks
            sent = False

            async def replay():
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": whole, "more_body": False}
                return await receive()

            return await self.app(scope, replay, send)
        finally:
            BodyLimitMiddleware.in_flight -= reserved

    @staticmethod
    def _reserve(n: int) -> bool:
        if BodyLimitMiddleware.in_flight + n > settings.bodies_in_flight:
            return False
        BodyLimitMiddleware.in_flight += n
        return True


def _header_problem(raw_headers) -> tuple | None:
    """A request whose body this server would misread: -> _reject's (status, rule, field, code, headers), or None.
    A Content-Encoding (gzip, br ...): bodies are read as sent, never inflated (no decompression bombs), so a
    compressed JSON body would only be refused later as "not UTF-8"; a Content-Type given twice: the routes read
    one of them (RFC 9110: it is a single value)."""
    encodings = [v.strip().lower() for k, v in raw_headers if k == b"content-encoding"]
    if any(e not in (b"", b"identity") for e in encodings):
        return (415, "must be absent or identity: request bodies are read as sent, never decompressed",
                "content-encoding", None, [(b"accept-encoding", b"identity")])
    if sum(1 for k, _ in raw_headers if k == b"content-type") > 1:
        return 415, "is given more than once; send one", "content-type", None, ()
    # a transfer coding other than chunked (gzip, chunked): the server only unchunks, so the body would be read
    # compressed (RFC 9112 suggests 501; a 4xx, as for a Content-Encoding, since the fault is the request's)
    codings = [c.strip().lower() for k, v in raw_headers if k == b"transfer-encoding" for c in v.split(b",")]
    if any(c not in (b"chunked", b"identity", b"") for c in codings):
        return 415, "must be chunked only: request bodies are read as sent, never decompressed", \
            "transfer-encoding", None, ()
    return None


async def _reject(send, status: int, rule: str, field: str = "body", code: str | None = None, headers=()):
    from app.api.errors import error_body

    body = json.dumps(error_body(status, field, rule, code)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers, (b"connection", b"close"), *security_headers("/api")]})
    await send({"type": "http.response.body", "body": body})


async def _busy(send):
    """429: this process holds settings.bodies_in_flight bytes of request bodies already."""
    rule = (f"the server is receiving {settings.bodies_in_flight // 2**20:,} MiB of request bodies already; "
            "send it again in a moment")
    await _reject(send, 429, rule, headers=[(b"retry-after", RETRY_AFTER)])  # code too_many_requests


def frame_rule(path: str) -> tuple[str, bytes | None]:
    """Who may frame the response at `path`: (CSP frame-ancestors sources, X-Frame-Options or None).
    The pages (for lesson links with ?embed=1): the app itself and the FRAME_ANCESTORS origins; X-Frame-Options
    cannot name other origins, so it is SAMEORIGIN when only the app may, and left out when others may
    (browsers that know CSP follow frame-ancestors). Everything else (the API, the docs, files): nobody."""
    if path not in PAGE_PATHS or settings.frame_ancestors == ["'none'"]:
        return "'none'", b"DENY"
    if not settings.frame_ancestors:
        return "'self'", b"SAMEORIGIN"
    return " ".join(["'self'", *settings.frame_ancestors]), None


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    csp = DOCS_CSP if path.startswith(("/docs", "/docs-assets")) else CSP
    ancestors, frame_options = frame_rule(path)
    if ancestors != "'none'":
        csp = csp.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    headers = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", frame_options),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    return [(name, value) for name, value in headers if value is not None]


class ResponseHeadersMiddleware:
    """Adds the security headers to every response that lacks them, and `Server-Timing: app;dur=<ms>`:
    the time from the request's arrival to its response headers (parsing, computing, rendering and
    compressing the body; not the network). One middleware: each layer costs every request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        extra = security_headers(scope["path"])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                ms = (time.perf_counter() - start) * 1000
                message["headers"] = [*headers, *(h for h in extra if h[0] not in names),
                                      (b"server-timing", f"app;dur={ms:.1f}".encode())]
            await send(message)

        return await self.app(scope, receive, send_with_headers)


class HeadMiddleware:
    """HEAD works wherever GET does: the request is served as a GET and only its headers are sent
    (the server drops a HEAD response's body; Content-Length stays the GET body's)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        return await self.app({**scope, "method": "GET"}, receive, headers_only)


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})


# RFC 3986's host (a name, an IPv4 address or a bracketed IPv6 one) and an optional port; no user info ("@")
HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9._~-]+)(?::[0-9]{0,5})?")


def host_name(headers) -> str | None:
    """The Host header without its port, lower case: "[::1]:8000" -> "[::1]". None when there is no Host header,
    more than one, or one that is not a host and port ("localhost:80@evil.example"): RFC 9112 answers 400."""
    hosts = [value for name, value in headers if name == b"host"]
    if len(hosts) != 1:
        return None
    match = HOST.fullmatch(hosts[0].decode("latin-1").strip().lower())
    return match.group(1) if match else None


def is_loopback_or_socket(server) -> bool:
    """Whether a connection arrived on a loopback address or a Unix socket (uvicorn's scope["server"])."""
    if server is None or server[1] is None:
        return True                                       # a Unix socket: a local proxy's
    host = server[0]
    return host.startswith("127.") or host in ("::1", "localhost") or host.startswith("::ffff:127.")


class HostCheckMiddleware:
    """DNS rebinding guard: a server reached on a loopback address (or a Unix socket) answers only requests
    for loopback host names, so a web page cannot make a student's browser talk to the local server under
    another name. ALLOWED_HOSTS (comma-separated; "*.example.org" for subdomains, "*" for any) replaces the
    rule: it lists the names served on any address, e.g. a classroom server's LAN address."""

    def __init__(self, app, allowed: list[str] | None = None):
        self.app = app
        self.allowed = None if allowed is None else [h.strip().lower() for h in allowed if h.strip()]

    def _ok(self, host: str | None, server) -> bool:
        if host is None:
            return False
        if self.allowed is None:
            return not is_loopback_or_socket(server) or host in LOOPBACK_NAMES
        return any(a == "*" or a == host or (a.startswith("*.") and host.endswith(a[1:])) for a in self.allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = host_name(scope.get("headers") or [])
        if host is None and scope.get("http_version") == "1.0" and not any(
                name == b"host" for name, _ in scope.get("headers") or []):
            host = ""                                 # HTTP/1.0 may leave Host out: judged as an empty name
        if self._ok(host, scope.get("server")):
            return await self.app(scope, receive, send)
        if host is None:
            await _reject(send, 400, "must be one Host header holding a host name and an optional port",
                          field="host", code="invalid_host")
        else:
            await _reject(send, 400, "is not a name this server answers to (set ALLOWED_HOSTS to add names)",
                          field="host", code="host_not_allowed")


class CORSMiddleware(_StarletteCORS):
    """Starlette's CORS, with its refused preflights in the one error shape instead of plain text."""

    def preflight_response(self, request_headers):
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        from app.api.errors import error_response

        refused = error_response(400, "origin", response.body.decode(errors="replace").lower().replace(
            "disallowed cors ", "not allowed here: "), code="cors_refused")
        for name, value in response.headers.items():
            if name.startswith("access-control-") or name == "vary":
                refused.headers[name] = value
        return refused
