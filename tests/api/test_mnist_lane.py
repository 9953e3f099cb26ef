"""The lane around the framework for cheap predictions (app/api/mnist_lane.py): it answers what the endpoint
answers, byte for byte, and it answers nothing else (every other request reaches the endpoint unchanged)."""

from __future__ import annotations

import asyncio
import json

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api import batching, mnist_lane
from app.api import mnist as api
from app.config import settings
from app.engine.nn import Sequential
from app.main import app, create_app
from app.mnist import inference
from app.train import architecture
from tests.conftest import assert_error

URL = "/api/mnist/predict"
ONE = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
VARYING = {"date", "server-timing"}


@pytest.fixture
def model():
    """The shipped model: the lane steps aside for a model set by a dependency override (see below)."""
    app.dependency_overrides.pop(api.get_model, None)
    found = inference.load_model()
    if found is None:
        pytest.skip("app/weights/mnist_cnn.npz not trained yet")
    return found


@pytest.fixture
def lane(monkeypatch):
    """Records what the lane answered: a list of True (answered) / False (passed on), one per request."""
    seen = []
    answer = mnist_lane.PredictLane.answer

    async def spy(self, scope, body):
        response = await answer(self, scope, body)
        seen.append(response is not None)
        return response

    monkeypatch.setattr(mnist_lane.PredictLane, "answer", spy)
    return seen


def lane_off(monkeypatch):
    monkeypatch.setattr(mnist_lane, "screen", lambda data: None)


