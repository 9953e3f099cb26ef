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

import re
from collections import Counter

import anyio.to_thread
import numpy as np
import orjson
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
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
    depth, values = _depth_and_values(body)  # its arrays are gone before a refusal's traceback could keep them
    if depth > max_depth:
        raise BodyRefused(422, f"nests {depth} levels deep; the cap is {max_depth}")
    if values > max_values:
        raise BodyRefused(422, f"holds about {values:,} values; the cap is {max_values:,}")


SCAN_CHUNK = 1 << 20  # bytes scanned at a time: the scan's arrays stay ~20 MB whatever the body's size


def _depth_and_values(body: bytes, chunk: int = SCAN_CHUNK) -> tuple[int, int]:
    """-> (deepest nesting, values) of a JSON text, from its bytes, a chunk at a time (what a chunk leaves open,
    a string or a run of backslashes, is carried to the next): brackets and commas inside strings do not count;
    a quote after an odd run of backslashes does not open or close one."""
    deepest = depth = 0
    values = 1
    in_string = False  # the previous chunk ended inside a string
    run = 0            # the backslashes that ended the previous chunk
    for start in range(0, len(body), chunk):
        a = np.frombuffer(body, np.uint8, count=min(chunk, len(body) - start), offset=start)
        quote = a == ord('"')
        backslash = a == ord("\\")
        if backslash.any():
            last_other = np.arange(a.size, dtype=np.int32)  # the last position ≤ i that is not a backslash, or -1
            last_other[backslash] = -1
            np.maximum.accumulate(last_other, out=last_other)
            q = np.flatnonzero(quote)
            if q.size:
                before = last_other[np.maximum(q - 1, 0)]
                runs = np.where((q > 0) & (before >= 0), q - 1 - before, q + run)  # backslashes just before each quote
                quote[q[runs % 2 == 1]] = False
            run = a.size - 1 - int(last_other[-1]) + (run if last_other[-1] < 0 else 0)
        else:
            if run % 2 and quote[0]:
                quote[0] = False  # escaped by the backslashes that ended the previous chunk
            run = 0
        inside = np.bitwise_xor.accumulate(quote.view(np.uint8))  # 1 from an opening quote up to its closing one
        if in_string:
            inside ^= 1
        in_string = bool(inside[-1])
        inside = inside.view(bool)
        step = _OPEN[a]
        step[inside] = 0
        levels = np.cumsum(step, dtype=np.int32)
        deepest = max(deepest, depth + int(levels.max()))
        depth += int(levels[-1])
        values += int(np.count_nonzero(step > 0)) + int(np.count_nonzero((a == ord(",")) & ~inside))
    return deepest, values


def parse_json(body: bytes):
    scan_json(body)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BodyRefused(400, f"must be valid JSON: {exc}") from exc


JSON_TYPE_RULE = "must be application/json (or application/<name>+json)"
UTF8 = ("utf-8", "utf8")
PARAM = re.compile(r'([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*?)\s*(?:;|$)')  # name=value or name="va;lue"


def json_type_problem(content_type: str) -> str | None:
    """None for application/json or application/...+json (one type, one subtype: "application/a/b+json" is neither,
    and FastAPI would read such a body as text) with no charset or charset=utf-8; else the rule it breaks. JSON is
    UTF-8 (RFC 8259); a body declared latin-1 or UTF-16 would be misread as UTF-8, so it is refused."""
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if not (media == "application/json" or (media.startswith("application/") and media.endswith("+json")
                                            and media.count("/") == 1)):
        return JSON_TYPE_RULE
    if "charset" in params.lower():   # (most requests have no parameters: nothing more to read)
        for name, value in PARAM.findall(params):
            if name.lower() == "charset" and value.strip('"').lower() not in UTF8:
                return "charset must be utf-8: JSON is UTF-8 (RFC 8259)"
    return None


