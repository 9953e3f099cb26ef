"""Turn a drawing into a 28×28 input the way MNIST's digits were made.

MNIST (LeCun et al.): each digit was size-normalised to fit a 20×20 box keeping its aspect ratio,
anti-aliased to grey levels, then placed in a 28×28 field so that its centre of mass sits at the
centre, (14, 14) in pixel-index coordinates. White digit (1.0) on black (0.0).

Steps here, each returned so a page can show "what the network sees":
  1. ink     - a float map, 1 = ink, 0 = paper, whatever the input's polarity (for photographed or scanned
               paper: without uneven light, grain and ruled lines)
  2. bbox    - the ink's bounding box [top, left, bottom, right) in the input's pixels; strokes
               much thinner than MNIST's (~10% of the digit's size) are thickened with a max filter
  3. box     - the cropped ink, longer side scaled to 20 px (Lanczos on floats)
  4. center_of_mass - of the box, in box pixels; the offset that moves it to (14, 14)
  5. pixels  - the final 28×28 float32
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import chain

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from app.engine import limits
from app.engine.errors import EngineError

SIZE, BOX, CENTER = 28, 20, 14.0
INK_LEVEL = 0.25  # a pixel counts as ink above this (after contrast normalisation)
MIN_CONTRAST = 0.15  # ink vs paper difference below this is "nothing drawn"
MIN_INK_FRACTION = 0.0005  # fewer ink pixels than this share of the canvas (or 3) is "nothing drawn"
MIN_PICTURE_INK = 0.0002   # the same for a picture, where a digit may fill less of the frame than on the pad
# photographed or scanned paper (ink_map)
NOISE_FLOOR = 4.0   # grain up to this many robust standard deviations of the border is paper, not ink,
PHOTO_MIN_SIDE = 64  # grain and uneven light only on pictures this large (a small digit cropped tight has its soft
#                      edge for a border, which is neither paper nor light)
OWN_PICTURE = 0.2   # opaque pixels spanning more grey levels than this hold a picture of their own
UNEVEN = 0.08       # paper whose brightness rises more than this from one corner to the opposite one is lit unevenly
BORDER_INK = 0.1    # uneven_light: a border pixel this far above the plane (or 5 grains) is ink, not paper
RULED_LEVEL = 0.1   # a ruled line: a row whose median ink is above this (it is ink all along; a digit is not),
RULED_THIN = 0.02   # in a run no thicker than this share of the picture's side (a digit's stroke is ~10% of it),
RULED_MIN = 3       # at least this many evenly spaced runs on a page,
RULED_MARGIN = 0.2  # and then a single column run this near a side is a margin line;
RULED_MIN_LENGTH = 32  # rows (or columns) shorter than this are never ruled lines
THICKNESS = 0.1  # MNIST strokes are ~2 px of the 20-px box
THIN = 0.75  # thicken strokes estimated thinner than THIN · THICKNESS · the digit's longer side
MAX_CANVAS = limits.STROKES_MAX_CANVAS
MAX_POINTS = limits.STROKES_MAX_POINTS
MAX_STROKES = limits.STROKES_MAX_STROKES


# ---- 1. ink map -------------------------------------------------------------------------------
def _as_float_channels(image):
    """PIL image or array -> (grey (H, W) 0..1, alpha (H, W) 0..1 or None)."""
    if isinstance(image, Image.Image):
        if image.mode in ("La", "RGBa"):  # premultiplied alpha: PIL converts these only to their plain forms
            image = image.convert("LA" if image.mode == "La" else "RGBA")
        elif image.mode == "LAB":  # PIL converts LAB to nothing else: its L channel is the lightness
            image = image.getchannel("L")
        has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
            image.mode == "P" and "transparency" in image.info)
        if has_alpha:
            rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255
            return _luminance(rgba[..., :3]), rgba[..., 3]
        if image.mode in ("I", "F") or image.mode.startswith("I;16"):   # I;16, I;16B, I;16L, I;16N
            a = np.asarray(image, dtype=np.float32)
            return a / (a.max() if a.max() > 1 else 1.0), None
        return np.asarray(image.convert("L"), dtype=np.float32) / 255, None
    a = np.asarray(image, dtype=np.float32)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)):
        raise EngineError("image", "must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)")
    if a.size == 0 or not np.isfinite(a).all():
        raise EngineError("image", "must be a non-empty array of finite numbers")
    if a.max() > 1.0:
        a = a / 255.0  # 0..255 data
    a = np.clip(a, 0.0, 1.0)
    if a.ndim == 2:
        return a, None
    if a.shape[2] == 1:
        return a[..., 0], None
    if a.shape[2] == 3:
        return _luminance(a), None
    return _luminance(a[..., :3]), a[..., 3]


def _luminance(rgb):
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601, as PIL's "L"


def ink_map(image):
    """-> (ink (H, W) float32 with paper 0 and the strongest ink 1, polarity, contrast).

    polarity: "alpha" (a transparent canvas: ink is wherever it is opaque; or clear ink on opaque paper),
    "dark-on-light" or
    "light-on-dark" (the paper is the median of the border pixels).
    Photographed or scanned paper: light falling unevenly across it is taken out (`uneven_light`: a plane through the
    border, when the whole border lies on it), and grain on it (the border's noise, `grain`) is not counted as ink up
    to NOISE_FLOOR times its standard deviation; the lines of ruled or squared paper are taken out
    (`without_ruled_lines`). Clean paper, evenly lit, keeps the plain rule's numbers. A picture with clear corners
    whose opaque part holds a picture of its own is read from its colours on white, not from its alpha.
    """
    grey, alpha = _as_float_channels(image)
    if grey.shape[0] > MAX_CANVAS * 4 or grey.shape[1] > MAX_CANVAS * 4:
        raise EngineError("image", f"must be at most {MAX_CANVAS * 4} pixels on each side")
    if alpha is not None and alpha.min() < 0.98 and _has_own_picture(grey, alpha):
        grey, alpha = grey * alpha + (1.0 - alpha), None   # e.g. a scan with rounded clear corners: on white
    if alpha is not None and alpha.min() < 0.98:  # transparency is in use: alpha carries the drawing,
        edge = np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]])
        # as opaque ink on a clear canvas, or as clear ink (a palette's transparent index) on opaque paper
        raw, polarity = (alpha if float(np.median(edge)) < 0.5 else 1.0 - alpha), "alpha"
    else:
        border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
        paper = float(np.median(border))
        if paper >= 0.5:
            raw, polarity = 1.0 - grey, "dark-on-light"
        else:
            raw, polarity = grey, "light-on-dark"
        photo = min(raw.shape) >= PHOTO_MIN_SIDE
        noise = grain(raw) if photo else 0.0
        light = uneven_light(raw, noise) if photo else None
        if light is not None and polarity == "dark-on-light":
            brightness = 1.0 - light     # light multiplies paper and ink alike: divide it out, to the brightest paper
            raw = 1.0 - np.minimum(grey * (float(brightness.max()) / np.maximum(brightness, 0.05)), 1.0)
        elif light is not None:
            raw = raw - light            # light on a dark page: what it adds is taken off
        if light is not None:
            noise = grain(raw)           # the grain left on the evened paper
    border = np.concatenate([raw[0], raw[-1], raw[:, 0], raw[:, -1]])
    paper = float(np.median(border))
    if polarity != "alpha":
        paper += NOISE_FLOOR * noise  # 0 on clean paper and under PHOTO_MIN_SIDE a side
    contrast = float(raw.max()) - paper
    if contrast <= 0:
        return np.zeros_like(raw, dtype=np.float32), polarity, 0.0
    ink = np.clip((raw - paper) / contrast, 0.0, 1.0).astype(np.float32)
    if polarity != "alpha":
        ink = without_ruled_lines(ink)
    return ink, polarity, contrast


def without_ruled_lines(ink):
    """ink with the lines of ruled (or squared) paper taken out, or ink itself when there are none.

    Candidate rows: median ink above RULED_LEVEL (ink all along, where a digit covers only part of a row) and ink at
    both edges, in runs at most RULED_THIN of the height thick. Ruled paper's lines are evenly spaced: the runs on
    the lattice of their median gap (within a sixth of a gap) are lines, at least RULED_MIN of them; a run off it (a
    digit's bar, a frame) stays. Each line is replaced by the lesser of the rows just above and below it, so a stroke
    that crosses a line (ink on both sides) goes on through it. Then the same for columns; once rows were ruled, a
    single column run in the outer RULED_MARGIN of the width is a margin line. Rows shorter than RULED_MIN_LENGTH are
    never lines."""
    out, ruled = ink, False
    for axis in (0, 1):
        a = out if axis == 0 else out.T
        n, length = a.shape
        if length < RULED_MIN_LENGTH:
            continue
        edge = max(1, length // 50)
        lines = np.flatnonzero((np.median(a[:, ::max(1, length // 128)], axis=1) > RULED_LEVEL)  # ≥ 128 samples
                               & (a[:, :edge].max(axis=1) > RULED_LEVEL) & (a[:, -edge:].max(axis=1) > RULED_LEVEL))
        if lines.size == 0:
            continue
        runs = [r for r in np.split(lines, np.flatnonzero(np.diff(lines) > 1) + 1) if r.size <= max(2, RULED_THIN * n)]
        runs = _on_lattice(runs) if len(runs) >= RULED_MIN else []
        if len(runs) < RULED_MIN and ruled:   # a margin line beside ruled rows
            runs = [r for r in np.split(lines, np.flatnonzero(np.diff(lines) > 1) + 1)
                    if r.size <= max(2, RULED_THIN * n) and min(r[0], n - 1 - r[-1]) < RULED_MARGIN * n][:1]
        elif len(runs) < RULED_MIN:
            continue
        if not runs:
            continue
        ruled, a = True, a.copy()
        for r in runs:   # (a line at the picture's edge has one side only)
            before, after = a[max(r[0] - 1, 0)], a[min(r[-1] + 1, n - 1)]
            a[r[0]:r[-1] + 1] = np.minimum(after if r[0] == 0 else before, before if r[-1] == n - 1 else after)
        out = a if axis == 0 else a.T
    return np.ascontiguousarray(out)


def _on_lattice(runs):
    """The runs (row index arrays) evenly spaced at their median spacing: walking from a run that has a neighbour one
    spacing away, each next run a whole number of spacings (within a sixth of one) from the last one kept, so a run
    between the lines (a digit's bar, a frame) is left out and a little drift from rounding does not add up."""
    centres = [(r[0] + r[-1]) / 2 for r in runs]
    gap = float(np.median(np.diff(centres)))
    if gap < 3:
        return []
    tol = gap / 6
    fits = [any(abs(abs(c - d) - gap) <= tol for d in centres) for c in centres]
    if not any(fits):
        return []
    first = fits.index(True)
    kept, last = [first], centres[first]
    for i in range(first + 1, len(runs)):
        k = (centres[i] - last) / gap
        if round(k) >= 1 and abs(k - round(k)) * gap <= tol:
            kept.append(i)
            last = centres[i]
    for i in range(first - 1, -1, -1):   # and back towards the top
        k = (centres[kept[0]] - centres[i]) / gap
        if round(k) >= 1 and abs(k - round(k)) * gap <= tol:
            kept.insert(0, i)
    return [runs[i] for i in kept]


def uneven_light(raw, noise=None):
    """The paper's level across a picture lit unevenly (light falling across a photographed page), or None.

    A plane a + bx + cy (x, y in -1..1) fitted by least squares to the four edges' pixels, in three rounds, each
    keeping those within 3 grains (and 0.02) of the last fit. It is the paper's level only if every edge pixel lies on
    it: none more than BORDER_INK (or 5 grains) above it, so a digit cropped tight to its edges, a sharp shadow or the
    desk beside the page (ink on the border) keep the plain rule, as does paper whose plane rises by at most UNEVEN
    across the picture, and a picture under PHOTO_MIN_SIDE a side. A curved surface is not tried: along the edges it
    would take a digit touching the middle of an edge for paper. noise: grain(raw), when the caller has it."""
    h, w = raw.shape
    if min(h, w) < PHOTO_MIN_SIDE:
        return None
    values = np.concatenate([raw[0], raw[-1], raw[:, 0], raw[:, -1]]).astype(np.float64)
    us, vs = np.linspace(-1.0, 1.0, w), np.linspace(-1.0, 1.0, h)
    basis = np.stack([np.ones(values.size), np.concatenate([us, us, np.full(h, -1.0), np.full(h, 1.0)]),
                      np.concatenate([np.full(w, -1.0), np.full(w, 1.0), vs, vs])], axis=1)
    noise = grain(raw) if noise is None else noise
    keep = np.ones(values.size, bool)
    for _ in range(3):
        coef = np.linalg.lstsq(basis[keep], values[keep], rcond=None)[0]
        residual = values - basis @ coef
        keep = np.abs(residual) <= max(3 * noise, 0.02)
        if keep.sum() < 3:
            return None
    if 2 * (abs(coef[1]) + abs(coef[2])) <= UNEVEN or residual.max() > max(BORDER_INK, 5 * noise):
        return None
    return (coef[0] + coef[1] * us + coef[2] * vs[:, None]).astype(np.float32)


def grain(raw) -> float:
    """The paper's noise, as a standard deviation: from the differences between neighbouring pixels along the four
    edges (robustly: 1.4826 · their median absolute value / √2), so a smooth change of light along an edge is not
    counted, nor a stroke that reaches the edge (a few large differences). 0 for clean paper."""
    steps = np.concatenate([np.diff(raw[0]), np.diff(raw[-1]), np.diff(raw[:, 0]), np.diff(raw[:, -1])])
    return 1.4826 / math.sqrt(2) * float(np.median(np.abs(steps))) if steps.size else 0.0


def _has_own_picture(grey, alpha) -> bool:
    """Whether a picture with transparency is an opaque picture with a few clear pixels (a photo or scan with
    rounded or cut corners): its border mostly opaque, and its opaque pixels holding a picture in their colours
    rather than one colour of paper (a clear-ink drawing). A drawing on a clear canvas has a clear border, whatever
    its colours (a white pen, two pens, an outlined sticker)."""
    edge = np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]])
    if float(np.median(edge)) < 0.5:
        return False
    opaque = grey[alpha > 0.5]
    return opaque.size > 0 and float(opaque.max() - opaque.min()) > OWN_PICTURE


