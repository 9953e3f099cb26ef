"""A decoded picture -> the filter's float array (app/imaging/resize.py), colour pixels -> PNG (png.py), and
the bundled photos with their licences."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.engine.errors import EngineError
from app.engine.image_filter import filter_image
from app.imaging.png import encode_png, filter_png, png_data_url
from app.imaging.resize import scaled_size, to_array

PHOTOS = Path(__file__).resolve().parents[2] / "static" / "img" / "photos"


@pytest.mark.parametrize("size, max_side, expected", [
    ((1000, 500), 512, (512, 256)),     # the longer side becomes max_side, the aspect ratio stays
    ((500, 1000), 512, (256, 512)),
    ((4096, 3), 512, (512, 1)),         # never 0 pixels
    ((300, 200), 512, (300, 200)),      # small pictures keep their size: never upscaled
    ((512, 512), 512, (512, 512)),
    ((640, 427), 512, (512, 342)),      # 427·0.8 = 341.6 -> 342
    ((640, 427), 100, (100, 67)),
])
def test_scaled_size(size, max_side, expected):
    assert scaled_size(*size, max_side) == expected
    img = Image.new("RGB", size, (10, 20, 30))
    assert to_array(img, "rgb", max_side).shape == (expected[1], expected[0], 3)
    assert to_array(img, "gray", max_side).shape == (expected[1], expected[0])


def test_grey_is_pillows_luma_and_values_are_levels_over_255():
    img = Image.new("RGB", (4, 3), (255, 0, 0))
    assert np.all(to_array(img, "gray") == 76 / 255)   # round(0.299·255) = 76, as Pillow's "L"
    img = Image.new("RGB", (4, 3), (10, 200, 30))
    assert np.all(to_array(img, "rgb") == np.array([10, 200, 30]) / 255)
    grey = Image.new("L", (4, 3), 128)
    assert np.all(to_array(grey, "rgb") == 128 / 255) and to_array(grey, "rgb").shape == (3, 4, 3)


def test_scaling_down_averages_with_lanczos():
    stripes = np.zeros((64, 64), np.uint8)
    stripes[:, ::2] = 255                                    # 1-pixel stripes average to mid grey
    x = to_array(Image.fromarray(stripes), "gray", 16)
    assert x.shape == (16, 16) and abs(float(x[4:12, 4:12].mean()) - 0.5) < 0.02


def test_transparency_is_laid_over_white():
    img = Image.new("RGBA", (3, 2), (0, 0, 0, 0))
    img.putpixel((0, 0), (0, 0, 0, 255))
    x = to_array(img, "gray")
    assert x[0, 0] == 0 and np.all(x.ravel()[1:] == 1.0)
    p = Image.new("P", (2, 2), 0)
    p.putpalette([0, 0, 0, 255, 255, 255])
    p.info["transparency"] = 0
    assert np.all(to_array(p, "gray") == 1.0)


def test_sixteen_bit_pictures_keep_their_precision():
    a = np.array([[0, 32768], [65535, 1000]], dtype=np.uint16)
    x = to_array(Image.fromarray(a), "gray")
    np.testing.assert_allclose(x, a / 65535, atol=1e-6)
    assert to_array(Image.fromarray(a), "rgb").shape == (2, 2, 3)


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (40, 20), (0, 0, 0))
    img.paste((255, 255, 255), (0, 0, 10, 20))                # white on the left
    exif = Image.Exif()
    exif[0x0112] = 6                                          # "rotate 90° clockwise to display"
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif, quality=95)
    x = to_array(Image.open(io.BytesIO(buf.getvalue())), "gray")
    assert x.shape == (40, 20)                                # stood up
    assert x[:8].mean() > 0.9 and x[-8:].mean() < 0.1         # the left edge is now the top


@pytest.mark.parametrize("kwargs, field, rule", [
    ({"channels": "bgr"}, "channels", "must be one of gray, rgb"),
    ({"max_side": 0}, "max_side", "must be between 1 and 512"),
    ({"max_side": 513}, "max_side", "must be between 1 and 512"),
    ({"max_side": True}, "max_side", "must be an integer"),
    ({"max_side": 12.5}, "max_side", "must be an integer"),
])
def test_refusals(kwargs, field, rule):
    with pytest.raises(EngineError) as err:
        to_array(Image.new("L", (4, 4)), **kwargs)
    assert err.value.field == field and err.value.rule.startswith(rule)


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "RGBA", "RGBX", "LA", "PA", "CMYK", "YCbCr", "HSV", "I",
                                  "I;16", "I;16B", "F"])
def test_every_mode_a_decoder_gives_becomes_numbers_in_0_1(mode):
    img = Image.new(mode, (6, 5))
    for channels, shape in (("gray", (5, 6)), ("rgb", (5, 6, 3))):
        x = to_array(img, channels)
        assert x.shape == shape and x.dtype == np.float64 and 0 <= x.min() <= x.max() <= 1
    assert np.all(to_array(Image.new("CMYK", (2, 2), (0, 0, 0, 0)), "gray") == 1.0)  # no ink: white


def test_modes_without_a_colour_meaning_are_refused():
    for mode in ("LAB", "La"):
        with pytest.raises(EngineError) as err:
            to_array(Image.new(mode, (3, 3)), "gray")
        assert err.value.field == "image" and mode in err.value.rule


def test_pictures_over_the_cap_are_refused_before_any_work():
    for size in ((4097, 1), (1, 4097)):
        with pytest.raises(EngineError) as err:
            to_array(Image.new("L", size), "gray")
        assert err.value.field == "image" and "the cap is 4096×4096" in err.value.rule
    with pytest.raises(EngineError):
        to_array(np.zeros((4, 4)), "gray")


def test_png_round_trip():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(encode_png(rgb))).convert("RGB"))
    assert np.array_equal(back, rgb)
    grey = np.repeat(rng.integers(0, 256, (5, 6, 1), dtype=np.uint8), 3, axis=2)
    decoded = Image.open(io.BytesIO(encode_png(grey)))
    assert decoded.mode == "L" and np.array_equal(np.asarray(decoded.convert("RGB")), grey)
    url = png_data_url(rgb)
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == encode_png(rgb)
    with pytest.raises(ValueError):
        encode_png(rgb.astype(np.float64))


@pytest.mark.parametrize("preset, mode", [("sobel_x", "P"), ("gaussian_blur", "L")])
def test_filter_png_is_one_byte_a_pixel_and_decodes_to_the_visual(preset, mode):
    x = np.random.default_rng(1).random((20, 30))
    r = filter_image(x, preset=preset)
    url = filter_png(r)
    png = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert png.mode == mode and png.size == (30, 20)
    assert np.array_equal(np.asarray(png.convert("RGB")), r["visual"])
    rgb = filter_image(np.random.default_rng(1).random((20, 30, 3)), preset=preset)
    assert rgb["visual_index"] is None
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(base64.b64decode(filter_png(rgb).split(",")[1])))
                                     .convert("RGB")), rgb["visual"])


# ---- the bundled photos -----------------------------------------------------------------------------

def test_bundled_photos_are_small_licensed_and_filterable():
    photos = sorted(PHOTOS.glob("*.jpg"))
    assert len(photos) >= 3
    licences = (PHOTOS / "LICENSES.md").read_text(encoding="utf-8")
    for path in photos:
        assert path.stat().st_size <= 100_000, path.name
        assert re.search(rf"`{re.escape(path.name)}`", licences), f"{path.name} is not in LICENSES.md"
        with Image.open(path) as img:
            assert max(img.size) <= 512
            x = to_array(img, "gray")
        edges = filter_image(x, preset="sobel_x")
        assert edges["mapping"]["name"] == "diverging" and edges["output_range"][1] > 0.5  # real edges


def _png(w: int, h: int, colour: int, depth: int) -> bytes:
    """A PNG of zeros with Paeth-filtered rows, written by hand (Pillow cannot write 16-bit RGBA)."""
    import struct
    import zlib

    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    rows = (b"\x04" + bytes(w * channels * depth // 8)) * h

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    extra = chunk(b"PLTE", bytes(3)) if colour == 3 else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)) + extra
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("w, h, colour, depth, refused", [
    (4096, 4096, 6, 16, True),      # 16-bit RGBA: 134 MB to inflate from 138 KB (0.75 s of CPU before the check)
    (4096, 4096, 2, 16, True),      # 16-bit RGB: 101 MB
    (2897, 2896, 6, 16, True),      # just over 64 MiB
    (2896, 2896, 6, 16, False),     # just under
    (4096, 4096, 6, 8, False),      # 8-bit RGBA at the pixel cap: the allowance
    (4096, 4096, 4, 16, False),     # 16-bit grey + alpha: as many bytes as 8-bit RGBA
    (4096, 4096, 0, 16, False),
])
def test_png_bytes_to_inflate_are_bounded_from_the_header(w, h, colour, depth, refused):
    from app.engine.limits import FILTER_IMAGE_MAX_PIXELS, FILTER_IMAGE_MAX_SIDE
    from app.imaging.decode import decode

    raw = _png(w, h, colour, depth)
    assert len(raw) < 200_000
    if refused:
        with pytest.raises(EngineError) as err:
            decode(raw, "image", FILTER_IMAGE_MAX_SIDE, FILTER_IMAGE_MAX_PIXELS)
        assert err.value.field == "image" and f"PNG of {depth}-bit samples" in err.value.rule
        assert "the cap is 67,108,864" in err.value.rule
    else:
        assert decode(raw, "image", FILTER_IMAGE_MAX_SIDE, FILTER_IMAGE_MAX_PIXELS).size == (w, h)
