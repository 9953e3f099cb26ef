"""Keras activation functions by name, on float64 arrays, with a scalar version of each (the test reference).

Where Keras versions differ the file's version decides: `hard_sigmoid` is clip(0.2·x + 0.5, 0, 1) in Keras 2
and clip(x/6 + 0.5, 0, 1) in Keras 3 (hard_silu = x·hard_sigmoid uses Keras 3's). `gelu` is the exact form
0.5·x·(1 + erf(x/√2)) (Keras' default, approximate=False); `leaky_relu` has Keras 3's slope 0.2.
Softmax and log_softmax act on the last axis.
"""

from __future__ import annotations

import math

import numpy as np

from ..activations import ACTIVATIONS as BASE
from ..activations import hard_sigmoid, softmax
from ..errors import EngineError

_erf = np.frompyfunc(math.erf, 1, 1)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _log_softmax(z):
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def _softplus(z):
    return np.logaddexp(0.0, z)


def _hard_sigmoid_3(z):
    return hard_sigmoid(z, keras=3)


FUNCTIONS = {
    **BASE,
    "softmax": softmax,
    "log_softmax": _log_softmax,
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "selu": lambda z: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
    "softplus": _softplus,
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "silu": lambda z: z * BASE["sigmoid"](z),
    "gelu": lambda z: 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0)).astype(np.float64)),
    "exponential": np.exp,
    "relu6": lambda z: np.clip(z, 0.0, 6.0),
    "leaky_relu": lambda z: np.where(z >= 0, z, 0.2 * z),
    "mish": lambda z: z * np.tanh(_softplus(z)),
    "hard_sigmoid": hard_sigmoid,                                     # Keras 2
    "hard_sigmoid_keras3": _hard_sigmoid_3,
    "hard_silu": lambda z: z * _hard_sigmoid_3(z),
}
# What one number costs, in the units of the model cost cap (about a nanosecond each on the machine the README
# names: measured with bench/bench_model_costs.py, rounded up): gelu's erf runs in Python, one number at a time.
COSTS = {"linear": 2, "relu": 2, "relu6": 2, "hard_sigmoid": 4, "hard_sigmoid_keras3": 4, "softsign": 4,
         "hard_silu": 5, "leaky_relu": 8, "exponential": 13, "softmax": 14, "log_softmax": 16, "sigmoid": 18,
         "silu": 19, "selu": 20, "elu": 23, "tanh": 23, "softplus": 38, "mish": 56, "gelu": 175}
ALIASES = {"swish": "silu", "hard_swish": "hard_silu", None: "linear"}
KERAS_NAMES = tuple(sorted(set(FUNCTIONS) - {"hard_sigmoid_keras3"} | {"swish", "hard_swish"}))


def resolve(value, keras: int, field: str) -> str:
    """A config's activation (a name, None, or Keras 3's {"class_name": "function", "config": name}) ->
    the key of FUNCTIONS. Anything else (a custom function) is refused."""
    if isinstance(value, dict):   # a built-in function serialised as an object
        module, inner, cls = str(value.get("module", "")), value.get("config"), str(value.get("class_name", ""))
        if module.startswith("keras.layers") and cls != "function":   # e.g. activation=keras.layers.LeakyReLU(0.1)
            raise EngineError(field, f"is a {cls[:40]} layer object used as an activation; only activations given by "
                              "name are supported (e.g. 'leaky_relu'), or the layer placed after this one",
                              code="unsupported_setting")
        if cls != "function" or not module.startswith("keras") or not isinstance(inner, str):
            raise EngineError(field, "is a custom activation; only Keras' built-in activations are supported",
                              code="unsupported_setting")
        value = inner
    if value is not None and not isinstance(value, str):
        raise EngineError(field, "must be the name of a Keras activation")
    name = ALIASES.get(value.lower() if isinstance(value, str) else value, value)
    if isinstance(name, str):
        name = name.lower()
    if name == "hard_sigmoid" and keras >= 3:
        name = "hard_sigmoid_keras3"
    if name not in FUNCTIONS:
        raise EngineError(field, f"activation {str(value)[:40]!r} is not supported; supported: "
                          + ", ".join(KERAS_NAMES), code="unsupported_setting")
    return name


def apply(name: str, z: np.ndarray) -> np.ndarray:
    return FUNCTIONS[name](np.asarray(z, dtype=np.float64))


def keras_name(name: str) -> str:
    """The name Keras writes: hard_sigmoid_keras3 -> hard_sigmoid."""
    return "hard_sigmoid" if name == "hard_sigmoid_keras3" else name


def scalar(name: str, v: float, row: list[float] | None = None) -> float:
    """One number at a time, written independently of FUNCTIONS (the test reference). Softmax and
    log_softmax need the whole row the number belongs to."""
    def sig(x):
        return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))

    def softplus(x):
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))

    if name in ("softmax", "log_softmax"):
        m = max(row)
        total = sum(math.exp(r - m) for r in row)
        return math.exp(v - m) / total if name == "softmax" else v - m - math.log(total)
    table = {
        "linear": lambda x: x, "relu": lambda x: max(x, 0.0), "sigmoid": sig, "tanh": math.tanh,
        "elu": lambda x: x if x > 0 else math.expm1(x),
        "selu": lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x)),
        "softplus": softplus, "softsign": lambda x: x / (1 + abs(x)), "silu": lambda x: x * sig(x),
        "gelu": lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))), "exponential": math.exp,
        "relu6": lambda x: min(max(x, 0.0), 6.0), "leaky_relu": lambda x: x if x >= 0 else 0.2 * x,
        "mish": lambda x: x * math.tanh(softplus(x)),
        "hard_sigmoid": lambda x: min(1.0, max(0.0, 0.2 * x + 0.5)),
        "hard_sigmoid_keras3": lambda x: min(1.0, max(0.0, x / 6 + 0.5)),
        "hard_silu": lambda x: x * min(1.0, max(0.0, x / 6 + 0.5)),
    }
    return table[name](v)