# ---- 2-5. crop, 20-px box, centre of mass, 28×28 ------------------------------------------------
def bounding_box(ink, level=INK_LEVEL, mask=None):
    """[top, left, bottom, right) of the pixels above `level` (or of `mask`, when given), or None."""
    mask = ink > level if mask is None else mask
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return [int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1]


def stroke_thickness(mask):
    """≈ stroke width in px: area / half the boundary (a w×L stroke has ~2L boundary pixels). A pixel is inner
    when it and its 4 neighbours are ink; those on the mask's edge never are (outside counts as paper)."""
    area = int(np.count_nonzero(mask))
    if area == 0:
        return 0.0
    m = mask[1:-1, 1:-1]
    inner = m & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    return 2.0 * area / max(area - int(np.count_nonzero(inner)), 1)


def block_max(a, f):
    """Downsample by an integer factor keeping every stroke: max over f×f blocks."""
    h, w = a.shape
    padded = np.pad(a, ((0, -h % f), (0, -w % f)))
    return padded.reshape(padded.shape[0] // f, f, padded.shape[1] // f, f).max(axis=(1, 3))


def thicken(crop, mask=None, ratio=THICKNESS):
    """Thin strokes (a fine pen on a big canvas) -> MNIST-like ones. -> (crop, px added, in crop px).
    mask: crop > INK_LEVEL, when the caller has it.

    Large crops are first block-max-downsampled to ≤ 160 px so the max filter stays small.
    """
    f = max(1, -(-max(crop.shape) // 160))
    small = block_max(crop, f) if f > 1 else crop
    target = ratio * max(small.shape)
    est = stroke_thickness(mask if f == 1 and mask is not None else small > INK_LEVEL)
    if est >= THIN * target:
        return crop, 0
    size = 2 * int(round((target - est) / 2)) + 1  # odd filter size: grows strokes by size - 1
    if size < 3:
        return crop, 0
    r = size // 2
    grown = Image.fromarray(np.pad(small, r).astype(np.float32)).filter(ImageFilter.MaxFilter(size))
    return np.asarray(grown, dtype=np.float32), (size - 1) * f


LANCZOS_SUPPORT = 3.0


@lru_cache(maxsize=128)  # ≤ 128 × (20 × 560) float64 ≈ 11 MB at worst (pictures are ≤ 560 px)
def lanczos_matrix(in_size: int, out_size: int) -> np.ndarray:
    """(out_size, in_size) float64: row i holds the weights Pillow's Lanczos resampling gives output pixel i
    (libImaging/Resample.c, precompute_coeffs: a sinc windowed by sinc(x/3), widened by the scale when shrinking,
    each row normalised to sum 1)."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = LANCZOS_SUPPORT * filterscale
    m = np.zeros((out_size, in_size))
    for i in range(out_size):
        center = (i + 0.5) * scale
        lo, hi = max(int(center - support + 0.5), 0), min(int(center + support + 0.5), in_size)
        x = (np.arange(lo, hi) - center + 0.5) / filterscale
        w = np.where((x >= -LANCZOS_SUPPORT) & (x < LANCZOS_SUPPORT), np.sinc(x) * np.sinc(x / LANCZOS_SUPPORT), 0.0)
        m[i, lo:hi] = w / w.sum() if w.sum() != 0 else w
    m.flags.writeable = False
    return m


def fit_box(crop, box=BOX):
    """Scale so the longer side is `box` px, keeping the aspect ratio: Lanczos on floats as Pillow's resize of a
    float image computes it (rows first, then columns, float32 between), as two small matrix products, which
    cost a quarter of Pillow's call on these sizes (the drawing pad's region is ≤ 128 px a side)."""
    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    out = np.asarray(crop, dtype=np.float32)
    if new_w != w:
        out = (out @ lanczos_matrix(w, new_w).T).astype(np.float32)
    if new_h != h:
        out = (lanczos_matrix(h, new_h) @ out).astype(np.float32)
    return out.clip(0.0, 1.0, out=out) if out is not crop else np.clip(out, 0.0, 1.0)


def center_of_mass(a):
    """(row, col) of the intensity-weighted mean position, in pixel-index coordinates."""
    total = float(a.sum())
    r = float((a.sum(axis=1) * np.arange(a.shape[0])).sum()) / total
    c = float((a.sum(axis=0) * np.arange(a.shape[1])).sum()) / total
    return r, c


def place(box_img, size=SIZE, center=CENTER, com=None):
    """Paste box_img into size×size so its centre of mass (`com`, if already known) is at (center, center)
    (whole pixels), keeping the box inside the field. -> (pixels, [row offset, col offset])."""
    h, w = box_img.shape
    r, c = center_of_mass(box_img) if com is None else com
    dy = min(max(math.floor(center - r + 0.5), 0), size - h)  # halves round up: a symmetric box's centre of mass
    dx = min(max(math.floor(center - c + 0.5), 0), size - w)  # is often exactly .5, and round() would go to even
    out = np.zeros((size, size), dtype=np.float32)
    out[dy:dy + h, dx:dx + w] = box_img
    return out, [dy, dx]


def preprocess(image):
    """A drawing (PIL image of any mode, or a float/uint8 array) -> dict, or None if nothing is drawn.

    {"pixels": (28, 28) float32 0..1, white on black,
     "ink": (H, W) float32 0..1, "polarity": "alpha" | "dark-on-light" | "light-on-dark",
     "contrast": float, "bbox": [top, left, bottom, right),
     "thickened_by": int (px added to thin strokes, in input pixels; 0 for most drawings),
     "box": (h, w) float32 with max(h, w) == 20, "center_of_mass": [row, col] in the box,
     "offset": [row, col] where the box was pasted, "final_center_of_mass": [row, col] in 28×28}
    """
    ink, polarity, contrast = ink_map(image)
    if contrast < MIN_CONTRAST:
        return None
    return prepare(ink, polarity, contrast, min_pixels=max(3, int(MIN_PICTURE_INK * ink.size)))


def prepare(ink, polarity="light-on-dark", contrast=1.0, min_pixels=3, drawn=None):
    """Steps 2-5 on an ink map (paper 0, ink 1): crop, thicken, 20 px box, centre of mass, 28×28.
    drawn: the "L" image (0 or 255 only) the ink map was made from, when it was drawn here: then there is no
    paper noise to drop, and the image gives the bounding box (the same numbers, in a fraction of the time)."""
    mask = ink > INK_LEVEL
    if np.count_nonzero(mask) < min_pixels:
        return None
    if drawn is None:
        bbox = bounding_box(ink, mask=mask)
    else:
        left, top, right, bottom = drawn.getbbox()   # of the 255s: ink 1.0, the only pixels above INK_LEVEL
        bbox = [top, left, bottom, right]
    top, left, bottom, right = bbox
    crop = ink[top:bottom, left:right]
    if drawn is None:
        crop = crop * (crop > 0.02)   # drop paper noise (a third of np.where's time)
        crop += 0                     # -0.0 -> 0.0, as np.where gave
    crop, thickened = thicken(crop, mask[top:bottom, left:right])
    box_img = fit_box(crop)
    if box_img.sum() <= 0:
        return None
    com = center_of_mass(box_img)
    pixels, offset = place(box_img, com=com)
    return {
        "pixels": pixels,
        "ink": ink,
        "polarity": polarity,
        "contrast": round(contrast, 4),
        "bbox": bbox,
        "thickened_by": thickened,
        "box": box_img,
        "center_of_mass": [round(com[0], 3), round(com[1], 3)],
        "offset": offset,
        "final_center_of_mass": [round(v, 3) for v in center_of_mass(pixels)],
    }


def steps_to_lists(steps, decimals=3, max_side=280, arrays=False, maps=("pixels", "ink", "box"), written=None):
    """A preprocess() result as JSON-ready lists. The ink map is shrunk to at most max_side px.
    arrays: leave the rounded maps as float64 arrays (orjson writes them as the same text, faster).
    maps: the maps to give (the others are left out). written: maps the caller has written for JSON already
    (name -> value), put in their place as they are."""
    if steps is None:
        return None
    written = written or {}
    out = dict(steps)
    ink = steps["ink"]
    if "ink" not in written and max(ink.shape) > max_side:
        scale = max_side / max(ink.shape)
        size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
        ink = np.asarray(Image.fromarray(ink.astype(np.float32)).resize(size, Image.Resampling.BOX))
        out["ink_scale"] = scale
    for key in ("pixels", "ink", "box"):
        if key not in maps:
            del out[key]
            continue
        if key in written:
            out[key] = written[key]
            continue
        a = ink if key == "ink" else steps[key]
        rounded = np.round(a.astype(np.float64), decimals)
        out[key] = rounded if arrays else rounded.tolist()
    return out


# ---- strokes -> image ----------------------------------------------------------------------------
RASTER_SIDE = 128   # a drawing's region is rasterised with its longer side at most this many px
PREVIEW_SIDE = 64   # the whole canvas, for the steps' ink preview
MAX_REACH = 10      # points may lie up to this many canvas sizes outside the canvas
MAX_LENGTH = 200    # the strokes' total length, in canvas sizes (what rasterising costs)


def stroke_width(width, height, strokes=None):
    """Pen diameter in px: 10% of the canvas' shorter side, so a digit that fills most of the
    canvas ends up ~2-3 px thick at 28×28 like MNIST's; capped at 18% of the drawing's own longer
    side so that a tiny digit on a big canvas does not become a blob."""
    if not strokes:
        return pen_width(width, height, 0.0)
    pts = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    return pen_width(width, height, float((pts.max(axis=0) - pts.min(axis=0)).max()))


def pen_width(width, height, extent):
    """stroke_width() for a drawing whose longer side spans `extent` canvas px (0: no cap from the drawing)."""
    w = 0.1 * min(width, height)
    if extent > 0:
        w = min(w, 0.18 * extent)
    return max(1.0, w)


def check_strokes(strokes, width, height) -> list[np.ndarray]:
    """-> one (n, 2) float64 array of [x, y] per non-empty stroke, after every check: canvas size, counts,
    finite numbers within MAX_REACH canvases of the canvas, and a total length that bounds the cost."""
    for name, v in (("width", width), ("height", height)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= MAX_CANVAS:
            raise EngineError(name, f"must be an integer from 1 to {MAX_CANVAS}")
    if not isinstance(strokes, (list, tuple)):
        raise EngineError("strokes", "must be a list of polylines [[x, y], ...]")
    if len(strokes) > MAX_STROKES:
        raise EngineError("strokes", f"at most {MAX_STROKES} strokes")
    total = 0
    clean = []
    reach = MAX_REACH * max(width, height)
    for i, stroke in enumerate(strokes):
        if not isinstance(stroke, (list, tuple)):
            raise EngineError(f"strokes.{i}", "must be a list of [x, y] points")
        total += len(stroke)
        if total > MAX_POINTS:
            raise EngineError("strokes", f"at most {MAX_POINTS} points in all")
        if stroke:
            clean.append(_points(stroke, i, reach))
    length = sum(float(np.hypot(d[:, 0], d[:, 1]).sum()) for d in (s[1:] - s[:-1] for s in clean if len(s) > 1))
    if length > MAX_LENGTH * max(width, height):
        raise EngineError("strokes", f"are {length / max(width, height):,.0f} canvas sizes long in all; "
                                     f"the cap is {MAX_LENGTH}")
    return clean


_NUMBERS = {int, float}


def _points(stroke, i: int, reach: float) -> np.ndarray:
    """One stroke's points -> (n, 2) float64, each a pair of finite numbers within ±reach. JSON's lists of
    [int or float, int or float] are checked with a few whole-stroke calls; anything else, and any stroke
    with a point out of bounds, is checked point by point, which names the first bad point."""
    if (type(stroke) is list and set(map(type, stroke)) == {list} and set(map(len, stroke)) == {2}
            and set(map(type, chain.from_iterable(stroke))) <= _NUMBERS):
        try:
            a = np.array(stroke, dtype=np.float64)
        except OverflowError:    # an integer beyond float64: the loop below names it
            a = None
        if a is not None and (np.abs(a) <= reach).all():   # NaN and ±inf fail the comparison
            return a
    for j, p in enumerate(stroke):
        if (not isinstance(p, (list, tuple)) or len(p) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and -reach <= v <= reach
                           for v in p)):  # NaN and ±inf fail the comparison; an int of any size compares exactly
            raise EngineError(f"strokes.{i}.{j}", "must be a pair of finite numbers [x, y] within "
                              f"{MAX_REACH} canvas sizes of the canvas (±{reach:g})")
    return np.asarray(stroke, dtype=np.float64)


def draw_image(clean, size, origin=(0.0, 0.0), scale=1.0, line_width=1.0) -> Image.Image:
    """Draws polylines ((n, 2) arrays in canvas px) onto a size = (width, height) "L" image whose top-left
    is the canvas point `origin`, at `scale` image px per canvas px: ink 255 on 0.
    Round caps and joints: a disc is drawn at every point as well as the segments between them."""
    img = Image.new("L", (int(size[0]), int(size[1])), 0)
    draw = ImageDraw.Draw(img)
    lw = line_width * scale
    r, width = lw / 2, max(1, round(lw))
    origin = np.asarray(origin, dtype=np.float64)
    for pts in clean:
        flat = ((pts - origin) * scale).ravel().tolist()
        if len(flat) > 2:
            draw.line(flat, fill=255, width=width)
        for x, y in zip(flat[::2], flat[1::2], strict=True):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return img


def ink_of(img: Image.Image) -> np.ndarray:
    """An "L" image -> (height, width) float32 ink levels 0..1."""
    return np.divide(np.frombuffer(img.tobytes(), np.uint8).reshape(img.height, img.width), np.float32(255),
                     dtype=np.float32)


def draw_strokes(clean, size, origin=(0.0, 0.0), scale=1.0, line_width=1.0) -> np.ndarray:
    """draw_image() as (height, width) float32, ink 1 on 0."""
    return ink_of(draw_image(clean, size, origin, scale, line_width))


def rasterize_strokes(strokes, width, height, line_width=None):
    """Polylines [[x, y], ...] on a width×height canvas -> (height, width) float32, ink 1 on 0."""
    clean = check_strokes(strokes, width, height)
    lw = float(line_width) if line_width is not None else stroke_width(width, height, clean)
    return draw_strokes(clean, (width, height), line_width=lw)


PREVIEW_MIN_PEN = 1.5  # preview px: a thinner pen is drawn at the preview's scale, where it keeps ≥ 1 px


def preview(region: Image.Image, origin, scale, size, k, clean, line_width) -> np.ndarray:
    """The canvas at k preview px per canvas px (size = (width, height)), sampled from `region`, the canvas from
    `origin` on drawn at `scale` ≥ k: each preview pixel takes the region pixel under its centre (0 beyond the
    region), one affine resampling instead of drawing the strokes again. A pen thinner than PREVIEW_MIN_PEN preview
    px could fall between the samples: then the strokes are drawn at k, where every line is at least a pixel."""
    if line_width * k < PREVIEW_MIN_PEN:
        return draw_strokes(clean, size, scale=k, line_width=line_width)
    step = scale / k  # region px per preview px
    dx, dy = (-o * scale for o in origin)  # drawing and resampling both put canvas x on pixel floor(x · scale)
    sampled = region.transform(size, Image.Transform.AFFINE, (step, 0, dx, 0, step, dy), Image.Resampling.NEAREST)
    return ink_of(sampled)


def preprocess_strokes(strokes, width, height, line_width=None):
    """Strokes -> the same dict as preprocess(), without rasterising the whole canvas at full size:
    only the drawing's region is drawn, at most RASTER_SIDE px on its longer side (the 20 px box needs no
    more); the ink preview, the whole canvas at PREVIEW_SIDE px, is sampled from that region (it holds all the
    ink on the canvas, at least as finely). `bbox` and `thickened_by` are in canvas px; adds "raster_scale"
    (region px per canvas px) and "ink_scale"."""
    clean = check_strokes(strokes, width, height)
    if not clean:
        return None
    pts = np.concatenate(clean)
    (lo_x, lo_y), (hi_x, hi_y) = pts.min(axis=0).tolist(), pts.max(axis=0).tolist()
    lw = float(line_width) if line_width is not None else pen_width(width, height, max(hi_x - lo_x, hi_y - lo_y))
    r = lw / 2 + 1
    x0, y0 = max(lo_x - r, 0.0), max(lo_y - r, 0.0)
    x1, y1 = min(hi_x + r, width), min(hi_y + r, height)
    if x1 <= x0 or y1 <= y0:
        return None                                          # drawn entirely off the canvas
    x0, y0 = math.floor(x0), math.floor(y0)
    scale = min(1.0, RASTER_SIDE / max(x1 - x0, y1 - y0))
    size = (max(1, math.ceil((x1 - x0) * scale)), max(1, math.ceil((y1 - y0) * scale)))
    region_img = draw_image(clean, size, (x0, y0), scale, lw)
    region = ink_of(region_img)
    # as much ink as the canvas-wide rule asks for (MIN_INK_FRACTION of the canvas), counted at this scale
    min_pixels = max(3, int(MIN_INK_FRACTION * width * height * scale * scale))
    result = prepare(region, min_pixels=min_pixels, drawn=region_img)
    if result is None:
        return None
    k = min(1.0, PREVIEW_SIDE / max(width, height))
    top, left, bottom, right = result["bbox"]
    result.update(
        ink=preview(region_img, (x0, y0), scale, (max(1, round(width * k)), max(1, round(height * k))), k, clean, lw),
        bbox=[y0 + math.floor(top / scale), x0 + math.floor(left / scale),
              min(height, y0 + math.ceil(bottom / scale)), min(width, x0 + math.ceil(right / scale))],
        thickened_by=round(result["thickened_by"] / scale), raster_scale=round(scale, 6), ink_scale=k)
    return result
