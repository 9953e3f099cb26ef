"""Traces of uploaded models: every traceable layer of every Keras 3 fixture, checked against the values predict
returns and against themselves (products, sums, windows); the lecture's examples written out exactly."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.conv import pad_input
from app.engine.errors import EngineError
from app.engine.layers import forward, trace
from app.engine.numbers import fmt
from app.engine.padding import Pads
from app.models.reader import read_model
from app.models.writer import keras_file

from .helpers import FILES, dense_layer, expected, fixture_bytes

KERAS3 = [f for f in FILES if f.endswith(".keras")]


def _indices(shape, rng, n=3):
    return [[int(rng.integers(0, d)) for d in shape] for _ in range(n)]


def _check_weighted_sum(step, x_in, result):
    products = np.asarray(step["products"], dtype=float)
    np.testing.assert_allclose(products, np.asarray(step["inputs"]) * np.asarray(step["weights"]), atol=1e-12)
    assert step["sum"] == pytest.approx(products.sum(), abs=1e-9)
    assert step["pre_activation"] == pytest.approx(step["sum"] + step["bias"], abs=1e-9)
    assert step["formula"].endswith(" = " + fmt(step["pre_activation"]))
    if "terms" in step:
        assert "".join(step["terms"]) == step["formula"]
    if result["kind"] == "dense":                       # window cells are the input's own coordinates
        got = [x_in[tuple(c)] for c in step["window"]]
    else:                                               # padded-input coordinates, as on the conv page
        pads = result["padding"]
        xp = pad_input(x_in if x_in.ndim == 3 else x_in[None],
                       Pads(pads.get("top", 0), pads.get("bottom", 0), pads["left"], pads["right"]))
        got = [xp[tuple(c)] if len(c) == 2 else xp[0, c[0]] for c in step["window"]]
    np.testing.assert_allclose(np.ravel(got), np.ravel(step["inputs"]) if result["kind"] == "dense" else
                               np.asarray(step["inputs"]).reshape(len(step["window"]), -1).ravel(), atol=0)


@pytest.mark.parametrize("file", KERAS3)
def test_every_traceable_layer_traces_the_predicted_value(file):
    model = read_model(fixture_bytes(file))
    x = expected(file)["x"][0]
    outs = forward(model, x)
    rng = np.random.default_rng(7)
    traced = softmaxed = 0
    for i, layer in enumerate(model.layers):
        x_in = x.astype(float) if i == 0 else outs[i - 1]
        for index in _indices(outs[i].shape, rng):
            result = trace(model, x, layer.name, index)
            step = result["step"]
            want = float(outs[i][tuple(index)])
            assert result["model_value"] == want
            assert step["value"] == pytest.approx(want, abs=1e-9), f"{file} {layer.name} {index}"
            assert result["input_shape"] == list(x_in.shape) and result["output_shape"] == list(outs[i].shape)
            kind = result["kind"]
            if kind in ("conv2d", "conv1d", "dense"):
                _check_weighted_sum(step, x_in, result)
                act = layer.options["_activation"]
                if act == "linear":
                    assert step["pre_activation"] == pytest.approx(want, abs=1e-9)
                elif act == "softmax":                   # over the pre-activations of the whole row
                    text = step["activation_formula"]
                    assert text.startswith(f"softmax: exp({fmt(step['pre_activation'])}) / (")
                    assert text.endswith(" = " + fmt(want)) and text.count("exp(") == outs[i].shape[-1] + 1
                    softmaxed += 1
                else:
                    assert step["activation_formula"] == f"{layer.options['activation']}(" \
                        f"{fmt(step['pre_activation'])}) = {fmt(want)}"
            elif kind in ("max_pool", "average_pool"):
                real = [v for v in np.ravel(np.array(step.get("inputs", step.get("values")), dtype=object))
                        if v is not None]
                assert want == pytest.approx(max(real) if kind == "max_pool" else sum(real) / len(real), abs=1e-9)
                assert len(step["window"]) == len(np.ravel(np.array(step.get("inputs", step.get("values")),
                                                                    dtype=object)))
            elif kind in ("simple_rnn", "lstm", "gru"):
                assert step["h"][step["unit"]] == pytest.approx(want, abs=1e-12)
                assert step["formulas"]["hidden"].endswith(" = " + fmt(want))
                if kind == "lstm":
                    g = step["gates"]
                    c = np.array(g["forget"]) * step["c_prev"] + np.array(g["input"]) * g["candidate"]
                    np.testing.assert_allclose(c, step["c"], atol=1e-12)
            elif kind == "embedding":
                assert want == float(layer.weights["embeddings"][step["row"], index[-1]])
            else:
                cell = tuple(step["window"][0]) if step["window"] else None
                if cell is not None:
                    assert step["inputs"][0] == pytest.approx(float(x_in[cell]), abs=0)
                assert step["formula"] == "".join(step["terms"])
            traced += 1
    assert traced == 3 * len(model.layers)
    assert softmaxed == 3 * sum(layer.options.get("_activation") == "softmax" for layer in model.layers
                                if layer.class_name in ("Dense", "Conv2D", "Conv1D"))


def lecture_conv_model(bias=None) -> bytes:
    kernel = np.array([[2, 1, 3], [2, 0, 0], [1, 3, 2]], dtype=np.float32)[:, :, None, None]
    weights = [kernel] if bias is None else [kernel, np.array([bias], dtype=np.float32)]
    return keras_file("lecture", (4, 4, 1), [
        {"class_name": "Conv2D", "config": {"name": "conv", "filters": 1, "kernel_size": [3, 3], "padding": "same",
                                            "use_bias": bias is not None}, "weights": weights},
        {"class_name": "AveragePooling2D", "config": {"name": "pool", "pool_size": [2, 2], "padding": "same"}}])


LECTURE_INPUT = np.array([[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]], dtype=float)[:, :, None]


def test_lecture_convolution_formula():
    model = read_model(lecture_conv_model())
    result = trace(model, LECTURE_INPUT, "conv", [1, 1, 0])
    assert result["kind"] == "conv2d" and result["padding"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    step = result["step"]
    assert step["formula"] == "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"
    assert step["value"] == 19 and step["window"][0] == [1, 1] and step["window"][-1] == [3, 3]
    with_bias = trace(read_model(lecture_conv_model(bias=-1)), LECTURE_INPUT, "conv", [1, 1, 0])["step"]
    assert with_bias["formula"] == ("(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) + (-1) "
                                    "= 3 + 0 + 16 + (-1) = 18")


def test_lecture_average_pooling_leaves_padding_out():
    pool_in = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], float)
    model = read_model(keras_file("pool", (5, 5, 1), [
        {"class_name": "AveragePooling2D", "config": {"name": "pool", "pool_size": [2, 2], "padding": "same"}}]))
    step = trace(model, pool_in[:, :, None], "pool", [0, 2, 0])["step"]
    assert step["formula"] == "(0 + 1) / 2 = 0.5" and step["count"] == 2
    step = trace(model, pool_in[:, :, None], "pool", [0, 0, 0])["step"]
    assert step["formula"] == "(3 + 3 + 0 + 0) / 4 = 1.5"


def test_lecture_rnn_formulas():
    """The lecture's RNN: all weights 1, no bias, linear: h₂ = 7 and the outputs 4, 14, 36."""
    ones = np.ones((2, 2), dtype=np.float32)
    model = read_model(keras_file("rnn", (3, 2), [
        {"class_name": "SimpleRNN", "config": {"name": "rnn", "units": 2, "activation": "linear", "use_bias": False,
                                               "return_sequences": True}, "weights": [ones, ones]},
        dense_layer("out", 2, [ones], use_bias=False)]))
    x = np.array([[1, 1], [2, 1], [1, 3]], dtype=float)
    np.testing.assert_array_equal(forward(model, x)[-1], [[4, 4], [14, 14], [36, 36]])
    step = trace(model, x, "rnn", [1, 0])["step"]
    assert step["formulas"] == {"hidden": "h₂[1] = 2×1 + 1×1 + 2×1 + 2×1 = 7"}
    assert step["t"] == 1 and step["h_prev"] == [2, 2] and step["pre_activations"] == {"h": [7, 7]}
    out = trace(model, x, "out", [2, 1])["step"]
    assert out["formula"] == "(18×1 + 18×1) = 36" and out["window"] == [[2, 0], [2, 1]]


