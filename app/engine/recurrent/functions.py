"""The recurrent layers' activations by their Keras names, from app/engine/activations.py (one place).

hard_sigmoid here is Keras 2's `clip(0.2·x + 0.5, 0, 1)` (the lecture's Keras); Keras 3 changed it to
`clip(x / 6 + 0.5, 0, 1)`. The lecture's numbers need the Keras 2 form.
"""

from __future__ import annotations

import numpy as np

from ..activations import ELEMENTWISE, derivative, forward, scalar

NAMES = ("tanh", "sigmoid", "relu", "linear", "hard_sigmoid")
assert set(NAMES) <= set(ELEMENTWISE)


def act(name: str, z: np.ndarray) -> np.ndarray:
    return forward(name, z, keras=2)


def dact(name: str, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """d act(z) / dz at the pre-activation z (y = act(z) is not needed: the derivatives are written in z)."""
    return derivative(name, z, keras=2)


def scalar_act(name: str, v: float) -> float:
    """One number at a time, written independently of `act` (the naive references use it)."""
    return scalar(name, v, keras=2)
