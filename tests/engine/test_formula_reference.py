"""The recurrent formulas are built as text arrays for all steps at once; these per-unit loops (the way
they were first written, one f-string per term) are the reference they must match character for character,
on seeded random shapes, activations, biases and both GRU variants."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.formulas import sub, unit_label
from app.engine.numbers import fmt, term
from app.engine.recurrent import run_gru, run_lstm, run_rnn
from app.engine.recurrent.functions import scalar_act

ACTS = ["tanh", "linear", "relu", "sigmoid", "hard_sigmoid"]


def affine(x, wcol, h=None, ucol=None, bias=None) -> str:
    parts = [f"{term(a)}×{term(w)}" for a, w in zip(x, wcol, strict=True)]
    if h is not None:
        parts += [f"{term(a)}×{term(w)}" for a, w in zip(h, ucol, strict=True)]
    if bias is not None:
        parts.append(term(bias))
    return " + ".join(parts)


def applied(name, label, inner, z, y) -> str:
    if name == "linear":
        return f"{label} = {inner} = {fmt(y)}"
    return f"{label} = {name}({inner}) = {name}({fmt(z)}) = {fmt(y)}"


def arrays(r):
    w = r["weights"]
    W, U = np.array(w["kernel"], float), np.array(w["recurrent_kernel"], float)
    b = None if w["bias"] is None else np.array(w["bias"], float)
    return W, U, b


def output_reference(r, t, h):
    dense = r["weights"]["output_layer"]
    V = np.array(dense["kernel"], float)
    c = None if dense["bias"] is None else np.array(dense["bias"], float)
    step = r["steps"][t]
    m = V.shape[1]
    return [applied(dense["activation"], unit_label("y", t, j, m), affine(h, V[:, j], bias=None if c is None else c[j]),
                    step["output_pre_activation"][j], step["output"][j]) for j in range(m)]


def rnn_reference(r, x, name):
    W, U, b = arrays(r)
    u = U.shape[0]
    out = []
    for t, step in enumerate(r["steps"]):
        h_prev = step["h_prev"]
        f = {"hidden": [applied(name, unit_label("h", t, j, u),
                                affine(x[t], W[:, j], h_prev, U[:, j], None if b is None else b[j]),
                                step["pre_activations"]["h"][j], step["h"][j]) for j in range(u)]}
        if r["outputs"] is not None:
            f["output"] = output_reference(r, t, step["h"])
        out.append(f)
    return out


def lstm_reference(r, x, name, rec):
    W, U, b = arrays(r)
    u = U.shape[0]
    gates = ("input", "forget", "candidate", "output")
    symbols = {"input": "i", "forget": "f", "candidate": "c̃", "output": "o"}
    out = []
    for t, step in enumerate(r["steps"]):
        h_prev, c_prev, c, h = step["h_prev"], step["c_prev"], step["c"], step["h"]
        f = {g: [] for g in (*gates, "cell", "hidden")}
        for j in range(u):
            for block, gate in enumerate(gates):
                col = block * u + j
                inner = affine(x[t], W[:, col], h_prev, U[:, col], None if b is None else b[col])
                f[gate].append(applied(name if gate == "candidate" else rec, unit_label(symbols[gate], t, j, u),
                                       inner, step["pre_activations"][gate][j], step["gates"][gate][j]))
            i, fg, g, o = (step["gates"][k][j] for k in gates)
            f["cell"].append(f"{unit_label('c', t, j, u)} = f×c{sub(t)} + i×c̃ = {term(fg)}×{term(c_prev[j])} + "
                             f"{term(i)}×{term(g)} = {fmt(c[j])}")
            if name == "linear":
                f["hidden"].append(f"{unit_label('h', t, j, u)} = o×c{sub(t + 1)} = {term(o)}×{term(c[j])} = "
                                   f"{fmt(h[j])}")
            else:
                ac = scalar_act(name, c[j])
                f["hidden"].append(f"{unit_label('h', t, j, u)} = o×{name}(c{sub(t + 1)}) = {term(o)}×{name}"
                                   f"({fmt(c[j])}) = {term(o)}×{term(ac)} = {fmt(h[j])}")
        out.append(f)
    return out


def gru_reference(r, x, name, rec, after):
    W, U, b = arrays(r)
    u = U.shape[0]
    has_b = b is not None
    if not has_b:
        b_in, b_rec = np.zeros(3 * u), np.zeros(3 * u)
    else:
        b_in, b_rec = (b[0], b[1]) if after else (b, np.zeros(3 * u))
    out = []
    for t, step in enumerate(r["steps"]):
        h_prev, A, Z = step["h_prev"], step["gates"], step["pre_activations"]
        f = {"update": [], "reset": [], "candidate": [], "hidden": []}
        for j in range(u):
            for block, (gate, sym) in enumerate((("update", "z"), ("reset", "r"))):
                col = block * u + j
                inner = affine(x[t], W[:, col], h_prev, U[:, col], b_in[col] if has_b else None)
                if after and has_b:
                    inner += f" + {term(b_rec[col])}"
                f[gate].append(applied(rec, unit_label(sym, t, j, u), inner, Z[gate][j], A[gate][j]))
            col = 2 * u + j
            xpart = affine(x[t], W[:, col], bias=b_in[col] if has_b else None)
            if after:
                hpart = affine(h_prev, U[:, col], bias=b_rec[col] if has_b else None)
                inner = f"{xpart} + {term(A['reset'][j])}×({hpart})"
            else:
                inner = f"{xpart} + " + " + ".join(f"({term(A['reset'][k])}×{term(h_prev[k])})×{term(U[k, col])}"
                                                    for k in range(u))
            f["candidate"].append(applied(name, unit_label("h̃", t, j, u), inner, Z["candidate"][j],
                                          A["candidate"][j]))
            z = A["update"][j]
            f["hidden"].append(f"{unit_label('h', t, j, u)} = z×h{sub(t)} + (1 − z)×h̃ = {term(z)}×{term(h_prev[j])}"
                               f" + {term(1.0 - z)}×{term(A['candidate'][j])} = {fmt(step['h'][j])}")
        out.append(f)
    return out


def case(k: int):
    rng = np.random.default_rng(k)
    T, d, u = int(rng.integers(1, 7)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    x = (rng.integers(-3, 4, (T, d)) if k % 2 else np.round(rng.uniform(-2, 2, (T, d)), 2)).tolist()
    name, rec = ACTS[k % 5], ACTS[(k // 5) % 5]
    return x, u, name, rec, bool(k % 3), {"units": 2, "activation": ACTS[k % 4]} if k % 4 == 0 else None


@pytest.mark.parametrize("k", range(40))
def test_rnn_formulas_match_the_loop_reference(k):
    x, u, name, _, use_bias, out = case(k)
    r = run_rnn(x, units=u, activation=name, use_bias=use_bias, seed=k, output_layer=out)
    assert [s["formulas"] for s in r["steps"]] == rnn_reference(r, x, name)


@pytest.mark.parametrize("k", range(40))
def test_lstm_formulas_match_the_loop_reference(k):
    x, u, name, rec, use_bias, _ = case(k)
    r = run_lstm(x, units=u, activation=name, recurrent_activation=rec, use_bias=use_bias, seed=k)
    assert [s["formulas"] for s in r["steps"]] == lstm_reference(r, x, name, rec)


@pytest.mark.parametrize("after", [True, False])
@pytest.mark.parametrize("k", range(30))
def test_gru_formulas_match_the_loop_reference(k, after):
    x, u, name, rec, use_bias, _ = case(k)
    r = run_gru(x, units=u, activation=name, recurrent_activation=rec, use_bias=use_bias, seed=k, reset_after=after)
    assert [s["formulas"] for s in r["steps"]] == gru_reference(r, x, name, rec, after)


def conv_reference(xs, ws, bias, pre) -> str:
    """A convolution cell's formula, one group per channel and kernel row, written term by term."""
    xs, ws = np.asarray(xs, float), np.asarray(ws, float)
    if xs.ndim == 2:
        xs, ws = xs[..., None], ws[..., None]
    kh, kw, c = xs.shape
    groups, sums = [], []
    for ch in range(c):
        for a in range(kh):
            groups.append("(" + " + ".join(f"{term(xs[a, b, ch])}×{term(ws[a, b, ch])}" for b in range(kw)) + ")")
            sums.append(sum(xs[a, b, ch] * ws[a, b, ch] for b in range(kw)))
    left = " + ".join(groups) + ("" if bias is None else f" + {term(bias)}")
    if len(groups) == 1 and bias is None:
        return f"{left} = {fmt(pre)}"
    middle = " + ".join([fmt(sums[0])] + [term(s) for s in sums[1:]]) + ("" if bias is None else f" + {term(bias)}")
    return f"{left} = {middle} = {fmt(pre)}"


