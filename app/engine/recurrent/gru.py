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

from ..arrays import rows_to_lists, to_list
from ..numbers import Writer
from .common import (
    Weights,
    affine_texts,
    applied_texts,
    check_activation,
    check_bool,
    check_finite,
    dense_keras,
    finish,
    keras_call,
    labels,
    parse_inputs,
    parse_output_layer,
    parse_state,
    resolve_weights,
    sensitivity_dict,
    small,
    step_subs,
    weights_dict,
)
from .functions import act, dact, scalar_act
from .init import default_bias

GATES = ("update", "reset", "candidate")  # Keras' block order z, r, h
SYMBOLS = {"update": "z", "reset": "r", "candidate": "h̃"}


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


def gate_formulas(x, H_prev, w: Weights, Z, A, H, name, rec, after) -> list[dict]:
    """Every step's formulas (update, reset, candidate, hidden) at once, as text arrays over (T, units)."""
    T, u = H.shape
    b_in, b_rec = split_bias(w, u, after)
    has_b = w.b is not None
    g2 = slice(0, 2 * u)
    zg, r, cand = A[:, :u], A[:, u:2 * u], A[:, 2 * u:]
    wr = Writer(x, w.W, H_prev, w.U, b_in, b_rec, Z, A, 1.0 - zg, H)       # every number written once
    inner = affine_texts(x, w.W[:, g2], H_prev, w.U[:, g2], b_in[g2] if has_b else None, writer=wr)  # z and r
    if after and has_b:
        inner = inner + " + " + wr.term(b_rec[g2])
    texts = {gate: applied_texts(rec, labels(SYMBOLS[gate], T, u), inner[:, k * u:(k + 1) * u],
                                 Z[:, k * u:(k + 1) * u], A[:, k * u:(k + 1) * u], writer=wr)
             for k, gate in enumerate(GATES[:2])}
    hc = slice(2 * u, 3 * u)
    xpart = affine_texts(x, w.W[:, hc], b=b_in[hc] if has_b else None, writer=wr)
    if after:  # r × (h·U + recurrent bias)
        hpart = affine_texts(H_prev, w.U[:, hc], b=b_rec[hc] if has_b else None, writer=wr)
        cand_inner = xpart + " + " + wr.term(r) + "×(" + hpart + ")"
    else:      # (r ⊙ h)·U, one product per term
        terms = ("(" + wr.term(r)[:, :, None] + "×" + wr.term(H_prev)[:, :, None] + ")"
                 + wr.term(w.U[:, hc], prefix="×")[None])                       # (T, u, u)
        cand_inner = xpart
        for k in range(u):
            cand_inner = cand_inner + " + " + terms[:, k]
    texts["candidate"] = applied_texts(name, labels(SYMBOLS["candidate"], T, u), cand_inner, Z[:, hc], cand,
                                       writer=wr)
    texts["hidden"] = (labels("h", T, u) + " = z×h" + step_subs(T) + " + (1 − z)×h̃ = " + wr.term(zg) + "×"
                       + wr.term(H_prev) + " + " + wr.term(1.0 - zg) + "×" + wr.term(cand) + " = " + wr.fmt(H))
    lists = {k: v.tolist() for k, v in texts.items()}
    return [{k: lists[k][t] for k in ("update", "reset", "candidate", "hidden")} for t in range(T)]


def steps(x, w, name, rec, after, h0, cache, with_formulas: bool) -> list[dict]:
    Z, A, H = cache["Z"], cache["A"], cache["H"]
    T, u = H.shape
    H_prev = np.vstack([h0[None], H[:-1]])
    formulas = gate_formulas(x, H_prev, w, Z, A, H, name, rec, after) if with_formulas else [None] * T
    xs, hs_prev, hs = rows_to_lists(x), rows_to_lists(H_prev), rows_to_lists(H)
    zs, gs = rows_to_lists(Z.reshape(T * 3, u)), rows_to_lists(A.reshape(T * 3, u))   # 3 gates a step
    return [{
        "t": t, "x": xs[t], "h_prev": hs_prev[t],
        "pre_activations": dict(zip(GATES, zs[3 * t:3 * t + 3], strict=True)),
        "gates": dict(zip(GATES, gs[3 * t:3 * t + 3], strict=True)),
        "h": hs[t], "formulas": formulas[t],
    } for t in range(T)]


def run_gru(inputs, units=None, kernel=None, recurrent_kernel=None, bias=None, use_bias=True, activation="tanh",
            recurrent_activation="sigmoid", reset_after=True, initial_state=None, seed=0, output_layer=None) -> dict:
    """Validate a request, run GRU over the sequence, and build the response dict."""
    x = parse_inputs(inputs)
    T, d = x.shape
    after = check_bool(reset_after, "reset_after")
    u, w = resolve_weights(d, units, kernel, recurrent_kernel, bias, use_bias, seed, 3,
                           (lambda u: (2, 3 * u)) if after else (lambda u: (3 * u,)),
                           lambda u: default_bias(u, 3, rows=2 if after else 1))
    name = check_activation(activation, "activation")
    rec = check_activation(recurrent_activation, "recurrent_activation")
    h0 = parse_state(initial_state, "initial_state", u)
    dense = parse_output_layer(output_layer, u, seed)
    with np.errstate(all="ignore"):
        H, cache = forward(x, w, name, rec, after, h0)
        check_finite(H)
        J = jacobians(cache)
    check_finite(J)
    with_formulas = small(d, u, dense)
    result = {
        "layer": "GRU", "units": u, "input_dim": d, "timesteps": T, "activation": name,
        "recurrent_activation": rec, "reset_after": after, "hidden": to_list(H),
        "steps": steps(x, w, name, rec, after, h0, cache, with_formulas),
        **sensitivity_dict(J), "weights": weights_dict(w, dense), "initial_state": to_list(h0),
        "keras": {"layer": keras_call("GRU", u, [("activation", name, "tanh"),
                                                 ("recurrent_activation", rec, "sigmoid"),
                                                 ("use_bias", w.b is not None, True),
                                                 ("reset_after", after, True)]),
                  "output_layer": None if dense is None else dense_keras(dense)},
    }
    return finish(result, H, dense, with_formulas)
