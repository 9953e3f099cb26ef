"""Layers that compute each output from the input at the same place: Activation, ReLU, Softmax,
BatchNormalization (inference: moving statistics), Rescaling, and Dropout (the identity at inference)."""

from __future__ import annotations

import numpy as np

from ..errors import EngineError
from ..numbers import fmt, term
from . import activations
from .options import resolve_axis
from .spec import Kind, Layer, WeightSpec, known, register
from .steps import activation_text, copy_step, one_input_step, row_activation_text, row_numbers


def _same_shape(o, s, field):
    return tuple(s)


def _step(index, x, y, formula, **extra) -> dict:
    ix = tuple(index)
    return one_input_step(index, index, x[ix], y[ix], formula, **extra)


# ---- Activation --------------------------------------------------------------------------------------

def activation_options(o) -> dict:
    act = activations.resolve(o.raw.get("activation"), o.keras, f"{o.field}.activation")
    return {"activation": activations.keras_name(act), "_activation": act}


def activation_trace(layer: Layer, x, y, index) -> dict:
    act, ix = layer.options["_activation"], tuple(index)
    if act in ("softmax", "log_softmax"):
        text = row_activation_text(act, x[ix[:-1]], ix[-1])
    else:
        text = activation_text(act, x[ix], y[ix])
    return {"kind": "activation", "step": _step(index, x, y, text)}


register("Activation")(Kind(
    parse=activation_options, shape=_same_shape,
    forward=lambda layer, x: activations.apply(layer.options["_activation"], x), trace=activation_trace,
    cost=lambda layer, i, out: int(np.prod(out)) * activations.COSTS[layer.options["_activation"]],
    trace_numbers=lambda layer, s: 1 + row_numbers(layer.options["_activation"], s[-1]),
))


# ---- ReLU --------------------------------------------------------------------------------------------

def relu_options(o) -> dict:
    return {"max_value": o.number("max_value", None, lo=0, allow_none=True),
            "negative_slope": o.number("negative_slope", 0.0, lo=0), "threshold": o.number("threshold", 0.0)}


