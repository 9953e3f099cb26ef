"""Conv2D as Keras computes it: channels_last cross-correlation, kernel (kh, kw, C, F), bias (F,).

The vectorised path is im2col + one matmul; `conv2d_naive` is the slow loop it is tested against.
"""

from __future__ import annotations

import numpy as np

from ..errors import EngineError
from ..padding import output_size, resolve_padding


def _pad(x, pads):
    if pads.top == pads.bottom == pads.left == pads.right == 0:
        return x
    return np.pad(x, ((0, 0), (pads.top, pads.bottom), (pads.left, pads.right), (0, 0)))


def _geometry(x_shape, W_shape, strides, padding, dilation):
    n, h, w, c = x_shape
    kh, kw, c_w, f = W_shape
    if c != c_w:
        raise EngineError("kernel", f"expects {c_w} input channels, the input has {c}")
    pads = resolve_padding(padding, (h, w), (kh, kw), strides, dilation)
    oh = output_size(h + pads.top + pads.bottom, kh, strides[0], dilation[0])
    ow = output_size(w + pads.left + pads.right, kw, strides[1], dilation[1])
    if oh <= 0 or ow <= 0:
        raise EngineError("kernel", "is larger than the padded input")
    return pads, oh, ow


def im2col(xp, kh, kw, oh, ow, strides=(1, 1), dilation=(1, 1)):
    """Padded (N, Hp, Wp, C) -> (N, oh, ow, kh, kw, C): one patch per output position."""
    (sh, sw), (dh, dw) = strides, dilation
    n, c = xp.shape[0], xp.shape[3]
    cols = np.empty((n, oh, ow, kh, kw, c), dtype=xp.dtype)
    for i in range(kh):
        for j in range(kw):
            r, s = i * dh, j * dw
            cols[:, :, :, i, j, :] = xp[:, r:r + sh * (oh - 1) + 1:sh, s:s + sw * (ow - 1) + 1:sw, :]
    return cols


def col2im(dcols, xp_shape, strides=(1, 1), dilation=(1, 1)):
    """Adjoint of im2col: (N, oh, ow, kh, kw, C) -> (N, Hp, Wp, C), summing overlapping taps."""
    (sh, sw), (dh, dw) = strides, dilation
    _, oh, ow, kh, kw, _ = dcols.shape
    dxp = np.zeros(xp_shape, dtype=dcols.dtype)
    for i in range(kh):
        for j in range(kw):
            r, s = i * dh, j * dw
            dxp[:, r:r + sh * (oh - 1) + 1:sh, s:s + sw * (ow - 1) + 1:sw, :] += dcols[:, :, :, i, j, :]
    return dxp


CHUNK_FLOATS = 1 << 21  # im2col a few samples at a time, so each cols block (~8 MB) stays in cache


