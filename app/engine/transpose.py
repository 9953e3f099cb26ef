"""Conv2DTranspose as Keras 3 computes it (channels_last), and its two pictures.

The kernel is (kh, kw, filters, in_channels): the layout of the Conv2D whose input gradient this layer computes
(Conv2D's own kernel is (kh, kw, in_channels, filters)). Per spatial axis, with n the input length, k the kernel
length, s the stride, d the dilation and K = (k − 1)·d + 1 the dilated kernel's extent:

scatter (the picture people draw): input cell i adds x[i]·W[a] to canvas cell i·s + a·d, a = 0 … k − 1; the
    output is the canvas without its first `crop` = K − 1 − lo cells (and without the overhang at the end).
gather (the conv_arithmetic picture): put s − 1 zeros between the input cells, pad lo zeros before and hi after,
    and slide the kernel flipped in both spatial axes (its channel axes swapped: a Conv2D kernel) with stride 1 and
    dilation d. lo and hi are Keras' (its JAX backend, `_convert_conv_transpose_padding_args_from_keras_to_jax`):
      'valid': lo = K − 1, hi = K − 1 + op, op = output_padding or, when None, max(K, s) − K
      'same':  p = s + K − 2 (output_padding None) or K + K mod 2 − 2 + op; lo = min(⌈p / 2⌉, K − 1), hi = p − lo
    TensorFlow's conv2d_transpose places the numbers the same way whenever it accepts the call.
Both give the output length of Keras' `deconv_output_length` (`output_length` below). As in Keras, strides > 1 and
dilation_rate > 1 exclude each other and output_padding must be smaller than the stride.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import check_pair, to_list
from .conv import conv2d, conv2d_steps, parse_conv_request
from .errors import EngineError
from .limits import CONV_MAX_GRID as MAX_GRID
from .limits import CONV_MAX_MACS as MAX_MACS
from .limits import CONV_MAX_OUTPUT as MAX_OUTPUT
from .limits import CONV_MAX_STRIDE as MAX_STRIDE
from .limits import TRACE_MAX_NUMBERS as MAX_TRACE_NUMBERS
from .limits import TRACE_MAX_STEPS as MAX_STEPS
from .numbers import finite_or_raise
from .padding import Pads, effective_size
from .stamps import running_totals, update_formulas

PADDINGS = ("valid", "same")


def output_length(n: int, k: int, padding: str, output_padding: int | None, s: int, d: int = 1) -> int:
    """Keras' deconv_output_length (keras.src.backend.common.backend_utils._get_output_shape_given_tf_padding)."""
    big_k = effective_size(k, d)
    if padding == "valid":
        return (n - 1) * s + big_k + (max(big_k, s) - big_k if output_padding is None else output_padding)
    return n * s if output_padding is None else (n - 1) * s + big_k % 2 + output_padding


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a transposed convolution, in cells."""

    n: int   # input length
    k: int   # kernel length
    s: int   # stride
    d: int   # dilation
    lo: int  # gather: zeros before the zero-inserted input
    hi: int  # gather: zeros after it

    @property
    def extent(self) -> int:
        """K = (k − 1)·d + 1, the dilated kernel's extent."""
        return effective_size(self.k, self.d)

    @property
    def inserted(self) -> int:
        """(n − 1)·s + 1: the input with s − 1 zeros between its cells."""
        return (self.n - 1) * self.s + 1

    @property
    def out(self) -> int:
        return self.inserted + self.lo + self.hi - self.extent + 1

    @property
    def crop(self) -> int:
        """Canvas cells before the first output cell."""
        return self.extent - 1 - self.lo

    @property
    def canvas(self) -> int:
        """Canvas length: every stamp, and every output cell (the output may reach past the last stamp)."""
        return self.inserted + max(self.extent - 1, self.hi)


