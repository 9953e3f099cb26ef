"""Activation functions and their derivatives: closed forms, float64 finite differences, Keras 3 (JAX) values and
autodiff, both hard_sigmoid forms, the kinks' one-sided values, and the refusals of run_activation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from app.engine.activation_values import run_activation
from app.engine.activations import (
    ELEMENTWISE,
    derivative,
    forward,
    scalar,
    softmax,
    softmax_jacobian,
    softmax_jacobian_naive,
)
from app.engine.errors import EngineError
from app.engine.limits import ACT_MAX_SOFTMAX, ACT_MAX_X

FORMS = [(n, 2) for n in ELEMENTWISE] + [("hard_sigmoid", 3)]
KERAS = json.loads((Path(__file__).resolve().parent.parent / "data" / "keras_activations.json").read_text())
KINKS = {("relu", 2): [0.0], ("hard_sigmoid", 2): [-2.5, 2.5], ("hard_sigmoid", 3): [-3.0, 3.0]}


def closed_form(name, keras, v):
    """y and dy from the textbook formulas, with math (not NumPy)."""
    if name == "linear":
        return v, 1.0
    if name == "relu":
        return max(v, 0.0), 1.0 if v > 0 else 0.0
    if name == "sigmoid":
        s = 1 / (1 + math.exp(-v)) if v > -700 else 0.0
        return s, math.exp(-abs(v)) / (1 + math.exp(-abs(v))) ** 2
    if name == "tanh":
        return math.tanh(v), 1 / math.cosh(v) ** 2 if abs(v) < 700 else 0.0
    lo, hi, slope = (-2.5, 2.5, 0.2) if keras == 2 else (-3.0, 3.0, 1 / 6)
    y = 0.0 if v <= lo else 1.0 if v >= hi else slope * (v - lo)
    return y, slope if lo < v < hi else 0.0


POINTS = [-800.0, -40.0, -7.3, -3.2, -1.0, -0.123, 0.0, 0.3, 1.0, 2.0, 2.7, 6.0, 19.5, 40.0, 800.0, 1e9]


@pytest.mark.parametrize("name, keras", FORMS)
def test_values_and_derivatives_match_closed_forms(name, keras):
    x = np.array(POINTS)
    y, dy = forward(name, x, keras), derivative(name, x, keras)
    for v, a, b in zip(POINTS, y.tolist(), dy.tolist(), strict=True):
        ry, rdy = closed_form(name, keras, v)
        assert a == pytest.approx(ry, rel=1e-12, abs=1e-15), f"{name}({v}): mine {a} vs closed form {ry}"
        if not (name == "relu" and v == 0):
            assert b == pytest.approx(rdy, rel=1e-9, abs=1e-300), f"{name}'({v}): mine {b} vs closed form {rdy}"


def test_derivatives_stay_accurate_where_y_rounds_to_one():
    """1 − tanh² and y(1 − y) would give 0 at 20 and 40; the derivatives are written in x instead."""
    assert derivative("tanh", np.array([20.0]))[0] == pytest.approx(1 / math.cosh(20.0) ** 2, rel=1e-12)
    assert derivative("sigmoid", np.array([40.0]))[0] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)) ** 2,
                                                                      rel=1e-12)
    assert forward("sigmoid", np.array([-800.0]))[0] == 0.0 and forward("sigmoid", np.array([800.0]))[0] == 1.0


@pytest.mark.parametrize("name, keras", FORMS)
def test_derivatives_match_float64_finite_differences(name, keras):
    rng = np.random.default_rng(7)
    x = rng.uniform(-6, 6, size=400)
    for k in KINKS.get((name, keras), []):
        x = x[np.abs(x - k) > 1e-4]                      # away from the kinks
    h = 1e-6
    fd = (forward(name, x + h, keras) - forward(name, x - h, keras)) / (2 * h)
    np.testing.assert_allclose(derivative(name, x, keras), fd, rtol=1e-6, atol=1e-9,
                               err_msg=f"{name} (Keras {keras}): mine vs finite differences")


def test_hard_sigmoid_keras_2_and_3_differ_as_documented():
    x = np.array([-3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0])
    np.testing.assert_allclose(forward("hard_sigmoid", x, 2), [0, 0, 0.3, 0.5, 0.7, 1, 1], atol=1e-15)
    np.testing.assert_allclose(forward("hard_sigmoid", x, 3), [0, 1 / 12, 1 / 3, 0.5, 2 / 3, 11 / 12, 1], atol=1e-15)
    # the kinks: Keras 2 (TensorFlow's clip_by_value gradient) keeps the inside slope at ±2.5,
    # Keras 3 (relu6's gradient) takes 0 at ±3; ReLU takes 0 at 0
    np.testing.assert_array_equal(derivative("hard_sigmoid", x, 2), [0, 0.2, 0.2, 0.2, 0.2, 0.2, 0])
    np.testing.assert_array_equal(derivative("hard_sigmoid", np.array([-3.0, -2.9, 2.9, 3.0]), 3),
                                  [0, 1 / 6, 1 / 6, 0])
    assert derivative("relu", np.array([0.0]))[0] == 0.0
    # the lecture's LSTM gate: hard_sigmoid(90) = 1 and hard_sigmoid(-10) = 0 in both forms
    for keras in (2, 3):
        np.testing.assert_array_equal(forward("hard_sigmoid", np.array([90.0, -10.0]), keras), [1, 0])


@pytest.mark.parametrize("name", ["linear", "relu", "sigmoid", "tanh", "hard_sigmoid_2", "hard_sigmoid_3"])
def test_matches_keras_3_and_jax_autodiff(name):
    """Keras 3.15 (JAX, float32) values within 1e-5 everywhere; JAX's derivatives everywhere except where JAX splits a
    tie (Keras 2's formula through jnp.clip at ±2.5: 0.1, where TensorFlow, Keras 2's backend, gives 0.2)."""
    ref = KERAS["functions"][name]
    base, keras = (name[:-2], int(name[-1])) if name.startswith("hard") else (name, 2)
    x = np.array(KERAS["x"], dtype=np.float32).astype(np.float64)   # the float32 points Keras saw
    np.testing.assert_allclose(forward(base, x, keras), ref["y"], rtol=1e-5, atol=1e-6,
                               err_msg=f"{name}: mine vs Keras")
    dy = derivative(base, x, keras)
    tie = np.isin(x, [-2.5, 2.5]) if name == "hard_sigmoid_2" else np.zeros(x.size, bool)
    np.testing.assert_allclose(dy[~tie], np.array(ref["dy"])[~tie], rtol=1e-5, atol=1e-6,
                               err_msg=f"{name}': mine vs JAX autodiff")
    if name == "hard_sigmoid_2":
        assert np.array(ref["dy"])[tie].tolist() == pytest.approx([0.1, 0.1]) and dy[tie].tolist() == [0.2, 0.2]


def test_softmax_matches_keras_and_jax_jacobian():
    for case in KERAS["softmax"]:
        z = np.array(case["x"])
        np.testing.assert_allclose(softmax(z), case["y"], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(softmax_jacobian(z), case["jacobian"], rtol=1e-4, atol=1e-7)


def test_softmax_jacobian_against_naive_reference_and_finite_differences():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 17):
        z = rng.normal(size=n) * 3
        J = softmax_jacobian(z)
        np.testing.assert_allclose(J, softmax_jacobian_naive(z.tolist()), rtol=1e-12, atol=1e-15,
                                   err_msg="mine vs naive")
        h = 1e-6
        fd = np.stack([(softmax(z + h * e) - softmax(z - h * e)) / (2 * h) for e in np.eye(n)], axis=1)
        np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-9, err_msg="Jacobian vs finite differences")
        np.testing.assert_allclose(J.sum(axis=0), 0, atol=1e-15)      # Σᵢ yᵢ = 1 whatever z
        np.testing.assert_allclose(derivative("softmax", z), np.diag(J), rtol=1e-12)
    np.testing.assert_allclose(softmax(np.array([1000.0, 1000.0, -1000.0])), [0.5, 0.5, 0.0])


def test_softmax_keeps_float32_for_the_mnist_model():
    z = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    assert softmax(z).dtype == np.float32
    assert softmax(z)[0].tolist() == pytest.approx([0.09003057, 0.24472847, 0.66524096], rel=1e-6)


@pytest.mark.parametrize("name, keras", FORMS)
def test_scalar_reference_agrees_with_vectorised(name, keras):
    x = np.random.default_rng(5).normal(size=50) * 4
    np.testing.assert_allclose(forward(name, x, keras), [scalar(name, v, keras) for v in x.tolist()],
                               rtol=1e-14, atol=1e-15, err_msg="mine vs scalar reference")


def test_run_activation_answers():
    r = run_activation("hard_sigmoid", [-3, -2.5, 0, 1, 2.5, 3])
    assert r["keras"] == 2 and r["y"] == [0, 0, 0.5, 0.7, 1, 1] and r["dy"] == [0, 0.2, 0.2, 0.2, 0.2, 0]
    assert r["kinks"] == [-2.5, 2.5] and r["jacobian"] is None and r["formula"] == "clip(0.2x + 0.5, 0, 1)"
    r3 = run_activation("hard_sigmoid", [1], keras=3)
    assert r3["keras"] == 3 and r3["y"] == [pytest.approx(2 / 3)] and r3["kinks"] == [-3, 3]
    t = run_activation("tanh", [0, 1], keras=3)
    assert t["keras"] is None and t["y"] == [0, pytest.approx(math.tanh(1))] and t["dy"][0] == 1
    s = run_activation("softmax", [1, 2, 3])
    assert len(s["jacobian"]) == 3 and s["dy"] == pytest.approx([row[i] for i, row in enumerate(s["jacobian"])])
    assert sum(s["y"]) == pytest.approx(1) and s["y"][2] == pytest.approx(0.6652409557748219)
    assert run_activation("relu", [-1, 0, 2])["dy"] == [0, 0, 1]


@pytest.mark.parametrize("kwargs, field", [
    ({"name": "swish", "x": [1]}, "name"),
    ({"name": None, "x": [1]}, "name"),
    ({"name": "tanh", "x": []}, "x"),
    ({"name": "tanh", "x": [[1, 2]]}, "x"),
    ({"name": "tanh", "x": [1, "2"]}, "x.1"),
    ({"name": "tanh", "x": [True]}, "x.0"),
    ({"name": "tanh", "x": [float("nan")]}, "x"),
    ({"name": "tanh", "x": [2e9]}, "x"),
    ({"name": "tanh", "x": [0.0] * (ACT_MAX_X + 1)}, "x"),
    ({"name": "softmax", "x": [0.0] * (ACT_MAX_SOFTMAX + 1)}, "x"),
    ({"name": "hard_sigmoid", "x": [1], "keras": 1}, "keras"),
    ({"name": "hard_sigmoid", "x": [1], "keras": True}, "keras"),
    ({"name": "hard_sigmoid", "x": [1], "keras": "3"}, "keras"),
])
def test_run_activation_refusals(kwargs, field):
    with pytest.raises(EngineError) as err:
        run_activation(**kwargs)
    assert err.value.field == field and err.value.rule


def test_caps_admit_their_limits():
    assert len(run_activation("tanh", [0.5] * ACT_MAX_X)["y"]) == ACT_MAX_X
    assert len(run_activation("softmax", [0.5] * ACT_MAX_SOFTMAX)["jacobian"]) == ACT_MAX_SOFTMAX


def test_each_formula_defines_its_function_without_naming_it():
    """/activations shows `formula`: "tanh(x) = tanh(x)" defined nothing (found by a newcomer's review)."""
    from app.engine.activation_values import FORMULAS
    for key, (y, _) in FORMULAS.items():
        name = key[0] if isinstance(key, tuple) else key
        assert f"{name}(" not in y, (key, y)
