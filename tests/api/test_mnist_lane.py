"""The lane around the framework for cheap predictions (app/api/mnist_lane.py): it answers what the endpoint
answers, byte for byte, and it answers nothing else (every other request reaches the endpoint unchanged)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api import mnist as api
from app.api import mnist_lane
from app.config import settings
from app.engine.nn import Sequential
from app.main import app, create_app
from app.mnist import inference
from app.train import architecture
from tests.conftest import assert_error

URL = "/api/mnist/predict"
ONE = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
VARYING = {"date", "server-timing"}


@pytest.fixture(scope="module")
def model():
    m = Sequential(architecture(), (28, 28, 1), seed=5)
    app.dependency_overrides[api.get_model] = lambda: m
    yield m
    app.dependency_overrides.pop(api.get_model, None)


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


def test_without_a_model_the_endpoint_answers_503(client, lane, monkeypatch):
    saved = app.dependency_overrides.pop(api.get_model, None)
    monkeypatch.setattr(inference, "load_model", lambda path=None: None)
    try:
        err = assert_error(client.post(URL, json={"pixels": digit(0)}), 503)
        assert err["code"] == "model_not_trained" and lane == [False]
    finally:
        if saved is not None:
            app.dependency_overrides[api.get_model] = saved


def test_lane_answers_carry_cors_and_security_headers_and_compress(model, monkeypatch):
    monkeypatch.setattr(settings, "cors_origins", ["https://tool.example"])
    other = create_app()
    other.dependency_overrides[api.get_model] = lambda: model
    with TestClient(other) as c:
        r = c.post(URL, json={"pixels": digit(9)}, headers={"origin": "https://tool.example",
                                                            "accept-encoding": "gzip"})
        assert r.status_code == 200 and r.json()["digit"] is not None
        assert r.headers["access-control-allow-origin"] == "https://tool.example"
        assert r.headers["content-encoding"] == "gzip" and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["server-timing"].startswith("app;dur=")


def test_a_body_over_the_cap_is_refused_before_the_lane(client, lane):
    cap = settings.body_caps[URL]
    r = client.post(URL, content=b" " * (cap + 1), headers={"content-type": "application/json"})
    assert_error(r, 413) and lane == []


def test_other_paths_and_methods_pass_by(client, lane):
    assert_error(client.get(URL), 405)
    r = client.post(URL + "/", json={"pixels": digit(0)}, follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"].endswith(URL)  # Starlette's redirect, as before
    r = client.post("/api/mnist/trace", json={**ONE, "layer": "conv1", "index": [0, 0, 0]})
    assert r.status_code == 200 and r.json()["layer"] == "conv1"
    assert lane == []
