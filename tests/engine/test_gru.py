"""GRU engine, both Keras variants: vectorised vs naive, BPTT vs finite differences, hand-checked steps."""

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.recurrent import gru, run_gru
from app.engine.recurrent.common import Weights
from app.engine.recurrent.functions import NAMES


def random_weights(rng, d, u, after, scale=1.0):
    b = rng.normal(size=(2, 3 * u) if after else 3 * u) * scale
    return Weights(rng.normal(size=(d, 3 * u)) * scale, rng.normal(size=(u, 3 * u)) * 0.5 * scale, b, [])


@pytest.mark.parametrize("after", [True, False])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rec", ["sigmoid", "hard_sigmoid"])
def test_vectorised_matches_naive(after, name, rec):
    rng = np.random.default_rng(len(name) * 10 + after + 3 * len(rec))
    T, d, u = rng.integers(1, 8), rng.integers(1, 5), rng.integers(1, 5)
    x = rng.normal(size=(T, d))
    w = random_weights(rng, d, u, after)
    h0 = rng.normal(size=u)
    H, _ = gru.forward(x, w, name, rec, after, h0)
    np.testing.assert_allclose(H, gru.naive(x, w, name, rec, after, h0), rtol=1e-12, atol=1e-12,
                               err_msg="mine vs naive reference")


@pytest.mark.parametrize("after", [True, False])
@pytest.mark.parametrize("name, rec", [("tanh", "sigmoid"), ("linear", "sigmoid"), ("tanh", "hard_sigmoid")])
def test_bptt_matches_finite_differences(after, name, rec):
    from tests.engine.test_rnn import fd_jacobians
    rng = np.random.default_rng(5)
    T, d, u = 6, 2, 3
    x = rng.normal(size=(T, d)) * 0.5
    w = random_weights(rng, d, u, after, 0.5)
    h0 = rng.normal(size=u) * 0.3
    _, cache = gru.forward(x, w, name, rec, after, h0)
    J = gru.jacobians(cache)
    ref = fd_jacobians(lambda xx: gru.forward(xx, w, name, rec, after, h0)[0], x)
    np.testing.assert_allclose(J, ref, rtol=1e-6, atol=1e-8, err_msg="BPTT vs finite differences")


def test_one_step_by_hand_both_variants():
    """u = 1, d = 1: z = σ(1·1 + 0.5·1 + b), r = σ(...), h̃ differs in where r and the biases go."""
    x, h0 = [[1.0]], [0.5]
    W, U = [[1.0, 2.0, 3.0]], [[1.0, -1.0, 2.0]]
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    after = run_gru(x, kernel=W, recurrent_kernel=U, bias=[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], initial_state=h0)
    z, r = sig(1 + 0.5 + 0.1 + 0.4), sig(2 - 0.5 + 0.2 + 0.5)
    hh = np.tanh(3 + 0.3 + r * (0.5 * 2 + 0.6))
    assert after["hidden"][0][0] == pytest.approx(z * 0.5 + (1 - z) * hh, abs=1e-14)
    assert after["steps"][0]["gates"]["reset"][0] == pytest.approx(r, abs=1e-14)
    before = run_gru(x, kernel=W, recurrent_kernel=U, bias=[0.1, 0.2, 0.3], reset_after=False, initial_state=h0)
    z, r = sig(1 + 0.5 + 0.1), sig(2 - 0.5 + 0.2)
    hh = np.tanh(3 + (r * 0.5) * 2 + 0.3)
    assert before["hidden"][0][0] == pytest.approx(z * 0.5 + (1 - z) * hh, abs=1e-14)
    assert before["keras"]["layer"] == "GRU(1, reset_after=False, return_sequences=True)"
    f = before["steps"][0]["formulas"]
    assert f["hidden"][0].startswith("h₁ = z×h₀ + (1 − z)×h̃ = ")
    assert f["candidate"][0].startswith("h̃₁ = tanh(1×3 + 0.3 + (")


def test_default_bias_shapes():
    assert np.array(run_gru([[1]], units=2)["weights"]["bias"]).shape == (2, 6)
    assert np.array(run_gru([[1]], units=2, reset_after=False)["weights"]["bias"]).shape == (6,)


@pytest.mark.parametrize("kwargs, field", [
    ({"units": 2, "bias": [0] * 6}, "bias"),
    ({"units": 2, "reset_after": False, "bias": [[0] * 6] * 2}, "bias"),
    ({"kernel": [[1, 1]]}, "kernel"),
    ({"units": 2, "reset_after": "yes"}, "reset_after"),
    ({"units": 2, "initial_state": [1, 2, 3]}, "initial_state"),
])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(EngineError) as e:
        run_gru([[1]], **kwargs)
    assert e.value.field == field
