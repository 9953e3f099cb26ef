"""The app's MNIST CNN as a Keras 3 file: our reader reads it back and predicts what the app predicts.
(That Keras itself opens it and agrees is checked by tools/check_keras_export.py in the Keras venv.)"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from app.engine.layers import forward, summary
from app.engine.nn import Sequential
from app.models import service
from app.models.export import WEIGHTS, mnist_keras_bytes
from app.models.reader import read_model

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "mnist_test_sample.npz"


@pytest.fixture(scope="module")
def app_model() -> Sequential:
    """The app's own model, as the MNIST API loads it."""
    return Sequential.load(WEIGHTS)


@pytest.fixture(scope="module")
def exported() -> bytes:
    return mnist_keras_bytes()


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    with np.load(SAMPLE) as f:
        return f["images"][:20].astype(np.float32) / 255.0


def test_export_is_a_keras3_zip_and_deterministic(exported):
    with zipfile.ZipFile(io.BytesIO(exported)) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(z.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert [e["class_name"] for e in config["config"]["layers"]][:4] == ["InputLayer", "Conv2D", "ReLU",
                                                                         "MaxPooling2D"]
    assert mnist_keras_bytes() == exported


def test_read_back_has_the_apps_layers_and_parameters(exported, app_model):
    s = summary(read_model(exported))
    assert s["total_params"] == app_model.num_params() == 293_546 == s["trainable_params"]
    assert [r["name"] for r in s["layers"][1:]] == [spec["name"] for spec in app_model.spec] + ["softmax"]
    assert s["layers"][1]["output_shape"] == [24, 24, 32]


def test_read_back_predicts_what_the_app_predicts(exported, digits, app_model):
    model = read_model(exported)
    want = app_model.predict(digits)                              # the app's probabilities (its own softmax)
    acts = app_model.forward_with_activations(digits[:3])
    for n, x in enumerate(digits):
        outs = forward(model, x[:, :, None])
        np.testing.assert_allclose(outs[-1], want[n], atol=1e-5, err_msg="mine vs the app")
        assert int(outs[-1].argmax()) == int(want[n].argmax())
        if n < 3:   # every feature map, not only the answer
            for layer, out in zip(model.layers[:-1], outs[:-1], strict=True):
                ref = next(a["array"][n] for a in acts if a["name"] == layer.name)
                np.testing.assert_allclose(out, ref, atol=1e-5, rtol=1e-5, err_msg=layer.name)


def test_upload_and_predict_the_exported_model(exported, digits, store, app_model):
    summary_ = service.upload(exported, store=store)
    assert summary_["input_kind"] == "image" and summary_["image"]["channels"] == 1
    got = service.predict_image(summary_["id"], digits[0], store=store)
    np.testing.assert_allclose(got["output"], app_model.predict(digits[:1])[0], atol=1e-5)
