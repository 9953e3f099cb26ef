"""Conv2D's backward pass: JAX autodiff, float64 finite differences, the engine's nn backward, the loop, the
pictures (full convolution with the flipped kernel, correlation with dL/dy) and the lecture's numbers."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine.activations import activation
from app.engine.conv import conv2d, pad_input, run_conv2d
from app.engine.conv_backward import conv2d_backward, conv2d_backward_naive, run_conv2d_backward
from app.engine.errors import EngineError
from app.engine.limits import TRACE_MAX_NUMBERS, TRACE_MAX_STEPS
from app.engine.nn.conv import conv2d_backward as nn_conv2d_backward
from app.engine.nn.conv import conv2d_forward as nn_conv2d_forward
from app.engine.padding import resolve_padding
from app.engine.transpose import run_conv2d_transpose
from app.examples.conv import PADDING_INPUT, PADDING_KERNEL

FIXTURES = json.loads((Path(__file__).parents[1] / "data" / "backprop_fixtures.json").read_text())


def loss_fn(x, W, b, g, s, padding, d, act):
    pads = resolve_padding(padding, x.shape[:2], W.shape[:2], s, d)
    return float(np.sum(g * activation(act)(conv2d(pad_input(x, pads), W, s, d) + b)))


def finite_differences(f, a, eps=1e-6):
    grad = np.zeros(a.shape)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + eps
        up = f()
        a[idx] = old - eps
        down = f()
        a[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def _random_case(rng):
    h, w = int(rng.integers(2, 9)), int(rng.integers(2, 9))
    c, f = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    if rng.random() < 0.35:
        s, d = (1, 1), (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    else:
        s, d = (int(rng.integers(1, 4)), int(rng.integers(1, 4))), (1, 1)
    padding = ["valid", "same", "same", "full", int(rng.integers(0, 3)),
               [[int(v) for v in rng.integers(0, 3, size=2)], [int(v) for v in rng.integers(0, 3, size=2)]]][
        int(rng.integers(0, 6))]
    x, W, b = rng.normal(size=(h, w, c)), rng.normal(size=(kh, kw, c, f)), rng.normal(size=f)
    return x, W, b, s, d, padding


def _fits(x, W, s, d, padding):
    pads = resolve_padding(padding, x.shape[:2], W.shape[:2], s, d)
    hp, wp = x.shape[0] + pads.top + pads.bottom, x.shape[1] + pads.left + pads.right
    return hp >= (W.shape[0] - 1) * d[0] + 1 and wp >= (W.shape[1] - 1) * d[1] + 1


@pytest.mark.parametrize("n", range(len(FIXTURES["conv_grads"])))
def test_equals_jax_autodiff(n):
    case = FIXTURES["conv_grads"][n]
    cfg = case["config"]
    r = run_conv2d_backward(case["input"], case["kernel"], case["bias"], cfg["strides"], cfg["padding"],
                            cfg["dilation_rate"], cfg["activation"], trace=False, grad_output=case["grad_output"])
    for key in ("output", "grad_input", "grad_kernel", "grad_bias"):
        np.testing.assert_allclose(np.array(r[key]), np.array(case[key]), rtol=1e-10, atol=1e-12,
                                   err_msg=f"mine vs JAX, {key}, case {n} {cfg}")


def test_jax_fixtures_cover_asymmetric_same_strides_and_dilation():
    cases = FIXTURES["conv_grads"]
    pads = [run_conv2d(c["input"], c["kernel"], strides=c["config"]["strides"], padding=c["config"]["padding"],
                       dilation_rate=c["config"]["dilation_rate"], trace=False)["padding"] for c in cases]
    same = [(c, p) for c, p in zip(cases, pads, strict=True) if c["config"]["padding"] == "same"]
    assert any(p["bottom"] > p["top"] and max(c["config"]["strides"]) > 1 for c, p in same)
    assert any(p["right"] > p["left"] and max(c["config"]["dilation_rate"]) > 1 for c, p in same)
    assert any(p["bottom"] > p["top"] and p["right"] > p["left"] for c, p in same)
    assert any(max(c["config"]["dilation_rate"]) > 1 for c in cases)
    names = {c["config"]["padding"] for c in cases if isinstance(c["config"]["padding"], str)}
    assert {"valid", "same", "full"} <= names
    assert any(isinstance(c["config"]["padding"], list) for c in cases)
    assert {c["config"]["activation"] for c in cases} == {"linear", "relu", "sigmoid", "tanh"}


@pytest.mark.parametrize("seed", range(24))
def test_gradients_equal_finite_differences(seed):
    rng = np.random.default_rng(seed)
    x, W, b, s, d, padding = _random_case(rng)
    if not _fits(x, W, s, d, padding):
        return
    act = ["linear", "tanh", "sigmoid", "relu"][seed % 4]
    out_shape = np.shape(run_conv2d(x.tolist(), W.tolist(), b.tolist(), list(s), padding, list(d), act,
                                    trace=False)["output"])
    g = rng.normal(size=out_shape)
    r = run_conv2d_backward(x.tolist(), W.tolist(), b.tolist(), list(s), padding, list(d), act, trace=False,
                            grad_output=g.tolist())

    def loss():
        return loss_fn(x, W, b, g, s, padding, d, act)

    for key, arr in (("grad_input", x), ("grad_kernel", W), ("grad_bias", b)):
        np.testing.assert_allclose(np.array(r[key]), finite_differences(loss, arr), rtol=1e-5, atol=1e-6,
                                   err_msg=f"mine vs finite differences, {key}, seed {seed}, {s} {d} {padding} {act}")


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_naive_and_nn_backward_agree(seed):
    rng = np.random.default_rng(1000 + seed)
    x, W, b, s, d, padding = _random_case(rng)
    if not _fits(x, W, s, d, padding):
        return
    pads = resolve_padding(padding, x.shape[:2], W.shape[:2], s, d)
    xp = pad_input(x, pads)
    z = conv2d(xp, W, s, d)
    dz = rng.normal(size=z.shape)
    mine = conv2d_backward(xp, W, dz, s, d)
    ref = conv2d_backward_naive(xp, W, dz, s, d)
    for m, want, name in zip(mine, ref, ("dxp", "dW", "db"), strict=True):
        np.testing.assert_allclose(m, want, atol=1e-12, err_msg=f"mine vs reference, {name}, seed {seed}")
    _, cache = nn_conv2d_forward(x[None], W, b, s, padding, d)
    dx, dW, db = nn_conv2d_backward(dz[None], cache)
    h, w = x.shape[:2]
    np.testing.assert_allclose(mine[0][pads.top:pads.top + h, pads.left:pads.left + w], dx[0], atol=1e-12)
    np.testing.assert_allclose(mine[1], dW, atol=1e-12)
    np.testing.assert_allclose(mine[2], db, atol=1e-12)


@pytest.mark.parametrize("seed", range(24))
def test_traces_show_the_same_numbers(seed):
    rng = np.random.default_rng(2000 + seed)
    x, W, b, s, d, padding = _random_case(rng)
    if not _fits(x, W, s, d, padding):
        return
    act = ["linear", "relu"][seed % 2]
    r = run_conv2d_backward(x.tolist(), W.tolist(), b.tolist(), list(s), padding, list(d), act)
    dz = np.array(r["grad_pre_activation"])
    np.testing.assert_allclose(dz, np.array(r["grad_output"]) * np.array(r["activation_grad"]), atol=0)
    # dL/dx: the full convolution of the zero-inserted, padded dL/dz with the flipped kernel, then the crop
    t = r["grad_input_trace"]
    G, Wg, full = np.array(t["padded_grad_output"]), np.array(t["kernel"]), np.array(t["full"])
    np.testing.assert_array_equal(Wg, W[::-1, ::-1].transpose(0, 1, 3, 2))
    np.testing.assert_allclose(conv2d(G, Wg, (1, 1), d), full, atol=1e-12)
    cells = np.array(t["grad_output_cells"])
    np.testing.assert_array_equal(G[cells[..., 0], cells[..., 1]], dz)
    assert np.count_nonzero(G) == np.count_nonzero(dz)
    assert t["padding"]["top"] == (W.shape[0] - 1) * d[0] and t["padding"]["left"] == (W.shape[1] - 1) * d[1]
    crop = t["crop"]
    assert crop == r["padding"]
    np.testing.assert_allclose(full[crop["top"]:full.shape[0] - crop["bottom"],
                                    crop["left"]:full.shape[1] - crop["right"]], np.array(r["grad_input"]), atol=0)
    assert len(t["steps"]) == t["steps_total"] == full.size
    for step in t["steps"]:
        i, j, ch = step["index"]
        win = np.array(step["window"])
        np.testing.assert_array_equal(np.array(step["inputs"]).reshape(-1), G[win[:, 0], win[:, 1]].reshape(-1))
        assert step["value"] == pytest.approx(full[i, j, ch], abs=1e-12)
        assert "".join(step["terms"]) == step["formula"]
    # dL/dW: the padded input correlated with dL/dz
    xp = np.array(r["padded_input"])
    dW = np.array(r["grad_kernel"])
    kt = r["grad_kernel_trace"]
    assert len(kt["steps"]) == kt["steps_total"] == W.size
    for step in kt["steps"]:
        a, q, ch, k = step["index"]
        win = np.array(step["window"])
        np.testing.assert_array_equal(np.array(step["inputs"]).ravel(), xp[win[:, 0], win[:, 1], ch])
        np.testing.assert_array_equal(np.array(step["weights"]), dz[:, :, k])
        assert win[0].tolist() == [a * d[0], q * d[1]]
        assert step["value"] == pytest.approx(dW[a, q, ch, k], abs=1e-12)
        assert "".join(step["terms"]) == step["formula"]
    for step, db in zip(r["grad_bias_trace"]["steps"], r["grad_bias"], strict=True):
        assert step["value"] == db and step["inputs"] == dz[:, :, step["index"][0]].tolist()
        assert "".join(step["terms"]) == step["formula"]


@pytest.mark.parametrize("seed", range(30))
def test_grad_input_is_conv2d_transpose_of_grad_output(seed):
    """dL/dx of Conv2D (valid or same) is Keras' Conv2DTranspose of dL/dz with the same kernel, whenever an
    output_padding gives back the input's size."""
    rng = np.random.default_rng(3000 + seed)
    x, W, b, s, d, _ = _random_case(rng)
    padding = ["valid", "same"][seed % 2]
    if not _fits(x, W, s, d, padding):
        return
    out = run_conv2d(x.tolist(), W.tolist(), None, list(s), padding, list(d), trace=False)["output"]
    r = run_conv2d_backward(x.tolist(), W.tolist(), None, list(s), padding, list(d),
                            grad_output=rng.normal(size=np.shape(out)).tolist())
    dz = np.array(r["grad_pre_activation"])
    op = []
    for axis in (0, 1):
        big_k = (W.shape[axis] - 1) * d[axis] + 1
        base = (dz.shape[axis] - 1) * s[axis] + (big_k if padding == "valid" else big_k % 2)
        op.append(x.shape[axis] - base)
    if not all(0 <= o < st for o, st in zip(op, s, strict=True)):
        return
    t = run_conv2d_transpose(dz.tolist(), W.tolist(), strides=list(s), padding=padding, output_padding=op,
                             dilation_rate=list(d), trace=False)
    np.testing.assert_allclose(np.array(t["output"]), np.array(r["grad_input"]), atol=1e-12)


