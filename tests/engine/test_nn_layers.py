"""Every layer's backward against float64 central differences; conv and pool against naive loops."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.nn import (
    Adam,
    Sequential,
    conv,
    conv2d_backward,
    conv2d_forward,
    conv2d_naive,
    dense_backward,
    dense_forward,
    dropout_backward,
    dropout_forward,
    flatten_backward,
    flatten_forward,
    maxpool2d_backward,
    maxpool2d_forward,
    maxpool2d_infer,
    maxpool2d_naive,
    relu_backward,
    relu_forward,
    softmax,
    softmax_ce_backward,
    softmax_ce_forward,
)
from app.engine.nn.conv import col2im, conv2d_infer, im2col


def numeric_grad(f, a, eps=1e-6):
    """∂f/∂a by central differences; f() reads `a`, which is perturbed in place and restored."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + eps
        fp = f()
        a[i] = old - eps
        fm = f()
        a[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def assert_close(mine, ref, what, tol=1e-6):
    err = np.abs(mine - ref).max() / max(1.0, np.abs(ref).max())
    assert err < tol, f"{what}: mine vs reference differ by {err:.2e}"


CONV_CASES = [
    # (H, W, C, F, kh, kw, strides, padding, dilation)
    (6, 5, 2, 3, 3, 3, (1, 1), "valid", (1, 1)),
    (7, 6, 3, 2, 3, 3, (2, 2), "same", (1, 1)),
    (6, 7, 2, 3, 2, 3, (2, 1), "valid", (1, 1)),
    (5, 5, 1, 2, 5, 5, (1, 1), "same", (1, 1)),
    (7, 7, 2, 2, 3, 3, (1, 1), [[1, 0], [2, 1]], (1, 1)),
    (8, 8, 2, 2, 3, 3, (1, 1), "same", (2, 2)),
    # C ≥ 4: the positions-major patch matrix (C ≤ 3 above: tap-major, bias inside the matmul)
    (6, 6, 5, 3, 3, 3, (1, 1), "valid", (1, 1)),
    (7, 8, 4, 2, 3, 2, (2, 1), "same", (1, 1)),
    (9, 9, 6, 3, 3, 3, (1, 2), [[0, 2], [1, 1]], (2, 1)),
    # stride 1 and H·W·F ≤ 1.5·oh·ow·C: dx as a convolution of dy (conv._dx_stride1); uneven padding, dilation, 3×1
    (6, 7, 4, 4, 2, 3, (1, 1), [[2, 0], [1, 2]], (2, 1)),
    (5, 6, 3, 2, 3, 1, (1, 1), "same", (1, 3)),
    (6, 6, 3, 2, 5, 5, (1, 1), "valid", (1, 1)),   # F ≤ C, but a 2×2 output: col2im
]


def test_the_conv_cases_take_both_ways_to_dx(monkeypatch):
    calls = []
    real = conv._dx_stride1
    monkeypatch.setattr(conv, "_dx_stride1", lambda *a: calls.append(a) or real(*a))
    rng = np.random.default_rng(3)
    ways = []
    for h, w, c, f, kh, kw, strides, padding, dilation in CONV_CASES:
        y, cache = conv2d_forward(rng.standard_normal((2, h, w, c)), rng.standard_normal((kh, kw, c, f)),
                                  rng.standard_normal(f), strides, padding, dilation)
        before = len(calls)
        conv2d_backward(rng.standard_normal(y.shape), cache)
        ways.append(len(calls) - before)
    assert ways == [0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_forward_matches_naive_loop(case):
    h, w, c, f, kh, kw, strides, padding, dilation = case
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((2, h, w, c)), rng.standard_normal((kh, kw, c, f)), rng.standard_normal(f)
    y, _ = conv2d_forward(x, W, b, strides, padding, dilation)
    ref = conv2d_naive(x, W, b, strides, padding, dilation)
    assert y.shape == ref.shape
    assert_close(y, ref, f"conv forward {case}", 1e-12)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_infer_matches_the_loop_and_each_sample_alone_bit_for_bit(case):
    h, w, c, f, kh, kw, strides, padding, dilation = case
    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal((3, h, w, c)), rng.standard_normal((kh, kw, c, f)), rng.standard_normal(f)
    y = conv2d_infer(x, W, b, strides, padding, dilation)
    assert_close(y, conv2d_naive(x, W, b, strides, padding, dilation), f"conv infer {case}", 1e-12)
    for i in range(3):
        alone = x[i:i + 1]
        np.testing.assert_array_equal(y[i:i + 1], conv2d_infer(alone, W, b, strides, padding, dilation))
        np.testing.assert_array_equal(y[i:i + 1], conv2d_forward(alone, W, b, strides, padding, dilation)[0])


@pytest.mark.parametrize("shape", [(28, 28, 1, 32, 5), (12, 12, 32, 32, 3), (10, 10, 32, 64, 3), (9, 7, 5, 3, 3)])
def test_conv_infer_gives_a_sample_the_same_bits_in_any_batch(shape):
    """BLAS sums a row in an order that depends on the matrix's row count and the row's place in it:
    one batch-wide matmul gives a sample different last bits in different batches; conv2d_infer does not."""
    h, w, c, f, k = shape
    rng = np.random.default_rng(2)
    x = rng.standard_normal((7, h, w, c)).astype(np.float32)
    W, b = rng.standard_normal((k, k, c, f)).astype(np.float32), rng.standard_normal(f).astype(np.float32)
    alone = np.concatenate([conv2d_infer(x[i:i + 1], W, b) for i in range(7)])
    for size in (2, 3, 7):
        batched = np.concatenate([conv2d_infer(x[i:i + size], W, b) for i in range(0, 7, size)])
        np.testing.assert_array_equal(batched, alone)
    order = rng.permutation(7)
    np.testing.assert_array_equal(conv2d_infer(x[order], W, b), alone[order])


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_backward_finite_differences(case):
    h, w, c, f, kh, kw, strides, padding, dilation = case
    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal((2, h, w, c)), rng.standard_normal((kh, kw, c, f)), rng.standard_normal(f)
    y, cache = conv2d_forward(x, W, b, strides, padding, dilation)
    dy = rng.standard_normal(y.shape)
    dy_before = dy.copy()
    dx, dW, db = conv2d_backward(dy, cache)
    np.testing.assert_array_equal(dy, dy_before)  # the incoming gradient is never written to

    def loss():
        return float((conv2d_forward(x, W, b, strides, padding, dilation)[0] * dy).sum())

    assert_close(dx, numeric_grad(loss, x), "conv dx")
    assert_close(dW, numeric_grad(loss, W), "conv dW")
    assert_close(db, numeric_grad(loss, b), "conv db")


@pytest.mark.parametrize("c", [1, 6])
def test_conv_in_many_blocks_equals_one_block(monkeypatch, c):
    # a batch split into blocks of one or two samples gives the same y, dx, dW, db as one block
    rng = np.random.default_rng(9)
    x, W, b = rng.standard_normal((5, 7, 6, c)), rng.standard_normal((3, 3, c, 4)), rng.standard_normal(4)
    y, cache = conv2d_forward(x, W, b, (1, 1), "same")
    dy = rng.standard_normal(y.shape)
    grads = conv2d_backward(dy, cache)
    monkeypatch.setattr(conv, "BLOCK_FLOATS", 7 * 6 * (9 * c + 1) + 1)  # one or two samples a block
    assert len(conv._blocks(5, 7 * 6 * (9 * c + 1))) == 5
    y_small, cache_small = conv2d_forward(x, W, b, (1, 1), "same")
    assert_close(y_small, conv2d_naive(x, W, b, (1, 1), "same"), "blocked forward vs naive", 1e-12)
    for mine, ref, what in zip(conv2d_backward(dy, cache_small), grads, ("dx", "dW", "db"), strict=True):
        assert_close(mine, ref, f"blocked {what}", 1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    # <im2col(x), d> == <x, col2im(d)> for any x, d: the definition of the backward scatter
    rng = np.random.default_rng(8)
    for strides, dilation in (((1, 1), (1, 1)), ((2, 1), (1, 1)), ((1, 1), (2, 2))):
        x = rng.standard_normal((2, 9, 8, 3))
        kh, kw = 3, 2
        oh = (9 - (kh - 1) * dilation[0] - 1) // strides[0] + 1
        ow = (8 - (kw - 1) * dilation[1] - 1) // strides[1] + 1
        cols = im2col(x, kh, kw, oh, ow, strides, dilation)
        d = rng.standard_normal(cols.shape)
        lhs = float((cols * d).sum())
        rhs = float((x * col2im(d, x.shape, strides, dilation)).sum())
        assert lhs == pytest.approx(rhs, rel=1e-12)


def test_conv_golden_numbers():
    # 3×3 input 1..9, 2×2 kernel [[1, 0], [0, -1]]: y = x[i, j] - x[i+1, j+1] = -4 everywhere, + bias 1
    x = np.arange(1, 10, dtype=np.float64).reshape(1, 3, 3, 1)
    W = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)
    y, _ = conv2d_forward(x, W, np.array([1.0]))
    np.testing.assert_array_equal(y[0, :, :, 0], [[-3.0, -3.0], [-3.0, -3.0]])
    y_same, _ = conv2d_forward(x, W, np.array([0.0]), padding="same")  # TF pads bottom/right
    assert y_same.shape == (1, 3, 3, 1)
    assert y_same[0, 2, 2, 0] == 9.0 and y_same[0, 0, 2, 0] == 3.0 - 0.0 and y_same[0, 0, 0, 0] == 1.0 - 5.0


def test_conv_float32_stays_float32_and_rejects_channel_mismatch():
    x = np.ones((1, 5, 5, 2), np.float32)
    y, cache = conv2d_forward(x, np.ones((3, 3, 2, 4), np.float32), np.zeros(4, np.float32))
    assert y.dtype == np.float32 and y[0, 0, 0, 0] == 18.0
    dx, dW, db = conv2d_backward(np.ones_like(y), cache)
    assert dx.dtype == dW.dtype == db.dtype == np.float32
    with pytest.raises(EngineError):
        conv2d_forward(x, np.ones((3, 3, 3, 4)), np.zeros(4))


POOL_CASES = [((2, 2), None, (6, 8)), ((2, 2), None, (7, 5)), ((3, 3), (2, 2), (7, 7)),
              ((2, 3), (1, 2), (5, 7))]


@pytest.mark.parametrize("pool,strides,hw", POOL_CASES)
def test_maxpool_forward_matches_naive_and_backward_finite_differences(pool, strides, hw):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, *hw, 3))  # distinct values: the max of each window is unique
    y, cache = maxpool2d_forward(x, pool, strides)
    assert_close(y, maxpool2d_naive(x, pool, strides), "maxpool forward", 1e-15)
    dy = rng.standard_normal(y.shape)
    dx = maxpool2d_backward(dy, cache)

    def loss():
        return float((maxpool2d_forward(x, pool, strides)[0] * dy).sum())

    assert_close(dx, numeric_grad(loss, x), f"maxpool dx {pool} {strides}")


