"""Keras LSTM, row vectors. Column blocks of kernel (d, 4u), recurrent_kernel (u, 4u), bias (4u,): i, f, c, o.

z = x_t·W + h_{t−1}·U + b;  i, f, o = σ_r(z_i, z_f, z_o);  c̃ = act(z_c)
c_t = f⊙c_{t−1} + i⊙c̃;     h_t = o⊙act(c_t)
"""

from __future__ import annotations

import numpy as np

from ..arrays import to_list
from ..errors import EngineError
from ..formulas import lstm_formulas
from .common import Weights, gated_options, parse_state
from .functions import act, dact, scalar_act, shown
from .init import default_bias
from .runner import Cell, Result, Run, run

GATES = ("input", "forget", "candidate", "output")  # Keras' block order i, f, c, o


def forward(x, w: Weights, name: str, rec: str, h0, c0) -> tuple[np.ndarray, np.ndarray, dict]:
    """x: (T, d) -> H, C (T, u) and the cache. Gates of all units in one product per step."""
    T, u = x.shape[0], w.U.shape[0]
    XW = x @ w.W + (0.0 if w.b is None else w.b)  # (T, 4u)
    Z, A = np.empty((T, 4 * u)), np.empty((T, 4 * u))  # pre-activations and gate values, blocks i f c o
    H, C = np.empty((T, u)), np.empty((T, u))
    h, c = h0, c0
    for t in range(T):
        z = Z[t] = XW[t] + h @ w.U
        A[t] = act(rec, z)
        A[t, 2 * u:3 * u] = act(name, z[2 * u:3 * u])
        i, f, g, o = A[t].reshape(4, u)
        c = C[t] = f * c + i * g
        h = H[t] = o * act(name, c)
    return H, C, {"x": x, "w": w, "name": name, "rec": rec, "Z": Z, "A": A, "H": H, "C": C, "c0": c0}


def naive(x, w: Weights, name: str, rec: str, h0, c0) -> tuple[np.ndarray, np.ndarray]:
    """One unit, one gate, one product at a time (the test reference)."""
    T, d = x.shape
    u = w.U.shape[0]
    h, c = list(h0), list(c0)
    Hs, Cs = [], []
    for t in range(T):
        new_h, new_c = [], []
        for j in range(u):
            gate = []
            for block in range(4):
                col = block * u + j
                s = 0.0 if w.b is None else w.b[col]
                for k in range(d):
                    s += x[t, k] * w.W[k, col]
                for k in range(u):
                    s += h[k] * w.U[k, col]
                gate.append(scalar_act(name if block == 2 else rec, s))
            i, f, g, o = gate
            cj = f * c[j] + i * g
            new_c.append(cj)
            new_h.append(o * scalar_act(name, cj))
        h, c = new_h, new_c
        Hs.append(h)
        Cs.append(c)
    return np.array(Hs), np.array(Cs)


def jacobians(cache: dict) -> np.ndarray:
    """∂h_T/∂x_t for every t, (T, u, d), backpropagating h_T's u units at once through h and c.
    The elementwise factors of every step are computed before the loop; the loop keeps only what
    depends on the step after it (two (u, u) gradients), and the products with W are one batched product."""
    x, w, Z, A, H, C = (cache[k] for k in ("x", "w", "Z", "A", "H", "C"))
    name, rec = cache["name"], cache["rec"]
    T, u = H.shape
    i, f, g, o = (A[:, k * u:(k + 1) * u] for k in range(4))
    zi, zf, zc, zo = (Z[:, k * u:(k + 1) * u] for k in range(4))
    C_prev = np.vstack([cache["c0"][None], C[:-1]])
    ac = act(name, C)
    to_c = o * dact(name, C, ac)                                   # ∂h_t/∂c_t
    factors = np.stack([g * dact(rec, zi, i), C_prev * dact(rec, zf, f), i * dact(name, zc, g)], axis=1)
    to_zo = ac * dact(rec, zo, o)                                  # ∂h_t/∂z_o
    Gz = np.empty((T, u, 4 * u))
    Gh, Gc = np.eye(u), np.zeros((u, u))   # ∂h_T/∂h_t, ∂h_T/∂c_t: (units of h_T, u)
    UT = w.U.T
    for t in range(T - 1, -1, -1):
        Gc = Gc + Gh * to_c[t]
        Gz[t].reshape(u, 4, u)[:, :3] = Gc[:, None, :] * factors[t]
        Gz[t, :, 3 * u:] = Gh * to_zo[t]
        Gh, Gc = Gz[t] @ UT, Gc * f[t]
    return Gz @ w.W.T


def parse_lstm_state(value, u: int) -> dict:
    if value is None:
        return {"h": np.zeros(u), "c": np.zeros(u)}
    if not isinstance(value, dict):
        raise EngineError("initial_state", 'must be an object {"h": [...], "c": [...]}')
    extra = set(value) - {"h", "c"}
    if extra:
        raise EngineError(f"initial_state.{sorted(extra)[0]}", "is not a known field (use h and c)")
    return {"h": parse_state(value.get("h"), "initial_state.h", u),
            "c": parse_state(value.get("c"), "initial_state.c", u)}


def _forward(r: Run) -> Result:
    H, C, cache = forward(r.x, r.w, r.name, r.opts["rec"], r.state["h"], r.state["c"])
    u = H.shape[1]
    blocks = {g: slice(k * u, (k + 1) * u) for k, g in enumerate(GATES)}
    C_prev = np.vstack([r.state["c"][None], C[:-1]])
    return Result(H, {g: cache["Z"][:, s] for g, s in blocks.items()}, {g: cache["A"][:, s] for g, s in blocks.items()},
                  {"c_prev": C_prev, "c": C}, cache)


def _formulas(r: Run, res: Result, H_prev: np.ndarray) -> dict:
    C = res.extra["c"]
    return lstm_formulas(r.x, r.w.W, r.w.U, r.w.b, H_prev, res.extra["c_prev"], res.cache["Z"], res.cache["A"], C,
                         res.H, act(r.name, C), shown(r.name), shown(r.opts["rec"]))


CELL = Cell(
    layer="LSTM", blocks=4, options=lambda opts: gated_options(opts, "unit_forget_bias", True),
    bias_shape=lambda u, opts: (4 * u,),
    bias_default=lambda u, opts: default_bias(u, 4, opts["unit_forget_bias"]),
    parse_state=parse_lstm_state,
    forward=_forward, jacobians=jacobians, formulas=_formulas,
    keras_options=lambda r: [("recurrent_activation", r.opts["rec"], "sigmoid"), ("use_bias", r.w.b is not None, True),
                             ("unit_forget_bias", r.opts["unit_forget_bias"], True)],
    response=lambda r, res: {"recurrent_activation": shown(r.opts["rec"]), "cell": to_list(res.extra["c"])},
)


def run_lstm(inputs, units=None, kernel=None, recurrent_kernel=None, bias=None, use_bias=True, activation="tanh",
             recurrent_activation="sigmoid", unit_forget_bias=True, initial_state=None, seed=0,
             output_layer=None, keras=2) -> dict:
    """Validate a request, run LSTM over the sequence, and build the response dict."""
    return run(CELL, inputs, units, kernel, recurrent_kernel, bias, use_bias, activation, initial_state, seed,
               output_layer, keras, recurrent_activation=recurrent_activation, unit_forget_bias=unit_forget_bias)
