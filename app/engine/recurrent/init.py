"""Keras' default initialisers, drawn from NumPy with a seed (same laws as Keras, not the same bits).

kernel: glorot_uniform, U(−limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).
recurrent_kernel: orthogonal, the Q of a QR of a normal matrix with the signs of diag(R), shape (u, k·u):
    Keras draws (max(rows, cols), min(rows, cols)) and transposes when rows < cols, so rows are orthonormal.
bias: zeros; LSTM's unit_forget_bias puts 1 in the forget block.
"""

from __future__ import annotations

import numpy as np


def glorot_uniform(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def orthogonal(shape: tuple[int, int], rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    rows, cols = shape
    a = rng.normal(0.0, 1.0, size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))  # sign correction: a uniform (Haar) orthogonal matrix
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


def default_bias(units: int, blocks: int, unit_forget_bias: bool = False, rows: int = 1) -> np.ndarray:
    b = np.zeros((rows, blocks * units)) if rows > 1 else np.zeros(blocks * units)
    if unit_forget_bias:
        b[units:2 * units] = 1.0  # Keras LSTM: blocks i, f, c, o -> ones in f
    return b