def test_lstm_gate_formulas_of_one_unit():
    """The classic LSTM gate example with Keras 3's sigmoid gates (the recurrent page's lstm-gates-sigmoid):
    memory 3, 7; the output gate is sigmoid(-10) = 4.54e-05, so h₁ = 0.0001 shows up in step 2's sums."""
    kernel = np.array([[0, 0, 1, 0], [100, 100, 0, 0], [0, 0, 0, 100]], dtype=np.float32)
    model = read_model(keras_file("lstm", (5, 3), [
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 1, "activation": "linear",
                                          "recurrent_activation": "sigmoid", "return_sequences": True},
         "weights": [kernel, np.zeros((1, 4), np.float32), np.array([-10, 10, 0, -10], np.float32)]}]))
    x = np.array([[3, 1, 0], [4, 1, 0], [2, 0, 0], [1, 0, 1], [3, -1, 0]], dtype=float)
    step = trace(model, x, "lstm", [1, 0])["step"]
    f = step["formulas"]
    assert f["input"] == "i₂ = sigmoid(4×0 + 1×100 + 0×0 + 0.0001×0 + (-10)) = sigmoid(90) = 1"
    assert f["candidate"] == "c̃₂ = 4×1 + 1×0 + 0×0 + 0.0001×0 + 0 = 4"
    assert f["cell"] == "c₂ = f×c₁ + i×c̃ = 1×3 + 1×4 = 7"
    assert f["hidden"] == "h₂ = o×c₂ = 4.54e-05×7 = 0.0003"
    assert step["c_prev"] == [3] and step["c"] == [7]


def test_trace_refuses_bad_requests():
    model = read_model(fixture_bytes("cnn_same.keras"))
    x = expected("cnn_same.keras")["x"][0]
    cases = [("nope", [0], "layer"), ("conv_s2_same", [0, 0], "index"), ("conv_s2_same", [0, 0, 3], "index.2"),
             ("conv_s2_same", [0, True, 0], "index"), ("probs", [-1], "index.0")]
    for layer, index, field in cases:
        with pytest.raises(EngineError) as e:
            trace(model, x, layer, index)
        assert e.value.field == field, (layer, index, e.value)
    with pytest.raises(EngineError) as e:
        trace(model, x[:3], "probs", [0])
    assert e.value.field == "input" and e.value.code == "wrong_input_shape"


def test_too_wide_dense_is_not_traceable():
    W = np.random.default_rng(0).standard_normal((60_000, 1)).astype(np.float32)   # zeros would zip 100:1
    model = read_model(keras_file("wide", (60_000,), [dense_layer("d", 1, [W, np.zeros(1, np.float32)])]))
    from app.engine.layers import summary
    assert summary(model)["layers"][1]["traceable"] is False
    with pytest.raises(EngineError) as e:
        trace(model, np.zeros(60_000), "d", [0])
    assert e.value.field == "layer" and "capped" in e.value.rule
