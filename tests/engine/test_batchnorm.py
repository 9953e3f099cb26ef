"""BatchNorm (a training aid): loop reference, float64 finite differences, statistics and folding."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.nn import Sequential
from app.engine.nn.batchnorm import EPS, batchnorm_backward, batchnorm_forward, batchnorm_naive, fold_into_conv

from .test_nn_layers import assert_close, numeric_grad


def test_forward_matches_the_loop_and_normalises():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5, 2)) * 3 + 1
    gamma, beta = rng.standard_normal(2), rng.standard_normal(2)
    y, _ = batchnorm_forward(x, gamma, beta)
    assert_close(y, batchnorm_naive(x, gamma, beta), "batchnorm forward vs loop", 1e-12)
    z, _ = batchnorm_forward(x, np.ones(2), np.zeros(2))
    np.testing.assert_allclose(z.mean(axis=(0, 1, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(z.var(axis=(0, 1, 2)), x.var(axis=(0, 1, 2)) / (x.var(axis=(0, 1, 2)) + EPS))


def test_backward_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4, 2, 3))
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    y, cache = batchnorm_forward(x, gamma, beta)
    dy = rng.standard_normal(y.shape)
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)

    def loss():
        return float((batchnorm_forward(x, gamma, beta)[0] * dy).sum())

    assert_close(dx, numeric_grad(loss, x), "bn dx")
    assert_close(dgamma, numeric_grad(loss, gamma), "bn dgamma")
    assert_close(dbeta, numeric_grad(loss, beta), "bn dbeta")


def test_fold_into_conv_equals_conv_then_inference_batchnorm():
    rng = np.random.default_rng(2)
    W, b = rng.standard_normal((3, 3, 2, 4)), rng.standard_normal(4)
    gamma, beta, mean, var = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4), rng.random(4)
    W2, b2 = fold_into_conv(W, b, gamma, beta, mean, var)
    # one output number: (patch·W + b − μ)·γ/√(σ²+ε) + β == patch·W' + b'
    patch = rng.standard_normal((3, 3, 2))
    for f in range(4):
        before = ((patch * W[..., f]).sum() + b[f] - mean[f]) * gamma[f] / np.sqrt(var[f] + EPS) + beta[f]
        assert (patch * W2[..., f]).sum() + b2[f] == pytest.approx(before, rel=1e-12)


SPEC = [
    {"name": "c1", "kind": "conv2d", "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same"},
    {"name": "bn1", "kind": "batchnorm"},
    {"name": "r1", "kind": "relu"},
    {"name": "p1", "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]},
    {"name": "flat", "kind": "flatten"},
    {"name": "d1", "kind": "dense", "units": 4},
    {"name": "bn2", "kind": "batchnorm"},
    {"name": "r2", "kind": "relu"},
    {"name": "out", "kind": "dense", "units": 3},
]


def test_model_with_batchnorm_gradients_statistics_and_folding():
    model = Sequential(SPEC, (6, 6, 2), seed=5, dtype=np.float64)
    assert model.num_params() == (18 * 3 + 3) + 4 * 3 + (27 * 4 + 4) + 4 * 4 + (4 * 3 + 3)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((5, 6, 6, 2)), np.array([0, 1, 2, 1, 0])
    _, _, grads = model.loss_and_grads(x, y)
    assert "bn1.mean" not in grads and "bn1.gamma" in grads
    for k in grads:
        num = numeric_grad(lambda: model.loss_and_grads(x, y)[0], model.params[k])
        assert_close(grads[k], num, f"model with batchnorm: grad {k}")
    model.params["bn1.gamma"] = rng.random(3) + 0.5
    model.params["bn2.beta"] = rng.standard_normal(4)
    data = rng.standard_normal((40, 6, 6, 2))
    model.batchnorm_statistics(data, batch_size=40)  # one batch: the statistics are the batch's own
    conv_out = model.forward_with_activations(data)[0]["array"]
    np.testing.assert_allclose(model.params["bn1.mean"], conv_out.mean(axis=(0, 1, 2)), rtol=1e-10)
    np.testing.assert_allclose(model.params["bn1.var"], conv_out.var(axis=(0, 1, 2)), rtol=1e-8)
    train_mode, _ = model.forward(data, training=True)  # batch statistics == population statistics here
    np.testing.assert_allclose(model.forward(data)[0], train_mode, rtol=1e-8, atol=1e-10)
    folded = model.fold_batchnorm()
    assert [s["kind"] for s in folded.spec] == ["conv2d", "relu", "maxpool2d", "flatten", "dense", "relu", "dense"]
    assert folded.num_params() == (18 * 3 + 3) + (27 * 4 + 4) + (4 * 3 + 3)
    np.testing.assert_allclose(folded.predict(x), model.predict(x), rtol=1e-10, atol=1e-12)
    bad = Sequential([SPEC[3], SPEC[1], SPEC[4], SPEC[8]], (6, 6, 2), seed=0)
    with pytest.raises(EngineError):
        bad.fold_batchnorm()