@pytest.mark.parametrize("pool,strides,hw", POOL_CASES + [((2, 2), (1, 1), (5, 6))])
def test_maxpool_with_many_ties_routes_to_the_first_max_like_a_loop(pool, strides, hw):
    # small integers: most windows hold several maxima; the gradient goes to the first (row-major)
    rng = np.random.default_rng(11)
    x = rng.integers(0, 3, (2, *hw, 3)).astype(np.float32)
    y, cache = maxpool2d_forward(x, pool, strides)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    ref = np.zeros_like(x)
    (ph, pw), (sh, sw) = pool, strides or pool
    for n, i, j, c in np.ndindex(y.shape):
        window = x[n, i * sh:i * sh + ph, j * sw:j * sw + pw, c]
        p, q = np.unravel_index(np.argmax(window), window.shape)  # np.argmax: the first maximum
        ref[n, i * sh + p, j * sw + q, c] += dy[n, i, j, c]
        assert y[n, i, j, c] == window.max()
    np.testing.assert_allclose(maxpool2d_backward(dy, cache), ref, rtol=1e-6, atol=1e-6)


def test_maxpool_ties_route_gradient_to_first_max_only():
    x = np.zeros((1, 2, 2, 1))
    y, cache = maxpool2d_forward(x)
    dx = maxpool2d_backward(np.ones_like(y), cache)
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_dense_backward_finite_differences():
    rng = np.random.default_rng(3)
    x, W, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    y, cache = dense_forward(x, W, b)
    np.testing.assert_allclose(y, x @ W + b)
    dy = rng.standard_normal(y.shape)
    dx, dW, db = dense_backward(dy, cache)

    def loss():
        return float((dense_forward(x, W, b)[0] * dy).sum())

    assert_close(dx, numeric_grad(loss, x), "dense dx")
    assert_close(dW, numeric_grad(loss, W), "dense dW")
    assert_close(db, numeric_grad(loss, b), "dense db")


