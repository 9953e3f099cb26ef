"""Dense, ReLU, Dropout, Flatten and softmax cross-entropy, each a forward/backward pair."""

from __future__ import annotations

import numpy as np

from ..activations import softmax  # noqa: F401  z (N, K) -> probabilities (N, K), stable


def dense_forward(x, W, b):
    """x (N, D), W (D, U), b (U,) -> y (N, U)."""
    return x @ W + b, (x, W)


def dense_backward(dy, cache):
    """dy (N, U) -> dx (N, D), dW (D, U), db (U,)."""
    x, W = cache
    return dy @ W.T, x.T @ dy, dy.sum(axis=0)


def relu_forward(x):
    y = np.maximum(x, 0)
    return y, y > 0


def relu_backward(dy, cache):
    return dy * cache  # a new array: dy is never written to


def dropout_forward(x, rate, rng=None, training=True, mask=None):
    """Inverted dropout: keep with probability 1 - rate and scale by 1 / (1 - rate).

    Pass `mask` (the already scaled keep mask) to make it deterministic, e.g. in tests.
    """
    if not training or rate == 0:
        return x, None
    if mask is None:
        keep = 1.0 - rate
        mask = (rng.random(x.shape, dtype=np.float32) < keep).astype(x.dtype) / np.asarray(keep, x.dtype)
    return x * mask, mask


def dropout_backward(dy, cache):
    return dy if cache is None else dy * cache


def flatten_forward(x):
    """(N, ...) -> (N, prod(...)), row-major like Keras' Flatten on channels_last."""
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward(dy, cache):
    return dy.reshape(cache)


def softmax_ce_forward(z, labels):
    """Mean cross-entropy of softmax(z) against integer labels (N,) -> (loss, cache)."""
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), labels].mean()
    return float(loss), (np.exp(log_p), labels)


def softmax_ce_backward(cache, dloss=1.0):
    """d loss / dz = (softmax(z) - onehot) / N, times the upstream scalar."""
    p, labels = cache
    n = p.shape[0]
    dz = p.copy()
    dz[np.arange(n), labels] -= 1
    return dz * np.asarray(dloss / n, dtype=p.dtype)
