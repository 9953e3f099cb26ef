"""Image filters: every preset and random kernels against a naive loop on the returned input, the trace of
one cell, the colour mapping, and the refusals."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import colormap
from app.engine.conv import conv2d_naive as correlate_naive
from app.engine.errors import EngineError
from app.engine.image_filter import PRESETS, correlate, filter_image, preset_kernel
from app.engine.numbers import fmt
from app.engine.padding import resolve_padding


def naive(x, K, padding, strides):
    """y[i, j, f] = Σ_a Σ_b Σ_c x[i·sh + a − top, j·sw + b − left, c] · K[a, b, c, f], zero outside x.

    Written without the engine's padding helpers: only resolve_padding's amounts (TensorFlow's rule, tested in
    test_padding.py). x (H, W, C), K (kh, kw, C, F)."""
    h, w, c = x.shape
    kh, kw, _, f = K.shape
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    p = resolve_padding(padding, (h, w), (kh, kw), (sh, sw))
    oh, ow = (h + p.top + p.bottom - kh) // sh + 1, (w + p.left + p.right - kw) // sw + 1
    y = np.zeros((oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            for k in range(f):
                total = 0.0
                for a in range(kh):
                    for b in range(kw):
                        r, s = i * sh + a - p.top, j * sw + b - p.left
                        if 0 <= r < h and 0 <= s < w:
                            total += float(x[r, s] @ K[a, b, :, k])
                y[i, j, k] = total
    return y


def as_hwc(x):
    return x if x.ndim == 3 else x[:, :, None]


def kernel_4d(result):
    """The kernel the result reports, as (kh, kw, C, F) for the reference (a 2-D kernel: per channel)."""
    K = np.asarray(result["kernel"], dtype=np.float64)
    if K.ndim == 4:
        return K
    c = 1 if result["channels"] == "gray" else 3
    return np.einsum("ab,cf->abcf", K, np.eye(c))  # the same 2-D kernel on each channel, channels kept apart


# ---- the presets --------------------------------------------------------------------------------------

def test_preset_numbers_are_the_documented_ones():
    third = np.full((3, 3), 1 / 9)
    assert np.array_equal(preset_kernel("identity"), [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert np.array_equal(preset_kernel("box_blur"), third)
    assert np.array_equal(preset_kernel("gaussian_blur"), np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    assert np.array_equal(preset_kernel("sharpen"), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    assert np.array_equal(preset_kernel("outline"), [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    assert np.array_equal(preset_kernel("sobel_x"), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert np.array_equal(preset_kernel("sobel_y"), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    assert np.array_equal(preset_kernel("emboss"), [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
    assert np.array_equal(preset_kernel("laplacian"), [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    sums = {name: float(preset_kernel(name).sum()) for name in PRESETS}
    assert sums == pytest.approx({"identity": 1, "box_blur": 1, "gaussian_blur": 1, "sharpen": 1, "outline": 0,
                                  "sobel_x": 0, "sobel_y": 0, "emboss": 1, "laplacian": 0})


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("channels", ["gray", "rgb"])
def test_every_preset_against_the_naive_loop(preset, channels):
    rng = np.random.default_rng(len(preset))
    x = rng.random((11, 14) if channels == "gray" else (11, 14, 3))
    r = filter_image(x, preset=preset)
    assert r["channels"] == channels and r["mode"] == ("single" if channels == "gray" else "per_channel")
    assert np.array_equal(r["input"], x)
    want = naive(as_hwc(r["input"]), kernel_4d(r), "same", 1)
    got = as_hwc(r["output"])
    assert got.shape == want.shape == (11, 14, 1 if channels == "gray" else 3)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, err_msg=f"mine vs naive loop, {preset} {channels}")
    assert r["output_range"] == [float(got.min()), float(got.max())]


def test_identity_returns_the_picture_and_sobel_finds_a_step_edge():
    x = np.array([[0, 0, 0, 1, 1]] * 4, dtype=np.float64)
    assert np.array_equal(filter_image(x, preset="identity")["output"], x)
    # valid: each window meets the columns j..j+2: (−1·x[j] + 1·x[j+2])·(1 + 2 + 1)
    r = filter_image(x, preset="sobel_x", padding="valid")
    assert r["output"].tolist() == [[0, 4, 4], [0, 4, 4]]
    assert filter_image(x, preset="sobel_y", padding="valid")["output"].tolist() == [[0, 0, 0], [0, 0, 0]]
    # 'same' pads one zero all round: column j reads (x[j + 1] − x[j − 1])·(1 + 2 + 1); the last column's right
    # neighbour is padding: (0 − 1)·4 = −4
    same = filter_image(x, preset="sobel_x")["output"]
    assert same[1].tolist() == [0, 0, 4, 4, -4]
    assert same[0].tolist() == [0, 0, 3, 3, -3]  # top row: the padding row above counts 0, leaving 2 + 1


# ---- random kernels, padding and strides ------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(10))
def test_random_kernels_padding_and_strides(seed):
    rng = np.random.default_rng(100 + seed)
    h, w = int(rng.integers(5, 16)), int(rng.integers(5, 16))
    kh, kw = int(rng.integers(1, min(h, 11) + 1)), int(rng.integers(1, min(w, 11) + 1))
    padding = [
        "valid", "same", "full", int(rng.integers(0, 4)),
        [[int(rng.integers(0, 4)), int(rng.integers(0, 4))], [int(rng.integers(0, 4)), int(rng.integers(0, 4))]],
    ][seed % 5]
    strides = [int(rng.integers(1, 4)), int(rng.integers(1, 4))] if seed % 2 else int(rng.integers(1, 4))
    cases = [
        (rng.random((h, w)), rng.normal(size=(kh, kw))),                 # grey, 2-D
        (rng.random((h, w, 3)), rng.normal(size=(kh, kw))),              # rgb, per channel
        (rng.random((h, w, 3)), rng.normal(size=(kh, kw, 3, int(rng.integers(1, 4))))),  # rgb, F filters
        (rng.random((h, w)), rng.normal(size=(kh, kw, 1, int(rng.integers(1, 4))))),     # grey, F filters
    ]
    for x, K in cases:
        r = filter_image(x, kernel=K.tolist(), padding=padding, strides=strides)
        np.testing.assert_array_equal(np.asarray(r["kernel"]), K)
        want = naive(as_hwc(r["input"]), kernel_4d(r), padding, strides)
        got = as_hwc(r["output"])
        assert got.shape == want.shape, (got.shape, want.shape, padding, strides)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12,
                                   err_msg=f"mine vs naive: x {x.shape}, K {K.shape}, {padding}, {strides}")
        assert r["output_shape"] == list(r["output"].shape)


def test_tap_sum_matches_conv2d_and_the_naive_loop():
    """correlate sums the kernel's taps; conv.conv2d builds the window matrix: the same numbers."""
    from app.engine.conv import conv2d

    rng = np.random.default_rng(7)
    for shape, kernel, strides in (((80, 23, 3), (4, 3, 3, 2), (2, 3)), ((17, 19, 1), (5, 2, 1, 1), (1, 1)),
                                   ((12, 12, 1), (3, 3, 1, 3), (3, 1))):
        xp, W = rng.random(shape), rng.normal(size=kernel)
        want = correlate_naive(xp, W, strides)
        np.testing.assert_allclose(correlate(xp, W, strides), want, rtol=0, atol=1e-12)
        np.testing.assert_allclose(conv2d(xp, W, strides), want, rtol=0, atol=1e-12)