def send(client, body, content_type="application/json"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = client.post(URL, content=raw, headers={"content-type": content_type})
    return r.status_code, {k: v for k, v in r.headers.items() if k not in VARYING}, r.content


def digit(seed: int, scale=1.0) -> list:
    rng = np.random.default_rng(seed)
    x = np.zeros((28, 28))
    x[4:24, 10:18] = rng.uniform(0.3, 1.0, (20, 8)) * scale
    return np.round(x, 4).tolist()


CHEAP = [
    {"pixels": digit(0)},
    {"pixels": digit(1), "include_activations": False, "activations_format": "float32"},
    {"pixels": np.zeros((28, 28)).tolist()},                          # nothing drawn
    {"pixels": [[int(v > 0.5) for v in row] for row in digit(2)]},    # JSON integers
    ONE,
    {**ONE, "pixels": None, "image": None, "batch": None},             # nulls are as good as absent
    {"strokes": [[[60.5, 60], [200, 70], [90, 230]], [[100, 150], [180, 150]]], "width": 300, "height": 280},
    {"strokes": [], "width": 280, "height": 280},                      # nothing drawn
    {"strokes": [[[1000, 1000], [1100, 1100]]], "width": 280, "height": 280},  # off the canvas
]


@pytest.mark.parametrize("body", CHEAP)
def test_cheap_requests_take_the_lane_and_get_the_endpoints_bytes(model, client, lane, monkeypatch, body):
    taken = send(client, body)
    assert lane == [True] and taken[0] == 200
    lane.clear()
    lane_off(monkeypatch)
    assert send(client, body) == taken  # status, headers (but the date and timing) and body
    assert lane == [False]


def test_requests_sent_together_share_forward_passes_and_get_the_bytes_they_get_alone(model, lane, monkeypatch):
    sizes = []
    predict = batching.inference.predict
    monkeypatch.setattr(batching.inference, "predict", lambda m, xs, a=None: sizes.append(len(xs)) or predict(m, xs, a))
    bodies = [{"pixels": digit(20 + k)} for k in range(8)] + CHEAP

    async def post_all():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as c:
            return [r.content for r in await asyncio.gather(*(c.post(URL, json=b) for b in bodies))]

    together = asyncio.run(post_all())
    assert lane == [True] * len(bodies) and max(sizes) > 1
    lane_off(monkeypatch)
    with TestClient(app) as c:
        assert [c.post(URL, json=b).content for b in bodies] == together


NOT_CHEAP = [
    ({"pixels": digit(3, scale=2.0)}, "application/json", 422),           # the engine refuses values over 1
    ({"pixels": [[True] * 28] * 28}, "application/json", 422),
    ({"pixels": [["0.5"] * 28] * 28}, "application/json", 422),
    ({"pixels": digit(4)[:27]}, "application/json", 422),                 # 27 rows: not cheap
    ({"pixels": digit(5), "width": 280}, "application/json", 422),
    ({"pixels": digit(6), "include_activations": True}, "application/json", 200),
    ({"pixels": digit(6), "include_activations": 1}, "application/json", 422),
    ({"pixels": digit(6), "include_activations": None}, "application/json", 422),
    ({"pixels": digit(6), "activations_format": "npy"}, "application/json", 422),
    ({"pixels": digit(6), "colour": "red"}, "application/json", 422),
    ({"pixels": digit(6)}, "text/plain", 415),
    ({"pixels": digit(6)}, "application/x-www-form-urlencoded", 415),
    ({**ONE, "width": 0}, "application/json", 422),
    ({**ONE, "width": True}, "application/json", 422),
    ({**ONE, "height": 280.0}, "application/json", 422),
    ({**ONE, "width": 4096}, "application/json", 422),
    ({"strokes": ONE["strokes"]}, "application/json", 422),                # no canvas size
    ({"strokes": [[[1, 2, 3]]], "width": 28, "height": 28}, "application/json", 422),
    ({"strokes": [[[float("nan"), 1]]], "width": 28, "height": 28}, "application/json", 400),
    ({"strokes": [[[1, 1]]] * 17, "width": 280, "height": 280}, "application/json", 200),   # 17 strokes: not cheap
    ({"pixels": digit(7), "strokes": ONE["strokes"]}, "application/json", 422),
    ({"batch": [digit(8)]}, "application/json", 200),
    ([digit(8)], "application/json", 422),
    (b'{"pixels": [[0.5, ', "application/json", 400),
    (b"", "application/json", 422),
    (b"[" * 40 + b"]" * 40, "application/json", 422),
]


@pytest.mark.parametrize("body,content_type,status", NOT_CHEAP)
def test_anything_else_reaches_the_endpoint_unchanged(model, client, lane, monkeypatch, body, content_type, status):
    if not isinstance(body, bytes):
        body = json.dumps(body, allow_nan=True).encode()
    got = send(client, body, content_type)
    assert got[0] == status, got[2][:300]
    assert lane in ([], [False])  # not looked at (another content type) or passed on
    if status >= 400:
        assert_error(client.post(URL, content=body, headers={"content-type": content_type}), status)
    lane_off(monkeypatch)
    assert send(client, body, content_type) == got


def test_a_large_body_goes_to_the_endpoint_whose_route_parses_it_in_a_thread(model, client, lane, monkeypatch):
    body = json.dumps({"pixels": digit(10)}, indent=16).encode()
    assert len(body) > mnist_lane.MAX_BYTES
    got = send(client, body)
    assert got[0] == 200 and lane == []
    lane_off(monkeypatch)
    assert send(client, body) == got
    assert send(client, json.dumps({"pixels": digit(10)}).encode()) == got  # the same answer as a small body's


def test_a_model_set_by_a_dependency_override_is_left_to_fastapi(client, lane, monkeypatch):
    other = Sequential(architecture(), (28, 28, 1), seed=5)
    monkeypatch.setitem(app.dependency_overrides, api.get_model, lambda: other)
    r = client.post(URL, json={"pixels": digit(11)})
    assert r.status_code == 200 and lane == [False]
    want = other.predict(np.asarray(digit(11), np.float32)[None], per_sample=True)[0]
    np.testing.assert_allclose(r.json()["probabilities"], np.round(want, 6), atol=1e-6)


def test_a_content_type_given_twice_is_refused_before_the_lane(model, client, lane):
    """Before, the first of two Content-Types counted (as for the endpoint): [application/json, text/plain] was read
    as JSON. Now a repeated Content-Type is refused in either order, before the lane or the endpoint sees it."""
    for first, second in (("text/plain", "application/json"), ("application/json", "text/plain")):
        r = client.post(URL, content=json.dumps(ONE).encode(), headers=[("content-type", first),
                                                                         ("content-type", second)])
        assert_error(r, 415, "content-type")
    assert lane == []


def test_a_media_type_with_two_slashes_is_not_json(model, client, lane):
    r = client.post(URL, content=json.dumps(ONE).encode(), headers={"content-type": "application/a/b+json"})
    assert assert_error(r, 415, "content-type") and lane == []
    assert client.post(URL, content=json.dumps(ONE).encode(),
                       headers={"content-type": "application/vnd.x+json"}).status_code == 200 and lane == [True]


def test_under_a_root_path_the_lane_matches_the_routes_path(model, lane):
    body = {"pixels": digit(12)}
    with TestClient(app, root_path="/api") as c:
        assert c.post(URL, json=body).status_code == 404 and lane == []  # the routes see /mnist/predict
        r = c.post("/api" + URL, json=body)
        assert r.status_code == 200 and lane == [True]
    with TestClient(app) as c:
        assert c.post(URL, json=body).content == r.content


def test_a_body_longer_than_its_declared_length_is_left_to_the_endpoint(model, lane):
    """Over HTTP the server holds a body to its Content-Length; an ASGI caller might not."""
    body = json.dumps({"pixels": digit(13)}, indent=40).encode()
    assert len(body) > mnist_lane.MAX_BYTES
    scope = {"type": "http", "method": "POST", "path": URL, "root_path": "", "app": app, "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")]}
    sent, passed = [], []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    async def endpoint(scope, receive, send):
        passed.append((await receive())["body"])

    asyncio.run(mnist_lane.PredictLane(endpoint)(scope, receive, send))
    assert passed == [body] and sent == [] and lane == []


