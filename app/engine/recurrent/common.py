"""What SimpleRNN, LSTM and GRU share: request validation, weights (given or initialised), the optional
per-step Dense output layer, and the sensitivity ‖∂h_T/∂x_t‖ of the response."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arrays import as_array, check_bool, check_int, to_list
from ..errors import EngineError
from ..limits import RNN_FORMULA_MAX as FORMULA_MAX
from ..limits import RNN_MAX_D as MAX_D
from ..limits import RNN_MAX_SEED as MAX_SEED
from ..limits import RNN_MAX_T as MAX_T
from ..limits import RNN_MAX_U as MAX_U
from ..numbers import finite_or_raise
from .functions import NAMES, act, scalar_act, shown
from .init import glorot_uniform, orthogonal


def no_options(opts: dict) -> dict:
    if opts:
        raise EngineError(sorted(opts)[0], "is not a known field")
    return {}


def gated_options(opts: dict, flag: str, default: bool) -> dict:
    """LSTM's and GRU's own options: recurrent_activation and one flag (unit_forget_bias, reset_after)."""
    opts = dict(opts)
    rec = check_activation(opts.pop("recurrent_activation", "sigmoid"), "recurrent_activation")
    value = check_bool(opts.pop(flag, default), flag)
    no_options(opts)
    return {"rec": rec, flag: value}


def check_activation(value, field: str) -> str:
    if value is None:
        return "linear"  # Keras: activation=None means linear
    if not isinstance(value, str) or value.lower() not in NAMES:
        raise EngineError(field, "must be one of " + ", ".join(repr(n) for n in NAMES))
    return value.lower()


def parse_inputs(inputs) -> np.ndarray:
    """(T, d), or (T,) read as d = 1."""
    x = as_array(inputs, "inputs", (1, 2), (MAX_T, MAX_D), "(T, d): one row per time step")
    return x[:, None] if x.ndim == 1 else x


def rngs(seed) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """Independent streams for kernel, recurrent kernel and output layer: giving one weight does not
    change the others drawn with the same seed."""
    s = check_int(seed, "seed", 0, MAX_SEED)
    return tuple(np.random.default_rng([s, k]) for k in range(3))


@dataclass
class Weights:
    W: np.ndarray                 # (d, k·u)
    U: np.ndarray                 # (u, k·u)
    b: np.ndarray | None          # (k·u,) or GRU reset_after (2, k·u); None without bias
    initialized: list[str]


def resolve_units(units, kernel, recurrent_kernel, blocks: int, d: int) -> tuple[int, np.ndarray | None,
                                                                              np.ndarray | None]:
    """Units from `units`, else the kernel's columns / blocks, else the recurrent kernel's rows."""
    u = None if units is None else check_int(units, "units", 1, MAX_U)
    W = U = None
    if kernel is not None:
        W = as_array(kernel, "kernel", (2,), (MAX_D, blocks * MAX_U), f"(d, {blocks}·units)")
        if W.shape[0] != d:
            raise EngineError("kernel", f"has {W.shape[0]} row(s) but each input has {d} feature(s); "
                              f"the kernel is (d, {blocks}·units)")
        if W.shape[1] % blocks:
            raise EngineError("kernel", f"has {W.shape[1]} column(s): it must be {blocks}·units")
        ku = W.shape[1] // blocks
        if u is not None and ku != u:
            raise EngineError("kernel", f"has {W.shape[1]} column(s) but units = {u} needs {blocks * u}")
        u = ku
    if recurrent_kernel is not None:
        U = as_array(recurrent_kernel, "recurrent_kernel", (2,), (MAX_U, blocks * MAX_U), f"(units, {blocks}·units)")
        if u is None:
            u = U.shape[0]
        if U.shape != (u, blocks * u):
            raise EngineError("recurrent_kernel", f"has shape {list(U.shape)} but units = {u} needs "
                              f"{[u, blocks * u]}")
    if u is None:
        raise EngineError("units", "is required when no kernel is given")
    return u, W, U


def resolve_weights(d: int, units, kernel, recurrent_kernel, bias, use_bias, seed, blocks: int,
                    bias_shape, bias_default) -> tuple[int, Weights]:
    """Weights as given, the rest from Keras' initialisers (glorot_uniform, orthogonal, zeros)."""
    use_bias = check_bool(use_bias, "use_bias")
    u, W, U = resolve_units(units, kernel, recurrent_kernel, blocks, d)
    rk, rr, _ = rngs(seed)
    initialized = []
    if W is None:
        W = glorot_uniform((d, blocks * u), rk)
        initialized.append("kernel")
    if U is None:
        U = orthogonal((u, blocks * u), rr)
        initialized.append("recurrent_kernel")
    b = None
    shape = bias_shape(u)
    if bias is not None:
        if not use_bias:
            raise EngineError("bias", "must be left out when use_bias is false")
        b = as_array(bias, "bias", (len(shape),), shape)
        if b.shape != shape:
            raise EngineError("bias", f"has shape {list(b.shape)} but needs {list(shape)}")
    elif use_bias:
        b = bias_default(u)
        initialized.append("bias")
    return u, Weights(W, U, b, initialized)