def transpose_axis(n: int, k: int, s: int, d: int, padding: str, output_padding: int | None) -> Axis:
    big_k = effective_size(k, d)
    if padding == "valid":
        op = max(big_k, s) - big_k if output_padding is None else output_padding
        return Axis(n, k, s, d, big_k - 1, big_k - 1 + op)
    p = s + big_k - 2 if output_padding is None else big_k + big_k % 2 - 2 + output_padding
    lo = min(p // 2 + p % 2, big_k - 1)
    return Axis(n, k, s, d, lo, p - lo)


def scatter_canvas(x: np.ndarray, W: np.ndarray, gh: Axis, gw: Axis) -> np.ndarray:
    """Vectorised scatter: x (H, W, C), W (kh, kw, F, C) -> canvas (Hc, Wc, F), every stamp summed, no bias.

    One kernel tap at a time: tap (a, b) adds x @ W[a, b]ᵀ to the cells (i·s + a·d, j·s + b·d) it reaches
    (Conv2D's col2im).
    """
    h, w, c = x.shape
    kh, kw, f, _ = W.shape
    canvas = np.zeros((gh.canvas, gw.canvas, f))
    x2 = x.reshape(h * w, c)  # (cells, C)
    for a in range(kh):
        for b in range(kw):
            r, q = a * gh.d, b * gw.d
            canvas[r:r + gh.inserted:gh.s, q:q + gw.inserted:gw.s] += (x2 @ W[a, b].T).reshape(h, w, f)
    return canvas


def crop(canvas: np.ndarray, gh: Axis, gw: Axis) -> np.ndarray:
    return canvas[gh.crop:gh.crop + gh.out, gw.crop:gw.crop + gw.out]


def conv2d_transpose(x: np.ndarray, W: np.ndarray, gh: Axis, gw: Axis) -> np.ndarray:
    """x (H, W, C), W (kh, kw, F, C) -> (oh, ow, F), bias and activation not applied."""
    return crop(scatter_canvas(x, W, gh, gw), gh, gw)


def conv2d_transpose_naive(x: np.ndarray, W: np.ndarray, gh: Axis, gw: Axis) -> np.ndarray:
    """The definition, one multiply-add at a time (the test reference):

    y[i·s + a·d − crop, j·s + b·d − crop, f] += x[i, j, c] · W[a, b, f, c]
    """
    h, w, c = x.shape
    kh, kw, f, _ = W.shape
    out = np.zeros((gh.out, gw.out, f))
    for i in range(h):
        for j in range(w):
            for ch in range(c):
                for k in range(f):
                    for a in range(kh):
                        for b in range(kw):
                            r = i * gh.s + a * gh.d - gh.crop
                            q = j * gw.s + b * gw.d - gw.crop
                            if 0 <= r < gh.out and 0 <= q < gw.out:
                                out[r, q, k] += x[i, j, ch] * W[a, b, k, ch]
    return out


def zero_insert(x: np.ndarray, gh: Axis, gw: Axis) -> np.ndarray:
    """(H, W, C) -> the gather picture's input: s − 1 zeros between cells, lo zeros before, hi after."""
    z = np.zeros((gh.lo + gh.inserted + gh.hi, gw.lo + gw.inserted + gw.hi, x.shape[2]))
    z[gh.lo:gh.lo + gh.inserted:gh.s, gw.lo:gw.lo + gw.inserted:gw.s] = x
    return z


def gather_kernel(W: np.ndarray) -> np.ndarray:
    """(kh, kw, F, C) -> the flipped kernel in Conv2D's layout (kh, kw, C, F)."""
    return W[::-1, ::-1].transpose(0, 1, 3, 2)


def conv2d_transpose_gather(x: np.ndarray, W: np.ndarray, gh: Axis, gw: Axis) -> np.ndarray:
    """The same numbers as a stride-1 Conv2D over the zero-inserted, padded input with the flipped kernel."""
    return conv2d(zero_insert(x, gh, gw), gather_kernel(W), (1, 1), (gh.d, gw.d))


def _cells(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """rows (n, kh), cols (n, kw) -> (n, kh·kw, 2): every [row, col] of each window, row by row."""
    n, kh, kw = rows.shape[0], rows.shape[1], cols.shape[1]
    r = np.broadcast_to(rows[:, :, None], (n, kh, kw))
    c = np.broadcast_to(cols[:, None, :], (n, kh, kw))
    return np.stack([r, c], axis=-1).reshape(n, kh * kw, 2)


def scatter_steps(x: np.ndarray, W: np.ndarray, gh: Axis, gw: Axis, *, flat_in: bool, limit: int) -> list[dict]:
    """One step per input cell, channel and filter (filter by filter, row by row, channel by channel), at most
    `limit`: the cell's value times the kernel slice W[:, :, f, c], added to the canvas cells it reaches.
    The numbers are computed for all steps at once; the loop only assembles the records."""
    h, w, c = x.shape
    kh, kw, f, _ = W.shape
    n = min(limit, f * h * w * c)
    k = np.arange(n)
    fk, rest = np.divmod(k, h * w * c)
    ik, rest = np.divmod(rest, w * c)
    jk, ck = np.divmod(rest, c)
    value = x[ik, jk, ck]                                             # (n,)
    weights = W[:, :, fk, ck].transpose(2, 0, 1)                      # (n, kh, kw)
    products = value[:, None, None] * weights                         # (n, kh, kw)
    rows = ik[:, None] * gh.s + np.arange(kh)[None, :] * gh.d        # (n, kh) canvas rows
    cols = jk[:, None] * gw.s + np.arange(kw)[None, :] * gw.d        # (n, kw) canvas columns
    targets = (fk[:, None, None] * gh.canvas + rows[:, :, None]) * gw.canvas + cols[:, None, :]
    before, after = running_totals(targets, products, f * gh.canvas * gw.canvas)
    t = kh * kw
    before, after = before.reshape(n, kh, kw), after.reshape(n, kh, kw)
    formulas, terms = update_formulas(before.reshape(n, t), value, weights.reshape(n, t), after.reshape(n, t))
    cells = _cells(rows, cols)                                        # (n, kh·kw, 2)
    out_r, out_c = cells[..., 0] - gh.crop, cells[..., 1] - gw.crop
    inside = (out_r >= 0) & (out_r < gh.out) & (out_c >= 0) & (out_c < gw.out)
    out_cells = np.stack([out_r, out_c], axis=-1).tolist()           # (n, kh·kw, 2)
    for step, cell in zip(*np.nonzero(~inside), strict=True):        # cropped away: only the steps near an edge
        out_cells[step][cell] = None
    index = ([[i, j] for i, j in zip(ik.tolist(), jk.tolist(), strict=True)] if flat_in
             else [[i, j, ch] for i, j, ch in zip(ik.tolist(), jk.tolist(), ck.tolist(), strict=True)])
    return [{"index": ix, "filter": fi, "window": win, "output_cells": oc, "inputs": bf, "value": v, "weights": wt,
             "products": p, "totals": af, "formula": text, "terms": parts}
            for ix, fi, win, oc, bf, v, wt, p, af, text, parts
            in zip(index, fk.tolist(), cells.tolist(), out_cells, to_list(before), to_list(value), to_list(weights),
                   to_list(products), to_list(after), formulas, terms, strict=True)]


def _output_padding(value, strides) -> tuple[int, int] | None:
    if value is None:
        return None
    op = check_pair(value, "output_padding", 0, MAX_STRIDE - 1)
    for axis, (o, s) in enumerate(zip(op, strides, strict=True)):
        if o >= s:
            field = "output_padding" if not isinstance(value, (list, tuple)) else f"output_padding.{axis}"
            raise EngineError(field, f"must be smaller than the stride ({s}) along its axis, as in Keras")
    return op


def run_conv2d_transpose(input, kernel, bias=None, strides=1, padding="valid", output_padding=None,
                         dilation_rate=1, activation="linear", trace=True) -> dict:
    """Validate a request, compute Keras' Conv2DTranspose, and build the response dict with both pictures."""
    a = parse_conv_request(input, kernel, bias, strides, dilation_rate, activation, trace, transposed=True)
    x, W, b, flat_in, flat_kernel, act_name, act, s, d = (a.x, a.W, a.b, a.flat_in, a.flat_kernel, a.act_name,
                                                          a.act, a.strides, a.dilation)
    f = W.shape[2]
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise EngineError("padding", "must be 'valid' or 'same' (Conv2DTranspose has no other padding)")
    pad_name = padding.lower()
    op = _output_padding(output_padding, s)
    (h, w, c), (kh, kw) = x.shape, W.shape[:2]
    gh = transpose_axis(h, kh, s[0], d[0], pad_name, None if op is None else op[0])
    gw = transpose_axis(w, kw, s[1], d[1], pad_name, None if op is None else op[1])
    if gh.out < 1 or gw.out < 1:
        raise EngineError("output_padding", f"the output would be {gh.out}×{gw.out}: with 'same' padding, an even "
                          "kernel and output_padding 0, a 1-cell input gives no output")
    if gh.out * gw.out * f > MAX_OUTPUT:
        raise EngineError("input", f"the output would have {gh.out * gw.out * f:,} numbers; the cap is {MAX_OUTPUT:,}")
    grid = (gh.lo + gh.inserted + gh.hi) * (gw.lo + gw.inserted + gw.hi) * c
    if grid > MAX_GRID:
        raise EngineError("input", f"the zero-inserted, padded input would have {grid:,} numbers; "
                          f"the cap is {MAX_GRID:,}")
    macs = h * w * W.size
    if macs > MAX_MACS:
        raise EngineError("input", f"this transposed convolution needs {macs:,} multiply-adds; the cap is {MAX_MACS:,}")

    canvas = scatter_canvas(x, W, gh, gw)          # (Hc, Wc, F)
    z = crop(canvas, gh, gw)
    if b is not None:
        z = z + b
    y = act(z)
    finite_or_raise(y, "input")
    both_flat = flat_in and flat_kernel
    zi = zero_insert(x, gh, gw)
    Wg = gather_kernel(W)
    out = y[:, :, 0] if both_flat else y
    in_rows = gh.lo + np.arange(h) * gh.s
    in_cols = gw.lo + np.arange(w) * gw.s
    result = {
        "output": to_list(out),
        "output_shape": list(out.shape),
        "scatter": {
            "canvas": to_list(canvas[:, :, 0] if both_flat else canvas),
            "crop": Pads(gh.crop, gh.canvas - gh.crop - gh.out, gw.crop, gw.canvas - gw.crop - gw.out).as_dict(),
        },
        "gather": {
            "padded_input": to_list(zi[:, :, 0] if flat_in else zi),
            "padding": Pads(gh.lo, gh.hi, gw.lo, gw.hi).as_dict(),
            "input_cells": [[[r, q] for q in in_cols.tolist()] for r in in_rows.tolist()],
            "kernel": to_list(Wg[:, :, 0, 0] if flat_kernel else Wg),
        },
    }
    scatter_total, gather_total = h * w * c * f, gh.out * gw.out * f
    if trace:
        limit = min(MAX_STEPS, max(1, MAX_TRACE_NUMBERS // (kh * kw)))
        scatter = scatter_steps(x, W, gh, gw, flat_in=flat_in, limit=limit)
        limit = min(MAX_STEPS, max(1, MAX_TRACE_NUMBERS // (kh * kw * c)))
        gather = conv2d_steps(zi, Wg, b, z, y, (1, 1), d, flat_channels=flat_in, with_filter_index=not both_flat,
                              activation_name=act_name, limit=limit)
    else:
        scatter, gather = [], []
    for name, steps, total in (("scatter", scatter, scatter_total), ("gather", gather, gather_total)):
        result[name].update({"steps": steps, "steps_total": total,
                             "steps_truncated": bool(trace) and len(steps) < total})
    return result
