"""MaxPooling2D and AveragePooling2D as Keras computes them (channels_last).

With 'same' padding the padded cells never win a max and are not counted in an average:
Keras / TF divide by the number of real cells under the window.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arrays import as_array, check_pair, to_list
from .conv import MAX_C, MAX_HW, MAX_K, MAX_STEPS, MAX_STRIDE, MAX_TRACE_NUMBERS, pad_input
from .errors import EngineError
from .numbers import fmt, term
from .padding import output_size, resolve_padding

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
    """One step per output cell and channel. Cells are [row, col] in padded-input coordinates;
    `values` holds null for padding cells, which take no part."""
    (ph, pw), (sh, sw) = pool, strides
    oh, ow, c = y.shape
    steps = []
    for ch in range(c):
        for i in range(oh):
            for j in range(ow):
                if len(steps) >= limit:
                    return steps
                window, values, real = [], [], []
                for r in range(i * sh, i * sh + ph):
                    for q in range(j * sw, j * sw + pw):
                        window.append([r, q])
                        xr, xq = r - pads.top, q - pads.left
                        if 0 <= xr < x.shape[0] and 0 <= xq < x.shape[1]:
                            v = float(x[xr, xq, ch])
                            values.append(v)
                            real.append((v, [r, q]))
                        else:
                            values.append(None)
                value = float(y[i, j, ch])
                nums = [v for v, _ in real]
                step = {"index": [i, j] if flat else [i, j, ch], "window": window, "values": values,
                        "count": len(nums), "value": value}
                if mode == "max":
                    best = max(range(len(real)), key=lambda n: (real[n][0], -n))  # first maximum
                    step["argmax"] = real[best][1]
                    step["formula"] = f"max({', '.join(fmt(v) for v in nums)}) = {fmt(value)}"
                else:
                    step["sum"] = float(sum(nums))
                    joined = " + ".join([fmt(nums[0])] + [term(v) for v in nums[1:]])
                    step["formula"] = f"({joined}) / {len(nums)} = {fmt(value)}"
                steps.append(step)
    return steps


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
                          "no output position fits")
    y = pool2d(x, mode, p, s, pads)
    out = y[:, :, 0] if flat else y
    result = {"output": to_list(out), "output_shape": list(out.shape), "padding": pads.as_dict()}
    total = y.size
    if trace:
        limit = min(MAX_STEPS, max(1, MAX_TRACE_NUMBERS // (p[0] * p[1])))
        result["steps"] = pool_steps(x, pads, y, mode, p, s, flat=flat, limit=limit)
    else:
        result["steps"] = []
    result["steps_total"] = total
    result["steps_truncated"] = bool(trace) and len(result["steps"]) < total
    return result
