"""POST /api/image/filter and /filter/upload: a picture through a kernel, over HTTP."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import pytest
from PIL import Image

from app.engine import limits
from app.engine.conv import conv2d_naive as correlate_naive
from app.engine.image_filter import PRESETS
from tests.conftest import assert_error


def data_url(img: Image.Image, fmt="PNG") -> str:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode()


def naive(x: np.ndarray, kernel, pads: dict, strides) -> np.ndarray:
    """The output from the returned input and kernel alone: zero padding, then the loop."""
    K = np.asarray(kernel, float)
    x3 = x[:, :, None] if x.ndim == 2 else x
    xp = np.pad(x3, ((pads["top"], pads["bottom"]), (pads["left"], pads["right"]), (0, 0)))
    if K.ndim == 2 and x3.shape[2] == 3:
        return np.concatenate([correlate_naive(xp[:, :, c:c + 1], K[:, :, None, None], strides) for c in range(3)], 2)
    return correlate_naive(xp, K if K.ndim == 4 else K[:, :, None, None], strides)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_on_a_bundled_photo_equals_the_loop(client, preset):
    r = client.post("/api/image/filter", json={"photo": "camera", "preset": preset, "max_side": 40,
                                               "include_output": True})
    assert r.status_code == 200, r.text
    body = r.json()
    x, y = np.array(body["input"]), np.array(body["output"])
    assert x.shape == (40, 40) and 0 <= x.min() and x.max() <= 1
    want = naive(x, body["kernel"], body["padding"], body["strides"])[:, :, 0]
    np.testing.assert_allclose(y, want, atol=1e-9)
    assert body["output_range"] == pytest.approx([y.min(), y.max()])
    assert body["output_png"].startswith("data:image/png;base64,") and body["mapping"]["name"]


def test_random_kernels_on_an_rgb_upload_equal_the_loop(client):
    rng = np.random.default_rng(3)
    photo = (rng.random((30, 50, 3)) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, "PNG")
    for kernel, strides, padding in ((rng.integers(-3, 4, (3, 4)).tolist(), "[1, 2]", "valid"),
                                     (rng.normal(size=(2, 3, 3, 2)).round(3).tolist(), "2", "[[1, 0], [2, 1]]")):
        r = client.post("/api/image/filter/upload", files={"file": ("p.png", buf.getvalue(), "image/png")},
                        data={"kernel": str(kernel), "channels": "rgb", "strides": strides, "padding": padding,
                              "include_output": "true", "at": "[1, 2]", "max_side": "512"})
        assert r.status_code == 200, r.text
        body = r.json()
        x, y = np.array(body["input"]), np.array(body["output"])
        want = naive(x, body["kernel"], body["padding"], body["strides"])
        np.testing.assert_allclose(y, want, atol=1e-9)
        assert [s["value"] for s in body["steps"]] == pytest.approx(list(y[1, 2]))
        assert body["step"] == body["steps"][0] and "".join(body["step"]["terms"]) == body["step"]["formula"]


def test_a_data_url_and_the_step_at_a_pixel(client):
    img = Image.new("L", (64, 48), 0)
    img.paste(255, (32, 0, 64, 48))                                 # a vertical edge at column 32
    r = client.post("/api/image/filter", json={"image": data_url(img), "preset": "sobel_x", "at": [10, 31]})
    body = r.json()
    assert body["input_shape"] == [48, 64] and body["mapping"]["name"] == "diverging"
    assert body["step"]["value"] == pytest.approx(4.0) and body["step"]["index"] == [10, 31]


@pytest.mark.parametrize("body, field", [
    ({"preset": "sobel_x"}, "body"),
    ({"photo": "camera", "image": "data:image/png;base64,AAAA", "preset": "sobel_x"}, "body"),
    ({"photo": "camera"}, "kernel"),
    ({"photo": "camera", "preset": "sobel_x", "kernel": [[1]]}, "kernel"),
    ({"photo": "camera", "preset": "nope"}, "preset"),
    ({"photo": "nope", "preset": "sobel_x"}, "photo"),
    ({"photo": "camera", "preset": "sobel_x", "max_side": 513}, "max_side"),
    ({"photo": "camera", "kernel": np.ones((12, 3)).tolist()}, "kernel"),
    ({"photo": "camera", "kernel": np.ones((3, 3, 1, 4)).tolist()}, "kernel"),
    ({"photo": "camera", "channels": "rgb", "max_side": 512, "kernel": np.ones((11, 11, 3, 3)).tolist()}, "kernel"),
    ({"photo": "camera", "preset": "sobel_x", "at": [999, 0]}, "at.0"),
    ({"photo": "camera", "preset": "sobel_x", "padding": 40}, "padding"),
    ({"photo": "camera", "preset": "sobel_x", "strides": 9}, "strides"),
    ({"image": "data:image/png;base64,@@@", "preset": "sobel_x"}, "image"),
    ({"image": data_url(Image.new("RGB", (8, 8)), "GIF"), "preset": "sobel_x"}, "image"),
])
def test_bad_requests_get_a_422_naming_the_field(client, body, field):
    assert_error(client.post("/api/image/filter", json=body), 422, field)


def test_pictures_are_bounded_like_the_mnist_ones(client):
    huge = Image.new("L", (limits.FILTER_IMAGE_MAX_SIDE + 1, 8))
    assert "4096" in assert_error(client.post("/api/image/filter", json={"image": data_url(huge),
                                                                          "preset": "identity"}), 422, "image")["rule"]
    big_webp = Image.new("RGB", (2100, 2100))
    r = client.post("/api/image/filter/upload", files={"file": ("x.webp", base64.b64decode(
        data_url(big_webp, "WEBP").split(",", 1)[1]), "image/webp")}, data={"preset": "identity"})
    assert "WebP" in assert_error(r, 422, "file")["rule"]
    flat = io.BytesIO()
    Image.new("L", (1024, 1024), 128).save(flat, "JPEG", progressive=True)
    raw = flat.getvalue()
    attack = raw[:-2] + raw[raw.rfind(b"\xff\xda"):-2] * 5000 + b"\xff\xd9"
    start = time.process_time()
    r = client.post("/api/image/filter/upload", files={"file": ("x.jpg", attack, "image/jpeg")},
                    data={"preset": "identity"})
    assert "scans" in assert_error(r, 422, "file")["rule"] and time.process_time() - start < 0.5


def test_content_types_and_body_caps(client):
    assert_error(client.post("/api/image/filter", content=b'{"photo": "camera"}',
                             headers={"content-type": "text/plain"}), 415, "content-type")
    assert_error(client.post("/api/image/filter/upload", json={"photo": "camera"}), 415, "content-type")
    big = b'{"image": "' + b"A" * limits.FILTER_JSON_BYTES + b'"}'
    assert_error(client.post("/api/image/filter", content=big, headers={"content-type": "application/json"}),
                 413, "body")