def _chunks(n, patch_floats):
    step = max(1, CHUNK_FLOATS // max(1, patch_floats))
    return [(s, min(n, s + step)) for s in range(0, n, step)]


def conv2d_forward(x, W, b, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """x (N, H, W, C), W (kh, kw, C, F), b (F,) -> y (N, oh, ow, F), cache.

    y = im2col(x_padded) @ W.reshape(kh·kw·C, F) + b, done in batch chunks.
    """
    pads, oh, ow = _geometry(x.shape, W.shape, strides, padding, dilation)
    kh, kw, c, f = W.shape
    n = x.shape[0]
    xp = _pad(x, pads)
    W2 = W.reshape(kh * kw * c, f)  # (patch, F)
    y = np.empty((n, oh, ow, f), dtype=np.result_type(x, W))
    for s, e in _chunks(n, oh * ow * kh * kw * c):
        cols = im2col(xp[s:e], kh, kw, oh, ow, strides, dilation)  # (n', oh, ow, kh, kw, C)
        cols2 = cols.reshape((e - s) * oh * ow, kh * kw * c)  # (positions, patch)
        np.matmul(cols2, W2, out=y[s:e].reshape((e - s) * oh * ow, f))
    y += b
    cache = (xp, x.shape, W, pads, tuple(strides), tuple(dilation))
    return y, cache


def conv2d_backward(dy, cache, need_dx=True):
    """dy (N, oh, ow, F) -> dx (N, H, W, C) or None, dW (kh, kw, C, F), db (F,).

    dW = colsᵀ @ dy, with cols rebuilt chunk by chunk from the padded input.
    dx = col2im(dy @ Wᵀ), done one kernel tap at a time: tap (p, q) sends dy @ W[p, q]ᵀ back to
    the input pixels it read, xp[:, p·dh + i·sh, q·dw + j·sw, :], so the (positions, patch) matrix
    is never built.
    """
    xp, x_shape, W, pads, strides, dilation = cache
    (sh, sw), (dh, dw) = strides, dilation
    kh, kw, c, f = W.shape
    n, oh, ow, _ = dy.shape
    W2 = W.reshape(kh * kw * c, f)  # (patch, F)
    dW2 = np.zeros_like(W2)
    for s, e in _chunks(n, oh * ow * kh * kw * c):
        m = (e - s) * oh * ow
        cols2 = im2col(xp[s:e], kh, kw, oh, ow, strides, dilation).reshape(m, kh * kw * c)
        dW2 += cols2.T @ dy[s:e].reshape(m, f)  # (patch, F)
    dy2 = dy.reshape(n * oh * ow, f)  # (positions, F)
    db = dy2.sum(axis=0)
    if not need_dx:
        return None, dW2.reshape(W.shape), db
    dxp = np.zeros(xp.shape, dtype=dy.dtype)
    for p in range(kh):
        for q in range(kw):
            r, t = p * dh, q * dw
            dxp[:, r:r + sh * (oh - 1) + 1:sh, t:t + sw * (ow - 1) + 1:sw, :] += (
                dy2 @ W[p, q].T).reshape(n, oh, ow, c)
    h, w = x_shape[1], x_shape[2]
    dx = dxp[:, pads.top:pads.top + h, pads.left:pads.left + w, :]
    return dx, dW2.reshape(W.shape), db


def conv2d_naive(x, W, b, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """The obvious loop, the reference for tests and traces:

    y[n, i, j, f] = b[f] + Σ_{p,q,c} xp[n, i·sh + p·dh, j·sw + q·dw, c] · W[p, q, c, f]
    """
    pads, oh, ow = _geometry(x.shape, W.shape, strides, padding, dilation)
    kh, kw, c, f = W.shape
    xp = _pad(x, pads)
    y = np.zeros((x.shape[0], oh, ow, f), dtype=np.result_type(x, W))
    for n in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                for k in range(f):
                    acc = b[k]
                    for p in range(kh):
                        for q in range(kw):
                            for ch in range(c):
                                r, s = i * strides[0] + p * dilation[0], j * strides[1] + q * dilation[1]
                                acc += xp[n, r, s, ch] * W[p, q, ch, k]
                    y[n, i, j, k] = acc
    return y


def conv2d_cell(x, W, b, n, i, j, f, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """The arithmetic of one output value y[n, i, j, f], as plain lists for a page to show.

    -> {"rows": [kh input rows], "cols": [kw input cols] (negative or ≥ H/W means padding),
        "patch": (kh, kw, C), "weights": (kh, kw, C), "products": (kh, kw, C),
        "sum": Σ products, "bias": b[f], "value": sum + bias}
    """
    pads, oh, ow = _geometry(x.shape, W.shape, strides, padding, dilation)
    if not (0 <= n < x.shape[0] and 0 <= i < oh and 0 <= j < ow and 0 <= f < W.shape[3]):
        raise EngineError("cell", f"must index into the output (N={x.shape[0]}, {oh}, {ow}, {W.shape[3]})")
    kh, kw = W.shape[:2]
    xp = _pad(x[n:n + 1], pads)[0]
    r0, c0 = i * strides[0], j * strides[1]
    (dh, dw) = dilation
    patch = xp[r0:r0 + (kh - 1) * dh + 1:dh, c0:c0 + (kw - 1) * dw + 1:dw, :]  # (kh, kw, C)
    products = patch * W[..., f]
    total = float(products.sum(dtype=np.float64))
    return {"rows": [r0 + p * dilation[0] - pads.top for p in range(kh)],
            "cols": [c0 + q * dilation[1] - pads.left for q in range(kw)],
            "patch": patch.tolist(), "weights": W[..., f].tolist(), "products": products.tolist(),
            "sum": total, "bias": float(b[f]), "value": total + float(b[f])}
