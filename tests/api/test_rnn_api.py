"""POST /api/rnn, /api/lstm, /api/gru: the lecture's examples over HTTP, response shapes, bad input."""

import json

import numpy as np
import pytest

from tests.conftest import assert_error


def examples(client, endpoint):
    return client.get("/api/examples", params={"endpoint": endpoint}).json()["examples"]


def test_examples_are_served_and_reproduce(client):
    ids = {e["id"] for e in client.get("/api/examples").json()["examples"]}
    assert {"rnn-lecture", "rnn-lecture-order", "lstm-gates", "lstm-gates-sigmoid", "memory-rnn", "memory-lstm",
            "gru-small"} <= ids
    for endpoint in ("/api/rnn", "/api/lstm", "/api/gru"):
        for ex in examples(client, endpoint):
            assert ex["title"]["en"] and ex["title"]["zh-TW"] and ex["description"]["zh-TW"]
            r = client.post(endpoint, json=ex["request"])
            assert r.status_code == 200, (ex["id"], r.text)
            for key in ("hidden", "outputs", "cell"):
                if key in ex["expected"]:
                    assert r.json()[key] == ex["expected"][key], ex["id"]


def test_rnn_response_shape(client):
    ex = next(e for e in examples(client, "/api/rnn") if e["id"] == "rnn-lecture")
    body = client.post("/api/rnn", json=ex["request"]).json()
    assert body["layer"] == "SimpleRNN" and body["units"] == 2 and body["timesteps"] == 3 and body["input_dim"] == 2
    assert body["outputs"] == [[4, 4], [14, 14], [36, 36]]
    assert len(body["steps"]) == 3 and len(body["sensitivity"]) == 3
    assert np.array(body["sensitivity_per_unit"]).shape == (3, 2)
    step = body["steps"][2]
    assert step["h_prev"] == [7, 7] and step["h"] == [18, 18] and step["output"] == [36, 36]
    assert step["formulas"]["hidden"][0] == "h₃[1] = 1×1 + 3×1 + 7×1 + 7×1 = 18"
    assert body["weights"]["output_layer"] == {"kernel": [[1, 1], [1, 1]], "bias": None, "activation": "linear"}


def test_lstm_response_has_every_gate(client):
    ex = next(e for e in examples(client, "/api/lstm") if e["id"] == "lstm-gates")
    body = client.post("/api/lstm", json=ex["request"]).json()
    assert [c[0] for c in body["cell"]] == [3, 7, 7, 7, 0]
    step = body["steps"][3]
    assert set(step["gates"]) == {"input", "forget", "candidate", "output"}
    assert set(step["pre_activations"]) == set(step["gates"])
    assert step["c_prev"] == [7] and step["c"] == [7] and step["h"] == [7]
    assert body["initial_state"] == {"h": [0], "c": [0]}


def test_gru_default_weights_are_returned_and_reusable(client):
    first = client.post("/api/gru", json={"inputs": [[1, 0], [0, 1]], "units": 3, "seed": 4}).json()
    assert set(first["steps"][0]["gates"]) == {"update", "reset", "candidate"}
    assert first["reset_after"] is True and np.array(first["weights"]["bias"]).shape == (2, 9)
    w = first["weights"]
    again = client.post("/api/gru", json={"inputs": [[1, 0], [0, 1]], "kernel": w["kernel"],
                                          "recurrent_kernel": w["recurrent_kernel"], "bias": w["bias"]}).json()
    assert again["hidden"] == first["hidden"] and again["weights"]["initialized"] == []


def test_output_layer_with_defaults(client):
    body = client.post("/api/lstm", json={"inputs": [1, 2, 3], "units": 2, "output_layer": {"units": 3}}).json()
    assert np.array(body["outputs"]).shape == (3, 3)
    assert body["keras"]["output_layer"] == "Dense(3)"


def test_same_request_gives_byte_identical_json(client):
    body = {"inputs": np.linspace(-1, 1, 12).reshape(6, 2).tolist(), "units": 3, "seed": 9}
    assert client.post("/api/lstm", json=body).content == client.post("/api/lstm", json=body).content


@pytest.mark.parametrize("path, body, field", [
    ("/api/rnn", {"inputs": [[1, 2], [3]], "units": 1}, "inputs.1"),
    ("/api/rnn", {"inputs": [], "units": 1}, "inputs"),
    ("/api/rnn", {"inputs": [["a"]], "units": 1}, "inputs.0.0"),
    ("/api/rnn", {"inputs": [[1]] * 201, "units": 1}, "inputs"),
    ("/api/rnn", {"inputs": [[1]], "units": 33}, "units"),
    ("/api/rnn", {"inputs": [[1]], "units": 2.5}, "units"),
    ("/api/rnn", {"inputs": [[1]]}, "units"),
    ("/api/rnn", {"units": 1}, "inputs"),
    ("/api/rnn", {"inputs": [[1]], "units": 1, "activation": "softmax"}, "activation"),
    ("/api/rnn", {"inputs": [[1]], "units": 1, "colour": 1}, "colour"),
    ("/api/rnn", {"inputs": [[1, 2]], "kernel": [[1], [1], [1]]}, "kernel"),
    ("/api/rnn", {"inputs": [[1]], "units": 2, "initial_state": [1]}, "initial_state"),
    ("/api/rnn", {"inputs": [[1]], "units": 2, "output_layer": {"kernel": [[1, 1]]}}, "output_layer.kernel"),
    ("/api/rnn", {"inputs": [[1]], "units": 2, "output_layer": {"activation": "x"}}, "output_layer.activation"),
    ("/api/lstm", {"inputs": [[1]], "units": 2, "recurrent_kernel": [[1] * 8]}, "recurrent_kernel"),
    ("/api/lstm", {"inputs": [[1]], "units": 2, "bias": [1] * 7}, "bias"),
    ("/api/lstm", {"inputs": [[1]], "units": 2, "initial_state": [1, 2]}, "initial_state"),
    ("/api/lstm", {"inputs": [[1]], "units": 2, "initial_state": {"h": [1]}}, "initial_state.h"),
    ("/api/lstm", {"inputs": [[1]], "units": 2, "recurrent_activation": "relu6"}, "recurrent_activation"),
    ("/api/lstm", {"inputs": [[1]], "units": 2, "use_bias": "no"}, "use_bias"),
    ("/api/gru", {"inputs": [[1]], "units": 2, "bias": [1] * 6}, "bias"),
    ("/api/gru", {"inputs": [[1]], "units": 2, "reset_after": 0}, "reset_after"),
    ("/api/gru", {"inputs": [[1]], "units": 2, "seed": -3}, "seed"),
    ("/api/lstm", {"inputs": [[1]], "units": 2, "keras": 4}, "keras"),
    ("/api/gru", {"inputs": [[1]], "units": 2, "keras": "3"}, "keras"),
])
def test_bad_input_has_the_one_error_shape(client, path, body, field):
    assert_error(client.post(path, json=body), 422, field)


