"""A lane around the framework for POST /api/mnist/predict's cheap requests.

The requests app/api/batching.py serves on the event loop (one digit's 28×28 `pixels`, a short drawing's
`strokes`; no activations) are answered here, as ASGI middleware inside the app's own (body cap, host check,
headers, compression, CORS), without Starlette's routing, FastAPI's dependency solving and pydantic's model of
the body. Measured with bench/bench_predict_rate.py, in one session with and without the lane: pixels went from
0.29-0.39 to 0.52-0.54 of a bare endpoint's request rate.

Only a body known to be valid in every field the endpoint checks takes the lane, and the answer is made by the
endpoint's own function (app/api/mnist.predict_cheap), so the bytes are the same. Anything else (another
field, a wrong type, a value the engine refuses, no model yet, a model set by a dependency override) goes on to
the endpoint unchanged, which gives its answer or its error as before: the lane never answers an error.
A body the engine refuses after the lane accepted it is checked twice (once here, once by the endpoint): at most
the cost of a cheap input.
"""

from __future__ import annotations

from typing import get_args

import annotated_types

from app.api import mnist
from app.api.mnist_schemas import Format, PredictRequest
from app.api.routing import INLINE_BYTES, BodyRefused, is_json, parse_json
from app.engine.errors import EngineError
from app.mnist import inference, inputs

PATH = "/api/mnist/predict"
MAX_BYTES = INLINE_BYTES  # as the JSON route: larger bodies go to the endpoint, which parses them in a thread
KEYS = frozenset(PredictRequest.model_fields)  # the schema's own fields, formats and bounds, not a copy of them
FORMATS = get_args(Format)


def _bounds(name: str) -> tuple[int, int]:
    """The [ge, le] a strict integer field of PredictRequest allows (width, height)."""
    field = PredictRequest.model_fields[name]
    ge = next(m.ge for m in field.metadata if isinstance(m, annotated_types.Ge))
    le = next(m.le for m in field.metadata if isinstance(m, annotated_types.Le))
    assert any(getattr(m, "strict", False) for m in field.metadata), f"{name}: the lane takes strict integers only"
    return ge, le


SIDES = {name: _bounds(name) for name in ("width", "height")}


def screen(data) -> dict | None:
    """A parsed body -> the endpoint's input fields, when every field is as PredictRequest takes it and the input
    is cheap (inputs.cheap); else None."""
    if type(data) is not dict or not data.keys() <= KEYS:
        return None
    if data.get("include_activations", False) is not False or data.get("activations_format", "lists") not in FORMATS:
        return None
    for side, (low, high) in SIDES.items():
        value = data.get(side)
        if value is not None and not (type(value) is int and low <= value <= high):
            return None
    fields = {name: data.get(name) for name in mnist.PREDICT_FIELDS}
    return fields if inputs.cheap(fields) else None


def route_path(scope) -> str:
    """The path the app's routes see: without the root path the server was given (as Starlette routes)."""
    path, root = scope["path"], scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    return "" if path == root else path[len(root):] if path[len(root)] == "/" else path


def header(scope, name: bytes) -> bytes:
    """A request header's first value, as Starlette reads it (b"" when absent)."""
    return next((value for key, value in scope["headers"] if key == name), b"")


class PredictLane:
    """ASGI middleware: answers a cheap POST /api/mnist/predict (a JSON body of at most MAX_BYTES whose fields pass
    screen(), with the shipped model and an input the engine takes); passes everything else on with its body
    replayed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or route_path(scope) != PATH:
            return await self.app(scope, receive, send)
        length = header(scope, b"content-length")
        if not (is_json(header(scope, b"content-type").decode("latin-1"))
                and length.isdigit() and 0 < int(length) <= MAX_BYTES):
            return await self.app(scope, receive, send)  # larger bodies are parsed in a thread by the endpoint
        chunks, more = [], True
        while more and sum(map(len, chunks)) <= MAX_BYTES:  # one message: BodyLimitMiddleware, outside, read it whole
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        response = None if more or len(body) > MAX_BYTES else await self.answer(scope, body)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}

        if response is None:
            return await self.app(scope, replay, send)
        await response(scope, replay, send)

    async def answer(self, scope, body: bytes):
        app = scope.get("app")
        if mnist.get_model in getattr(app, "dependency_overrides", {}):
            return None  # another model, set for the endpoint (tests): FastAPI resolves it there
        try:
            fields = screen(parse_json(body))
        except BodyRefused:
            return None
        model = inference.load_model() if fields is not None else None
        if model is None:
            return None
        try:
            return await mnist.predict_cheap(model, fields)
        except EngineError:
            return None
