"""Conv2D as Keras computes it: channels_last cross-correlation, kernel (kh, kw, C, F), bias (F,).

The vectorised path is im2col + one matmul per block of samples; `conv2d_naive` is the slow loop it is
tested against. How it is laid out, because that is where the time goes:

- `windows(xp, ...)` is an as_strided VIEW (N, oh, ow, kh, kw, C) of the padded input: no copy.
- A few samples at a time (so each block stays in the CPU cache, ~2 MB) the view is copied into one
  contiguous patch matrix and multiplied by the kernel matrix W.reshape(kh·kw·C, F):
  * C ≥ 4: rows are output positions, `cols (positions, patch)`; y_block = cols @ W2 + b.
  * C < 4 (e.g. the first layer on a grey image): rows are kernel taps, `cols (patch + 1, positions)`,
    whose copy reads whole image rows; its last row is all ones and the kernel matrix has the bias as
    its last row, so y_block = colsᵀ @ [W2; b] adds the bias inside the matmul.
- Backward rebuilds each block's cols (cheaper than keeping them: they are in cache) and does
  dW += colsᵀ @ dy. In the tap-major layout the ones row gives db in the same matmul.
- dx: dcols = dy @ W2ᵀ, then col2im, kh·kw strided adds into the padded dx. With stride 1, dx can instead be
  computed as a convolution (`_dx_stride1`): dy padded by (k − 1)·dilation on each side, correlated with the
  kernel flipped in both axes and transposed (C ↔ F), at the input's own positions only. Its patch copy and its
  product grow with H·W·F, col2im's adds and dcols with oh·ow·C; it is used while H·W·F ≤ 1.5·oh·ow·C
  (`DX_BY_CONV_MAX`). Measured: conv2 (12×12×32 → 10×10×32, ratio 1.44) 9-13% faster that way; conv3
  (10×10×32 → 8×8×64, ratio 3.1) 11-23% faster by col2im; a 6×6 input under a 5×5 kernel (ratio 9) 2-5× faster by
  col2im.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..errors import EngineError
from ..padding import output_size, resolve_padding

BLOCK_FLOATS = 1 << 19  # floats in one block's patch matrix (2 MB in float32): it stays in cache
TAP_MAJOR_MAX_C = 3  # input channels up to which the patch matrix is laid out tap-major
DX_BY_CONV_MAX = 1.5  # stride-1 dx as a convolution while H·W·F ≤ this × oh·ow·C (the module's notes)


def _pad(x, pads):
    if pads.top == pads.bottom == pads.left == pads.right == 0:
        return x
    return np.pad(x, ((0, 0), (pads.top, pads.bottom), (pads.left, pads.right), (0, 0)))


_INT = {int}


def _geometry(x_shape, W_shape, strides, padding, dilation):
    """-> (Pads, oh, ow), checked; remembered for the shapes a server meets again and again (a string padding and
    plain ints only: the cache would take (2.0, 2.0) for (2, 2) and hand float sizes to a later call)."""
    key = (*x_shape, *W_shape, *strides, *dilation)
    if type(padding) is str and set(map(type, key)) == _INT:
        return _geometry_of(tuple(x_shape), tuple(W_shape), tuple(strides), padding, tuple(dilation))
    return _geometry_of.__wrapped__(x_shape, W_shape, strides, padding, dilation)


@lru_cache(maxsize=256)
def _geometry_of(x_shape, W_shape, strides, padding, dilation):
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


def windows(xp, kh, kw, oh, ow, strides=(1, 1), dilation=(1, 1)):
    """Padded (N, Hp, Wp, C) -> read-only view (N, oh, ow, kh, kw, C):
    windows[n, i, j, p, q, c] = xp[n, i·sh + p·dh, j·sw + q·dw, c]."""
    sn, sh_, sw_, sc = xp.strides
    (sh, sw), (dh, dw) = strides, dilation
    shape = (xp.shape[0], oh, ow, kh, kw, xp.shape[3])
    steps = (sn, sh_ * sh, sw_ * sw, sh_ * dh, sw_ * dw, sc)
    if not xp.flags.c_contiguous:
        return as_strided(xp, shape, steps, writeable=False)
    view = np.ndarray(shape, xp.dtype, buffer=xp, strides=steps)  # the same view, a third of as_strided's cost
    view.flags.writeable = False
    return view


def im2col(xp, kh, kw, oh, ow, strides=(1, 1), dilation=(1, 1)):
    """Padded (N, Hp, Wp, C) -> (N, oh, ow, kh, kw, C): one patch per output position (a copy)."""
    return np.ascontiguousarray(windows(xp, kh, kw, oh, ow, strides, dilation))


def col2im(dcols, xp_shape, strides=(1, 1), dilation=(1, 1), out=None):
    """Adjoint of im2col: (N, oh, ow, kh, kw, C) -> (N, Hp, Wp, C), summing overlapping taps.
    With `out` (zeros, shape xp_shape) the sums are added into it."""
    (sh, sw), (dh, dw) = strides, dilation
    _, oh, ow, kh, kw, _ = dcols.shape
    dxp = np.zeros(xp_shape, dtype=dcols.dtype) if out is None else out
    for p in range(kh):
        for q in range(kw):
            r, s = p * dh, q * dw
            dxp[:, r:r + sh * (oh - 1) + 1:sh, s:s + sw * (ow - 1) + 1:sw, :] += dcols[:, :, :, p, q, :]
    return dxp


def _blocks(n, patch_floats):
    step = max(1, BLOCK_FLOATS // max(1, patch_floats))
    return [(s, min(n, s + step)) for s in range(0, n, step)]


def conv2d_forward(x, W, b, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """x (N, H, W, C), W (kh, kw, C, F), b (F,) -> y (N, oh, ow, F), cache.

    y = im2col(x_padded) @ W.reshape(kh·kw·C, F) + b, a block of samples at a time.
    """
    strides, dilation = tuple(strides), tuple(dilation)
    pads, oh, ow = _geometry(x.shape, W.shape, strides, padding, dilation)
    kh, kw, c, f = W.shape
    n, k = x.shape[0], kh * kw * c
    dtype = np.result_type(x, W)
    xp = _pad(x, pads)
    view = windows(xp, kh, kw, oh, ow, strides, dilation)  # (N, oh, ow, kh, kw, C), no copy
    y = np.empty((n, oh, ow, f), dtype=dtype)
    blocks = _blocks(n, oh * ow * (k + 1))
    rows = (blocks[0][1] - blocks[0][0]) * oh * ow  # positions in the largest block
    if c <= TAP_MAJOR_MAX_C:
        Wb = np.concatenate([W.reshape(k, f), b.reshape(1, f)]).astype(dtype, copy=False)  # (patch + 1, F)
        buf = np.empty((k + 1, rows), dtype=dtype)  # (patch + 1, positions), the last row all ones
        buf[k] = 1
        for s, e in blocks:
            m = (e - s) * oh * ow
            np.copyto(buf[:k, :m].reshape(kh, kw, c, e - s, oh, ow), view[s:e].transpose(3, 4, 5, 0, 1, 2))
            np.matmul(buf[:, :m].T, Wb, out=y[s:e].reshape(m, f))
    else:
        _patch_products(view, W.reshape(k, f).astype(dtype, copy=False), y, blocks, bias=b)
    cache = (xp, x.shape, W, pads, strides, dilation)
    return y, cache


def conv2d_infer(x, W, b, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """conv2d_forward's y alone, one matmul per sample (numpy loops over a stack of them), so that a sample's
    numbers are the same bits whatever batch it comes in: BLAS sums a row in an order that depends on the
    matrix's row count and the row's place in it, and here every sample is its own matrix of the same shape.
    They are also conv2d_forward's bits for that sample alone (the same matrices in the same layout)."""
    strides, dilation = tuple(strides), tuple(dilation)
    pads, oh, ow = _geometry(x.shape, W.shape, strides, padding, dilation)
    kh, kw, c, f = W.shape
    n, k = x.shape[0], kh * kw * c
    dtype = np.result_type(x, W)
    view = windows(_pad(x, pads), kh, kw, oh, ow, strides, dilation)
    if c <= TAP_MAJOR_MAX_C:
        Wb = np.concatenate([W.reshape(k, f), b.reshape(1, f)]).astype(dtype, copy=False)
        buf = np.empty((k + 1, n, oh * ow), dtype=dtype)  # as conv2d_forward's, a sample after another
        buf[k] = 1
        np.copyto(buf[:k].reshape(kh, kw, c, n, oh, ow), view.transpose(3, 4, 5, 0, 1, 2))
        y = np.matmul(buf.transpose(1, 2, 0), Wb)  # (N, positions, F)
    else:
        buf = np.empty((n, oh * ow, k), dtype=dtype)
        np.copyto(buf.reshape(n, oh, ow, kh, kw, c), view)
        y = np.matmul(buf, W.reshape(k, f).astype(dtype, copy=False))
        y += b
    return y.reshape(n, oh, ow, f)


