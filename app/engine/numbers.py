"""How numbers are written in formulas: 3, 1.5, (-2), 0.3333."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=8192)
def fmt(x: float, digits: int = 4) -> str:
    """Short, exact-looking text for a number: integers without a decimal point,
    others rounded to `digits` decimals with trailing zeros dropped."""
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e7 or abs(x) < 10 ** -digits:
        return f"{x:.{digits}g}"
    if x.is_integer():
        return str(int(x))
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=8192)
def term(x: float) -> str:
    """A factor inside a product: negatives in parentheses, as written by hand."""
    text = fmt(x)
    return f"({text})" if text.startswith("-") else text


def words(a, write=None, prefix: str = "") -> np.ndarray:
    """Every number of `a` written out (`term` by default) as an object array of the same shape, each
    distinct value written once. Object arrays add elementwise, so whole formulas are built for every
    cell or time step at once: `words(x) + words(w, prefix="×")` gives "3×(-2)" everywhere."""
    write = write or term
    a = np.asarray(a, dtype=np.float64)
    values, where = np.unique(a, return_inverse=True)
    texts = np.array([prefix + write(v) for v in values.tolist()], dtype=object)
    return texts[where.reshape(a.shape)]


def finite_or_raise(arr, field: str, what: str = "result") -> None:
    from .errors import EngineError

    if not np.all(np.isfinite(arr)):
        raise EngineError(field, f"the {what} overflows: values too large to compute")


__all__ = ["fmt", "term", "words", "finite_or_raise"]