def conv_terms_reference(xs, ws, formula) -> list[str]:
    """The formula cut right after each product, in reading order (channel, kernel row, column)."""
    xs, ws = np.asarray(xs, float), np.asarray(ws, float)
    if xs.ndim == 2:
        xs, ws = xs[..., None], ws[..., None]
    kh, kw, c = xs.shape
    cuts, at = [], 0
    for ch in range(c):
        for a in range(kh):
            for b in range(kw):
                product = f"{term(xs[a, b, ch])}×{term(ws[a, b, ch])}"
                at = formula.index(product, at) + len(product)
                cuts.append(at)
    return [formula[i:j] for i, j in zip([0, *cuts], [*cuts, len(formula)], strict=True)]


@pytest.mark.parametrize("k", range(40))
def test_conv_formulas_match_the_loop_reference(k):
    from app.engine.conv import run_conv2d

    rng = np.random.default_rng(k)
    c, f = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    h, w = (int(v) for v in rng.integers(2, 7, 2))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    x = (rng.integers(-6, 7, (h, w, c)) / 2).tolist()          # halves: every sum is exact
    kernel = rng.integers(-3, 4, (kh, kw, c, f)).tolist()
    bias = (rng.integers(-4, 5, f) / 2).tolist() if k % 2 else None
    if k % 3 == 0:                                             # a 2-D input and kernel
        x, kernel, c, f = np.asarray(x)[..., 0].tolist(), np.asarray(kernel)[:, :, 0, 0].tolist(), 1, 1
        bias = bias[:1] if bias else None
    r = run_conv2d(x, kernel, bias=bias, padding=["same", "full"][k % 2])
    K = np.asarray(kernel, float).reshape(kh, kw, c, f)
    for step in r["steps"]:
        fi = step["index"][2] if len(step["index"]) == 3 else 0
        ws = K[:, :, :, fi] if np.asarray(step["inputs"]).ndim == 3 else K[:, :, 0, fi]
        want = conv_reference(step["inputs"], ws, None if bias is None else bias[fi], step["pre_activation"])
        assert step["formula"] == want
        assert step["terms"] == conv_terms_reference(step["inputs"], ws, want)


