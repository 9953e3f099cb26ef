"""Keras LSTM, row vectors. Column blocks of kernel (d, 4u), recurrent_kernel (u, 4u), bias (4u,): i, f, c, o.

z = x_t·W + h_{t−1}·U + b;  i, f, o = σ_r(z_i, z_f, z_o);  c̃ = act(z_c)
c_t = f⊙c_{t−1} + i⊙c̃;     h_t = o⊙act(c_t)
"""

from __future__ import annotations

import numpy as np

from ..arrays import rows_to_lists, to_list
from ..errors import EngineError
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

GATES = ("input", "forget", "candidate", "output")  # Keras' block order i, f, c, o
SYMBOLS = {"input": "i", "forget": "f", "candidate": "c̃", "output": "o"}


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


def gate_formulas(x, H_prev, C_prev, w: Weights, Z, A, C, H, name, rec) -> list[dict]:
    """Every step's formulas (gates, cell, hidden) at once, built as text arrays over (T, units)."""
    T, u = H.shape
    act_c = act(name, C)
    wr = Writer(x, w.W, H_prev, w.U, w.b, Z, A, C_prev, C, act_c, H)   # every number written once
    inner = affine_texts(x, w.W, H_prev, w.U, w.b, writer=wr)                 # (T, 4u)
    texts = {}
    for block, gate in enumerate(GATES):
        cols = slice(block * u, (block + 1) * u)
        texts[gate] = applied_texts(name if gate == "candidate" else rec, labels(SYMBOLS[gate], T, u),
                                    inner[:, cols], Z[:, cols], A[:, cols], writer=wr)
    i, f, g, o = (wr.term(A[:, b * u:(b + 1) * u]) for b in range(4))
    texts["cell"] = (labels("c", T, u) + " = f×c" + step_subs(T) + " + i×c̃ = " + f + "×" + wr.term(C_prev)
                     + " + " + i + "×" + g + " = " + wr.fmt(C))
    head = labels("h", T, u) + " = o×"
    if name == "linear":
        texts["hidden"] = head + "c" + step_subs(T, 1) + " = " + o + "×" + wr.term(C) + " = " + wr.fmt(H)
    else:
        texts["hidden"] = (head + name + "(c" + step_subs(T, 1) + ") = " + o + "×" + name + "("
                           + wr.fmt(C) + ") = " + o + "×" + wr.term(act_c) + " = " + wr.fmt(H))
    lists = {k: v.tolist() for k, v in texts.items()}
    return [{k: lists[k][t] for k in (*GATES, "cell", "hidden")} for t in range(T)]


def steps(x, w: Weights, name, rec, h0, c0, cache, with_formulas: bool) -> list[dict]:
    Z, A, H, C = cache["Z"], cache["A"], cache["H"], cache["C"]
    T, u = H.shape
    H_prev, C_prev = np.vstack([h0[None], H[:-1]]), np.vstack([c0[None], C[:-1]])
    formulas = gate_formulas(x, H_prev, C_prev, w, Z, A, C, H, name, rec) if with_formulas else [None] * T
    xs, hs_prev, cs_prev, cs, hs = (rows_to_lists(a) for a in (x, H_prev, C_prev, C, H))
    zs, gs = rows_to_lists(Z.reshape(T * 4, u)), rows_to_lists(A.reshape(T * 4, u))   # 4 gates a step
    return [{
        "t": t, "x": xs[t], "h_prev": hs_prev[t], "c_prev": cs_prev[t],
        "pre_activations": dict(zip(GATES, zs[4 * t:4 * t + 4], strict=True)),
        "gates": dict(zip(GATES, gs[4 * t:4 * t + 4], strict=True)),
        "c": cs[t], "h": hs[t], "formulas": formulas[t],
    } for t in range(T)]


def parse_lstm_state(value, u: int) -> tuple[np.ndarray, np.ndarray]:
    if value is None:
        return np.zeros(u), np.zeros(u)
    if not isinstance(value, dict):
        raise EngineError("initial_state", 'must be an object {"h": [...], "c": [...]}')
    extra = set(value) - {"h", "c"}
    if extra:
        raise EngineError(f"initial_state.{sorted(extra)[0]}", "is not a known field (use h and c)")
    return parse_state(value.get("h"), "initial_state.h", u), parse_state(value.get("c"), "initial_state.c", u)


def run_lstm(inputs, units=None, kernel=None, recurrent_kernel=None, bias=None, use_bias=True, activation="tanh",
             recurrent_activation="sigmoid", unit_forget_bias=True, initial_state=None, seed=0,
             output_layer=None) -> dict:
    """Validate a request, run LSTM over the sequence, and build the response dict."""
    x = parse_inputs(inputs)
    T, d = x.shape
    forget_one = check_bool(unit_forget_bias, "unit_forget_bias")
    u, w = resolve_weights(d, units, kernel, recurrent_kernel, bias, use_bias, seed, 4,
                           lambda u: (4 * u,), lambda u: default_bias(u, 4, forget_one))
    name = check_activation(activation, "activation")
    rec = check_activation(recurrent_activation, "recurrent_activation")
    h0, c0 = parse_lstm_state(initial_state, u)
    dense = parse_output_layer(output_layer, u, seed)
    with np.errstate(all="ignore"):
        H, C, cache = forward(x, w, name, rec, h0, c0)
        check_finite(H, C)
        J = jacobians(cache)
    check_finite(J)
    with_formulas = small(d, u, dense)
    result = {
        "layer": "LSTM", "units": u, "input_dim": d, "timesteps": T, "activation": name,
        "recurrent_activation": rec, "hidden": to_list(H), "cell": to_list(C),
        "steps": steps(x, w, name, rec, h0, c0, cache, with_formulas),
        **sensitivity_dict(J), "weights": weights_dict(w, dense),
        "initial_state": {"h": to_list(h0), "c": to_list(c0)},
        "keras": {"layer": keras_call("LSTM", u, [("activation", name, "tanh"),
                                                  ("recurrent_activation", rec, "sigmoid"),
                                                  ("use_bias", w.b is not None, True),
                                                  ("unit_forget_bias", forget_one, True)]),
                  "output_layer": None if dense is None else dense_keras(dense)},
    }
    return finish(result, H, dense, with_formulas)
