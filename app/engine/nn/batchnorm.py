"""Batch normalisation over (N, H, W) per channel, channels_last — a training aid only.

The app trains with it and ships without it: `fold_into_conv` merges a BatchNorm that follows a conv
layer into that conv's kernel and bias, so the shipped model keeps the layer kinds the pages explain.

    forward (training): μ = mean(x), σ² = var(x) over (N, H, W); x̂ = (x − μ) / √(σ² + ε); y = γ·x̂ + β
    forward (inference): the same with the population μ, σ² (from `population_statistics`)
    backward: dβ = Σ dy, dγ = Σ dy·x̂, dx = γ / (M·√(σ² + ε)) · (M·dy − Σ dy − x̂·Σ dy·x̂), M = N·H·W
"""

from __future__ import annotations

import numpy as np

EPS = 1e-3  # Keras' BatchNormalization default


def batchnorm_forward(x, gamma, beta, mean=None, var=None, eps=EPS):
    """x (..., C) -> y (..., C), cache. With mean and var given, they are used instead of the batch's."""
    axes = tuple(range(x.ndim - 1))
    if mean is None:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
    inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
    xhat = (x - mean.astype(x.dtype)) * inv_std
    y = xhat * gamma + beta
    return y, (xhat, gamma, inv_std)


def batchnorm_backward(dy, cache):
    """dy (..., C) -> dx (..., C), dgamma (C,), dbeta (C,), for the training-mode forward."""
    xhat, gamma, inv_std = cache
    axes = tuple(range(dy.ndim - 1))
    m = dy.size // dy.shape[-1]
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * xhat).sum(axis=axes)
    dx = (gamma * inv_std / m) * (m * dy - dbeta - xhat * dgamma)
    return dx.astype(dy.dtype, copy=False), dgamma, dbeta


def batchnorm_naive(x, gamma, beta, eps=EPS):
    """The loop reference: every channel normalised by its own batch mean and variance."""
    y = np.empty_like(x)
    for c in range(x.shape[-1]):
        v = x[..., c]
        mu = sum(v.ravel()) / v.size
        var = sum((t - mu) ** 2 for t in v.ravel()) / v.size
        y[..., c] = gamma[c] * (v - mu) / np.sqrt(var + eps) + beta[c]
    return y


def fold_into_conv(W, b, gamma, beta, mean, var, eps=EPS):
    """conv (W (kh, kw, C, F), b (F,)) followed by BatchNorm (inference) -> one conv (W', b'):
    W' = W · γ/√(σ² + ε) per output channel, b' = (b − μ) · γ/√(σ² + ε) + β."""
    scale = gamma / np.sqrt(var + eps)
    return (W * scale).astype(W.dtype), ((b - mean) * scale + beta).astype(b.dtype)