def conv2d_backward(dy, cache, need_dx=True):
    """dy (N, oh, ow, F) -> dx (N, H, W, C) or None, dW (kh, kw, C, F), db (F,).

    Per block of samples: cols rebuilt from the padded input, dW += colsᵀ @ dy,
    dcols = dy @ W2ᵀ scattered back over the input pixels each tap read (col2im); or dx as a convolution of dy.
    """
    xp, x_shape, W, pads, strides, dilation = cache
    kh, kw, c, f = W.shape
    n, oh, ow, _ = dy.shape
    k = kh * kw * c
    dtype = np.result_type(dy, W)
    view = windows(xp, kh, kw, oh, ow, strides, dilation)
    blocks = _blocks(n, oh * ow * (k + 1))
    rows = (blocks[0][1] - blocks[0][0]) * oh * ow
    W2 = W.reshape(k, f).astype(dtype, copy=False)
    by_conv = (need_dx and strides == (1, 1)   # dx as a convolution (see the module's notes)
               and x_shape[1] * x_shape[2] * f <= DX_BY_CONV_MAX * oh * ow * c)
    scatter = need_dx and not by_conv                    # dx by col2im
    dxp = np.zeros(xp.shape, dtype=dtype) if scatter else None
    dcols = np.empty((rows, k), dtype=dtype) if scatter else None
    tap_major = c <= TAP_MAJOR_MAX_C
    dWb = np.zeros((k + 1, f), dtype=dtype)  # dW rows, then db (tap-major) or unused
    buf = np.empty((k + 1, rows) if tap_major else (rows, k), dtype=dtype)
    if tap_major:
        buf[k] = 1
    for s, e in blocks:
        m = (e - s) * oh * ow
        dy2 = dy[s:e].reshape(m, f)  # (positions, F)
        if tap_major:
            np.copyto(buf[:k, :m].reshape(kh, kw, c, e - s, oh, ow), view[s:e].transpose(3, 4, 5, 0, 1, 2))
            dWb += buf[:, :m] @ dy2  # (patch + 1, F): dW and db
        else:
            np.copyto(buf[:m].reshape(e - s, oh, ow, kh, kw, c), view[s:e])
            dWb[:k] += buf[:m].T @ dy2
        if scatter:
            np.matmul(dy2, W2.T, out=dcols[:m])  # (positions, patch)
            col2im(dcols[:m].reshape(e - s, oh, ow, kh, kw, c), None, strides, dilation, out=dxp[s:e])
    db = dWb[k] if tap_major else dy.reshape(n * oh * ow, f).sum(axis=0)
    dW = dWb[:k].reshape(W.shape)
    if not need_dx:
        return None, dW, db
    h, w = x_shape[1], x_shape[2]
    if by_conv:
        return _dx_stride1(dy, W, x_shape, pads, dilation, dtype), dW, db
    dx = dxp[:, pads.top:pads.top + h, pads.left:pads.left + w, :]
    return dx, dW, db