def pool_steps_reference(x, pads, y, mode, pool, strides, flat):
    """Pooling steps one window cell at a time (the first version of pool_steps)."""
    (ph, pw), (sh, sw) = pool, strides
    oh, ow, c = y.shape
    steps = []
    for ch in range(c):
        for i in range(oh):
            for j in range(ow):
                window, values, real = [], [], []
                for r in range(i * sh, i * sh + ph):
                    for q in range(j * sw, j * sw + pw):
                        window.append([r, q])
                        xr, xq = r - pads.top, q - pads.left
                        if 0 <= xr < x.shape[0] and 0 <= xq < x.shape[1]:
                            v = float(x[xr, xq, ch])
                            values.append(v)
                            real.append((v, [r, q]))
                        else:
                            values.append(None)
                value = float(y[i, j, ch])
                nums = [v for v, _ in real]
                step = {"index": [i, j] if flat else [i, j, ch], "window": window, "inputs": values,
                        "count": len(nums), "value": value}
                if mode == "max":
                    best = max(range(len(real)), key=lambda n, real=real: (real[n][0], -n))  # first maximum
                    step["argmax"] = real[best][1]
                    terms = ["max(" + fmt(nums[0])] + [", " + fmt(v) for v in nums[1:]] + [f") = {fmt(value)}"]
                else:
                    step["sum"] = float(sum(nums))
                    terms = (["(" + fmt(nums[0])] + [" + " + term(v) for v in nums[1:]]
                             + [f") / {len(nums)} = {fmt(value)}"])
                step["formula"] = "".join(terms)
                step["terms"] = terms
                steps.append(step)
    return steps


@pytest.mark.parametrize("k", range(60))
def test_pool_steps_match_the_loop_reference(k):
    import json

    from app.engine.padding import resolve_padding
    from app.engine.pool import pool2d, run_pool

    rng = np.random.default_rng(k)
    h, w, c = int(rng.integers(2, 8)), int(rng.integers(2, 8)), int(rng.integers(1, 3))
    x = np.round(rng.uniform(-3, 3, (h, w, c)), int(rng.integers(0, 3)))
    if k % 4 == 0:
        x = np.round(x)                                          # ties for the first maximum
    pool = (int(rng.integers(1, min(h, w) + 1)), int(rng.integers(1, min(h, w) + 1)))
    strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    mode, padding = ["max", "average"][k % 2], ["valid", "same"][(k // 2) % 2]
    flat = k % 3 == 0
    r = run_pool(x[:, :, 0].tolist() if flat else x.tolist(), mode=mode, pool_size=list(pool), strides=list(strides),
                 padding=padding)
    x3 = x[:, :, :1] if flat else x
    pads = resolve_padding(padding, x3.shape[:2], pool, strides, allowed=("valid", "same"))
    want = pool_steps_reference(x3, pads, pool2d(x3, mode, pool, strides, pads), mode, pool, strides, flat)
    assert json.dumps(r["steps"]) == json.dumps(want)
