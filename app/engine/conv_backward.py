"""Conv2D's backward pass, number by number: dL/dx, dL/dW and dL/db from dL/dy.

With z = conv(x_padded, W) + b and y = act(z), first dL/dz = dL/dy ⊙ act'(z). Then, per spatial axis (n input
length, pads top/bottom, H_p = n + top + bottom, s stride, d dilation, k kernel length, K = (k − 1)·d + 1, o output
length):

dL/dx (a transposed convolution): put s − 1 zeros between the cells of dL/dz, pad K − 1 zeros before and
    K − 1 + r after (r = H_p − ((o − 1)·s + K): the rows of the padded input that no window reached), and slide
    the kernel flipped in both spatial axes, channel axes swapped, with stride 1 and dilation d (the "full"
    convolution). That gives dL/dx_padded (H_p cells); dropping the padding's cells gives dL/dx.
dL/dW[a, b, c, f] = Σ_ij x_padded[i·s + a·d, j·s + b·d, c] · dL/dz[i, j, f]: the padded input correlated with dL/dz
    (dL/dz read as a kernel dilated by s, moved with stride d).
dL/db[f] = Σ_ij dL/dz[i, j, f].

`conv2d_backward` is the vectorised path, `conv2d_backward_naive` the chain rule one multiply-add at a time,
`run_conv2d_backward` the API's contract (the /api/conv2d body plus grad_output).
"""

from __future__ import annotations

import numpy as np

from .activations import activation as get_activation
from .arrays import as_array, check_pair, to_list
from .conv import conv2d, conv2d_steps, pad_input, run_conv2d, windows
from .errors import EngineError
from .formulas import sum_formula
from .limits import CONV_MAX_GRID as MAX_GRID
from .limits import CONV_MAX_STRIDE as MAX_STRIDE
from .limits import TRACE_MAX_NUMBERS as MAX_TRACE_NUMBERS
from .limits import TRACE_MAX_STEPS as MAX_STEPS
from .numbers import finite_or_raise
from .padding import Pads, effective_size
from .transpose import Axis, gather_kernel, scatter_canvas, zero_insert


