"""The frames of a window trace, one per shown step, drawn in palette indices (app/media/palette.py).

    ┌──────────────────────────────────────────────────────────────────────────┐
    │ Conv2D · Step 6 of 16 · a₁₁ = 19                                          │
    │ (a note when steps are sampled or the trace was cut)                       │
    │ Padded input            Window × kernel = products         Output          │
    │ ▦▦▦▦▦▦ (the window       ▦▦▦ (each product, x×w above      ▦▦▦▦ (filled    │
    │ outlined in purple,       it when the cell has room)        cell by cell,  │
    │ ×weight in its cells)                                       the current    │
    │                                                             one outlined)  │
    │ (0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19 │
    └──────────────────────────────────────────────────────────────────────────┘

Pooling shows the step's channel, the window's values (padding grey, the winner of a max outlined in black) and
the formula. A static picture (labels, the input, the output filled so far) is drawn once and updated as steps
pass; a frame is a copy of it with the moving parts pasted on. Cells are tiles made once per (colour, text).
`measure` gives a frame's size before anything is drawn, so the caps are checked first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from app.engine.errors import EngineError
from app.engine.formulas import sub
from app.engine.limits import ANIM_MAX_FRAME_PIXELS, ANIM_MAX_SIDE, ANIM_MAX_TEXT
from app.engine.numbers import fmt

from .palette import COLORS, INDEX, INK, LINE, MUTED, diverging_index, text_on
from .scene import Scene
from .strings import text as say
from .text import draw_text, fit_number, line_height, paste_words, quantize, text_tile, width, words_width

MARGIN, GAP, TILE_GAP = 16, 28, 10
CELLS = (48, 44, 40, 36, 32, 28, 24, 20, 16, 14, 12, 10, 8, 6, 5, 4)   # cell sides tried, largest first
TARGET = (1280, 720)          # a slide; smaller inputs give smaller frames, larger ones smaller cells
PRODUCTS_BOX = (420, 440)     # the products' (or pooling window's) panel at most
TITLE, NOTE, LABEL, CAPTION, FORMULA = 20, 14, 15, 12, 17
FORMULA_LINES = 3
PER_ROW = 4                   # channel grids side by side


def tiled(count: int, rows: int, cols: int, cell: int, captions: bool) -> tuple[int, int]:
    """The size of `count` grids of rows × cols cells, PER_ROW to a row, each with a caption line when captioned."""
    per_row = min(count, PER_ROW)
    lines = math.ceil(count / per_row)
    cap = line_height(CAPTION) if captions else 0
    return (per_row * cols * cell + (per_row - 1) * TILE_GAP + 1,
            lines * (rows * cell + cap + 1) + (lines - 1) * TILE_GAP)


def origins(count: int, rows: int, cols: int, cell: int, captions: bool, x0: int, y0: int) -> list[tuple[int, int]]:
    """Top-left corner of each grid (below its caption)."""
    cap = line_height(CAPTION) if captions else 0
    out = []
    for k in range(count):
        r, c = divmod(k, PER_ROW)
        out.append((x0 + c * (cols * cell + TILE_GAP), y0 + r * (rows * cell + cap + 1 + TILE_GAP) + cap))
    return out


@dataclass
class Layout:
    width: int
    height: int
    cell: int                 # input and output cells
    pcell: int                # products (pooling: the window's values)
    header: int               # title (+ note) height
    panels_y: int             # the panels' labels
    grids_y: int              # the grids
    inputs: list              # origins of the input grids (one per channel shown)
    products: list            # origins of the products' grids (one per channel; pooling: one)
    output: tuple             # origin of the output grid
    x_products: int
    x_output: int
    formula_y: int


def measure(scene: Scene, lang: str, note: bool, frames: int = 1, budget: int | None = None) -> Layout:
    """The layout at the largest cell side whose frame fits TARGET and whose `frames` frames together stay within
    `budget` pixels; at the smallest cell side, EngineError if a frame breaks the caps (the caller checks the
    budget again: it is a cap too)."""
    hp, wp, c = scene.grid.shape
    kh, kw = scene.window_hw
    oh, ow, _ = scene.out_shape
    shown = c if scene.all_channels else 1
    prods = c if scene.kind == "conv" else 1
    pcell = next((s for s in CELLS if s <= 56 and all(
        a <= b for a, b in zip(tiled(prods, kh, kw, s, prods > 1), PRODUCTS_BOX, strict=True))), CELLS[-1])
    header = MARGIN + line_height(TITLE) + (line_height(NOTE) if note else 0) + 8
    label_h = line_height(LABEL) + 4
    mid = say(lang, "products" if scene.kind == "conv" else "window")
    labels = [width(say(lang, "padded"), LABEL), width(mid, LABEL), width(say(lang, "output") + " · 00", LABEL)]
    formula_h = FORMULA_LINES * line_height(FORMULA)
    size = None
    for cell in CELLS:
        in_w, in_h = tiled(shown, hp, wp, cell, shown > 1 or scene.grid.shape[2] > 1)
        pr_w, pr_h = tiled(prods, kh, kw, pcell, prods > 1)
        out_w, out_h = ow * cell + 1, oh * cell + 1
        cols = [max(in_w, labels[0]), max(pr_w, labels[1]), max(out_w, labels[2])]
        w = max(640, 2 * MARGIN + sum(cols) + 2 * GAP)
        h = header + label_h + max(in_h, pr_h, out_h) + 14 + formula_h + MARGIN
        size = (cell, cols, w, h, in_h)
        if w <= TARGET[0] and h <= TARGET[1] and (budget is None or frames * w * h <= budget):
            break
    cell, cols, w, h, _ = size
    if w > ANIM_MAX_SIDE or h > ANIM_MAX_SIDE or w * h > ANIM_MAX_FRAME_PIXELS:
        raise EngineError("input", f"too large to animate: a frame would be {w}×{h} pixels even with "
                          f"{cell}-pixel cells; the cap is {ANIM_MAX_SIDE} pixels a side and "
                          f"{ANIM_MAX_FRAME_PIXELS:,} pixels a frame", code="animation_too_large")
    grids_y = header + label_h
    x_products = MARGIN + cols[0] + GAP
    x_output = x_products + cols[1] + GAP
    captions = shown > 1 or scene.grid.shape[2] > 1
    body = max(tiled(shown, hp, wp, cell, captions)[1], tiled(prods, kh, kw, pcell, prods > 1)[1], oh * cell + 1)
    return Layout(w, h, cell, pcell, header, header, grids_y,
                  origins(shown, hp, wp, cell, captions, MARGIN, grids_y),
                  origins(prods, kh, kw, pcell, prods > 1, x_products, grids_y),
                  (x_output, grids_y), x_products, x_output, grids_y + body + 14)


# ---- tiles ---------------------------------------------------------------------------------------------

def number_size(cell: int) -> int:
    return max(9, min(17, round(cell * 0.36)))


MIN_TEXT_CELL = 20            # smaller cells show their colour only


def cell_tile(cell: int, color: int, value: float | None, small: str | None = None, muted: bool = False) -> Image.Image:
    """A cell: its colour, a 1-pixel line on its top and left, the number centred (if it fits), and a small
    label in its lower right corner (×weight) when given."""
    size = number_size(cell) if small is None else max(9, number_size(cell) - 2)
    text = fit_number(value, cell - 4, size) if value is not None and cell >= MIN_TEXT_CELL else None
    return _cell_tile(cell, color, text, size, small, muted)


@lru_cache(maxsize=32768)
def _cell_tile(cell: int, color: int, text: str | None, size: int, small: str | None, muted: bool) -> Image.Image:
    image = Image.new("RGB", (cell, cell), COLORS[color])
    draw = ImageDraw.Draw(image)
    draw.line([(0, 0), (cell - 1, 0)], fill=LINE)
    draw.line([(0, 0), (0, cell - 1)], fill=LINE)
    ink = MUTED if muted else text_on(color)
    if text is not None:
        top = (cell - line_height(size)) // 2 - (3 if small else 0)
        draw_text(draw, ((cell - width(text, size)) // 2, top), text, size, ink)
    if small is not None:
        size = max(8, round(cell * 0.24))
        if width(small, size) <= cell - 3:
            draw_text(draw, (cell - width(small, size) - 2, cell - line_height(size)), small, size, ink)
    return quantize(image)


def product_tile(cell: int, color: int, value: float, factors: str | None) -> Image.Image:
    """A product: its value, and "x×w" above it when the cell has room."""
    size = number_size(cell)
    small = max(9, round(cell * 0.22))
    show_factors = factors is not None and cell >= 44 and width(factors, small) <= cell - 4
    text = fit_number(value, cell - 4, size) if cell >= MIN_TEXT_CELL else None
    return _product_tile(cell, color, text, size, factors if show_factors else None, small)


@lru_cache(maxsize=8192)
def _product_tile(cell: int, color: int, text: str | None, size: int, factors: str | None, small: int) -> Image.Image:
    image = Image.new("RGB", (cell, cell), COLORS[color])
    draw = ImageDraw.Draw(image)
    draw.line([(0, 0), (cell - 1, 0)], fill=LINE)
    draw.line([(0, 0), (0, cell - 1)], fill=LINE)
    ink = text_on(color)
    show_factors = factors is not None
    if show_factors:
        draw_text(draw, ((cell - width(factors, small)) // 2, 3), factors, small, ink)
    if text is not None:
        top = (cell - line_height(size)) // 2 + (6 if show_factors else 0)
        draw_text(draw, ((cell - width(text, size)) // 2, top), text, size, ink)
    return quantize(image)


def outline(draw: ImageDraw.ImageDraw, x: int, y: int, cell: int, color: int, thickness: int) -> None:
    for t in range(thickness):
        draw.rectangle([x + t, y + t, x + cell - 1 - t, y + cell - 1 - t], outline=color)


def close_grid(draw: ImageDraw.ImageDraw, x: int, y: int, rows: int, cols: int, cell: int) -> None:
    """The right and bottom lines of a grid of tiles (each tile draws its top and left)."""
    line = COLORS.index(LINE)
    draw.line([(x + cols * cell, y), (x + cols * cell, y + rows * cell)], fill=line)
    draw.line([(x, y + rows * cell), (x + cols * cell, y + rows * cell)], fill=line)


# ---- text --------------------------------------------------------------------------------------------

def wrap(text: str, size: int, room: int, lines: int) -> list[str]:
    """Greedy word wrap into at most `lines` lines; when the text is longer, the last line ends with
    " … = <result>" (the formula's own last number: what follows its last " = ")."""
    words = text[:ANIM_MAX_TEXT * 4].split(" ")
    out: list[list[str]] = [[]]
    for word in words:
        if not out[-1] or words_width(out[-1] + [word], size) <= room:
            out[-1].append(word)
            continue
        if len(out) == lines:
            tail = ["…", "="] + (text.rsplit(" = ", 1)[-1].split(" ") if " = " in text else [])
            last = out[-1]
            while last and words_width(last + tail, size) > room:
                last = last[:-1]
            out[-1] = last + tail
            break
        out.append([word])
    return [" ".join(line) for line in out]


def cell_name(i: int, j: int) -> str:
    """a₁₁ as the lecture writes an output cell (0-based); a₁₀,₃ once an index has two digits."""
    return f"a{sub(i)}{',' if i > 9 or j > 9 else ''}{sub(j)}"


# ---- the frames --------------------------------------------------------------------------------------

class Painter:
    """Draws the frames of one scene, step after step, on one evolving static picture."""

    def __init__(self, scene: Scene, layout: Layout, lang: str, note: str | None):
        self.s, self.l, self.lang, self.note = scene, layout, lang, note
        finite = scene.grid[~np.isnan(scene.grid)]
        self.in_max = float(np.abs(finite).max()) if finite.size else 0.0
        self.in_colors = diverging_index(scene.grid, self.in_max)            # (Hp, Wp, C)
        self.base = Image.new("P", (layout.width, layout.height), INDEX["white"])
        self.base.putpalette(self._palette())
        self.plane = None                 # the output plane (and pooling's channel) on the static picture
        self.filled = -1                  # steps whose output cell is on the static picture
        self._labels()

    @staticmethod
    def _palette() -> list[int]:
        flat = [c for rgb in COLORS for c in rgb]
        return flat + [0] * (768 - len(flat))

    def _paste_text(self, image: Image.Image, xy, text: str, size: int, fill=INK) -> None:
        if text:
            image.paste(text_tile(text, size, fill), xy)

    def _paste_line(self, image: Image.Image, xy, text: str, size: int) -> None:
        """A line that changes every frame, pasted word by word (each word drawn once)."""
        image.paste(INDEX["white"], (xy[0], xy[1], self.l.width - MARGIN, xy[1] + line_height(size)))
        paste_words(image, xy, text, size)

    def _labels(self) -> None:
        s, lay = self.s, self.l
        mid = say(self.lang, "products" if s.kind == "conv" else "window")
        self._paste_text(self.base, (MARGIN, lay.panels_y), say(self.lang, "padded"), LABEL)
        self._paste_text(self.base, (lay.x_products, lay.panels_y), mid, LABEL)
        if self.note:
            self._paste_text(self.base, (MARGIN, MARGIN + line_height(TITLE)), self.note, NOTE, MUTED)
        draw = ImageDraw.Draw(self.base)
        if s.all_channels:
            for c in range(s.channels):
                self._input_grid(c, c, draw)

    def _caption(self, image: Image.Image, origin, text: str) -> None:
        x, y = origin
        self._paste_text(image, (x, y - line_height(CAPTION)), text, CAPTION, MUTED)

    def _input_grid(self, channel: int, slot: int, draw: ImageDraw.ImageDraw) -> None:
        s, cell = self.s, self.l.cell
        x0, y0 = self.l.inputs[slot]
        if s.channels > 1:
            self.base.paste(Image.new("P", (200, line_height(CAPTION)), INDEX["white"]),
                            (x0, y0 - line_height(CAPTION)))
            self._caption(self.base, (x0, y0), say(self.lang, "channel", n=channel + 1))
        hp, wp = s.pad.shape
        for r in range(hp):
            for q in range(wp):
                self.base.paste(self._input_tile(r, q, channel), (x0 + q * cell, y0 + r * cell))
        close_grid(draw, x0, y0, hp, wp, cell)

    def _input_tile(self, r: int, q: int, channel: int, small: str | None = None) -> Image.Image:
        s = self.s
        v = s.grid[r, q, channel]
        if s.pad[r, q]:
            return cell_tile(self.l.cell, INDEX["padding"], None if np.isnan(v) else float(v), small, muted=True)
        return cell_tile(self.l.cell, int(self.in_colors[r, q, channel]), float(v), small)

    def _output_grid(self, plane: int) -> None:
        s, cell = self.s, self.l.cell
        x0, y0 = self.l.output
        oh, ow, n = s.out_shape
        label = say(self.lang, "output") + (" · " + say(self.lang, "filter" if s.kind == "conv" else "channel",
                                                       n=plane + 1) if n > 1 else "")
        self.base.paste(Image.new("P", (self.l.width - self.l.x_output, line_height(LABEL)), INDEX["white"]),
                        (self.l.x_output, self.l.panels_y))
        self._paste_text(self.base, (self.l.x_output, self.l.panels_y), label, LABEL)
        blank = cell_tile(cell, INDEX["white"], None)
        for i in range(oh):
            for j in range(ow):
                self.base.paste(blank, (x0 + j * cell, y0 + i * cell))
        close_grid(ImageDraw.Draw(self.base), x0, y0, oh, ow, cell)

    def _fill_output(self, upto: int) -> None:
        """Every step's output cell up to `upto` on the static picture (a new plane starts empty)."""
        s, cell = self.s, self.l.cell
        x0, y0 = self.l.output
        for k in range(self.filled + 1, upto + 1):
            st = s.steps[k]
            plane = s.plane(st)
            if plane != self.plane:
                self.plane = plane
                self._output_grid(plane)
                if not s.all_channels:
                    self._input_grid(plane, 0, ImageDraw.Draw(self.base))
            i, j = st["index"][:2]
            color = int(diverging_index(np.array([st["value"]]), s.out_max)[0])
            self.base.paste(cell_tile(cell, color, float(st["value"])), (x0 + j * cell, y0 + i * cell))
        self.filled = max(self.filled, upto)

    def frame(self, k: int) -> Image.Image:
        """The frame of step k."""
        s, lay, cell = self.s, self.l, self.l.cell
        st = s.steps[k]
        self._fill_output(k)
        image = self.base.copy()
        draw = ImageDraw.Draw(image)
        kh, kw = s.window_hw
        plane = s.plane(st)
        slots = range(s.channels) if s.all_channels else [0]
        channels = range(s.channels) if s.all_channels else [plane]
        winner = tuple(st["argmax"]) if st.get("argmax") else None
        for slot, channel in zip(slots, channels, strict=True):
            x0, y0 = lay.inputs[slot]
            for n, (r, q) in enumerate(st["window"]):
                small = None
                if s.kind == "conv" and cell >= 34:
                    w = st["weights"][n // kw][n % kw]
                    small = "×" + fit_weight(w[channel] if isinstance(w, list) else w)
                image.paste(self._input_tile(r, q, channel, small), (x0 + q * cell, y0 + r * cell))
                outline(draw, x0 + q * cell, y0 + r * cell, cell, INDEX["purple"], 2 if cell >= 12 else 1)
            if winner is not None:
                outline(draw, x0 + winner[1] * cell, y0 + winner[0] * cell, cell, INDEX["dark"], 3 if cell >= 12 else 1)
        self._middle(image, draw, st)
        i, j = st["index"][:2]
        ox, oy = lay.output
        outline(draw, ox + j * cell, oy + i * cell, cell, INDEX["purple"], 3 if cell >= 12 else 1)
        title = " · ".join([say(self.lang, "conv" if s.kind == "conv" else s.kind),
                            say(self.lang, "step", i=k + 1, n=s.total),
                            cell_name(i, j) + " = " + st["formula"].rsplit(" = ", 1)[-1]])
        self._paste_line(image, (MARGIN, MARGIN), title, TITLE)
        formula = st["formula"] + ("   " + st["activation_formula"] if st.get("activation_formula") else "")
        for n, line in enumerate(wrap(formula, FORMULA, lay.width - 2 * MARGIN, FORMULA_LINES)):
            self._paste_line(image, (MARGIN, lay.formula_y + n * line_height(FORMULA)), line, FORMULA)
        return image

    def _middle(self, image: Image.Image, draw: ImageDraw.ImageDraw, st: dict) -> None:
        """The products (conv) or the window's values (pooling)."""
        s, pc = self.s, self.l.pcell
        kh, kw = s.window_hw
        if s.kind == "conv":
            products = np.asarray(st["products"], dtype=float).reshape(kh, kw, -1)
            inputs = np.asarray(st["inputs"], dtype=float).reshape(kh, kw, -1)
            weights = np.asarray(st["weights"], dtype=float).reshape(kh, kw, -1)
            top = float(np.abs(products).max())
            colors = diverging_index(products, top)
            for c, (x0, y0) in enumerate(self.l.products):
                if products.shape[2] > 1:
                    self._caption(image, (x0, y0), say(self.lang, "channel", n=c + 1))
                for a in range(kh):
                    for b in range(kw):
                        factors = fit_weight(inputs[a, b, c]) + "×" + fit_weight(weights[a, b, c])
                        image.paste(product_tile(pc, int(colors[a, b, c]), float(products[a, b, c]), factors),
                                    (x0 + b * pc, y0 + a * pc))
                close_grid(draw, x0, y0, kh, kw, pc)
            return
        x0, y0 = self.l.products[0]
        winner = tuple(st["argmax"]) if st.get("argmax") else None
        for n, v in enumerate(st["inputs"]):
            a, b = divmod(n, kw)
            if v is None:
                tile = cell_tile(pc, INDEX["padding"], None)
            else:
                tile = cell_tile(pc, int(diverging_index(np.array([v]), self.in_max)[0]), float(v))
            image.paste(tile, (x0 + b * pc, y0 + a * pc))
            if winner is not None and tuple(st["window"][n]) == winner:
                outline(draw, x0 + b * pc, y0 + a * pc, pc, INDEX["dark"], 3)
        close_grid(draw, x0, y0, kh, kw, pc)
        count = say(self.lang, "real_cells", n=st["count"], k=kh * kw)
        self._paste_text(image, (x0, y0 + kh * pc + 6), count, CAPTION, MUTED)


def fit_weight(v: float) -> str:
    """A weight or input written short: the engine's writer with 2 decimals at most, negatives in parentheses."""
    text = fmt(float(v), 2)
    return f"({text})" if text.startswith("-") else text


__all__ = ["Layout", "Painter", "measure", "wrap", "cell_name"]