def _dx_stride1(dy, W, x_shape, pads, dilation, dtype):
    """dL/dx of a stride-1 convolution: dxp[u, v, c] = Σ_{p,q,f} dy[u − p·dh, v − q·dw, f] · W[p, q, c, f]
    = Σ dyp[u + p'·dh, v + q'·dw, f] · W[kh−1−p', kw−1−q', c, f], with dyp = dy padded by (kh−1)·dh rows and
    (kw−1)·dw columns on both sides; computed only where u, v fall inside the input (not its padding)."""
    kh, kw, c, f = W.shape
    (dh, dw), (n, h, w, _) = dilation, x_shape
    ph, pw = (kh - 1) * dh, (kw - 1) * dw
    dyp = np.pad(dy, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
    full = windows(dyp, kh, kw, dy.shape[1] + ph, dy.shape[2] + pw, (1, 1), dilation)   # the padded input's size
    view = full[:, pads.top:pads.top + h, pads.left:pads.left + w]
    k = kh * kw * f
    Wt = W[::-1, ::-1].transpose(0, 1, 3, 2).reshape(k, c).astype(dtype, copy=False)   # (patch of dy, C)
    dx = np.empty((n, h, w, c), dtype=dtype)
    _patch_products(view, Wt, dx, _blocks(n, h * w * k))
    return dx


def _patch_products(view, W2, out, blocks, bias=None):
    """out[s:e] = the patches of view[s:e] (N, oh, ow, kh, kw, C) @ W2 (+ bias), a block of samples at a time: each
    block's patches copied into one (positions, patch) matrix that stays in cache (the forward pass and dx)."""
    oh, ow = view.shape[1:3]
    buf = np.empty(((blocks[0][1] - blocks[0][0]) * oh * ow, W2.shape[0]), dtype=out.dtype)
    for s, e in blocks:
        m = (e - s) * oh * ow
        np.copyto(buf[:m].reshape(view[s:e].shape), view[s:e])
        out2 = out[s:e].reshape(m, out.shape[-1])
        np.matmul(buf[:m], W2, out=out2)
        if bias is not None:
            out2 += bias


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
