"""Dense (on the last axis, as in Keras) and Embedding (a row lookup).

A traced Dense unit is one weighted sum: the conv engine's step of a 1×D window on the input row, so it is
written like a convolution with one group: "(0.5×0.2 + 1×(-0.3)) + 0.1 = -0.2 + 0.1 = -0.1".
"""

from __future__ import annotations

import numpy as np

from ..errors import EngineError
from ..numbers import fmt
from ..padding import Pads
from . import activations
from .spec import Kind, Layer, WeightSpec, known, register
from .steps import reshape_step, row_numbers, weighted_sum_step


def _no_extras(o) -> None:
    o.only("lora_rank", (None, 0), why="LoRA layers are not supported")
    o.only("quantization_config", (None,), why="quantized layers are not supported")


def dense_options(o) -> dict:
    _no_extras(o)
    act = activations.resolve(o.raw.get("activation"), o.keras, f"{o.field}.activation")
    return {"units": o.int("units", lo=1), "activation": activations.keras_name(act),
            "use_bias": o.bool("use_bias", True), "_activation": act}


def dense_shape(o: dict, s, field: str):
    if len(s) < 1:
        raise EngineError(field, "Dense needs an input with at least one axis")
    known(s, field, "Dense's last axis", axes=[len(s) - 1])
    return (*s[:-1], o["units"])


def dense_weights(o: dict, s) -> list[WeightSpec]:
    kernel = WeightSpec("kernel", (s[-1], o["units"]))
    return [kernel, WeightSpec("bias", (o["units"],))] if o["use_bias"] else [kernel]


def dense_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    """x (..., D) -> (..., U)."""
    z = x @ layer.w("kernel")
    b = layer.w("bias")
    return activations.apply(layer.options["_activation"], z if b is None else z + b)


def dense_naive(x: np.ndarray, W: np.ndarray, b, act: str) -> np.ndarray:
    """The loop reference for a vector x (D,): one product at a time."""
    z = [sum(x[k] * W[k, j] for k in range(W.shape[0])) + (0.0 if b is None else b[j]) for j in range(W.shape[1])]
    return np.array([activations.scalar(act, v, z) for v in z])


def dense_trace(layer: Layer, x, y, index) -> dict:
    *prefix, j = index
    row, out_row = x[tuple(prefix)], y[tuple(prefix)]                     # (D,), (U,)
    W = layer.w("kernel")
    step = weighted_sum_step(row[None, :, None], W[None, :, None, :], layer.w("bias"), Pads(0, 0, 0, 0), (1, 1),
                             (1, 1), (0, 0, j), layer.options["_activation"], out_row[None, None, :])
    step = reshape_step(step, (W.shape[0],), lambda cell: [*prefix, cell[1]])
    step["index"] = list(index)
    return {"kind": "dense", "step": step}


register("Dense")(Kind(
    parse=dense_options, shape=dense_shape, weights=dense_weights, forward=dense_forward,
    cost=lambda layer, i, out: int(np.prod(out)) * (int(layer.weight_specs[0].shape[0])
                                                    + activations.COSTS[layer.options["_activation"]]),
    trace=dense_trace, trace_numbers=lambda layer, s: int(layer.weight_specs[0].shape[0])
    + row_numbers(layer.options["_activation"], int(layer.weight_specs[0].shape[1])),
))


# ---- Embedding -------------------------------------------------------------------------------------

def embedding_options(o) -> dict:
    _no_extras(o)
    o.only("mask_zero", (None, False), why="masking is not modelled")
    o.only("sparse", (None, False))
    return {"input_dim": o.int("input_dim", lo=1), "output_dim": o.int("output_dim", lo=1)}


def token_ids(layer: Layer, x: np.ndarray) -> np.ndarray:
    """The input as row numbers, refusing what is not a whole number in 0..input_dim − 1."""
    n = layer.options["input_dim"]
    ok = (x == np.round(x)) & (x >= 0) & (x < n)
    if not ok.all():
        bad = x[~ok].ravel()[0]
        raise EngineError("input", f"layer {layer.name!r} (Embedding) looks up rows 0 to {n - 1}: every input must "
                          f"be a whole number in that range; got {fmt(bad)}")
    return x.astype(np.int64)


def embedding_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    """x (...,) whole numbers -> (..., output_dim): row x of the embeddings matrix."""
    return layer.w("embeddings")[token_ids(layer, x)]


def embedding_trace(layer: Layer, x, y, index) -> dict:
    *prefix, j = index
    token = int(token_ids(layer, x)[tuple(prefix)])
    value = float(y[tuple(index)])
    formula = f"embeddings[{token}, {j}] = {fmt(value)}"
    step = {"index": list(index), "window": [list(prefix)], "inputs": [token], "row": token, "value": value,
            "formula": formula, "terms": [formula]}
    return {"kind": "embedding", "step": step}


register("Embedding")(Kind(
    parse=embedding_options,
    shape=lambda o, s, field: (*s, o["output_dim"]),
    weights=lambda o, s: [WeightSpec("embeddings", (o["input_dim"], o["output_dim"]))],
    forward=embedding_forward, trace=embedding_trace,
))
