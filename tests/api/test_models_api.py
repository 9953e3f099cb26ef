"""/api/models over HTTP: every Keras fixture uploaded and run gives Keras' own outputs layer by layer (within
1e-5), summaries, traces, pictures and drawings, delete, 404s, bad files, 413s, 415s, the exported MNIST CNN, and
nothing written outside MODELS_DIR. (The layer math itself is tested in tests/models.)"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import threading
import zipfile

import numpy as np
import pytest
from PIL import Image

from app.api.model_schemas import ModelPrediction, ModelSummary, ModelTrace
from app.engine import limits as L
from app.models.writer import keras_file
from tests.conftest import assert_error
from tests.models.badfiles import cases as bad_cases
from tests.models.helpers import FILES, dense_layer, expected, fixture_bytes

STROKE = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
SEVEN = {"strokes": [[[70, 50], [210, 50], [120, 240]]], "width": 280, "height": 280}
_uploads: dict[str, dict] = {}


def upload(client, data: bytes, name: str = "model.keras"):
    return client.post("/api/models", files={"file": (name, data, "application/octet-stream")})


def summary_of(client, file: str) -> dict:
    """The fixture uploaded once per test session (later tests reuse it; a delete test uploads its own)."""
    if file not in _uploads or client.get(f"/api/models/{_uploads[file]['id']}").status_code != 200:
        r = upload(client, fixture_bytes(file), file)
        assert r.status_code == 200, r.text
        _uploads[file] = r.json()
    return _uploads[file]


def predict(client, model_id: str, **body):
    return client.post(f"/api/models/{model_id}/predict", json=body)


def trace(client, model_id: str, **body):
    return client.post(f"/api/models/{model_id}/trace", json=body)


def lecture_conv(kernel_scale: float = 1.0) -> bytes:
    kernel = np.array([[2, 1, 3], [2, 0, 0], [1, 3, 2]], dtype=np.float32)[:, :, None, None] * np.float32(kernel_scale)
    return keras_file("lecture", (4, 4, 1), [
        {"class_name": "Conv2D", "config": {"name": "conv", "filters": 1, "kernel_size": [3, 3], "padding": "same",
                                            "use_bias": False}, "weights": [kernel]},
        {"class_name": "AveragePooling2D", "config": {"name": "pool", "pool_size": [2, 2], "padding": "same"}}])


LECTURE = [[[0], [0], [1], [1]], [[0], [1], [6], [0]], [[3], [3], [2], [0]], [[1], [0], [2], [1]]]


# ---- every fixture: summary and predict equal Keras ---------------------------------------------------

@pytest.mark.parametrize("file", FILES)
def test_upload_and_predict_every_fixture_like_keras(client, file):
    s = summary_of(client, file)
    ModelSummary.model_validate(s)
    want = expected(file)
    assert s["total_params"] == int(want["count_params"]) and s["trainable_params"] == int(want["trainable_params"])
    assert s["non_trainable_params"] == s["total_params"] - s["trainable_params"]
    assert s["layers"][0]["class_name"] == "InputLayer" and sum(r["params"] for r in s["layers"]) == s["total_params"]
    assert len(s["id"]) == 64 and s["keras_version"] == (2 if ".tf2." in file else 3)
    for n, x in enumerate(want["x"]):
        r = predict(client, s["id"], input=x.tolist())
        assert r.status_code == 200, r.text
        out = r.json()
        ModelPrediction.model_validate(out)
        assert [layer["name"] for layer in out["layers"]] == [row["name"] for row in s["layers"][1:]]
        for layer in out["layers"]:
            ref = want[f"layer.{layer['name']}"][n]
            assert layer["shape"] == list(ref.shape)
            np.testing.assert_allclose(layer["array"], ref, rtol=1e-5, atol=1e-5, err_msg=f"{file} {layer['name']}")
            assert layer["min"] == pytest.approx(float(np.min(layer["array"]))) and layer["max"] >= layer["min"]
        np.testing.assert_allclose(out["output"], want["y"][n], rtol=1e-5, atol=1e-5, err_msg=f"{file}: output")


@pytest.mark.parametrize("file", ["cnn_same.keras", "gru.tf2.h5", "text_functional.keras3.h5"])
def test_float32_format_carries_the_same_numbers(client, file):
    s = summary_of(client, file)
    x = expected(file)["x"][0].tolist()
    lists = predict(client, s["id"], input=x).json()
    packed = predict(client, s["id"], input=x, format="float32").json()
    ModelPrediction.model_validate(packed)
    assert packed["output"] == lists["output"]
    for a, b in zip(lists["layers"], packed["layers"], strict=True):
        assert b["array"] is None and b["dtype"] == "float32"
        flat = np.frombuffer(base64.b64decode(b["data"]), dtype="<f4")
        np.testing.assert_array_equal(flat, np.asarray(a["array"], dtype=np.float32).ravel())


def test_float32_format_refuses_values_beyond_float32_instead_of_sending_inf(client):
    # The engine computes in float64: a kernel of 1e30s (float32 holds them) on inputs of 1e8 (within the ±1e9 cap)
    # gives 1.9e39, finite in float64 but ±inf in float32. Before, the packed array carried inf; the lists format
    # gives the finite number.
    s = upload(client, lecture_conv(kernel_scale=1e30)).json()
    x = (np.asarray(LECTURE, dtype=np.float64) * 1e8).tolist()
    lists = predict(client, s["id"], input=x)
    assert lists.status_code == 200, lists.text
    assert lists.json()["layers"][0]["array"][1][1] == [pytest.approx(1.9e39, rel=1e-6)]
    err = assert_error(predict(client, s["id"], input=x, format="float32"), 422, "format")
    assert "'conv'" in err["rule"] and "float32" in err["rule"]
    near = (np.asarray(LECTURE, dtype=np.float64) * 1e6).tolist()   # 1.9e37: within float32's range
    packed = predict(client, s["id"], input=near, format="float32")
    assert packed.status_code == 200, packed.text
    flat = np.frombuffer(base64.b64decode(packed.json()["layers"][0]["data"]), dtype="<f4")
    assert np.isfinite(flat).all() and flat.reshape(4, 4)[1, 1] == pytest.approx(1.9e37, rel=1e-6)


def test_summary_of_the_mnist_export_is_keras_summary(client):
    data = client.get("/api/mnist/model.keras")
    assert data.status_code == 200 and data.headers["content-type"] == "application/octet-stream"
    assert data.headers["content-disposition"] == 'attachment; filename="mnist_cnn.keras"'
    assert zipfile.ZipFile(io.BytesIO(data.content)).namelist() == ["metadata.json", "config.json", "model.weights.h5"]
    again = client.get("/api/mnist/model.keras")
    assert again.content == data.content and again.headers["etag"] == data.headers["etag"]   # cached, deterministic
    s = upload(client, data.content, "mnist_cnn.keras").json()
    assert s["name"] == "mnist_cnn" and s["input_shape"] == [28, 28, 1] and s["input_kind"] == "image"
    assert s["image"] == {"height": 28, "width": 28, "channels": 1, "layout": "hwc"}
    assert s["total_params"] == 293_546 and s["trainable_params"] == 293_546 and s["non_trainable_params"] == 0
    card = client.get("/api/mnist/model").json()["architecture"]          # the app's own model card
    classes = {"conv2d": "Conv2D", "relu": "ReLU", "maxpool2d": "MaxPooling2D", "flatten": "Flatten", "dense": "Dense",
               "dropout": "Dropout"}
    assert [(r["name"], r["class_name"], r["output_shape"], r["params"]) for r in s["layers"][1:-1]] == [
        (c["name"], classes[c["kind"]], c["output_shape"], c["params"]) for c in card]
    assert s["layers"][-1]["class_name"] == "Activation" and s["output_shape"] == [10]
    assert s["layers"][1]["config"]["kernel_size"] == [5, 5] and s["layers"][1]["traceable"]
    assert s["id"] == hashlib.sha256(data.content).hexdigest()


def test_a_drawing_through_the_exported_model_gives_the_apps_probabilities(client):
    """The same strokes sent to /api/mnist/predict and to the uploaded export: the same preprocessing, the same
    28×28, the same probabilities; the conv1 trace equals /api/mnist/trace's."""
    s = upload(client, client.get("/api/mnist/model.keras").content).json()
    for drawing in (STROKE, SEVEN):
        app = client.post("/api/mnist/predict", json=drawing).json()
        mine = predict(client, s["id"], **drawing).json()
        np.testing.assert_allclose(mine["output"], app["probabilities"], atol=1e-5)
        np.testing.assert_allclose(np.asarray(mine["input"])[:, :, 0], app["preprocessed"], atol=1e-4)
        assert mine["steps"]["polarity"] == app["steps"]["polarity"]
    ref = client.post("/api/mnist/trace", json={**SEVEN, "layer": "conv1", "index": [12, 9, 3]}).json()
    got = trace(client, s["id"], **SEVEN, layer="conv1", index=[12, 9, 3]).json()
    ModelTrace.model_validate(got)
    assert got["kind"] == "conv2d" and got["step"]["window"] == ref["step"]["window"]
    assert got["step"]["value"] == pytest.approx(ref["step"]["pre_activation"], abs=1e-5)