def relu(x: np.ndarray, max_value, negative_slope: float, threshold: float) -> np.ndarray:
    """Keras' relu, as its code computes it (keras.src.layers.ReLU / backend.relu in Keras 2):
    x where x > threshold, else 0; then clipped to [0, max_value]; then − negative_slope·relu(threshold − x)."""
    if negative_slope != 0 and max_value is None and threshold == 0:
        return np.where(x >= 0, x, negative_slope * x)          # leaky_relu
    negative = np.maximum(threshold - x, 0.0) if negative_slope != 0 else 0.0
    y = x * (x > threshold) if threshold != 0 else np.maximum(x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    return y - negative_slope * negative if negative_slope != 0 else y


def relu_trace(layer: Layer, x, y, index) -> dict:
    o, ix = layer.options, tuple(index)
    extras = [f"{k}={fmt(o[k])}" for k, default in (("max_value", None), ("negative_slope", 0.0),
                                                     ("threshold", 0.0)) if o[k] != default]
    args = fmt(x[ix]) + "".join("; " + e if i == 0 else ", " + e for i, e in enumerate(extras))
    return {"kind": "activation", "step": _step(index, x, y, f"relu({args}) = {fmt(y[ix])}")}


register("ReLU")(Kind(
    parse=relu_options, shape=_same_shape, trace=relu_trace,
    forward=lambda layer, x: relu(x, layer.options["max_value"], layer.options["negative_slope"],
                                  layer.options["threshold"]),
))


# ---- Softmax -----------------------------------------------------------------------------------------

def softmax_forward(layer: Layer, x):
    a = layer.options["_axis"]
    return np.moveaxis(activations.apply("softmax", np.moveaxis(x, a, -1)), -1, a)


def softmax_trace(layer: Layer, x, y, index) -> dict:
    a, ix = layer.options["_axis"], tuple(index)
    row = np.moveaxis(x, a, -1)[ix[:a] + ix[a + 1:]]
    return {"kind": "activation", "step": _step(index, x, y, row_activation_text("softmax", row, ix[a]))}


def softmax_shape(o, s, field):
    o["_axis"] = resolve_axis(o["axis"], len(s), f"{field}.axis")
    return tuple(s)


register("Softmax")(Kind(
    parse=lambda o: {"axis": o.axis("axis", -1, "softmax over several axes is not supported")},  # resolved in shape
    shape=softmax_shape, forward=softmax_forward, trace=softmax_trace,
    trace_numbers=lambda layer, s: 1 + s[layer.options["_axis"]],
    cost=lambda layer, i, out: int(np.prod(out)) * activations.COSTS["softmax"],
))


# ---- BatchNormalization ------------------------------------------------------------------------------

def bn_options(o) -> dict:
    for key in ("renorm",):
        o.only(key, (None, False), why="batch renormalization is not supported")
    o.only("virtual_batch_size", (None,), why="ghost batch normalization is not supported")
    o.only("adjustment", (None,))
    return {"axis": o.axis("axis", -1, "normalising over several axes is not supported"),
            "epsilon": o.number("epsilon", 1e-3, lo=0),
            "center": o.bool("center", True), "scale": o.bool("scale", True)}


def bn_shape(o: dict, s, field: str):
    o["_axis"] = resolve_axis(o["axis"], len(s), f"{field}.axis")   # needs the input's rank, known only here
    known(s, field, "BatchNormalization's axis", axes=[o["_axis"]])
    return tuple(s)


def bn_weights(o: dict, s) -> list[WeightSpec]:
    c = (s[o["_axis"]],)
    out = [WeightSpec("gamma", c)] if o["scale"] else []
    out += [WeightSpec("beta", c)] if o["center"] else []
    return out + [WeightSpec("moving_mean", c, False), WeightSpec("moving_variance", c, False)]


def _along(layer: Layer, v: np.ndarray, ndim: int) -> np.ndarray:
    """A (C,) vector shaped to broadcast along the layer's axis of an ndim-rank input."""
    shape = [1] * ndim
    shape[layer.options["_axis"]] = -1
    return v.reshape(shape)


def bn_forward(layer: Layer, x):
    """y = (x − mean) / √(var + ε) · γ + β, as Keras computes it: x·inv + (β − mean·inv), inv = γ / √(var + ε)."""
    mean, var = layer.w("moving_mean"), layer.w("moving_variance")
    inv = 1.0 / np.sqrt(var + layer.options["epsilon"])
    if layer.options["scale"]:
        inv = inv * layer.w("gamma")
    shift = -mean * inv + (layer.w("beta") if layer.options["center"] else 0.0)
    return x * _along(layer, inv, x.ndim) + _along(layer, shift, x.ndim)


def bn_trace(layer: Layer, x, y, index) -> dict:
    ix, o = tuple(index), layer.options
    c = ix[o["_axis"]]
    mean, var = float(layer.w("moving_mean")[c]), float(layer.w("moving_variance")[c])
    gamma = float(layer.w("gamma")[c]) if o["scale"] else None
    beta = float(layer.w("beta")[c]) if o["center"] else None
    head = "(x − mean) / √(var + ε)" + (" × γ" if gamma is not None else "") + (" + β" if beta is not None else "")
    nums = f"({fmt(x[ix])} − {term(mean)}) / √({fmt(var)} + {fmt(o['epsilon'])})"
    nums += (f" × {term(gamma)}" if gamma is not None else "") + (f" + {term(beta)}" if beta is not None else "")
    formula = f"{head} = {nums} = {fmt(y[ix])}"
    step = _step(index, x, y, formula, mean=mean, variance=var, epsilon=o["epsilon"], gamma=gamma, beta=beta)
    return {"kind": "batch_normalization", "step": step}


register("BatchNormalization")(Kind(
    parse=bn_options, shape=bn_shape, weights=bn_weights, forward=bn_forward, trace=bn_trace,
    cost=lambda layer, i, out: int(np.prod(out)) * 5,        # (x − mean) / √(var + ε) · γ + β
))


# ---- Rescaling ---------------------------------------------------------------------------------------

def _vector_or_number(o, key, default):
    v = o.raw.get(key, default)
    if isinstance(v, (list, tuple)):
        if not 1 <= len(v) <= 4096 or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in v):
            raise o.fail(key, "must be a number or a list of numbers (one per channel)")
        return [float(a) for a in v]
    return o.number(key, default)


def rescaling_shape(o, s, field):
    for key in ("scale", "offset"):
        if isinstance(o[key], list) and len(o[key]) not in (1, s[-1]):
            raise EngineError(f"{field}.{key}", f"has {len(o[key])} values but the input has {s[-1]} channels")
    return tuple(s)


def rescaling_trace(layer: Layer, x, y, index) -> dict:
    ix = tuple(index)
    scale, offset = (np.broadcast_to(np.asarray(layer.options[k], dtype=np.float64), x.shape)[ix]
                     for k in ("scale", "offset"))
    formula = f"x × scale + offset = {fmt(x[ix])} × {term(scale)} + {term(offset)} = {fmt(y[ix])}"
    return {"kind": "rescaling", "step": _step(index, x, y, formula)}


register("Rescaling")(Kind(
    parse=lambda o: {"scale": _vector_or_number(o, "scale", None), "offset": _vector_or_number(o, "offset", 0.0)},
    shape=rescaling_shape, trace=rescaling_trace,
    forward=lambda layer, x: x * np.asarray(layer.options["scale"]) + np.asarray(layer.options["offset"]),
))


# ---- Dropout -----------------------------------------------------------------------------------------

register("Dropout")(Kind(
    parse=lambda o: {"rate": o.number("rate", 0.0, lo=0, hi=1)}, shape=_same_shape,
    forward=lambda layer, x: x,
    trace=lambda layer, x, y, index: {"kind": "copy", "step": copy_step(index, index, x[tuple(index)])},
))
