"""Numbers -> colours, for showing a filtered picture. The mapping travels with the pixels, so a page can
draw the legend and say exactly which value became which colour.

    gray       0 -> black, 1 -> white; values outside 0..1 are clipped (counted in "clipped")
    normalize  the output's min -> black, its max -> white
    diverging  −m -> blue, 0 -> white, +m -> orange (one channel; blue–white–orange as
               static/js/lib/colors.js, after ColorBrewer PuOr / Okabe–Ito: safe for colour-blind readers),
               in 127 steps a side, so that the picture is one byte a pixel with a 256-colour palette
    signed     for several channels, where one colour per sign is impossible: 0 -> mid grey (128),
               −m -> 0 and +m -> 255 in every channel
    For both, m is the 99th percentile of |value| over all channels (the nearest value that occurs; the
    largest |value| when that is 0): a few very strong edges would otherwise wash every other edge out to
    white. Values beyond ±m take the end colours and are counted in "clipped".

Channels: one channel is drawn in grey (or the diverging colours); two or three channels (a picture filtered
per colour, or a kernel with 2 or 3 filters) become red, green (and blue) in that order, each mapped alike.
Levels are rounded as JavaScript's Math.round does (⌊x + 0.5⌋), so a page colouring the same numbers agrees.
One channel comes with its palette form (an index per pixel and 256 colours), which app/imaging/png.py
writes as an 8-bit grey or palette PNG: a third of the bytes to compress.
"""

from __future__ import annotations

import numpy as np

from .errors import EngineError

BLACK, WHITE = (0, 0, 0), (255, 255, 255)
NEGATIVE, ZERO, POSITIVE = (33, 102, 172), (247, 247, 247), (230, 97, 1)  # as static/js/lib/colors.js
DISPLAYS = ("auto", "gray", "normalize", "diverging")
STEPS = 127       # diverging: steps of colour on each side of 0
PERCENTILE = 99   # diverging and signed: the scale m is this percentile of |value|


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


def scale(y: np.ndarray) -> float:
    """The 99th percentile of |y|: the value at rank round(0.99·(n − 1)) of the sorted |values| (NumPy's
    percentile with method="nearest", by one partial sort)."""
    a = np.abs(y).ravel()
    rank = round(PERCENTILE / 100 * (a.size - 1))
    return float(np.partition(a, rank)[rank])


def _round(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5).astype(np.uint8)  # Math.round


def diverging_palette() -> np.ndarray:
    """(256, 3) uint8: entry 128 + k is k/127 of the way from white to orange, 128 − k towards blue (k ≤ 127),
    each channel rounded as colors.js' Math.round(zero + (end − zero)·t); entry 0 repeats full blue."""
    k = np.arange(128, dtype=np.float64) / 127                        # t of each step
    zero = np.array(ZERO, dtype=np.float64)
    up = _round(zero + (np.array(POSITIVE) - zero) * k[:, None])      # (128, 3): t = 0 .. 1
    down = _round(zero + (np.array(NEGATIVE) - zero) * k[:, None])
    return np.concatenate([down[127:128], down[:0:-1], up])           # [blue, −127/127 .. −1/127, 0 .. +127/127]


GREY_RAMP = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
DIVERGING = diverging_palette()


def colorize(y: np.ndarray, display: str = "auto", kernel_sums=None):
    """y (oh, ow) or (oh, ow, F ≤ 3) -> (RGB pixels uint8 (oh, ow, 3), the mapping, indexed).

    mapping: {"name": "gray" | "normalize" | "diverging" | "signed", "domain": [lo, hi] (the values at the
    first and last colour), "colors": [[r, g, b], ...] (black, white; or blue, white, orange at lo, 0, hi),
    "channels": "gray" | "rg" | "rgb", "clipped": {"below": n, "above": n}, "steps": colour steps on each
    side of 0 (diverging only, else None), "text": one line in English}
    indexed: for one channel, (index uint8 (oh, ow), palette uint8 (256, 3)) with rgb = palette[index]: a PNG
    of one byte a pixel (grey levels, or the diverging palette); None for several channels.

    diverging: m = the 99th percentile of |v| (see above), t = min(1, |v| / m), k = ⌊127·t + 0.5⌋, colour =
    Math.round(white + (end − white)·k/127) with end = blue below 0, orange above: 127 steps a side, each
    under 2 levels of any channel.
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
    m = 0.0
    if name in ("diverging", "signed"):
        m = scale(y) or max(abs(lo), abs(hi))
    clipped = {"below": int((y < -m).sum()), "above": int((y > m).sum())} if m > 0 else {"below": 0, "above": 0}
    grey = "grey" if f == 1 else "each channel"
    if name == "diverging":  # one channel
        v = planes[:, :, 0]
        k = np.zeros(v.shape, np.uint8)
        if m > 0:
            t = np.abs(v) / m                                           # t = min(1, |v| / m), k = ⌊127·t + 0.5⌋
            np.minimum(t, 1.0, out=t)
            k = _round(t * STEPS)
        index = np.where(v < 0, 128 - k, 128 + k).astype(np.uint8)     # 1..255, 128 = zero
        mapping = {"name": name, "domain": [-m, m], "colors": [list(NEGATIVE), list(ZERO), list(POSITIVE)],
                   "channels": "gray", "clipped": clipped, "steps": STEPS,
                   "text": f"{-m:.4g} → blue, 0 → white, {m:.4g} → orange"
                           + (" (beyond: full colour)" if any(clipped.values()) else "")}
        return DIVERGING.take(index, axis=0), mapping, (index, DIVERGING)
    if name == "gray":
        domain, colors = [0.0, 1.0], [list(BLACK), list(WHITE)]
        clipped = {"below": int((y < 0).sum()), "above": int((y > 1).sum())}
        levels = _round(np.clip(planes, 0.0, 1.0) * 255)
        text = f"{grey}: 0 → black, 1 → white" + (" (values outside 0..1 clipped)" if any(clipped.values()) else "")
    elif name == "normalize":
        domain, colors = [lo, hi], [list(BLACK), list(WHITE)]
        levels = _round((planes - lo) / (hi - lo) * 255) if hi > lo else np.zeros(planes.shape, np.uint8)
        text = f"{grey}: {lo:.4g} (the smallest value) → black, {hi:.4g} (the largest) → white"
    else:  # signed: several channels
        domain, colors = [-m, m], [list(BLACK), [128, 128, 128], list(WHITE)]
        levels = _round(np.clip(0.5 + planes / (2 * m), 0.0, 1.0) * 255) if m > 0 else np.full(
            planes.shape, 128, np.uint8)
        text = f"{grey}: {-m:.4g} → 0, 0 → 128, {m:.4g} → 255"
    if f == 1:
        rgb, indexed = np.repeat(levels, 3, axis=2), (levels[:, :, 0], GREY_RAMP)
    else:
        rgb, indexed = np.zeros((*planes.shape[:2], 3), dtype=np.uint8), None
        rgb[:, :, :f] = levels
        text += "; channel 0 → red, 1 → green" + (", 2 → blue" if f == 3 else ", blue 0")
    channels = "gray" if f == 1 else "rg" if f == 2 else "rgb"
    return rgb, {"name": name, "domain": domain, "colors": colors, "channels": channels, "clipped": clipped,
                 "steps": None, "text": text}, indexed
