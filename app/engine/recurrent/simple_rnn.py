"""Keras SimpleRNN: h_t = act(x_t·W + h_{t−1}·U + b), row vectors, W (d, u), U (u, u), b (u,)."""

from __future__ import annotations

import numpy as np

from ..formulas import rnn_formulas
from .common import Weights, no_options, parse_state
from .functions import act, dact, scalar_act, shown
from .runner import Cell, Result, Run, run


def forward(x: np.ndarray, w: Weights, name: str, h0: np.ndarray) -> tuple[np.ndarray, dict]:
    """x: (T, d) -> H (T, u) and the cache for `jacobians`. One matrix product per step."""
    T, u = x.shape[0], w.U.shape[0]
    XW = x @ w.W + (0.0 if w.b is None else w.b)  # (T, u): the input part of every step at once
    Z, H = np.empty((T, u)), np.empty((T, u))
    h = h0
    for t in range(T):
        Z[t] = XW[t] + h @ w.U
        h = H[t] = act(name, Z[t])
    return H, {"x": x, "w": w, "name": name, "Z": Z, "H": H}


def naive(x: np.ndarray, w: Weights, name: str, h0: np.ndarray) -> np.ndarray:
    """The same, one unit and one product at a time (the test reference)."""
    T, d = x.shape
    u = w.U.shape[0]
    H, h = [], list(h0)
    for t in range(T):
        new = []
        for j in range(u):
            s = 0.0 if w.b is None else w.b[j]
            for k in range(d):
                s += x[t, k] * w.W[k, j]
            for k in range(u):
                s += h[k] * w.U[k, j]
            new.append(scalar_act(name, s))
        H.append(new)
        h = new
    return np.array(H)


def jacobians(cache: dict) -> np.ndarray:
    """∂h_T/∂x_t for every t, (T, u, d), by backpropagation through time.

    G holds one cotangent per unit of h_T (rows), so all of h_T is backpropagated at once.
    """
    x, w, Z, H = cache["x"], cache["w"], cache["Z"], cache["H"]
    T, u = H.shape
    J = np.empty((T, u, x.shape[1]))
    G = np.eye(u)                                  # (u of h_T, u): ∂h_T/∂h_t
    for t in range(T - 1, -1, -1):
        Gz = G * dact(cache["name"], Z[t], H[t])   # (u, u): through the activation
        J[t] = Gz @ w.W.T                          # (u, d)
        G = Gz @ w.U.T                             # to h_{t−1}
    return J


def _forward(r: Run) -> Result:
    H, cache = forward(r.x, r.w, r.name, r.state["h"])
    return Result(H, {"h": cache["Z"]}, {}, {}, cache)


def _formulas(r: Run, res: Result, H_prev: np.ndarray) -> dict:
    return rnn_formulas(r.x, r.w.W, r.w.U, r.w.b, H_prev, res.pre["h"], res.H, shown(r.name))


CELL = Cell(
    layer="SimpleRNN", blocks=1,
    options=lambda opts: no_options(opts),
    bias_shape=lambda u, opts: (u,),
    bias_default=lambda u, opts: np.zeros(u),
    parse_state=lambda value, u: {"h": parse_state(value, "initial_state", u)},
    forward=_forward, jacobians=jacobians, formulas=_formulas,
    keras_options=lambda r: [("use_bias", r.w.b is not None, True)],
    response=lambda r, res: {},
)


def run_rnn(inputs, units=None, kernel=None, recurrent_kernel=None, bias=None, use_bias=True, activation="tanh",
            initial_state=None, seed=0, output_layer=None, keras=2) -> dict:
    """Validate a request, run SimpleRNN over the sequence, and build the response dict."""
    return run(CELL, inputs, units, kernel, recurrent_kernel, bias, use_bias, activation, initial_state, seed,
               output_layer, keras)
