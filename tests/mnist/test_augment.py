"""Augmentation (app/mnist/augment.py): shapes, ranges, determinism with a seed and exact values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.mnist import augment as A

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "mnist_test_sample.npz"


@pytest.fixture(scope="module")
def digits():
    d = np.load(SAMPLE)
    return d["images"][:64].astype(np.float32) / 255, d["labels"][:64].astype(np.int64)


def point(r, c, n=1, size=28):
    x = np.zeros((n, size, size), np.float32)
    x[:, r, c] = 1
    return x


def test_bilinear_is_exact_on_grid_points_and_linear_in_between():
    rng = np.random.default_rng(0)
    x = rng.random((2, 5, 6)).astype(np.float32)
    yy, xx = np.meshgrid(np.arange(5.0), np.arange(6.0), indexing="ij")
    np.testing.assert_array_equal(A.bilinear(x, yy[None] + 0 * x, xx[None] + 0 * x), x)
    half = A.bilinear(x, yy[None, :4, :5] + 0.5, xx[None, :4, :5] + 0.5)
    expected = (x[:, :4, :5] + x[:, 1:, :5] + x[:, :4, 1:] + x[:, 1:, 1:]) / 4
    np.testing.assert_allclose(half, expected, rtol=1e-6)
    outside = A.bilinear(x, np.full((2, 1, 1), -3.0), np.full((2, 1, 1), 2.0))
    np.testing.assert_array_equal(outside, 0)  # zero outside the image


def test_warp_identity_and_a_known_scale():
    rng = np.random.default_rng(1)
    x = rng.random((3, 28, 28)).astype(np.float32)
    same = A.warp(x, np.random.default_rng(0))
    np.testing.assert_allclose(same, x, atol=1e-5)
    ramp = np.tile(np.arange(28, dtype=np.float32) / 27, (1, 28, 1))  # x[i, j] = j / 27
    half = A.warp(ramp, np.random.default_rng(0), scale=(0.5, 0.5))
    # output column j reads input column 2·(j − 13.5) + 13.5; the ramp is linear, so bilinear is exact
    for j in (10, 14, 17):
        assert half[0, 14, j] == pytest.approx((2 * (j - 13.5) + 13.5) / 27, abs=1e-5)


def test_warp_shapes_range_and_determinism(digits):
    x, _ = digits
    settings = {"rotate_deg": 15, "shear": 0.3, "scale": (0.8, 1.1), "aspect": 0.2, "shift": 2, "elastic": 1.5,
                "small_p": 0.2}
    a = A.warp(x, np.random.default_rng(5), **settings)
    b = A.warp(x, np.random.default_rng(5), **settings)
    c = A.warp(x, np.random.default_rng(6), **settings)
    assert a.shape == x.shape and a.dtype == np.float32
    assert a.min() >= 0 and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    ink = a.sum(axis=(1, 2)) / x.sum(axis=(1, 2))
    assert np.median(ink) > 0.7  # the digit stays in the field


def test_elastic_field_is_bounded_and_smooth():
    dy, dx = A.elastic_field(8, 28, 28, np.random.default_rng(2), 1.5, 4)
    assert dy.shape == dx.shape == (8, 28, 28) and dy.dtype == np.float32
    assert np.abs(dy).max() <= 1.5 + 1e-6 and np.abs(dx).max() <= 1.5 + 1e-6
    assert np.abs(np.diff(dy, axis=1)).max() < 1.5 * 2 / 9 + 1e-5  # linear between 4 control points
    zero = A.elastic_field(2, 5, 5, np.random.default_rng(2), 0)
    assert not zero[0].any() and not zero[1].any()


def test_dilate_and_erode_values():
    x = point(10, 12)
    d = A.dilate(x)
    assert d.sum() == 9 and d[0, 9:12, 11:14].min() == 1
    np.testing.assert_array_equal(A.erode(d), x)  # a 3×3 square erodes back to its centre
    grey = np.zeros((1, 5, 5), np.float32)
    grey[0, 2, 2], grey[0, 2, 3] = 0.4, 0.9
    assert A.dilate(grey)[0, 1, 1] == pytest.approx(0.4) and A.dilate(grey)[0, 1, 2] == pytest.approx(0.9)
    assert A.erode(grey).max() == 0


def test_pen_width_thins_or_thickens_a_share(digits):
    x, _ = digits
    rng_seed = 3
    out = A.pen_width(x, np.random.default_rng(rng_seed), p=1.0)
    np.testing.assert_array_equal(out, A.pen_width(x, np.random.default_rng(rng_seed), p=1.0))
    assert out.min() >= 0 and out.max() <= 1
    ink_before, ink_after = x.sum(axis=(1, 2)), out.sum(axis=(1, 2))
    assert (ink_after < ink_before).any() and (ink_after > ink_before).any()
    np.testing.assert_array_equal(A.pen_width(x, np.random.default_rng(0), p=0.0), x)
    # the exact blend: u from the generator's second draw
    rng = np.random.default_rng(4)
    pick, u = rng.random(1), rng.uniform(0.3, 0.8, 1)
    one = A.pen_width(x[:1], np.random.default_rng(4), p=1.0)
    grow = A.erode if pick[0] < 0.5 else A.dilate
    np.testing.assert_allclose(one, x[:1] + u[0] * (grow(x[:1]) - x[:1]), rtol=1e-6)


def test_blur_keeps_the_ink_and_spreads_it():
    x = point(14, 14, n=4)
    out = A.blur(x, np.random.default_rng(0), p=1.0)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), 1, rtol=1e-6)  # the binomial kernel sums to 1
    assert (out[:, 13, 13] > 0).all() and (out[:, 14, 14] < 1).all()
    rng = np.random.default_rng(0)
    rng.random(4)
    u = rng.uniform(0.5, 1.0, 4)
    np.testing.assert_allclose(out[:, 14, 14], 1 - u * (1 - 4 / 16), rtol=1e-6)  # centre weight 4/16
    np.testing.assert_array_equal(A.blur(x, np.random.default_rng(0), p=0.0), x)


def test_draw_segments_values():
    x = np.zeros((1, 28, 28), np.float32)
    out = A.draw_segments(x, np.array([[10.0, 5.0, 10.0, 20.0]]), np.array([2.0]))
    assert out[0, 10, 12] == 1 and out[0, 11, 12] == pytest.approx(0.5) and out[0, 12, 12] == 0
    assert out[0, 10, 3] == 0 and out[0, 10, 21] == pytest.approx(0.5)  # round ends, 1 px past the end


def test_serif_ones_and_crossed_sevens_add_ink_only_to_their_digit(digits):
    x, y = digits
    assert (y == 1).any() and (y == 7).any()
    ones = A.add_serif_ones(x, y, np.random.default_rng(0), p=1.0)
    sevens = A.add_crossed_sevens(x, y, np.random.default_rng(0), p=1.0)
    for out, label in ((ones, 1), (sevens, 7)):
        assert out.shape == x.shape and out.dtype == np.float32 and out.max() <= 1
        np.testing.assert_array_equal(out[y != label], x[y != label])
        assert (out >= x).all()
        added = (out - x)[y == label].sum(axis=(1, 2))
        assert (added > 1.5).all(), added  # every one of them got a stroke of a few pixels
    np.testing.assert_array_equal(A.add_serif_ones(x, y, np.random.default_rng(0), p=0.0), x)


def test_augment_pipeline(digits):
    x, y = digits
    a = A.augment(x, y, np.random.default_rng(7))
    np.testing.assert_array_equal(a, A.augment(x, y, np.random.default_rng(7)))
    assert a.shape == x.shape and a.dtype == np.float32
    assert a.min() >= 0 and a.max() <= 1
    np.testing.assert_allclose(a.max(axis=(1, 2)), 1, rtol=1e-6)  # normalised like the drawing pad
    assert not np.allclose(a, A.augment(x, y, np.random.default_rng(8)))
    off = {**A.AUGMENT, **dict.fromkeys(A.STRENGTHS, 0), "scale": [1, 1]}
    np.testing.assert_allclose(A.augment(x, y, np.random.default_rng(7), off), A.normalise(x), atol=1e-5)


def test_low_resolution_values():
    m = A._area_matrix(28, 14)
    np.testing.assert_allclose(m.sum(axis=1), 1)
    np.testing.assert_allclose(m[3, 6:8], [0.5, 0.5])  # 28 -> 14: each small pixel is the mean of two
    flat = np.full((3, 28, 28), 0.5, np.float32)
    np.testing.assert_allclose(A.low_resolution(flat, np.random.default_rng(0), p=1.0), 0.5, rtol=1e-5)
    x = point(14, 14, n=3)
    a = A.low_resolution(x, np.random.default_rng(1), p=1.0)
    np.testing.assert_array_equal(a, A.low_resolution(x, np.random.default_rng(1), p=1.0))
    assert a.shape == x.shape and a.dtype == np.float32 and (a[:, 14, 14] < 1).all() and (a[:, 13, 13] > 0).all()
    assert 0.5 < float(a[0].sum()) < 2  # the ink is spread, not lost
    np.testing.assert_array_equal(A.low_resolution(x, np.random.default_rng(1), p=0.0), x)


def test_thicker_pens_take_whole_dilations_then_a_blend(digits):
    """thick maps the same uniform draw u from `amount` onto another range for the thicker pens: above 1, that many
    whole 3×3 dilations, then a blend of one more (the thinner pens are unchanged); thick equal to amount is the
    plain blend, the same bits."""
    x, _ = digits
    amount, thick = (0.3, 0.8), (0.3, 1.8)
    n = len(x)
    rng = np.random.default_rng(9)
    pick, u = rng.random(n), rng.uniform(*amount, n).astype(np.float32)
    got = A.pen_width(x, np.random.default_rng(9), p=1.0, amount=amount, thick=thick)
    plain = A.pen_width(x, np.random.default_rng(9), p=1.0, amount=amount)
    np.testing.assert_array_equal(A.pen_width(x, np.random.default_rng(9), p=1.0, amount=amount, thick=amount), plain)
    grown = 0
    for i in range(n):
        if pick[i] < 0.5:                                                  # thinner: as before
            np.testing.assert_array_equal(got[i], plain[i])
            continue
        v = thick[0] + (u[i] - amount[0]) * (thick[1] - thick[0]) / (amount[1] - amount[0])
        img = x[i:i + 1]
        for _ in range(int(np.floor(v))):
            img = A.dilate(img)
        frac = v - np.floor(v)
        np.testing.assert_allclose(got[i], (img + frac * (A.dilate(img) - img))[0], rtol=1e-5, atol=1e-6)
        grown += v >= 1
    assert grown >= 1                                                      # the case above 1 was met


def test_annealed_settings():
    s = A.AUGMENT
    assert A.annealed(s, 0.0) == {**s, "scale": s["scale"]}
    assert A.annealed(s, s["anneal"]["from"])["rotate_deg"] == pytest.approx(s["rotate_deg"])
    end = A.annealed(s, 1.0)
    k = s["anneal"]["to"]
    for key in A.STRENGTHS:
        assert end[key] == pytest.approx(s[key] * k), key
    assert end["scale"] == pytest.approx([1 - (1 - s["scale"][0]) * k, 1 + (s["scale"][1] - 1) * k])
    middle = A.annealed(s, (s["anneal"]["from"] + 1) / 2)
    assert middle["shear"] == pytest.approx(s["shear"] * (1 + k) / 2)
