"""Text for the frames: two bundled fonts (app/media/fonts, see LICENSES.md there), a line drawn run by run (CJK
characters with the CJK subset, everything else with the Latin one), and tiles of text made once, quantised to
the palette once, and pasted as often as needed.

Cells show a number rounded to what the cell can hold (`fit_number`): the engine's writer (`numbers.fmt`) with
4, 3, 2, 1, 0 decimals, then scientific notation, else no text (the colour still shows the value).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.engine.numbers import fmt

from .palette import COLORS, PALETTE_IMAGE, WHITE

PALETTE_RGB = np.array(COLORS, dtype=np.int32)

FONTS = Path(__file__).resolve().parent / "fonts"
CJK_FROM = 0x2E80   # CJK radicals, punctuation, ideographs, full-width forms: the CJK font


@lru_cache(maxsize=64)
def font(size: int, cjk: bool = False) -> ImageFont.FreeTypeFont:
    path = FONTS / ("cjk.otf" if cjk else "latin.ttf")
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def runs(text: str) -> list[tuple[str, bool]]:
    """The text cut where it changes between Latin and CJK characters: [(run, is_cjk), ...]."""
    out: list[tuple[str, bool]] = []
    for ch in text:
        cjk = ord(ch) >= CJK_FROM
        if out and out[-1][1] == cjk:
            out[-1] = (out[-1][0] + ch, cjk)
        else:
            out.append((ch, cjk))
    return out


@lru_cache(maxsize=8192)
def width(text: str, size: int) -> int:
    return int(round(sum(font(size, cjk).getlength(run) for run, cjk in runs(text))))


def line_height(size: int) -> int:
    return int(round(size * 1.3))


def draw_text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill) -> None:
    """Text with its top-left corner at xy (the line's box: ascent at size, as line_height)."""
    x, y = xy
    baseline = y + int(round(size * 1.0))
    for run, cjk in runs(text):
        f = font(size, cjk)
        draw.text((x, baseline), run, font=f, fill=fill, anchor="ls")
        x += f.getlength(run)


@lru_cache(maxsize=4096)
def text_tile(text: str, size: int, fill=(28, 28, 28), background=WHITE, pad: int = 0) -> Image.Image:
    """A line of text on a solid background as a palette ('P') tile."""
    w, h = width(text, size) + 2 * pad + 2, line_height(size)
    image = Image.new("RGB", (max(1, w), h), background)
    draw_text(ImageDraw.Draw(image), (pad + 1, 0), text, size, fill)
    return quantize(image)


_NEAREST: dict[int, int] = {}      # 0xRRGGBB -> palette index, filled as colours turn up


def quantize(image: Image.Image) -> Image.Image:
    """RGB -> the palette's indices: each colour to the nearest palette colour, exactly to itself when it is one
    (Pillow's own quantiser works on 5-bit boxes and may move a fill to its neighbour)."""
    rgb = np.asarray(image, dtype=np.int32)
    keys = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    colors, where = np.unique(keys, return_inverse=True)
    new = [int(c) for c in colors.tolist() if c not in _NEAREST]
    if new:
        c = np.array(new)[:, None]
        want = np.concatenate([(c >> 16) & 255, (c >> 8) & 255, c & 255], axis=1)           # (new, 3)
        d = ((want[:, None, :] - PALETTE_RGB[None, :, :]) ** 2).sum(axis=2)                 # (new, palette)
        _NEAREST.update(zip(new, d.argmin(axis=1).tolist(), strict=True))
    index = np.array([_NEAREST[int(c)] for c in colors.tolist()], dtype=np.uint8)[where.reshape(keys.shape)]
    out = Image.fromarray(index, "P")
    out.putpalette(PALETTE_IMAGE.getpalette())
    return out


@lru_cache(maxsize=65536)
def fit_number(value: float, box: int, size: int) -> str | None:
    """The engine's text for value, rounded until it fits box pixels at this size; None when nothing fits.
    A number that is not whole is never shown as a whole one (0.9999 is not "1"): it then goes to
    scientific notation or shows no text."""
    whole = float(value).is_integer()
    tried = [fmt(value, d) for d in (4, 3, 2, 1)] + ([fmt(value, 0)] if abs(value) >= 1 else [])
    tried += [f"{value:.1e}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")]
    for text in tried:
        if not whole and not any(ch in text for ch in ".e"):
            continue
        if width(text, size) <= box:
            return text
    return None


def words_width(words: list[str], size: int) -> int:
    """The width of words joined by single spaces, from each word's width (each measured once)."""
    return sum(width(w, size) for w in words) + (len(words) - 1) * width(" ", size) if words else 0


def paste_words(image: Image.Image, xy, text: str, size: int, fill=(28, 28, 28)) -> None:
    """A line pasted word by word from cached tiles (a formula's words recur from frame to frame)."""
    x, y = xy
    space = width(" ", size)
    for word in text.split(" "):
        if word:
            image.paste(text_tile(word, size, fill), (x - 1, y))
        x += width(word, size) + space
