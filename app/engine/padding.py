"""Output sizes and padding amounts, as Keras / TensorFlow compute them.

TF 'same': out = ceil(n / s); total = max((out - 1)·s + (k - 1)·d + 1 - n, 0);
the top/left side gets total // 2 and the extra row/column goes bottom/right.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import EngineError


@dataclass(frozen=True)
class Pads:
    top: int
    bottom: int
    left: int
    right: int

    def as_dict(self) -> dict[str, int]:
        return {"top": self.top, "bottom": self.bottom, "left": self.left, "right": self.right}


def effective_size(k: int, d: int) -> int:
    """Extent of a kernel of size k with dilation d: (k - 1)·d + 1."""
    return (k - 1) * d + 1


def same_pads_1d(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    out = -(-n // s)  # ceil(n / s)
    total = max((out - 1) * s + effective_size(k, d) - n, 0)
    return total // 2, total - total // 2


def resolve_padding(padding, in_hw, kernel_hw, strides, dilation=(1, 1),
                    field: str = "padding", allowed=("valid", "same", "full", "explicit")) -> Pads:
    """Padding spec -> Pads.

    padding: "valid" | "same" | "full" | int | [[top, bottom], [left, right]]
    """
    (h, w), (kh, kw), (sh, sw), (dh, dw) = in_hw, kernel_hw, strides, dilation
    if isinstance(padding, str):
        name = padding.lower()
        if name not in allowed:
            names = ", ".join(repr(a) for a in allowed if a != "explicit")
            raise EngineError(field, f"must be one of {names}" + (
                ", an integer or [[top, bottom], [left, right]]" if "explicit" in allowed else ""))
        if name == "valid":
            return Pads(0, 0, 0, 0)
        if name == "same":
            t, b = same_pads_1d(h, kh, sh, dh)
            left, r = same_pads_1d(w, kw, sw, dw)
            return Pads(t, b, left, r)
        ph, pw = (kh - 1) * dh, (kw - 1) * dw  # full
        return Pads(ph, ph, pw, pw)
    if "explicit" not in allowed:
        raise EngineError(field, "must be 'valid' or 'same'")
    if isinstance(padding, bool):
        raise EngineError(field, "must be a padding name, an integer or [[top, bottom], [left, right]]")
    if isinstance(padding, int):
        if padding < 0:
            raise EngineError(field, "must not be negative")
        return Pads(padding, padding, padding, padding)
    ok = (isinstance(padding, (list, tuple)) and len(padding) == 2
          and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in padding)
          and all(isinstance(v, int) and not isinstance(v, bool) for p in padding for v in p))
    if not ok:
        raise EngineError(field, "must be a padding name, an integer or [[top, bottom], [left, right]]")
    (t, b), (left, r) = padding
    if min(t, b, left, r) < 0:
        raise EngineError(field, "must not be negative")
    return Pads(int(t), int(b), int(left), int(r))


def output_size(n_padded: int, k: int, s: int, d: int = 1) -> int:
    """o = ⌊(n + p_total − d·(k − 1) − 1) / s⌋ + 1, with n_padded = n + p_total (may be ≤ 0)."""
    return (n_padded - effective_size(k, d)) // s + 1
