"""Pooling's backward pass: JAX autodiff (ties included), float64 finite differences, the engine's nn max-pool
backward, the loop, the trace's running totals and argmax, the lecture's numbers."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.limits import TRACE_MAX_NUMBERS
from app.engine.nn.pool import maxpool2d_backward, maxpool2d_forward
from app.engine.padding import resolve_padding
from app.engine.pool import pool2d, run_pool
from app.engine.pool_backward import pool2d_backward, pool2d_backward_naive, run_pool_backward
from app.examples.conv import THEANO_INPUT

FIXTURES = json.loads((Path(__file__).parents[1] / "data" / "backprop_fixtures.json").read_text())


@pytest.mark.parametrize("n", range(len(FIXTURES["pool_grads"])))
def test_equals_jax_autodiff_ties_included(n):
    case = FIXTURES["pool_grads"][n]
    cfg = case["config"]
    r = run_pool_backward(case["input"], cfg["mode"], cfg["pool_size"], cfg["strides"], cfg["padding"],
                          trace=False, grad_output=case["grad_output"])
    np.testing.assert_allclose(np.array(r["output"]), np.array(case["output"]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.array(r["grad_input"]), np.array(case["grad_input"]), rtol=1e-12, atol=1e-12,
                               err_msg=f"mine vs JAX, case {n} {cfg}")


def test_jax_fixtures_have_ties_in_max_windows():
    cases = [c for c in FIXTURES["pool_grads"] if c["config"]["mode"] == "max"]
    tied = 0
    for c in cases:
        r = run_pool(c["input"], "max", c["config"]["pool_size"], c["config"]["strides"], c["config"]["padding"])
        tied += sum(1 for s in r["steps"] if list(s.get("inputs", s.get("values"))).count(s["value"]) > 1)
    assert tied > 20


def _random_case(rng, ties: bool):
    h, w, c = int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 4))
    p = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    x = rng.integers(0, 3, size=(h, w, c)).astype(float) if ties else rng.normal(size=(h, w, c))
    return x, p, s


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_matches_naive_loop(seed):
    rng = np.random.default_rng(seed)
    x, p, s = _random_case(rng, ties=seed % 2 == 0)
    padding, mode = ["valid", "same"][seed % 4 // 2], ["max", "average"][seed % 8 // 4]
    pads = resolve_padding(padding, x.shape[:2], p, s)
    if x.shape[0] + pads.top + pads.bottom < p[0] or x.shape[1] + pads.left + pads.right < p[1]:
        return
    dy = rng.normal(size=pool2d(x, mode, p, s, pads).shape)
    np.testing.assert_allclose(pool2d_backward(x, dy, mode, p, s, pads), pool2d_backward_naive(x, dy, mode, p, s, pads),
                               atol=1e-12, err_msg=f"mine vs reference, seed {seed}")


@pytest.mark.parametrize("seed", range(24))
def test_gradients_equal_finite_differences(seed):
    rng = np.random.default_rng(100 + seed)
    x, p, s = _random_case(rng, ties=False)          # no ties: max is differentiable there
    padding, mode = ["valid", "same"][seed % 2], ["max", "average"][seed % 4 // 2]
    pads = resolve_padding(padding, x.shape[:2], p, s)
    if x.shape[0] + pads.top + pads.bottom < p[0] or x.shape[1] + pads.left + pads.right < p[1]:
        return
    g = rng.normal(size=pool2d(x, mode, p, s, pads).shape)
    r = run_pool_backward(x.tolist(), mode, list(p), list(s), padding, trace=False, grad_output=g.tolist())
    eps = 1e-6
    fd = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        fd[idx] = (np.sum(g * pool2d(up, mode, p, s, pads)) - np.sum(g * pool2d(down, mode, p, s, pads))) / (2 * eps)
    np.testing.assert_allclose(np.array(r["grad_input"]), fd, rtol=1e-6, atol=1e-7,
                               err_msg=f"mine vs finite differences, seed {seed}")


@pytest.mark.parametrize("seed", range(16))
def test_max_matches_the_nn_layer_backward(seed):
    rng = np.random.default_rng(200 + seed)
    x, p, s = _random_case(rng, ties=True)
    if x.shape[0] < p[0] or x.shape[1] < p[1]:
        return
    y, cache = maxpool2d_forward(x[None], p, s)
    dy = rng.normal(size=y.shape)
    r = run_pool_backward(x.tolist(), "max", list(p), list(s), "valid", trace=False, grad_output=dy[0].tolist())
    np.testing.assert_allclose(np.array(r["grad_input"]), maxpool2d_backward(dy, cache)[0], atol=0)


@pytest.mark.parametrize("seed", range(24))
def test_trace_routes_to_the_forward_argmax_and_accumulates(seed):
    rng = np.random.default_rng(300 + seed)
    x, p, s = _random_case(rng, ties=True)
    padding, mode = ["valid", "same"][seed % 2], ["max", "average"][seed % 4 // 2]
    pads = resolve_padding(padding, x.shape[:2], p, s)
    if x.shape[0] + pads.top + pads.bottom < p[0] or x.shape[1] + pads.left + pads.right < p[1]:
        return
    g = np.round(rng.normal(size=pool2d(x, mode, p, s, pads).shape), 2)
    r = run_pool_backward(x.tolist(), mode, list(p), list(s), padding, grad_output=g.tolist())
    forward = run_pool(x.tolist(), mode, list(p), list(s), padding)
    dx = np.array(r["grad_input"])
    grid = np.zeros((x.shape[0] + pads.top + pads.bottom, x.shape[1] + pads.left + pads.right, x.shape[2]))
    assert len(r["steps"]) == len(forward["steps"]) == r["steps_total"]
    for step, fwd in zip(r["steps"], forward["steps"], strict=True):
        i, j, ch = step["index"]
        assert step["index"] == fwd["index"] and step["window"] == fwd["window"]
        assert step["forward_inputs"] == fwd.get("inputs", fwd.get("values"))
        assert step["value"] == g[i, j, ch]
        real = [k for k, v in enumerate(step["forward_inputs"]) if v is not None]
        if mode == "max":
            assert step["argmax"] == fwd["argmax"]
            win = step["window"].index(step["argmax"])
            assert [step["weights"][k] for k in real] == [1 if k == win else 0 for k in real]
        else:
            assert step["count"] == fwd["count"] == len(real)
            assert all(step["weights"][k] == pytest.approx(1 / len(real)) for k in real)
        for k, cell in enumerate(step["window"]):
            if k not in real:
                assert step["weights"][k] is step["products"][k] is step["inputs"][k] is step["totals"][k] is None
                continue
            assert step["products"][k] == pytest.approx(step["value"] * step["weights"][k], abs=1e-12)
            assert step["inputs"][k] == grid[cell[0], cell[1], ch]
            grid[cell[0], cell[1], ch] += step["products"][k]
            assert step["totals"][k] == grid[cell[0], cell[1], ch]
        assert "".join(step["terms"]) == step["formula"] and len(step["terms"]) == len(real) + 1
    np.testing.assert_allclose(grid[pads.top:pads.top + x.shape[0], pads.left:pads.left + x.shape[1]], dx, atol=1e-12)


def test_lecture_max_pooling_golden():
    r = run_pool_backward(THEANO_INPUT, "max", 2)
    assert r["output"] == [[3, 3], [3, 2]]
    # the first 3 of [[3, 3], [0, 0]] wins the tie; the last row and column are in no window
    assert r["grad_input"] == [[1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [1, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    first = r["steps"][0]
    assert first["argmax"] == [0, 0] and first["forward_inputs"] == [3, 3, 0, 0]
    assert first["weights"] == [1, 0, 0, 0] and first["totals"] == [1, 0, 0, 0]
    assert first["formula"] == "0 + 1×1 = 1, 0 + 1×0 = 0, 0 + 1×0 = 0, 0 + 1×0 = 0"
    assert first["terms"] == ["0 + 1×1", " = 1, 0 + 1×0", " = 0, 0 + 1×0", " = 0, 0 + 1×0", " = 0"]


def test_lecture_overlapping_max_windows_accumulate():
    r = run_pool_backward(THEANO_INPUT, "max", 2, strides=1)
    # the 3 at (1, 3) wins all four windows around it
    assert r["grad_input"][1][3] == 4
    assert r["grad_input"] == [[1, 1, 0, 0, 0], [0, 0, 0, 4, 0], [2, 0, 3, 0, 1], [1, 1, 0, 2, 0], [0, 0, 0, 0, 0]]
    last_hit = [s for s in r["steps"] if [1, 3] in s["window"] and s["argmax"] == [1, 3]][-1]
    k = last_hit["window"].index([1, 3])
    assert last_hit["inputs"][k] == 3 and last_hit["totals"][k] == 4


def test_lecture_average_same_padding_counts_only_real_cells():
    r = run_pool_backward(THEANO_INPUT, "average", 2, padding="same")
    assert r["grad_input"][0] == [0.25, 0.25, 0.25, 0.25, 0.5]
    assert r["grad_input"][4] == [0.5, 0.5, 0.5, 0.5, 1]
    corner = r["steps"][-1]
    assert corner["forward_inputs"] == [1, None, None, None] and corner["count"] == 1
    assert corner["weights"] == [1, None, None, None] and corner["formula"] == "0 + 1×1 = 1"
    assert r["steps"][0]["formula"] == "0 + 1×0.25 = 0.25, 0 + 1×0.25 = 0.25, 0 + 1×0.25 = 0.25, 0 + 1×0.25 = 0.25"


def test_negative_values_never_lose_to_padding():
    r = run_pool_backward([[-1, -2, -3]], "max", 2, padding="same", grad_output=[[5, 7]])
    assert r["grad_input"] == [[5, 0, 7]] and r["steps"][1]["argmax"] == [0, 2]


def test_shapes_caps_and_trace_off():
    x = np.ones((64, 64, 3)).tolist()
    r = run_pool_backward(x, "average", 1)
    assert r["steps_truncated"] and len(r["steps"]) == 10_000 and r["steps_total"] == 64 * 64 * 3
    assert np.shape(r["grad_input"]) == (64, 64, 3)
    big = run_pool_backward(x, "max", 11, strides=1)
    assert sum(len(s["products"]) for s in big["steps"]) <= TRACE_MAX_NUMBERS
    off = run_pool_backward(x, "max", 2, trace=False)
    assert off["steps"] == [] and not off["steps_truncated"]
    assert run_pool_backward([[1, 2], [3, 4]], "max", 2)["steps"][0]["index"] == [0, 0]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"grad_output": [[1, 2]]}, "grad_output"),
    ({"grad_output": [[[1]]]}, "grad_output"),
    ({"grad_output": [[float("nan")]]}, "grad_output"),
    ({"grad_output": [[True]]}, "grad_output.0.0"),
    ({"grad_output": "1"}, "grad_output"),
    ({"mode": "min"}, "mode"),
    ({"pool_size": 0}, "pool_size"),
    ({"pool_size": 3}, "pool_size"),
    ({"padding": "full"}, "padding"),
    ({"trace": 1}, "trace"),
])
def test_bad_input_names_the_field(kwargs, field):
    body = {"input": [[1, 2], [3, 4]], "mode": "max", "pool_size": 2, **kwargs}
    with pytest.raises(EngineError) as err:
        run_pool_backward(**body)
    assert err.value.field == field
