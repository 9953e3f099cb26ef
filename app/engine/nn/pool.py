"""MaxPool2D, channels_last, 'valid' padding (Keras' default).

The forward keeps, for every output cell, which tap of its window held the maximum (`arg`, int8, the
first maximal tap on ties, as TensorFlow); the backward sends each cell's gradient to that tap.
When the windows tile the input (strides == pool size, the usual 2×2) each tap is one strided view
of the input, and a 2×2 window is settled by a tournament: (tap 0 vs 1), (tap 2 vs 3), then the winners.
"""

from __future__ import annotations

import numpy as np

from ..errors import EngineError
from ..padding import output_size


def _taps(x, ph, pw, sh, sw, oh, ow):
    """The ph·pw strided views x[:, i::sh, j::sw] of shape (N, oh, ow, C), tap index t = i·pw + j."""
    return [x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
            for i in range(ph) for j in range(pw)]


def _max_2x2(t0, t1, t2, t3):
    """Tournament over four taps -> (max, arg int8): strict '>' keeps the earlier tap on ties."""
    a, b = t1 > t0, t3 > t2
    m01, m23 = np.maximum(t0, t1), np.maximum(t2, t3)
    c = m23 > m01
    arg = np.where(c, b, a).view(np.int8)  # tap within the winning pair
    arg += c.view(np.int8) * np.int8(2)  # the second pair is taps 2 and 3
    return np.maximum(m01, m23, out=m01), arg


def _window_taps(x, pool, strides):
    """The pool's taps over x (see _taps), the output's size checked; strides default to the pool size."""
    ph, pw = pool
    sh, sw = strides or pool
    n, h, w, c = x.shape
    oh, ow = output_size(h, ph, sh), output_size(w, pw, sw)
    if oh <= 0 or ow <= 0:
        raise EngineError("pool_size", "is larger than the input")
    return _taps(x, ph, pw, sh, sw, oh, ow)


def maxpool2d_forward(x, pool=(2, 2), strides=None):
    """x (N, H, W, C) -> y (N, oh, ow, C), cache. strides default to the pool size."""
    taps = _window_taps(x, pool, strides)
    if tuple(pool) == (2, 2):
        y, arg = _max_2x2(*taps)
    else:
        y = taps[0].copy()
        arg = np.zeros(y.shape, dtype=np.int8 if len(taps) < 128 else np.int16)  # which tap held the max
        for t, xt in enumerate(taps[1:], start=1):
            np.copyto(arg, t, where=xt > y)  # strictly greater: the first maximal tap wins ties
            np.maximum(y, xt, out=y)
    return y, (arg, x.shape, tuple(pool), tuple(strides or pool))


def maxpool2d_infer(x, pool=(2, 2), strides=None):
    """The forward's output alone (no record of the winning taps, for inference): y (N, oh, ow, C).
    2×2 tiles take two steps: the larger of each pair of rows, then of each pair of columns."""
    if tuple(pool) == (2, 2) and tuple(strides or pool) == (2, 2):
        n, h, w, c = x.shape
        if h < 2 or w < 2:
            raise EngineError("pool_size", "is larger than the input")
        oh, ow = h // 2, w // 2
        rows = np.maximum(x[:, 0:2 * oh:2], x[:, 1:2 * oh:2])
        return np.maximum(rows[:, :, 0:2 * ow:2], rows[:, :, 1:2 * ow:2])
    taps = _window_taps(x, pool, strides)
    y = np.maximum(taps[0], taps[1]) if len(taps) > 1 else taps[0].copy()
    for xt in taps[2:]:
        np.maximum(y, xt, out=y)
    return y


def maxpool2d_backward(dy, cache):
    """dy (N, oh, ow, C) -> dx (N, H, W, C): each window's gradient goes to its max."""
    arg, x_shape, (ph, pw), (sh, sw) = cache
    n, oh, ow, c = dy.shape
    if (sh, sw) == (ph, pw):  # windows tile the input: each tap's cells are written exactly once
        dx = np.empty(x_shape, dtype=dy.dtype)
        if oh * ph < x_shape[1]:
            dx[:, oh * ph:] = 0  # rows and columns no window covers
        if ow * pw < x_shape[2]:
            dx[:, :, ow * pw:] = 0
        for t, dxt in enumerate(_taps(dx, ph, pw, sh, sw, oh, ow)):
            np.multiply(dy, arg == t, out=dxt)
        return dx
    dx = np.zeros(x_shape, dtype=dy.dtype)
    for t, dxt in enumerate(_taps(dx, ph, pw, sh, sw, oh, ow)):
        dxt += np.where(arg == t, dy, 0)  # += because overlapping windows share inputs
    return dx


def maxpool2d_naive(x, pool=(2, 2), strides=None):
    ph, pw = pool
    sh, sw = strides or pool
    n, h, w, c = x.shape
    oh, ow = output_size(h, ph, sh), output_size(w, pw, sw)
    y = np.empty((n, oh, ow, c), dtype=x.dtype)
    for a in range(n):
        for i in range(oh):
            for j in range(ow):
                for k in range(c):
                    y[a, i, j, k] = x[a, i * sh:i * sh + ph, j * sw:j * sw + pw, k].max()
    return y