def test_multiply_adds_are_capped():
    from app.engine.limits import FILTER_MAX_MACS

    big = np.zeros((512, 512, 3))
    with pytest.raises(EngineError) as e:
        filter_image(big, kernel=np.ones((11, 11, 3, 3)).tolist())
    assert e.value.field == "kernel" and f"{FILTER_MAX_MACS:,}" in e.value.rule
    assert filter_image(big, kernel=np.ones((11, 11)).tolist())["output_shape"] == [512, 512, 3]


# ---- the trace of one cell ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["gray", "per_channel", "filters", "gray_filters"])
def test_step_at_a_cell_is_that_cells_arithmetic(case):
    rng = np.random.default_rng(3)
    x = rng.random((9, 12)) if case.startswith("gray") else rng.random((9, 12, 3))
    kernel = {"gray": rng.normal(size=(3, 4)), "per_channel": rng.normal(size=(3, 3)),
              "filters": rng.normal(size=(3, 3, 3, 2)), "gray_filters": rng.normal(size=(2, 3, 1, 3))}[case]
    strides, padding = [2, 1], [[1, 0], [2, 1]]
    for at in ([0, 0], [2, 5], [3, 11]):
        r = filter_image(x, kernel=kernel.tolist(), padding=padding, strides=strides, at=at)
        out = as_hwc(r["output"])
        i, j = at
        assert r["at"] == at and len(r["steps"]) == out.shape[2]
        kh, kw = kernel.shape[:2]
        top, left = r["padding"]["top"], r["padding"]["left"]
        xp = np.pad(as_hwc(x), ((top, r["padding"]["bottom"]), (left, r["padding"]["right"]), (0, 0)))
        for f, step in enumerate(r["steps"]):
            assert step["index"] == ([i, j] if case == "gray" else [i, j, f])
            assert step["value"] == pytest.approx(out[i, j, f], abs=0) and step["pre_activation"] == step["value"]
            assert step["sum"] == pytest.approx(out[i, j, f], abs=1e-12)
            assert step["window"][0] == [i * 2, j] and len(step["window"]) == kh * kw  # padded coordinates
            rows = [[xp[a, b] for a, b in step["window"][m * kw:(m + 1) * kw]] for m in range(kh)]
            inputs = np.asarray(step["inputs"])
            if case in ("per_channel",):
                np.testing.assert_array_equal(inputs, np.asarray(rows)[:, :, f])
            elif case == "filters":
                np.testing.assert_array_equal(inputs, np.asarray(rows))
            else:
                np.testing.assert_array_equal(inputs.reshape(kh, kw), np.asarray(rows)[:, :, 0])
            assert step["formula"].endswith(f"= {fmt(step['value'])}")
            assert step["bias"] == 0