def test_lecture_padding_example_golden():
    r = run_conv2d_backward(PADDING_INPUT, PADDING_KERNEL, padding="same")
    assert r["output"] == [[2, 15, 19, 8], [15, 19, 15, 17], [6, 30, 22, 21], [12, 17, 8, 8]]
    assert r["grad_output"] == [[1] * 4] * 4
    assert r["grad_input"] == [[5, 8, 8, 4], [9, 14, 14, 9], [9, 14, 14, 9], [6, 8, 8, 5]]
    assert r["grad_kernel"] == [[16, 17, 14], [19, 21, 17], [18, 19, 15]]
    assert r["grad_bias"] == [16]
    t = r["grad_input_trace"]
    assert t["kernel"] == [[2, 3, 1], [0, 0, 2], [3, 1, 2]]
    assert t["padding"] == {"top": 2, "bottom": 2, "left": 2, "right": 2} and t["crop"] == r["padding"]
    assert t["padded_grad_output"][2] == [0, 0, 1, 1, 1, 1, 0, 0]
    assert t["full"][2] == [5, 9, 14, 14, 9, 5]
    step = t["steps"][7]  # dL/dx[0, 0], at [1, 1] of the padded input
    assert step["index"] == [1, 1] and step["value"] == 5
    assert step["formula"] == "(0×2 + 0×3 + 0×1) + (0×0 + 1×0 + 1×2) + (0×3 + 1×1 + 1×2) = 0 + 2 + 3 = 5"
    center = r["grad_kernel_trace"]["steps"][4]
    assert center["index"] == [1, 1] and center["value"] == 21
    assert center["formula"].endswith(" = 2 + 7 + 8 + 4 = 21")
    assert r["grad_bias_trace"]["steps"][0]["formula"] == " + ".join(["1"] * 16) + " = 16"


