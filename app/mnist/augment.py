"""Training-time augmentation of 28×28 digits, for digits drawn by other people with other pens.

Every transform works on a whole batch at once: x (N, 28, 28) float32 in 0..1, white ink on black, and
draws its random numbers from the `rng` it is given (the same seed gives the same batch).

- `warp`: one resampling per image for a random affine map (rotation, slant = shear, size, aspect,
  shift: small and off-centre digits) plus an elastic distortion (a smooth random displacement field,
  Simard et al. 2003), bilinear, zero outside.
- `pen_width`: thinner or thicker pens, by grey-level erosion (3×3 min) or dilation (3×3 max), blended
  with the original by a random amount (settings["pen_thick"]: another range for the thicker pens, whole
  dilations then a blend, 0.3-1.8 by default; None: the same blends as the thinner pens, `python -m app.train
  --plain-pens`); in the end every image is scaled to a
  brightest pixel of 1, as the drawing pad's preprocessing does.
- `add_serif_ones` / `add_crossed_sevens`: synthesised variants: a 1 with a flag at the top (and a foot
  line), a 7 with a bar across its stem, drawn as anti-aliased line segments where the digit's own ink is.
- `blur`: a soft pen or a blurred photo (3×3 binomial filter, blended); `low_resolution`: the digit
  averaged down to 9-14 px and bilinearly back up (a small photo, an upscaled low-resolution scan).

`augment(x, labels, rng, settings)` applies them with the probabilities in `settings` (AUGMENT below,
written into the model card); `annealed(settings, progress)` weakens them towards the end of training,
so that the last epochs see digits closer to the real ones.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

AUGMENT = {
    "rotate_deg": 12.0,  # uniform ±
    "shear": 0.3,  # slant: x += shear · y, uniform ±
    "scale": [0.8, 1.1],  # size, uniform
    "aspect": 0.15,  # width / height varies by exp(uniform ±)
    "shift_px": 2.5,  # uniform ±, each axis
    "elastic_px": 1.5,  # peak displacement of the smooth random field
    "elastic_grid": 4,  # the field is random on a 4×4 grid, bilinear in between
    "small_p": 0.1,  # share of digits shrunk to 0.45-0.8 and moved off-centre by up to ±5 px
    "pen_p": 0.5,  # share of digits whose pen is changed; half thinner (blend 0.3-0.8), half thicker (pen_thick)
    "pen_thick": [0.3, 1.8],  # the thicker pens: up to one whole dilation and a blend of another (other writers'
                              # digits read better; None: blends 0.3-0.8 as the thinner pens, the model before 12-01)
    "serif_p": 0.3,  # share of 1s given a flag (and half of those a foot line)
    "cross_p": 0.3,  # share of 7s given a crossbar
    "blur_p": 0.15,  # share of digits blurred
    "lowres_p": 0.1,  # share of digits brought down to 9-14 px and back up (a small photo, an upscaled scan)
    "lowres_px": [9, 14],
    "anneal": {"from": 0.6, "to": 0.4},  # after 60% of the epochs the strengths fall linearly to 40%
}

STRENGTHS = ("rotate_deg", "shear", "aspect", "shift_px", "elastic_px", "small_p", "pen_p", "serif_p", "cross_p",
             "blur_p", "lowres_p")


def annealed(settings, progress):
    """Settings for a point of training (progress 0..1): full strength until settings["anneal"]["from"],
    then every strength (angles, shear, shift, elastic, the shares) and the scale range's distance from 1
    fall linearly to settings["anneal"]["to"] times their value at the end."""
    a = settings.get("anneal") or {"from": 1.0, "to": 1.0}
    t = min(1.0, max(0.0, (progress - a["from"]) / max(1e-9, 1 - a["from"])))
    k = 1 - t * (1 - a["to"])
    out = dict(settings)
    for key in STRENGTHS:
        out[key] = settings[key] * k
    out["scale"] = [1 - (1 - settings["scale"][0]) * k, 1 + (settings["scale"][1] - 1) * k]
    return out


# ---- geometry ------------------------------------------------------------------------------------
def bilinear(x, sy, sx):
    """Sample x (N, H, W) at fractional (sy, sx) (N, H', W'), zero outside the image."""
    n, h, w = x.shape
    xp = np.zeros((n, h + 2, w + 2), dtype=x.dtype)  # one-pixel zero border
    xp[:, 1:-1, 1:-1] = x
    sy = np.clip(sy + 1, 0, h + 0.999)
    sx = np.clip(sx + 1, 0, w + 0.999)
    y0, x0 = np.floor(sy).astype(np.int32), np.floor(sx).astype(np.int32)
    fy, fx = (sy - y0).astype(x.dtype), (sx - x0).astype(x.dtype)
    flat = xp.reshape(-1)
    base = (np.arange(n, dtype=np.int32) * ((h + 2) * (w + 2)))[:, None, None]
    i00 = base + y0 * (w + 2) + x0
    top = flat[i00] * (1 - fx) + flat[i00 + 1] * fx
    bottom = flat[i00 + w + 2] * (1 - fx) + flat[i00 + w + 3] * fx
    return top * (1 - fy) + bottom * fy


@lru_cache(maxsize=64)
def _upsample_matrix(size, grid):
    """(size, grid): linear interpolation from `grid` control points spread over `size` pixels (cached, read-only)."""
    pos = np.linspace(0, grid - 1, size)
    lo = np.minimum(np.floor(pos).astype(int), grid - 2)
    frac = pos - lo
    m = np.zeros((size, grid))
    m[np.arange(size), lo] = 1 - frac
    m[np.arange(size), lo + 1] = frac
    m.flags.writeable = False
    return m


def elastic_field(n, h, w, rng, amplitude, grid=4):
    """Smooth random displacements (dy, dx), each (N, H, W) float32, peak |d| ≤ amplitude px."""
    if amplitude <= 0:
        return np.zeros((n, h, w), np.float32), np.zeros((n, h, w), np.float32)
    coarse = rng.uniform(-amplitude, amplitude, (2 * n, grid, grid)).astype(np.float32)
    uy, ux = _upsample_matrix(h, grid).astype(np.float32), _upsample_matrix(w, grid).astype(np.float32)
    cols = (coarse.reshape(2 * n * grid, grid) @ ux.T).reshape(2 * n, grid, w)  # along the columns
    field = uy @ cols  # (2N, H, W): then along the rows
    return field[:n], field[n:]


def warp(x, rng, rotate_deg=0.0, shear=0.0, scale=(1.0, 1.0), aspect=0.0, shift=0.0, elastic=0.0,
         grid=4, small_p=0.0):
    """Random affine + elastic resampling of every image. x (N, H, W) -> (N, H, W), same dtype.

    Output pixel p (about the centre c) reads the input at A⁻¹(p − c − t) + c + d(p), where
    A = rotation · shear · diag(s·√a, s / √a) on (row, col) and d is the elastic field.
    """
    n, h, w = x.shape
    theta = np.deg2rad(rng.uniform(-rotate_deg, rotate_deg, n))
    k = rng.uniform(-shear, shear, n)
    s = rng.uniform(scale[0], scale[1], n)
    a = np.exp(rng.uniform(-aspect, aspect, n))
    t = rng.uniform(-shift, shift, (n, 2))  # (dy, dx)
    small = rng.random(n) < small_p  # small and off-centre digits
    s = np.where(small, rng.uniform(0.45, 0.8, n), s)
    t = np.where(small[:, None], rng.uniform(-5, 5, (n, 2)), t)
    sy, sx = s * np.sqrt(a), s / np.sqrt(a)  # row and column scale
    cos, sin = np.cos(theta), np.sin(theta)
    # A = R · K · S with R = [[cos, -sin], [sin, cos]] on (row, col), K = [[1, 0], [k, 1]] (col += k·row)
    a00, a01 = cos * sy - sin * k * sy, -sin * sx
    a10, a11 = sin * sy + cos * k * sy, cos * sx
    det = a00 * a11 - a01 * a10
    inv = np.stack([a11, -a01, -a10, a00], axis=1).astype(np.float32) / det.astype(np.float32)[:, None]  # A⁻¹
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy = (np.arange(h, dtype=np.float32) - cy)[None, :, None] - t[:, 0, None, None].astype(np.float32)
    xx = (np.arange(w, dtype=np.float32) - cx)[None, None, :] - t[:, 1, None, None].astype(np.float32)
    dy, dx = elastic_field(n, h, w, rng, elastic, grid)
    src_y = inv[:, 0, None, None] * yy + inv[:, 1, None, None] * xx + (dy + cy)
    src_x = inv[:, 2, None, None] * yy + inv[:, 3, None, None] * xx + (dx + cx)
    return bilinear(x, src_y, src_x).astype(x.dtype, copy=False)


# ---- pens ----------------------------------------------------------------------------------------
def _filter3x3(x, op):
    """3×3 grey-level max (dilation) or min (erosion), zero outside."""
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    rows = op(op(xp[:, :-2], xp[:, 1:-1]), xp[:, 2:])  # (N, H, W + 2)
    return op(op(rows[:, :, :-2], rows[:, :, 1:-1]), rows[:, :, 2:])


def dilate(x):
    return _filter3x3(x, np.maximum)


def erode(x):
    return _filter3x3(x, np.minimum)


def pen_width(x, rng, p=0.5, amount=(0.3, 0.8), thick=None):
    """A share p of the images get a thinner (half of them) or thicker pen:
    x + u · (erode(x) − x) or x + u · (dilate(x) − x), u uniform in `amount`. thick: another range for the
    thicker pens (the same draw, mapped onto it); above 1, whole dilations first, then a blend of one more."""
    n = x.shape[0]
    pick = rng.random(n)
    u = rng.uniform(amount[0], amount[1], n).astype(x.dtype)[:, None, None]
    out = x.copy()
    for chosen, grow in ((pick < p / 2, erode), ((pick >= p / 2) & (pick < p), dilate)):
        if chosen.any():
            sub, uc = x[chosen], u[chosen]
            if grow is dilate and thick is not None and tuple(thick) != tuple(amount):
                uc = thick[0] + (uc - amount[0]) * ((thick[1] - thick[0]) / (amount[1] - amount[0]))
                whole = np.floor(uc).astype(int)
                for k in range(1, int(whole.max()) + 1):
                    sub = np.where(whole >= k, dilate(sub), sub)
                uc = uc - whole
            out[chosen] = sub + uc * (grow(sub) - sub)
    return out


def blur(x, rng, p=0.15):
    """A share p of the images filtered by the 3×3 binomial kernel [1 2 1]ᵀ[1 2 1] / 16, blended by
    a random amount u in 0.5..1."""
    chosen = rng.random(x.shape[0]) < p
    u = rng.uniform(0.5, 1.0, x.shape[0]).astype(x.dtype)[chosen, None, None]
    if not chosen.any():
        return x
    sub = x[chosen]
    xp = np.pad(sub, ((0, 0), (1, 1), (1, 1)))
    rows = (xp[:, :-2] + 2 * xp[:, 1:-1] + xp[:, 2:]) / 4
    soft = (rows[:, :, :-2] + 2 * rows[:, :, 1:-1] + rows[:, :, 2:]) / 4
    out = x.copy()
    out[chosen] = sub + u * (soft - sub)
    return out


@lru_cache(maxsize=64)
def _area_matrix(big, small):
    """(small, big): each row averages the stretch of `big` pixels that one of `small` pixels covers (cached, as
    the few sizes recur every batch: building it took 40% of augment()'s time; read-only)."""
    edges = np.linspace(0, big, small + 1)
    m = np.zeros((small, big))
    for i in range(small):
        for j in range(big):
            m[i, j] = max(0.0, min(edges[i + 1], j + 1) - max(edges[i], j))
    m /= m.sum(axis=1, keepdims=True)
    m.flags.writeable = False
    return m


def low_resolution(x, rng, p=0.1, sizes=(9, 14)):
    """A share p of the images averaged down to r×r pixels (r uniform in `sizes`) and bilinearly back up:
    what an upscaled small scan or photo looks like."""
    n, h, w = x.shape
    chosen = np.flatnonzero(rng.random(n) < p)
    r = rng.integers(sizes[0], sizes[1] + 1, n)
    if chosen.size == 0:
        return x
    out = x.copy()
    for size in np.unique(r[chosen]):
        idx = chosen[r[chosen] == size]
        dy, dx = _area_matrix(h, size).astype(x.dtype), _area_matrix(w, size).astype(x.dtype)
        uy, ux = _upsample_matrix(h, size).astype(x.dtype), _upsample_matrix(w, size).astype(x.dtype)
        small = dy @ x[idx] @ dx.T  # (k, size, size)
        out[idx] = uy @ small @ ux.T
    return out


def normalise(x):
    """Each image scaled so its brightest pixel is 1, as the drawing pad's preprocessing does."""
    peak = x.max(axis=(1, 2), keepdims=True)
    return np.divide(x, peak, out=np.zeros_like(x), where=peak > 0)


# ---- extra strokes -------------------------------------------------------------------------------
def draw_segments(x, segments, width):
    """Ink anti-aliased segments onto images (max with what is there).

    x (N, H, W); segments (N, 4) as (y0, x0, y1, x1) in pixels; width (N,) in pixels.
    A pixel's ink is clip(width / 2 + 0.5 − distance to the segment, 0, 1).
    """
    n, h, w = x.shape
    yy, xx = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32), indexing="ij")
    y0, x0, y1, x1 = (segments[:, i, None, None].astype(np.float32) for i in range(4))
    vy, vx = y1 - y0, x1 - x0
    length2 = np.maximum(vy * vy + vx * vx, 1e-6)
    t = np.clip(((yy - y0) * vy + (xx - x0) * vx) / length2, 0, 1)
    dist = np.hypot(yy - (y0 + t * vy), xx - (x0 + t * vx))
    ink = np.clip(width.astype(np.float32)[:, None, None] / 2 + 0.5 - dist, 0, 1)
    return np.maximum(x, ink.astype(x.dtype))


