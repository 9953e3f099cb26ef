"""MaxPooling2D and AveragePooling2D as Keras computes them (channels_last).

With 'same' padding the padded cells never win a max and are not counted in an average:
Keras / TF divide by the number of real cells under the window.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arrays import as_array, check_pair, to_list, to_list_or_null
from .conv import MAX_C, MAX_HW, MAX_K, MAX_STEPS, MAX_STRIDE, MAX_TRACE_NUMBERS, pad_input
from .errors import EngineError
from .formulas import pool_terms
from .keras_code import pool_code
from .padding import Pads, output_size, resolve_padding

MODES = ("max", "average")


def pool2d(x: np.ndarray, mode: str, pool=(2, 2), strides=(2, 2), pads=None) -> np.ndarray:
    """Vectorised pooling. x: (H, W, C) -> (oh, ow, C)."""
    (ph, pw), (sh, sw) = pool, strides
    if pads is not None:
        fill = -np.inf if mode == "max" else 0.0
        x = pad_input(x, pads, fill)
    win = sliding_window_view(x, (ph, pw), axis=(0, 1))[::sh, ::sw]  # (oh, ow, C, ph, pw)
    if mode == "max":
        return win.max(axis=(3, 4))
    real = np.ones(x.shape[:2] + (1,)) if pads is None else _real_mask(x.shape, pads)  # (Hp, Wp, 1)
    count = sliding_window_view(real, (ph, pw), axis=(0, 1))[::sh, ::sw].sum(axis=(3, 4))  # (oh, ow, 1)
    return win.sum(axis=(3, 4)) / count


def _real_mask(padded_shape, pads) -> np.ndarray:
    """1 where a cell of the padded input is real, 0 where it is padding: (Hp, Wp, 1)."""
    mask = np.zeros(padded_shape[:2] + (1,))
    mask[pads.top:padded_shape[0] - pads.bottom, pads.left:padded_shape[1] - pads.right] = 1.0
    return mask


def pool2d_naive(x: np.ndarray, mode: str, pool=(2, 2), strides=(2, 2), pads=None) -> np.ndarray:
    """Loop reference: only real cells take part."""
    (ph, pw), (sh, sw) = pool, strides
    top, left = (pads.top, pads.left) if pads else (0, 0)
    hp = x.shape[0] + (pads.top + pads.bottom if pads else 0)
    wp = x.shape[1] + (pads.left + pads.right if pads else 0)
    oh, ow = output_size(hp, ph, sh), output_size(wp, pw, sw)
    out = np.zeros((oh, ow, x.shape[2]))
    for i in range(oh):
        for j in range(ow):
            for c in range(x.shape[2]):
                vals = [x[r - top, q - left, c]
                        for r in range(i * sh, i * sh + ph) for q in range(j * sw, j * sw + pw)
                        if 0 <= r - top < x.shape[0] and 0 <= q - left < x.shape[1]]
                out[i, j, c] = max(vals) if mode == "max" else sum(vals) / len(vals)
    return out


def pool_steps(x, pads, y, mode, pool, strides, *, flat: bool, limit: int) -> list[dict]:
    """One step per output cell and channel (channel by channel, row by row), at most `limit`.
    Cells are [row, col] in padded-input coordinates; `inputs` holds null for padding cells, which take
    no part. The numbers and texts are computed for all cells at once; the loop assembles the records."""
    (ph, pw), (sh, sw) = pool, strides
    oh, ow, c = y.shape
    k = ph * pw
    xp = pad_input(x, pads, np.nan)                                   # padding cells are NaN here
    win = sliding_window_view(xp, (ph, pw), axis=(0, 1))[::sh, ::sw][:oh, :ow]    # (oh, ow, C, ph, pw)
    win = win.transpose(2, 0, 1, 3, 4).reshape(c, oh * ow, k)        # (C, cells, window), window row by row
    real = ~np.isnan(win)
    r_cells = (np.arange(oh) * sh)[:, None, None, None] + np.arange(ph)[None, None, :, None]
    c_cells = (np.arange(ow) * sw)[None, :, None, None] + np.arange(pw)[None, None, None, :]
    windows = np.stack(np.broadcast_arrays(r_cells, c_cells), axis=-1).reshape(oh * ow, k, 2).tolist()
    index = [[i, j] for i in range(oh) for j in range(ow)]
    padded = not real.all()
    steps: list[dict] = []
    for ch in range(c):
        m = min(oh * ow, limit - len(steps))
        if m <= 0:
            break
        vals, reals = win[ch, :m], real[ch, :m]
        inputs = vals.tolist()
        if padded:
            inputs = [[None if v != v else v for v in row] for row in inputs]
        counts = reals.sum(axis=1).tolist()
        outs = y[:, :, ch].ravel()[:m]
        terms = pool_terms(mode, vals, reals, counts, outs)
        if mode == "max":
            best = np.nanargmax(np.where(reals, vals, -np.inf), axis=1).tolist()   # the first maximum
        else:
            total = np.zeros(m)
            for n in range(k):                                          # left to right, as the formula reads
                total = total + np.where(reals[:, n], vals[:, n], 0.0)
            sums = total.tolist()
        for cell, (value, parts) in enumerate(zip(outs.tolist(), terms, strict=True)):
            step = {"index": index[cell] if flat else [*index[cell], ch], "window": windows[cell],
                    "inputs": inputs[cell], "count": counts[cell], "value": value}
            if mode == "max":
                step["argmax"] = windows[cell][best[cell]]
            else:
                step["sum"] = sums[cell]
            step["formula"] = "".join(parts)
            step["terms"] = parts
            steps.append(step)
    return steps


def pool_cell_step(x: np.ndarray, index, pool=(2, 2), strides=(2, 2)) -> dict:
    """The max-pooling step of one output cell (i, j, c) of a layer whose whole input is x (H, W, C),
    'valid' padding: only that cell's window is pooled (by `pool2d`) and traced (by `pool_steps`)."""
    i, j, k = index
    r0, c0 = i * strides[0], j * strides[1]
    patch = x[r0:r0 + pool[0], c0:c0 + pool[1], k:k + 1]                   # (ph, pw, 1)
    y = pool2d(patch, "max", pool, pool)                                     # (1, 1, 1)
    step = pool_steps(patch, Pads(0, 0, 0, 0), y, "max", pool, pool, flat=False, limit=1)[0]
    step["index"] = [i, j, k]
    step["window"] = [[r + r0, q + c0] for r, q in step["window"]]
    step["argmax"] = [step["argmax"][0] + r0, step["argmax"][1] + c0]
    return step