def test_lecture_example_with_a_one_hot_gradient_stamps_the_kernel():
    """dL/dy = 1 at a₁₁ only: dL/dx is the kernel itself on a₁₁'s window, dL/dW the input under it."""
    g = np.zeros((4, 4))
    g[1, 1] = 1
    r = run_conv2d_backward(PADDING_INPUT, PADDING_KERNEL, padding="same", grad_output=g.tolist())
    assert r["grad_input"] == [[2, 1, 3, 0], [2, 0, 0, 0], [1, 3, 2, 0], [0, 0, 0, 0]]
    assert r["grad_kernel"] == [[0, 0, 1], [0, 1, 6], [3, 3, 2]]


def test_tensorflow_same_padding_puts_the_extra_cell_bottom_right():
    x = np.arange(16.0).reshape(4, 4)
    r = run_conv2d_backward(x.tolist(), [[1, 2], [3, 4]], padding="same", strides=1)
    assert r["padding"] == {"top": 0, "bottom": 1, "left": 0, "right": 1}
    # every input cell is read by the output cell at its own position with W[0, 0] = 1, and so on
    assert r["grad_input"][0] == [1, 3, 3, 3] and r["grad_input"][3] == [4, 10, 10, 10]
    assert r["grad_kernel"] == [[120, 96], [114, 90]]


