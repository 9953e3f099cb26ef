"""Activations of the recurrent layers by their Keras names, with derivatives for BPTT.

hard_sigmoid is Keras 2's `clip(0.2·x + 0.5, 0, 1)` (the lecture's Keras). Keras 3 changed it to
`clip(x / 6 + 0.5, 0, 1)`; the lecture's numbers need the Keras 2 form.
"""

from __future__ import annotations

import math

import numpy as np

from ..activations import ACTIVATIONS as BASE

NAMES = ("tanh", "sigmoid", "relu", "linear", "hard_sigmoid")


def hard_sigmoid(z):
    return np.clip(0.2 * np.asarray(z, dtype=float) + 0.5, 0.0, 1.0)


def act(name: str, z: np.ndarray) -> np.ndarray:
    return hard_sigmoid(z) if name == "hard_sigmoid" else BASE[name](np.asarray(z, dtype=float))


def dact(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d act(z) / dz, given the pre-activation z and y = act(z)."""
    if name == "tanh":
        return 1.0 - y * y
    if name == "sigmoid":
        return y * (1.0 - y)
    if name == "relu":
        return (z > 0).astype(float)
    if name == "hard_sigmoid":
        return np.where((z > -2.5) & (z < 2.5), 0.2, 0.0)
    return np.ones_like(z, dtype=float)


def scalar_act(name: str, v: float) -> float:
    """One number at a time, written independently of `act` (the naive references use it)."""
    if name == "tanh":
        return math.tanh(v)
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))
    if name == "relu":
        return v if v > 0 else 0.0
    if name == "hard_sigmoid":
        return min(1.0, max(0.0, 0.2 * v + 0.5))
    return v
