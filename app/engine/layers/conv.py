"""Conv2D, Conv1D (valid, same, causal) and ZeroPadding2D, computed by the engine's conv2d.

Conv1D is Conv2D on a one-row image: x (T, C) -> (1, T, C), kernel (k, C, F) -> (1, k, C, F);
'causal' pads (k − 1)·d zeros on the left only, so output t never sees an input after t.
"""

from __future__ import annotations

import numpy as np

from ..conv import conv2d, pad_input
from ..errors import EngineError
from ..padding import Pads, output_size, resolve_padding, same_pads_1d
from . import activations
from .spec import Kind, Layer, WeightSpec, check_padded, known, rank, register
from .steps import copy_step, reshape_step, row_numbers, weighted_sum_step


def _conv_options(o, n: int, paddings: tuple[str, ...]) -> dict:
    o.channels_last()
    o.only("groups", (None, 1), why="grouped convolutions are not supported")
    act = activations.resolve(o.raw.get("activation"), o.keras, f"{o.field}.activation")
    out = {
        "filters": o.int("filters", lo=1),
        "kernel_size": o.ints("kernel_size", n, lo=1),
        "strides": o.ints("strides", n, 1, lo=1),
        "padding": o.choice("padding", "valid", paddings),
        "dilation_rate": o.ints("dilation_rate", n, 1, lo=1),
        "activation": activations.keras_name(act), "use_bias": o.bool("use_bias", True), "_activation": act,
    }
    if max(out["strides"]) > 1 and max(out["dilation_rate"]) > 1:
        raise o.fail("dilation_rate", "strides and dilation_rate cannot both be > 1 (as in Keras)")
    return out