def test_step_of_a_preset_on_the_lecture_scale():
    x = np.zeros((5, 5))
    x[:, 2:] = 1.0
    r = filter_image(x, preset="sobel_x", at=[2, 1])
    (step,) = r["steps"]
    assert step["value"] == 4 and step["index"] == [2, 1]
    assert step["formula"] == "(0×(-1) + 0×0 + 1×1) + (0×(-2) + 0×0 + 1×2) + (0×(-1) + 0×0 + 1×1) = 1 + 2 + 1 = 4"


# ---- the colour mapping ---------------------------------------------------------------------------------

def test_blurs_are_shown_in_grey_on_the_pictures_own_scale():
    x = np.random.default_rng(1).random((6, 7))
    r = filter_image(x, preset="gaussian_blur")
    m = r["mapping"]
    assert (m["name"], m["domain"], m["channels"], m["clipped"]) == ("gray", [0.0, 1.0], "gray",
                                                                     {"below": 0, "above": 0})
    levels = np.floor(r["output"] * 255 + 0.5)
    assert np.array_equal(r["visual"][:, :, 0], levels) and np.array_equal(r["visual"][:, :, 2], levels)


def test_sharpen_is_grey_and_clipped():
    x = np.random.default_rng(2).random((8, 8))
    r = filter_image(x, preset="sharpen")
    y = r["output"]
    assert r["mapping"]["name"] == "gray"
    assert r["mapping"]["clipped"] == {"below": int((y < 0).sum()), "above": int((y > 1).sum())}
    assert sum(r["mapping"]["clipped"].values()) > 0
    assert np.array_equal(r["visual"][:, :, 1], np.floor(np.clip(y, 0, 1) * 255 + 0.5))