def test_relu_backward_finite_differences():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 7))
    x[np.abs(x) < 0.01] = 0.5  # keep away from the kink
    y, cache = relu_forward(x)
    np.testing.assert_array_equal(y, np.where(x > 0, x, 0))
    dy = rng.standard_normal(x.shape)
    dx = relu_backward(dy, cache)
    assert_close(dx, numeric_grad(lambda: float((relu_forward(x)[0] * dy).sum()), x), "relu dx")


def test_dropout_fixed_mask_forward_backward_and_inference():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 6))
    mask = (rng.random(x.shape) < 0.5) / 0.5
    y, cache = dropout_forward(x, 0.5, mask=mask)
    np.testing.assert_array_equal(y, x * mask)
    dy = rng.standard_normal(x.shape)
    dx = dropout_backward(dy, cache)
    assert_close(dx, numeric_grad(lambda: float((dropout_forward(x, 0.5, mask=mask)[0] * dy).sum()), x),
                 "dropout dx")
    y_eval, _ = dropout_forward(x, 0.5, training=False)
    np.testing.assert_array_equal(y_eval, x)
    big = np.ones((200, 500), np.float32)
    y_train, _ = dropout_forward(big, 0.4, np.random.default_rng(0))
    assert abs(float(y_train.mean()) - 1.0) < 0.01  # inverted dropout keeps the expectation
    assert abs(float((y_train == 0).mean()) - 0.4) < 0.01


