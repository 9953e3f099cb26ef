"""Drawings -> MNIST-like 28×28: invariance to position, size, polarity and transparency."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from app.engine.errors import EngineError
from app.mnist.preprocess import (
    bounding_box,
    center_of_mass,
    check_strokes,
    fit_box,
    lanczos_matrix,
    prepare,
    preprocess,
    rasterize_strokes,
    steps_to_lists,
    thicken,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "mnist_test_sample.npz"

# A "4" on a 280×280 canvas: two strokes, like a user would draw it.
FOUR = [[[150, 40], [60, 170], [200, 170]], [[160, 90], [160, 250]]]


def moved(strokes, scale=1.0, dx=0.0, dy=0.0):
    return [[[x * scale + dx, y * scale + dy] for x, y in s] for s in strokes]


@pytest.fixture(scope="module")
def base():
    img = rasterize_strokes(FOUR, 280, 280, line_width=22)
    steps = preprocess(img)
    assert steps is not None
    return steps


def test_base_result_is_mnist_like(base):
    p = base["pixels"]
    assert p.shape == (28, 28) and p.dtype == np.float32
    assert 0.0 <= p.min() and p.max() <= 1.0 and p.max() > 0.9
    assert max(base["box"].shape) == 20  # longer side normalised to 20 px
    r, c = center_of_mass(p)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5, (r, c)
    assert base["final_center_of_mass"] == [round(r, 3), round(c, 3)]
    assert base["polarity"] == "light-on-dark"
    top, left, bottom, right = base["bbox"]
    assert (top, left, bottom, right) == (29, 49, 262, 212)  # points ± the 11-px pen radius, inclusive
    assert 50 < float(p.sum()) < 160  # MNIST digits hold ~96 units of ink


def test_shift_gives_the_same_digit(base):
    img = rasterize_strokes(moved(FOUR, dx=-40, dy=20), 280, 280, line_width=22)
    diff = np.abs(preprocess(img)["pixels"] - base["pixels"])
    assert diff.mean() < 0.01 and diff.max() < 0.15  # PIL's rasteriser is not exactly shift-invariant


def test_scale_and_canvas_size_give_nearly_the_same_digit(base):
    small = rasterize_strokes(moved(FOUR, scale=0.5, dx=300, dy=10), 500, 300, line_width=11)
    p = preprocess(small)["pixels"]
    assert np.abs(p - base["pixels"]).mean() < 0.03
    assert np.abs(p - base["pixels"]).max() < 0.5


def test_inverted_and_pil_and_uint8_inputs_agree(base):
    grey = rasterize_strokes(FOUR, 280, 280, line_width=22)
    inverted = preprocess(1.0 - grey)
    assert inverted["polarity"] == "dark-on-light"
    np.testing.assert_allclose(inverted["pixels"], base["pixels"], atol=1e-4)
    pil = Image.fromarray((255 - grey * 255).round().astype(np.uint8))
    np.testing.assert_allclose(preprocess(pil)["pixels"], base["pixels"], atol=0.02)
    np.testing.assert_allclose(preprocess((grey * 255).astype(np.uint8))["pixels"], base["pixels"], atol=0.02)


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "RGBX", "CMYK", "YCbCr", "LAB", "HSV", "I", "I;16", "I;16B",
                                  "I;16L", "F", "LA", "La", "PA", "RGBA", "RGBa"])
def test_every_pil_mode_reads_the_same_digit(base, mode):
    """Every mode Pillow can hold the picture in is read (a premultiplied "La" or PIL's "LAB" once raised); the 16-bit
    ones in either byte order are scaled by their largest value, as "I;16" always was."""
    grey = rasterize_strokes(FOUR, 280, 280, line_width=22)
    pil = Image.fromarray((255 - grey * 255).round().astype(np.uint8)).convert("RGB")
    if mode in ("La", "RGBa"):
        pil = pil.convert("LA" if mode == "La" else "RGBA").convert(mode)
    elif mode.startswith("I;16"):
        order = ">" if mode == "I;16B" else "<"
        pil = Image.frombytes(mode, grey.shape[::-1], ((255 - grey * 255).round() * 257).astype(f"{order}u2").tobytes())
    elif mode != "RGB":
        pil = pil.convert(mode)
    assert pil.mode == mode
    steps = preprocess(pil)
    assert steps["polarity"] == "dark-on-light"
    np.testing.assert_allclose(steps["pixels"], base["pixels"], atol=0.03 if mode == "1" else 0.02)


def test_transparent_rgba_canvas_ink_only_in_alpha(base):
    grey = rasterize_strokes(FOUR, 280, 280, line_width=22)
    rgba = np.zeros((280, 280, 4), np.uint8)  # black ink on a fully transparent (0, 0, 0, 0) canvas
    rgba[..., 3] = (grey * 255).round()
    steps = preprocess(Image.fromarray(rgba))
    assert steps["polarity"] == "alpha"
    np.testing.assert_allclose(steps["pixels"], base["pixels"], atol=0.02)
    white = rgba.copy()
    white[..., :3] = 255  # white ink on a transparent canvas: still the alpha that counts
    np.testing.assert_allclose(preprocess(Image.fromarray(white))["pixels"], base["pixels"], atol=0.02)


def test_coloured_ink_on_opaque_rgba_paper(base):
    grey = rasterize_strokes(FOUR, 280, 280, line_width=22)
    rgba = np.full((280, 280, 4), 255, np.uint8)
    ink = grey > 0
    rgba[ink, 0], rgba[ink, 1] = 30, 60  # dark blue strokes, anti-aliasing ignored
    rgba[ink, 2] = 200
    steps = preprocess(Image.fromarray(rgba))
    assert steps["polarity"] == "dark-on-light"
    assert np.abs(steps["pixels"] - base["pixels"]).mean() < 0.03


def test_tiny_off_centre_digit_with_a_thin_pen(base):
    img = rasterize_strokes(moved(FOUR, scale=0.12, dx=10, dy=200), 280, 280, line_width=3)
    steps = preprocess(img)
    assert steps is not None and max(steps["box"].shape) == 20
    assert np.abs(steps["pixels"] - base["pixels"]).mean() < 0.06


def test_thin_pen_is_thickened_like_mnist(base):
    thin = preprocess(rasterize_strokes(FOUR, 280, 280, line_width=2))
    assert thin["thickened_by"] >= 10 and base["thickened_by"] == 0
    assert 60 < float(thin["pixels"].sum()) < 160  # without thickening it would be ~15
    assert np.abs(thin["pixels"] - base["pixels"]).mean() < 0.06
    huge = preprocess(rasterize_strokes(moved(FOUR, scale=7), 2000, 2000, line_width=2))
    assert huge["thickened_by"] > 50  # done on a block-max-downsampled copy, so it stays cheap
    assert np.abs(huge["pixels"] - base["pixels"]).mean() < 0.06


@pytest.mark.parametrize("image", [
    np.zeros((280, 280)),
    np.ones((280, 280)),
    np.full((100, 100), 0.5),
    Image.new("RGBA", (200, 200), (0, 0, 0, 0)),
    Image.new("RGB", (200, 200), "white"),
])
def test_empty_canvas_is_nothing_drawn(image):
    assert preprocess(image) is None
    assert preprocess(image) is None


def test_nearly_empty_canvas_is_nothing_drawn():
    speck = np.zeros((280, 280))
    speck[100:102, 100:102] = 1.0  # 4 pixels on a 78,400-pixel canvas
    assert preprocess(speck) is None
    noise = np.random.default_rng(0).random((280, 280)) * 0.1  # paper texture, no ink
    assert preprocess(noise) is None


def test_mnist_digits_come_back_almost_unchanged():
    images = np.load(SAMPLE)["images"][:40].astype(np.float32) / 255
    diffs = [np.abs(preprocess(im)["pixels"] - im).mean() for im in images]
    assert max(diffs) < 0.03, max(diffs)


def test_steps_to_lists_is_json_ready(base):
    import json

    big = rasterize_strokes(moved(FOUR, scale=2), 600, 600)
    out = steps_to_lists(preprocess(big))
    text = json.dumps(out)
    assert len(out["pixels"]) == 28 and len(out["pixels"][0]) == 28
    assert max(len(out["ink"]), len(out["ink"][0])) == 280 and out["ink_scale"] == pytest.approx(280 / 600)
    assert '"bbox"' in text and steps_to_lists(None) is None


def test_rasterize_strokes_values():
    img = rasterize_strokes([[[10, 10], [30, 10]]], 40, 30, line_width=4)
    assert img.shape == (30, 40) and img.dtype == np.float32
    assert img[10, 20] == 1.0 and img[9, 15] == 1.0  # on the segment
    assert img[20, 20] == 0.0 and img[10, 36] == 0.0  # away from it
    assert img[10, 31] == 1.0 and img[10, 8] == 1.0  # round caps reach past the end points
    dot = rasterize_strokes([[[5, 5]]], 20, 20, line_width=4)  # a click without a drag is a disc
    assert dot[5, 5] == 1.0 and dot[5, 10] == 0.0


def test_default_pen_scales_with_canvas_but_not_for_tiny_drawings():
    big = rasterize_strokes(FOUR, 280, 280)
    row = big[170]  # the horizontal bar of the 4
    assert 24 <= int((row > 0.5).sum()) <= 170  # a 28-px pen crosses the vertical stroke
    width_at_bar = int((big[:, 185] > 0.5).sum())  # the bar only
    assert 26 <= width_at_bar <= 30, width_at_bar  # 10% of 280
    p = preprocess(big)["pixels"]
    assert 60 < float(p.sum()) < 170


@pytest.mark.parametrize("strokes,w,h,field", [
    ([], 4096, 100, "width"),
    ([], 100, 0, "height"),
    ([], 100.5, 100, "width"),
    ("nope", 100, 100, "strokes"),
    ([[[1, 2], [3]]], 100, 100, "strokes.0.1"),
    ([[[1, float("nan")]]], 100, 100, "strokes.0.0"),
    ([[[1, 1]] * 30000], 100, 100, "strokes"),
])
def test_rasterize_guards(strokes, w, h, field):
    with pytest.raises(EngineError) as e:
        rasterize_strokes(strokes, w, h)
    assert e.value.field == field


# ---- strokes: only the drawing's region is rasterised ---------------------------------------------
@pytest.mark.parametrize("k", range(12))
def test_region_rasterising_gives_what_the_whole_canvas_gives(k):
    """preprocess_strokes draws only the drawing's region, at most RASTER_SIDE px: the 28×28 stays what
    rasterising the whole canvas at full size gives (seeded random digits, canvases and positions)."""
    from app.mnist.preprocess import preprocess_strokes

    rng = np.random.default_rng(k)
    canvas = int(rng.choice([140, 280, 600, 1200]))
    scale = rng.uniform(0.2, 1.0) * canvas / 280
    strokes = moved(FOUR if k % 2 else [[[90, 60], [200, 60], [120, 250]]], scale=scale,
                    dx=rng.uniform(0, canvas - 260 * scale), dy=rng.uniform(0, canvas - 260 * scale))
    full = preprocess(rasterize_strokes(strokes, canvas, canvas))
    region = preprocess_strokes(strokes, canvas, canvas)
    assert region["box"].shape == full["box"].shape and np.abs(region["box"] - full["box"]).mean() < 0.03
    assert region["center_of_mass"] == pytest.approx(full["center_of_mass"], abs=0.15)
    assert np.abs(np.subtract(region["offset"], full["offset"])).max() <= 1   # a centre of mass at .5 may round
    assert region["bbox"] == pytest.approx(full["bbox"], abs=max(2, 1.5 / region["raster_scale"]))
    assert max(region["ink"].shape) == min(canvas, 64) and region["ink_scale"] == min(1, 64 / canvas)


def test_strokes_far_outside_the_canvas_or_too_long_are_refused():
    from app.mnist.preprocess import preprocess_strokes

    with pytest.raises(EngineError) as e:
        preprocess_strokes([[[10, 10], [3e9, 10]]], 280, 280)
    assert e.value.field == "strokes.0.1" and "within 10 canvas sizes" in e.value.rule
    assert preprocess_strokes([[[2799, 10], [2790, 100]]], 280, 280) is None        # drawn off the canvas
    zigzag = [[[(i % 2) * 270.0, i * 0.01] for i in range(300)]]                   # 300 × 270 px ≈ 290 canvases
    with pytest.raises(EngineError) as e:
        preprocess_strokes(zigzag, 280, 280)
    assert e.value.field == "strokes" and "canvas sizes long" in e.value.rule


@pytest.mark.parametrize("seed", range(6))
def test_stroke_thickness_and_bounding_box_against_their_plain_definitions(seed):
    """The slicing in stroke_thickness (no padded copy) and the shared mask in bounding_box against the obvious
    forms: a pixel is inner when it and its 4 neighbours are ink, with paper all around the mask."""
    from app.mnist.preprocess import bounding_box, stroke_thickness

    rng = np.random.default_rng(seed)
    ink = rng.random((int(rng.integers(1, 40)), int(rng.integers(1, 40)))).astype(np.float32) ** (1 + seed)
    mask = ink > 0.25
    p = np.pad(mask, 1)
    inner = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    area = int(mask.sum())
    want = 2.0 * area / max(area - int(inner.sum()), 1) if area else 0.0
    assert stroke_thickness(mask) == want
    rows, cols = np.nonzero(mask)
    box = [int(rows.min()), int(cols.min()), int(rows.max()) + 1, int(cols.max()) + 1] if area else None
    assert bounding_box(ink) == bounding_box(ink, mask=mask) == box


@pytest.mark.parametrize("seed", range(4))
def test_fit_box_is_pillows_lanczos_resize(seed):
    """fit_box computes Pillow's float Lanczos resize as two matrix products: the same numbers to float32's last
    place or two, on seeded random crops of every aspect (thin, wide, tiny, up to 2.5× the drawing pad's region)."""
    rng = np.random.default_rng(seed)
    for _ in range(60):
        h, w = (int(v) for v in rng.integers(1, 320, 2))
        crop = (rng.random((h, w)) * (rng.random((h, w)) < 0.3)).astype(np.float32)
        new_h, new_w = max(1, round(h * 20 / max(h, w))), max(1, round(w * 20 / max(h, w)))
        pil = np.asarray(Image.fromarray(crop).resize((new_w, new_h), Image.Resampling.LANCZOS), dtype=np.float32)
        got = fit_box(crop)
        assert got.shape == (new_h, new_w) and max(got.shape) == 20
        np.testing.assert_allclose(got, np.clip(pil, 0, 1), rtol=0, atol=3e-7)


def test_lanczos_rows_sum_to_one_and_reach_three_lobes():
    m = lanczos_matrix(128, 20)  # shrinking by 6.4: each output reads ±3 · 6.4 input pixels around its centre
    np.testing.assert_allclose(m.sum(axis=1), 1, atol=1e-12)
    assert np.count_nonzero(m[10]) in (38, 39)
    assert np.argmax(m[10]) in (67, 68)            # the centre of output pixel 10 is input 10.5 · 6.4 = 67.2
    np.testing.assert_allclose(lanczos_matrix(5, 5), np.eye(5), atol=1e-15)  # same size: each pixel is itself



@pytest.mark.parametrize("canvas", [48, 64, 280, 600, 1960])
def test_ink_preview_is_the_canvas_drawn_small(canvas):
    """The strokes' ink preview (the whole canvas at ≤ 64 px) is sampled from the drawn region: against the whole
    canvas drawn at full size and averaged over each preview pixel by a plain loop (the same pixels when nothing
    is scaled), anywhere on the canvas."""
    from app.mnist.preprocess import preprocess_strokes

    rng = np.random.default_rng(canvas)
    side = min(canvas, 64)
    f = canvas / side
    shifts = []
    for _ in range(6):
        scale = rng.uniform(0.2, 0.9) * canvas / 280
        dx, dy = rng.uniform(0, canvas - 260 * scale, 2)
        strokes = moved(FOUR, scale=scale, dx=dx, dy=dy)
        got = preprocess_strokes(strokes, canvas, canvas)
        full = rasterize_strokes(strokes, canvas, canvas)
        want = np.zeros((side, side))
        for u in range(side):
            rows = np.arange(int(u * f), min(canvas, int(np.ceil((u + 1) * f))))
            wr = np.minimum(rows + 1, (u + 1) * f) - np.maximum(rows, u * f)
            for v in range(side):
                cols = np.arange(int(v * f), min(canvas, int(np.ceil((v + 1) * f))))
                wc = np.minimum(cols + 1, (v + 1) * f) - np.maximum(cols, v * f)
                want[u, v] = wr @ full[np.ix_(rows, cols)] @ wc / (f * f)
        assert got["ink"].shape == (side, side) and got["ink_scale"] == pytest.approx(1 / f)
        if canvas <= 64 and got["raster_scale"] == 1:
            np.testing.assert_array_equal(got["ink"], want)
        a, b = got["ink"] > 0.5, want > 0.5
        assert (a & b).sum() / (a | b).sum() > 0.7                          # the same strokes, to a pixel's edge
        assert abs(got["ink"].sum() / want.sum() - 1) < 0.2                 # as much ink
        shifts.append(np.subtract(center_of_mass(got["ink"]), center_of_mass(want)))
    # in place: Pillow draws canvas point x on pixel floor(x · scale), a bias of half a pixel of whichever raster
    # (region or full size) that shows as up to ~0.2 preview px; a wrong origin or sampling point shifts whole pixels
    assert np.abs(shifts).max() < 0.75 and np.abs(np.mean(shifts, axis=0)).max() < 0.25


def test_a_symmetric_box_is_placed_with_halves_rounded_up():
    """A box whose centre of mass is exactly halfway between pixels goes the same way every time (half up), not to
    the even offset as round() would."""
    from app.mnist.preprocess import place

    box = np.ones((20, 5), np.float32)                                   # centre of mass (9.5, 2.0)
    _, offset = place(box)
    assert offset == [5, 12]                                             # 14 - 9.5 = 4.5 -> 5; 14 - 2 = 12
    _, offset = place(np.ones((20, 4), np.float32))                     # (9.5, 1.5): 4.5 -> 5, 12.5 -> 13
    assert offset == [5, 13]


@pytest.mark.parametrize("canvas,size,line_width", [(600, 60, None), (2048, 120, None), (280, 160, 2.0)])
def test_a_thin_pen_still_shows_in_the_ink_preview(canvas, size, line_width):
    """Strokes thinner than a preview pixel or so would fall between the region's samples: they are drawn at the
    preview's scale instead, where every line keeps at least one pixel."""
    from app.mnist.preprocess import preprocess_strokes

    rng = np.random.default_rng(canvas)
    for _ in range(6):
        x, y = rng.uniform(size / 2 + 5, canvas - size / 2 - 5, 2)
        one = [[[x, y - size / 2], [x, y + size / 2]]]
        got = preprocess_strokes(one, canvas, canvas, line_width)
        assert got is not None and got["pixels"].sum() > 10              # the digit is read
        ink = got["ink"] > 0.5
        rows = np.flatnonzero(ink.any(axis=1))
        assert rows.size and rows[-1] - rows[0] + 1 >= size * got["ink_scale"] - 2   # the whole stroke shows


def _check_point_by_point(strokes, width, height):
    """check_strokes' per-point rule written as a plain loop (the reference for its whole-stroke fast path)."""
    reach = 10 * max(width, height)
    for i, stroke in enumerate(strokes):
        for j, p in enumerate(stroke):
            if (not isinstance(p, (list, tuple)) or len(p) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                               and -reach <= v <= reach and math.isfinite(v) for v in p)):
                return f"strokes.{i}.{j}"
    return None


BAD_VALUES = [True, False, None, "1", float("nan"), float("inf"), -float("inf"), 10 ** 400, -(10 ** 400), 2 ** 70,
              2801, -2801, 2800.0000001, [1], {"x": 1}]


@pytest.mark.parametrize("seed", range(6))
def test_point_checks_name_the_first_bad_point_as_a_plain_loop_does(seed):
    """check_strokes checks a JSON stroke with a few whole-stroke calls and falls back to a point-by-point loop:
    on random strokes with one or two bad points (wrong types, bools, NaN, infinities, integers beyond float64,
    values just past the reach of ±2800 for a 280 px canvas, points of 1 or 3 numbers, tuples) it refuses the same
    point as the plain loop, and otherwise returns the points as float64 exactly."""
    rng = np.random.default_rng(seed)
    for _ in range(300):
        strokes = [[[float(v) if rng.random() < 0.5 else int(v) for v in rng.integers(-2800, 2801, 2)]
                    for _ in range(int(rng.integers(0, 6)))] for _ in range(int(rng.integers(1, 4)))]
        for _ in range(int(rng.integers(0, 3))):
            s = strokes[int(rng.integers(len(strokes)))]
            if not s:
                continue
            j, kind = int(rng.integers(len(s))), rng.integers(4)
            s[j] = list(s[j])
            if kind == 0:
                s[j][int(rng.integers(len(s[j])))] = BAD_VALUES[int(rng.integers(len(BAD_VALUES)))]
            elif kind == 1:
                s[j] = s[j][:1] if rng.random() < 0.5 else [*s[j], 1]
            elif kind == 2:
                s[j] = tuple(s[j])
            else:
                s[j][0] = 2800 if rng.random() < 0.5 else -2800.0   # on the reach: allowed
        want = _check_point_by_point(strokes, 280, 280)
        if want is None:
            clean = check_strokes(strokes, 280, 280)
            expect = [np.array([[float(v) for v in p] for p in s]) for s in strokes if s]
            assert all(a.dtype == np.float64 and np.array_equal(a, b) for a, b in zip(clean, expect, strict=True))
        else:
            with pytest.raises(EngineError) as err:
                check_strokes(strokes, 280, 280)
            assert err.value.field == want, (strokes, want)


def test_paper_noise_is_dropped_as_np_where_drops_it():
    """prepare() zeroes ink of at most 0.02 in its crop by a product (a third of np.where's time): the same box,
    bit for bit, as the steps written with np.where, -0.0 included (np.where makes it 0.0), on ink with faint
    noise and negative zeros."""
    rng = np.random.default_rng(3)
    for k in range(20):
        ink = np.clip(rng.normal(0.0, 0.02, (60, 50)), 0, 1).astype(np.float32)
        rows = 20 if k % 2 else 40     # a crop of 20 rows is not resized: its zeros are the box's
        ink[10:10 + rows, 20:32] = rng.uniform(0.3, 1.0, (rows, 12)) * (rng.random((rows, 12)) < 0.8)
        ink[[10, 9 + rows], 20] = 1
        ink[ink == 0] = -0.0
        t, left, b, r = bounding_box(ink)
        crop = np.where(ink[t:b, left:r] > 0.02, ink[t:b, left:r], np.float32(0))
        want = fit_box(thicken(crop)[0])
        got = prepare(ink)["box"]
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
        assert np.signbit(want).sum() == 0


def _random_strokes(rng, width, height):
    strokes = []
    for _ in range(int(rng.integers(1, 4))):
        start = rng.uniform((0, 0), (width, height))
        steps = rng.normal(0, rng.uniform(1, 0.15 * max(width, height)), (int(rng.integers(1, 25)), 2))
        strokes.append((start + np.cumsum(steps, axis=0)).round(1).tolist())
    return strokes


def test_a_drawn_region_is_prepared_as_any_ink_map():
    """preprocess_strokes hands prepare() the image it drew (0 and 255 only), which gives the bounding box and skips
    the paper-noise step: every step equals prepare() on the ink map alone, for random drawings on random canvases
    (thin pens included, which are thickened)."""
    from app.mnist.preprocess import draw_image, ink_of

    rng = np.random.default_rng(11)
    compared = 0
    for _ in range(150):
        width, height = (int(v) for v in rng.integers(16, 900, 2))
        clean = check_strokes(_random_strokes(rng, width, height), width, height)
        pen = float(rng.choice([1.0, 3.0, rng.uniform(4, 40)]))
        img = draw_image(clean, (width, height), line_width=pen)
        ink = ink_of(img)
        assert set(np.unique(ink)) <= {0.0, 1.0}
        plain, drawn = prepare(ink), prepare(ink, drawn=img)
        assert (plain is None) == (drawn is None)
        if plain is None:
            continue
        compared += 1
        assert plain.keys() == drawn.keys()
        for key, value in plain.items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(drawn[key], value, err_msg=key)
                assert drawn[key].dtype == value.dtype
            else:
                assert drawn[key] == value, key
    assert compared > 100


def test_a_binary_map_is_written_as_orjson_writes_its_numbers():
    """inputs.binary_map builds the JSON of a map of 0.0s and 1.0s from a text of zeros: the same bytes as orjson
    writing the rounded float64 map, at every shape from 1×1 on; and the steps of a drawing say the same with it."""
    import orjson

    from app.mnist import inputs

    rng = np.random.default_rng(5)
    shapes = [(1, 1), (1, 7), (9, 1), (64, 64), (64, 23), (17, 64)] + [tuple(rng.integers(1, 65, 2)) for _ in range(20)]
    for h, w in shapes:
        a = (rng.random((h, w)) < rng.random()).astype(np.float32)
        want = orjson.dumps(np.round(a.astype(np.float64), 3), option=orjson.OPT_SERIALIZE_NUMPY)
        assert orjson.dumps(inputs.binary_map(a)) == want, (h, w)
    from app.mnist.preprocess import preprocess_strokes

    for _ in range(40):
        width, height = (int(v) for v in rng.integers(16, 1200, 2))
        result = preprocess_strokes(_random_strokes(rng, width, height), width, height)
        if result is None:
            continue
        fast = orjson.dumps(inputs.steps_json(result, (height, width), drawn=True), option=orjson.OPT_SERIALIZE_NUMPY)
        plain = orjson.dumps(inputs.steps_json(result, (height, width)), option=orjson.OPT_SERIALIZE_NUMPY)
        assert fast == plain


def _page(noise=0.0, seed=0):
    """The FOUR drawn dark on 245-grey paper in a 400×360 page, with Gaussian grain of `noise` grey levels."""
    ink = rasterize_strokes(FOUR, 280, 280, line_width=22)
    page = np.full((400, 360), 245.0)
    page[60:340, 40:320] -= 225 * ink
    page += np.random.default_rng(seed).normal(0, noise, page.shape) if noise else 0
    return Image.fromarray(np.clip(np.round(page), 0, 255).astype(np.uint8))


def test_grain_is_the_papers_noise_not_its_light_or_ink():
    from app.mnist.preprocess import grain

    rng = np.random.default_rng(1)
    flat = np.full((200, 300), 0.1, np.float32)
    assert grain(flat) == 0.0
    ramp = np.tile(np.linspace(0, 0.4, 300, dtype=np.float32), (200, 1))      # light falling across the page
    assert grain(ramp) < 0.002
    for sigma in (0.02, 0.06):
        noisy = flat + rng.normal(0, sigma, flat.shape).astype(np.float32)
        assert grain(noisy) == pytest.approx(sigma, rel=0.15)
        noisy[:, 140:160] = 1.0                                                  # a stroke through two edges
        assert grain(noisy) == pytest.approx(sigma, rel=0.2)


def test_grain_on_the_paper_is_not_ink():
    """A digit on paper with grain (a phone photo, a scan): before, the specks beyond 0.25 of the ink's contrast
    spread the bounding box over the page and the digit came out small; now it is cropped as on clean paper."""
    clean = preprocess(_page())
    assert clean["bbox"][0] >= 60 and clean["bbox"][2] <= 340
    for seed in range(3):
        noisy = preprocess(_page(noise=15, seed=seed))
        assert np.abs(np.subtract(noisy["bbox"], clean["bbox"])).max() <= 3, noisy["bbox"]
        assert np.abs(noisy["pixels"] - clean["pixels"]).mean() < 0.03


def test_clean_paper_keeps_the_plain_rule():
    """No grain, no change: the ink map is (paper − grey) / contrast with the border's median as the paper."""
    from app.mnist.preprocess import ink_map

    grey = np.asarray(_page(), np.float32) / 255
    ink, polarity, contrast = ink_map(_page())
    paper = float(np.median(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])))
    want = np.clip(((1 - grey) - (1 - paper)) / contrast, 0, 1)
    assert polarity == "dark-on-light" and contrast == pytest.approx(float((1 - grey).max()) - (1 - paper))
    np.testing.assert_array_equal(ink, want.astype(np.float32))


