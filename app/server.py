"""The app server's own limits: uvicorn's httptools protocol with the timeouts and caps a server needs when
anyone can connect to it (`python -m app` uses it; behind nginx, nginx enforces the same limits first).

- A request head must arrive whole within HEAD_TIMEOUT seconds of the connection or of the previous
  response (idle connections are closed then too); a body within BODY_TIMEOUT seconds of its head.
  A timed-out request gets 408 in the one error shape if nothing was answered yet, then the connection closes.
- A request head over MAX_HEAD bytes gets 431.
- A process holds at most MAX_CONNECTIONS connections (env MAX_CONNECTIONS): one more is answered 503 and
  closed at once, before anything is read.
- The protocol's own refusals (malformed HTTP 400, 408, 431, 503) carry the error shape and the security
  headers, like every answer of the app.
- Lingering close: when a response ends the connection while the request's body is still arriving (a 413
  for a body over its cap), the rest is read and dropped for up to LINGER_SECONDS before closing, as nginx's
  lingering_close does, so the client reads the answer instead of a connection reset.
Keep-alive connections idle for `timeout_keep_alive` seconds after a response are closed by uvicorn itself.
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.api.errors import error_body
from app.middleware import security_headers

HEAD_TIMEOUT = float(os.environ.get("HEAD_TIMEOUT", "20"))
BODY_TIMEOUT = float(os.environ.get("BODY_TIMEOUT", "20"))
MAX_HEAD = 16 * 1024
LINGER_SECONDS = float(os.environ.get("LINGER_SECONDS", "5"))
LINGER_BYTES = 16 * 1024 * 1024
MAX_CONNECTIONS = int(os.environ.get("MAX_CONNECTIONS", "512"))
KEEP_ALIVE_SECONDS = 5


def error_bytes(status: int, rule: str, field: str | None = None, code: str | None = None) -> bytes:
    """A whole HTTP response in the one error shape, with the security headers, closing the connection."""
    import json

    body = json.dumps(error_body(status, field, rule, code)).encode()
    head = [STATUS_LINE[status], b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n"]
    head += [name + b": " + value + b"\r\n" for name, value in security_headers("/api")]
    return b"".join(head) + b"\r\n" + body


class _LingeringTransport:
    """The connection's transport as the request cycles see it: close() lingers while a body is arriving."""

    def __init__(self, transport: asyncio.Transport, protocol: BoundedHttpToolsProtocol):
        self._transport, self._protocol = transport, protocol

    def close(self) -> None:
        self._protocol.close_lingering()

    def __getattr__(self, name):
        return getattr(self._transport, name)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport) -> None:  # type: ignore[override]
        self._real_transport = transport
        self._head_bytes = 0
        self._reading_body = False      # between a request's head and the end of its body
        self._in_head = True            # waiting for (the rest of) a request head
        self._lingering = False
        self._linger_bytes = 0
        self._timer: asyncio.TimerHandle | None = None
        super().connection_made(_LingeringTransport(transport, self))
        if len(self.connections) > MAX_CONNECTIONS:
            self._refuse(503, f"this process serves at most {MAX_CONNECTIONS} connections at once; try again")
            return
        self._arm(HEAD_TIMEOUT)

    # ---- timers ----
    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._timed_out)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        if self._lingering:
            self._real_transport.close()
            return
        answered = self.cycle is not None and self.cycle.response_started and not self.cycle.response_complete
        partial = self._reading_body or (self._in_head and self._head_bytes > 0)   # silent for idle connections
        if partial and not answered:
            what = "request head" if self._in_head else "request body"
            self._real_transport.write(error_bytes(408, f"the {what} did not arrive in time", "request"))
        self._real_transport.close()

    # ---- reading ----
    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._linger_bytes += len(data)
            if self._linger_bytes > LINGER_BYTES:
                self._real_transport.close()
            return
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD and not self._head_complete_in(data):
                self._refuse(431, f"request heads may be at most {MAX_HEAD:,} bytes")
                return
        super().data_received(data)

    def _head_complete_in(self, data: bytes) -> bool:
        """Whether the head ends within its cap (the bytes past it are the body)."""
        return self._head_bytes - len(data) + data.find(b"\r\n\r\n") + 4 <= MAX_HEAD if b"\r\n\r\n" in data else False

    def on_message_begin(self) -> None:
        self._in_head = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._reading_body = True
        self._arm(BODY_TIMEOUT)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_body = False
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        idle = self.cycle is None or self.cycle.response_complete     # no pipelined request started instead
        if idle and not self.transport.is_closing() and not self._reading_body:
            self._in_head = True
            self._head_bytes = 0
            self._arm(HEAD_TIMEOUT)     # uvicorn's keep-alive timer runs too; the shorter one wins

    def connection_lost(self, exc) -> None:
        self._disarm()
        self._lingering = False
        super().connection_lost(exc)

    # ---- answers of the protocol itself ----
    def _refuse(self, status: int, rule: str, code: str | None = None) -> None:
        self._disarm()
        self._real_transport.write(error_bytes(status, rule, "request", code))
        self._real_transport.close()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "is not valid HTTP/1.1", code="invalid_http")  # not JSON's fault: 400's default code

    # ---- closing ----
    def close_lingering(self) -> None:
        if self._lingering or self._real_transport.is_closing():
            return
        if not self._reading_body:
            self._disarm()
            self._real_transport.close()
            return
        self._lingering = True              # read and drop the rest of the body, then close
        self.flow.resume_reading()
        self._arm(LINGER_SECONDS)


def run(**options) -> None:
    """uvicorn.run of the app with this protocol and the limits above (host, port or uds, workers...)."""
    import uvicorn

    uvicorn.run("app.main:app", http=BoundedHttpToolsProtocol, timeout_keep_alive=KEEP_ALIVE_SECONDS,
                h11_max_incomplete_event_size=MAX_HEAD, **options)
