"""POST /api/activations over HTTP: values, the one error shape, content type, caps."""

import math

import pytest

from app.engine.limits import ACT_MAX_SOFTMAX, ACT_MAX_X
from tests.conftest import assert_error


def test_hard_sigmoid_both_forms_and_their_kinks(client):
    r = client.post("/api/activations", json={"name": "hard_sigmoid", "x": [-2.5, 1, 2.6]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["keras"] == 2 and body["y"] == [0, 0.7, 1] and body["dy"] == [0.2, 0.2, 0]
    body = client.post("/api/activations", json={"name": "hard_sigmoid", "x": [-3, 1.5], "keras": 3}).json()
    assert body["keras"] == 3 and body["y"] == [0, 0.75] and body["dy"] == [0, pytest.approx(1 / 6)]
    assert body["kinks"] == [-3, 3]


def test_tanh_sigmoid_relu_linear_softmax(client):
    def post(name, x):
        return client.post("/api/activations", json={"name": name, "x": x}).json()

    t = post("tanh", [0.5])
    assert t["y"][0] == pytest.approx(math.tanh(0.5), rel=1e-15)
    assert t["dy"][0] == pytest.approx(1 - math.tanh(0.5) ** 2)
    s = post("sigmoid", [0])
    assert s["y"] == [0.5] and s["dy"] == [0.25]
    assert post("relu", [-2, 3])["y"] == [0, 3] and post("linear", [-2, 3])["dy"] == [1, 1]
    sm = post("softmax", [0, 0])
    assert sm["y"] == [0.5, 0.5] and sm["jacobian"] == [[0.25, -0.25], [-0.25, 0.25]] and sm["dy"] == [0.25, 0.25]


@pytest.mark.parametrize("body, field", [
    ({"name": "gelu", "x": [1]}, "name"),
    ({"name": "tanh"}, "x"),
    ({"name": "tanh", "x": []}, "x"),
    ({"name": "tanh", "x": ["1"]}, "x.0"),
    ({"name": "tanh", "x": [1e10]}, "x"),
    ({"name": "tanh", "x": [0] * (ACT_MAX_X + 1)}, "x"),
    ({"name": "softmax", "x": [0] * (ACT_MAX_SOFTMAX + 1)}, "x"),
    ({"name": "hard_sigmoid", "x": [0], "keras": 1}, "keras"),
    ({"name": "tanh", "x": [0], "alpha": 1}, "alpha"),
])
def test_refusals_have_the_error_shape(client, body, field):
    assert_error(client.post("/api/activations", json=body), 422, field)


def test_json_only(client):
    r = client.post("/api/activations", content='{"name": "tanh", "x": [0]}', headers={"content-type": "text/plain"})
    assert_error(r, 415, "content-type")
