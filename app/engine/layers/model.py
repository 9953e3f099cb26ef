"""A chain of Keras layers: built from configs, checked, run on one sample, summarised and traced.

    model = build("my_cnn", (28, 28, 1), [("Conv2D", {...}), ("MaxPooling2D", {...}), ...], keras=3)
    set_weights(model, {...}) is done by the file reader (app/models/), which knows where a file keeps them.
    outputs = forward(model, x)          # every layer's output, float64, one sample (no batch axis)
    checked = check_input(model, x)      # x checked and planned (its layers' shapes) once: run(model, checked)

Costs are bounded before work starts: layers, parameters and shape sizes when building; the numbers of every
layer's output and the cost of the whole run (spec.Kind.cost: about a nanosecond a unit) before a forward pass.
A run keeps the outputs its caller asks for, not every layer's: a long chain costs the memory of two layers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import EngineError
from ..limits import (
    MODEL_MAX_COST,
    MODEL_MAX_DIM,
    MODEL_MAX_LAYER_NUMBERS,
    MODEL_MAX_LAYERS,
    MODEL_MAX_PARAMS,
    MODEL_TRACE_MAX_NUMBERS,
)
from .options import Options
from .spec import KINDS, Layer, Shape

SUPPORTED = ("InputLayer", "Conv2D", "Conv1D", "MaxPooling2D", "MaxPooling1D", "AveragePooling2D",
             "AveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling2D",
             "GlobalMaxPooling1D", "ZeroPadding2D", "Flatten", "Dense", "Dropout", "Activation", "ReLU", "Softmax",
             "BatchNormalization", "Reshape", "Rescaling", "SimpleRNN", "LSTM", "GRU", "Embedding")


@dataclass
class Model:
    name: str
    input_shape: Shape          # one sample; None for a free axis
    input_name: str
    layers: list[Layer]
    keras: int                  # the major Keras version that wrote the file
    integer_input: bool         # the first layer is an Embedding: the input holds token ids

    def layer(self, name: str) -> tuple[int, Layer]:
        for i, layer in enumerate(self.layers):
            if layer.name == name:
                return i, layer
        raise EngineError("layer", f"no layer named {str(name)[:60]!r}; the layers are "
                          + ", ".join(repr(lay.name) for lay in self.layers))


def refuse_class(class_name: str, name: str, field: str) -> EngineError:
    if class_name == "Lambda":
        return EngineError(field, f"Lambda layer {name!r} holds Python code, and this app never runs code from a "
                           "file: rebuild the model without it (e.g. with a Rescaling or Reshape layer)",
                           code="unsupported_layer")
    return EngineError(field, f"{class_name} layer {name!r} is not supported; supported layers: "
                       + ", ".join(SUPPORTED), code="unsupported_layer")


def _check_shape(shape: Shape, field: str, what: str) -> None:
    """Every axis within 1 .. MODEL_MAX_DIM; a shape with no free axis holds at most MODEL_MAX_LAYER_NUMBERS numbers
    (the cap every run checks: a model that could never run is refused when it is read)."""
    if any(d is not None and not 1 <= d <= MODEL_MAX_DIM for d in shape):
        raise EngineError(field, f"the shape {list(shape)} has an axis outside 1 .. {MODEL_MAX_DIM:,}")
    if None not in shape and (n := math.prod(shape)) > MODEL_MAX_LAYER_NUMBERS:
        raise EngineError(field, f"{what} {list(shape)} holds {n:,} numbers; the cap is {MODEL_MAX_LAYER_NUMBERS:,} "
                          "numbers in one layer, so no input could run", code="model_too_costly")


def build(name: str, input_shape: Shape, configs: list[tuple[str, str, dict]], keras: int = 3,
          input_name: str = "input") -> Model:
    """configs: [(class_name, layer name, raw Keras config)] in the order the data flows, InputLayer excluded.
    Field paths name a layer by its row in the summary (the InputLayer is row 0): layers.3.kernel_size."""
    if len(configs) + 1 > MODEL_MAX_LAYERS:
        raise EngineError("layers", f"the model has {len(configs) + 1} layers; the cap is {MODEL_MAX_LAYERS}")
    if not configs:
        raise EngineError("layers", "the model has no layers")
    _check_shape(input_shape, "input_shape", "the input")
    shape, layers, total, seen = tuple(input_shape), [], 0, set()
    for i, (class_name, layer_name, raw) in enumerate(configs):
        field = f"layers.{i + 1}"       # as in the summary, where the InputLayer is layers.0
        kind = KINDS.get(class_name)
        if kind is None:
            raise refuse_class(class_name, layer_name, field)
        if layer_name in seen:
            raise EngineError(f"{field}.name", f"two layers are named {layer_name!r}")
        seen.add(layer_name)
        try:
            opts = Options(raw, field, keras)
            options = kind.parse(opts)
            trainable = opts.bool("trainable", True)
            out = tuple(kind.shape(options, shape, field))
            _check_shape(out, field, "its output")
        except EngineError as e:        # say which layer, not only where
            raise EngineError(e.field, f"{class_name} layer {layer_name!r}: {e.rule}", e.code) from None
        layer = Layer(layer_name, class_name, options, shape, out, kind.weights(options, shape), trainable)
        total += layer.params
        if total > MODEL_MAX_PARAMS:
            raise EngineError(field, f"the model has more than {MODEL_MAX_PARAMS:,} parameters (counted up to "
                              f"this layer: {total:,})", code="model_too_large")
        layers.append(layer)
        shape = out
    return Model(name, tuple(input_shape), input_name, layers, keras, layers[0].class_name == "Embedding")


def plan(model: Model, x_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every layer's output shape for an input of x_shape, refusing a run over the caps before it starts."""
    if len(x_shape) != len(model.input_shape) or any(d is not None and d != n
                                                     for d, n in zip(model.input_shape, x_shape, strict=True)):
        want = ", ".join("any" if d is None else str(d) for d in model.input_shape)
        raise EngineError("input", f"must have shape ({want}) (one sample, no batch axis); got {list(x_shape)}",
                          code="wrong_input_shape")
    shapes, shape, cost = [], tuple(x_shape), 0
    for i, layer in enumerate(model.layers):
        kind = KINDS[layer.class_name]
        try:
            out = tuple(kind.shape(layer.options, shape, f"layers.{i + 1}"))
        except EngineError as e:     # the layers fit the declared shape (build checked it): this input does not
            raise EngineError("input", f"{layer.class_name} layer {layer.name!r}: {e.rule}", e.code) from None
        n = math.prod(out)      # Python's integers: a product of large axes never wraps to a small one
        if n > MODEL_MAX_LAYER_NUMBERS:
            raise EngineError("input", f"layer {layer.name!r} would output {n:,} numbers; the cap is "
                              f"{MODEL_MAX_LAYER_NUMBERS:,}", code="model_too_costly")
        cost += kind.cost(layer, shape, out)
        if cost > MODEL_MAX_COST:
            raise EngineError("input", f"this run would cost more than {MODEL_MAX_COST:,} units, about that many "
                              f"nanoseconds of the engine's time (counted up to layer {layer.name!r}: a "
                              "multiply-add is 1 unit, a recurrent step 8,000 to 36,000 more, a gelu 175)",
                              code="model_too_costly")
        shapes.append(out)
        shape = out
    return shapes


