"""POST /api/mnist/predict, POST /api/mnist/trace, GET /api/mnist/model.

Most tests run against an untrained model of the shipped architecture (fixed seed), so the shapes,
the error shape and the arithmetic are checked even before training; the accuracy tests need the
shipped weights (app/weights/mnist_cnn.npz) and are skipped only while that file does not exist.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app.api import mnist as api
from app.engine.nn import Sequential
from app.main import app
from app.mnist import inference, inputs
from app.train import architecture
from tests.conftest import assert_error

WEIGHTS = inference.WEIGHTS
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "mnist_test_sample.npz"
needs_weights = pytest.mark.skipif(not WEIGHTS.is_file(), reason="app/weights/mnist_cnn.npz not trained yet")

ONE = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
SEVEN = {"strokes": [[[70, 50], [210, 50], [120, 240]]], "width": 280, "height": 280}
LAYERS = ["conv1", "relu1", "pool1", "conv2", "relu2", "conv3", "relu3", "pool2", "flatten", "fc1", "relu4",
          "dropout", "fc2", "softmax"]


@pytest.fixture(scope="module")
def untrained():
    model = Sequential(architecture(), (28, 28, 1), seed=0)
    app.dependency_overrides[api.get_model] = lambda: model
    yield model
    app.dependency_overrides.pop(api.get_model, None)


@pytest.fixture(scope="module")
def trained():
    app.dependency_overrides.pop(api.get_model, None)
    return inference.load_model()


def digit_pixels(value=1.0) -> list:
    x = np.zeros((28, 28))
    x[4:24, 12:16] = value  # a thick "1"
    return x.tolist()


def png_bytes(img: Image.Image, fmt="PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def data_url(raw: bytes, mime="image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def drawn_seven(size=200, ink=(20, 20, 20), paper=(250, 250, 250)) -> Image.Image:
    img = Image.new("RGB", (size, size), paper)
    d = ImageDraw.Draw(img)
    s = size / 280
    d.line([(70 * s, 50 * s), (210 * s, 50 * s), (120 * s, 240 * s)], fill=ink, width=round(24 * s), joint="curve")
    return img


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(w=30000, h=30000) -> bytes:
    """A ~100-byte PNG whose header claims w×h pixels (a decompression bomb's calling card)."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0" * 1000))
            + png_chunk(b"IEND", b""))


# ---- predict: shapes and values ---------------------------------------------------------------
def test_predict_pixels_returns_probabilities_and_the_input(client, untrained):
    pixels = digit_pixels(0.8)
    r = client.post("/api/mnist/predict", json={"pixels": pixels})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["probabilities"]) == 10
    assert sum(body["probabilities"]) == pytest.approx(1.0, abs=1e-4)
    assert body["digit"] == int(np.argmax(body["probabilities"]))
    assert body["confidence"] == pytest.approx(max(body["probabilities"]))
    assert body["runner_up"] != body["digit"]
    assert body["low_confidence"] == (body["confidence"] < inference.LOW_CONFIDENCE)
    assert body["nothing_drawn"] is False and body["steps"] is None
    assert np.allclose(body["preprocessed"], pixels, atol=1e-4)
    expected = untrained.predict(np.array([pixels], dtype=np.float32))[0]
    assert np.allclose(body["probabilities"], expected, atol=1e-5), "API vs model.predict"


def test_empty_inputs_are_nothing_drawn_not_a_guess(client, untrained):
    for body in ({"pixels": np.zeros((28, 28)).tolist()}, {"strokes": [], "width": 280, "height": 280},
                 {"strokes": [[]], "width": 280, "height": 280},
                 {"image": data_url(png_bytes(Image.new("RGB", (100, 80), "white")))}):
        r = client.post("/api/mnist/predict", json=body)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["digit"] is None and out["nothing_drawn"] is True and out["probabilities"] is None, out


def test_batch_gives_one_result_per_image(client, untrained):
    images = [digit_pixels(1.0), np.zeros((28, 28)).tolist(), digit_pixels(0.5)]
    r = client.post("/api/mnist/predict", json={"batch": images})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [res["nothing_drawn"] for res in results] == [False, True, False]
    single = client.post("/api/mnist/predict", json={"pixels": images[2]}).json()
    assert np.allclose(results[2]["probabilities"], single["probabilities"], atol=1e-5)  # float32 batch vs single


