"""`keras: 3` on /api/rnn, /api/lstm and /api/gru: hard_sigmoid in Keras 3's form, clip(z / 6 + 0.5, 0, 1), wherever a
request names it (activation, recurrent_activation, the output layer's), checked against a loop written here from
Keras 3's cell code (keras/src/layers/rnn/{simple_rnn,lstm,gru}.py), BPTT against finite differences, and the
Keras program each response carries. Keras 2's form (the default, the lecture's) is unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.recurrent import run_gru, run_lstm, run_rnn
from app.examples.rnn import GATE_INPUTS, GATE_LSTM


def hs3(z):
    return np.clip(np.asarray(z) / 6 + 0.5, 0.0, 1.0)


def keras3_loop(kind: str, x, W, U, b, reset_after=True):
    """Keras 3's cells, every activation hard_sigmoid (its Keras 3 form), a step at a time."""
    u = U.shape[0]
    h, c, out = np.zeros(u), np.zeros(u), []
    for xt in x:
        if kind == "rnn":
            h = hs3(xt @ W + h @ U + b)
        elif kind == "lstm":
            z = xt @ W + h @ U + b
            i, f, g, o = (z[k * u:(k + 1) * u] for k in range(4))
            c = hs3(f) * c + hs3(i) * hs3(g)
            h = hs3(o) * hs3(c)
        else:
            bx, bh = (b[0], b[1]) if reset_after else (b, np.zeros(3 * u))
            xz, hz = xt @ W + bx, (h @ U + bh) if reset_after else None
            zg = hs3(xz[:u] + (hz[:u] if reset_after else h @ U[:, :u]))
            r = hs3(xz[u:2 * u] + (hz[u:2 * u] if reset_after else h @ U[:, u:2 * u]))
            cand = hs3(xz[2 * u:] + (r * hz[2 * u:] if reset_after else (r * h) @ U[:, 2 * u:]))
            h = zg * h + (1 - zg) * cand
        out.append(h)
    return np.array(out)


def request(kind: str, seed: int, reset_after=True):
    rng = np.random.default_rng(seed)
    T, d, u = 5, 3, 2
    blocks = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    x, W, U = rng.normal(size=(T, d)) * 2, rng.normal(size=(d, blocks * u)), rng.normal(size=(u, blocks * u))
    b = rng.normal(size=(2, 3 * u) if kind == "gru" and reset_after else (blocks * u,))
    body = {"inputs": x.tolist(), "kernel": W.tolist(), "recurrent_kernel": U.tolist(), "bias": b.tolist(),
            "activation": "hard_sigmoid"}
    if kind != "rnn":
        body["recurrent_activation"] = "hard_sigmoid"
    if kind == "gru":
        body["reset_after"] = reset_after
    return body, (x, W, U, b)


RUN = {"rnn": run_rnn, "lstm": run_lstm, "gru": run_gru}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind, reset_after", [("rnn", True), ("lstm", True), ("gru", True), ("gru", False)])
def test_keras_3_hard_sigmoid_is_keras_3s_cell(kind, reset_after, seed):
    body, (x, W, U, b) = request(kind, seed, reset_after)
    got = RUN[kind](**body, keras=3)
    want = keras3_loop(kind, x, W, U, b, reset_after)
    np.testing.assert_allclose(got["hidden"], want, rtol=1e-12, atol=1e-12)
    assert got["activation"] == "hard_sigmoid" and got.get("recurrent_activation", "hard_sigmoid") == "hard_sigmoid"
    keras2 = RUN[kind](**body)                       # the default is Keras 2's form: other numbers here
    assert not np.allclose(keras2["hidden"], want, atol=1e-6)
    # the Keras program: Keras 3's own hard_sigmoid, by name, with no Keras 2 function defined
    code = got["keras"]
    assert "activation='hard_sigmoid'" in code["layer"] and "hard_sigmoid_keras2" not in code["code"]
    assert code["note"] is None and keras2["keras"]["note"] == "hard_sigmoid_keras2"
    assert (got["hard_sigmoid_keras"], keras2["hard_sigmoid_keras"]) == (3, 2)   # the form used, said
    plain = {**body, "activation": "tanh", **({"recurrent_activation": "sigmoid"} if kind != "rnn" else {})}
    assert RUN[kind](**plain, keras=3)["hard_sigmoid_keras"] is None   # none named: the same in both


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_keras_3_sensitivity_is_the_norm_of_the_finite_difference_jacobian(kind):
    body, (x, *_) = request(kind, 7)
    got = RUN[kind](**body, keras=3)["sensitivity"]
    eps, T, d = 1e-6, *x.shape
    for t in range(T):
        cols = []
        for k in range(d):
            hi, lo = x.copy(), x.copy()
            hi[t, k] += eps
            lo[t, k] -= eps
            h = [np.array(RUN[kind](**{**body, "inputs": v.tolist()}, keras=3)["hidden"][-1]) for v in (hi, lo)]
            cols.append((h[0] - h[1]) / (2 * eps))
        assert got[t] == pytest.approx(np.linalg.norm(np.array(cols)), rel=1e-5, abs=1e-8), t


def test_the_output_layer_and_the_formulas_use_keras_3s_form():
    body, _ = request("lstm", 1)
    body = {**body, "activation": "tanh", "output_layer": {"kernel": [[1.0], [-0.5]], "bias": [0.2],
                                                            "activation": "hard_sigmoid"}}
    got = run_lstm(**body, keras=3)
    H = np.array(got["hidden"])
    np.testing.assert_allclose(got["outputs"], hs3(H @ np.array([[1.0], [-0.5]]) + 0.2), rtol=1e-12)
    assert got["keras"]["output_layer"] == "Dense(1, activation='hard_sigmoid')"
    step = got["steps"][2]
    z, value = step["pre_activations"]["input"][0], step["gates"]["input"][0]
    assert value == pytest.approx(float(hs3(z)))
    assert step["formulas"]["input"][0].startswith("i₃[1] = hard_sigmoid(")


def test_the_lectures_gate_example_is_the_same_in_both_forms():
    """Its gates are ±90 and ±110 before hard_sigmoid: saturated in either form."""
    a = run_lstm(GATE_INPUTS, **GATE_LSTM, recurrent_activation="hard_sigmoid")
    b = run_lstm(GATE_INPUTS, **GATE_LSTM, recurrent_activation="hard_sigmoid", keras=3)
    assert a["cell"] == b["cell"] == [[3], [7], [7], [7], [0]] and a["hidden"] == b["hidden"]


@pytest.mark.parametrize("value", [1, 4, True, "3", 3.0])
def test_keras_must_be_2_or_3(value):
    with pytest.raises(EngineError) as e:
        run_rnn([[1.0]], units=1, keras=value)
    assert e.value.field == "keras"