@dataclass(frozen=True)
class Checked:
    """An input check_input passed for `model`: one sample as float64 and its plan (every layer's output shape),
    so that run() on that model neither checks nor plans it again."""
    model: Model
    x: np.ndarray
    shapes: list[tuple[int, ...]]


def check_input(model: Model, x, shapes: list[tuple[int, ...]] | None = None) -> Checked:
    """Refuse an input over the size cap, that does not fit the model or costs too much (plan), or that is not
    finite, in that order. `shapes`: plan(model, x.shape) when the caller has made it already."""
    x = np.asarray(x, dtype=np.float64)
    if x.size > MODEL_MAX_LAYER_NUMBERS:
        raise EngineError("input", f"has {x.size:,} numbers; the cap is {MODEL_MAX_LAYER_NUMBERS:,}")
    if shapes is None:
        shapes = plan(model, x.shape)
    if not np.isfinite(x).all():
        raise EngineError("input", "must contain only finite numbers (no NaN or Infinity)")
    return Checked(model, x, shapes)


def run(model: Model, x, upto: int | None = None) -> Iterator[np.ndarray]:
    """Each layer's output in turn for one sample x (the model's input shape), float64; `upto` stops after that
    layer. x is checked (check_input: shape, cost, finite) before the first layer runs, unless it is a Checked
    made for this model. Only the output yielded and the one it was computed from are held here: a caller keeps what it
    needs."""
    x = (x if isinstance(x, Checked) and x.model is model else check_input(model, getattr(x, "x", x))).x
    for layer in model.layers[:None if upto is None else upto + 1]:
        x = KINDS[layer.class_name].forward(layer, x)
        if not np.isfinite(x).all():
            raise EngineError("input", f"layer {layer.name!r} overflows on this input: values too large to compute")
        yield x


