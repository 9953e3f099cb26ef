"""MaxPooling2D's and AveragePooling2D's backward pass, number by number.

Max pooling sends each dL/dy[i, j] to its window's winner: the first maximum in the window's row-major order
among the real cells (padding never wins). That is TensorFlow's rule (its CPU MaxPoolGrad,
tensorflow/core/kernels/maxpooling_op.cc `SpatialMaxPoolWithArgMaxHelper`, walks the input row by row and takes a
cell only when `output < input`, so a later equal value never replaces the first) and JAX's (the gradient of
`reduce_window` max is `select_and_scatter_add` with `select = ge`, which keeps the current choice on ties).
The forward trace's `argmax` (app/engine/pool.py) names the same cell.
Average pooling spreads dL/dy[i, j] evenly over the real cells of its window: each gets dL/dy / count, count the
real cells (as the forward pass divides by them). Overlapping windows (strides < pool_size) add up.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arrays import as_array, check_pair, to_list
from .conv import pad_input
from .errors import EngineError
from .limits import CONV_MAX_K as MAX_K
from .limits import CONV_MAX_STRIDE as MAX_STRIDE
from .numbers import finite_or_raise
from .padding import Pads
from .pool import add_steps, run_pool
from .stamps import running_totals, update_formulas


def _windows(xp: np.ndarray, pool, strides, out_hw) -> np.ndarray:
    """(Hp, Wp, C) -> (oh, ow, C, ph·pw): each window's cells, row by row."""
    (ph, pw), (sh, sw), (oh, ow) = pool, strides, out_hw
    win = sliding_window_view(xp, (ph, pw), axis=(0, 1))[::sh, ::sw][:oh, :ow]   # (oh, ow, C, ph, pw)
    return win.reshape(oh, ow, xp.shape[2], ph * pw)


def local_grads(x: np.ndarray, mode: str, pool, strides, pads: Pads, out_hw) -> np.ndarray:
    """∂y[i, j, c] / ∂x at every cell of its window: (oh, ow, C, ph·pw), NaN for padding cells.

    max: 1 at the first maximum among the real cells, 0 at the other real cells; average: 1 / count."""
    xp = pad_input(x, pads, np.nan)
    win = _windows(xp, pool, strides, out_hw)
    real = ~np.isnan(win)
    if mode == "max":
        first = np.argmax(np.where(real, win, -np.inf), axis=3)                    # argmax: the first maximum
        local = (np.arange(win.shape[3]) == first[..., None]).astype(np.float64)
    else:
        local = np.broadcast_to(1.0 / real.sum(axis=3, keepdims=True), win.shape).copy()
    local[~real] = np.nan
    return local


def pool2d_backward(x: np.ndarray, dy: np.ndarray, mode: str, pool, strides, pads: Pads) -> np.ndarray:
    """Vectorised: x (H, W, C), dy (oh, ow, C) -> dx (H, W, C). One window tap at a time, each tap adds
    dy ⊙ ∂y/∂x(tap) to the cells it covers (padding cells get their share, then are cropped away)."""
    (ph, pw), (sh, sw) = pool, strides
    oh, ow, c = dy.shape
    local = np.nan_to_num(local_grads(x, mode, pool, strides, pads, (oh, ow)), nan=0.0)   # (oh, ow, C, ph·pw)
    dxp = np.zeros((x.shape[0] + pads.top + pads.bottom, x.shape[1] + pads.left + pads.right, c))
    for a in range(ph):
        for b in range(pw):
            dxp[a:a + (oh - 1) * sh + 1:sh, b:b + (ow - 1) * sw + 1:sw] += dy * local[:, :, :, a * pw + b]
    return dxp[pads.top:pads.top + x.shape[0], pads.left:pads.left + x.shape[1]]


def pool2d_backward_naive(x: np.ndarray, dy: np.ndarray, mode: str, pool, strides, pads: Pads) -> np.ndarray:
    """The loop reference: for every window, its real cells in row-major order; max sends dy to the first cell
    holding the largest value (a later cell must be strictly larger to take over), average splits it evenly."""
    (ph, pw), (sh, sw) = pool, strides
    oh, ow, c = dy.shape
    dx = np.zeros(x.shape)
    for ch in range(c):
        for i in range(oh):
            for j in range(ow):
                cells = [(r - pads.top, q - pads.left)
                         for r in range(i * sh, i * sh + ph) for q in range(j * sw, j * sw + pw)
                         if 0 <= r - pads.top < x.shape[0] and 0 <= q - pads.left < x.shape[1]]
                if mode == "max":
                    best = cells[0]
                    for cell in cells[1:]:
                        if x[cell[0], cell[1], ch] > x[best[0], best[1], ch]:
                            best = cell
                    dx[best[0], best[1], ch] += dy[i, j, ch]
                else:
                    for r, q in cells:
                        dx[r, q, ch] += dy[i, j, ch] / len(cells)
    return dx


