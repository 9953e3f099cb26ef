"""Trace steps shared by the layer kinds, in the step vocabulary of /api/conv2d and /api/pool.

A weighted sum (Conv2D, Conv1D, Dense) is one output cell of the conv engine's `conv2d_steps`, run on just
the window that cell meets, so its formula, terms, products and sums are written by the same code as the
convolution page's. Elementwise layers (activations, BatchNormalization, Rescaling) and layers that only
move numbers (Flatten, Reshape, ZeroPadding2D) get a one-input step with a formula of their own.
"""

from __future__ import annotations

import numpy as np

from ..conv import conv2d, conv2d_steps, pad_input
from ..numbers import fmt, term
from ..padding import Pads, effective_size
from . import activations

ELEMENTWISE_TEXT = {"softmax", "log_softmax"}   # these need the whole row, not just the cell's own number


def row_numbers(act: str, row: int) -> int:
    """The numbers a traced value's activation writes: the whole row of `row` for softmax and log_softmax (its
    formula lists every exp), none more for the others (counted against the trace cap)."""
    return row if act in ELEMENTWISE_TEXT else 0


def weighted_sum_step(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, pads: Pads, strides, dilation,
                      cell: tuple[int, int, int], act: str, y: np.ndarray) -> dict:
    """One output cell (i, j, f) of a channels_last cross-correlation, by conv2d_steps.

    x (H, W, C) the layer's input before padding; W (kh, kw, C, F); y the layer's whole output (oh, ow, F),
    from which the cell's value is taken (so the step shows exactly what predict returned). `window` is in
    padded-input coordinates, as on the convolution page.
    """
    i, j, f = cell
    (sh, sw), (dh, dw) = strides, dilation
    kh, kw = W.shape[:2]
    xp = pad_input(x, pads)
    r0, c0 = i * sh, j * sw
    patch = xp[r0:r0 + effective_size(kh, dh), c0:c0 + effective_size(kw, dw)]   # (ekh, ekw, C): the window only
    Wf = W[:, :, :, f:f + 1]                                                         # (kh, kw, C, 1)
    bf = None if b is None else b[f:f + 1]
    z_all = conv2d(patch, W, (1, 1), (dh, dw))[0, 0] + (0.0 if b is None else b)   # (F,): every filter here
    z = z_all[f:f + 1].reshape(1, 1, 1)
    shown = "linear" if act in ELEMENTWISE_TEXT else activations.keras_name(act)
    value = np.array(y[i, j, f], dtype=np.float64).reshape(1, 1, 1)
    step = conv2d_steps(patch, Wf, bf, z, value, (1, 1), (dh, dw), flat_channels=False, with_filter_index=True,
                        activation_name=shown, limit=1, group_sums=True)[0]
    step["index"] = [i, j, f]
    step["window"] = [[r + r0, q + c0] for r, q in step["window"]]
    if act in ELEMENTWISE_TEXT:          # softmax over the filters (units) of this cell: their pre-activations
        step["activation_formula"] = row_activation_text(act, z_all, f)
    return step


def row_activation_text(act: str, row: np.ndarray, k: int) -> str:
    """softmax over the last axis, for entry k of the pre-activations `row`:
    'softmax: exp(2.1) / (exp(0.3) + exp(2.1)) = 0.8581'."""
    row = np.asarray(row, dtype=np.float64)
    value = activations.apply(act, row)[k]
    parts = " + ".join(f"exp({fmt(v)})" for v in row.tolist())
    if act == "softmax":
        return f"softmax: exp({fmt(row[k])}) / ({parts}) = {fmt(value)}"
    return f"log_softmax: {fmt(row[k])} − log({parts}) = {fmt(value)}"


def reshape_step(step: dict, shape: tuple[int, ...], to_cell) -> dict:
    """A conv2d step of a (1, n, C)-shaped window made to read in the layer's own coordinates:
    inputs, weights and products as `shape`, window cells through `to_cell([row, col])`."""
    for key in ("inputs", "weights", "products"):
        step[key] = np.asarray(step[key], dtype=np.float64).reshape(shape).tolist()
    step["window"] = [to_cell(c) for c in step["window"]]
    return step


def one_input_step(index, source, x_value: float, y_value: float, formula: str, **extra) -> dict:
    """A step whose output cell depends on one input cell: activations, BatchNormalization, Rescaling,
    and the layers that only move numbers (then formula is 'input[3, 4, 0] = 0.25')."""
    return {"index": list(index), "window": [list(source)], "inputs": [float(x_value)], "value": float(y_value),
            "formula": formula, "terms": [formula], **extra}


def copy_step(index, source, value: float) -> dict:
    """An output cell that is a copy of one input cell (Flatten, Reshape, ZeroPadding2D, Dropout)."""
    where = ", ".join(str(int(v)) for v in source)
    return one_input_step(index, source, value, value, f"input[{where}] = {fmt(value)}")


def activation_text(act: str, z: float, y: float) -> str:
    return f"{activations.keras_name(act)}({fmt(z)}) = {fmt(y)}"


def affine_text(xs, ws, b=None) -> str:
    """'1×0.5 + (-2)×0.25 + 0.1': one product per term, then the bias."""
    text = " + ".join(f"{term(x)}×{term(w)}" for x, w in zip(np.ravel(xs).tolist(), np.ravel(ws).tolist(),
                                                                 strict=True))
    return text if b is None else f"{text} + {term(b)}"
