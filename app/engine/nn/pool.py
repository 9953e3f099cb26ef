"""MaxPool2D, channels_last, 'valid' padding (Keras' default)."""

from __future__ import annotations

import numpy as np

from ..errors import EngineError
from ..padding import output_size


def _taps(x, ph, pw, sh, sw, oh, ow):
    """The ph·pw strided views x[:, i::sh, j::sw] of shape (N, oh, ow, C), tap index t = i·pw + j."""
    return [x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
            for i in range(ph) for j in range(pw)]


def maxpool2d_forward(x, pool=(2, 2), strides=None):
    """x (N, H, W, C) -> y (N, oh, ow, C), cache. strides default to the pool size."""
    ph, pw = pool
    sh, sw = strides or pool
    n, h, w, c = x.shape
    oh, ow = output_size(h, ph, sh), output_size(w, pw, sw)
    if oh <= 0 or ow <= 0:
        raise EngineError("pool_size", "is larger than the input")
    taps = _taps(x, ph, pw, sh, sw, oh, ow)
    y = taps[0].copy()
    arg = np.zeros(y.shape, dtype=np.int16)  # (N, oh, ow, C): which tap held the max
    for t, xt in enumerate(taps[1:], start=1):
        np.copyto(arg, t, where=xt > y)  # strictly greater: the first maximal tap wins ties
        np.maximum(y, xt, out=y)
    return y, (arg, x.shape, (ph, pw), (sh, sw))


def maxpool2d_backward(dy, cache):
    """dy (N, oh, ow, C) -> dx (N, H, W, C): each window's gradient goes to its max."""
    arg, x_shape, (ph, pw), (sh, sw) = cache
    n, oh, ow, c = dy.shape
    if (sh, sw) == (ph, pw):  # windows tile the input: route dy in one pass, no accumulation
        t = np.arange(ph * pw, dtype=arg.dtype).reshape(1, 1, ph, 1, pw, 1)
        hit = arg[:, :, None, :, None, :] == t  # (N, oh, ph, ow, pw, C)
        d6 = np.where(hit, dy[:, :, None, :, None, :], 0)
        d6 = d6.astype(dy.dtype, copy=False).reshape(n, oh * ph, ow * pw, c)
        if d6.shape == tuple(x_shape):
            return d6
        dx = np.zeros(x_shape, dtype=dy.dtype)  # rows/columns no window covers get zero
        dx[:, :oh * ph, :ow * pw, :] = d6
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
