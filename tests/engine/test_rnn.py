"""SimpleRNN engine: the lecture's example, vectorised vs naive, BPTT vs finite differences, initialisers."""

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.recurrent import run_rnn
from app.engine.recurrent import simple_rnn as srnn
from app.engine.recurrent.common import Weights
from app.engine.recurrent.functions import NAMES
from app.engine.recurrent.init import glorot_uniform, orthogonal
from app.examples.rnn import EXAMPLES, LECTURE_RNN


def fd_jacobians(f, x, eps=1e-6):
    """(T, u, d) finite differences of h_T = f(x)[-1] (central, float64)."""
    T, d = x.shape
    u = f(x)[-1].shape[0]
    J = np.empty((T, u, d))
    for t in range(T):
        for k in range(d):
            xp, xm = x.copy(), x.copy()
            xp[t, k] += eps
            xm[t, k] -= eps
            J[t, :, k] = (f(xp)[-1] - f(xm)[-1]) / (2 * eps)
    return J


def test_lecture_example_hidden_outputs_and_formulas():
    r = run_rnn([[1, 1], [2, 1], [1, 3]], **LECTURE_RNN)
    assert r["hidden"] == [[2, 2], [7, 7], [18, 18]]
    assert r["outputs"] == [[4, 4], [14, 14], [36, 36]]
    s = r["steps"][1]
    assert s["h_prev"] == [2, 2] and s["x"] == [2, 1]
    assert s["formulas"]["hidden"][0] == "h₂[1] = 2×1 + 1×1 + 2×1 + 2×1 = 7"
    assert s["formulas"]["output"][1] == "y₂[2] = 7×1 + 7×1 = 14"
    assert r["steps"][0]["formulas"]["hidden"][0] == "h₁[1] = 1×1 + 1×1 + 0×1 + 0×1 = 2"
    assert r["weights"]["initialized"] == [] and r["weights"]["bias"] is None
    assert r["keras"]["layer"] == "SimpleRNN(2, activation='linear', use_bias=False, return_sequences=True)"
    assert r["keras"]["output_layer"] == "Dense(2, use_bias=False)"


def test_lecture_example_classic_order():
    r = run_rnn([[1, 1], [1, 1], [2, 2]], **LECTURE_RNN)
    assert r["outputs"] == [[4, 4], [12, 12], [32, 32]]


def test_rnn_examples_match_their_expected_values():
    for ex in (e for e in EXAMPLES if e["endpoint"] == "/api/rnn"):
        r = run_rnn(**ex["request"])
        for key in ("hidden", "outputs"):
            if key in ex["expected"]:
                assert r[key] == ex["expected"][key], ex["id"]


def test_memory_demo_simple_rnn_forgets():
    ex = next(e for e in EXAMPLES if e["id"] == "memory-rnn")
    r = run_rnn(**ex["request"])
    assert r["sensitivity"][0] < ex["expected"]["sensitivity_first_below"]
    assert r["sensitivity"][0] < r["sensitivity"][-1]


def test_formula_with_bias_and_tanh():
    r = run_rnn([[1, -2]], kernel=[[0.5], [1]], recurrent_kernel=[[1]], bias=[1], activation="tanh")
    assert r["steps"][0]["formulas"]["hidden"] == ["h₁ = tanh(1×0.5 + (-2)×1 + 0×1 + 1) = tanh(-0.5) = -0.4621"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(3))
def test_vectorised_matches_naive(name, seed):
    rng = np.random.default_rng(seed)
    T, d, u = rng.integers(1, 9), rng.integers(1, 6), rng.integers(1, 6)
    x = rng.normal(size=(T, d))
    w = Weights(rng.normal(size=(d, u)) * 0.7, rng.normal(size=(u, u)) * 0.5,
                None if seed == 1 else rng.normal(size=u), [])
    h0 = rng.normal(size=u)
    mine, _ = srnn.forward(x, w, name, h0)
    ref = srnn.naive(x, w, name, h0)
    np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-12, err_msg="mine vs naive reference")


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "linear", "hard_sigmoid"])
def test_bptt_matches_finite_differences(name):
    rng = np.random.default_rng(7)
    T, d, u = 6, 3, 4
    x = rng.normal(size=(T, d)) * 0.5
    w = Weights(rng.normal(size=(d, u)) * 0.4, rng.normal(size=(u, u)) * 0.4, rng.normal(size=u) * 0.1, [])
    h0 = np.zeros(u)
    _, cache = srnn.forward(x, w, name, h0)
    J = srnn.jacobians(cache)
    ref = fd_jacobians(lambda xx: srnn.forward(xx, w, name, h0)[0], x)
    np.testing.assert_allclose(J, ref, rtol=1e-6, atol=1e-8, err_msg="BPTT vs finite differences")
    r = run_rnn(x.tolist(), kernel=w.W.tolist(), recurrent_kernel=w.U.tolist(), bias=w.b.tolist(), activation=name)
    np.testing.assert_allclose(r["sensitivity"], np.linalg.norm(ref.reshape(T, -1), axis=1), rtol=1e-6, atol=1e-9)


