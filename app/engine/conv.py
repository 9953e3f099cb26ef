"""Conv2D as Keras computes it: channels_last cross-correlation, kernel (kh, kw, C, F).

`conv2d` is the vectorised path, `conv2d_naive` the loop reference it is tested against,
`conv2d_steps` walks every output cell for the trace, and `run_conv2d` ties them together
for the API (validation, caps, output layout).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import activation as get_activation
from .arrays import as_array, check_pair, to_list
from .errors import EngineError
from .formulas import activation_formulas, conv_terms
from .keras_code import conv2d_code
from .limits import CONV_MAX_C as MAX_C
from .limits import CONV_MAX_F as MAX_F
from .limits import CONV_MAX_HW as MAX_HW
from .limits import CONV_MAX_K as MAX_K
from .limits import CONV_MAX_MACS as MAX_MACS
from .limits import CONV_MAX_OUTPUT as MAX_OUTPUT
from .limits import CONV_MAX_PAD as MAX_PAD
from .limits import CONV_MAX_STRIDE as MAX_STRIDE
from .limits import TRACE_MAX_NUMBERS as MAX_TRACE_NUMBERS
from .limits import TRACE_MAX_STEPS as MAX_STEPS
from .numbers import finite_or_raise, words
from .padding import Pads, effective_size, output_size, resolve_padding

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")


def pad_input(x: np.ndarray, pads: Pads, value: float = 0.0) -> np.ndarray:
    """(H, W, C) -> (H + top + bottom, W + left + right, C), filled with `value`."""
    return np.pad(x, ((pads.top, pads.bottom), (pads.left, pads.right), (0, 0)), constant_values=value)


def windows(xp: np.ndarray, kernel_hw, strides=(1, 1), dilation=(1, 1)) -> np.ndarray:
    """Every window the kernel meets, as a strided view: (Hp, Wp, C) -> (oh, ow, kh, kw, C)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel_hw, strides, dilation
    win = sliding_window_view(xp, (effective_size(kh, dh), effective_size(kw, dw)), axis=(0, 1))
    return win[::sh, ::sw, :, ::dh, ::dw].transpose(0, 1, 3, 4, 2)


COLS_MAX = 1 << 22   # numbers in one im2col patch matrix (32 MB of float64): larger ones are made a part at a time


