"""Keras GRU, row vectors. Column blocks of kernel (d, 3u) and recurrent_kernel (u, 3u): z (update), r (reset), h.

reset_after=True (Keras 3's default, bias (2, 3u): row 0 for the input, row 1 for the recurrent part):
    z = σ_r(x·W_z + b_z + h_{t−1}·U_z + b'_z),  r = σ_r(x·W_r + b_r + h_{t−1}·U_r + b'_r)
    h̃ = act(x·W_h + b_h + r⊙(h_{t−1}·U_h + b'_h))
reset_after=False (Keras 2's default, bias (3u,)):
    z, r as above without b';  h̃ = act(x·W_h + (r⊙h_{t−1})·U_h + b_h)
h_t = z⊙h_{t−1} + (1 − z)⊙h̃
"""

from __future__ import annotations

import numpy as np

from ..formulas import gru_formulas
from .common import Weights, gated_options, parse_state
from .functions import act, dact, scalar_act, shown
from .init import default_bias
from .runner import Cell, Result, Run, run

GATES = ("update", "reset", "candidate")  # Keras' block order z, r, h


def split_bias(w: Weights, u: int, reset_after: bool) -> tuple[np.ndarray, np.ndarray]:
    """(input bias (3u,), recurrent bias (3u,)); zeros where the variant or use_bias=False has none."""
    if w.b is None:
        return np.zeros(3 * u), np.zeros(3 * u)
    return (w.b[0], w.b[1]) if reset_after else (w.b, np.zeros(3 * u))


def forward(x, w: Weights, name: str, rec: str, reset_after: bool, h0) -> tuple[np.ndarray, dict]:
    T, u = x.shape[0], w.U.shape[0]
    b_in, b_rec = split_bias(w, u, reset_after)
    XW = x @ w.W + b_in                                  # (T, 3u): the input parts of every step
    R = np.empty((T, 3 * u))                             # recurrent parts h·U (+ b'), before the reset gate
    Z, A, H = np.empty((T, 3 * u)), np.empty((T, 3 * u)), np.empty((T, u))
    h = h0
    for t in range(T):
        if reset_after:
            R[t] = h @ w.U + b_rec
        else:
            R[t, :2 * u] = h @ w.U[:, :2 * u]
        zr = XW[t, :2 * u] + R[t, :2 * u]
        A[t, :2 * u] = act(rec, zr)
        Z[t, :2 * u] = zr
        r = A[t, u:2 * u]
        if reset_after:
            Z[t, 2 * u:] = XW[t, 2 * u:] + r * R[t, 2 * u:]
        else:
            R[t, 2 * u:] = (r * h) @ w.U[:, 2 * u:]
            Z[t, 2 * u:] = XW[t, 2 * u:] + R[t, 2 * u:]
        A[t, 2 * u:] = act(name, Z[t, 2 * u:])
        zg, hh = A[t, :u], A[t, 2 * u:]
        h = H[t] = zg * h + (1.0 - zg) * hh
    return H, {"x": x, "w": w, "name": name, "rec": rec, "reset_after": reset_after, "Z": Z, "A": A, "R": R,
               "H": H, "h0": h0}


def naive(x, w: Weights, name: str, rec: str, reset_after: bool, h0) -> np.ndarray:
    """One unit and one product at a time (the test reference)."""
    T, d = x.shape
    u = w.U.shape[0]
    b_in, b_rec = split_bias(w, u, reset_after)
    h = list(h0)
    Hs = []
    for t in range(T):
        def dot_x(col, t=t):
            return sum(x[t, k] * w.W[k, col] for k in range(d)) + b_in[col]

        def dot_h(vec, col):
            return sum(vec[k] * w.U[k, col] for k in range(u))

        zs = [scalar_act(rec, dot_x(j) + dot_h(h, j) + b_rec[j]) for j in range(u)]
        rs = [scalar_act(rec, dot_x(u + j) + dot_h(h, u + j) + b_rec[u + j]) for j in range(u)]
        new = []
        for j in range(u):
            col = 2 * u + j
            if reset_after:
                pre = dot_x(col) + rs[j] * (dot_h(h, col) + b_rec[col])
            else:
                pre = dot_x(col) + dot_h([rs[k] * h[k] for k in range(u)], col)
            hh = scalar_act(name, pre)
            new.append(zs[j] * h[j] + (1.0 - zs[j]) * hh)
        h = new
        Hs.append(h)
    return np.array(Hs)