def test_flatten_roundtrip():
    x = np.arange(24.0).reshape(2, 2, 3, 2)
    y, cache = flatten_forward(x)
    assert y.shape == (2, 12) and y[1, 0] == 12.0
    np.testing.assert_array_equal(flatten_backward(y, cache), x)


def test_softmax_ce_values_and_backward():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    labels = np.array([2, 0])
    loss, cache = softmax_ce_forward(z, labels)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -(np.log(p[0, 2]) + np.log(1 / 3)) / 2
    assert loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(softmax(z), p)
    np.testing.assert_allclose(softmax(np.array([[1000.0, 0.0]])), [[1.0, 0.0]])  # stable
    dz = softmax_ce_backward(cache)
    zz = np.random.default_rng(6).standard_normal((4, 5))
    lab = np.array([0, 4, 2, 2])
    _, c2 = softmax_ce_forward(zz, lab)
    assert_close(softmax_ce_backward(c2), numeric_grad(lambda: softmax_ce_forward(zz, lab)[0], zz), "ce dz")
    np.testing.assert_allclose(dz.sum(axis=1), 0, atol=1e-15)


SMALL_SPEC = [
    {"name": "c1", "kind": "conv2d", "filters": 3, "kernel_size": [3, 3], "strides": [1, 1],
     "padding": "same"},
    {"name": "r1", "kind": "relu"},
    {"name": "p1", "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]},
    {"name": "c2", "kind": "conv2d", "filters": 4, "kernel_size": [3, 3], "strides": [2, 2],
     "padding": "valid"},
    {"name": "flat", "kind": "flatten"},
    {"name": "d1", "kind": "dense", "units": 5},
    {"name": "drop", "kind": "dropout", "rate": 0.0},
    {"name": "out", "kind": "dense", "units": 3},
]


def test_model_gradients_finite_differences():
    model = Sequential(SMALL_SPEC, (10, 10, 2), seed=1, dtype=np.float64)
    expected = [[10, 10, 3], [10, 10, 3], [5, 5, 3], [2, 2, 4], [16], [5], [5], [3]]
    assert [list(s) for s in model.shapes] == expected
    assert model.num_params() == (27 * 2 + 3) + (27 * 4 + 4) + (16 * 5 + 5) + (5 * 3 + 3)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 10, 10, 2)), np.array([0, 2, 1])
    _, _, grads = model.loss_and_grads(x, y, rng)
    for k, v in model.params.items():
        num = numeric_grad(lambda: model.loss_and_grads(x, y, rng)[0], v)
        assert_close(grads[k], num, f"model grad {k}")