def conv2d(xp: np.ndarray, W: np.ndarray, strides=(1, 1), dilation=(1, 1)) -> np.ndarray:
    """Vectorised cross-correlation of an already padded input (im2col + one matmul).

    xp: (Hp, Wp, C), W: (kh, kw, C, F) -> (oh, ow, F), bias and activation not applied.
    A patch matrix over COLS_MAX numbers (an uploaded model's one filter of 90×90 taps over 224×224 positions:
    3 GB) is made and multiplied a few rows of positions at a time, or a part of a row at a time.
    """
    kh, kw, c, f = W.shape
    k = kh * kw * c
    W2 = W.reshape(k, f)
    win = windows(xp, (kh, kw), strides, dilation)
    oh, ow = win.shape[:2]
    if oh * ow * k <= COLS_MAX:
        return (win.reshape(oh * ow, k) @ W2).reshape(oh, ow, f)  # (positions, patch) @ (patch, F)
    out = np.empty((oh, ow, f), dtype=np.result_type(xp, W))
    rows = max(1, COLS_MAX // (ow * k))
    cols = ow if rows > 1 else max(1, COLS_MAX // k)   # whole rows of positions, or parts of one row
    for r in range(0, oh, rows):
        for q in range(0, ow, cols):
            part = win[r:r + rows, q:q + cols]
            out[r:r + rows, q:q + part.shape[1]] = (part.reshape(-1, k) @ W2).reshape(*part.shape[:2], f)
    return out


def conv2d_naive(xp: np.ndarray, W: np.ndarray, strides=(1, 1), dilation=(1, 1)) -> np.ndarray:
    """The same as `conv2d`, one multiply-add at a time (the test reference)."""
    kh, kw, c, f = W.shape
    (sh, sw), (dh, dw) = strides, dilation
    oh = output_size(xp.shape[0], kh, sh, dh)
    ow = output_size(xp.shape[1], kw, sw, dw)
    out = np.zeros((oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            for k in range(f):
                total = 0.0
                for ch in range(c):
                    for a in range(kh):
                        for b in range(kw):
                            total += xp[i * sh + a * dh, j * sw + b * dw, ch] * W[a, b, ch, k]
                out[i, j, k] = total
    return out


def conv2d_steps(xp, W, b, z, y, strides, dilation, *, flat_channels: bool, with_filter_index: bool,
                 activation_name: str, limit: int, group_sums: bool = False) -> list[dict]:
    """One step per output cell and filter (filter by filter, row by row), at most `limit`.

    The numbers are computed for all cells at once; the loop only assembles the step records.
    """
    kh, kw, c, f = W.shape
    (sh, sw), (dh, dw) = strides, dilation
    oh, ow = z.shape[:2]
    n = min(limit, oh * ow * f)
    filters = n // (oh * ow) + (1 if n % (oh * ow) else 0)
    win = windows(xp, (kh, kw), strides, dilation)                  # (oh, ow, kh, kw, C)
    # only the cells the returned steps need: `filters` filters, the last one maybe in part
    rows_needed = -(-(n - (filters - 1) * oh * ow) // ow)           # rows of the last filter
    rows = oh if filters > 1 else rows_needed
    win = win[:rows]
    prods = np.zeros((filters, rows, ow, kh, kw, c))
    for k in range(filters):
        r = rows if k < filters - 1 else rows_needed
        prods[k, :r] = win[:r] * W[:, :, :, k]                       # (r, ow, kh, kw, C)
    sums = prods.transpose(0, 1, 2, 5, 3, 4).sum(axis=5)            # (F', rows, ow, C, kh): per channel and row
    if flat_channels:  # a 2-D input: no channel axis in inputs, weights and products
        win_shown, prods_shown, w_shown = win[..., 0], prods[..., 0], W[:, :, 0, :]
    else:
        win_shown, prods_shown, w_shown = win, prods, W
    cells_n = rows * ow
    # whole arrays to lists at once (one whole-number test per array), flattened to one item per cell
    x_flat = to_list(win_shown.reshape(cells_n, *win_shown.shape[2:]))
    p_flat = to_list(prods_shown.reshape(filters, cells_n, *prods_shown.shape[3:]))
    w_list = [to_list(w_shown[..., k]) for k in range(filters)]
    xs_text = words(win.transpose(0, 1, 4, 2, 3)).reshape(cells_n, c, kh, kw)   # (cells, C, kh, kw), written out
    ws_text = words(W.transpose(3, 2, 0, 1), prefix="×")            # (F, C, kh, kw), written out
    total_flat = to_list(prods.sum(axis=(3, 4, 5)).reshape(filters, cells_n))
    z_flat = to_list(np.moveaxis(z, 2, 0).reshape(f, oh * ow))
    y_flat = to_list(np.moveaxis(y, 2, 0).reshape(f, oh * ow))
    bias_list = [0] * filters if b is None else to_list(b[:filters])
    r_cells = (np.arange(rows) * sh)[:, None, None, None] + (np.arange(kh) * dh)[None, None, :, None]
    c_cells = (np.arange(ow) * sw)[None, :, None, None] + (np.arange(kw) * dw)[None, None, None, :]
    cells = np.stack(np.broadcast_arrays(r_cells, c_cells), axis=-1).reshape(cells_n, kh * kw, 2).tolist()
    steps: list[dict] = []
    for k in range(filters):
        m = min(cells_n, n - k * oh * ow)                            # this filter's steps
        terms = conv_terms(xs_text, ws_text[k], sums[k].reshape(cells_n, c * kh), z[:rows, :, k].ravel(),
                           None if b is None else bias_list[k])
        index = ([[i, j, k] for i in range(rows) for j in range(ow)] if with_filter_index
                 else [[i, j] for i in range(rows) for j in range(ow)])
        weights, bias = w_list[k], bias_list[k]
        first = len(steps)
        steps.extend({"index": ix, "window": cell, "inputs": xin, "weights": weights, "products": prod, "sum": total,
                      "bias": bias, "pre_activation": pre, "value": value, "formula": "".join(parts), "terms": parts}
                     for ix, cell, xin, prod, total, pre, value, parts
                     in zip(index[:m], cells, x_flat, p_flat[k], total_flat[k], z_flat[k], y_flat[k], terms,
                            strict=False))
        if activation_name != "linear":
            texts = activation_formulas(activation_name, z[:rows, :, k].ravel(), y[:rows, :, k].ravel())
            for step, text in zip(steps[first:], texts, strict=False):
                step["activation_formula"] = text
        if group_sums:  # the sum of each parenthesised group (the formula's middle part), on request
            group = to_list(sums.reshape(filters, cells_n, c * kh))[k]
            for step, g in zip(steps[first:], group, strict=False):
                step["group_sums"] = g
    return steps


def conv2d_cell_step(x: np.ndarray, W: np.ndarray, b: np.ndarray, index, strides=(1, 1), padding="valid",
                     dilation=(1, 1), activation: str = "linear") -> dict:
    """The step of one output cell (i, j, f) of a layer whose whole input is x (H, W, C), W (kh, kw, C, F),
    b (F,): only that cell's window is convolved (by `conv2d`) and traced (by `conv2d_steps`).
    The step's window is in padded-input coordinates; it adds the layer's `padding` and `kernel_shape`,
    and the sum of each parenthesised group (`group_sums`)."""
    i, j, k = index
    kh, kw, c, _ = W.shape
    (sh, sw), (dh, dw) = strides, dilation
    pads = resolve_padding(padding, x.shape[:2], (kh, kw), strides, dilation)
    r0, c0 = i * sh, j * sw
    patch = pad_input(x, pads)[r0:r0 + effective_size(kh, dh), c0:c0 + effective_size(kw, dw)]  # (ekh, ekw, C)
    Wk, bk = W[:, :, :, k:k + 1], b[k:k + 1]
    z = conv2d(patch, Wk, (1, 1), dilation) + bk                                   # (1, 1, 1)
    y = get_activation(activation)(z)
    step = conv2d_steps(patch, Wk, bk, z, y, (1, 1), dilation, flat_channels=False, with_filter_index=True,
                        activation_name=activation, limit=1, group_sums=True)[0]
    step["index"] = [i, j, k]
    step["window"] = [[r + r0, q + c0] for r, q in step["window"]]
    step["padding"] = pads.as_dict()
    step["kernel_shape"] = [kh, kw, c]
    return step


@dataclass(frozen=True)
class ConvRequest:
    """A conv request's arrays and settings, checked (what run_conv2d and its relatives share)."""
    x: np.ndarray            # (H, W, C)
    W: np.ndarray            # (kh, kw, C, F); transposed: (kh, kw, F, C), Keras' Conv2DTranspose layout
    b: np.ndarray | None     # (F,)
    flat_in: bool            # the request sent a 2-D input
    flat_kernel: bool        # ... and a 2-D kernel
    act_name: str
    act: Callable
    strides: tuple[int, int]
    dilation: tuple[int, int]


def parse_conv_request(input, kernel, bias=None, strides=1, dilation_rate=1, activation="linear", trace=True,
                       transposed: bool = False) -> ConvRequest:
    """Checks what /api/conv2d and /api/conv2d_transpose share, naming the field that breaks a rule."""
    x = as_array(input, "input", (2, 3), (MAX_HW, MAX_HW, MAX_C), "(H, W) or (H, W, C)")
    caps, layout = ((MAX_K, MAX_K, MAX_F, MAX_C), "(kh, kw) or (kh, kw, filters, in_channels)") if transposed else (
        (MAX_K, MAX_K, MAX_C, MAX_F), "(kh, kw) or (kh, kw, C, F)")
    W = as_array(kernel, "kernel", (2, 4), caps, layout)
    flat_in, flat_kernel = x.ndim == 2, W.ndim == 2
    if flat_in:
        x = x[:, :, None]
    if flat_kernel:
        W = W[:, :, None, None]
    c_axis, f_axis = (3, 2) if transposed else (2, 3)
    if W.shape[c_axis] != x.shape[2]:
        raise EngineError("kernel", f"has {W.shape[c_axis]} input channel(s) but input has {x.shape[2]}; a "
                          + ("Conv2DTranspose kernel is (kh, kw, filters, in_channels) with in_channels last"
                             if transposed else "kernel is (kh, kw, C, F) with C = the input's channels"))
    f = W.shape[f_axis]
    b = None
    if bias is not None:
        b = as_array(bias, "bias", (1,), (MAX_F,), "(F,)")
        if b.shape[0] != f:
            raise EngineError("bias", f"has {b.shape[0]} value(s) but the kernel has {f} filter(s)")
    act_name = (activation or "linear").lower() if isinstance(activation, str) or activation is None else None
    if act_name not in ACTIVATIONS:
        raise EngineError("activation", "must be one of " + ", ".join(repr(a) for a in ACTIVATIONS))
    s = check_pair(strides, "strides", 1, MAX_STRIDE)
    d = check_pair(dilation_rate, "dilation_rate", 1, MAX_STRIDE)
    if s != (1, 1) and d != (1, 1):
        # Keras: "Specifying any stride value != 1 is incompatible with specifying any dilation_rate != 1"
        raise EngineError("dilation_rate", "strides and dilation_rate cannot both be > 1 (as in Keras)",
                          code="strides_with_dilation")
    if not isinstance(trace, bool):
        raise EngineError("trace", "must be true or false")
    return ConvRequest(x, W, b, flat_in, flat_kernel, act_name, get_activation(act_name), s, d)


def run_conv2d(input, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
               activation="linear", trace=True) -> dict:
    """Validate a request, convolve, and build the response dict (the API's contract)."""
    a = parse_conv_request(input, kernel, bias, strides, dilation_rate, activation, trace)
    x, W, b, flat_in, flat_kernel, act_name, act, s, d = (a.x, a.W, a.b, a.flat_in, a.flat_kernel, a.act_name,
                                                          a.act, a.strides, a.dilation)
    f = W.shape[3]
    pads = resolve_padding(padding, x.shape[:2], W.shape[:2], s, d)
    if max(pads.top, pads.bottom, pads.left, pads.right) > MAX_PAD:
        raise EngineError("padding", f"at most {MAX_PAD} cells on a side")
    hp, wp = x.shape[0] + pads.top + pads.bottom, x.shape[1] + pads.left + pads.right
    ekh, ekw = effective_size(W.shape[0], d[0]), effective_size(W.shape[1], d[1])
    if ekh > hp or ekw > wp:
        raise EngineError("kernel", f"the kernel spans {ekh}×{ekw} cells (with dilation) but the padded "
                          f"input is only {hp}×{wp}: no output position fits", code="kernel_too_large")
    oh, ow = output_size(hp, W.shape[0], s[0], d[0]), output_size(wp, W.shape[1], s[1], d[1])
    if oh * ow * f > MAX_OUTPUT:
        raise EngineError("padding", f"the output would have {oh * ow * f:,} numbers; the cap is {MAX_OUTPUT:,}")
    macs = oh * ow * W.size
    if macs > MAX_MACS:
        raise EngineError("input", f"this convolution needs {macs:,} multiply-adds; the cap is {MAX_MACS:,}")

    xp = pad_input(x, pads)
    z = conv2d(xp, W, s, d)
    if b is not None:
        z = z + b
    y = act(z)
    finite_or_raise(y, "input")
    out = y[:, :, 0] if (flat_in and flat_kernel) else y
    result = {
        "output": to_list(out),
        "output_shape": list(out.shape),
        "padding": pads.as_dict(),
        "padded_input": to_list(xp[:, :, 0] if flat_in else xp),
    }
    n_steps = oh * ow * f
    if trace:
        limit = min(MAX_STEPS, max(1, MAX_TRACE_NUMBERS // (W.shape[0] * W.shape[1] * W.shape[2])))
        result["steps"] = conv2d_steps(
            xp, W, b, z, y, s, d, flat_channels=flat_in, with_filter_index=not (flat_in and flat_kernel),
            activation_name=act_name, limit=limit)
    else:
        result["steps"] = []
    result["steps_total"] = n_steps
    result["steps_truncated"] = bool(trace) and len(result["steps"]) < n_steps
    result["keras"] = conv2d_code(x, W, b, s, d, padding.lower() if isinstance(padding, str) else None, pads, act_name,
                                  flat_in, flat_kernel)
    return result