def activation_grad(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """act'(z), written with y = act(z) where that is shorter. relu'(0) = 0, as TensorFlow and JAX take it."""
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "sigmoid":
        return y * (1.0 - y)
    if name == "tanh":
        return 1.0 - y * y
    return np.ones_like(z)


def grad_axis(n_padded: int, k: int, s: int, d: int, o: int) -> Axis:
    """The geometry of dL/dx_padded as a transposed convolution of dL/dz (o cells) with the forward kernel."""
    big_k = effective_size(k, d)
    return Axis(o, k, s, d, big_k - 1, n_padded - (o - 1) * s - 1)


def conv2d_backward(xp: np.ndarray, W: np.ndarray, dz: np.ndarray, strides=(1, 1), dilation=(1, 1)):
    """xp (Hp, Wp, C) padded input, W (kh, kw, C, F), dz (oh, ow, F) -> dxp (Hp, Wp, C), dW, db (F,).

    dxp is Conv2D's col2im (`transpose.scatter_canvas`: tap (a, b) adds dz @ W[a, b]ᵀ where it read the input);
    dW is im2colᵀ @ dz; db sums dz.
    """
    kh, kw, c, f = W.shape
    oh, ow = dz.shape[:2]
    gh = grad_axis(xp.shape[0], kh, strides[0], dilation[0], oh)
    gw = grad_axis(xp.shape[1], kw, strides[1], dilation[1], ow)
    dxp = scatter_canvas(dz, W, gh, gw)                                 # (Hp, Wp, C)
    cols = windows(xp, (kh, kw), strides, dilation).reshape(oh * ow, kh * kw * c)  # (positions, patch)
    dW = (cols.T @ dz.reshape(oh * ow, f)).reshape(kh, kw, c, f)
    return dxp, dW, dz.sum(axis=(0, 1))


def conv2d_backward_naive(xp: np.ndarray, W: np.ndarray, dz: np.ndarray, strides=(1, 1), dilation=(1, 1)):
    """The chain rule through y[i, j, f] = b[f] + Σ xp[i·s + a·d, j·s + b·d, c] · W[a, b, c, f], one term at a time."""
    kh, kw, c, f = W.shape
    oh, ow = dz.shape[:2]
    (sh, sw), (dh, dw) = strides, dilation
    dxp, dW, db = np.zeros(xp.shape), np.zeros(W.shape), np.zeros(f)
    for i in range(oh):
        for j in range(ow):
            for k in range(f):
                g = dz[i, j, k]
                db[k] += g
                for a in range(kh):
                    for b in range(kw):
                        for ch in range(c):
                            r, q = i * sh + a * dh, j * sw + b * dw
                            dxp[r, q, ch] += g * W[a, b, ch, k]
                            dW[a, b, ch, k] += xp[r, q, ch] * g
    return dxp, dW, db


def grad_input_gather(dz: np.ndarray, W: np.ndarray, xp_hw, strides=(1, 1), dilation=(1, 1)):
    """The picture of dL/dx_padded: -> (G, Wg, gh, gw) with G the zero-inserted, padded dL/dz (Hp + K − 1, ...,
    F) and Wg the flipped kernel (kh, kw, F, C); conv.conv2d(G, Wg, (1, 1), dilation) is dL/dx_padded."""
    kh, kw = W.shape[:2]
    gh = grad_axis(xp_hw[0], kh, strides[0], dilation[0], dz.shape[0])
    gw = grad_axis(xp_hw[1], kw, strides[1], dilation[1], dz.shape[1])
    return zero_insert(dz, gh, gw), gather_kernel(W), gh, gw


def _grad_output(grad_output, shape) -> np.ndarray:
    if grad_output is None:
        return np.ones(shape)
    g = as_array(grad_output, "grad_output", (len(shape),), shape, f"of the output's shape {list(shape)}")
    if g.shape != tuple(shape):
        raise EngineError("grad_output", f"must have the output's shape {list(shape)}; got {list(g.shape)}")
    return g


def _kernel_steps(xp, dz, dW, strides, dilation, *, flat_kernel: bool, limit: int) -> list[dict]:
    """dL/dW cell by cell (filter by filter, channel by channel, row by row): the padded input under dL/dz,
    read with dL/dz's cells s apart, times dL/dz."""
    kh, kw, c, f = dW.shape
    oh, ow = dz.shape[:2]
    used = xp[:(oh - 1) * strides[0] + (kh - 1) * dilation[0] + 1, :(ow - 1) * strides[1] + (kw - 1) * dilation[1] + 1]
    steps: list[dict] = []
    for k in range(f):
        for ch in range(c):
            if len(steps) >= limit:
                return steps
            cell = dW[:, :, ch:ch + 1, k]
            x_c, g_k = used[:, :, ch:ch + 1], dz[:, :, k][:, :, None, None]
            part = conv2d_steps(x_c, g_k, None, cell, cell, dilation, strides, flat_channels=True,
                                with_filter_index=False, activation_name="linear", limit=limit - len(steps))
            if not flat_kernel:
                for step in part:
                    step["index"] = [*step["index"], ch, k]
            steps.extend(part)
    return steps


def _bias_steps(dz: np.ndarray, db: np.ndarray, limit: int) -> list[dict]:
    oh, ow, f = dz.shape
    window = [[i, j] for i in range(oh) for j in range(ow)]
    values = to_list(db)
    steps = []
    for k in range(min(f, limit)):
        formula, terms = sum_formula(dz[:, :, k], float(db[k]))
        steps.append({"index": [k], "window": window, "inputs": to_list(dz[:, :, k]), "value": values[k],
                      "formula": formula, "terms": terms})
    return steps


def run_conv2d_backward(input, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
                        activation="linear", trace=True, grad_output=None) -> dict:
    """The /api/conv2d body plus grad_output (dL/dy, the output's shape; all ones when omitted) -> the forward
    output, dL/dx, dL/dW, dL/db and a trace of each (see notes/issue15.md for the shapes)."""
    forward = run_conv2d(input, kernel, bias, strides, padding, dilation_rate, activation, trace=False)  # validates
    if not isinstance(trace, bool):
        raise EngineError("trace", "must be true or false")
    x, W = np.asarray(input, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    flat_in, flat_kernel = x.ndim == 2, W.ndim == 2
    x = x[:, :, None] if flat_in else x
    W = W[:, :, None, None] if flat_kernel else W
    b = np.zeros(W.shape[3]) if bias is None else np.asarray(bias, dtype=np.float64)
    s = check_pair(strides, "strides", 1, MAX_STRIDE)
    d = check_pair(dilation_rate, "dilation_rate", 1, MAX_STRIDE)
    p = forward["padding"]
    pads = Pads(p["top"], p["bottom"], p["left"], p["right"])
    act_name = (activation or "linear").lower()
    (h, w, c), (kh, kw, _, f) = x.shape, W.shape
    xp = pad_input(x, pads)
    g = _grad_output(grad_output, forward["output_shape"])
    dy = g[:, :, None] if g.ndim == 2 else g                                      # (oh, ow, F)
    oh, ow = dy.shape[:2]
    z_hw = (xp.shape[0] + effective_size(kh, d[0]) - 1, xp.shape[1] + effective_size(kw, d[1]) - 1)
    if z_hw[0] * z_hw[1] * f > MAX_GRID:
        raise EngineError("input", f"dL/dy zero-inserted and padded for the backward pass would have "
                          f"{z_hw[0] * z_hw[1] * f:,} numbers; the cap is {MAX_GRID:,}")

    z = conv2d(xp, W, s, d) + b                                                  # the forward pass again, as arrays
    y = get_activation(act_name)(z)
    slope = activation_grad(act_name, z, y)
    dz = dy * slope
    dxp, dW, db = conv2d_backward(xp, W, dz, s, d)
    dx = dxp[pads.top:pads.top + h, pads.left:pads.left + w]
    for name, arr in (("grad_input", dxp), ("grad_kernel", dW), ("grad_bias", db), ("grad_output", dz)):
        finite_or_raise(arr, "grad_output", f"gradient ({name})")

    G, Wg, gh, gw = grad_input_gather(dz, W, xp.shape[:2], s, d)
    both_flat = flat_in and flat_kernel

    def shaped(a, flat):  # (.., .., 1) -> 2-D when the forward call was 2-D
        return to_list(a[:, :, 0] if flat else a)

    result = {
        "output": forward["output"], "output_shape": forward["output_shape"],
        "padding": forward["padding"], "padded_input": forward["padded_input"],
        "grad_output": shaped(dy, both_flat),
        "activation_grad": shaped(slope, both_flat),
        "grad_pre_activation": shaped(dz, both_flat),
        "grad_input": shaped(dx, flat_in),
        "grad_kernel": to_list(dW[:, :, 0, 0] if flat_kernel else dW),
        "grad_bias": to_list(db),
        "grad_input_trace": {
            "padded_grad_output": shaped(G, flat_kernel),
            "padding": Pads(gh.lo, gh.hi, gw.lo, gw.hi).as_dict(),
            "grad_output_cells": [[[gh.lo + i * s[0], gw.lo + j * s[1]] for j in range(ow)] for i in range(oh)],
            "kernel": to_list(Wg[:, :, 0, 0] if flat_kernel else Wg),
            "full": shaped(dxp, flat_in),
            "crop": pads.as_dict(),
        },
        "grad_kernel_trace": {},
        "grad_bias_trace": {},
    }
    totals = {"grad_input_trace": xp.shape[0] * xp.shape[1] * c, "grad_kernel_trace": W.size, "grad_bias_trace": f}
    steps = {name: [] for name in totals}
    if trace:
        limit = min(MAX_STEPS, max(1, MAX_TRACE_NUMBERS // (kh * kw * f)))
        steps["grad_input_trace"] = conv2d_steps(G, Wg, None, dxp, dxp, (1, 1), d, flat_channels=flat_kernel,
                                                 with_filter_index=not flat_in, activation_name="linear", limit=limit)
        limit = min(MAX_STEPS, max(1, MAX_TRACE_NUMBERS // (oh * ow)))
        steps["grad_kernel_trace"] = _kernel_steps(xp, dz, dW, s, d, flat_kernel=flat_kernel, limit=limit)
        steps["grad_bias_trace"] = _bias_steps(dz, db, limit)
    for name, total in totals.items():
        result[name].update({"steps": steps[name], "steps_total": total,
                             "steps_truncated": bool(trace) and len(steps[name]) < total})
    return result