def test_a_scan_with_clear_corners_is_read_from_its_colours():
    """An opaque scan whose corners are transparent (rounded corners, a cut-out) was read from its alpha alone: the
    corners became the ink. Its opaque part holds a picture, so it is read on white; a transparent canvas with one
    colour of ink is still read from its alpha."""
    grey = np.asarray(_page(), np.uint8)
    rgba = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
    rgba[:12, :12, 3] = 0
    rgba[-12:, -12:, 3] = 0
    got, want = preprocess(Image.fromarray(rgba, "RGBA")), preprocess(_page())
    assert got["polarity"] == "dark-on-light" and got["bbox"] == want["bbox"]
    np.testing.assert_array_equal(got["pixels"], want["pixels"])
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = np.round(255 * rasterize_strokes(FOUR, 280, 280, line_width=22)).astype(np.uint8)
    assert preprocess(Image.fromarray(canvas, "RGBA"))["polarity"] == "alpha"


def _lit(page, low, angle):
    """The page lit unevenly: brightness falling linearly to `low` of itself across it, in direction `angle`."""
    g = np.asarray(page, np.float64)
    h, w = g.shape
    yy, xx = np.mgrid[0:h, 0:w]
    t = np.cos(angle) * (xx / w - 0.5) + np.sin(angle) * (yy / h - 0.5)
    t = (t - t.min()) / (t.max() - t.min())
    return Image.fromarray(np.clip(np.round(g * (1 - (1 - low) * t)), 0, 255).astype(np.uint8))


