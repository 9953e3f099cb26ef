"""LSTM engine: the classic gate example, vectorised vs naive, BPTT vs finite differences, Keras defaults."""

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.recurrent import lstm, run_lstm
from app.engine.recurrent.common import Weights
from app.engine.recurrent.functions import NAMES
from app.examples.rnn import EXAMPLES, GATE_INPUTS, GATE_LSTM


def test_gate_example_hard_sigmoid_memory_3_7_7_7_0():
    r = run_lstm(GATE_INPUTS, **GATE_LSTM, recurrent_activation="hard_sigmoid")
    assert r["cell"] == [[3], [7], [7], [7], [0]]
    assert r["hidden"] == [[0], [0], [0], [7], [0]]
    gates = [s["gates"] for s in r["steps"]]
    assert [g["input"][0] for g in gates] == [1, 1, 0, 0, 0]
    assert [g["forget"][0] for g in gates] == [1, 1, 1, 1, 0]
    assert [g["output"][0] for g in gates] == [0, 0, 0, 1, 0]
    assert [g["candidate"][0] for g in gates] == [3, 4, 2, 1, 3]
    f = r["steps"][1]["formulas"]
    assert f["input"] == ["i₂ = hard_sigmoid(4×0 + 1×100 + 0×0 + 0×0 + (-10)) = hard_sigmoid(90) = 1"]
    assert f["candidate"] == ["c̃₂ = 4×1 + 1×0 + 0×0 + 0×0 + 0 = 4"]
    assert f["cell"] == ["c₂ = f×c₁ + i×c̃ = 1×3 + 1×4 = 7"]
    assert f["hidden"] == ["h₂ = o×c₂ = 0×7 = 0"]
    assert r["keras"]["layer"] == ("LSTM(1, activation='linear', recurrent_activation=hard_sigmoid_keras2, "
                                   "return_sequences=True)")


def test_gate_example_sigmoid_6_9995():
    r = run_lstm(GATE_INPUTS, **GATE_LSTM, recurrent_activation="sigmoid")
    assert round(r["hidden"][3][0], 4) == 6.9995
    assert np.round(r["cell"], 4).ravel().tolist() == [3, 7, 6.9998, 6.9995, 0]
    ex = next(e for e in EXAMPLES if e["id"] == "lstm-gates-sigmoid")
    assert np.round(r["hidden"], 4).tolist() == ex["expected"]["hidden_rounded_4"]


def test_memory_demo_lstm_remembers():
    ex = next(e for e in EXAMPLES if e["id"] == "memory-lstm")
    r = run_lstm(**ex["request"])
    assert r["sensitivity"][0] > ex["expected"]["sensitivity_first_above"]
    assert round(r["hidden"][-1][0], 3) == ex["expected"]["hidden_last_rounded_3"]
    rnn_ex = next(e for e in EXAMPLES if e["id"] == "memory-rnn")
    from app.engine.recurrent import run_rnn
    assert run_rnn(**rnn_ex["request"])["sensitivity"][0] < r["sensitivity"][0] / 10


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rec", ["sigmoid", "hard_sigmoid", "tanh"])
def test_vectorised_matches_naive(name, rec):
    rng = np.random.default_rng(NAMES.index(name) * 10 + len(rec))
    T, d, u = rng.integers(1, 8), rng.integers(1, 5), rng.integers(1, 5)
    x = rng.normal(size=(T, d))
    w = Weights(rng.normal(size=(d, 4 * u)), rng.normal(size=(u, 4 * u)) * 0.5, rng.normal(size=4 * u), [])
    h0, c0 = rng.normal(size=u), rng.normal(size=u)
    H, C, _ = lstm.forward(x, w, name, rec, h0, c0)
    Hr, Cr = lstm.naive(x, w, name, rec, h0, c0)
    np.testing.assert_allclose(H, Hr, rtol=1e-12, atol=1e-12, err_msg="h: mine vs naive reference")
    np.testing.assert_allclose(C, Cr, rtol=1e-12, atol=1e-12, err_msg="c: mine vs naive reference")


@pytest.mark.parametrize("name, rec", [("tanh", "sigmoid"), ("linear", "sigmoid"), ("sigmoid", "tanh"),
                                       ("tanh", "hard_sigmoid")])
def test_bptt_matches_finite_differences(name, rec):
    from tests.engine.test_rnn import fd_jacobians
    rng = np.random.default_rng(11)
    T, d, u = 7, 3, 3
    x = rng.normal(size=(T, d)) * 0.5
    w = Weights(rng.normal(size=(d, 4 * u)) * 0.5, rng.normal(size=(u, 4 * u)) * 0.5, rng.normal(size=4 * u) * 0.3,
                [])
    h0, c0 = rng.normal(size=u) * 0.3, rng.normal(size=u) * 0.3
    _, _, cache = lstm.forward(x, w, name, rec, h0, c0)
    J = lstm.jacobians(cache)
    ref = fd_jacobians(lambda xx: lstm.forward(xx, w, name, rec, h0, c0)[0], x)
    np.testing.assert_allclose(J, ref, rtol=1e-6, atol=1e-8, err_msg="BPTT vs finite differences")


def test_keras_defaults_unit_forget_bias_and_orthogonal():
    r = run_lstm([[1, 2, 3]], units=4, seed=3)
    assert r["weights"]["bias"] == [0] * 4 + [1] * 4 + [0] * 8
    U = np.array(r["weights"]["recurrent_kernel"])
    assert U.shape == (4, 16)
    np.testing.assert_allclose(U @ U.T, np.eye(4), atol=1e-12)
    assert np.array(r["weights"]["kernel"]).shape == (3, 16)
    assert max(abs(v) for row in r["weights"]["kernel"] for v in row) <= np.sqrt(6 / (3 + 16))
    assert run_lstm([[1, 2, 3]], units=4, seed=3, unit_forget_bias=False)["weights"]["bias"] == [0] * 16
    assert run_lstm([[1, 2, 3]], units=4, use_bias=False)["weights"]["bias"] is None
    assert r["activation"] == "tanh" and r["recurrent_activation"] == "sigmoid"


def test_initial_state_h_and_c():
    r = run_lstm([[0]], kernel=[[0, 0, 0, 0]], recurrent_kernel=[[0, 0, 0, 0]], bias=[0, 100, 0, 100],
                 activation="linear", initial_state={"h": [5], "c": [2]})
    assert r["steps"][0]["h_prev"] == [5] and r["steps"][0]["c_prev"] == [2]
    assert r["cell"] == [[2]] and r["hidden"] == [[2]]


@pytest.mark.parametrize("kwargs, field", [
    ({"kernel": [[1, 1, 1]]}, "kernel"),
    ({"units": 1, "recurrent_kernel": [[1, 1, 1, 1], [1, 1, 1, 1]]}, "recurrent_kernel"),
    ({"units": 1, "bias": [1, 1]}, "bias"),
    ({"units": 1, "recurrent_activation": "softsign"}, "recurrent_activation"),
    ({"units": 1, "initial_state": [1]}, "initial_state"),
    ({"units": 1, "initial_state": {"h": [1, 2]}}, "initial_state.h"),
    ({"units": 1, "initial_state": {"x": [1]}}, "initial_state.x"),
    ({"units": 1, "unit_forget_bias": 1}, "unit_forget_bias"),
])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(EngineError) as e:
        run_lstm([[1]], **kwargs)
    assert e.value.field == field