def test_batch_of_256_works_and_257_is_refused(client, untrained):
    x = digit_pixels()
    r = client.post("/api/mnist/predict", json={"batch": [x] * 256})
    assert r.status_code == 200 and len(r.json()["results"]) == 256
    assert_error(client.post("/api/mnist/predict", json={"batch": [x] * 257}), 422, "batch")


def test_strokes_are_rasterised_and_steps_returned(client, untrained):
    r = client.post("/api/mnist/predict", json=SEVEN)
    assert r.status_code == 200, r.text
    steps = r.json()["steps"]
    assert steps["polarity"] == "light-on-dark"
    top, left, bottom, right = steps["bbox"]
    assert 20 < top < 50 and 40 < left < 70 and 240 < bottom < 270 and 210 < right < 240, steps["bbox"]
    assert max(len(steps["box"]), len(steps["box"][0])) == 20
    assert steps["input_size"] == [280, 280]
    assert steps["final_center_of_mass"] == pytest.approx([14, 14], abs=0.6)
    assert max(len(steps["ink"]), len(steps["ink"][0])) <= inputs.INK_PREVIEW_SIDE
    pre = np.array(r.json()["preprocessed"])
    assert pre.shape == (28, 28) and pre.max() == pytest.approx(1, abs=0.05) and pre.min() >= 0


def test_only_the_drawing_is_rasterised_whatever_the_canvas(client, untrained):
    """The drawing's region is drawn at most RASTER_SIDE px on its longer side (changed in 0.2: the whole
    canvas, up to 560 px): the same digit on a 7× larger canvas gives the same 28×28."""
    from app.mnist.preprocess import RASTER_SIDE

    small = client.post("/api/mnist/predict", json=SEVEN).json()
    big = {"strokes": [[[x * 7, y * 7] for x, y in SEVEN["strokes"][0]]], "width": 1960, "height": 1960}
    r = client.post("/api/mnist/predict", json=big)
    assert r.status_code == 200, r.text
    steps = r.json()["steps"]
    assert steps["input_size"] == [1960, 1960] and steps["ink_scale"] == pytest.approx(64 / 1960)
    top, left, bottom, right = steps["bbox"]
    assert max(bottom - top, right - left) * steps["raster_scale"] == pytest.approx(RASTER_SIDE, abs=3)
    assert [v / 7 for v in steps["bbox"]] == pytest.approx(small["steps"]["bbox"], abs=2)
    diff = np.abs(np.array(r.json()["preprocessed"]) - np.array(small["preprocessed"]))
    assert diff.mean() < 0.03, diff.mean()
    assert small["steps"]["raster_scale"] < 1.0


def test_activations_every_layer_in_lists_and_float32(client, untrained):
    r = client.post("/api/mnist/predict", json={**ONE, "include_activations": True})
    acts = r.json()["activations"]
    assert [a["name"] for a in acts] == LAYERS
    shapes = {a["name"]: a["shape"] for a in acts}
    assert shapes["conv1"] == [24, 24, 32] and shapes["pool1"] == [12, 12, 32] and shapes["pool2"] == [4, 4, 64]
    assert np.array(acts[0]["values"]).shape == (24, 24, 32)
    assert np.allclose(acts[-1]["values"], r.json()["probabilities"], atol=1e-4)
    relu1 = np.array(acts[1]["values"])
    assert relu1.min() >= 0 and np.allclose(relu1, np.maximum(np.array(acts[0]["values"]), 0), atol=1e-4)

    f = client.post("/api/mnist/predict", json={**ONE, "include_activations": True, "activations_format": "float32"})
    packed = f.json()["activations"]
    for a, b in zip(acts, packed, strict=True):
        assert b["dtype"] == "float32" and "values" not in b
        arr = np.frombuffer(base64.b64decode(b["data"]), dtype="<f4").reshape(b["shape"])
        assert np.allclose(arr, a["values"], atol=1e-4), a["name"]


