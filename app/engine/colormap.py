"""Numbers -> colours, for showing a filtered picture. The mapping travels with the pixels, so a page can
draw the legend and say exactly which value became which colour.

    gray       0 -> black, 1 -> white; values outside 0..1 are clipped (counted in "clipped")
    normalize  the output's min -> black, its max -> white
    diverging  −m -> blue, 0 -> white, +m -> orange, m = max |value| (one channel; blue–white–orange as
               static/js/lib/colors.js, after ColorBrewer PuOr / Okabe–Ito: safe for colour-blind readers)
    signed     for several channels, where one colour per sign is impossible: 0 -> mid grey (128),
               −m -> 0 and +m -> 255 in every channel, m = max |value| over all channels

Channels: one channel is drawn in grey (or the diverging colours); two or three channels (a picture filtered
per colour, or a kernel with 2 or 3 filters) become red, green (and blue) in that order, each mapped alike.
Levels are rounded as JavaScript's Math.round does (⌊x + 0.5⌋), so a page colouring the same numbers agrees.
"""

from __future__ import annotations

import numpy as np

from .errors import EngineError

BLACK, WHITE = (0, 0, 0), (255, 255, 255)
NEGATIVE, ZERO, POSITIVE = (33, 102, 172), (247, 247, 247), (230, 97, 1)  # as static/js/lib/colors.js
DISPLAYS = ("auto", "gray", "normalize", "diverging")


def choose(y: np.ndarray, kernel_sums: np.ndarray) -> str:
    """The mapping "auto" picks.

    1. every value within 0..1 (blurs, identity): gray, the picture's own scale;
    2. every filter's weights sum to 1 (sharpen, emboss: a flat area keeps its brightness): gray, clipped,
       as a photo editor shows it;
    3. negative values (edge detectors, whose weights sum to 0): diverging (signed for several channels);
    4. otherwise (all ≥ 0, some > 1): normalize.
    """
    lo, hi = float(y.min()), float(y.max())
    if lo >= 0.0 and hi <= 1.0:
        return "gray"
    if np.all(np.abs(kernel_sums - 1.0) <= 1e-9):
        return "gray"
    if lo < 0.0:
        return "diverging"
    return "normalize"


def _round(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5).astype(np.uint8)  # Math.round


def colorize(y: np.ndarray, display: str = "auto", kernel_sums=None) -> tuple[np.ndarray, dict]:
    """y (oh, ow) or (oh, ow, F ≤ 3) -> (RGB pixels uint8 (oh, ow, 3), the mapping).

    mapping: {"name": "gray" | "normalize" | "diverging" | "signed", "domain": [lo, hi] (the values at the
    first and last colour), "colors": [[r, g, b], ...] (black, white; or blue, white, orange at lo, 0, hi),
    "channels": "gray" | "rg" | "rgb", "clipped": {"below": n, "above": n}, "text": one line in English}
    """
    if display not in DISPLAYS:
        raise EngineError("display", "must be one of " + ", ".join(DISPLAYS))
    y = np.asarray(y, dtype=np.float64)
    planes = y[:, :, None] if y.ndim == 2 else y                     # (oh, ow, F)
    f = planes.shape[2]
    name = choose(y, np.ones(1) if kernel_sums is None else np.asarray(kernel_sums)) if display == "auto" else display
    if name == "diverging" and f > 1:
        name = "signed"
    lo, hi = float(y.min()), float(y.max())
    m = max(abs(lo), abs(hi))
    clipped = {"below": 0, "above": 0}
    grey = "grey" if f == 1 else "each channel"
    if name == "gray":
        domain, colors = [0.0, 1.0], [list(BLACK), list(WHITE)]
        clipped = {"below": int((y < 0).sum()), "above": int((y > 1).sum())}
        levels = _round(np.clip(planes, 0.0, 1.0) * 255)
        text = f"{grey}: 0 → black, 1 → white" + (" (values outside 0..1 clipped)" if any(clipped.values()) else "")
    elif name == "normalize":
        domain, colors = [lo, hi], [list(BLACK), list(WHITE)]
        levels = _round((planes - lo) / (hi - lo) * 255) if hi > lo else np.zeros(planes.shape, np.uint8)
        text = f"{grey}: {lo:.4g} (the smallest value) → black, {hi:.4g} (the largest) → white"
    elif name == "signed":
        domain, colors = [-m, m], [list(BLACK), [128, 128, 128], list(WHITE)]
        levels = _round(np.clip(0.5 + planes / (2 * m), 0.0, 1.0) * 255) if m > 0 else np.full(
            planes.shape, 128, np.uint8)
        text = f"{grey}: {-m:.4g} → 0, 0 → 128, {m:.4g} → 255"
    else:  # diverging, one channel
        domain, colors = [-m, m], [list(NEGATIVE), list(ZERO), list(POSITIVE)]
        v = planes[:, :, 0]
        t = np.minimum(1.0, np.abs(v) / m) if m > 0 else np.zeros(v.shape)
        negative = v < 0
        rgb = np.empty((*v.shape, 3), dtype=np.uint8)
        for ch in range(3):  # colors.js: Math.round(zero + (end − zero)·t), end = blue below 0, orange above
            step = np.where(negative, float(NEGATIVE[ch] - ZERO[ch]), float(POSITIVE[ch] - ZERO[ch]))
            rgb[:, :, ch] = _round(ZERO[ch] + step * t)
        return rgb, {"name": name, "domain": domain, "colors": colors, "channels": "gray", "clipped": clipped,
                     "text": f"{-m:.4g} → blue, 0 → white, {m:.4g} → orange"}
    if f == 1:
        rgb = np.repeat(levels, 3, axis=2)
    else:
        rgb = np.zeros((*planes.shape[:2], 3), dtype=np.uint8)
        rgb[:, :, :f] = levels
    channels = "gray" if f == 1 else "rg" if f == 2 else "rgb"
    if f > 1:
        text += "; channel 0 → red, 1 → green" + (", 2 → blue" if f == 3 else ", blue 0")
    return rgb, {"name": name, "domain": domain, "colors": colors, "channels": channels, "clipped": clipped,
                 "text": text}