def _param_value(value: str) -> str:
    """A Content-Type parameter's value: a quoted string unquoted (RFC 9110 5.6.4: backslash escapes a character)."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


ASCII = bytes(range(32, 127))


def _misreads_ascii(charset: str) -> bool:
    """A charset the parser would decode field names with that does not read ASCII as ASCII (UTF-16, EBCDIC ...).
    One Python does not know is read as UTF-8 by the parser, so it is no problem."""
    try:
        return ASCII.decode(charset) != ASCII.decode("ascii")
    except LookupError:
        return False
    except (UnicodeError, ValueError):
        return True


def multipart_problem(params: str, body: bytes) -> str | None:
    """A multipart body the parser would misread without a word: no boundary parameter, a charset in which ASCII is
    not ASCII (its field names came out as "楦敬"), or no closing delimiter ("--boundary--" at the start of a line:
    a body cut short, whose parts came back missing and were refused as "file: is required")."""
    found = {name.lower(): _param_value(value) for name, value in PARAM.findall(params)}
    boundary = found.get("boundary", "")
    if not boundary:
        return "is a multipart body with no boundary parameter in its Content-Type"
    if "charset" in found and _misreads_ascii(found["charset"]):
        return f"is a multipart body in {found['charset'][:40]!r}, where ASCII field names are not ASCII: send UTF-8"
    close = b"--" + boundary.encode("latin-1", "replace") + b"--"
    if not body.startswith(close) and b"\n" + close not in body:
        return f"is a multipart body without its closing delimiter (--{boundary[:70]}--): cut short?"
    return None


def is_json(content_type: str) -> bool:
    return json_type_problem(content_type) is None


class JSONRoute(APIRoute):
    """An APIRoute whose JSON body is checked, scanned and parsed as above before FastAPI validates it."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler
        if _is_form(self):
            fields = {param.alias for param in self.dependant.body_params}

            async def upload(request: Request):
                media, _, params = request.headers.get("content-type", "").partition(";")
                if media.strip().lower() != "multipart/form-data":
                    return error_response(415, "content-type", "must be multipart/form-data (a file upload)")
                # (a route that parsed the form itself, ModelRoute, checked the body first)
                problem = multipart_problem(params, await request.body()) if request._form is None else None
                if problem:
                    return error_response(400, "body", problem, code="invalid_multipart")
                try:
                    form = await request.form()  # parsed here, kept for the handler, so a broken body is named
                except HTTPException as exc:
                    if exc.status_code != 400:
                        raise
                    return error_response(400, "body", f"is not a valid multipart body: {exc.detail}",
                                          code="invalid_multipart")
                unknown = next((name for name in form if name not in fields), None)
                if unknown is not None:   # as in JSON bodies: "stride" is not "strides"
                    return error_response(422, unknown, "is not a known field; the fields are "
                                          + ", ".join(sorted(fields)))
                twice = next((name for name, n in Counter(k for k, _ in form.multi_items()).items() if n > 1), None)
                if twice is not None:     # which one counts would be the parser's choice, not the sender's
                    return error_response(422, twice, "is given more than once; send each field once")
                return await handler(request)

            return upload

        async def route(request: Request):
            problem = json_type_problem(request.headers.get("content-type", ""))
            if problem:
                return error_response(415, "content-type", problem)
            body = await request.body()
            if body:
                try:
                    request._json = (parse_json(body) if len(body) <= INLINE_BYTES
                                     else await anyio.to_thread.run_sync(parse_json, body))
                except BodyRefused as exc:
                    # Raised in the thread, it came back in a reference cycle (the thread's future holds it, its
                    # traceback the frame that holds the future) keeping the body until a full collection, which
                    # the server makes rare (app/main.py): memory grew by the size of every refused body.
                    exc.__traceback__ = None
                    return error_response(exc.status, "body", exc.rule)
            return await handler(request)

        return route


def _is_form(route: APIRoute) -> bool:
    from fastapi.params import Form

    info = getattr(route.body_field, "field_info", None)
    return isinstance(info, Form)
