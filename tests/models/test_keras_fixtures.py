"""Every fixture file (Keras 3 .keras, Keras 3's legacy .h5, genuine tf.keras 2 .h5) read by app/models and run
by the engine gives Keras' own model.predict, layer by layer, within 1e-5; parameters equal count_params()."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.layers import forward, summary
from app.models.reader import read_model

from .helpers import FILES, expected, fixture_bytes


def test_fixtures_cover_every_file_format_and_layer():
    assert len(FILES) >= 39
    assert {f.split(".", 1)[1] for f in FILES} == {"keras", "keras3.h5", "tf2.h5"}
    classes = set()
    for file in FILES:
        classes |= {layer.class_name for layer in read_model(fixture_bytes(file)).layers}
    assert classes == {"Conv2D", "Conv1D", "MaxPooling2D", "MaxPooling1D", "AveragePooling2D", "AveragePooling1D",
                       "GlobalAveragePooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling1D",
                       "ZeroPadding2D", "Flatten", "Dense", "Dropout", "Activation", "ReLU", "Softmax",
                       "BatchNormalization", "Reshape", "Rescaling", "SimpleRNN", "LSTM", "GRU", "Embedding"}


@pytest.mark.parametrize("file", FILES)
def test_every_layer_matches_keras(file):
    model = read_model(fixture_bytes(file))
    want = expected(file)
    for n, x in enumerate(want["x"]):
        outs = forward(model, x)
        for layer, out in zip(model.layers, outs, strict=True):
            ref = want[f"layer.{layer.name}"][n]
            assert out.shape == ref.shape, f"{file} {layer.name}: mine {out.shape} vs Keras {ref.shape}"
            np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5, err_msg=f"{file} {layer.name}: mine vs Keras")
        np.testing.assert_allclose(outs[-1], want["y"][n], rtol=1e-5, atol=1e-5, err_msg=f"{file}: output")


@pytest.mark.parametrize("file", FILES)
def test_parameter_counts_match_keras(file):
    s = summary(read_model(fixture_bytes(file)))
    want = expected(file)
    assert s["total_params"] == int(want["count_params"])
    assert s["trainable_params"] == int(want["trainable_params"])
    assert s["non_trainable_params"] == s["total_params"] - s["trainable_params"]


@pytest.mark.parametrize("file", [f for f in FILES if f.startswith("batchnorm")])
def test_batchnorm_moving_statistics_are_not_trainable(file):
    rows = {r["name"]: r for r in summary(read_model(fixture_bytes(file)))["layers"]}
    # axis=1 of (4, 5), center=False: γ, mean, variance of 4 channels; γ trainable
    assert (rows["bn_axis1"]["params"], rows["bn_axis1"]["trainable_params"]) == (12, 4)
    # last axis (5), scale=False: β, mean, variance; β trainable
    assert (rows["bn_noscale"]["params"], rows["bn_noscale"]["trainable_params"]) == (15, 5)
    # Dense(3, trainable=False) on 5 features: 18 parameters, none trainable
    assert (rows["per_step"]["params"], rows["per_step"]["trainable_params"]) == (18, 0)


def test_summary_shapes_and_free_sequence_length():
    s = summary(read_model(fixture_bytes("text_functional.keras")))
    assert s["input_shape"] == [None]
    assert [(r["name"], r["class_name"], r["output_shape"]) for r in s["layers"]] == [
        ("tokens", "InputLayer", [None]), ("embed", "Embedding", [None, 5]), ("lstm", "LSTM", [None, 4]),
        ("gru", "GRU", [3]), ("probs", "Dense", [2])]
    assert s["layers"][3]["config"] == {"units": 3, "activation": "tanh", "use_bias": True, "return_sequences": False,
                                        "go_backwards": False, "recurrent_activation": "sigmoid", "reset_after": True}
    model = read_model(fixture_bytes("text_functional.keras"))
    assert forward(model, np.array([1, 2, 3]))[-1].shape == (2,)   # any length runs


def test_keras2_hard_sigmoid_is_keras2s():
    """tf.keras 2's LSTM with recurrent_activation='hard_sigmoid' uses clip(0.2·x + 0.5): the fixture matches
    above; here the layer says so."""
    model = read_model(fixture_bytes("lstm.tf2.h5"))
    assert model.keras == 2 and model.layers[1].options["recurrent_activation"] == "hard_sigmoid"
    act = read_model(fixture_bytes("activations.keras")).layer("act_hard_sigmoid")[1]
    assert act.options["_activation"] == "hard_sigmoid_keras3"      # Keras 3's x/6 + 0.5