def test_linear_sensitivity_is_exact():
    """h_T = Σ x_t·W·U^(T−t): with W = 1 and U = 0.5, ‖∂h_T/∂x_t‖ = 0.5^(T−1−t)."""
    r = run_rnn([[1], [2], [3], [4]], kernel=[[1]], recurrent_kernel=[[0.5]], use_bias=False, activation="linear")
    assert r["sensitivity"] == [0.125, 0.25, 0.5, 1]


def test_initialisers_are_keras_shaped_and_seeded():
    rng = np.random.default_rng(0)
    U = orthogonal((5, 20), rng)
    np.testing.assert_allclose(U @ U.T, np.eye(5), atol=1e-12)  # rows orthonormal, as Keras' (u, 4u)
    Q = orthogonal((6, 6), np.random.default_rng(1))
    np.testing.assert_allclose(Q.T @ Q, np.eye(6), atol=1e-12)
    W = glorot_uniform((300, 100), np.random.default_rng(2))
    limit = np.sqrt(6 / 400)
    assert W.max() <= limit and W.min() >= -limit and W.max() > 0.95 * limit and W.min() < -0.95 * limit
    a, b = run_rnn([[1, 2]], units=3, seed=5), run_rnn([[1, 2]], units=3, seed=5)
    assert a["weights"] == b["weights"] and a["weights"]["initialized"] == ["kernel", "recurrent_kernel", "bias"]
    c = run_rnn([[1, 2]], units=3, seed=6)
    assert c["weights"]["kernel"] != a["weights"]["kernel"]
    # giving the kernel does not change the recurrent kernel drawn with the same seed
    d = run_rnn([[1, 2]], kernel=[[1, 1, 1], [1, 1, 1]], seed=5)
    assert d["weights"]["recurrent_kernel"] == a["weights"]["recurrent_kernel"]
    assert d["weights"]["bias"] == [0, 0, 0]


def test_initial_state_and_output_layer_activation():
    r = run_rnn([[0]], kernel=[[1]], recurrent_kernel=[[2]], initial_state=[3], use_bias=False, activation="linear",
                output_layer={"kernel": [[1, -1]], "bias": [0, 1], "activation": "relu"})
    assert r["hidden"] == [[6]] and r["outputs"] == [[6, 0]]
    assert r["steps"][0]["formulas"]["output"] == ["y₁[1] = relu(6×1 + 0) = relu(6) = 6",
                                                   "y₁[2] = relu(6×(-1) + 1) = relu(-5) = 0"]


def test_no_formulas_for_large_sizes():
    r = run_rnn(np.ones((3, 5)).tolist(), units=2)
    assert r["steps"][0]["formulas"] is None and len(r["steps"]) == 3


@pytest.mark.parametrize("kwargs, field", [
    ({"inputs": [[1, 2], [3]]}, "inputs.1"),
    ({"inputs": [[1]] * 201, "units": 1}, "inputs"),
    ({"inputs": [[1] * 33], "units": 1}, "inputs"),
    ({"inputs": [[1]], "units": 33}, "units"),
    ({"inputs": [[1]]}, "units"),
    ({"inputs": [[1, 2]], "kernel": [[1, 1]]}, "kernel"),
    ({"inputs": [[1]], "kernel": [[1, 1]], "units": 3}, "kernel"),
    ({"inputs": [[1]], "units": 2, "recurrent_kernel": [[1, 1]]}, "recurrent_kernel"),
    ({"inputs": [[1]], "units": 2, "bias": [1, 2, 3]}, "bias"),
    ({"inputs": [[1]], "units": 2, "bias": [1, 2], "use_bias": False}, "bias"),
    ({"inputs": [[1]], "units": 2, "initial_state": [1]}, "initial_state"),
    ({"inputs": [[1]], "units": 2, "activation": "softmax"}, "activation"),
    ({"inputs": [[1]], "units": 2, "output_layer": {"kernel": [[1]]}}, "output_layer.kernel"),
    ({"inputs": [[1]], "units": 2, "output_layer": {"foo": 1}}, "output_layer.foo"),
    ({"inputs": [[1]], "units": 2, "seed": -1}, "seed"),
    ({"inputs": [[float("nan")]], "units": 2}, "inputs"),
])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(EngineError) as e:
        run_rnn(**kwargs)
    assert e.value.field == field


def test_overflow_is_an_error_not_inf():
    with pytest.raises(EngineError) as e:
        run_rnn([[1e9] * 32] * 200, kernel=[[1e9] * 32] * 32, recurrent_kernel=[[1e9] * 32] * 32,
                activation="linear")
    assert e.value.field == "inputs" and "overflow" in e.value.rule
