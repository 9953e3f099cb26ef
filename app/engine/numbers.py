"""How numbers are written in formulas: 3, 1.5, (-2), 0.3333."""

from __future__ import annotations

from functools import lru_cache


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


def finite_or_raise(arr, field: str, what: str = "result") -> None:
    import numpy as np

    from .errors import EngineError

    if not np.all(np.isfinite(arr)):
        raise EngineError(field, f"the {what} overflows: values too large to compute")


__all__ = ["fmt", "term", "finite_or_raise"]