def test_light_falling_across_the_page_is_not_ink():
    """A photo of a page lit from one side: the dark side of the paper counted as ink and the crop took half the page.
    The plane through the border is taken out first; the digit is cropped as on evenly lit paper, in any direction,
    with grain too."""
    clean = preprocess(_page())
    for k, angle in enumerate(np.linspace(0, 2 * np.pi, 7)[:-1]):
        for page in (_page(), _page(noise=8, seed=k)):
            got = preprocess(_lit(page, 150 / 255, angle))
            assert np.abs(np.subtract(got["bbox"], clean["bbox"])).max() <= 3, (angle, got["bbox"])
            assert np.abs(got["pixels"] - clean["pixels"]).mean() < 0.03


def test_uneven_light_is_a_plane_through_paper_only():
    """uneven_light finds the plane under the ink, and gives None where the border is not all paper on a plane: a
    digit cropped tight to its edges, a sharp shadow, evenly lit paper."""
    from app.mnist.preprocess import uneven_light

    h, w = 120, 160
    yy, xx = np.mgrid[0:h, 0:w]
    plane = (0.05 + 0.3 * xx / (w - 1) + 0.1 * yy / (h - 1)).astype(np.float32)
    raw = plane.copy()
    raw[30:90, 60:70] = 0.9                                                  # a stroke inside the page
    np.testing.assert_allclose(uneven_light(raw), plane, atol=1e-5)
    tight = raw.copy()
    tight[:, 70:80] = 0.9                                                    # a stroke through two edges
    assert uneven_light(tight) is None
    shadow = np.full((h, w), 0.04, np.float32)
    shadow[xx + yy < 80] += 0.3                                              # a sharp shadow in a corner
    assert uneven_light(shadow) is None
    assert uneven_light(np.full((h, w), 0.04, np.float32)) is None           # even light
    assert uneven_light(np.full((h, w), 0.04, np.float32) + 0.07 * xx / (w - 1)) is None   # rises ≤ UNEVEN
    assert uneven_light(plane[:63, :63].copy()) is None                     # under PHOTO_MIN_SIDE: not a photo
    assert uneven_light(np.random.default_rng(0).random((8, 8)).astype(np.float32)) is None
    digit = np.zeros((64, 64), np.float32)
    digit[:, 24:40] = np.linspace(0, 1, 64)[:, None]                         # a tight crop touching top and bottom
    assert uneven_light(digit) is None