def jacobians(cache: dict) -> np.ndarray:
    """∂h_T/∂x_t for every t, (T, u, d), by backpropagation through time (h_T's u units at once)."""
    x, w, Z, A, R, H = (cache[k] for k in ("x", "w", "Z", "A", "R", "H"))
    name, rec, after = cache["name"], cache["rec"], cache["reset_after"]
    T, u = H.shape
    Wz, Uz = w.W, w.U
    J = np.empty((T, u, x.shape[1]))
    G = np.eye(u)                                     # ∂h_T/∂h_t, (units of h_T, u)
    for t in range(T - 1, -1, -1):
        h_prev = cache["h0"] if t == 0 else H[t - 1]
        zg, r, hh = A[t, :u], A[t, u:2 * u], A[t, 2 * u:]
        Gah = G * (1.0 - zg) * dact(name, Z[t, 2 * u:], hh)      # through h̃'s pre-activation
        Gaz = G * (h_prev - hh) * dact(rec, Z[t, :u], zg)
        if after:
            Gr = Gah * R[t, 2 * u:]
            Grec_h = Gah * r                                      # into h·U_h + b'_h
            Gar = Gr * dact(rec, Z[t, u:2 * u], r)
            Gh_prev = G * zg + np.concatenate([Gaz, Gar, Grec_h], axis=1) @ Uz.T
        else:
            Grh = Gah @ Uz[:, 2 * u:].T                           # into r⊙h_{t−1}
            Gar = Grh * h_prev * dact(rec, Z[t, u:2 * u], r)
            Gh_prev = G * zg + Grh * r + np.concatenate([Gaz, Gar], axis=1) @ Uz[:, :2 * u].T
        J[t] = np.concatenate([Gaz, Gar, Gah], axis=1) @ Wz.T
        G = Gh_prev
    return J


def _forward(r: Run) -> Result:
    H, cache = forward(r.x, r.w, r.name, r.opts["rec"], r.opts["reset_after"], r.state["h"])
    u = H.shape[1]
    blocks = {g: slice(k * u, (k + 1) * u) for k, g in enumerate(GATES)}
    return Result(H, {g: cache["Z"][:, s] for g, s in blocks.items()}, {g: cache["A"][:, s] for g, s in blocks.items()},
                  {}, cache)


def _formulas(r: Run, res: Result, H_prev: np.ndarray) -> dict:
    after = r.opts["reset_after"]
    b_in, b_rec = split_bias(r.w, res.H.shape[1], after)
    return gru_formulas(r.x, r.w.W, r.w.U, b_in, b_rec, r.w.b is not None, H_prev, res.cache["Z"], res.cache["A"],
                        res.H, shown(r.name), shown(r.opts["rec"]), after)


CELL = Cell(
    layer="GRU", blocks=3, options=lambda opts: gated_options(opts, "reset_after", True),
    bias_shape=lambda u, opts: (2, 3 * u) if opts["reset_after"] else (3 * u,),
    bias_default=lambda u, opts: default_bias(u, 3, rows=2 if opts["reset_after"] else 1),
    parse_state=lambda value, u: {"h": parse_state(value, "initial_state", u)},
    forward=_forward, jacobians=jacobians, formulas=_formulas,
    keras_options=lambda r: [("recurrent_activation", r.opts["rec"], "sigmoid"), ("use_bias", r.w.b is not None, True),
                             ("reset_after", r.opts["reset_after"], True)],
    response=lambda r, res: {"recurrent_activation": shown(r.opts["rec"]), "reset_after": r.opts["reset_after"]},
)


def run_gru(inputs, units=None, kernel=None, recurrent_kernel=None, bias=None, use_bias=True, activation="tanh",
            recurrent_activation="sigmoid", reset_after=True, initial_state=None, seed=0, output_layer=None,
            keras=2) -> dict:
    """Validate a request, run GRU over the sequence, and build the response dict."""
    return run(CELL, inputs, units, kernel, recurrent_kernel, bias, use_bias, activation, initial_state, seed,
               output_layer, keras, recurrent_activation=recurrent_activation, reset_after=reset_after)