def _out_dim(n, k, s, d, padding):
    """One spatial axis: None stays None; 'same' and 'causal' give ceil(n / s)."""
    if n is None:
        return None
    if padding in ("same", "causal"):
        return -(-n // s)
    return output_size(n, k, s, d)


def _check_out(dims, field: str, in_shape) -> None:
    if any(d is not None and d < 1 for d in dims):
        raise EngineError(field, f"the window is larger than the input {list(in_shape)}: no output position fits")


def _check_padded(o: dict, s, field: str) -> None:
    def pads(a: int, n: int) -> int:   # the zeros axis a of n gets
        k, st, d = o["kernel_size"][a], o["strides"][a], o["dilation_rate"][a]
        if o["padding"] == "causal":
            return (k - 1) * d
        return sum(same_pads_1d(n, k, st, d)) if o["padding"] == "same" else 0

    check_padded(s, len(o["kernel_size"]), pads, field, f"padding {o['padding']!r} with kernel_size "
                 f"{list(o['kernel_size'])} and dilation_rate {list(o['dilation_rate'])}")


# ---- Conv2D ----------------------------------------------------------------------------------------

def conv2d_shape(o: dict, s, field: str):
    rank(s, field, (3,), "Conv2D")
    known(s, field, "Conv2D's channel axis", axes=[2])
    dims = [_out_dim(s[a], o["kernel_size"][a], o["strides"][a], o["dilation_rate"][a], o["padding"]) for a in (0, 1)]
    _check_out(dims, field, s)
    _check_padded(o, s, field)
    return (*dims, o["filters"])


def conv2d_weights(o: dict, s) -> list[WeightSpec]:
    kernel = WeightSpec("kernel", (*o["kernel_size"], s[-1], o["filters"]))
    return [kernel, WeightSpec("bias", (o["filters"],))] if o["use_bias"] else [kernel]


def conv2d_pads(layer: Layer, hw) -> Pads:
    o = layer.options
    return resolve_padding(o["padding"], hw, o["kernel_size"], o["strides"], o["dilation_rate"])


def conv2d_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    """x (H, W, C) -> (oh, ow, F)."""
    o = layer.options
    z = conv2d(pad_input(x, conv2d_pads(layer, x.shape[:2])), layer.w("kernel"), o["strides"], o["dilation_rate"])
    b = layer.w("bias")
    return activations.apply(o["_activation"], z if b is None else z + b)


def conv2d_trace(layer: Layer, x, y, index) -> dict:
    o, pads = layer.options, conv2d_pads(layer, x.shape[:2])
    step = weighted_sum_step(x, layer.w("kernel"), layer.w("bias"), pads, o["strides"], o["dilation_rate"],
                             tuple(index), o["_activation"], y)
    return {"kind": "conv2d", "padding": pads.as_dict(), "step": step}


register("Conv2D", "Convolution2D")(Kind(
    parse=lambda o: _conv_options(o, 2, ("valid", "same")),
    shape=conv2d_shape, weights=conv2d_weights, forward=conv2d_forward,
    cost=lambda layer, i, out: int(np.prod(out)) * (int(np.prod(layer.weight_specs[0].shape[:3]))
                                                    + activations.COSTS[layer.options["_activation"]]),
    trace=conv2d_trace, trace_numbers=lambda layer, s: int(np.prod(layer.weight_specs[0].shape[:3]))
    + row_numbers(layer.options["_activation"], int(layer.weight_specs[0].shape[3])),
))


# ---- Conv1D ----------------------------------------------------------------------------------------

def conv1d_shape(o: dict, s, field: str):
    rank(s, field, (2,), "Conv1D")
    known(s, field, "Conv1D's channel axis", axes=[1])
    t = _out_dim(s[0], o["kernel_size"][0], o["strides"][0], o["dilation_rate"][0], o["padding"])
    _check_out([t], field, s)
    _check_padded(o, s, field)
    return (t, o["filters"])


def conv1d_pads(layer: Layer, T: int) -> Pads:
    o = layer.options
    (k,), (s,), (d,) = o["kernel_size"], o["strides"], o["dilation_rate"]
    if o["padding"] == "causal":
        return Pads(0, 0, (k - 1) * d, 0)
    if o["padding"] == "same":
        return Pads(0, 0, *same_pads_1d(T, k, s, d))
    return Pads(0, 0, 0, 0)


def conv1d_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    """x (T, C) -> (T', F): Conv2D on the one-row image (1, T, C)."""
    o = layer.options
    xp = pad_input(x[None], conv1d_pads(layer, x.shape[0]))                  # (1, T + pads, C)
    z = conv2d(xp, layer.w("kernel")[None], (1, o["strides"][0]), (1, o["dilation_rate"][0]))[0]
    b = layer.w("bias")
    return activations.apply(o["_activation"], z if b is None else z + b)


def conv1d_trace(layer: Layer, x, y, index) -> dict:
    o = layer.options
    t, f = index
    pads = conv1d_pads(layer, x.shape[0])
    W = layer.w("kernel")                                                      # (k, C, F)
    step = weighted_sum_step(x[None], W[None], layer.w("bias"), pads, (1, o["strides"][0]),
                             (1, o["dilation_rate"][0]), (0, t, f), o["_activation"], y[None])
    step = reshape_step(step, W.shape[:2], lambda cell: [cell[1]])           # window cells: [t'] padded
    step["index"] = [t, f]
    return {"kind": "conv1d", "padding": {"left": pads.left, "right": pads.right}, "step": step}


register("Conv1D", "Convolution1D")(Kind(
    parse=lambda o: _conv_options(o, 1, ("valid", "same", "causal")),
    shape=conv1d_shape,
    weights=conv2d_weights,
    forward=conv1d_forward,
    cost=lambda layer, i, out: int(np.prod(out)) * (int(np.prod(layer.weight_specs[0].shape[:2]))
                                                    + activations.COSTS[layer.options["_activation"]]),
    trace=conv1d_trace, trace_numbers=lambda layer, s: int(np.prod(layer.weight_specs[0].shape[:2]))
    + row_numbers(layer.options["_activation"], int(layer.weight_specs[0].shape[2])),
))


# ---- ZeroPadding2D ----------------------------------------------------------------------------------

def zero_padding_options(o) -> dict:
    o.channels_last()
    v = o.raw.get("padding", 1)
    if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(p, (list, tuple)) for p in v):
        (t, b), (left, r) = _pair_of_pairs(o, v)
    else:
        (t, left) = o.ints("padding", 2, 1)
        b, r = t, left
    return {"padding": [[t, b], [left, r]]}


def _pair_of_pairs(o, v):
    flat = [p for pair in v for p in pair] if all(len(p) == 2 for p in v) else None
    if flat is None or not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 10_000 for p in flat):
        raise o.fail("padding", "must be an integer, 2 integers or [[top, bottom], [left, right]]")
    return (flat[0], flat[1]), (flat[2], flat[3])


def zero_padding_shape(o: dict, s, field: str):
    rank(s, field, (3,), "ZeroPadding2D")
    (t, b), (left, r) = o["padding"]
    return (None if s[0] is None else s[0] + t + b, None if s[1] is None else s[1] + left + r, s[2])


def zero_padding_forward(layer: Layer, x):
    (t, b), (left, r) = layer.options["padding"]
    return pad_input(x, Pads(t, b, left, r))


def zero_padding_trace(layer: Layer, x, y, index) -> dict:
    (t, _), (left, _) = layer.options["padding"]
    i, j, c = index
    src = (i - t, j - left, c)
    if 0 <= src[0] < x.shape[0] and 0 <= src[1] < x.shape[1]:
        step = copy_step(index, src, x[src])
    else:
        step = {"index": list(index), "window": [], "inputs": [], "value": 0.0,
                "formula": "padding = 0", "terms": ["padding = 0"]}
    return {"kind": "copy", "step": step}


register("ZeroPadding2D")(Kind(
    parse=zero_padding_options, shape=zero_padding_shape, forward=zero_padding_forward, trace=zero_padding_trace,
))
