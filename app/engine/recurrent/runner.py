"""One runner for SimpleRNN, LSTM and GRU: validate a request, run the cell over the sequence, trace every
step, backpropagate for the sensitivity, and build the response dict (the API's contract).

A cell module (simple_rnn.py, lstm.py, gru.py) describes what differs, as a `Cell`: its gate blocks, its
options, its bias and state shapes, and its forward, Jacobian, step and formula functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..arrays import rows_to_lists, to_list
from ..errors import EngineError
from ..formulas import dense_formulas, per_step
from ..keras_code import recurrent_code
from .common import (
    Dense,
    Weights,
    check_activation,
    check_finite,
    dense_forward,
    parse_inputs,
    parse_output_layer,
    resolve_weights,
    sensitivity_dict,
    small,
    weights_dict,
)
from .functions import in_form, shown


@dataclass(frozen=True)
class Run:
    """What a cell's functions receive: the validated request."""
    x: np.ndarray            # (T, d)
    w: Weights
    name: str                # activation
    opts: dict               # the cell's own options, validated
    state: dict              # initial state: {"h": (u,)} (+ "c" for LSTM)


@dataclass(frozen=True)
class Result:
    """What a cell's forward pass gives the runner: every array of every step, (T, ·)."""
    H: np.ndarray                        # (T, u) hidden states
    pre: dict[str, np.ndarray]           # pre-activations by gate, (T, u) each
    gates: dict[str, np.ndarray]         # gate values by gate, (T, u) each
    extra: dict[str, np.ndarray]         # more per-step state (LSTM: c_prev, c), (T, u) each
    cache: dict                          # for the cell's jacobians


@dataclass(frozen=True)
class Cell:
    layer: str                                             # Keras' class name
    blocks: int                                            # gate blocks in the kernel's columns
    options: Callable[[dict], dict]                        # validate the cell's own options
    bias_shape: Callable[[int, dict], tuple]
    bias_default: Callable[[int, dict], np.ndarray]
    parse_state: Callable[[object, int], dict]
    forward: Callable[[Run], Result]
    jacobians: Callable[[dict], np.ndarray]                # cache -> (T, u, d): ∂h_T/∂x_t
    formulas: Callable[[Run, Result, np.ndarray], dict]    # (run, result, H_prev) -> {key: (T, u) texts}
    keras_options: Callable[[Run], list]                   # [(name, value, Keras 3 default)]
    response: Callable[[Run, Result], dict]                # fields only this cell has


def run(cell: Cell, inputs, units=None, kernel=None, recurrent_kernel=None, bias=None, use_bias=True,
        activation="tanh", initial_state=None, seed=0, output_layer=None, keras=2, **options) -> dict:
    """keras: hard_sigmoid's form wherever it is named, 2 (clip(0.2·z + 0.5, 0, 1), the lecture's) or 3
    (clip(z / 6 + 0.5, 0, 1)); the other activations are the same in both."""
    x = parse_inputs(inputs)
    T, d = x.shape
    if type(keras) is not int or keras not in (2, 3):
        raise EngineError("keras", "must be 2 or 3 (the Keras version whose hard_sigmoid is meant)")
    opts = cell.options(options)
    if "rec" in opts:
        opts = {**opts, "rec": in_form(opts["rec"], keras)}
    u, w = resolve_weights(d, units, kernel, recurrent_kernel, bias, use_bias, seed, cell.blocks,
                           lambda u: cell.bias_shape(u, opts), lambda u: cell.bias_default(u, opts))
    name = in_form(check_activation(activation, "activation"), keras)
    state = cell.parse_state(initial_state, u)
    dense = parse_output_layer(output_layer, u, seed)
    if dense is not None:
        dense = replace(dense, activation=in_form(dense.activation, keras))
    r = Run(x, w, name, opts, state)
    with np.errstate(all="ignore"):
        res = cell.forward(r)
        check_finite(res.H, *res.extra.values())
        J = cell.jacobians(res.cache)
    check_finite(J)
    H_prev = np.vstack([state["h"][None], res.H[:-1]])
    texts = cell.formulas(r, res, H_prev) if small(d, u, dense) else None
    result = {
        "layer": cell.layer, "units": u, "input_dim": d, "timesteps": T, "activation": shown(name),
        **cell.response(r, res), "hidden": to_list(res.H),
        "steps": steps(x, H_prev, res, texts),
        **sensitivity_dict(J), "weights": weights_dict(w, dense),
        "initial_state": to_list(state["h"]) if len(state) == 1 else {k: to_list(v) for k, v in state.items()},
    }
    named = [name, opts.get("rec"), None if dense is None else dense.activation]
    result["hard_sigmoid_keras"] = keras if any(shown(n) == "hard_sigmoid" for n in named if n) else None
    add_output_layer(result, res.H, dense, texts is not None)
    result["keras"] = keras_block(cell, r, dense)
    return result


def steps(x, H_prev, res: Result, texts: dict | None) -> list[dict]:
    """One record per time step: t, x, h_prev (c_prev), pre_activations, gates, (c), h, formulas."""
    T = x.shape[0]
    rows = {k: rows_to_lists(v) for k, v in (("x", x), ("h_prev", H_prev), ("h", res.H))}
    extra = {k: rows_to_lists(v) for k, v in res.extra.items()}
    pre = {k: rows_to_lists(v) for k, v in res.pre.items()}
    gates = {k: rows_to_lists(v) for k, v in res.gates.items()}
    formulas = per_step(texts) if texts is not None else [None] * T
    out = []
    for t in range(T):
        step = {"t": t, "x": rows["x"][t], "h_prev": rows["h_prev"][t]}
        if "c_prev" in extra:
            step["c_prev"] = extra["c_prev"][t]
        step["pre_activations"] = {k: v[t] for k, v in pre.items()}
        step["gates"] = {k: v[t] for k, v in gates.items()}
        if "c" in extra:
            step["c"] = extra["c"][t]
        step["h"] = rows["h"][t]
        step["formulas"] = formulas[t]
        out.append(step)
    return out


def add_output_layer(result: dict, H: np.ndarray, dense: Dense | None, with_formulas: bool) -> None:
    """The optional per-step Dense layer's values (and formulas) in the response."""
    if dense is None:
        result["outputs"] = None
        return
    Z, Y = dense_forward(H, dense)
    check_finite(Y)
    result["outputs"] = to_list(Y)
    texts = dense_formulas(H, dense.V, dense.c, Z, Y, shown(dense.activation)).tolist() if with_formulas else None
    zs, ys = rows_to_lists(Z), rows_to_lists(Y)
    for t, step in enumerate(result["steps"]):
        step["output_pre_activation"] = zs[t]
        step["output"] = ys[t]
        if with_formulas:
            step["formulas"]["output"] = texts[t]


def keras_block(cell: Cell, r: Run, dense: Dense | None) -> dict:
    w = r.w
    weights = [("kernel", w.W), ("recurrent_kernel", w.U)] + ([] if w.b is None else [("bias", w.b)])
    state = [(f"{k}0", v) for k, v in r.state.items()] if any(np.any(v) for v in r.state.values()) else None
    out = None if dense is None else {"kernel": dense.V, "bias": dense.c, "activation": dense.activation}
    options = [("activation", r.name, "tanh"), *cell.keras_options(r)]
    return recurrent_code(cell.layer, r.x, w.U.shape[0], weights, options, state, out)
