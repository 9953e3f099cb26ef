import json

import numpy as np
import pytest

from tests.conftest import assert_error

A11 = "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"


def test_every_lecture_example_reproduces_its_expected_output(client):
    examples = client.get("/api/examples").json()["examples"]
    ids = {e["id"] for e in examples}
    assert {"conv-theano", "conv-padding", "pool-max-valid", "pool-max-same", "pool-average-valid",
            "pool-average-same"} <= ids
    for ex in examples:
        if ex["endpoint"] not in ("/api/conv2d", "/api/pool"):
            continue
        assert ex["title"]["en"] and ex["title"]["zh-TW"]
        r = client.post(ex["endpoint"], json=ex["request"])
        assert r.status_code == 200, (ex["id"], r.text)
        assert r.json()["output"] == ex["expected"]["output"], ex["id"]


def test_examples_filter_by_endpoint(client):
    only = client.get("/api/examples", params={"endpoint": "/api/pool"}).json()["examples"]
    assert only and all(e["endpoint"] == "/api/pool" for e in only)


def test_conv2d_padding_example_over_http(client):
    ex = next(e for e in client.get("/api/examples").json()["examples"] if e["id"] == "conv-padding")
    body = client.post("/api/conv2d", json=ex["request"]).json()
    assert body["output_shape"] == [4, 4]
    assert body["padding"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    assert len(body["padded_input"]) == 6
    assert len(body["steps"]) == 16 and body["steps_total"] == 16 and body["steps_truncated"] is False
    assert body["steps"][5]["index"] == [1, 1] and body["steps"][5]["formula"] == A11


def test_conv2d_channels_filters_and_trace_off(client):
    rng = np.random.default_rng(0)
    x, W = rng.integers(-3, 4, size=(6, 5, 2)), rng.integers(-2, 3, size=(3, 3, 2, 4))
    r = client.post("/api/conv2d", json={"input": x.tolist(), "kernel": W.tolist(), "bias": [1, 2, 3, 4],
                                         "strides": [2, 1], "padding": "same", "activation": "relu",
                                         "trace": False}).json()
    assert r["output_shape"] == [3, 5, 4] and r["steps"] == []
    assert np.min(r["output"]) >= 0


def test_pool_over_http(client):
    r = client.post("/api/pool", json={"input": [[1, 2], [3, 4]], "mode": "average"}).json()
    assert r["output"] == [[2.5]] and r["steps"][0]["formula"] == "(1 + 2 + 3 + 4) / 4 = 2.5"
    r = client.post("/api/pool", json={"input": [[[1, 9], [2, 8]], [[3, 7], [4, 6]]], "strides": None}).json()
    assert r["output"] == [[[4, 9]]] and r["steps"][1]["index"] == [0, 0, 1] and r["steps"][1]["argmax"] == [0, 0]


def test_same_request_gives_byte_identical_json(client):
    body = {"input": np.linspace(-1, 1, 49).reshape(7, 7).tolist(), "kernel": [[0.3, -0.1], [0.2, 0.7]]}
    assert client.post("/api/conv2d", json=body).content == client.post("/api/conv2d", json=body).content


BAD = [
    ({"input": [[1, 2], [3]], "kernel": [[1]]}, 422, "input.1"),
    ({"input": [], "kernel": [[1]]}, 422, "input"),
    ({"input": [[1, "2"]], "kernel": [[1]]}, 422, "input.0.1"),
    ({"input": [[1, None]], "kernel": [[1]]}, 422, "input.0.1"),
    ({"input": [[[[1]]]], "kernel": [[1]]}, 422, "input"),
    ({"input": [[1]], "kernel": [[1, 2]]}, 422, "kernel"),
    ({"input": [[1]], "kernel": [[1]], "bias": [1, 2]}, 422, "bias"),
    ({"input": [[1]], "kernel": [[1]], "strides": 0}, 422, "strides"),
    ({"input": [[1]], "kernel": [[1]], "strides": "2"}, 422, "strides"),
    ({"input": [[1]], "kernel": [[1]], "dilation_rate": 9}, 422, "dilation_rate"),
    ({"input": [[1]], "kernel": [[1]], "padding": "middle"}, 422, "padding"),
    ({"input": [[1]], "kernel": [[1]], "activation": "swish"}, 422, "activation"),
    ({"input": [[1]], "kernel": [[1]], "trace": "yes"}, 422, "trace"),
    ({"input": [[1]], "kernel": [[1]], "stride": 1}, 422, "stride"),
    ({"kernel": [[1]]}, 422, "input"),
    ({"input": np.zeros((65, 1)).tolist(), "kernel": [[1]]}, 422, "input"),
    ({"input": np.zeros((2, 2, 9)).tolist(), "kernel": [[1]]}, 422, "input"),
    ({"input": [[1]], "kernel": np.zeros((1, 1, 1, 17)).tolist()}, 422, "kernel"),
    ({"input": [[1]], "kernel": np.zeros((12, 12)).tolist()}, 422, "kernel"),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD)
def test_conv2d_bad_input_gets_one_error_shape(client, body, status, field):
    assert_error(client.post("/api/conv2d", json=body), status, field)


@pytest.mark.parametrize(("body", "field"), [
    ({"input": [[1]], "mode": "median"}, "mode"),
    ({"input": [[1]], "pool_size": 2}, "pool_size"),
    ({"input": [[1]], "pool_size": 0}, "pool_size"),
    ({"input": [[1]], "padding": "full"}, "padding"),
    ({"input": "abc"}, "input"),
])
def test_pool_bad_input(client, body, field):
    assert_error(client.post("/api/pool", json=body), 422, field)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_literals_are_refused(client, literal):
    """They are not JSON (RFC 8259): the parser refuses them, naming where they stand (changed in 0.2: was 422)."""
    raw = f'{{"input": [[1, {literal}]], "kernel": [[1]]}}'
    r = client.post("/api/conv2d", content=raw, headers={"content-type": "application/json"})
    err = assert_error(r, 400, "body")
    assert "line 1 column" in err["rule"], err


@pytest.mark.parametrize("raw", ['{"input": [[1, 2]', "not json", '[1, 2]', ""])
def test_truncated_or_non_object_json(client, raw):
    r = client.post("/api/conv2d", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert_error(r, r.status_code, "body")


def test_oversized_body_gets_413_before_parsing(client):
    raw = '{"input": [[' + ",".join(["1"] * 600_000) + "]]}"
    assert len(raw) > 1024 * 1024
    assert_error(client.post("/api/conv2d", content=raw, headers={"content-type": "application/json"}), 413, "body")
    # no Content-Length (chunked): still capped while reading
    chunks = (raw[i:i + 65536].encode() for i in range(0, len(raw), 65536))
    assert_error(client.post("/api/pool", content=chunks, headers={"content-type": "application/json"}), 413)


def test_kernel_larger_than_padded_input_is_explained(client):
    err = assert_error(client.post("/api/conv2d", json={"input": [[1, 2]], "kernel": [[1], [1]]}), 422, "kernel")
    assert "padded input" in err["rule"]


def test_unknown_api_path_and_method(client):
    assert_error(client.get("/api/nothing"), 404)
    assert_error(client.get("/api/conv2d"), 405)


def test_overflow_is_a_422_not_a_500(client):
    r = client.post("/api/conv2d", json={"input": [[1e9] * 11] * 11 + [[1e9] * 11],
                                         "kernel": [[1e9] * 11] * 11, "activation": "linear"})
    assert r.status_code == 200  # 121 · 1e18 is finite
    assert json.loads(r.text)["output"][0][0] == pytest.approx(1.21e20)


def test_every_example_has_a_short_title_a_picker_can_show(client):
    for ex in client.get("/api/examples").json()["examples"]:
        for lang in ("en", "zh-TW"):
            short = ex["short"][lang]
            assert 0 < len(short) <= 26 and len(short) < len(ex["title"][lang]) + 1, (ex["id"], lang, short)
