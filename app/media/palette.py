"""The animations' colours: the pages' (static/js/lib/colors.js) in one 8-bit palette, so every frame is drawn in
palette indices and the GIF needs no colour quantising per frame.

    0        the page's white
    1..7     ink, muted text, lines, the purple window outline, padding grey, the winner's outline
    8..104   blue – white – orange for signed values: level k of 48 a side (colors.js mixes continuously;
             48 levels differ from it by at most 1% of the way)
    105..136 greys from ink to white, for the soft edges of text
The other indices stay free: Pillow's GIF writer marks unchanged pixels with one of them (transparency), so a
frame costs only what moved.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

WHITE, INK, MUTED, LINE = (255, 255, 255), (28, 28, 28), (91, 91, 91), (217, 214, 207)
PURPLE, PADDING, DARK = (123, 50, 148), (232, 232, 232), (17, 17, 17)   # colors.js highlight, padding; .arg
NEGATIVE, ZERO, POSITIVE = (33, 102, 172), (247, 247, 247), (230, 97, 1)  # colors.js PALETTE
FIXED = [WHITE, INK, MUTED, LINE, PURPLE, PADDING, DARK]
LEVELS = 48
DIVERGING0 = len(FIXED) + LEVELS          # the index of 0 on the diverging scale
GREYS = 32


def _mix(a, b, t: float) -> tuple[int, int, int]:
    """As colors.js mix: each channel rounded (JavaScript's Math.round, ⌊x + 0.5⌋)."""
    return tuple(int(np.floor(u + (v - u) * t + 0.5)) for u, v in zip(a, b, strict=True))


COLORS: list[tuple[int, int, int]] = (
    FIXED
    + [_mix(ZERO, NEGATIVE, k / LEVELS) for k in range(LEVELS, 0, -1)]
    + [ZERO]
    + [_mix(ZERO, POSITIVE, k / LEVELS) for k in range(1, LEVELS + 1)]
    + [_mix(INK, WHITE, k / (GREYS - 1)) for k in range(GREYS)]
)
INDEX = {name: i for i, name in enumerate(("white", "ink", "muted", "line", "purple", "padding", "dark"))}


def palette_image() -> Image.Image:
    """A 1×1 'P' image carrying the palette (what Image.quantize takes), unused entries black."""
    flat = [c for rgb in COLORS for c in rgb]
    image = Image.new("P", (1, 1))
    image.putpalette(flat + [0] * (768 - len(flat)))
    return image


PALETTE_IMAGE = palette_image()


def diverging_index(values: np.ndarray, max_abs: float) -> np.ndarray:
    """The palette index of each value on a scale symmetric around 0 (|value| = max_abs at full colour),
    as colors.js diverging(); NaN (a padding cell of pooling) gets the padding grey."""
    v = np.asarray(values, dtype=float)
    m = np.zeros_like(v) if max_abs <= 0 else np.minimum(1.0, np.abs(np.nan_to_num(v)) / max_abs)
    level = np.floor(m * LEVELS + 0.5).astype(int) * np.sign(np.nan_to_num(v)).astype(int)
    return np.where(np.isnan(v), INDEX["padding"], DIVERGING0 + level)


def text_on(index: int) -> tuple[int, int, int]:
    """Dark or white text on a palette colour, as colors.js textOn."""
    r, g, b = COLORS[index]
    return DARK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else WHITE
