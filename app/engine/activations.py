"""Activation functions by their Keras names."""

from __future__ import annotations

import numpy as np

from .errors import EngineError


def _sigmoid(z):
    # numerically stable: no overflow warning for large |z|
    out = np.empty_like(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


ACTIVATIONS = {
    "linear": lambda z: np.asarray(z, dtype=float) * 1.0,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: _sigmoid(np.asarray(z, dtype=float)),
    "tanh": np.tanh,
}


def activation(name: str | None, field: str = "activation", allowed=None):
    """The function for a Keras activation name (None means linear)."""
    key = "linear" if name is None else str(name).lower()
    names = allowed or tuple(ACTIVATIONS)
    if key not in names or key not in ACTIVATIONS:
        raise EngineError(field, "must be one of " + ", ".join(repr(n) for n in names))
    return ACTIVATIONS[key]
