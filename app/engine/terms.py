"""A formula's parts as data (the step vocabulary's `terms`), so a page shows a formula growing product by
product without parsing text: `"".join(terms) == formula`, cut right after each product, the last part the rest.

    "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"
    -> ["(0×2", " + 0×1", " + 1×3", ") + (0×2", " + 1×0", " + 6×0", ") + (3×1", " + 3×3", " + 2×2",
        ") = 3 + 0 + 16 = 19"]
"""

from __future__ import annotations

import numpy as np

from .numbers import fmt, words


def add_conv_terms(steps: list[dict]) -> list[dict]:
    """Give every conv step (`inputs`, `weights`, `formula` as `conv.conv2d_steps` writes them) its `terms`.

    The products are written from the step's own numbers, channel by channel and row by row (one parenthesised
    group per kernel row, the formula's reading order); the formula must start with them, and its rest is the
    last part. Steps that already carry terms are left as they are.
    """
    todo = [s for s in steps if "terms" not in s]
    if not todo:
        return steps
    x = np.asarray([s["inputs"] for s in todo], dtype=np.float64)    # (S, kh, kw) or (S, kh, kw, C)
    w = np.asarray([s["weights"] for s in todo], dtype=np.float64)
    if x.ndim == 3:
        x, w = x[..., None], w[..., None]
    n, kh, kw, c = x.shape
    x = x.transpose(0, 3, 1, 2).reshape(n, c * kh, kw)                # groups: channel by channel, row by row
    w = w.transpose(0, 3, 1, 2).reshape(n, c * kh, kw)
    lead = np.full((c * kh, kw), " + ", dtype=object)
    lead[:, 0] = ") + ("
    lead[0, 0] = "("
    parts = (lead + words(x) + words(w, prefix="×")).reshape(n, c * kh * kw).tolist()
    for step, head in zip(todo, parts, strict=True):
        text = "".join(head)
        formula = step["formula"]
        if not formula.startswith(text):
            raise ValueError(f"conv formula {formula!r} does not start with its products {text!r}")
        step["terms"] = [*head, formula[len(text):]]
    return steps


def sum_formula(values: np.ndarray, total: float) -> tuple[str, list[str]]:
    """"1 + 1 + (-2) = 0" and its terms ["1", " + 1", " + (-2)", " = 0"], cut after each number."""
    flat = np.ravel(values)
    texts = words(flat).tolist()
    parts = [fmt(float(flat[0])), *(" + " + t for t in texts[1:]), " = " + fmt(total)]
    return "".join(parts), parts