@pytest.mark.parametrize("raw, status, field", [
    ('{"inputs": [[NaN]], "units": 1}', 400, "body"),        # not JSON (changed in 0.2: was 422)
    ('{"inputs": [[Infinity]], "units": 1}', 400, "body"),
    ('{"inputs": [[1]], "units": 1', 400, "body"),
])
def test_nan_and_truncated_json(client, raw, status, field):
    r = client.post("/api/rnn", content=raw, headers={"content-type": "application/json"})
    assert_error(r, status, field)


def test_overflow_is_a_422(client):
    body = {"inputs": [[1e9] * 32] * 200, "kernel": [[1e9] * 32] * 32, "recurrent_kernel": [[1e9] * 32] * 32,
            "activation": "linear"}
    err = assert_error(client.post("/api/rnn", json=body), 422, "inputs")
    assert "overflow" in err["rule"]


def test_largest_request_stays_under_the_body_cap_and_answers(client):
    rng = np.random.default_rng(0)
    body = {"inputs": np.round(rng.normal(size=(200, 32)), 3).tolist(), "units": 32}
    assert len(json.dumps(body)) < 1 << 20
    r = client.post("/api/lstm", json=body)
    assert r.status_code == 200 and len(r.json()["hidden"]) == 200
    assert r.json()["steps"][0]["formulas"] is None


def test_openapi_documents_the_three_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/rnn", "/api/lstm", "/api/gru"} <= set(paths)


@pytest.mark.parametrize("path", ["/api/rnn", "/api/lstm", "/api/gru"])
def test_keras_3_asks_for_keras_3s_hard_sigmoid(client, path):
    """The default is Keras 2's hard_sigmoid (the lecture's); `keras: 3` gives Keras 3's clip(z/6 + 0.5, 0, 1), and the
    response's Keras program names Keras 3's own function (tests/engine/test_recurrent_keras3.py checks the numbers
    against Keras 3's cells)."""
    body = {"inputs": [[0.5, 1.0], [-1.0, 2.0]], "units": 2, "seed": 4, "activation": "hard_sigmoid"}
    two, three = (client.post(path, json={**body, "keras": k}).json() for k in (2, 3))
    default = client.post(path, json=body).json()
    assert default["hidden"] == two["hidden"] != three["hidden"]
    z = np.array(three["steps"][0]["pre_activations"]["h" if path == "/api/rnn" else "candidate"])
    got = three["steps"][0]["h"] if path == "/api/rnn" else three["steps"][0]["gates"]["candidate"]
    np.testing.assert_allclose(got, np.clip(z / 6 + 0.5, 0, 1), rtol=1e-12)
    assert "hard_sigmoid_keras2" not in three["keras"]["code"] and "hard_sigmoid_keras2" in two["keras"]["code"]


def _fits(schema, value):
    """The parts of JSON Schema that the array fields use: anyOf, array (items, minItems, maxItems), number, null."""
    if schema.get("type") == "null":
        return value is None
    if "anyOf" in schema:
        return any(_fits(s, value) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return (isinstance(value, list) and schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 1e9)
                and all(_fits(schema["items"], v) for v in value))
    if schema.get("type") == "number":
        return isinstance(value, int | float) and schema["minimum"] <= value <= schema["maximum"]
    raise AssertionError(f"not handled here: {schema}")


@pytest.mark.parametrize("reset_after", [False, True])
def test_the_openapi_schema_takes_every_bias_the_gru_takes(client, reset_after):
    """Before, the schema capped a flat GRU bias at 2 numbers (the first axis of (2, 3·units)): a client validating
    against /openapi.json refused reset_after=false's (3·units,) bias, which the server takes (found by a review
    against Keras)."""
    from app.engine import limits as L
    u = L.RNN_MAX_U
    bias = [0.5] * (3 * u) if not reset_after else [[0.5] * (3 * u), [0.25] * (3 * u)]
    body = {"inputs": [[1.0], [0.5]], "units": u, "seed": 0, "reset_after": reset_after, "bias": bias}
    schema = client.get("/openapi.json").json()["components"]["schemas"]["GRURequest"]["properties"]["bias"]
    assert _fits(schema, bias)
    assert not _fits(schema, [0.5] * (3 * u + 1)) and not _fits(schema, [[0.5] * (3 * u)] * 3)
    assert client.post("/api/gru", json=body).status_code == 200
