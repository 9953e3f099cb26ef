"""The formulas of one unit of one recurrent step, written with its numbers (numbers.fmt / term), the way the
recurrent pages write them for small layers:

    SimpleRNN  h₃[2] = tanh(1×0.5 + 0×(-0.2) + 0.3×0.1 + 0.1) = tanh(0.63) = 0.5581
    LSTM       i, f, c̃, o as above; c₃[2] = f×c₂ + i×c̃ = 0.9×0.5 + 0.2×0.7 = 0.59; h₃[2] = o×tanh(c₃) = ...
    GRU        z, r as above; h̃ = tanh(x·W + r×(h·U + b')) (reset_after) or tanh(x·W + (r⊙h)·U + b);
               h₃[2] = z×h₂ + (1 − z)×h̃ = ...

Only the traced unit is written, so a layer of any width can be traced (the recurrent pages write every unit
and so stop at 4); the products of one formula are d + u.
"""

from __future__ import annotations

import numpy as np

from ..numbers import fmt, term
from ..recurrent.functions import act as cell_act
from ..recurrent.functions import shown
from .steps import affine_text

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def label(symbol: str, t: int, j: int, u: int) -> str:
    """h₃ for a one-unit layer, h₃[2] (1-based unit) otherwise; t is 0-based."""
    return f"{symbol}{str(t + 1).translate(SUB)}" + (f"[{j + 1}]" if u > 1 else "")


def prev(t: int) -> str:
    return str(t).translate(SUB)


def applied(name: str, head: str, inner: str, z: float, y: float) -> str:
    if name == "linear":
        return f"{head} = {inner} = {fmt(y)}"
    name = shown(name)
    return f"{head} = {name}({inner}) = {name}({fmt(z)}) = {fmt(y)}"


def _gate(x, h, w, col: int, bias, name, symbol, z, y, t, j, u, extra_bias=None) -> str:
    inner = affine_text(np.concatenate([x, h]), np.concatenate([w.W[:, col], w.U[:, col]]), bias)
    if extra_bias is not None:
        inner += f" + {term(extra_bias)}"
    return applied(name, label(symbol, t, j, u), inner, z, y)


def rnn_unit_formulas(x, h_prev, w, name, z, h, t, j) -> dict:
    u = w.U.shape[0]
    b = None if w.b is None else w.b[j]
    return {"hidden": _gate(x, h_prev, w, j, b, name, "h", z[j], h[j], t, j, u)}


def lstm_unit_formulas(x, h_prev, c_prev, w, name, rec, z, a, c, h, t, j) -> dict:
    u = w.U.shape[0]
    out = {}
    for k, (gate, symbol) in enumerate((("input", "i"), ("forget", "f"), ("candidate", "c̃"), ("output", "o"))):
        col = k * u + j
        b = None if w.b is None else w.b[col]
        out[gate] = _gate(x, h_prev, w, col, b, name if gate == "candidate" else rec, symbol, z[col], a[col], t, j, u)
    i, f, g, o = (a[k * u + j] for k in range(4))
    out["cell"] = (f"{label('c', t, j, u)} = f×c{prev(t)} + i×c̃ = {term(f)}×{term(c_prev[j])} + {term(i)}×{term(g)}"
                   f" = {fmt(c[j])}")
    head = f"{label('h', t, j, u)} = o×"
    if name == "linear":
        out["hidden"] = f"{head}c{prev(t + 1)} = {term(o)}×{term(c[j])} = {fmt(h[j])}"
    else:
        ac = float(cell_act(name, np.array([c[j]]))[0])
        act_name = shown(name)
        out["hidden"] = (f"{head}{act_name}(c{prev(t + 1)}) = {term(o)}×{act_name}({fmt(c[j])}) = {term(o)}×"
                         f"{term(ac)} = {fmt(h[j])}")
    return out


def gru_unit_formulas(x, h_prev, w, name, rec, reset_after: bool, z, a, h, t, j) -> dict:
    u = w.U.shape[0]
    has_b = w.b is not None
    b_in, b_rec = (w.b[0], w.b[1]) if has_b and reset_after else (w.b, None) if has_b else (None, None)
    out = {}
    for k, (gate, symbol) in enumerate((("update", "z"), ("reset", "r"))):
        col = k * u + j
        out[gate] = _gate(x, h_prev, w, col, None if b_in is None else b_in[col], rec, symbol, z[col], a[col], t, j,
                          u, extra_bias=None if b_rec is None else b_rec[col])
    col = 2 * u + j
    zg, r, hh = a[j], a[u + j], a[col]
    xpart = affine_text(x, w.W[:, col], None if b_in is None else b_in[col])
    if reset_after:
        hpart = affine_text(h_prev, w.U[:, col], None if b_rec is None else b_rec[col])
        inner = f"{xpart} + {term(r)}×({hpart})"
    else:
        rs = a[u:2 * u]
        inner = xpart + "".join(f" + ({term(rk)}×{term(hk)})×{term(uk)}"
                                for rk, hk, uk in zip(rs.tolist(), h_prev.tolist(), w.U[:, col].tolist(), strict=True))
    out["candidate"] = applied(name, label("h̃", t, j, u), inner, z[col], hh)
    out["hidden"] = (f"{label('h', t, j, u)} = z×h{prev(t)} + (1 − z)×h̃ = {term(zg)}×{term(h_prev[j])} + "
                     f"{term(1.0 - zg)}×{term(hh)} = {fmt(h[j])}")
    return out
