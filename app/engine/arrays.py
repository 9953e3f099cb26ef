"""Nested JSON lists -> NumPy arrays, checked before any work is done."""

from __future__ import annotations

from itertools import chain

import numpy as np

from .errors import EngineError
from .limits import MAX_ABS

_NUMBER_TYPES = frozenset((int, float))  # exact types: bool (an int subclass) is not a number here


def _where(field: str, path: tuple[int, ...]) -> str:
    return ".".join((field, *map(str, path)))


def _shape(value, field: str, depth: int, max_depth: int, path: tuple[int, ...] = ()) -> tuple[int, ...]:
    """The shape of a nested list of numbers; the error names the item (field.i.j) and the rule. The
    field's text is only written on an error (writing it for every row was half of a 28×28 walk's time)."""
    if isinstance(value, bool) or not isinstance(value, (list, tuple, int, float)):
        raise EngineError(_where(field, path), "must be a number or a list of numbers")
    if not isinstance(value, (list, tuple)):
        return ()
    if depth >= max_depth:
        raise EngineError(field.split(".")[0], f"has more than {max_depth} dimensions")
    if len(value) == 0:
        raise EngineError(_where(field, path), "must not be empty")
    if _NUMBER_TYPES.issuperset(map(type, value)):  # a row of plain numbers (JSON's int and float): done
        return (len(value),)
    first = _shape(value[0], field, depth + 1, max_depth, (*path, 0))
    if (len(first) == 1 and all(type(item) is list and len(item) == first[0] for item in value)
            and _NUMBER_TYPES.issuperset(map(type, chain.from_iterable(value)))):
        return (len(value), *first)  # rows of plain numbers, all as long as the first: one pass in C
    for i in range(1, len(value)):
        item = value[i]
        if first == () and isinstance(item, (int, float)) and not isinstance(item, bool):
            continue  # fast path for numbers
        s = _shape(item, field, depth + 1, max_depth, (*path, i))
        if s != first:
            raise EngineError(_where(field, (*path, i)),
                              f"ragged: shape {list(s)} differs from {list(first)} of item 0")
    return (len(value), *first)


def as_array(value, field: str, ranks: tuple[int, ...], max_shape: tuple[int, ...] | None = None,
             names: str | None = None) -> np.ndarray:
    """Validate a nested list of finite numbers with one of the given ranks, and caps per axis.

    max_shape caps each axis (for the largest rank; shorter ranks use its leading entries).
    """
    shape = _shape(value, field, 0, max(ranks))
    if len(shape) not in ranks:
        want = " or ".join(f"{r}-D" for r in ranks)
        raise EngineError(field, f"must be a {want} array{f' {names}' if names else ''}; got {len(shape)}-D")
    if max_shape is not None:
        for axis, (n, cap) in enumerate(zip(shape, max_shape, strict=False)):
            if cap is not None and n > cap:
                raise EngineError(field, f"axis {axis} has {n} items; the cap is {cap}")
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise EngineError(field, "must contain only finite numbers (no NaN or Infinity)")
    if arr.size and np.max(np.abs(arr)) > MAX_ABS:
        raise EngineError(field, f"numbers must lie within ±{MAX_ABS:g}")
    return arr


def check_int(value, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EngineError(field, "must be an integer")
    if not lo <= value <= hi:
        raise EngineError(field, f"must be between {lo} and {hi}")
    return int(value)


def check_pair(value, field: str, lo: int, hi: int) -> tuple[int, int]:
    """An int or [int, int] within [lo, hi]."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise EngineError(field, "must be an integer or a pair of integers")
        return check_int(value[0], f"{field}.0", lo, hi), check_int(value[1], f"{field}.1", lo, hi)
    v = check_int(value, field, lo, hi)
    return v, v


def check_bool(value, field: str) -> bool:
    """true or false (JSON's booleans only: 0 and 1 are refused)."""
    if not isinstance(value, bool):
        raise EngineError(field, "must be true or false")
    return value


def to_list(arr: np.ndarray):
    """ndarray -> nested lists for JSON: whole numbers as ints (3, not 3.0), others as floats, -0.0 as 0."""
    a = np.asarray(arr, dtype=np.float64)
    if a.ndim == 1 and a.size <= 64:  # the many short vectors of a recurrent trace: plain Python is 20× faster
        values = a.tolist()
        if all(v.is_integer() and abs(v) < 2**53 for v in values):
            return [int(v) for v in values]
        return [v + 0.0 for v in values]
    a = a + 0.0
    if a.size and np.all(np.abs(a) < 2**53) and np.all(a == np.round(a)):
        return a.astype(np.int64).tolist()
    return a.tolist()


def to_list_or_null(arr: np.ndarray):
    """to_list, with NaN written as null (pooling's padding cells, which take no part)."""
    a = np.asarray(arr, dtype=np.float64)
    missing = np.isnan(a)
    values = to_list(np.where(missing, 0.0, a))
    if not missing.any():
        return values

    def put(v, m):
        return None if m is True else v if m is False else [put(x, y) for x, y in zip(v, m, strict=True)]

    return put(values, missing.tolist())


def rows_to_lists(arr: np.ndarray) -> list[list]:
    """[to_list(row) for row in arr] for a 2-D array, with the whole-number test done for all rows at once."""
    a = np.asarray(arr, dtype=np.float64) + 0.0
    whole = np.all((np.abs(a) < 2**53) & (a == np.round(a)), axis=1)
    floats = a.tolist()
    if not whole.any():
        return floats
    ints = np.where(whole[:, None], a, 0.0).astype(np.int64).tolist()
    return [ints[i] if w else floats[i] for i, w in enumerate(whole.tolist())]


__all__ = ["as_array", "check_bool", "check_int", "check_pair", "to_list", "to_list_or_null", "rows_to_lists",
           "MAX_ABS"]
