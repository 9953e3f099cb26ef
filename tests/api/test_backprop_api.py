"""POST /api/conv2d_transpose, /api/conv2d/backward and /api/pool/backward over HTTP: the lecture's numbers, the
engine's answers on seeded random requests, gradients that are the derivatives of the forward endpoints' own
answers (float64 central differences through /api/conv2d and /api/pool), errors naming their field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine.conv_backward import run_conv2d_backward
from app.engine.pool_backward import run_pool_backward
from app.engine.transpose import run_conv2d_transpose
from tests.conftest import assert_error

X = [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]]
W = [[2, 1, 3], [2, 0, 0], [1, 3, 2]]
LECTURE = {"input": X, "kernel": W, "padding": "same"}
DX = [[5, 8, 8, 4], [9, 14, 14, 9], [9, 14, 14, 9], [6, 8, 8, 5]]
THEANO = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
CORNER = "(0×2 + 0×3 + 0×1) + (0×0 + 1×0 + 1×2) + (0×3 + 1×1 + 1×2) = 0 + 2 + 3 = 5"
SIX = "(1×2 + 1×3 + 1×1) + (1×0 + 1×0 + 1×2) + (1×3 + 1×1 + 1×2) = 6 + 2 + 6 = 14"


def post(client, path, body):
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def step_at(steps, index):
    return next(s for s in steps if s["index"] == index)


# ---- the lecture's padding example, end to end --------------------------------------------------------

def test_lecture_padding_example_backward(client):
    out = post(client, "/api/conv2d/backward", LECTURE)
    assert out["output"] == [[2, 15, 19, 8], [15, 19, 15, 17], [6, 30, 22, 21], [12, 17, 8, 8]]
    assert out["grad_output"] == [[1] * 4] * 4 and out["grad_pre_activation"] == [[1] * 4] * 4
    assert out["grad_input"] == DX
    assert out["grad_kernel"] == [[16, 17, 14], [19, 21, 17], [18, 19, 15]]
    assert out["grad_bias"] == [16]
    tr = out["grad_input_trace"]
    assert tr["kernel"] == [[2, 3, 1], [0, 0, 2], [3, 1, 2]]          # the filter turned by 180°
    assert tr["padding"] == {"top": 2, "bottom": 2, "left": 2, "right": 2}
    assert len(tr["padded_grad_output"]) == 8 and tr["crop"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    assert tr["grad_output_cells"][0][0] == [2, 2] and tr["grad_output_cells"][3][3] == [5, 5]
    assert [row[1:5] for row in tr["full"][1:5]] == DX                  # the crop leaves dL/dx
    assert tr["steps_total"] == 36 and len(tr["steps"]) == 36 and not tr["steps_truncated"]
    corner, six = step_at(tr["steps"], [1, 1]), step_at(tr["steps"], [2, 3])
    assert corner["formula"] == CORNER and corner["value"] == 5 and "".join(corner["terms"]) == CORNER
    assert six["formula"] == SIX and six["window"][0] == [2, 3] and six["weights"] == tr["kernel"]
    assert out["grad_kernel_trace"]["steps"][0]["value"] == 16 and out["grad_kernel_trace"]["steps_total"] == 9
    assert out["grad_bias_trace"]["steps"][0]["formula"] == " + ".join(["1"] * 16) + " = 16"


def test_the_backward_examples_are_served_and_reproduce(client):
    examples = client.get("/api/examples").json()["examples"]
    mine = [e for e in examples if e["endpoint"] in ("/api/conv2d/backward", "/api/conv2d_transpose",
                                                      "/api/pool/backward")]
    assert {e["id"] for e in mine} == {"backprop-conv-ones", "backprop-conv-one-hot", "transpose-ones",
                                       "transpose-strides", "backprop-pool-max"}
    for ex in mine:
        assert ex["title"]["en"] and ex["title"]["zh-TW"] and ex["description"]["zh-TW"]
        out = post(client, ex["endpoint"], ex["request"])
        assert ex["expected"] and {k: out[k] for k in ex["expected"]} == ex["expected"], ex["id"]
    ones = next(e for e in mine if e["id"] == "backprop-conv-ones")
    assert ones["request"] == {**LECTURE, "grad_output": [[1] * 4] * 4} and ones["expected"]["grad_input"] == DX
    only = client.get("/api/examples", params={"endpoint": "/api/pool/backward"}).json()["examples"]
    assert [e["id"] for e in only] == ["backprop-pool-max"]


def test_one_hot_gradient_stamps_the_kernel(client):
    one_hot = [[0] * 4, [0, 1, 0, 0], [0] * 4, [0] * 4]
    out = post(client, "/api/conv2d/backward", {**LECTURE, "grad_output": one_hot})
    assert out["grad_input"] == [[2, 1, 3, 0], [2, 0, 0, 0], [1, 3, 2, 0], [0, 0, 0, 0]]
    assert out["grad_kernel"] == [[0, 0, 1], [0, 1, 6], [3, 3, 2]]     # a₁₁'s window of the padded input
    assert out["grad_bias"] == [1]


def test_transposed_convolution_of_ones_is_the_lectures_grad_input(client):
    out = post(client, "/api/conv2d_transpose", {"input": [[1] * 4] * 4, "kernel": W, "padding": "same"})
    assert out["output"] == DX and out["output_shape"] == [4, 4]
    assert out["gather"]["kernel"] == [[2, 3, 1], [0, 0, 2], [3, 1, 2]]
    assert step_at(out["gather"]["steps"], [1, 2])["formula"] == SIX
    first = out["scatter"]["steps"][0]   # input cell [0, 0] stamps 1 × W onto canvas rows 0..2, cols 0..2
    assert first["index"] == [0, 0] and first["filter"] == 0 and first["products"] == W
    assert first["output_cells"][0] is None and first["output_cells"][4] == [0, 0]
    assert first["formula"].startswith("0 + 1×2 = 2, 0 + 1×1 = 1, 0 + 1×3 = 3")
    assert out["scatter"]["steps_total"] == 16 and out["scatter"]["crop"] == {"top": 1, "bottom": 1, "left": 1,
                                                                              "right": 1}


def test_transposed_convolution_with_strides_inserts_zeros(client):
    out = post(client, "/api/conv2d_transpose", {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "strides": 2})
    assert out["output"] == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    assert out["gather"]["padded_input"] == [[0, 0, 0, 0, 0], [0, 1, 0, 2, 0], [0, 0, 0, 0, 0], [0, 3, 0, 4, 0],
                                             [0, 0, 0, 0, 0]]
    assert out["gather"]["input_cells"] == [[[1, 1], [1, 3]], [[3, 1], [3, 3]]]
    padded = post(client, "/api/conv2d_transpose", {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]],
                                                    "strides": 2, "output_padding": [1, 0]})
    assert padded["output_shape"] == [5, 4] and padded["output"][4] == [0, 0, 0, 0]


def test_pool_backward_lecture_examples(client):
    out = post(client, "/api/pool/backward", {"input": THEANO, "mode": "max", "strides": 1})
    assert out["grad_input"] == [[1, 1, 0, 0, 0], [0, 0, 0, 4, 0], [2, 0, 3, 0, 1], [1, 1, 0, 2, 0], [0, 0, 0, 0, 0]]
    first = out["steps"][0]   # max(3, 3, 0, 0): the tie goes to the first 3
    assert first["argmax"] == [0, 0] and first["weights"] == [1, 0, 0, 0] and "count" not in first
    assert first["formula"] == "0 + 1×1 = 1, 0 + 1×0 = 0, 0 + 1×0 = 0, 0 + 1×0 = 0"
    wins = [s for s in out["steps"] if s["argmax"] == [1, 3]]
    assert [s["totals"][s["window"].index([1, 3])] for s in wins] == [1, 2, 3, 4]   # four windows, running total
    avg = post(client, "/api/pool/backward", {"input": THEANO, "mode": "average", "padding": "same",
                                              "grad_output": [[4, 4, 2], [4, 4, 2], [2, 2, 1]]})
    assert avg["output"] == [[1.5, 1.75, 0.5], [1.5, 1.5, 2.5], [1, 0, 1]]
    assert avg["grad_input"] == [[1] * 5] * 5                         # 4/4, 2/2 and 1/1: padding not counted
    corner = avg["steps"][-1]
    assert corner["count"] == 1 and corner["inputs"] == [0, None, None, None] and corner["weights"][1] is None
    assert corner["formula"] == "0 + 1×1 = 1"


# ---- seeded random requests: the API answers what the engine computes ----------------------------------

def roundtrip(result: dict) -> dict:
    return json.loads(json.dumps(result))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_requests_equal_the_engine(client, seed):
    rng = np.random.default_rng(seed)
    h, w, c, f = rng.integers(3, 7), rng.integers(3, 7), rng.integers(1, 3), rng.integers(1, 3)
    x = np.round(rng.normal(size=(h, w, c)), 3).tolist()
    body = {"input": x, "kernel": np.round(rng.normal(size=(3, 2, c, f)), 3).tolist(), "bias": [0.5] * f,
            "strides": [int(rng.integers(1, 3)), 1], "padding": ["valid", "same", "full"][seed],
            "activation": ["linear", "tanh", "relu"][seed]}
    forward = post(client, "/api/conv2d", body)
    body["grad_output"] = np.round(rng.normal(size=forward["output_shape"]), 3).tolist()
    assert post(client, "/api/conv2d/backward", body) == roundtrip(run_conv2d_backward(**body))

    pool = {"input": x, "mode": ["max", "average"][seed % 2], "pool_size": [2, 3], "strides": [1, 2],
            "padding": ["same", "valid"][seed % 2]}
    shape = post(client, "/api/pool", pool)["output_shape"]
    pool["grad_output"] = np.round(rng.normal(size=shape), 3).tolist()
    assert post(client, "/api/pool/backward", pool) == roundtrip(run_pool_backward(**pool))

    t = {"input": x, "kernel": np.round(rng.normal(size=(3, 3, f, c)), 3).tolist(), "strides": 2,
         "padding": ["same", "valid", "same"][seed], "output_padding": [None, 1, [1, 0]][seed],
         "activation": "relu", "bias": [-0.25] * f}
    answer = post(client, "/api/conv2d_transpose", t)
    assert answer == roundtrip(run_conv2d_transpose(**t))
    assert answer["output_shape"][2] == f and len(answer["scatter"]["steps"]) == h * w * c * f


# ---- the gradients are the derivatives of the forward endpoints' answers ----------------------------------

def numeric_grad(client, path, body, g, eps=1e-3):
    """d/dx of L = Σ g ⊙ y(x), y from the forward endpoint, by float64 central differences."""
    x = np.array(body["input"], dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        losses = []
        for sign in (1, -1):
            xs = x.copy()
            xs[idx] += sign * eps
            y = np.array(post(client, path, {**body, "input": xs.tolist(), "trace": False})["output"])
            losses.append(float((g * y).sum()))
        grad[idx] = (losses[0] - losses[1]) / (2 * eps)
    return grad


def test_conv_grad_input_is_the_derivative_of_api_conv2d(client):
    rng = np.random.default_rng(7)
    body = {"input": rng.normal(size=(5, 4)).tolist(), "kernel": rng.normal(size=(3, 2)).tolist(),
            "strides": [2, 1], "padding": "same", "activation": "tanh"}
    g = rng.normal(size=post(client, "/api/conv2d", body)["output_shape"])
    mine = post(client, "/api/conv2d/backward", {**body, "grad_output": g.tolist()})["grad_input"]
    ref = numeric_grad(client, "/api/conv2d", body, g)
    assert np.allclose(mine, ref, atol=1e-6), f"mine {mine} vs finite differences {ref.tolist()}"


def test_pool_grad_input_is_the_derivative_of_api_pool(client):
    rng = np.random.default_rng(8)
    x = rng.permutation(30).reshape(5, 6) * 0.5     # distinct values: no ties, max is differentiable
    for mode in ("max", "average"):
        body = {"input": x.tolist(), "mode": mode, "pool_size": [3, 2], "strides": [2, 2], "padding": "same"}
        g = rng.normal(size=post(client, "/api/pool", body)["output_shape"])
        mine = post(client, "/api/pool/backward", {**body, "grad_output": g.tolist()})["grad_input"]
        ref = numeric_grad(client, "/api/pool", body, g)
        assert np.allclose(mine, ref, atol=1e-6), f"{mode}: mine {mine} vs finite differences {ref.tolist()}"


# ---- bad input: a 422 naming the field, a 415 for other media types -------------------------------------

BAD = [
    ("/api/conv2d/backward", {**LECTURE, "grad_output": [[1, 2]]}, "grad_output"),
    ("/api/conv2d/backward", {**LECTURE, "grad_output": [[1] * 4, [1, "x", 1, 1], [1] * 4, [1] * 4]},
     "grad_output.1.1"),
    ("/api/conv2d/backward", {**LECTURE, "grad_output": [[1] * 4, [1, 1, 1], [1] * 4, [1] * 4]}, "grad_output.1"),
    ("/api/conv2d/backward", {**LECTURE, "grad_output": [[1e12] * 4] * 4}, "grad_output"),
    ("/api/conv2d/backward", {**LECTURE, "grad_outputs": [[1]]}, "grad_outputs"),
    ("/api/conv2d/backward", {**LECTURE, "kernel": [[1, 2], [3]]}, "kernel.1"),
    ("/api/conv2d/backward", {**LECTURE, "strides": 9}, "strides"),
    ("/api/pool/backward", {"input": THEANO, "grad_output": [[1, 1, 1]] * 3}, "grad_output"),
    ("/api/pool/backward", {"input": THEANO, "mode": "min"}, "mode"),
    ("/api/pool/backward", {"input": THEANO, "pool_size": 6}, "pool_size", "pool_too_large"),
    ("/api/conv2d_transpose", {"input": [[1, 2]], "kernel": [[1]], "strides": 2, "output_padding": 2},
     "output_padding"),
    ("/api/conv2d_transpose", {"input": [[1, 2]], "kernel": [[1]], "strides": [2, 3], "output_padding": [1, 3]},
     "output_padding.1"),
    ("/api/conv2d_transpose", {"input": [[1, 2]], "kernel": [[1]], "padding": "full"}, "padding"),
    ("/api/conv2d_transpose", {"input": [[1, 2]], "kernel": [[1]], "strides": 2, "dilation_rate": 2}, "dilation_rate",
     "strides_with_dilation"),
    ("/api/conv2d_transpose", {"input": [[[1, 2]]], "kernel": np.ones((1, 1, 1, 1)).tolist()}, "kernel"),
    ("/api/conv2d_transpose", {"input": [[1, 2]]}, "kernel"),
    ("/api/conv2d_transpose", {"input": np.ones((65, 1)).tolist(), "kernel": [[1]]}, "input"),
]


@pytest.mark.parametrize("case", BAD, ids=[f"{c[0]}:{c[2]}" for c in BAD])
def test_bad_input_is_a_422_naming_the_field(client, case):
    path, body, field, code = (*case, "invalid_request")[:4]
    assert assert_error(client.post(path, json=body), 422, field)["code"] == code


@pytest.mark.parametrize("path", ["/api/conv2d_transpose", "/api/conv2d/backward", "/api/pool/backward"])
def test_text_plain_is_a_415(client, path):
    r = client.post(path, content=json.dumps(LECTURE), headers={"content-type": "text/plain"})
    assert assert_error(r, 415, "content-type")["code"] == "unsupported_media_type"


def test_openapi_documents_the_backprop_steps(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"/api/conv2d_transpose", "/api/conv2d/backward", "/api/pool/backward"} <= set(spec["paths"])
    assert {"filter", "output_cells", "totals", "terms"} <= set(schemas["ScatterStep"]["properties"])
    assert {"forward_inputs", "argmax", "count"} <= set(schemas["PoolBackwardStep"]["properties"])
    op = schemas["Conv2DTransposeRequest"]["properties"]["output_padding"]
    assert "smaller than the stride" in json.dumps(op)
    grad = json.dumps(schemas["Conv2DBackwardRequest"]["properties"]["grad_output"])
    assert "65,536" in grad


# ---- the page's explanation quotes the API's numbers ----------------------------------------------------

def test_the_pages_explanation_quotes_the_apis_numbers(client):
    """/backprop explains why dL/dx is a transposed convolution with the lecture's numbers (static/i18n/backprop.*):
    every matrix and formula it quotes is what the API answers, in both languages."""
    root = Path(__file__).resolve().parents[2] / "static/i18n"
    ones = post(client, "/api/conv2d/backward", LECTURE)
    one_hot = post(client, "/api/conv2d/backward",
                   {**LECTURE, "grad_output": [[0] * 4, [0, 1, 0, 0], [0] * 4, [0] * 4]})
    steps = {tuple(s["index"]): s for s in ones["grad_input_trace"]["steps"]}
    forward = post(client, "/api/conv2d", LECTURE)["steps"][5]
    compact = lambda m: json.dumps(m, separators=(",", ":"))  # noqa: E731
    for lang in ("en", "zh-TW"):
        text = json.loads((root / f"backprop.{lang}.json").read_text(encoding="utf-8"))
        assert forward["formula"].removesuffix(" = 3 + 0 + 16 = 19") + " = 19" in text["bp.why_intro"], lang
        assert compact(one_hot["grad_input"]) in text["bp.why_1"], lang
        assert compact(ones["grad_input"]) in text["bp.why_2"], lang
        assert compact(ones["grad_input_trace"]["kernel"]) in text["bp.why_3"], lang
        assert steps[(2, 3)]["formula"] in text["bp.why_3"] and steps[(1, 1)]["formula"] in text["bp.why_3"], lang
        assert "8×8" in text["bp.why_3"] and len(ones["grad_input_trace"]["padded_grad_output"]) == 8
        assert "6×6" in text["bp.why_3"] and len(ones["grad_input_trace"]["full"]) == 6
