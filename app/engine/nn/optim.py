"""Optimisers over a dict of parameter arrays, updated in place."""

from __future__ import annotations

import math

import numpy as np


class Adam:
    """Adam (Kingma & Ba): m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − lr·m̂ / (√v̂ + ε)."""

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, params, grads, lr=None):
        lr = self.lr if lr is None else lr
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step = lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)  # bias corrections folded in
        for k, g in grads.items():
            m, v = self.m[k], self.v[k]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            params[k] -= (step * m / (np.sqrt(v) + self.eps)).astype(params[k].dtype, copy=False)


def cosine_lr(step, total_steps, lr_max, lr_min=0.0, warmup=0):
    """Linear warm-up, then cosine decay from lr_max to lr_min."""
    if step < warmup:
        return lr_max * (step + 1) / warmup
    t = min(1.0, (step - warmup) / max(1, total_steps - warmup))
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t))