def test_shapes_follow_the_forward_call():
    r = run_conv2d_backward([[1, 2], [3, 4]], [[[[1, 2]]]])                   # 2-D input, (1, 1, 1, 2) kernel
    assert np.shape(r["grad_input"]) == (2, 2) and np.shape(r["grad_kernel"]) == (1, 1, 1, 2)
    assert np.shape(r["grad_output"]) == (2, 2, 2) and r["grad_bias"] == [4, 4]
    assert r["grad_input_trace"]["steps"][0]["index"] == [0, 0]
    assert r["grad_kernel_trace"]["steps"][1]["index"] == [0, 0, 0, 1]
    r3 = run_conv2d_backward(np.ones((3, 3, 2)).tolist(), np.ones((2, 2, 2, 1)).tolist())
    assert np.shape(r3["grad_input"]) == (3, 3, 2) and r3["grad_input_trace"]["steps"][0]["index"] == [0, 0, 0]


def test_trace_caps_and_trace_off():
    x = np.ones((40, 40, 4)).tolist()
    W = np.ones((3, 3, 4, 8)).tolist()
    r = run_conv2d_backward(x, W, padding="same")
    for name in ("grad_input_trace", "grad_kernel_trace"):
        t = r[name]
        assert t["steps_truncated"] and len(t["steps"]) <= TRACE_MAX_STEPS
        assert sum(np.size(s["products"]) for s in t["steps"]) <= TRACE_MAX_NUMBERS
    assert r["grad_kernel_trace"]["steps_total"] == 3 * 3 * 4 * 8
    assert len(r["grad_kernel_trace"]["steps"]) == TRACE_MAX_NUMBERS // (40 * 40)
    off = run_conv2d_backward(x, W, padding="same", trace=False)
    assert off["grad_input"] == r["grad_input"] and off["grad_input_trace"]["steps"] == []
    assert not off["grad_kernel_trace"]["steps_truncated"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"grad_output": [[1, 2]]}, "grad_output"),                          # output is 2×2
    ({"grad_output": [[[1], [1]], [[1], [1]]]}, "grad_output"),           # 3-D for a 2-D output
    ({"grad_output": [[1, 1], [1, float("inf")]]}, "grad_output"),
    ({"grad_output": [[1, 1], [1, "a"]]}, "grad_output.1.1"),
    ({"grad_output": [[1, 1, 1], [1, 1, 1]]}, "grad_output"),
    ({"kernel": [[[[1], [1]]]]}, "kernel"),                                # 2 input channels, input has 1
    ({"strides": 2, "dilation_rate": 2}, "dilation_rate"),
    ({"padding": "nope"}, "padding"),
    ({"activation": "elu"}, "activation"),
    ({"trace": "no"}, "trace"),
])
def test_bad_input_names_the_field(kwargs, field):
    body = {"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernel": [[1, 0], [0, 1]], **kwargs}
    with pytest.raises(EngineError) as err:
        run_conv2d_backward(**body)
    assert err.value.field == field