def test_a_small_digit_on_a_big_page_is_read():
    """A digit 40 px tall on an 800 px page (a phone photo of a page), shrunk to the 560 px work size as uploads are:
    its ink pixels were under the pad's rule (0.05% of the canvas), so it was "nothing drawn"; a picture asks for
    0.02%. A speck stays nothing."""
    from app.mnist.preprocess import INK_LEVEL, MIN_INK_FRACTION, MIN_PICTURE_INK, ink_map

    page = Image.new("L", (800, 800), 245)
    page.paste(_page().resize((36, 40), Image.Resampling.BOX), (500, 120))
    page.thumbnail((560, 560), Image.Resampling.BOX)
    inked = int((ink_map(page)[0] > INK_LEVEL).sum())
    assert MIN_PICTURE_INK * 560 * 560 <= inked < MIN_INK_FRACTION * 560 * 560
    got = preprocess(page)
    assert got is not None and max(got["box"].shape) == 20
    speck = Image.new("L", (560, 560), 245)
    speck.paste(30, (200, 200, 205, 205))                                  # 25 dark pixels: under 0.02% (62)
    assert preprocess(speck) is None


def _ruled(page, spacing=30, offset=7, level=170, grid=False, margin=None):
    g = np.asarray(page, np.float64).copy()
    yy, xx = np.mgrid[0:g.shape[0], 0:g.shape[1]]
    line = ((yy + offset) % spacing) < 2
    if grid:
        line |= ((xx + offset) % spacing) < 2
    if margin is not None:
        line |= (xx >= margin) & (xx < margin + 3)
    return Image.fromarray(np.where(line, np.minimum(g, level), g).astype(np.uint8))