def add_steps(result: dict, total: int, trace: bool, pool, make) -> None:
    """result's `steps` (make(limit): at most `limit` of them, fewer for large windows), `steps_total` and
    `steps_truncated`, as the conv and recurrent traces give them."""
    limit = min(MAX_STEPS, max(1, MAX_TRACE_NUMBERS // (pool[0] * pool[1])))
    result["steps"] = make(limit) if trace else []
    result["steps_total"] = total
    result["steps_truncated"] = bool(trace) and len(result["steps"]) < total


def run_pool(input, mode="max", pool_size=2, strides=None, padding="valid", trace=True) -> dict:
    x = as_array(input, "input", (2, 3), (MAX_HW, MAX_HW, MAX_C), "(H, W) or (H, W, C)")
    flat = x.ndim == 2
    if flat:
        x = x[:, :, None]
    if not isinstance(mode, str) or mode.lower() not in MODES:
        raise EngineError("mode", "must be 'max' or 'average'")
    mode = mode.lower()
    p = check_pair(pool_size, "pool_size", 1, MAX_K)
    s = p if strides is None else check_pair(strides, "strides", 1, MAX_STRIDE)
    if not isinstance(trace, bool):
        raise EngineError("trace", "must be true or false")
    pads = resolve_padding(padding, x.shape[:2], p, s, allowed=("valid", "same"))
    hp, wp = x.shape[0] + pads.top + pads.bottom, x.shape[1] + pads.left + pads.right
    if p[0] > hp or p[1] > wp:
        raise EngineError("pool_size", f"the {p[0]}×{p[1]} window is larger than the {hp}×{wp} input: "
                          "no output position fits", code="pool_too_large")
    y = pool2d(x, mode, p, s, pads)
    out = y[:, :, 0] if flat else y
    xp = pad_input(x, pads, np.nan)                                  # padding cells take no part: null
    result = {"output": to_list(out), "output_shape": list(out.shape), "padding": pads.as_dict(),
              "padded_input": to_list_or_null(xp[:, :, 0] if flat else xp)}
    add_steps(result, y.size, trace, p, lambda limit: pool_steps(x, pads, y, mode, p, s, flat=flat, limit=limit))
    result["keras"] = pool_code(x, mode, p, s, padding.lower(), flat=flat, strides_given=strides is not None)
    return result
