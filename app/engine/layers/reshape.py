"""Layers that only move numbers: Flatten (row-major, channels_last) and Reshape."""

from __future__ import annotations

import math

import numpy as np

from ..errors import EngineError
from ..limits import MODEL_MAX_LAYER_NUMBERS
from .spec import Kind, Layer, register
from .steps import copy_step


def _source(x_shape, y_shape, index) -> tuple[int, ...]:
    """The input cell an output cell was copied from: same position in row-major order."""
    flat = int(np.ravel_multi_index(tuple(index), y_shape))
    return tuple(int(v) for v in np.unravel_index(flat, x_shape))


def _trace(layer: Layer, x, y, index) -> dict:
    return {"kind": "copy", "step": copy_step(index, _source(x.shape, y.shape, index), x[_source(x.shape, y.shape,
                                                                                                 index)])}


def flatten_shape(o, s, field):
    return (None if any(d is None for d in s) else math.prod(s),)


def flatten_options(o) -> dict:
    o.channels_last()
    return {}


register("Flatten")(Kind(parse=flatten_options, shape=flatten_shape, forward=lambda layer, x: x.reshape(-1),
                         trace=_trace))


def reshape_options(o) -> dict:
    target = o.raw.get("target_shape")
    if not isinstance(target, (list, tuple)) or not 1 <= len(target) <= 8 or not all(
            isinstance(v, int) and not isinstance(v, bool) and (v == -1 or 1 <= v <= 10**7) for v in target) \
            or list(target).count(-1) > 1:
        raise o.fail("target_shape", "must be a list of positive integers with at most one -1")
    if (fixed := math.prod(v for v in target if v != -1)) > MODEL_MAX_LAYER_NUMBERS:   # exact: never wraps
        raise o.fail("target_shape", f"holds at least {fixed:,} numbers; the cap is {MODEL_MAX_LAYER_NUMBERS:,} "
                     "numbers in one layer, so no input could run", code="model_too_costly")
    return {"target_shape": list(target)}


def reshape_shape(o, s, field):
    target = o["target_shape"]
    if any(d is None for d in s):
        if -1 not in target:
            raise EngineError(field, f"Reshape to {target} of an input of free size {list(s)} needs a -1")
        return tuple(None if v == -1 else v for v in target)
    n, fixed = math.prod(s), math.prod(v for v in target if v != -1)
    if -1 in target:
        if n % fixed:
            raise EngineError(field, f"cannot reshape {n} numbers (input {list(s)}) to {target}")
        return tuple(n // fixed if v == -1 else v for v in target)
    if n != fixed:
        raise EngineError(field, f"cannot reshape {n} numbers (input {list(s)}) to {target}")
    return tuple(target)


register("Reshape")(Kind(parse=reshape_options, shape=reshape_shape,
                         forward=lambda layer, x: x.reshape(layer.options["target_shape"]), trace=_trace))
