"""Activation functions by their Keras names, each with its derivative: one place for Conv2D, the recurrent
layers, the MNIST model's softmax and POST /api/activations.

    linear        y = z                                  dy = 1
    relu          y = max(z, 0)                          dy = 1 if z > 0 else 0 (0 at z = 0, as TF and JAX)
    sigmoid       y = 1 / (1 + e^−z)                     dy = σ(z)·σ(−z)  (= y·(1 − y), accurate where y rounds to 1)
    tanh          y = tanh z                             dy = 4e^−2|z| / (1 + e^−2|z|)²  (= 1 − y², likewise)
    hard_sigmoid  Keras 2: y = clip(0.2z + 0.5, 0, 1)    dy = 0.2 on −2.5 ≤ z ≤ 2.5, else 0
                  Keras 3: y = relu6(z + 3) / 6          dy = 1/6 on −3 < z < 3, else 0
                           (= clip(z/6 + 0.5, 0, 1))
    softmax       y = e^(z − max z) / Σ e^(z − max z)    over the last axis; J = diag(y) − y·yᵀ

hard_sigmoid changed between Keras 2 (the lecture's, `recurrent_activation='hard_sigmoid'` of its LSTM) and
Keras 3; `keras=2` is the default here because the lecture's numbers need it.

At a kink a derivative has two one-sided values; autodiff picks one, and so does this module, as Keras did:
- Keras 2 ran on TensorFlow, whose ClipByValue gradient passes where lo ≤ v ≤ hi (v = 0.2z + 0.5): at
  z = ±2.5 the slope inside, 0.2 (the right-hand derivative at −2.5, the left-hand one at 2.5).
- Keras 3 computes relu6(z + 3) / 6; relu6's gradient (TF's Relu6Grad and JAX's relu6 alike) is 1 only
  for 0 < u < 6: at z = ±3 the slope outside, 0.
- ReLU at 0: 0 (TF's ReluGrad and JAX take z > 0).
(JAX differentiating Keras 2's formula written with jnp.clip gives 0.1 at ±2.5, half of each side: its max and
min split ties. Only the kinks themselves differ.)

Softmax's derivative is a matrix: `derivative` gives its diagonal ∂yᵢ/∂zᵢ = yᵢ(1 − yᵢ), the number that belongs to
each input as for the elementwise functions; `softmax_jacobian` gives the whole of it.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import EngineError

ELEMENTWISE = ("linear", "relu", "sigmoid", "tanh", "hard_sigmoid")
NAMES = (*ELEMENTWISE, "softmax")
KERAS_VERSIONS = (2, 3)
KERAS3_HARD_SIGMOID = "hard_sigmoid_keras3"   # Keras 3's hard_sigmoid where a name alone must say the form
KINKS = {"relu": (0.0,), "hard_sigmoid": {2: (-2.5, 2.5), 3: (-3.0, 3.0)}}


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^−z) without overflow for large |z|: e^z / (1 + e^z) where z < 0."""
    z = np.asarray(z, dtype=float)
    ez = np.exp(-np.abs(z))                                   # ≤ 1: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def hard_sigmoid(z: np.ndarray, keras: int = 2) -> np.ndarray:
    """Keras 2: clip(0.2z + 0.5, 0, 1); Keras 3: relu6(z + 3) / 6, i.e. clip(z/6 + 0.5, 0, 1)."""
    z = np.asarray(z, dtype=float)
    if keras == 2:
        return np.clip(0.2 * z + 0.5, 0.0, 1.0)
    return np.clip(z + 3.0, 0.0, 6.0) / 6.0


def softmax(z: np.ndarray) -> np.ndarray:
    """Over the last axis, stable (the largest z is subtracted first): (..., K) -> (..., K), in z's float type."""
    z = np.asarray(z)
    if z.dtype.kind != "f":  # np.issubdtype's answer, at a tenth of its cost
        z = z.astype(float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def forward(name: str, z: np.ndarray, keras: int = 2) -> np.ndarray:
    """y = act(z) elementwise (softmax: over the last axis)."""
    z = np.asarray(z, dtype=float)
    if name == "linear":
        return z * 1.0
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "hard_sigmoid":
        return hard_sigmoid(z, keras)
    if name == "softmax":
        return softmax(z)
    raise KeyError(name)


def derivative(name: str, z: np.ndarray, keras: int = 2) -> np.ndarray:
    """d act(z) / dz elementwise, with the kinks' one-sided values chosen as above (softmax: the diagonal)."""
    z = np.asarray(z, dtype=float)
    if name == "linear":
        return np.ones_like(z)
    if name == "relu":
        return (z > 0).astype(float)
    if name == "sigmoid":
        return sigmoid(z) * sigmoid(-z)
    if name == "tanh":
        e = np.exp(-2.0 * np.abs(z))                          # ≤ 1
        return 4.0 * e / (1.0 + e) ** 2
    if name == "hard_sigmoid":
        if keras == 2:
            v = 0.2 * z + 0.5                                 # TF's mask is on clip's input
            return np.where((v >= 0.0) & (v <= 1.0), 0.2, 0.0)
        u = z + 3.0
        return np.where((u > 0.0) & (u < 6.0), 1.0 / 6.0, 0.0)
    if name == "softmax":
        y = softmax(z)
        return y * (1.0 - y)
    raise KeyError(name)


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    """(K,) -> (K, K): J[i, j] = ∂yᵢ/∂zⱼ = yᵢ(δᵢⱼ − yⱼ)."""
    y = softmax(np.asarray(z, dtype=float))
    return np.diag(y) - np.outer(y, y)


def softmax_jacobian_naive(z) -> list[list[float]]:
    """The same, one entry at a time from the definition (the test reference)."""
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    y = [v / s for v in e]
    return [[y[i] * ((1.0 if i == j else 0.0) - y[j]) for j in range(len(z))] for i in range(len(z))]


def scalar(name: str, v: float, keras: int = 2) -> float:
    """One number at a time, written independently of `forward` (the naive references use it)."""
    if name == "tanh":
        return math.tanh(v)
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))
    if name == "relu":
        return v if v > 0 else 0.0
    if name == "hard_sigmoid":
        return min(1.0, max(0.0, 0.2 * v + 0.5)) if keras == 2 else min(6.0, max(0.0, v + 3.0)) / 6.0
    return v


# Conv2D's activations, as callables (kept for app/engine/conv.py)
ACTIVATIONS = {name: (lambda z, _n=name: forward(_n, z)) for name in ("linear", "relu", "sigmoid", "tanh")}


def activation(name: str | None, field: str = "activation", allowed=None):
    """The function for a Keras activation name (None means linear)."""
    key = "linear" if name is None else str(name).lower()
    names = allowed or tuple(ACTIVATIONS)
    if key not in names or key not in ACTIVATIONS:
        raise EngineError(field, "must be one of " + ", ".join(repr(n) for n in names))
    return ACTIVATIONS[key]