def _ink_rows(x, level=0.3):
    """Per image: first and last row with ink, and the ink's mean column in those rows (N,) each."""
    ink = x > level
    rows_any = ink.any(axis=2)  # (N, H)
    h = x.shape[1]
    top = np.argmax(rows_any, axis=1)
    bottom = h - 1 - np.argmax(rows_any[:, ::-1], axis=1)
    cols = np.arange(x.shape[2])
    n = np.arange(x.shape[0])

    def mean_col(r):
        m = ink[n, r]
        return (m * cols).sum(axis=1) / np.maximum(m.sum(axis=1), 1)
    return top, bottom, mean_col(top), mean_col(bottom), rows_any.any(axis=1)


def add_serif_ones(x, labels, rng, p=0.3):
    """A share p of the 1s get a flag from their top down to the left (and half of those a foot line)."""
    pick = (labels == 1) & (rng.random(len(x)) < p) & (x.max(axis=(1, 2)) > 0.3)
    if not pick.any():
        return x
    out = x.copy()
    sub = x[pick]
    m = len(sub)
    top, bottom, c_top, c_bottom, _ = _ink_rows(sub)
    length = rng.uniform(3.5, 6, m)
    angle = np.deg2rad(rng.uniform(30, 60, m))  # below the horizontal, pointing left
    width = rng.uniform(1.5, 2.5, m)
    flag = np.stack([top, c_top, top + length * np.sin(angle), c_top - length * np.cos(angle)], axis=1)
    sub = draw_segments(sub, flag, width)
    foot = rng.random(m) < 0.5
    if foot.any():
        half = rng.uniform(3, 5, m)
        base = np.stack([bottom, c_bottom - half, bottom, c_bottom + half], axis=1)
        sub = np.where(foot[:, None, None], draw_segments(sub, base, width), sub)
    out[pick] = sub
    return out


