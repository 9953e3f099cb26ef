"""The route class of every API endpoint: what a body must be before FastAPI sees it.

- Content type: a route with a JSON body answers 415 unless the body is `application/json` (or
  `+json`): a cross-site form or `text/plain` fetch cannot make the server work without a CORS preflight.
  An upload route takes `multipart/form-data` only.
- Shape before objects: nesting depth and the number of values are counted on the raw bytes
  (`scan_json`, NumPy over the body) before any Python object is built, so a body of a million empty
  lists is refused for the price of reading it once.
- Parsing off the event loop: large bodies are parsed by orjson in a worker thread; the result is what
  FastAPI then validates (`request._json`, Starlette's own cache of `Request.json()`).
The body's size was capped before all of this by app/middleware.py (per path, `app/config.py`).
"""

from __future__ import annotations

import anyio.to_thread
import numpy as np
import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request

from app.api.errors import error_response

MAX_DEPTH = 32            # deeper than any valid request (the architectures walker nests branches 4 deep)
MAX_VALUES = 400_000      # numbers, strings, lists and objects in one body
INLINE_BYTES = 16 * 1024  # smaller bodies are parsed in place: a thread hop costs more than the parse


class BodyRefused(ValueError):
    def __init__(self, status: int, rule: str):
        super().__init__(rule)
        self.status, self.rule = status, rule


_OPEN = np.zeros(256, np.int8)
_OPEN[[ord("["), ord("{")]] = 1
_OPEN[[ord("]"), ord("}")]] = -1


def scan_json(body: bytes, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES) -> None:
    """Refuses a body that nests deeper than max_depth or holds more than max_values values, reading the
    bytes only: brackets and commas inside strings (after an unescaped quote) do not count."""
    opens = body.count(b"[") + body.count(b"{")
    if opens <= max_depth and opens + body.count(b",") < max_values:
        return  # too few brackets to nest too deep, too few separators for too many values
    a = np.frombuffer(body, np.uint8)
    quotes = np.flatnonzero(a == ord('"'))
    if quotes.size and b"\\" in body:  # a quote after an odd run of backslashes is escaped
        backslash = a == ord("\\")
        last_other = np.maximum.accumulate(np.where(backslash, -1, np.arange(a.size)))
        before = quotes[quotes > 0] - 1
        run = np.zeros(quotes.size, np.int64)
        run[quotes > 0] = before - last_other[before]
        quotes = quotes[run % 2 == 0]
    inside = np.zeros(a.size + 1, np.int8)
    np.add.at(inside, quotes, 1)
    in_string = (np.cumsum(inside[:-1]) % 2).astype(bool)   # from an opening quote up to its closing one
    step = np.where(in_string, 0, _OPEN[a])
    depth = int(np.cumsum(step, dtype=np.int32).max(initial=0))
    if depth > max_depth:
        raise BodyRefused(422, f"nests {depth} levels deep; the cap is {max_depth}")
    values = int((step > 0).sum() + ((a == ord(",")) & ~in_string).sum()) + 1
    if values > max_values:
        raise BodyRefused(422, f"holds about {values:,} values; the cap is {max_values:,}")


def parse_json(body: bytes):
    scan_json(body)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BodyRefused(400, f"must be valid JSON: {exc}") from exc


def is_json(content_type: str) -> bool:
    """application/json or application/...+json (one type, one subtype: "application/a/b+json" is neither, and
    FastAPI would read such a body as text)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json")
                                            and media.count("/") == 1)


class JSONRoute(APIRoute):
    """An APIRoute whose JSON body is checked, scanned and parsed as above before FastAPI validates it."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler
        if _is_form(self):
            async def upload(request: Request):
                media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
                if media != "multipart/form-data":
                    return error_response(415, "content-type", "must be multipart/form-data (a file upload)")
                return await handler(request)

            return upload

        async def route(request: Request):
            if not is_json(request.headers.get("content-type", "")):
                return error_response(415, "content-type", "must be application/json (or application/<name>+json)")
            body = await request.body()
            if body:
                try:
                    request._json = (parse_json(body) if len(body) <= INLINE_BYTES
                                     else await anyio.to_thread.run_sync(parse_json, body))
                except BodyRefused as exc:
                    return error_response(exc.status, "body", exc.rule)
            return await handler(request)

        return route


def _is_form(route: APIRoute) -> bool:
    from fastapi.params import Form

    info = getattr(route.body_field, "field_info", None)
    return isinstance(info, Form)