# ---- traces -------------------------------------------------------------------------------------------

def test_the_lectures_convolution_traced_through_an_uploaded_model(client):
    s = upload(client, lecture_conv()).json()
    r = trace(client, s["id"], input=LECTURE, layer="conv", index=[1, 1, 0])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["padding"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    step = got["step"]
    assert step["formula"] == "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"
    assert "".join(step["terms"]) == step["formula"] and step["terms"][0] == "(0×2" and step["value"] == 19
    pool = trace(client, s["id"], input=LECTURE, layer="pool", index=[0, 0, 0]).json()
    assert pool["kind"] == "average_pool"
    assert pool["step"]["terms"] == ["(2", " + 15", " + 15", " + 19", ") / 4 = 12.75"]


@pytest.mark.parametrize("file", ["cnn_same.keras", "cnn_valid.tf2.h5", "conv1d.keras", "simple_rnn.keras",
                                  "lstm.tf2.h5", "gru.keras3.h5", "text_functional.keras", "embedding_conv.keras",
                                  "batchnorm.keras", "activations.keras", "reshape_conv.keras"])
def test_a_trace_of_every_layer_equals_the_predicted_value(client, file):
    """The middle value of every traceable layer: the step's value is predict's number at that place, the
    response fits its schema, and a window step's terms join to its formula."""
    s = summary_of(client, file)
    x = expected(file)["x"][0].tolist()
    out = {layer["name"]: np.asarray(layer["array"]) for layer in predict(client, s["id"], input=x).json()["layers"]}
    for row in s["layers"][1:]:
        if not row["traceable"]:
            continue
        index = [d // 2 for d in out[row["name"]].shape]
        r = trace(client, s["id"], input=x, layer=row["name"], index=index)
        assert r.status_code == 200, (row["name"], r.text)
        got = ModelTrace.model_validate(r.json())
        assert got.step.value == pytest.approx(out[row["name"]][tuple(index)], abs=1e-9), row["name"]
        assert got.model_value == pytest.approx(got.step.value, abs=1e-9)
        if hasattr(got.step, "terms"):
            assert "".join(got.step.terms) == got.step.formula


def test_a_recurrent_trace_has_the_units_formulas(client):
    ones = np.ones((2, 2), dtype=np.float32)
    s = upload(client, keras_file("rnn", (3, 2), [
        {"class_name": "SimpleRNN", "config": {"name": "rnn", "units": 2, "activation": "linear", "use_bias": False,
                                               "return_sequences": True}, "weights": [ones, ones]},
        dense_layer("out", 2, [ones], use_bias=False)])).json()
    assert s["input_kind"] == "sequence" and s["total_params"] == 12
    x = [[1, 1], [2, 1], [1, 3]]
    assert predict(client, s["id"], input=x).json()["output"] == [[4, 4], [14, 14], [36, 36]]
    step = trace(client, s["id"], input=x, layer="rnn", index=[1, 0]).json()["step"]
    assert step["formulas"] == {"hidden": "h₂[1] = 2×1 + 1×1 + 2×1 + 2×1 = 7"} and step["h_prev"] == [2, 2]


def test_trace_refusals_name_their_field(client):
    s = upload(client, lecture_conv()).json()
    assert_error(trace(client, s["id"], input=LECTURE, layer="nope", index=[0, 0, 0]), 422, "layer")
    assert_error(trace(client, s["id"], input=LECTURE, layer="conv", index=[4, 0, 0]), 422, "index.0")
    assert_error(trace(client, s["id"], input=LECTURE, layer="conv", index=[0, 0]), 422, "index")
    assert_error(trace(client, s["id"], layer="conv", index=[0, 0, 0]), 422, "body")


# ---- pictures and drawings ----------------------------------------------------------------------------

def test_pixels_are_resized_and_scaled_to_the_models_input(client):
    """cnn_valid takes (10, 8, 1) and starts with Rescaling(1/255): pixels of its own size come in unchanged
    times 255, and the result equals predict on that array."""
    s = summary_of(client, "cnn_valid.keras")
    assert s["input_kind"] == "image" and s["image"]["layout"] == "hwc"
    pixels = (np.random.default_rng(0).random((10, 8)) * 4).round() / 4
    got = predict(client, s["id"], pixels=pixels.tolist(), value_scale="0..255").json()
    np.testing.assert_allclose(np.asarray(got["input"])[:, :, 0], pixels * 255)
    same = predict(client, s["id"], input=got["input"]).json()
    assert same["output"] == got["output"]
    bigger = predict(client, s["id"], pixels=np.kron(pixels, np.ones((2, 2))).tolist()).json()   # 20×16 box-filtered
    np.testing.assert_allclose(np.asarray(bigger["input"])[:, :, 0], pixels, atol=1e-6)


def _data_url(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_a_picture_with_mnist_preprocessing_or_as_it_is(client):
    s = summary_of(client, "cnn_valid.keras")
    img = Image.new("L", (8, 10), 0)
    img.putpixel((3, 4), 255)
    img.putpixel((4, 4), 128)
    plain = predict(client, s["id"], image=_data_url(img), preprocess="resize").json()
    np.testing.assert_allclose(np.asarray(plain["input"])[:, :, 0], np.asarray(img) / 255)
    assert plain["steps"] is None
    drawn = Image.new("L", (100, 100), 255)
    for y in range(20, 80):
        for x in range(46, 54):
            drawn.putpixel((x, y), 0)
    mnist = predict(client, s["id"], image=_data_url(drawn)).json()
    assert mnist["steps"]["polarity"] == "dark-on-light" and np.asarray(mnist["input"]).shape == (10, 8, 1)


def test_picture_refusals(client):
    seq = summary_of(client, "lstm.keras")
    assert_error(predict(client, seq["id"], pixels=[[0, 1], [1, 0]]), 422, "pixels")
    assert_error(predict(client, seq["id"], **STROKE), 422, "strokes")
    img = summary_of(client, "cnn_valid.keras")
    err = assert_error(predict(client, img["id"], strokes=[], width=280, height=280), 422, "strokes")
    assert err["code"] == "nothing_drawn"
    assert_error(predict(client, img["id"], pixels=[[2.0] * 8] * 10), 422, "pixels")
    assert_error(predict(client, img["id"], input=[[[0]] * 8] * 10, value_scale="0..255"), 422, "value_scale")
    assert_error(predict(client, img["id"], pixels=[[0] * 8] * 10, preprocess="mnist"), 422, "preprocess")
    assert_error(predict(client, img["id"], pixels=[[0] * 8] * 10, input=[[[0]] * 8] * 10), 422, "body")
    assert_error(predict(client, img["id"], strokes=STROKE["strokes"]), 422, "width")
    assert_error(predict(client, img["id"], input=[[1, 2]]), 422, "input")


# ---- storage: get, delete, 404 ---------------------------------------------------------------------------

def test_get_and_delete_and_404s(client, models_dir):
    data = fixture_bytes("conv1d_pool.keras")
    s = upload(client, data).json()
    assert (models_dir / f"{s['id']}.model").read_bytes() == data
    assert client.get(f"/api/models/{s['id']}").json() == s
    assert client.delete(f"/api/models/{s['id']}").json() == {"id": s["id"], "deleted": True}
    assert not (models_dir / f"{s['id']}.model").exists()
    for r in (client.get(f"/api/models/{s['id']}"), client.delete(f"/api/models/{s['id']}"),
              predict(client, s["id"], input=[[0, 0]] * 9),
              trace(client, s["id"], input=[[0, 0]] * 9, layer="causal_s2", index=[0, 0])):
        assert assert_error(r, 404, "id")["code"] == "model_not_found"
    for bad in ("xyz", "A" * 64, "0" * 63, "..%2F..%2Fetc%2Fpasswd"):
        r = client.get(f"/api/models/{bad}")
        assert r.status_code == 404 and r.json()["error"]["code"] in ("bad_model_id", "not_found")
    assert assert_error(client.get("/api/models/" + "ab" * 32), 404, "id")["code"] == "model_not_found"


# ---- bad files, sizes, content types -----------------------------------------------------------------------

BAD = {name: (data, field, code) for name, data, field, code in bad_cases()}


@pytest.mark.parametrize("name", ["text", "empty", "truncated .keras", "truncated tf2 .h5", "zip bomb: 60 MB member",
                                  "zip bomb: ratio over 100", "path '../config.json'", "Lambda layer", "custom layer",
                                  "unsupported activation", "channels_first",
                                  "config names missing weights (.keras)", "weight shapes disagree (.h5)",
                                  "more than 10 million parameters", "more than 500 layers", "NaN weights"])
def test_bad_files_get_4xx_in_the_error_shape(client, models_dir, name):
    data, field, code = BAD[name]
    before = sorted(models_dir.iterdir())
    err = assert_error(upload(client, data), 422)
    assert err["field"].startswith(field) and err["code"] == (code or "invalid_request"), err
    assert sorted(models_dir.iterdir()) == before                        # nothing stored


def test_a_30_mb_upload_is_refused_with_413_before_it_is_read(client):
    err = assert_error(upload(client, b"PK\x03\x04" + bytes(30 * 1000 * 1000)), 413, "body")
    assert err["code"] == "payload_too_large"
    # over 20 MiB but within the multipart envelope's room: the file itself is refused, also 413
    err = assert_error(upload(client, b"PK\x03\x04" + bytes(L.MODEL_MAX_UPLOAD_BYTES)), 413, "file")
    assert err["code"] == "file_too_large"
    s = summary_of(client, "lstm.keras")
    big = b'{"input": [' + b"0," * (4 << 20) + b'0]}'
    r = client.post(f"/api/models/{s['id']}/predict", content=big, headers={"content-type": "application/json"})
    assert_error(r, 413, "body")


def test_content_types(client):
    s = summary_of(client, "lstm.keras")
    assert_error(client.post("/api/models", json={"file": "x"}), 415, "content-type")
    assert_error(client.post("/api/models", content=b"abc", headers={"content-type": "text/plain"}), 415)
    assert_error(client.post(f"/api/models/{s['id']}/predict", files={"file": ("x", b"1")}), 415, "content-type")
    assert_error(client.post(f"/api/models/{s['id']}/trace", content=b'{"input": [[0, 0]]}',
                             headers={"content-type": "text/plain"}), 415, "content-type")
    err = assert_error(client.post("/api/models", content=b"--x\r\nnot a part", headers={
        "content-type": "multipart/form-data; boundary=x"}), 400, "body")
    assert err["code"] == "invalid_multipart"
    assert_error(client.post("/api/models", files={"other": ("x", b"1")}), 422, "other")   # not a field here
    assert_error(client.post("/api/models", content=b"--x--\r\n", headers={
        "content-type": "multipart/form-data; boundary=x"}), 422, "file")   # no parts at all


# ---- nothing is written outside MODELS_DIR -----------------------------------------------------------------

_opened: list[tuple[str, object, object]] = []
_watching = threading.Event()


def _audit(event, args):
    if _watching.is_set() and event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return                                   # a descriptor already open (a pipe to the reading child)
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writes:
            _opened.append((str(path), mode, flags))


sys.addaudithook(_audit)


def test_nothing_is_written_outside_models_dir(client, models_dir):
    """Every file opened for writing while a 1.1 MB model (over Starlette's 1 MB spooling size) is uploaded,
    run, traced and deleted, and while bad files are refused, lies in MODELS_DIR. (The reading child cannot
    write at all: RLIMIT_FSIZE 0, tests/models/test_isolated.py.)"""
    data = client.get("/api/mnist/model.keras").content
    assert len(data) > 1 << 20
    client.delete(f"/api/models/{hashlib.sha256(data).hexdigest()}")      # uploaded by an earlier test: a new save
    bad = [BAD[name][0] for name in ("zip bomb: 60 MB member", "truncated .keras", "path '../config.json'")]
    _opened.clear()
    _watching.set()
    try:
        s = upload(client, data).json()
        assert predict(client, s["id"], **SEVEN).status_code == 200
        assert trace(client, s["id"], **SEVEN, layer="conv2", index=[3, 3, 5]).status_code == 200
        for b in bad:
            assert upload(client, b).status_code == 422
        assert client.delete(f"/api/models/{s['id']}").status_code == 200
    finally:
        _watching.clear()
    assert _opened, "the upload wrote its file"
    root = str(models_dir)
    outside = [entry for entry in _opened if not entry[0].startswith(root + os.sep) and entry[0] != root]
    assert outside == [], outside


# ---- the /model page's bundled samples ------------------------------------------------------------------

def test_the_bundled_samples_predict_what_keras_predicted(client):
    """static/models/samples.json: each sample's example input and Keras' model.predict on it."""
    import json
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "static"
    samples = json.loads((static / "models" / "samples.json").read_text())
    assert set(samples) == {"simple_rnn", "lstm"}
    for name, sample in samples.items():
        data = client.get(sample["file"]).content
        s = upload(client, data, f"{name}.keras").json()
        assert s["input_kind"] == "sequence" and s["layers"][1]["class_name"] == sample["class_name"]
        out = predict(client, s["id"], input=sample["input"]).json()
        np.testing.assert_allclose(out["output"], sample["keras_output"], rtol=1e-5, atol=1e-5)


def test_a_reading_process_that_cannot_start_is_503_not_the_files_fault(client, monkeypatch):
    from app.models import isolated
    from tests.models.test_isolated import _dies_before_starting

    monkeypatch.setattr(isolated, "_child", _dies_before_starting)
    data = keras_file("unread", (3,), [dense_layer("d", 2, [np.ones((3, 2), np.float32), np.zeros(2, np.float32)])])
    err = assert_error(upload(client, data), 503, "file")
    assert err["code"] == "reader_unavailable"
