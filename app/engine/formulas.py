"""Every formula a trace shows, written the way the lecture writes them.

    convolution  (0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19
    max pooling  max(3, 3, 0, 0) = 3
    average      (3 + 3 + 0 + 0) / 4 = 1.5
    SimpleRNN    h₂[1] = 2×1 + 1×1 + 2×1 + 2×1 = 7
    LSTM         i₁ = sigmoid(1×0 + 0×0 + (-10)) = sigmoid(-10) = 0;  c₂ = f×c₁ + i×c̃ = 1×3 + 1×4 = 7
    GRU          h₁ = z×h₀ + (1 − z)×h̃ = 0.5×0 + 0.5×0.2 = 0.1

Conv and pool formulas come with their `terms`: the formula cut right after each product (or each real
input), so `"".join(terms) == formula` and a page can show the first k parts without parsing text.

Texts are built for every cell or time step at once: numbers are written once per distinct value
(`numbers.words`, `numbers.Writer`), and NumPy object arrays of text add elementwise, so
`words(x) + words(w, prefix="×")` gives "3×(-2)" everywhere. The per-cell loops these builders replaced
are kept in tests/engine/test_formula_reference.py, which checks them character for character.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .numbers import Writer, fmt, term, words

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(n: int) -> str:
    """1 -> '₁': time steps written as the lecture writes them."""
    return str(n).translate(SUB)


# ---- convolution ------------------------------------------------------------------------------------

def conv_terms(xs_text: np.ndarray, ws_text: np.ndarray, sums: np.ndarray, pre: np.ndarray, bias) -> list[list[str]]:
    """The terms of every cell of one filter; each cell's formula is their concatenation.

    xs_text (cells, C, kh, kw) the inputs written out ("3", "(-2)"); ws_text (C, kh, kw) the weights written
    with their sign ("×(-2)"); sums (cells, C·kh) the group sums; pre (cells,) the sums plus bias.
    One group per channel and kernel row. Term k ends with product k; the last term is the rest:
    ") + (-1) = 3 + 0 + 16 + (-1) = 18", or ") = 19" when there is one group and no bias.
    """
    cells, c, kh, kw = xs_text.shape
    groups = c * kh
    seps = np.array([("(" if g == 0 else ") + (") if b == 0 else " + " for g in range(groups) for b in range(kw)],
                    dtype=object)
    products = seps + xs_text.reshape(cells, groups * kw) + ws_text.reshape(groups * kw)   # (cells, products)
    bias_text = "" if bias is None else " + " + term(bias)
    if groups == 1 and bias is None:
        tails = ") = " + words(pre, fmt)
    else:
        middle = words(sums[:, :1], fmt)[:, 0]
        for g in range(1, groups):
            middle = middle + " + " + words(sums[:, g])
        tails = ")" + bias_text + " = " + middle + bias_text + " = " + words(pre, fmt)
    return np.concatenate([products, tails[:, None]], axis=1).tolist()


def sum_formula(values: np.ndarray, total: float) -> tuple[str, list[str]]:
    """"1 + 1 + (-2) = 0" and its terms ["1", " + 1", " + (-2)", " = 0"], cut after each number."""
    flat = np.ravel(values)
    texts = words(flat).tolist()
    parts = [fmt(float(flat[0])), *(" + " + t for t in texts[1:]), " = " + fmt(total)]
    return "".join(parts), parts


def activation_formulas(name: str, pre: np.ndarray, value: np.ndarray) -> list[str]:
    """'relu(0.2529) = 0.2529' for every cell."""
    return (name + "(" + words(pre, fmt) + ") = " + words(value, fmt)).tolist()


# ---- pooling ----------------------------------------------------------------------------------------

def _real_only(rows: list[list], real: np.ndarray) -> list[list]:
    """Each row without its padding cells."""
    return [[t for t, ok in zip(row, oks, strict=True) if ok] for row, oks in zip(rows, real.tolist(), strict=True)]


def pool_terms(mode: str, values: np.ndarray, real: np.ndarray, counts: list[int], outs: np.ndarray) -> list[list[str]]:
    """The terms of every window: max(3, 3, 0, 0) = 3 or (3 + 3 + 0 + 0) / 4 = 1.5, padding left out.

    values (cells, window) with anything at padding cells; real (cells, window) which cells are real;
    counts the real cells per window; outs (cells,) the results. Term k ends with the k-th real input.
    """
    shown = np.where(real, values, 0.0)
    writer = Writer(shown, outs)                                     # each number written once
    first = _real_only(writer.fmt(shown).tolist(), real)
    results = writer.fmt(outs).tolist()
    if mode == "max":
        return [["max(" + t[0], *(", " + v for v in t[1:]), ") = " + r] for t, r in zip(first, results, strict=True)]
    rest = _real_only(writer.term(shown).tolist(), real)             # negatives after a "+" in parentheses
    return [["(" + t[0], *(" + " + v for v in u[1:]), f") / {n} = {r}"]
            for t, u, n, r in zip(first, rest, counts, results, strict=True)]


# ---- recurrent layers -------------------------------------------------------------------------------

def unit_label(symbol: str, t: int, k: int, u: int) -> str:
    """h₁ for one unit, h₁[2] (1-based unit) for several."""
    return f"{symbol}{sub(t + 1)}" + (f"[{k + 1}]" if u > 1 else "")


def _frozen(rows: list) -> np.ndarray:
    a = np.array(rows, dtype=object)
    a.flags.writeable = False
    return a


@lru_cache(maxsize=256)
def labels(symbol: str, T: int, u: int) -> np.ndarray:
    """unit_label for every step and unit: a (T, u) object array (cached: only ever read, never changed)."""
    return _frozen([[unit_label(symbol, t, k, u) for k in range(u)] for t in range(T)])


@lru_cache(maxsize=256)
def step_subs(T: int, offset: int = 0) -> np.ndarray:
    """(T, 1) object array of subscripts ₀, ₁, ... (t + offset), to broadcast over units."""
    return _frozen([[sub(t + offset)] for t in range(T)])


def affine_texts(x: np.ndarray, W: np.ndarray, h: np.ndarray | None = None, U: np.ndarray | None = None,
                 b: np.ndarray | None = None, writer: Writer | None = None) -> np.ndarray:
    """'1×1 + 1×1 + 0×1 + 0×1 + (-10)' for every step and column: x (T, d) · W (d, n) (+ h (T, u) · U (u, n))
    (+ b (n,)), one product per term. Returns a (T, n) object array of text.

    A column's weights are the same at every step, so they are written once into a template; each step
    fills in its inputs (and state) with one str.format."""
    w = writer or Writer(x, W, h, U, b)
    T, n = x.shape[0], W.shape[1]
    factors = [w.term(W, prefix="×")] + ([] if h is None else [w.term(U, prefix="×")])
    rows = w.term(x) if h is None else np.concatenate([w.term(x), w.term(h)], axis=1)   # (T, d [+ u])
    weights = np.concatenate(factors, axis=0).T.tolist()                                 # (n, d [+ u])
    bias = [""] * n if b is None else (" + " + w.term(b)).tolist()
    rows = rows.tolist()
    out = np.empty((T, n), dtype=object)
    for col in range(n):
        template = " + ".join("{}" + f.replace("{", "{{").replace("}", "}}") for f in weights[col]) + bias[col]
        fill = template.format
        out[:, col] = [fill(*row) for row in rows]
    return out


def applied_texts(name: str, labels: np.ndarray, inner: np.ndarray, z: np.ndarray, y: np.ndarray,
                  writer: Writer) -> np.ndarray:
    """'h₂ = 1×1 + ... = 7' for linear, 'i₁ = sigmoid(...) = sigmoid(90) = 1' otherwise; elementwise."""
    if name == "linear":
        return labels + " = " + inner + " = " + writer.fmt(y)
    return labels + " = " + name + "(" + inner + ") = " + name + "(" + writer.fmt(z) + ") = " + writer.fmt(y)


def rnn_formulas(x, W, U, b, H_prev, Z, H, name: str) -> dict[str, np.ndarray]:
    """SimpleRNN: {"hidden": (T, u) texts}."""
    T, u = H.shape
    wr = Writer(x, W, H_prev, U, b, Z, H)
    inner = affine_texts(x, W, H_prev, U, b, writer=wr)
    return {"hidden": applied_texts(name, labels("h", T, u), inner, Z, H, writer=wr)}


LSTM_SYMBOLS = {"input": "i", "forget": "f", "candidate": "c̃", "output": "o"}


def lstm_formulas(x, W, U, b, H_prev, C_prev, Z, A, C, H, act_c, name: str, rec: str) -> dict[str, np.ndarray]:
    """LSTM: the four gates (blocks i, f, c, o of Z and A), the cell and the hidden state, (T, u) texts each.
    act_c is act(C), the cell state through the activation."""
    T, u = H.shape
    wr = Writer(x, W, H_prev, U, b, Z, A, C_prev, C, act_c, H)                # every number written once
    inner = affine_texts(x, W, H_prev, U, b, writer=wr)                          # (T, 4u)
    texts = {}
    for block, gate in enumerate(LSTM_SYMBOLS):
        cols = slice(block * u, (block + 1) * u)
        texts[gate] = applied_texts(name if gate == "candidate" else rec, labels(LSTM_SYMBOLS[gate], T, u),
                                    inner[:, cols], Z[:, cols], A[:, cols], writer=wr)
    i, f, g, o = (wr.term(A[:, k * u:(k + 1) * u]) for k in range(4))
    texts["cell"] = (labels("c", T, u) + " = f×c" + step_subs(T) + " + i×c̃ = " + f + "×" + wr.term(C_prev)
                     + " + " + i + "×" + g + " = " + wr.fmt(C))
    head = labels("h", T, u) + " = o×"
    if name == "linear":
        texts["hidden"] = head + "c" + step_subs(T, 1) + " = " + o + "×" + wr.term(C) + " = " + wr.fmt(H)
    else:
        texts["hidden"] = (head + name + "(c" + step_subs(T, 1) + ") = " + o + "×" + name + "("
                           + wr.fmt(C) + ") = " + o + "×" + wr.term(act_c) + " = " + wr.fmt(H))
    return texts


GRU_SYMBOLS = {"update": "z", "reset": "r", "candidate": "h̃"}


def gru_formulas(x, W, U, b_in, b_rec, has_bias: bool, H_prev, Z, A, H, name: str, rec: str,
                 reset_after: bool) -> dict[str, np.ndarray]:
    """GRU: update, reset, candidate and hidden, (T, u) texts each. b_in / b_rec are the input and
    recurrent biases (zeros where the variant has none); reset_after picks r×(h·U + b') or (r⊙h)·U."""
    T, u = H.shape
    zr = slice(0, 2 * u)
    zg, r, cand = A[:, :u], A[:, u:2 * u], A[:, 2 * u:]
    wr = Writer(x, W, H_prev, U, b_in, b_rec, Z, A, 1.0 - zg, H)          # every number written once
    inner = affine_texts(x, W[:, zr], H_prev, U[:, zr], b_in[zr] if has_bias else None, writer=wr)  # z and r
    if reset_after and has_bias:
        inner = inner + " + " + wr.term(b_rec[zr])
    texts = {gate: applied_texts(rec, labels(GRU_SYMBOLS[gate], T, u), inner[:, k * u:(k + 1) * u],
                                 Z[:, k * u:(k + 1) * u], A[:, k * u:(k + 1) * u], writer=wr)
             for k, gate in enumerate(("update", "reset"))}
    hc = slice(2 * u, 3 * u)
    xpart = affine_texts(x, W[:, hc], b=b_in[hc] if has_bias else None, writer=wr)
    if reset_after:  # r × (h·U + recurrent bias)
        hpart = affine_texts(H_prev, U[:, hc], b=b_rec[hc] if has_bias else None, writer=wr)
        cand_inner = xpart + " + " + wr.term(r) + "×(" + hpart + ")"
    else:            # (r ⊙ h)·U, one product per term
        terms = ("(" + wr.term(r)[:, :, None] + "×" + wr.term(H_prev)[:, :, None] + ")"
                 + wr.term(U[:, hc], prefix="×")[None])                       # (T, u, u)
        cand_inner = xpart
        for k in range(u):
            cand_inner = cand_inner + " + " + terms[:, k]
    texts["candidate"] = applied_texts(name, labels(GRU_SYMBOLS["candidate"], T, u), cand_inner, Z[:, hc], cand,
                                       writer=wr)
    texts["hidden"] = (labels("h", T, u) + " = z×h" + step_subs(T) + " + (1 − z)×h̃ = " + wr.term(zg) + "×"
                       + wr.term(H_prev) + " + " + wr.term(1.0 - zg) + "×" + wr.term(cand) + " = " + wr.fmt(H))
    return texts


def dense_formulas(H: np.ndarray, V: np.ndarray, c: np.ndarray | None, Z: np.ndarray, Y: np.ndarray,
                   name: str) -> np.ndarray:
    """The per-step output layer y_t = act(h_t·V + c): (T, m) texts."""
    T, m = Y.shape
    wr = Writer(H, V, c, Z, Y)
    inner = affine_texts(H, V, b=c, writer=wr)
    return applied_texts(name, labels("y", T, m), inner, Z, Y, writer=wr)


def per_step(texts: dict[str, np.ndarray]) -> list[dict[str, list[str]]]:
    """{key: (T, u) texts} -> [{key: [u texts]} for every step]."""
    lists = {k: v.tolist() for k, v in texts.items()}
    T = len(next(iter(lists.values())))
    return [{k: rows[t] for k, rows in lists.items()} for t in range(T)]