def test_without_a_model_the_endpoint_answers_503(client, lane, monkeypatch):
    saved = app.dependency_overrides.pop(api.get_model, None)
    monkeypatch.setattr(inference, "load_model", lambda path=None: None)
    try:
        err = assert_error(client.post(URL, json={"pixels": digit(0)}), 503)
        assert err["code"] == "model_not_trained" and lane == [False]
    finally:
        if saved is not None:
            app.dependency_overrides[api.get_model] = saved


def test_lane_answers_carry_cors_and_security_headers_and_compress(model, lane, monkeypatch):
    monkeypatch.setattr(settings, "cors_origins", ["https://tool.example"])
    with TestClient(create_app()) as c:
        r = c.post(URL, json={"pixels": digit(9)}, headers={"origin": "https://tool.example",
                                                            "accept-encoding": "gzip"})
        assert r.status_code == 200 and r.json()["digit"] is not None
        assert r.headers["access-control-allow-origin"] == "https://tool.example"
        assert r.headers["content-encoding"] == "gzip" and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["server-timing"].startswith("app;dur=") and lane == [True]


def test_a_body_over_the_cap_is_refused_before_the_lane(client, lane):
    cap = settings.body_caps[URL]
    r = client.post(URL, content=b" " * (cap + 1), headers={"content-type": "application/json"})
    assert assert_error(r, 413) and lane == []


def test_other_paths_and_methods_pass_by(client, lane):
    assert_error(client.get(URL), 405)
    r = client.post(URL + "/", json={"pixels": digit(0)}, follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"].endswith(URL)  # Starlette's redirect, as before
    r = client.post("/api/mnist/trace", json={**ONE, "layer": "conv1", "index": [0, 0, 0]})
    assert r.status_code == 200 and r.json()["layer"] == "conv1"
    assert lane == []


@pytest.mark.parametrize("field", ["width", "height", "include_activations", "activations_format"])
def test_the_lane_takes_a_field_only_where_the_schema_takes_it(field):
    """screen() reads its bounds and formats from PredictRequest: for every value here it takes the body only if
    pydantic's model does (never a value the endpoint would refuse); the usual values it takes."""
    import pydantic

    from app.api.mnist_schemas import PredictRequest
    values = [0, 1, 2, 280, 2047, 2048, 2049, -1, True, False, 1.0, 280.0, "280", None, [], "lists", "float32",
              "base64", "LISTS", 10**30]
    taken_by_both = 0
    for value in values:
        body = {**ONE, field: value}
        try:
            PredictRequest.model_validate(body, strict=False)
            valid = True
        except pydantic.ValidationError:
            valid = False
        taken = mnist_lane.screen(body) is not None
        assert valid or not taken, (field, value)
        taken_by_both += taken
    assert taken_by_both >= {"width": 4, "height": 4, "include_activations": 1, "activations_format": 2}[field]