def test_image_data_url_png_jpeg_webp_and_transparent(client, untrained):
    seven = drawn_seven()
    for fmt, mime in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")):
        r = client.post("/api/mnist/predict", json={"image": data_url(png_bytes(seven, fmt), mime)})
        assert r.status_code == 200, (fmt, r.text)
        assert r.json()["steps"]["polarity"] == "dark-on-light", fmt
    alpha = seven.convert("L").point(lambda v: 255 - v)  # a transparent canvas: the alpha channel carries the ink
    clear = Image.merge("RGBA", (*Image.new("RGB", (200, 200), "black").split(), alpha))
    r = client.post("/api/mnist/predict", json={"image": data_url(png_bytes(clear))})
    assert r.status_code == 200 and r.json()["steps"]["polarity"] == "alpha"
    big = drawn_seven(1600)
    r = client.post("/api/mnist/predict", json={"image": data_url(png_bytes(big))})
    assert r.status_code == 200 and r.json()["steps"]["input_size"] == [inputs.WORK_SIDE, inputs.WORK_SIDE]


def test_multipart_upload(client, untrained):
    raw = png_bytes(drawn_seven())
    r = client.post("/api/mnist/predict/upload", files={"file": ("seven.png", raw, "image/png")})
    assert r.status_code == 200, r.text
    assert len(r.json()["probabilities"]) == 10 and "activations" not in r.json()
    r = client.post("/api/mnist/predict/upload", files={"file": ("seven.png", raw, "image/png")},
                    data={"include_activations": "true"})
    assert [a["name"] for a in r.json()["activations"]] == LAYERS
    assert_error(client.post("/api/mnist/predict/upload", files={"other": ("x.png", raw, "image/png")}), 422, "other")
    assert_error(client.post("/api/mnist/predict/upload", files={"file": ("x.png", b"not an image", "image/png")}), 422,
                 "file")
    assert_error(client.post("/api/mnist/predict/upload", files={"file": ("x.png", raw, "image/png")},
                             data={"include_activations": "maybe"}), 422, "include_activations")


# ---- predict: bad input -----------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [
    ({}, "body"),
    ({"pixels": digit_pixels(), "strokes": []}, "body"),
    ({"pixels": np.zeros((27, 28)).tolist()}, "pixels"),
    ({"pixels": np.zeros((28, 28, 1)).tolist()}, "pixels"),
    ({"pixels": [[0] * 28] * 27 + [[0] * 27]}, "pixels.27"),
    ({"pixels": [[0] * 28] * 27 + [["a"] * 28]}, "pixels.27.0"),
    ({"pixels": np.full((28, 28), 2.0).tolist()}, "pixels"),
    ({"pixels": np.full((28, 28), -0.5).tolist()}, "pixels"),
    ({"batch": []}, "batch"),
    ({"batch": [np.zeros((28, 28)).tolist(), np.zeros((28, 27)).tolist()]}, "batch.1"),
    ({"batch": [np.zeros((28, 28)).tolist()] * 9, "include_activations": True}, "include_activations"),
    ({"image": "http://example.com/seven.png"}, "image"),
    ({"image": "data:text/plain;base64,aGVsbG8="}, "image"),
    ({"image": "data:image/png;base64,@@@notbase64@@@"}, "image"),
    ({"image": "data:image/png;base64,"}, "image"),
    ({"image": data_url(b"\x89PNG\r\n\x1a\nthis is not a png")}, "image"),
    ({"image": data_url(png_bytes(Image.new("RGB", (10, 10)), "GIF"), "image/png")}, "image"),
    ({"image": data_url(png_bytes(Image.new("RGB", (2049, 8))))}, "image"),
    ({"strokes": [[[1, 2]]]}, "width"),
    ({"strokes": [[[1, 2]]], "width": 280}, "height"),
    ({"strokes": [[[1, 2]]], "width": 0, "height": 280}, "width"),
    ({"strokes": [[[1, 2]]], "width": 280, "height": 4096}, "height"),
    ({"strokes": [[[1, 2]]], "width": 28.5, "height": 280}, "width"),
    ({"strokes": [[[1, 2], [3]]], "width": 280, "height": 280}, "strokes.0.1"),
    ({"strokes": [[[1, "x"]]], "width": 280, "height": 280}, "strokes.0.0"),
    ({"strokes": [[[0, 0]] * 20001], "width": 280, "height": 280}, "strokes"),
    ({"strokes": "1", "width": 280, "height": 280}, "strokes"),
    ({"pixels": digit_pixels(), "width": 280}, "width"),
    ({"pixels": digit_pixels(), "include_activations": "yes"}, "include_activations"),
    ({"pixels": digit_pixels(), "activations_format": "png"}, "activations_format"),
    ({"pixels": digit_pixels(), "colour": 1}, "colour"),
])
def test_bad_predict_bodies_get_422_in_the_error_shape(client, untrained, body, field):
    assert_error(client.post("/api/mnist/predict", json=body), 422, field)


