"""What the engine knows about one layer of a Keras model: its options, shapes and weights, and the registry
of layer kinds (one `Kind` per supported Keras class).

Shapes are of one sample (no batch axis); `None` marks an axis the file leaves free (a sequence of any
length). Weights are listed in Keras' own order (`layer.weights`), which is the order both file formats
store them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import EngineError
from ..limits import MODEL_MAX_LAYER_NUMBERS
from .options import Options

Shape = tuple  # of int | None
COPY_COST = 3   # cost units of one output number that a layer copies, pads, scales or normalises


def check_padded(in_shape: Shape, spatial: int, pads: Callable[[int, int], int], field: str, why: str) -> None:
    """A layer that pads its input first (Conv 'same' or 'causal', Pooling 'same') builds the padded grid whole: refuse
    it when that grid holds more numbers than one layer may (a dilation of 10⁶ pads 10⁶ columns onto every row).
    pads(axis, n): the zeros a spatial axis of n gets. A free axis counts as its smallest, 1: n + pads(n) grows with
    n, so a grid over the cap then is over it for every input, and the model is refused when it is read."""
    extents = [1 if n is None else n for n in in_shape[:spatial]]
    added = [pads(a, n) for a, n in enumerate(extents)]
    channels = list(in_shape[spatial:])
    if not any(added) or None in channels:
        return   # nothing padded: the input's own size is checked with the input
    dims = [n + p for n, p in zip(extents, added, strict=True)] + channels
    if (n := int(np.prod(dims, dtype=object))) > MODEL_MAX_LAYER_NUMBERS:
        what = "every input to at least" if None in in_shape[:spatial] else f"the input {list(in_shape)} to"
        raise EngineError(field, f"{why} pads {what} {dims} = {n:,} numbers; the cap is {MODEL_MAX_LAYER_NUMBERS:,}",
                          code="model_too_costly")


@dataclass(frozen=True)
class WeightSpec:
    name: str                   # Keras' variable name: kernel, bias, gamma, moving_mean, embeddings ...
    shape: tuple[int, ...]
    trainable: bool = True      # False for BatchNormalization's moving statistics


@dataclass
class Layer:
    name: str
    class_name: str
    options: dict                              # what matters, validated; keys starting with "_" are internal
    input_shape: Shape
    output_shape: Shape
    weight_specs: list[WeightSpec]
    trainable: bool = True
    weights: dict[str, np.ndarray] = field(default_factory=dict)   # name -> array, as stored (float32 usually)

    @property
    def params(self) -> int:
        return int(sum(int(np.prod(w.shape)) for w in self.weight_specs))

    @property
    def trainable_params(self) -> int:
        if not self.trainable:
            return 0
        return int(sum(int(np.prod(w.shape)) for w in self.weight_specs if w.trainable))

    def w(self, name: str) -> np.ndarray | None:
        """A weight as float64 (the engine computes in float64), None when the layer has none of that name."""
        a = self.weights.get(name)
        return None if a is None else np.asarray(a, dtype=np.float64)

    def shown_options(self) -> dict:
        """The options that matter, JSON-ready (tuples as lists), internal keys left out."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.options.items() if not k.startswith("_")}


@dataclass(frozen=True)
class Kind:
    """How one Keras class is read, shaped, counted, run and traced.

    parse(opts)                        -> options dict (validated)
    shape(options, in_shape, field)    -> output shape (EngineError when the input does not fit)
    weights(options, in_shape)         -> [WeightSpec] in Keras' order
    forward(layer, x)                  -> y, one sample, float64
    cost(layer, in_shape, out_shape)   -> the run's cost in units of about a nanosecond of this engine's time:
                                          a multiply-add is 1, an output number copied or scaled COPY_COST
                                          (checked against MODEL_MAX_COST before running)
    trace(layer, x, y, index)          -> {"kind", "step", ...} for one output value (None: not traceable)
    trace_numbers(layer, in_shape)     -> the numbers one traced step shows (its cost, checked against a cap)
    """
    parse: Callable[[Options], dict]
    shape: Callable[[dict, Shape, str], Shape]
    forward: Callable[[Layer, np.ndarray], np.ndarray]
    weights: Callable[[dict, Shape], list[WeightSpec]] = lambda options, in_shape: []
    cost: Callable[[Layer, Shape, Shape], int] = lambda layer, i, o: int(np.prod(o)) * COPY_COST
    trace: Callable | None = None
    trace_numbers: Callable[[Layer, Shape], int] = lambda layer, in_shape: 1   # numbers one traced step shows


KINDS: dict[str, Kind] = {}


def register(*class_names: str):
    def add(kind: Kind) -> Kind:
        for name in class_names:
            KINDS[name] = kind
        return kind
    return add


def known(in_shape: Shape, field: str, what: str, axes=None) -> None:
    """Refuse an input whose axes this layer needs to know are free (None)."""
    axes = range(len(in_shape)) if axes is None else axes
    if any(in_shape[a] is None for a in axes):
        raise EngineError(field, f"{what} needs a fixed input size; the input shape is {list(in_shape)}")


def rank(in_shape: Shape, field: str, ranks: tuple[int, ...], what: str) -> None:
    if len(in_shape) not in ranks:
        want = " or ".join(str(r) for r in ranks)
        raise EngineError(field, f"{what} needs an input of rank {want} per sample (without the batch axis); "
                          f"got shape {list(in_shape)}")