def add_crossed_sevens(x, labels, rng, p=0.3):
    """A share p of the 7s get a short bar across the stem, a little below half height."""
    pick = (labels == 7) & (rng.random(len(x)) < p) & (x.max(axis=(1, 2)) > 0.3)
    if not pick.any():
        return x
    out = x.copy()
    sub = x[pick]
    m = len(sub)
    top, bottom, _, _, _ = _ink_rows(sub)
    row = np.round(top + (bottom - top) * rng.uniform(0.45, 0.6, m)).astype(int)
    ink = sub[np.arange(m), row] > 0.3  # (m, W): the stem where the bar goes
    cols = np.arange(sub.shape[2])
    stem = (ink * cols).sum(axis=1) / np.maximum(ink.sum(axis=1), 1)
    half = rng.uniform(3, 5.5, m)
    tilt = rng.uniform(-1, 1, m)
    bar = np.stack([row + tilt, stem - half, row - tilt, stem + half], axis=1)
    out[pick] = draw_segments(sub, bar, rng.uniform(1.5, 2.5, m))
    return out


# ---- all of it -----------------------------------------------------------------------------------
def augment(x, labels, rng, settings=None):
    """x (N, H, W) float32 0..1, labels (N,) -> a new augmented batch (N, H, W) float32 0..1."""
    s = AUGMENT if settings is None else settings
    x = add_serif_ones(x, labels, rng, s["serif_p"])
    x = add_crossed_sevens(x, labels, rng, s["cross_p"])
    x = pen_width(x, rng, s["pen_p"], thick=s.get("pen_thick"))
    x = warp(x, rng, s["rotate_deg"], s["shear"], s["scale"], s["aspect"], s["shift_px"], s["elastic_px"],
             s["elastic_grid"], s["small_p"])
    x = blur(x, rng, s["blur_p"])
    x = low_resolution(x, rng, s["lowres_p"], s["lowres_px"])
    return np.clip(normalise(x), 0, 1)