def test_edges_use_the_diverging_palette():
    y = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0, 0.5]])
    rgb, m, (index, palette) = colormap.colorize(y, "auto", kernel_sums=np.zeros(1))
    # |y| = 2, 1, 0, 1, 2, 0.5: its 99th percentile is 2
    assert (m["name"], m["domain"], m["colors"], m["steps"]) == (
        "diverging", [-2.0, 2.0], [[33, 102, 172], [247, 247, 247], [230, 97, 1]], 127)
    assert index.tolist() == [[1, 64, 128, 192, 255, 160]]   # 128 ± ⌊127·|v|/2 + 0.5⌋
    assert np.array_equal(rgb, palette[index])
    assert rgb[0, 0].tolist() == [33, 102, 172] and rgb[0, 2].tolist() == [247, 247, 247]
    assert rgb[0, 4].tolist() == [230, 97, 1]
    # −1: 64 steps of 127 towards blue: 247 + (33 − 247)·64/127 = 139.16 -> 139, 173.93 -> 174, 209.20 -> 209
    assert rgb[0, 1].tolist() == [139, 174, 209]
    # +1: 247 − 17·64/127 = 238.43 -> 238, 247 − 150·64/127 = 171.41 -> 171, 247 − 246·64/127 = 123.03 -> 123
    assert rgb[0, 3].tolist() == [238, 171, 123]
    r = filter_image(np.random.default_rng(3).random((6, 6)), preset="sobel_y")
    assert r["mapping"]["name"] == "diverging"
    assert r["mapping"]["domain"][1] == np.percentile(np.abs(r["output"]), 99, method="nearest")


@pytest.mark.parametrize("n", [1, 2, 7, 100, 101, 1000, 4097])
def test_scale_is_numpys_nearest_percentile(n):
    y = np.random.default_rng(n).normal(size=n)
    assert colormap.scale(y) == np.percentile(np.abs(y), 99, method="nearest")


def test_a_few_strong_edges_do_not_wash_out_the_rest():
    y = np.zeros((20, 50))
    y[5:7] = 1.0                                                  # 100 ordinary edges
    y[0, 0] = 100.0                                               # and one huge one: the 99th percentile is 1
    rgb, m, _ = colormap.colorize(y, "diverging")
    assert m["domain"] == [-1.0, 1.0] and m["clipped"] == {"below": 0, "above": 1}
    assert rgb[5, 3].tolist() == [230, 97, 1] and rgb[0, 0].tolist() == [230, 97, 1]   # both full orange
    sparse = np.zeros((10, 10))
    sparse[3, 3] = -0.25                                          # the percentile is 0: the largest |v| instead
    assert colormap.colorize(sparse, "diverging")[1]["domain"] == [-0.25, 0.25]


def test_several_channels_become_red_green_blue():
    x = np.random.default_rng(4).random((6, 6, 3))
    r = filter_image(x, preset="sobel_x")
    assert (r["mapping"]["name"], r["mapping"]["channels"]) == ("signed", "rgb")
    m = r["mapping"]["domain"][1]
    assert np.array_equal(r["visual"], np.floor(np.clip(0.5 + r["output"] / (2 * m), 0, 1) * 255 + 0.5))
    two = filter_image(x, kernel=np.ones((1, 1, 3, 2)).tolist(), padding="valid")  # sums up to 3: normalised
    assert (two["mapping"]["name"], two["mapping"]["channels"]) == ("normalize", "rg")
    assert np.all(two["visual"][:, :, 2] == 0)
    lo, hi = two["mapping"]["domain"]
    assert np.array_equal(two["visual"][:, :, :2], np.floor((two["output"] - lo) / (hi - lo) * 255 + 0.5))
    grey_copy = filter_image(x, kernel=(np.eye(3)[None, None]).tolist())  # (1, 1, 3, 3): the picture itself
    assert np.array_equal(grey_copy["visual"], np.floor(x * 255 + 0.5))


def test_display_can_be_chosen():
    x = np.random.default_rng(5).random((5, 5))
    assert filter_image(x, preset="sobel_x", display="gray")["mapping"]["name"] == "gray"
    r = filter_image(x, preset="box_blur", display="normalize")
    assert r["mapping"]["domain"] == r["output_range"]
    assert r["visual"].min() == 0 and r["visual"].max() == 255
    flat = filter_image(np.full((4, 4), 0.5), preset="outline", display="diverging", padding="valid")
    assert np.all(flat["visual"] == 247) and flat["mapping"]["domain"] == [0.0, 0.0]