FUSED_SPEC = [  # conv → relu (in place), relu → pool (fused), dense → relu (in place), relu first of all
    {"name": "r0", "kind": "relu"},
    {"name": "c1", "kind": "conv2d", "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid"},
    {"name": "r1", "kind": "relu"},
    {"name": "c2", "kind": "conv2d", "filters": 4, "kernel_size": [2, 2], "strides": [1, 1], "padding": "same"},
    {"name": "r2", "kind": "relu"},
    {"name": "p2", "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]},
    {"name": "flat", "kind": "flatten"},
    {"name": "d1", "kind": "dense", "units": 6},
    {"name": "r3", "kind": "relu"},
    {"name": "out", "kind": "dense", "units": 3},
]


def test_fused_forward_equals_the_layers_one_by_one_and_its_gradients_are_right():
    model = Sequential(FUSED_SPEC, (9, 9, 2), seed=4, dtype=np.float64)
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 9, 9, 2))
    x_before = x.copy()
    logits, _ = model.forward(x)
    np.testing.assert_array_equal(x, x_before)  # a leading ReLU does not work in place on the caller's input
    acts = model.forward_with_activations(x)  # every layer on its own
    np.testing.assert_array_equal(logits, acts[-2]["array"])
    np.testing.assert_array_equal(model.predict(x), acts[-1]["array"])
    y = np.array([0, 2, 1])
    _, _, grads = model.loss_and_grads(x, y)
    for k, v in model.params.items():
        num = numeric_grad(lambda: model.loss_and_grads(x, y)[0], v)
        assert_close(grads[k], num, f"fused model grad {k}")


@pytest.mark.parametrize("pool,strides,hw", POOL_CASES + [((1, 1), None, (3, 4)), ((2, 2), (2, 2), (5, 9)),
                                                           ((2, 2), None, (2, 3))])
def test_maxpool_infer_is_the_forward_output_and_the_naive_loop(pool, strides, hw):
    x = np.random.default_rng(5).integers(-3, 4, (2, *hw, 3)).astype(np.float32)  # many ties
    y = maxpool2d_infer(x, pool, strides)
    np.testing.assert_array_equal(y, maxpool2d_forward(x, pool, strides)[0])
    np.testing.assert_array_equal(y, maxpool2d_naive(x, pool, strides))
    flipped = x[:, ::-1]                                              # a strided input
    np.testing.assert_array_equal(maxpool2d_infer(flipped, pool, strides), maxpool2d_naive(flipped, pool, strides))


@pytest.mark.parametrize("hw", [(1, 5), (5, 1)])
def test_maxpool_infer_refuses_an_input_smaller_than_the_pool_as_the_forward_does(hw):
    x = np.zeros((1, *hw, 2), np.float32)
    for fn in (maxpool2d_infer, maxpool2d_forward):
        with pytest.raises(EngineError) as e:
            fn(x, (2, 2))
        assert e.value.field == "pool_size"


def test_windows_of_a_strided_input_are_those_of_its_copy():
    from app.engine.nn.conv import windows

    x = np.random.default_rng(3).standard_normal((2, 9, 8, 3)).astype(np.float32)
    view = x[:, ::2, ::-1]                                        # not contiguous: as_strided's path
    for xp in (view, np.ascontiguousarray(view)):
        w = windows(xp, 2, 3, 4, 2, (1, 2), (1, 2))
        assert not w.flags.writeable
        for n, i, j, p, q in [(0, 0, 0, 0, 0), (1, 3, 1, 1, 2), (0, 2, 1, 1, 1)]:
            np.testing.assert_array_equal(w[n, i, j, p, q], view[n, i + p, j * 2 + q * 2])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_infer_gives_forwards_logits_and_leaves_the_input_alone(dtype):
    model = Sequential(FUSED_SPEC + [{"name": "drop", "kind": "dropout", "rate": 0.5}], (9, 9, 2), seed=7,
                       dtype=dtype)
    x = np.random.default_rng(3).standard_normal((4, 9, 9, 2)).astype(dtype)
    x_before = x.copy()
    logits = model.infer(x)
    np.testing.assert_array_equal(x, x_before)  # the leading ReLU copies the caller's input
    np.testing.assert_array_equal(logits, model.forward(x)[0])
    np.testing.assert_array_equal(model.predict(x), softmax(model.forward(x)[0]))


