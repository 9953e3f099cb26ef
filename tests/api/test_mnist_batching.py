"""Cheap predictions on the event loop, batched per turn (app/api/batching.py): the same bytes as the
engine-thread path, whatever else was asked at the same time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import numpy as np
import pytest

from app.api import batching
from app.api import mnist as api
from app.api.mnist_schemas import PredictRequest
from app.api.responses import JSONResponse
from app.engine.errors import EngineError
from app.engine.nn import Sequential
from app.main import app
from app.mnist import inputs
from app.train import architecture

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "mnist_test_sample.npz"


@pytest.fixture(scope="module")
def model():
    m = Sequential(architecture(), (28, 28, 1), seed=3)
    app.dependency_overrides[api.get_model] = lambda: m
    yield m
    app.dependency_overrides.pop(api.get_model, None)


def bodies() -> list[dict]:
    with np.load(SAMPLE) as f:
        images = f["images"][:12].astype(np.float64) / 255
    rng = np.random.default_rng(4)
    out = [{"pixels": np.round(im, 4).tolist()} for im in images]
    for k in range(4):  # short drawings, served on the loop too
        pts = [[round(float(x), 1), round(float(y), 1)] for x, y in rng.uniform(40, 240, (5 + k, 2))]
        out.append({"strokes": [pts], "width": 280, "height": 280})
    out.append({"pixels": np.zeros((28, 28)).tolist()})  # nothing drawn: no forward pass
    return out


async def post_all(payloads: list[dict], together: bool) -> list[bytes]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        async def one(body):
            r = await c.post("/api/mnist/predict", json=body)
            assert r.status_code == 200, r.text
            return r.content
        if together:
            return list(await asyncio.gather(*(one(b) for b in payloads)))
        return [await one(b) for b in payloads]


def test_requests_asked_together_share_a_forward_pass_and_get_the_bytes_they_get_alone(model, monkeypatch):
    sizes = []
    predict = batching.inference.predict

    def counted(m, xs, activations=None):
        sizes.append(len(xs))
        return predict(m, xs, activations)

    monkeypatch.setattr(batching.inference, "predict", counted)
    payloads = bodies()
    alone = asyncio.run(post_all(payloads, together=False))
    assert sizes == [1] * (len(payloads) - 1)  # one forward pass each; none for the empty drawing
    sizes.clear()
    together = asyncio.run(post_all(payloads, together=True))
    assert max(sizes) > 1 and sum(sizes) == len(payloads) - 1
    assert together == alone
    # ... and the bytes of the engine-thread path (run_predict, what any other input goes through)
    for body, got in zip(payloads, alone, strict=True):
        assert got == JSONResponse(api.run_predict(model, PredictRequest(**body))).body


def test_a_batch_is_split_by_model_and_by_size(monkeypatch):
    a = Sequential(architecture(), (28, 28, 1), seed=1)
    b = Sequential(architecture(), (28, 28, 1), seed=2)
    x = np.random.default_rng(0).random((40, 28, 28)).astype(np.float32)
    sizes = []
    predict = batching.inference.predict
    monkeypatch.setattr(batching.inference, "predict", lambda m, xs, act=None: sizes.append(len(xs)) or predict(m, xs))

    seen = []  # batches done each time another task ran: the loop serves others between batches

    async def other(done):
        while not done.is_set():
            seen.append(len(sizes))
            await asyncio.sleep(0)

    async def ask():
        batcher, done = batching.Batcher(), asyncio.Event()
        watcher = asyncio.ensure_future(other(done))
        got = await asyncio.gather(*(batcher.probabilities(a if i < 36 else b, x[i]) for i in range(40)))
        done.set()
        await watcher
        return got

    got = asyncio.run(ask())
    assert sizes == [batching.MAX_BATCH, 36 - batching.MAX_BATCH, 4]
    assert {1, 2} <= set(seen)
    for i in (0, 35, 36, 39):
        want = predict(a if i < 36 else b, x[i:i + 1])[0][0]
        np.testing.assert_array_equal(got[i], want)


def test_a_request_that_went_away_does_not_break_its_batch():
    m = Sequential(architecture(), (28, 28, 1), seed=1)
    x = np.random.default_rng(1).random((2, 28, 28)).astype(np.float32)

    async def ask():
        batcher = batching.Batcher()
        gone = asyncio.ensure_future(batcher.probabilities(m, x[0]))
        kept = asyncio.ensure_future(batcher.probabilities(m, x[1]))
        await asyncio.sleep(0)  # both wait for the end of the turn
        gone.cancel()
        return await kept

    np.testing.assert_array_equal(asyncio.run(ask()), batching.inference.predict(m, x[1:])[0][0])


class Unrebuildable(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a}{b}")


@pytest.mark.parametrize("error,copies", [
    (MemoryError("no room for the batch"), True),
    (EngineError("x", "is refused", code="refused"), True),
    (Unrebuildable("cannot ", "be copied"), False),          # given as it is, never left hanging
])
def test_a_failed_batch_raises_in_every_request_each_its_own_exception(monkeypatch, error, copies):
    m = Sequential(architecture(), (28, 28, 1), seed=1)
    x = np.random.default_rng(2).random((3, 28, 28)).astype(np.float32)

    def broken(model, xs, activations=None):
        raise error

    monkeypatch.setattr(batching.inference, "predict", broken)

    async def ask():
        batcher = batching.Batcher()
        return await asyncio.wait_for(asyncio.gather(*(batcher.probabilities(m, x[i]) for i in range(3)),
                                                     return_exceptions=True), timeout=5)

    got = asyncio.run(ask())
    assert all(type(e) is type(error) and str(e) == str(error) for e in got)
    if isinstance(error, EngineError):
        assert all((e.field, e.rule, e.code) == ("x", "is refused", "refused") for e in got)
    # a copy each: one raised exception's traceback does not show another request's frames
    assert len({id(e) for e in got}) == (3 if copies else 1)


@pytest.mark.parametrize("fields,cheap", [
    ({"pixels": np.zeros((28, 28)).tolist()}, True),
    ({"pixels": np.zeros((27, 28)).tolist()}, False),       # refused in the engine thread, same error
    ({"pixels": [[0] * 28] * 27 + [[0] * 29]}, False),
    ({"pixels": "x"}, False),
    ({"strokes": [[[0, 0]] * 100, [[1, 1]] * 28]}, True),   # 128 points
    ({"strokes": [[[0, 0]] * 100, [[1, 1]] * 29]}, False),
    ({"strokes": [[[0, 0]]] * 16}, True),                     # 16 strokes
    ({"strokes": [[[0, 0]]] * 17}, False),
    ({"strokes": [[[0, 0]], "x"]}, False),
    ({"image": "data:image/png;base64,"}, False),           # decoding a picture: the engine thread
    ({"batch": [np.zeros((28, 28)).tolist()]}, False),
    ({"pixels": np.zeros((28, 28)).tolist(), "strokes": [[[0, 0]]]}, False),  # two inputs: refused there
])
def test_which_inputs_are_served_on_the_event_loop(fields, cheap):
    assert inputs.cheap(fields) is cheap