def forward(model: Model, x, upto: int | None = None) -> list[np.ndarray]:
    """Every layer's output for one sample x (the model's input shape), float64; `upto` stops after that layer."""
    return list(run(model, x, upto))


def traceable(layer: Layer, in_shape: Shape | None = None) -> bool:
    kind = KINDS[layer.class_name]
    s = layer.input_shape if in_shape is None else in_shape
    if kind.trace is None:
        return False
    if any(d is None for d in s):
        return True                             # decided at trace time, when the input's size is known
    return kind.trace_numbers(layer, s) <= MODEL_TRACE_MAX_NUMBERS


def trace(model: Model, x, layer_name: str, index) -> dict:
    """One output value of one layer, as a trace step in the vocabulary of /api/conv2d, /api/pool and the
    recurrent pages, computed by the same engine; `model_value` is the value predict gives at that place."""
    i, layer = model.layer(layer_name)
    kind = KINDS[layer.class_name]
    if kind.trace is None:
        raise EngineError("layer", f"{layer.class_name} layer {layer.name!r} has nothing to trace")
    checked = check_input(model, x)
    x_in = y = checked.x
    for out in run(model, checked, upto=i):
        x_in, y = y, out
    if not isinstance(index, (list, tuple)) or len(index) != y.ndim or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in index):
        raise EngineError("index", f"must be {y.ndim} integer(s): a place in the output of shape {list(y.shape)}")
    for axis, (v, n) in enumerate(zip(index, y.shape, strict=True)):
        if not 0 <= v < n:
            raise EngineError(f"index.{axis}", f"must be from 0 to {n - 1} (the output has shape {list(y.shape)})")
    if not traceable(layer, x_in.shape):
        raise EngineError("layer", f"one value of {layer.name!r} involves {kind.trace_numbers(layer, x_in.shape):,} "
                          f"numbers; traces are capped at {MODEL_TRACE_MAX_NUMBERS:,}")
    with np.errstate(all="ignore"):
        result = kind.trace(layer, x_in, y, list(index))
    return {"layer": layer.name, "class_name": layer.class_name, "index": list(index),
            "input_from": model.input_name if i == 0 else model.layers[i - 1].name,
            "input_shape": list(x_in.shape), "output_shape": list(y.shape), **result,
            "model_value": float(y[tuple(index)])}


def summary(model: Model) -> dict:
    """Like Keras' model.summary(): the layers with their shapes and parameters, and the totals
    (total_params equals Keras' count_params(); BatchNormalization's moving statistics are non-trainable)."""
    rows = [{"name": model.input_name, "class_name": "InputLayer", "config": {}, "input_shape": None,
             "output_shape": list(model.input_shape), "params": 0, "trainable_params": 0, "traceable": False}]
    for layer in model.layers:
        rows.append({"name": layer.name, "class_name": layer.class_name, "config": layer.shown_options(),
                     "input_shape": list(layer.input_shape), "output_shape": list(layer.output_shape),
                     "params": layer.params, "trainable_params": layer.trainable_params,
                     "traceable": traceable(layer)})
    total = sum(r["params"] for r in rows)
    trainable = sum(r["trainable_params"] for r in rows)
    return {"name": model.name, "input_shape": list(model.input_shape), "output_shape": rows[-1]["output_shape"],
            "integer_input": model.integer_input, "keras_version": model.keras, "layers": rows,
            "total_params": total, "trainable_params": trainable, "non_trainable_params": total - trainable}


__all__ = ["Checked", "Model", "Options", "SUPPORTED", "build", "check_input", "forward", "plan", "refuse_class",
           "run", "summary", "trace", "traceable"]
