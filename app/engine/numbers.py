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


def fmt_array(values: np.ndarray) -> np.ndarray:
    """[fmt(v) for v in values] as an object array, the same text, without fmt's per-call work: formulas
    with fresh numbers (an LSTM over random inputs writes ~1,700 of them) spent most of their time there.
    The cases are sorted out with NumPy; whole numbers and ordinary decimals are written in one pass each,
    the rest (zero, |x| ≥ 1e7, |x| < 1e-4) by fmt itself."""
    x = np.asarray(values, dtype=np.float64).ravel()
    out = np.empty(x.size, dtype=object)
    ax = np.abs(x)
    whole = (x == np.trunc(x)) & (ax < 1e7)
    decimal = ~whole & (ax >= 1e-4) & (ax < 1e7)
    if whole.any():
        out[whole] = [str(v) for v in x[whole].astype(np.int64).tolist()]
    if decimal.any():  # as fmt: 4 decimals, trailing zeros dropped ("2.50000" -> "2.5", "3.0000" -> "3")
        out[decimal] = [f"{v:.4f}".rstrip("0").rstrip(".") for v in x[decimal].tolist()]
    rest = ~(whole | decimal)
    if rest.any():
        out[rest] = [fmt(v) for v in x[rest].tolist()]
    return out


def _as_terms(values: np.ndarray, fmt_texts: np.ndarray) -> np.ndarray:
    """term's texts from fmt's: negatives (not written as 0) in parentheses."""
    texts = fmt_texts.copy()
    negative = (np.asarray(values, dtype=np.float64).ravel() < 0) & (fmt_texts != "0")
    texts[negative] = "(" + texts[negative] + ")"
    return texts


def term_array(values: np.ndarray) -> np.ndarray:
    """[term(v) for v in values]: negatives in parentheses."""
    return _as_terms(values, fmt_array(values))


def words(a, write=None, prefix: str = "") -> np.ndarray:
    """Every number of `a` written out (`term` by default) as an object array of the same shape, each
    distinct value written once. Object arrays add elementwise, so whole formulas are built for every
    cell or time step at once: `words(x) + words(w, prefix="×")` gives "3×(-2)" everywhere."""
    write = write or term
    a = np.asarray(a, dtype=np.float64)
    values, where = np.unique(a, return_inverse=True)
    if write is term:
        texts = term_array(values)
    elif write is fmt:
        texts = fmt_array(values)
    else:
        texts = np.array([write(v) for v in values.tolist()], dtype=object)
    if prefix:
        texts = prefix + texts
    return texts[where.reshape(a.shape)]


class Writer:
    """The numbers of one trace, each distinct value written once (fmt and term), then looked up by value:
    a formula writer asks for the same gate values and states several times."""

    def __init__(self, *arrays):
        flat = [np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays if a is not None]
        self.values = np.unique(np.concatenate(flat)) if flat else np.zeros(0)
        self.fmt_texts = fmt_array(self.values)
        self.term_texts = _as_terms(self.values, self.fmt_texts)

    def _at(self, a) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64)
        where = np.searchsorted(self.values, a)
        if a.size and not np.array_equal(self.values[np.minimum(where, self.values.size - 1)], a):
            raise ValueError("Writer asked for a number it was not given")
        return where

    def fmt(self, a) -> np.ndarray:
        return self.fmt_texts[self._at(a)]

    def term(self, a, prefix: str = "") -> np.ndarray:
        texts = self.term_texts[self._at(a)]
        return prefix + texts if prefix else texts


def finite_or_raise(arr, field: str, what: str = "result") -> None:
    from .errors import EngineError

    if not np.all(np.isfinite(arr)):
        raise EngineError(field, f"the {what} overflows: values too large to compute")


__all__ = ["fmt", "term", "fmt_array", "term_array", "words", "Writer", "finite_or_raise"]
