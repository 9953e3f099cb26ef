"""POST /api/conv2d/animation and /api/pool/animation over HTTP: content types, headers, the error shape, caps."""

import io

import numpy as np
import pytest
from PIL import Image

from tests.conftest import assert_error

PADDING_EXAMPLE = {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
                   "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"}
THEANO = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_conv_gif(client, lang):
    r = client.post("/api/conv2d/animation", json={**PADDING_EXAMPLE, "lang": lang})
    assert r.status_code == 200 and r.headers["content-type"] == "image/gif"
    assert r.headers["x-animation-frames"] == "16" and r.headers["x-animation-steps"] == "16"
    assert 'filename="conv2d.gif"' in r.headers["content-disposition"]
    image = Image.open(io.BytesIO(r.content))
    assert image.format == "GIF" and image.n_frames == 16 and image.info["loop"] == 0


def test_pool_gif_and_png(client):
    r = client.post("/api/pool/animation", json={"input": THEANO, "mode": "average", "padding": "same"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/gif"
    assert Image.open(io.BytesIO(r.content)).n_frames == 9
    r = client.post("/api/pool/animation", json={"input": THEANO, "format": "png", "lang": "zh-TW"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.headers["x-animation-frames"] == "4"
    assert Image.open(io.BytesIO(r.content)).format == "PNG"


def test_trace_false_still_animates(client):
    r = client.post("/api/conv2d/animation", json={**PADDING_EXAMPLE, "trace": False})
    assert r.status_code == 200 and r.headers["x-animation-frames"] == "16"


@pytest.mark.parametrize("path, body, field, code", [
    ("/api/conv2d/animation", {**PADDING_EXAMPLE, "format": "webp"}, "format", None),
    ("/api/conv2d/animation", {**PADDING_EXAMPLE, "lang": "fr"}, "lang", None),
    ("/api/conv2d/animation", {**PADDING_EXAMPLE, "fps": 3}, "fps", None),
    ("/api/conv2d/animation", {"input": [[1]], "kernel": [[1, 2]]}, "kernel", "kernel_too_large"),
    ("/api/conv2d/animation", {"input": np.ones((64, 64, 8)).tolist(), "kernel": np.ones((3, 3, 8, 2)).tolist(),
                               "padding": "same"}, "input", "animation_too_large"),
    ("/api/pool/animation", {"input": THEANO, "mode": "min"}, "mode", None),
    ("/api/pool/animation", {"input": [[1]], "pool_size": 3}, "pool_size", "pool_too_large"),
])
def test_refusals_have_the_error_shape(client, path, body, field, code):
    err = assert_error(client.post(path, json=body), 422, field)
    if code:
        assert err["code"] == code


def test_json_only(client):
    assert_error(client.post("/api/pool/animation", content=b'{"input": [[1]]}',
                             headers={"content-type": "text/plain"}), 415, "content-type")