@pytest.mark.parametrize("kind", ["ruled", "grid", "margin"])
def test_the_lines_of_ruled_paper_are_not_ink(kind):
    """A digit written on ruled (or squared) paper: the lines ran from edge to edge above the ink level, so the crop
    was the whole page. They are taken out (each by the lesser of its two neighbours, so the digit's strokes go on
    through them), and the digit is cropped as on plain paper; a margin line goes with the ruled lines."""
    clean = preprocess(_page())
    got = preprocess(_ruled(_page(), grid=kind == "grid", margin=20 if kind == "margin" else None))
    assert np.abs(np.subtract(got["bbox"], clean["bbox"])).max() <= 2, got["bbox"]
    assert np.abs(got["pixels"] - clean["pixels"]).mean() < 0.02


def test_a_digits_own_bars_are_not_ruled_lines():
    """without_ruled_lines leaves a digit alone: bars thicker than RULED_THIN of the side, fewer than RULED_MIN lines,
    even when each spans the picture from edge to edge (a tight crop of a 7, or of a 3)."""
    from app.mnist.preprocess import without_ruled_lines

    seven = np.zeros((60, 48), np.float32)
    seven[2:8, :] = 1                                                         # a 6-px bar across a tight crop
    seven[8:60, 30:36] = 1
    assert without_ruled_lines(seven) is seven
    thin = np.zeros((300, 200), np.float32)
    thin[[50, 150], :] = 0.8                                                  # two thin lines: not a ruled page
    thin[40:200, 90:96] = 1
    assert without_ruled_lines(thin) is thin
    thin[250, :] = 0.8                                                        # a third: ruled
    out = without_ruled_lines(thin)
    assert out[[50, 150, 250]].max(axis=1).tolist() == [1.0, 1.0, 0.0]       # the stroke crosses 50 and 150
    assert out[50, 90:96].min() == 1.0 and out[50, :90].max() == 0.0