def pool_backward_steps(x, dy, mode, pool, strides, pads: Pads, *, flat: bool, limit: int) -> list[dict]:
    """One step per dL/dy cell (channel by channel, row by row: the forward trace's order), at most `limit`:
    dL/dy[i, j] sent back into its window, each real cell getting dL/dy × ∂y/∂x and adding it to its total.
    Window cells are [row, col] in padded-input coordinates; lists hold null for padding cells."""
    (ph, pw), (sh, sw) = pool, strides
    oh, ow, c = dy.shape
    t = ph * pw
    n = min(limit, oh * ow * c)
    hp, wp = x.shape[0] + pads.top + pads.bottom, x.shape[1] + pads.left + pads.right
    k = np.arange(n)
    ck, rest = np.divmod(k, oh * ow)
    ik, jk = np.divmod(rest, ow)
    xp = pad_input(x, pads, np.nan)
    forward = _windows(xp, pool, strides, (oh, ow))[ik, jk, ck]                  # (n, T) forward values
    local = local_grads(x, mode, pool, strides, pads, (oh, ow))[ik, jk, ck]     # (n, T)
    real = ~np.isnan(local)
    g = dy[ik, jk, ck]                                                          # (n,)
    products = g[:, None] * local                                               # (n, T)
    rows = ik[:, None] * sh + np.arange(ph)[None, :]                            # (n, ph)
    cols = jk[:, None] * sw + np.arange(pw)[None, :]                            # (n, pw)
    targets = ((ck[:, None, None] * hp + rows[:, :, None]) * wp + cols[:, None, :]).reshape(n, t)
    before, after = np.full((n, t), np.nan), np.full((n, t), np.nan)
    b_real, a_real = running_totals(targets[real], products[real], c * hp * wp)
    before[real], after[real] = b_real, a_real
    formulas, terms = update_formulas(np.where(real, before, 0.0), g, np.where(real, local, 0.0),
                                      np.where(real, after, 0.0), real)
    cells = np.stack(np.broadcast_arrays(rows[:, :, None], cols[:, None, :]), axis=-1).reshape(n, t, 2).tolist()

    padded = not real.all()

    def nulls(a):  # (n, T) -> lists, None where a cell is padding
        a = np.where(real, a, 0.0) + 0.0
        if not padded:
            return to_list(a)
        whole = bool(np.all(np.abs(a) < 2**53) and np.all(a == np.round(a)))   # as to_list: 3, not 3.0
        out = a.astype(np.int64).astype(object) if whole else a.astype(object)
        out[~real] = None
        return out.tolist()

    index = ([[i, j] for i, j in zip(ik.tolist(), jk.tolist(), strict=True)] if flat
             else [[i, j, ch] for i, j, ch in zip(ik.tolist(), jk.tolist(), ck.tolist(), strict=True)])
    fwd, weights, prods, befores, afters = nulls(forward), nulls(local), nulls(products), nulls(before), nulls(after)
    counts = real.sum(axis=1).tolist()
    winner = np.argmax(np.nan_to_num(local, nan=0.0), axis=1).tolist() if mode == "max" else None
    values = to_list(g)
    steps = []
    for m in range(n):
        step = {"index": index[m], "window": cells[m], "forward_inputs": fwd[m], "value": values[m],
                "weights": weights[m], "products": prods[m], "inputs": befores[m], "totals": afters[m]}
        if mode == "max":
            step["argmax"] = cells[m][winner[m]]
        else:
            step["count"] = counts[m]
        step["formula"], step["terms"] = formulas[m], terms[m]
        steps.append(step)
    return steps


def run_pool_backward(input, mode="max", pool_size=2, strides=None, padding="valid", trace=True,
                      grad_output=None) -> dict:
    """The /api/pool body plus grad_output (dL/dy, the output's shape; all ones when omitted) -> the forward
    output, dL/dx and a step per dL/dy cell (see notes/issue15.md for the shapes)."""
    forward = run_pool(input, mode, pool_size, strides, padding, trace=False)    # validates every field
    if not isinstance(trace, bool):
        raise EngineError("trace", "must be true or false")
    x = as_array(input, "input", (2, 3))
    flat = x.ndim == 2
    x = x[:, :, None] if flat else x
    mode = mode.lower()
    p = check_pair(pool_size, "pool_size", 1, MAX_K)
    s = p if strides is None else check_pair(strides, "strides", 1, MAX_STRIDE)
    q = forward["padding"]
    pads = Pads(q["top"], q["bottom"], q["left"], q["right"])
    shape = forward["output_shape"]
    if grad_output is None:
        g = np.ones(shape)
    else:
        g = as_array(grad_output, "grad_output", (len(shape),), shape, f"of the output's shape {list(shape)}")
        if list(g.shape) != list(shape):
            raise EngineError("grad_output", f"must have the output's shape {list(shape)}; got {list(g.shape)}")
    dy = g[:, :, None] if flat else g
    dx = pool2d_backward(x, dy, mode, p, s, pads)
    finite_or_raise(dx, "grad_output", "gradient")
    result = {"output": forward["output"], "output_shape": shape, "padding": forward["padding"],
              "grad_output": to_list(g), "grad_input": to_list(dx[:, :, 0] if flat else dx)}
    add_steps(result, dy.size, trace, p,
              lambda limit: pool_backward_steps(x, dy, mode, p, s, pads, flat=flat, limit=limit))
    return result