@pytest.mark.parametrize("raw", [
    b"[]", b"null", b'"pixels"', b"42", b'{"pixels": null}', b'{"batch": [[[0]]]}', b'{"batch": [[0, 1]]}',
    b'{"batch": 5}', b'{"image": 5}', b'{"image": ""}', b'{"strokes": [[[1, 2]]], "width": true, "height": 280}',
    b'{"strokes": [1, 2], "width": 280, "height": 280}', b'{"strokes": [[1, 2]], "width": 280, "height": 280}',
    b'{"strokes": [[[1, 2, 3]]], "width": 280, "height": 280}', b'{"pixels": ' + b"[" * 200 + b"]" * 200 + b"}",
    b'{"pixels": [[true]]}', b'{"pixels": {"a": 1}}', b"\xff\xfe", b'{"include_activations": true}',
])
def test_odd_bodies_never_get_a_5xx(client, untrained, raw):
    for path in ("/api/mnist/predict", "/api/mnist/trace"):
        r = client.post(path, content=raw, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, (path, raw[:60], r.status_code, r.text[:200])
        assert_error(r, r.status_code)


def test_non_finite_numbers_are_refused(client, untrained):
    row = ", ".join(["0"] * 28)
    for bad in ("NaN", "Infinity", "-Infinity", "1e999"):
        rows = [f"[{row}]"] * 27 + [f"[{bad}, {', '.join(['0'] * 27)}]"]
        r = client.post("/api/mnist/predict", content=f'{{"pixels": [{", ".join(rows)}]}}',
                        headers={"content-type": "application/json"})
        assert r.status_code in (400, 422), (bad, r.text)
        assert_error(r, r.status_code)
    stroke = '{"strokes": [[[NaN, 1]]], "width": 280, "height": 280}'
    r = client.post("/api/mnist/predict", content=stroke, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert_error(r, r.status_code)


def test_truncated_json_and_huge_bodies(client, untrained):
    assert_error(client.post("/api/mnist/predict", content=b'{"pixels": [[0, 0',
                             headers={"content-type": "application/json"}), 400, "body")
    assert_error(client.post("/api/mnist/predict", content=b"x" * (8 * 1024 * 1024 + 1),
                             headers={"content-type": "application/json"}), 413, "body")


def test_decompression_bomb_and_truncated_image_are_refused_quickly(client, untrained):
    for raw in (bomb_png(), bomb_png(5000, 5000), bomb_png(2048, 2049)):
        t0 = time.process_time()
        err = assert_error(client.post("/api/mnist/predict", json={"image": data_url(raw)}), 422, "image")
        assert time.process_time() - t0 < 1.0
        assert "2048" in err["rule"], err
    t0 = time.process_time()
    r = client.post("/api/mnist/predict/upload", files={"file": ("bomb.png", bomb_png(), "image/png")})
    assert_error(r, 422, "file")
    assert time.process_time() - t0 < 1.0
    whole = png_bytes(drawn_seven(300))
    assert_error(client.post("/api/mnist/predict", json={"image": data_url(whole[: len(whole) // 2])}), 422, "image")
    jpeg = png_bytes(drawn_seven(300), "JPEG")
    assert_error(client.post("/api/mnist/predict", json={"image": data_url(jpeg[:400], "image/jpeg")}), 422,
                 "image")


# ---- trace --------------------------------------------------------------------------------------
def test_trace_conv1_matches_the_feature_map(client, untrained):
    acts = client.post("/api/mnist/predict", json={**ONE, "include_activations": True}).json()["activations"]
    relu1 = np.array(acts[1]["values"])
    conv1 = np.array(acts[0]["values"])
    i, j, f = np.unravel_index(np.argmax(relu1), relu1.shape)
    r = client.post("/api/mnist/trace", json={**ONE, "layer": "conv1", "index": [int(i), int(j), int(f)]})
    assert r.status_code == 200, r.text
    body = r.json()
    step = body["step"]
    assert body["input_from"] == "input" and body["input_shape"] == [28, 28, 1]
    assert step["index"] == [i, j, f]
    assert step["window"][0] == [i, j] and step["window"][-1] == [i + 4, j + 4] and len(step["window"]) == 25
    xs, ws = np.array(step["inputs"]), np.array(step["weights"])
    assert xs.shape == (5, 5, 1)
    assert np.allclose(np.array(step["products"]), xs * ws)
    assert step["sum"] == pytest.approx(float((xs * ws).sum()))
    assert step["pre_activation"] == pytest.approx(step["sum"] + step["bias"])
    assert step["value"] == pytest.approx(max(step["pre_activation"], 0.0))
    assert step["value"] == pytest.approx(relu1[i, j, f], abs=1e-3), "trace vs feature map"
    assert step["pre_activation"] == pytest.approx(conv1[i, j, f], abs=1e-3)
    assert body["model_value"] == pytest.approx(step["value"], abs=1e-4)
    assert step["formula"].count("(") >= 5 and step["formula"].endswith(step["formula"].split(" = ")[-1])
    assert step["activation_formula"].startswith("relu(")
    pre = np.array(client.post("/api/mnist/predict", json=ONE).json()["preprocessed"])
    assert np.allclose(xs[:, :, 0], pre[i:i + 5, j:j + 5], atol=1e-3), "window = the 28×28 the model saw"


def test_trace_conv2_and_pool(client, untrained):
    r = client.post("/api/mnist/trace", json={**SEVEN, "layer": "conv2", "index": [3, 4, 5]})
    step = r.json()["step"]
    assert r.json()["input_from"] == "pool1" and np.array(step["inputs"]).shape == (3, 3, 32)
    assert len(step["group_sums"]) == 96 and step["sum"] == pytest.approx(sum(step["group_sums"]), abs=1e-6)
    assert step["value"] == pytest.approx(r.json()["model_value"], abs=1e-4)
    r = client.post("/api/mnist/trace", json={**SEVEN, "layer": "pool1", "index": [5, 6, 2]})
    step = r.json()["step"]
    assert r.json()["kind"] == "maxpool2d" and step["window"] == [[10, 12], [10, 13], [11, 12], [11, 13]]
    assert step["value"] == max(step["inputs"]) and step["formula"].startswith("max(")
    assert step["value"] == pytest.approx(r.json()["model_value"], abs=1e-6)


@pytest.mark.parametrize("extra, field", [
    ({"layer": "fc1", "index": [0, 0, 0]}, "layer"),
    ({"layer": "conv1", "index": [24, 0, 0]}, "index.0"),
    ({"layer": "conv1", "index": [0, -1, 0]}, "index.1"),
    ({"layer": "conv1", "index": [0, 0, 32]}, "index.2"),
    ({"layer": "conv1", "index": [0, 0]}, "index"),
    ({"layer": "conv1"}, "index"),
])
def test_bad_trace_requests(client, untrained, extra, field):
    assert_error(client.post("/api/mnist/trace", json={**ONE, **extra}), 422, field)


def test_trace_of_nothing_drawn_is_refused(client, untrained):
    body = {"strokes": [], "width": 280, "height": 280, "layer": "conv1", "index": [0, 0, 0]}
    assert_error(client.post("/api/mnist/trace", json=body), 422, "body")


# ---- no weights: 503 -----------------------------------------------------------------------------
def test_without_weights_every_endpoint_says_not_trained(client, monkeypatch, tmp_path):
    monkeypatch.setenv(inference.WEIGHTS_ENV, str(tmp_path / "missing.npz"))
    saved = app.dependency_overrides.pop(api.get_model, None)
    try:
        for r in (client.post("/api/mnist/predict", json=ONE), client.get("/api/mnist/model"),
                  client.post("/api/mnist/trace", json={**ONE, "layer": "conv1", "index": [0, 0, 0]})):
            err = assert_error(r, 503)
            assert err["code"] == "model_not_trained" and "not trained" in err["rule"]
    finally:
        if saved:
            app.dependency_overrides[api.get_model] = saved


def test_model_card_from_another_weights_file(client, monkeypatch, tmp_path):
    model = Sequential(architecture(), (28, 28, 1), seed=1)
    model.save(tmp_path / "m.npz")
    (tmp_path / "m.json").write_text('{"name": "mnist_cnn", "test_accuracy": 0.5}')
    monkeypatch.setenv(inference.WEIGHTS_ENV, str(tmp_path / "m.npz"))
    card = client.get("/api/mnist/model").json()
    assert card["test_accuracy"] == 0.5 and card["low_confidence_threshold"] == inference.LOW_CONFIDENCE


# ---- the shipped weights -------------------------------------------------------------------------
@needs_weights
def test_shipped_model_reads_drawn_digits(client, trained):
    for body, digit in ((ONE, 1), (SEVEN, 7)):
        out = client.post("/api/mnist/predict", json=body).json()
        assert out["digit"] == digit, out["probabilities"]
    out = client.post("/api/mnist/predict", json={"image": data_url(png_bytes(drawn_seven()))}).json()
    assert out["digit"] == 7, out["probabilities"]


@needs_weights
def test_the_pages_sample_digits_are_read_right(client, trained):
    samples = json.loads((ROOT / "static" / "js" / "draw" / "samples.json").read_text())
    for digit, strokes in samples["digits"].items():
        out = client.post("/api/mnist/predict", json={"strokes": strokes, "width": 280, "height": 280}).json()
        assert out["digit"] == int(digit) and not out["low_confidence"], (digit, out["probabilities"])


@needs_weights
def test_shipped_model_on_mnist_test_digits_over_http(client, trained):
    with np.load(SAMPLE) as f:
        images, labels = f["images"][:256] / 255.0, f["labels"][:256]
    r = client.post("/api/mnist/predict", json={"batch": np.round(images, 4).tolist()})
    digits = np.array([res["digit"] for res in r.json()["results"]])
    accuracy = float((digits == labels).mean())
    assert accuracy >= 0.98, accuracy


@needs_weights
def test_shipped_model_card(client, trained):
    card = client.get("/api/mnist/model").json()
    assert card["test_accuracy"] >= 0.99
    assert np.array(card["confusion_matrix"]).sum() == 10000
    assert len(card["history"]) >= 1 and {"epoch", "loss", "val_acc"} <= set(card["history"][0])


def test_a_trace_over_the_cap_is_refused_before_the_forward_pass(monkeypatch):
    """A conv layer whose windows hold more than MNIST_TRACE_MAX_NUMBERS numbers (a model set by MNIST_WEIGHTS) is
    refused before the model runs: the forward pass is the cost the cap bounds."""
    spec = [{"name": "c1", "kind": "conv2d", "filters": 8, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same"},
            {"name": "big", "kind": "conv2d", "filters": 2, "kernel_size": [27, 27], "strides": [1, 1],
             "padding": "same"},
            {"name": "flat", "kind": "flatten"}, {"name": "out", "kind": "dense", "units": 10}]
    model = Sequential(spec, (28, 28, 1), seed=1)
    ran = []
    monkeypatch.setattr(model, "forward_with_activations", lambda x: ran.append(x))
    with pytest.raises(inference.EngineError) as err:
        inference.trace(model, np.zeros((28, 28), np.float32), "big", [0, 0, 0])
    assert err.value.field == "layer" and "5832 numbers" in err.value.rule and not ran
