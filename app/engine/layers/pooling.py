"""MaxPooling2D/1D, AveragePooling2D/1D and the global poolings, computed by the engine's pool2d.

The 1-D layers are the 2-D ones on a one-row image, as for Conv1D. With 'same' padding a padded cell never
wins a max and is not counted in an average (TensorFlow's and Keras' rule, app/engine/pool.py).
"""

from __future__ import annotations

import numpy as np

from ..errors import EngineError
from ..padding import Pads, output_size, resolve_padding, same_pads_1d
from ..pool import pool2d, pool_steps
from .spec import COPY_COST, Kind, Layer, check_padded, known, rank, register

WINDOW_COST = 7     # cost units of one number read by a pooling window (a strided view, then max or mean)


def _options(o, n: int) -> dict:
    o.channels_last()
    pool = o.ints("pool_size", n, 2, lo=1)
    strides = pool if o.raw.get("strides") is None else o.ints("strides", n, lo=1)
    return {"pool_size": pool, "strides": strides, "padding": o.choice("padding", "valid", ("valid", "same"))}


def _dim(n, p, s, padding):
    if n is None:
        return None
    return -(-n // s) if padding == "same" else output_size(n, p, s)


def _shape(n: int, name: str):
    def shape(o: dict, s, field: str):
        rank(s, field, (n + 1,), name)
        dims = [_dim(s[a], o["pool_size"][a], o["strides"][a], o["padding"]) for a in range(n)]
        if any(d is not None and d < 1 for d in dims):
            raise EngineError(field, f"the pool window is larger than the input {list(s)}: no output position fits")
        if o["padding"] == "same":
            check_padded(s, n, lambda a, m: sum(same_pads_1d(m, o["pool_size"][a], o["strides"][a])), field,
                         f"padding 'same' with pool_size {list(o['pool_size'])}")
        return (*dims, s[-1])
    return shape


def _geometry(layer: Layer, x2: np.ndarray):
    """(pool, strides, pads) for the 2-D view x2 (H, W, C) of the layer's input."""
    o = layer.options
    pool, strides = o["pool_size"], o["strides"]
    if len(pool) == 1:
        pool, strides = (1, pool[0]), (1, strides[0])
    return pool, strides, resolve_padding(o["padding"], x2.shape[:2], pool, strides, allowed=("valid", "same"))


def _forward(mode: str):
    def forward(layer: Layer, x):
        x2 = x if x.ndim == 3 else x[None]
        pool, strides, pads = _geometry(layer, x2)
        y = pool2d(x2, mode, pool, strides, pads)
        return y if x.ndim == 3 else y[0]
    return forward


def window_step(x2, pads: Pads, value: float, mode: str, pool, r0: int, c0: int, ch: int) -> dict:
    """The pool step of the window whose top-left cell is (r0, c0) in padded coordinates, by pool_steps run
    on just that window (its real cells and the padding it overlaps)."""
    (ph, pw), (H, W) = pool, x2.shape[:2]
    a, b = max(r0, pads.top), min(r0 + ph, pads.top + H)          # real rows of the window, padded coordinates
    c, d = max(c0, pads.left), min(c0 + pw, pads.left + W)
    sub = x2[a - pads.top:b - pads.top, c - pads.left:d - pads.left, ch:ch + 1]
    sub_pads = Pads(a - r0, r0 + ph - b, c - c0, c0 + pw - d)
    step = pool_steps(sub, sub_pads, np.full((1, 1, 1), value), mode, pool, pool, flat=False, limit=1)[0]
    step["window"] = [[r + r0, q + c0] for r, q in step["window"]]
    if "argmax" in step:
        step["argmax"] = [step["argmax"][0] + r0, step["argmax"][1] + c0]
    return step


def _trace(mode: str):
    def trace(layer: Layer, x, y, index) -> dict:
        one_d = x.ndim == 2
        x2, y2 = (x[None], y[None]) if one_d else (x, y)
        i, j, ch = (0, *index) if one_d else index
        pool, strides, pads = _geometry(layer, x2)
        step = window_step(x2, pads, y2[i, j, ch], mode, pool, i * strides[0], j * strides[1], ch)
        step["index"] = list(index)
        if one_d:
            step["window"] = [[q] for _, q in step["window"]]
            if "argmax" in step:
                step["argmax"] = [step["argmax"][1]]
        pad_dict = {"left": pads.left, "right": pads.right} if one_d else pads.as_dict()
        return {"kind": "max_pool" if mode == "max" else "average_pool", "padding": pad_dict, "step": step}
    return trace


for _mode, _n, _names in (("max", 2, ("MaxPooling2D", "MaxPool2D")), ("max", 1, ("MaxPooling1D", "MaxPool1D")),
                          ("average", 2, ("AveragePooling2D", "AvgPool2D")),
                          ("average", 1, ("AveragePooling1D", "AvgPool1D"))):
    register(*_names)(Kind(
        parse=lambda o, n=_n: _options(o, n), shape=_shape(_n, _names[0]), forward=_forward(_mode),
        cost=lambda layer, i, out: int(np.prod(out)) * int(np.prod(layer.options["pool_size"])) * WINDOW_COST,
        trace=_trace(_mode), trace_numbers=lambda layer, s: int(np.prod(layer.options["pool_size"])),
    ))


# ---- global pooling: one window over the whole map ---------------------------------------------------

def _global_options(o) -> dict:
    o.channels_last()
    return {"keepdims": o.bool("keepdims", False)}


def _global_shape(n: int, name: str):
    def shape(o: dict, s, field: str):
        rank(s, field, (n + 1,), name)
        known(s, field, f"{name}'s channel axis", axes=[n])
        return (*([1] * n), s[-1]) if o["keepdims"] else (s[-1],)
    return shape


def _global_forward(mode: str):
    def forward(layer: Layer, x):
        axes = tuple(range(x.ndim - 1))
        return x.max(axis=axes, keepdims=layer.options["keepdims"]) if mode == "max" else \
            x.mean(axis=axes, keepdims=layer.options["keepdims"])
    return forward


def _global_trace(mode: str):
    def trace(layer: Layer, x, y, index) -> dict:
        ch = index[-1]
        x2 = x if x.ndim == 3 else x[None]
        step = window_step(x2, Pads(0, 0, 0, 0), float(y.reshape(-1)[ch]), mode, x2.shape[:2], 0, 0, ch)
        step["index"] = list(index)
        if x.ndim == 2:
            step["window"] = [[q] for _, q in step["window"]]
            if "argmax" in step:
                step["argmax"] = [step["argmax"][1]]
        return {"kind": "max_pool" if mode == "max" else "average_pool", "step": step}
    return trace


for _mode, _n, _names in (("max", 2, ("GlobalMaxPooling2D", "GlobalMaxPool2D")),
                          ("max", 1, ("GlobalMaxPooling1D", "GlobalMaxPool1D")),
                          ("average", 2, ("GlobalAveragePooling2D", "GlobalAvgPool2D")),
                          ("average", 1, ("GlobalAveragePooling1D", "GlobalAvgPool1D"))):
    register(*_names)(Kind(
        parse=_global_options, shape=_global_shape(_n, _names[0]), forward=_global_forward(_mode),
        cost=lambda layer, i, out: int(np.prod([d or 1 for d in i])) * COPY_COST,
        trace=_global_trace(_mode), trace_numbers=lambda layer, s: int(np.prod(s[:-1])),
    ))