def test_what_the_photo_steps_must_leave_alone():
    """Found by a review: clean pictures the photo steps misread. A small digit cropped tight (its soft edge is its
    border: no grain is measured under PHOTO_MIN_SIDE), a white pen or two pens on a clear canvas (a clear border:
    read from alpha), a '7' in a frame (frame and bar are not evenly spaced lines), and on ruled paper a '1' from top
    to bottom or a '7' whose bar spans the crop (not lines: off the lattice, and no margin in the middle)."""
    from app.mnist.preprocess import ink_map

    big = Image.new("L", (60, 90), 255)
    ImageDraw.Draw(big).ellipse((8, 8, 52, 82), outline=0, width=10)
    small = big.filter(ImageFilter.GaussianBlur(6)).resize((12, 18), Image.Resampling.LANCZOS)
    tight = small.crop(Image.eval(small, lambda v: 255 - v).getbbox())   # a soft '0' cropped to its faintest ink
    raw = 1.0 - np.asarray(tight, np.float32) / 255                        # the plain rule, dark on light
    paper = float(np.median(np.concatenate([raw[0], raw[-1], raw[:, 0], raw[:, -1]])))
    ink, _, contrast = ink_map(tight)
    assert contrast == float(raw.max()) - paper
    np.testing.assert_array_equal(ink, np.clip((raw - paper) / contrast, 0.0, 1.0).astype(np.float32))

    g = Image.new("L", (112, 112), 0)
    ImageDraw.Draw(g).line([(32, 28), (80, 28), (48, 84)], fill=255, width=12)
    white = g.resize((28, 28), Image.Resampling.LANCZOS)
    white.putalpha(white.copy())
    two = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    d = ImageDraw.Draw(two)
    d.line([(60, 60), (220, 60)], fill=(0, 0, 0, 255), width=18)
    d.line([(215, 60), (120, 240)], fill=(255, 200, 0, 255), width=18)
    for canvas in (white, two):
        assert ink_map(canvas)[1] == "alpha"
    assert preprocess(two)["bbox"][0] <= 52 and preprocess(two)["bbox"][2] >= 240   # the bar and the stem

    framed = Image.new("L", (200, 200), 255)
    d = ImageDraw.Draw(framed)
    d.rectangle([3, 3, 196, 196], outline=0, width=3)
    d.line([(40, 50), (160, 50), (90, 170)], fill=0, width=3)
    assert ink_map(framed)[0][50, 60:140].min() == 1.0                    # the 7's bar is still there

    one = Image.new("L", (400, 300), 255)
    d = ImageDraw.Draw(one)
    for y in range(15, 300, 30):
        d.line([(0, y), (400, y)], fill=170, width=2)
    d.line([(200, 0), (200, 300)], fill=0, width=6)
    assert preprocess(one)["bbox"] == [0, 198, 300, 204]                  # the 1, and not the lines
    seven = Image.new("L", (160, 300), 255)
    d = ImageDraw.Draw(seven)
    for y in range(15, 300, 30):
        d.line([(0, y), (160, y)], fill=170, width=2)
    d.line([(0, 60), (160, 60)], fill=0, width=5)
    d.line([(158, 60), (70, 280)], fill=0, width=5)
    ink = ink_map(seven)[0]
    assert ink[60, 10:150].min() == 1.0 and ink[45, 10:60].max() < 0.25   # the bar stays, the lines go
