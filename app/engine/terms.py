"""A formula's parts as data (the step vocabulary's `terms`), so a page shows a formula growing product by
product without parsing text: `"".join(terms) == formula`, cut right after each product, the last part the rest.

    "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"
    -> ["(0×2", " + 0×1", " + 1×3", ") + (0×2", " + 1×0", " + 6×0", ") + (3×1", " + 3×3", " + 2×2",
        ") = 3 + 0 + 16 = 19"]
"""

from __future__ import annotations

import numpy as np

from .conv import windows
from .numbers import fmt, words


def add_conv_terms(steps: list[dict], xp: np.ndarray, W: np.ndarray, strides=(1, 1), dilation=(1, 1)) -> list[dict]:
    """Give the steps `conv.conv2d_steps(xp, W, ..., strides, dilation, ...)` returned their `terms`.

    xp (Hp, Wp, C), W (kh, kw, C, F): the arrays the steps were made from (steps filter by filter, row by row).
    The products are written as the formula writes them, channel by channel and row by row (one parenthesised
    group per kernel row); each formula must start with them (else ValueError), and its rest is the last part.
    Steps that already carry terms (once conv writes them itself) are left as they are.
    """
    if not steps or "terms" in steps[0]:
        return steps
    kh, kw, c, f = W.shape
    win = windows(xp, (kh, kw), strides, dilation)                     # (oh, ow, kh, kw, C)
    oh, ow = win.shape[:2]
    cells = oh * ow
    filters = -(-len(steps) // cells)
    rows = oh if filters > 1 else -(-len(steps) // ow)
    t = c * kh * kw
    xs = words(win[:rows].transpose(0, 1, 4, 2, 3)).reshape(rows * ow, t)   # groups: channel by channel, row by row
    ws = words(W[..., :filters].transpose(3, 2, 0, 1), prefix="×").reshape(filters, t)
    lead = np.full((c * kh, kw), " + ", dtype=object)
    lead[:, 0] = ") + ("
    lead[0, 0] = "("
    lead = lead.ravel()
    for k in range(filters):
        part = steps[k * cells:(k + 1) * cells]
        heads = (lead + xs[:len(part)] + ws[k]).tolist()
        for step, head in zip(part, heads, strict=True):
            text = "".join(head)
            formula = step["formula"]
            if not formula.startswith(text):
                raise ValueError(f"conv formula {formula!r} does not start with its products {text!r}")
            head.append(formula[len(text):])
            step["terms"] = head
    return steps


def sum_formula(values: np.ndarray, total: float) -> tuple[str, list[str]]:
    """"1 + 1 + (-2) = 0" and its terms ["1", " + 1", " + (-2)", " = 0"], cut after each number."""
    flat = np.ravel(values)
    texts = words(flat).tolist()
    parts = [fmt(float(flat[0])), *(" + " + t for t in texts[1:]), " = " + fmt(total)]
    return "".join(parts), parts
