"""Conv2DTranspose: Keras' numbers, the definition's loop, the scatter and gather pictures, caps and errors."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine.activations import activation
from app.engine.conv import conv2d, conv2d_naive, run_conv2d
from app.engine.errors import EngineError
from app.engine.limits import CONV_MAX_GRID, TRACE_MAX_NUMBERS, TRACE_MAX_STEPS
from app.engine.transpose import (
    conv2d_transpose,
    conv2d_transpose_gather,
    conv2d_transpose_naive,
    gather_kernel,
    output_length,
    run_conv2d_transpose,
    transpose_axis,
    zero_insert,
)
from app.examples.conv import PADDING_INPUT, PADDING_KERNEL

FIXTURES = json.loads((Path(__file__).parents[1] / "data" / "backprop_fixtures.json").read_text())

# Keras 3.15.1 (JAX) Conv2DTranspose(1, 3, padding="same", use_bias=False) on the lecture's padding example
LECTURE_OUTPUT = [[2, 15, 11, 18], [11, 29, 15, 11], [8, 20, 24, 19], [12, 21, 14, 4]]


def _keras_kwargs(case):
    cfg = case["config"]
    return {"bias": case["bias"], "strides": cfg["strides"], "padding": cfg["padding"],
            "output_padding": cfg["output_padding"], "dilation_rate": cfg["dilation_rate"],
            "activation": cfg["activation"]}


@pytest.mark.parametrize("n", range(len(FIXTURES["transpose"])))
def test_equals_keras_conv2d_transpose(n):
    case = FIXTURES["transpose"][n]
    want64 = np.array(case["keras_float64"])
    want32 = np.array(case["keras_float32"])
    if 0 in case["output_shape"]:  # Keras returns an empty tensor; the engine says why
        with pytest.raises(EngineError) as err:
            run_conv2d_transpose(case["input"], case["kernel"], **_keras_kwargs(case))
        assert err.value.field == "output_padding"
        return
    r = run_conv2d_transpose(case["input"], case["kernel"], **_keras_kwargs(case), trace=False)
    mine = np.array(r["output"])
    assert r["output_shape"] == case["output_shape"]
    # Keras' float64 tanh and sigmoid (XLA's CPU kernels) agree with NumPy's to about 1e-7, the rest to the last bits
    tol = 1e-6 if case["config"]["activation"] in ("tanh", "sigmoid") else 1e-12
    np.testing.assert_allclose(mine, want64, rtol=tol, atol=tol, err_msg=f"mine vs Keras float64, case {n}")
    np.testing.assert_allclose(mine, want32, rtol=1e-5, atol=1e-5, err_msg=f"mine vs Keras float32, case {n}")


def test_fixtures_cover_what_they_claim():
    cfgs = [c["config"] for c in FIXTURES["transpose"]]
    assert {c["padding"] for c in cfgs} == {"valid", "same"}
    assert any(max(c["strides"]) > 1 and c["output_padding"] and max(c["output_padding"]) > 0 for c in cfgs)
    assert any(max(c["dilation_rate"]) > 1 for c in cfgs)
    assert any(c["c"] > 1 and c["f"] > 1 for c in cfgs)
    assert {c["activation"] for c in cfgs} == {"linear", "relu", "sigmoid", "tanh"}
    assert FIXTURES["keras"].startswith("3.")


def test_lecture_padding_example_golden():
    r = run_conv2d_transpose(PADDING_INPUT, PADDING_KERNEL, padding="same")
    assert r["output"] == LECTURE_OUTPUT and r["output_shape"] == [4, 4]
    keras_case = FIXTURES["transpose"][0]
    assert np.array(keras_case["input"])[:, :, 0].tolist() == PADDING_INPUT
    assert np.array(keras_case["kernel"])[:, :, 0, 0].tolist() == PADDING_KERNEL
    assert np.array(keras_case["keras_float64"])[:, :, 0].tolist() == LECTURE_OUTPUT
    # with stride 1 it is the Conv2D of the same input with the kernel turned by 180°
    flipped = np.array(PADDING_KERNEL)[::-1, ::-1].tolist()
    assert run_conv2d(PADDING_INPUT, flipped, padding="same")["output"] == LECTURE_OUTPUT
    gather = r["gather"]
    assert gather["kernel"] == [[2, 3, 1], [0, 0, 2], [3, 1, 2]]
    assert gather["padding"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    assert gather["padded_input"][2] == [0, 0, 1, 6, 0, 0]
    step = gather["steps"][5]
    assert step["index"] == [1, 1] and step["value"] == 29
    assert step["formula"] == "(0×2 + 0×3 + 1×1) + (0×0 + 1×0 + 6×2) + (3×3 + 3×1 + 2×2) = 1 + 12 + 16 = 29"
    scatter = r["scatter"]
    assert scatter["crop"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    six = scatter["steps"][6]  # the 6 at row 1, column 2 stamps 6 × kernel
    assert six["index"] == [1, 2] and six["value"] == 6 and six["filter"] == 0
    assert six["products"] == [[12, 6, 18], [12, 0, 0], [6, 18, 12]]
    assert six["formula"].startswith("3 + 6×2 = 15, 5 + 6×1 = 11, 0 + 6×3 = 18, ")
    assert six["output_cells"][0] == [0, 1] and six["window"][0] == [1, 2]
    assert scatter["steps"][0]["output_cells"][0] is None  # the top-left stamp cell is cropped away


def test_stride_two_stamps_without_overlap():
    r = run_conv2d_transpose([[1, 2], [3, 4]], [[1, 1], [1, 1]], strides=2)
    assert r["output"] == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    assert r["gather"]["padded_input"] == [[0, 0, 0, 0, 0], [0, 1, 0, 2, 0], [0, 0, 0, 0, 0], [0, 3, 0, 4, 0],
                                           [0, 0, 0, 0, 0]]
    assert r["gather"]["input_cells"] == [[[1, 1], [1, 3]], [[3, 1], [3, 3]]]


@pytest.mark.parametrize("n", range(1, 9))
@pytest.mark.parametrize("k", range(1, 6))
@pytest.mark.parametrize("s", range(1, 4))
def test_output_length_is_keras_deconv_output_length(n, k, s):
    for d in ([1, 2, 3] if s == 1 else [1]):
        for padding in ("valid", "same"):
            for op in [None, *range(s)]:
                axis = transpose_axis(n, k, s, d, padding, op)
                assert axis.out == output_length(n, k, padding, op, s, d)
                assert 0 <= axis.lo <= axis.extent - 1 and axis.hi >= 0 and axis.crop >= 0
                assert axis.crop + axis.out <= axis.canvas


def _random_case(rng):
    h, w, c, f = (int(v) for v in rng.integers(1, 6, size=4))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    if rng.random() < 0.3:
        s, d = (1, 1), (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    else:
        s, d = (int(rng.integers(1, 4)), int(rng.integers(1, 4))), (1, 1)
    padding = ["valid", "same"][int(rng.integers(0, 2))]
    op = None if rng.random() < 0.4 else (int(rng.integers(0, s[0])), int(rng.integers(0, s[1])))
    gh = transpose_axis(h, kh, s[0], d[0], padding, None if op is None else op[0])
    gw = transpose_axis(w, kw, s[1], d[1], padding, None if op is None else op[1])
    x = np.round(rng.normal(size=(h, w, c)) * 3, 2)
    W = np.round(rng.normal(size=(kh, kw, f, c)) * 2, 2)
    return x, W, s, d, padding, op, gh, gw


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_naive_and_gather_agree(seed):
    x, W, s, d, padding, op, gh, gw = _random_case(np.random.default_rng(seed))
    if gh.out < 1 or gw.out < 1:
        return
    ref = conv2d_transpose_naive(x, W, gh, gw)
    np.testing.assert_allclose(conv2d_transpose(x, W, gh, gw), ref, atol=1e-12, err_msg=f"mine vs reference {seed}")
    np.testing.assert_allclose(conv2d_transpose_gather(x, W, gh, gw), ref, atol=1e-12, err_msg=f"gather {seed}")
    zi, Wg = zero_insert(x, gh, gw), gather_kernel(W)
    np.testing.assert_allclose(conv2d_naive(zi, Wg, (1, 1), d), ref, atol=1e-12, err_msg=f"gather loop {seed}")


@pytest.mark.parametrize("seed", range(30))
def test_scatter_and_gather_traces_agree_with_each_other_and_the_output(seed):
    rng = np.random.default_rng(100 + seed)
    x, W, s, d, padding, op, gh, gw = _random_case(rng)
    if gh.out < 1 or gw.out < 1:
        return
    f = W.shape[2]
    b = np.round(rng.normal(size=f), 2)
    act = ["linear", "relu", "tanh", "sigmoid"][seed % 4]
    r = run_conv2d_transpose(x.tolist(), W.tolist(), b.tolist(), list(s), padding, None if op is None else list(op),
                             list(d), act)
    out = np.array(r["output"])
    pre = conv2d_transpose_naive(x, W, gh, gw) + b
    np.testing.assert_allclose(out, activation(act)(pre), atol=1e-12)
    scatter, gather = r["scatter"], r["gather"]
    assert not scatter["steps_truncated"] and not gather["steps_truncated"]
    # scatter: every stamp adds value × weights, the running totals end as the canvas, the crop is the output
    canvas = np.array(scatter["canvas"])
    landed = np.zeros(pre.shape)
    running = np.zeros(canvas.shape)
    for step in scatter["steps"]:
        i, j, ch = step["index"]
        k = step["filter"]
        assert step["value"] == x[i, j, ch]
        np.testing.assert_allclose(step["weights"], W[:, :, k, ch], atol=0)
        np.testing.assert_allclose(step["products"], x[i, j, ch] * W[:, :, k, ch], atol=1e-12)
        cells = np.array(step["window"])
        np.testing.assert_array_equal(np.array(step["inputs"]).ravel(), running[cells[:, 0], cells[:, 1], k])
        running[cells[:, 0], cells[:, 1], k] += np.array(step["products"]).ravel()
        np.testing.assert_array_equal(np.array(step["totals"]).ravel(), running[cells[:, 0], cells[:, 1], k])
        for cell, oc, p in zip(step["window"], step["output_cells"], np.ravel(step["products"]), strict=True):
            if oc is not None:
                assert oc == [cell[0] - scatter["crop"]["top"], cell[1] - scatter["crop"]["left"]]
                landed[oc[0], oc[1], k] += p
        assert "".join(step["terms"]) == step["formula"] and len(step["terms"]) == W.shape[0] * W.shape[1] + 1
    np.testing.assert_allclose(running, canvas, atol=1e-12)
    np.testing.assert_allclose(landed + b, pre, atol=1e-12, err_msg="scatter view vs output")
    crop = scatter["crop"]
    np.testing.assert_allclose(canvas[crop["top"]:canvas.shape[0] - crop["bottom"],
                                      crop["left"]:canvas.shape[1] - crop["right"]] + b, pre, atol=1e-12)
    # gather: a Conv2D over the zero-inserted, padded input with the flipped kernel
    zi = np.array(gather["padded_input"])
    assert zi.shape == (gh.lo + (x.shape[0] - 1) * s[0] + 1 + gh.hi, gw.lo + (x.shape[1] - 1) * s[1] + 1 + gw.hi,
                        x.shape[2])
    cells = np.array(gather["input_cells"])
    np.testing.assert_array_equal(zi[cells[..., 0], cells[..., 1]], x)
    assert np.count_nonzero(zi) == np.count_nonzero(x)
    Wg = np.array(gather["kernel"])
    np.testing.assert_allclose(conv2d(zi, Wg, (1, 1), d) + b, pre, atol=1e-12, err_msg="gather view vs output")
    assert len(gather["steps"]) == pre.size
    for step in gather["steps"]:
        i, j, k = step["index"]
        win = np.array(step["window"])
        under = zi[win[:, 0], win[:, 1]]
        np.testing.assert_array_equal(np.array(step["inputs"]), under.reshape(np.shape(step["inputs"])))
        assert step["pre_activation"] == pytest.approx(pre[i, j, k], abs=1e-12)
        assert step["value"] == pytest.approx(out[i, j, k], abs=1e-12)
        assert "".join(step["terms"]) == step["formula"]


def test_two_dimensional_in_and_out_and_filters():
    r = run_conv2d_transpose([[1, 2], [3, 4]], [[1, 0], [0, 1]], strides=1, trace=True)
    assert r["output_shape"] == [3, 3] and r["output"] == [[1, 2, 0], [3, 5, 2], [0, 3, 4]]
    assert np.array(r["scatter"]["canvas"]).ndim == 2 and r["scatter"]["steps"][0]["index"] == [0, 0]
    assert r["gather"]["steps"][0]["index"] == [0, 0]
    two = run_conv2d_transpose([[1, 2], [3, 4]], [[[[1]], [[0]]], [[[0]], [[1]]]])  # (2, 2, 1, 1): 3-D output
    assert two["output_shape"] == [3, 3, 1] and two["gather"]["steps"][0]["index"] == [0, 0, 0]
    many = run_conv2d_transpose([[1, 2], [3, 4]], np.ones((2, 2, 3, 1)).tolist())
    assert many["output_shape"] == [3, 3, 3] and many["output"][1][1] == [10, 10, 10]


def test_trace_caps_and_trace_off():
    x = np.ones((32, 32, 2)).tolist()
    W = np.ones((5, 5, 4, 2)).tolist()
    r = run_conv2d_transpose(x, W, strides=2)
    for view in ("scatter", "gather"):
        t = r[view]
        assert t["steps_truncated"] and len(t["steps"]) < t["steps_total"] and len(t["steps"]) <= TRACE_MAX_STEPS
        assert sum(np.size(s["products"]) for s in t["steps"]) <= TRACE_MAX_NUMBERS
    assert r["scatter"]["steps_total"] == 32 * 32 * 2 * 4 and r["gather"]["steps_total"] == 67 * 67 * 4
    off = run_conv2d_transpose(x, W, strides=2, trace=False)
    assert off["scatter"]["steps"] == [] and not off["gather"]["steps_truncated"] and off["output"] == r["output"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"input": [[1]], "kernel": [[[[1]]]], "bias": [1, 2]}, "bias"),
    ({"input": [[[1, 2]]], "kernel": [[[[1]]]]}, "kernel"),              # kernel's in_channels (axis 3) 1, input 2
    ({"input": [[1]], "kernel": [[1]], "strides": 2, "output_padding": 2}, "output_padding"),
    ({"input": [[1]], "kernel": [[1]], "strides": [2, 3], "output_padding": [1, 3]}, "output_padding.1"),
    ({"input": [[1]], "kernel": [[1]], "output_padding": 1}, "output_padding"),    # stride 1: output_padding 0
    ({"input": [[1]], "kernel": [[1]], "output_padding": -1}, "output_padding"),
    ({"input": [[1]], "kernel": [[1]], "strides": 2, "dilation_rate": 2}, "dilation_rate"),
    ({"input": [[1]], "kernel": [[1]], "strides": [1, 2], "dilation_rate": [2, 1]}, "dilation_rate"),
    ({"input": [[1]], "kernel": [[1]], "padding": "full"}, "padding"),
    ({"input": [[1]], "kernel": [[1]], "padding": 1}, "padding"),
    ({"input": [[1]], "kernel": [[1]], "activation": "softmax"}, "activation"),
    ({"input": [[1]], "kernel": [[1]], "trace": "yes"}, "trace"),
    ({"input": [[1]], "kernel": [[1]], "strides": 0}, "strides"),
    ({"input": [[1, 2], [3]], "kernel": [[1]]}, "input.1"),
    ({"input": [[1]], "kernel": [[float("nan")]]}, "kernel"),
    ({"input": [[1]], "kernel": [[1, 1]], "padding": "same", "output_padding": 0}, "output_padding"),  # 1×0 output
    ({"input": np.ones((64, 64)).tolist(), "kernel": [[1]], "strides": 8}, "input"),          # output cap
    ({"input": np.ones((64, 64, 8)).tolist(), "kernel": np.ones((1, 1, 1, 8)).tolist(), "strides": 3}, "input"),
    ({"input": [[1e9]], "kernel": [[1e9]], "activation": "linear", "bias": [1e9]}, None),     # fine: 1e18 is finite
])
def test_bad_input_names_the_field(kwargs, field):
    if field is None:
        assert run_conv2d_transpose(**kwargs)["output"] == [[1e18 + 1e9]]
        return
    with pytest.raises(EngineError) as err:
        run_conv2d_transpose(**kwargs)
    assert err.value.field == field


def test_grid_cap_counts_the_zero_inserted_input():
    # 64×64×8 at stride 3: output 192×192×1 = 36,864 numbers (allowed), but 190×190×8 = 288,800 > the grid cap
    with pytest.raises(EngineError) as err:
        run_conv2d_transpose(np.ones((64, 64, 8)).tolist(), np.ones((1, 1, 1, 8)).tolist(), strides=3)
    assert str(CONV_MAX_GRID) in err.value.rule.replace(",", "")
