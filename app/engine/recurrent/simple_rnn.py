"""Keras SimpleRNN: h_t = act(x_t·W + h_{t−1}·U + b), row vectors, W (d, u), U (u, u), b (u,)."""

from __future__ import annotations

import numpy as np

from ..arrays import rows_to_lists, to_list
from ..numbers import Writer
from .common import (
    Weights,
    affine_texts,
    applied_texts,
    check_activation,
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
    weights_dict,
)
from .functions import act, dact, scalar_act


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


def steps(x, w: Weights, name: str, h0, Z, H, with_formulas: bool) -> list[dict]:
    T, u = H.shape
    H_prev = np.vstack([h0[None], H[:-1]])
    texts = None
    if with_formulas:  # every step's formulas at once, as text arrays
        wr = Writer(x, w.W, H_prev, w.U, w.b, Z, H)
        inner = affine_texts(x, w.W, H_prev, w.U, w.b, writer=wr)
        texts = applied_texts(name, labels("h", T, u), inner, Z, H, writer=wr).tolist()
    xs, hs_prev, zs, hs = (rows_to_lists(a) for a in (x, H_prev, Z, H))
    return [{"t": t, "x": xs[t], "h_prev": hs_prev[t], "pre_activation": zs[t], "h": hs[t],
             "formulas": {"hidden": texts[t]} if with_formulas else None} for t in range(T)]


def run_rnn(inputs, units=None, kernel=None, recurrent_kernel=None, bias=None, use_bias=True, activation="tanh",
            initial_state=None, seed=0, output_layer=None) -> dict:
    """Validate a request, run SimpleRNN over the sequence, and build the response dict."""
    x = parse_inputs(inputs)
    T, d = x.shape
    u, w = resolve_weights(d, units, kernel, recurrent_kernel, bias, use_bias, seed, 1,
                           lambda u: (u,), lambda u: np.zeros(u))
    name = check_activation(activation, "activation")
    h0 = parse_state(initial_state, "initial_state", u)
    dense = parse_output_layer(output_layer, u, seed)
    with np.errstate(all="ignore"):
        H, cache = forward(x, w, name, h0)
        check_finite(H)
        J = jacobians(cache)
    check_finite(J)
    with_formulas = small(d, u, dense)
    result = {
        "layer": "SimpleRNN", "units": u, "input_dim": d, "timesteps": T, "activation": name,
        "hidden": to_list(H), "steps": steps(x, w, name, h0, cache["Z"], H, with_formulas),
        **sensitivity_dict(J), "weights": weights_dict(w, dense), "initial_state": to_list(h0),
        "keras": {"layer": keras_call("SimpleRNN", u, [("activation", name, "tanh"), ("use_bias", w.b is not None,
                                                                                     True)]),
                  "output_layer": None},
    }
    finish(result, H, dense, with_formulas)
    if dense is not None:
        result["keras"]["output_layer"] = dense_keras(dense)
    return result
