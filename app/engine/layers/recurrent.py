"""SimpleRNN, LSTM and GRU layers, run by the engine's own cells (app/engine/recurrent/{simple_rnn,lstm,gru}.py
`forward`, with Keras' weight layouts and gate orders: LSTM i, f, c, o; GRU z, r, h; both reset_after forms).

A layer reads (T, d) and gives every step's state (T, u) with return_sequences, else the last one (u,).
go_backwards reads the sequence from its end; as in Keras, step t of the output is then the state after
reading input row T − 1 − t. A traced value is one unit of one step, shown with the whole step's vectors
(x, h_prev, pre-activations, gates, h, and c for LSTM) and the unit's formulas written with its numbers.
"""

from __future__ import annotations

import numpy as np

from ..errors import EngineError
from ..limits import MODEL_MAX_TIMESTEPS
from ..recurrent import gru, lstm, simple_rnn
from ..recurrent.common import Weights
from ..recurrent.functions import CELL_NAMES, NAMES, shown
from . import activations
from .formulas import gru_unit_formulas, lstm_unit_formulas, rnn_unit_formulas
from .spec import Kind, Layer, WeightSpec, known, rank, register

BLOCKS = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
LSTM_GATES = ("input", "forget", "candidate", "output")
GRU_GATES = ("update", "reset", "candidate")


def _cell_activation(o, key: str, default: str) -> str:
    name = activations.resolve(o.raw.get(key, default), o.keras, f"{o.field}.{key}")
    if name not in CELL_NAMES:   # what the cells compute (hard_sigmoid in both Keras forms)
        raise o.fail(key, f"must be one of {', '.join(NAMES)} in a recurrent layer; got {shown(name)!r}",
                     code="unsupported_setting")
    return name


def options(class_name: str):
    def parse(o) -> dict:
        o.only("return_state", (None, False), why="a layer returning its states has several outputs")
        o.only("stateful", (None, False), why="states carried between batches are not modelled")
        o.only("time_major", (None, False))
        out = {"units": o.int("units", lo=1), "activation": _cell_activation(o, "activation", "tanh"),
               "use_bias": o.bool("use_bias", True), "return_sequences": o.bool("return_sequences", False),
               "go_backwards": o.bool("go_backwards", False)}
        if class_name != "SimpleRNN":
            out["recurrent_activation"] = _cell_activation(o, "recurrent_activation", "sigmoid")
        if class_name == "GRU":   # a Keras 2 file without the key predates it: Keras 2.0's GRU was reset_after=False
            out["reset_after"] = o.bool("reset_after", o.keras >= 3)
        return out
    return parse


def shape(o: dict, s, field: str):
    rank(s, field, (2,), "A recurrent layer")
    known(s, field, "A recurrent layer's feature axis", axes=[1])
    if s[0] is not None and not 1 <= s[0] <= MODEL_MAX_TIMESTEPS:
        raise EngineError(field, f"a recurrent layer reads 1 to {MODEL_MAX_TIMESTEPS:,} steps (its time loop runs "
                          f"in Python); this sequence has {s[0]:,}", code="model_too_costly")
    return (s[0], o["units"]) if o["return_sequences"] else (o["units"],)


def weights(class_name: str):
    def specs(o: dict, s) -> list[WeightSpec]:
        u, k = o["units"], BLOCKS[class_name]
        out = [WeightSpec("kernel", (s[1], k * u)), WeightSpec("recurrent_kernel", (u, k * u))]
        if o["use_bias"]:
            out.append(WeightSpec("bias", (2, 3 * u) if o.get("reset_after") else (k * u,)))
        return out
    return specs


