"""Reading one layer's Keras config: typed getters that name the field they refuse.

A config comes from an uploaded file, so every value is checked for its type and range before the engine
uses it: `Options(raw, "layers.3")` then `opts.int("filters", lo=1)` raises
EngineError("layers.3.filters", "must be an integer from 1 to 1000000") for `"filters": "3"`.
Keras 2 and Keras 3 spell a few things differently (a kernel size 3 or [3, 3], an axis -1 or [3]); the
getters accept both.
"""

from __future__ import annotations

import math

from ..errors import EngineError
from ..limits import MAX_ABS, MODEL_MAX_DIM

_MISSING = object()


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class Options:
    """The raw config of one layer, read key by key. `keras` is the major version that wrote the file."""

    def __init__(self, raw: dict, field: str, keras: int = 3):
        if not isinstance(raw, dict):
            raise EngineError(field, "a layer's config must be an object")
        self.raw, self.field, self.keras = raw, field, keras

    def _get(self, key, default):
        value = self.raw.get(key, default)
        if value is _MISSING:
            raise EngineError(f"{self.field}.{key}", "is missing")
        return value

    def fail(self, key: str, rule: str, code: str | None = None) -> EngineError:
        return EngineError(f"{self.field}.{key}" if key else self.field, rule, code)

    def int(self, key, default=_MISSING, lo=0, hi=MODEL_MAX_DIM) -> int:
        v = self._get(key, default)
        if isinstance(v, (list, tuple)) and len(v) == 1:   # Keras writes kernel_size (3,) for Conv1D
            v = v[0]
        if not is_int(v) or not lo <= v <= hi:
            raise self.fail(key, f"must be an integer from {lo} to {hi}")
        return int(v)

    def ints(self, key, n: int, default=_MISSING, lo=0, hi=MODEL_MAX_DIM) -> tuple[int, ...]:
        """An int (repeated n times) or a list of n ints."""
        v = self._get(key, default)
        vals = [v] * n if is_int(v) else v
        if not isinstance(vals, (list, tuple)) or len(vals) != n or not all(is_int(x) and lo <= x <= hi for x in vals):
            raise self.fail(key, f"must be an integer or {n} integers from {lo} to {hi}")
        return tuple(int(x) for x in vals)

    def bool(self, key, default=_MISSING) -> bool:
        v = self._get(key, default)
        if not isinstance(v, bool):
            raise self.fail(key, "must be true or false")
        return v

    def number(self, key, default=_MISSING, lo=-MAX_ABS, hi=MAX_ABS, allow_none=False):
        v = self._get(key, default)
        if v is None and allow_none:
            return None
        if not is_number(v) or not lo <= v <= hi:
            raise self.fail(key, f"must be a number from {lo:g} to {hi:g}")
        return float(v)

    def choice(self, key, default, choices: tuple[str, ...]) -> str:
        v = self._get(key, default)
        if not isinstance(v, str) or v.lower() not in choices:
            raise self.fail(key, f"must be one of {', '.join(repr(c) for c in choices)}; got {str(v)[:40]!r}")
        return v.lower()

    def only(self, key, allowed: tuple, default=None, why: str = "") -> None:
        """Refuse an option whose value changes the math in a way this app does not model."""
        v = self.raw.get(key, default)
        if v not in allowed:
            shown = ", ".join(repr(a) for a in allowed)
            raise self.fail(key, f"must be {shown}{f' ({why})' if why else ''}; got {str(v)[:40]!r}",
                            code="unsupported_setting")

    def axis(self, key, default, why: str) -> int:
        """One Keras axis, an int or a list of one (Keras 2 writes [3]); several axes are a setting Keras has and
        this app does not model (why says so)."""
        v = self._get(key, default)
        if isinstance(v, (list, tuple)) and len(v) > 1 and all(is_int(a) for a in v):
            raise self.fail(key, f"must be one axis ({why}); got {str(v)[:40]!r}", code="unsupported_setting")
        return self.int(key, default, lo=-64, hi=64)

    def channels_last(self) -> None:
        self.only("data_format", (None, "channels_last"), why="this app computes channels_last, as Keras' default")



def resolve_axis(value, rank: int, field: str) -> int:
    """A Keras axis (the batch axis counted: -1 is the last axis, 1 the first axis of a sample) -> the axis of
    one sample, 0 .. rank − 1. Keras 2 writes BatchNormalization's axis as a list of one: [3]."""
    v = value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value
    if not is_int(v) or not (-rank <= v <= rank) or v == 0:
        raise EngineError(field, f"must be one axis: -1 .. -{rank} or 1 .. {rank} (0 is the batch axis)")
    return v + rank if v < 0 else v - 1