def parse_state(value, field: str, u: int) -> np.ndarray:
    if value is None:
        return np.zeros(u)
    s = as_array(value, field, (1,), (MAX_U,), "(units,)")
    if s.shape[0] != u:
        raise EngineError(field, f"has {s.shape[0]} value(s) but units = {u}")
    return s


@dataclass
class Dense:
    V: np.ndarray          # (u, m)
    c: np.ndarray | None   # (m,)
    activation: str


OUTPUT_KEYS = {"kernel", "bias", "use_bias", "activation", "units"}


def parse_output_layer(spec, u: int, seed) -> Dense | None:
    """The optional per-step Dense layer y_t = act(h_t·V + c)."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise EngineError("output_layer", "must be an object with kernel, bias, use_bias, activation")
    extra = set(spec) - OUTPUT_KEYS
    if extra:
        raise EngineError(f"output_layer.{sorted(extra)[0]}", "is not a known field")
    use_bias = check_bool(spec.get("use_bias", True), "output_layer.use_bias")
    name = check_activation(spec.get("activation", "linear"), "output_layer.activation")
    m = spec.get("units")
    m = None if m is None else check_int(m, "output_layer.units", 1, MAX_U)
    if spec.get("kernel") is not None:
        V = as_array(spec["kernel"], "output_layer.kernel", (2,), (MAX_U, MAX_U), "(units, output units)")
        if V.shape[0] != u:
            raise EngineError("output_layer.kernel", f"has {V.shape[0]} row(s) but the layer has {u} unit(s)")
        if m is not None and V.shape[1] != m:
            raise EngineError("output_layer.kernel", f"has {V.shape[1]} column(s) but units = {m}")
        m = V.shape[1]
    else:
        m = m or u
        V = glorot_uniform((u, m), rngs(seed)[2])
    c = None
    if spec.get("bias") is not None:
        if not use_bias:
            raise EngineError("output_layer.bias", "must be left out when use_bias is false")
        c = as_array(spec["bias"], "output_layer.bias", (1,), (MAX_U,), "(output units,)")
        if c.shape[0] != m:
            raise EngineError("output_layer.bias", f"has {c.shape[0]} value(s) but the layer has {m} unit(s)")
    elif use_bias:
        c = np.zeros(m)
    return Dense(V, c, name)


def dense_forward(H: np.ndarray, dense: Dense) -> tuple[np.ndarray, np.ndarray]:
    """H: (T, u) -> pre-activations and outputs (T, m)."""
    z = H @ dense.V
    if dense.c is not None:
        z = z + dense.c
    return z, act(dense.activation, z)


def dense_naive(h: np.ndarray, dense: Dense) -> list[float]:
    out = []
    for j in range(dense.V.shape[1]):
        s = sum(h[k] * dense.V[k, j] for k in range(len(h)))
        if dense.c is not None:
            s += dense.c[j]
        out.append(scalar_act(dense.activation, s))
    return out


def small(d: int, u: int, dense: Dense | None) -> bool:
    return d <= FORMULA_MAX and u <= FORMULA_MAX and (dense is None or dense.V.shape[1] <= FORMULA_MAX)


def check_finite(*arrays) -> None:
    for a in arrays:
        finite_or_raise(a, "inputs", "result (or its gradient)")


def weights_dict(w: Weights, dense: Dense | None) -> dict:
    out = {"kernel": to_list(w.W), "recurrent_kernel": to_list(w.U), "bias": None if w.b is None else to_list(w.b),
           "initialized": w.initialized, "output_layer": None}
    if dense is not None:
        out["output_layer"] = {"kernel": to_list(dense.V), "bias": None if dense.c is None else to_list(dense.c),
                               "activation": shown(dense.activation)}
    return out


def sensitivity_dict(J: np.ndarray) -> dict:
    """J: (T, u, d) Jacobians ∂h_T/∂x_t -> Frobenius norm per t and per unit of h_T."""
    scale = float(np.max(np.abs(J))) or 1.0           # scaled so that squaring cannot overflow
    per_unit = scale * np.sqrt(((J / scale) ** 2).sum(axis=2))          # (T, u): ‖∂h_T[k]/∂x_t‖
    norm = scale * np.sqrt(((per_unit / scale) ** 2).sum(axis=1))     # (T,)
    check_finite(per_unit, norm)
    return {"sensitivity": to_list(norm), "sensitivity_per_unit": to_list(per_unit)}