def run(layer: Layer, x: np.ndarray) -> dict:
    """Every step of the layer over x (T, d): {"x" (the rows in reading order), "H", "Z", "A", "C", "w"}."""
    o, u = layer.options, layer.options["units"]
    w = Weights(layer.w("kernel"), layer.w("recurrent_kernel"), layer.w("bias"), [])
    xs = x[::-1] if o["go_backwards"] else x
    h0 = np.zeros(u)
    with np.errstate(all="ignore"):
        if layer.class_name == "SimpleRNN":
            H, cache = simple_rnn.forward(xs, w, o["activation"], h0)
            return {"x": xs, "H": H, "Z": cache["Z"], "A": None, "C": None, "w": w}
        if layer.class_name == "LSTM":
            H, C, cache = lstm.forward(xs, w, o["activation"], o["recurrent_activation"], h0, np.zeros(u))
            return {"x": xs, "H": H, "Z": cache["Z"], "A": cache["A"], "C": C, "w": w}
        H, cache = gru.forward(xs, w, o["activation"], o["recurrent_activation"], o["reset_after"], h0)
        return {"x": xs, "H": H, "Z": cache["Z"], "A": cache["A"], "C": None, "w": w}


def forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    H = run(layer, x)["H"]
    return H if layer.options["return_sequences"] else H[-1]


def trace(layer: Layer, x, y, index) -> dict:
    o, u = layer.options, layer.options["units"]
    r = run(layer, x)
    T = r["H"].shape[0]
    t, j = (index[0], index[1]) if o["return_sequences"] else (T - 1, index[0])
    xs, H, Z, A, w = r["x"], r["H"], r["Z"], r["A"], r["w"]
    h_prev = H[t - 1] if t > 0 else np.zeros(u)
    step = {"t": t, "input_row": T - 1 - t if o["go_backwards"] else t, "unit": j, "index": list(index),
            "x": xs[t].tolist(), "h_prev": h_prev.tolist()}
    if layer.class_name == "SimpleRNN":
        step.update(pre_activations={"h": Z[t].tolist()}, gates={}, h=H[t].tolist(),
                    formulas=rnn_unit_formulas(xs[t], h_prev, w, o["activation"], Z[t], H[t], t, j))
    elif layer.class_name == "LSTM":
        C = r["C"]
        c_prev = C[t - 1] if t > 0 else np.zeros(u)
        step.update(c_prev=c_prev.tolist(),
                    pre_activations={g: Z[t, k * u:(k + 1) * u].tolist() for k, g in enumerate(LSTM_GATES)},
                    gates={g: A[t, k * u:(k + 1) * u].tolist() for k, g in enumerate(LSTM_GATES)},
                    c=C[t].tolist(), h=H[t].tolist(),
                    formulas=lstm_unit_formulas(xs[t], h_prev, c_prev, w, o["activation"], o["recurrent_activation"],
                                                Z[t], A[t], C[t], H[t], t, j))
    else:
        step.update(pre_activations={g: Z[t, k * u:(k + 1) * u].tolist() for k, g in enumerate(GRU_GATES)},
                    gates={g: A[t, k * u:(k + 1) * u].tolist() for k, g in enumerate(GRU_GATES)}, h=H[t].tolist(),
                    formulas=gru_unit_formulas(xs[t], h_prev, w, o["activation"], o["recurrent_activation"],
                                               o["reset_after"], Z[t], A[t], H[t], t, j))
    step["value"] = float(H[t, j])
    return {"kind": {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}[layer.class_name], "step": step}


# Cost units of one time step besides its multiply-adds: the step runs in Python, a few dozen NumPy calls on
# short vectors (measured with bench/bench_model_costs.py on units=1, rounded up).
STEP_COSTS = {"SimpleRNN": 8_000, "LSTM": 25_000, "GRU": 36_000}


def cost(layer: Layer, i, out) -> int:
    """Per step: the two matrix products' multiply-adds and the step's fixed cost (its activations act on short
    vectors: within that fixed cost)."""
    T = i[0] or 1
    return T * (sum(int(np.prod(s.shape)) for s in layer.weight_specs[:2]) + STEP_COSTS[layer.class_name])


for _name in BLOCKS:
    register(_name)(Kind(
        parse=options(_name), shape=shape, weights=weights(_name), forward=forward, cost=cost, trace=trace,
        trace_numbers=lambda layer, s: sum(int(np.prod(w.shape[:1])) for w in layer.weight_specs[:2])
        * BLOCKS[layer.class_name],
    ))