# ---- refusals ---------------------------------------------------------------------------------------

GREY = np.zeros((6, 6))


@pytest.mark.parametrize("kwargs, field, rule", [
    ({"image": GREY}, "kernel", "give a kernel (numbers) or a preset"),
    ({"image": GREY, "kernel": [[1]], "preset": "sharpen"}, "kernel", "give either a kernel"),
    ({"image": GREY, "preset": "blur"}, "preset", "must be one of identity, box_blur"),
    ({"image": GREY, "kernel": np.ones((12, 3)).tolist()}, "kernel", "axis 0 has 12 items; the cap is 11"),
    ({"image": GREY, "kernel": np.ones((3, 3, 1, 4)).tolist()}, "kernel", "axis 3 has 4 items; the cap is 3"),
    ({"image": GREY, "kernel": np.ones((3, 3, 3, 1)).tolist()}, "kernel", "has 3 input channel(s) but the picture"),
    ({"image": GREY, "kernel": [[float("nan")]]}, "kernel", "must contain only finite numbers"),
    ({"image": GREY, "kernel": [1, 2, 3]}, "kernel", "must be a 2-D or 4-D array"),
    ({"image": GREY + 1.5, "preset": "sharpen"}, "image", "pixel values must lie within 0..1"),
    ({"image": np.zeros((6, 6, 4)), "preset": "sharpen"}, "image", "must be (H, W) grey or (H, W, 3) rgb"),
    ({"image": np.zeros((513, 2)), "preset": "sharpen"}, "image", "must be 1 to 512 pixels on each side"),
    ({"image": np.full((3, 3), np.nan), "preset": "sharpen"}, "image", "must contain only finite numbers"),
    ({"image": "abc", "preset": "sharpen"}, "image", "must be a number or a list of numbers"),
    ({"image": GREY, "preset": "sharpen", "strides": 0}, "strides", "must be between 1 and 8"),
    ({"image": GREY, "preset": "sharpen", "strides": [1, 9]}, "strides.1", "must be between 1 and 8"),
    ({"image": GREY, "preset": "sharpen", "padding": 33}, "padding", "at most 32 cells on a side"),
    ({"image": GREY, "preset": "sharpen", "padding": "mirror"}, "padding", "must be one of"),
    ({"image": np.zeros((2, 2)), "preset": "sharpen", "padding": "valid"}, "kernel", "the kernel is 3×3 but"),
    ({"image": GREY, "preset": "sharpen", "at": [6, 0]}, "at.0", "must be between 0 and 5"),
    ({"image": GREY, "preset": "sharpen", "at": [0, True]}, "at.1", "must be an integer"),
    ({"image": GREY, "preset": "sharpen", "at": 3}, "at", "must be [row, col]"),
    ({"image": GREY, "preset": "sharpen", "display": "jet"}, "display", "must be one of auto, gray"),
])
def test_refusals_name_the_field(kwargs, field, rule):
    with pytest.raises(EngineError) as err:
        filter_image(**kwargs)
    assert err.value.field == field and err.value.rule.startswith(rule), (err.value.field, err.value.rule)


def test_the_largest_weights_stay_finite():
    # weights up to ±1e9 (MAX_ABS) on pixels up to 1: at most 11·11·3·1e9, far from overflow
    big = filter_image(np.ones((4, 4)), kernel=np.full((3, 3), 1e9).tolist(), padding="valid")
    assert big["output"].tolist() == [[9e9, 9e9], [9e9, 9e9]]
    assert big["mapping"]["name"] == "normalize" and np.all(big["visual"] == 0)


def test_step_terms_rebuild_the_formula():
    """The step vocabulary's terms (added to conv2d_steps for API 0.2) come with the filter's steps too."""
    x = np.random.default_rng(8).random((6, 6, 3))
    r = filter_image(x, kernel=np.ones((2, 2, 3, 2)).tolist(), at=[1, 2])
    if "terms" not in r["steps"][0]:
        pytest.skip("this engine's conv2d_steps has no terms yet")
    for step in r["steps"]:
        assert "".join(step["terms"]) == step["formula"] and len(step["terms"]) == 2 * 2 * 3 + 1