MNIST_LIKE = [
    {"name": "c1", "kind": "conv2d", "filters": 32, "kernel_size": [5, 5], "strides": [1, 1], "padding": "valid"},
    {"name": "r1", "kind": "relu"},
    {"name": "p1", "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]},
    {"name": "c2", "kind": "conv2d", "filters": 32, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid"},
    {"name": "r2", "kind": "relu"},
    {"name": "p2", "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]},
    {"name": "flat", "kind": "flatten"},
    {"name": "d1", "kind": "dense", "units": 64},
    {"name": "r3", "kind": "relu"},
    {"name": "drop", "kind": "dropout", "rate": 0.5},
    {"name": "out", "kind": "dense", "units": 10},
]


@pytest.mark.parametrize("spec,shape", [(FUSED_SPEC, (9, 9, 2)), (MNIST_LIKE, (28, 28, 1))])
def test_per_sample_inference_gives_a_sample_the_same_bits_alone_or_in_any_batch(spec, shape):
    model = Sequential(spec, shape, seed=5, dtype=np.float32)
    x = np.random.default_rng(6).standard_normal((9, *shape)).astype(np.float32)
    alone = np.concatenate([model.infer(x[i:i + 1], per_sample=True) for i in range(9)])
    np.testing.assert_array_equal(alone, np.concatenate([model.infer(x[i:i + 1]) for i in range(9)]))
    for size in (2, 4, 9):
        batched = np.concatenate([model.predict(x[i:i + size], per_sample=True) for i in range(0, 9, size)])
        np.testing.assert_array_equal(batched, softmax(alone))
    np.testing.assert_allclose(model.infer(x, per_sample=True), model.forward(x)[0], rtol=1e-5, atol=1e-5)


def test_model_save_load_predict_and_activations(tmp_path):
    model = Sequential(SMALL_SPEC, (10, 10, 1), seed=2)
    x = np.random.default_rng(0).random((4, 10, 10)).astype(np.float32)
    p = model.predict(x)
    assert p.shape == (4, 3) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    model.save(tmp_path / "m.npz")
    loaded = Sequential.load(tmp_path / "m.npz")
    assert loaded.spec == model.spec
    np.testing.assert_array_equal(loaded.predict(x), p)
    np.testing.assert_array_equal(loaded.predict(x[..., None]), p)
    acts = loaded.forward_with_activations(x)
    assert [a["name"] for a in acts] == [s["name"] for s in SMALL_SPEC] + ["softmax"]
    assert acts[0]["shape"] == [4, 10, 10, 3]
    np.testing.assert_allclose(acts[-1]["array"], p, rtol=1e-6)
    convs = loaded.conv_layers(x)
    assert [c["name"] for c in convs] == ["c1", "c2"]
    c2 = convs[1]
    # recompute one output cell of c2 from its input, kernel and bias (valid, stride 2)
    n, i, j, f = 1, 1, 0, 2
    patch = c2["input"][n, 2 * i:2 * i + 3, 2 * j:2 * j + 3, :]
    cell = float((patch * c2["W"][..., f]).sum() + c2["b"][f])
    assert cell == pytest.approx(float(c2["output"][n, i, j, f]), rel=1e-5, abs=1e-6)
    with pytest.raises(EngineError):
        loaded.predict(np.zeros((1, 9, 9)))


def test_adam_minimises_a_quadratic():
    params = {"w": np.array([3.0, -2.0])}
    opt = Adam(params, lr=0.1)
    for _ in range(300):
        opt.step(params, {"w": 2 * params["w"]})
    assert np.abs(params["w"]).max() < 1e-2


def test_conv_geometry_remembered_for_int_shapes_only():
    """The remembered geometry is keyed on plain ints: a call with float strides (2.0 == 2 as a cache key) must not
    hand float sizes to a later call with ints."""
    from app.engine.nn.conv import _geometry

    with pytest.raises(TypeError):
        conv2d_forward(np.zeros((1, 8, 8, 1), np.float32), np.zeros((3, 3, 1, 2), np.float32),
                       np.zeros(2, np.float32), (2.0, 2.0))
    pads, oh, ow = _geometry((1, 8, 8, 1), (3, 3, 1, 2), (2, 2), "valid", (1, 1))
    assert (oh, ow) == (3, 3) and type(oh) is int and type(ow) is int
    y, _ = conv2d_forward(np.zeros((1, 8, 8, 1), np.float32), np.zeros((3, 3, 1, 2), np.float32),
                          np.zeros(2, np.float32), (2, 2))
    assert y.shape == (1, 3, 3, 2)
