"""The functions the /api/models routers call: upload, summary, predict (arrays and pictures), trace, delete."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.layers import check_input, forward, plan, run
from app.engine.layers import model as engine_model
from app.engine.layers.spec import KINDS
from app.models import service
from app.models.images import resize
from app.models.reader import read_model
from app.models.writer import keras_file

from .helpers import dense_layer, expected, fixture_bytes


def test_upload_summary_list_delete(store):
    data = fixture_bytes("cnn_same.keras")
    s = service.upload(data, store=store)
    assert s["id"] == hashlib.sha256(data).hexdigest()
    assert {"id", "name", "input_shape", "layers", "total_params", "trainable_params", "input_kind"} <= set(s)
    assert s["name"] == "cnn_same" and s["input_shape"] == [9, 9, 2] and s["total_params"] == 170
    conv = s["layers"][1]
    assert conv == {"name": "conv_s2_same", "class_name": "Conv2D", "input_shape": [9, 9, 2],
                    "output_shape": [5, 5, 3], "params": 57, "trainable_params": 57, "traceable": True,
                    "config": {"filters": 3, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same",
                               "dilation_rate": [1, 1], "activation": "relu", "use_bias": True}}
    service.forget()                                          # read again from the directory
    assert service.get_summary(s["id"], store=store) == s
    assert [e["id"] for e in service.list_models(store=store)] == [s["id"]]
    service.delete(s["id"], store=store)
    for call in (lambda: service.get_summary(s["id"], store=store), lambda: service.delete(s["id"], store=store)):
        with pytest.raises(EngineError) as e:
            call()
        assert e.value.code == "model_not_found"


def test_cached_model_removed_by_another_process_is_not_found(store):
    s = service.upload(fixture_bytes("lstm.keras"), store=store)
    (store.root / f"{s['id']}.model").unlink()               # evicted elsewhere
    with pytest.raises(EngineError) as e:
        service.predict(s["id"], np.zeros((6, 2)).tolist(), store=store)
    assert e.value.code == "model_not_found"


def test_predict_returns_every_layer(store):
    s = service.upload(fixture_bytes("gru.keras"), store=store)
    want = expected("gru.keras")
    got = service.predict(s["id"], want["x"][0].tolist(), store=store)
    np.testing.assert_allclose(got["output"], want["y"][0], atol=1e-5)
    assert [layer["name"] for layer in got["layers"]] == ["gru_after", "gru_before", "gru_back", "probs"]
    for layer in got["layers"]:
        ref = want[f"layer.{layer['name']}"][0]
        assert layer["shape"] == list(ref.shape)
        assert layer["min"] == pytest.approx(ref.min(), abs=1e-5) and layer["max"] == pytest.approx(ref.max(), abs=1e-5)
        np.testing.assert_allclose(layer["array"], ref, atol=1e-5)


@pytest.mark.parametrize("value, field, code", [
    (np.zeros((5, 2)).tolist(), "input", "wrong_input_shape"),
    (np.zeros((4, 3)).tolist(), "input", "wrong_input_shape"),
    ([[1, 2, 3]] * 4 + [[1, 2]], "input.4", None),
    ([[float("nan"), 0, 0]] * 5, "input", None),
    ("text", "input", None),
])
def test_predict_refuses_bad_input(store, value, field, code):
    s = service.upload(fixture_bytes("gru.keras"), store=store)
    with pytest.raises(EngineError) as e:
        service.predict(s["id"], value, store=store)
    assert e.value.field == field and (code is None or e.value.code == code)


def test_token_input_must_be_row_numbers(store):
    s = service.upload(fixture_bytes("text_functional.keras"), store=store)
    assert s["input_kind"] == "tokens"
    assert service.predict(s["id"], [3, 1, 4, 1, 5], store=store)["output_shape"] == [2]
    for bad in ([1, 2.5], [1, 20], [-1]):
        with pytest.raises(EngineError) as e:
            service.predict(s["id"], bad, store=store)
        assert e.value.field == "input" and "'embed' (Embedding)" in e.value.rule


def test_sequences_longer_than_the_cap_are_refused_before_running(store):
    s = service.upload(fixture_bytes("text_functional.keras"), store=store)    # a free sequence length
    with pytest.raises(EngineError) as e:
        service.predict(s["id"], [1] * 5_001, store=store)
    assert e.value.field == "input" and e.value.code == "model_too_costly"
    assert e.value.rule.startswith("LSTM layer 'lstm': a recurrent layer reads 1 to 5,000 steps")
    assert service.predict(s["id"], [1] * 5_000, store=store)["output_shape"] == [2]


def _recurrent_stack(kind: str, layers: int, steps: int) -> bytes:
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    return keras_file("stack", (steps, 1), [
        {"class_name": kind, "config": {"name": f"r{i}", "units": 1, "return_sequences": True},
         "weights": [np.full((1, gates), 0.1), np.full((1, gates), 0.1),
                     np.zeros((2, gates) if kind == "GRU" else gates)]}
        for i in range(layers)])


@pytest.mark.parametrize("kind, layers, steps, ok_layers", [("LSTM", 200, 5_000, 2), ("LSTM", 26, 1_000, 12),
                                                            ("GRU", 15, 1_000, 7), ("SimpleRNN", 130, 1_000, 40)])
def test_stacked_recurrent_layers_are_costed_by_their_steps_before_running(store, kind, layers, steps, ok_layers):
    # every step of a recurrent layer is a Python loop iteration: 200 LSTM layers of 5,000 steps took 23 s when
    # only multiply-adds were counted (200 × 5,000 × 8); a step now costs 8,000 to 36,000 units (about ns)
    s = service.upload(_recurrent_stack(kind, layers, steps), store=store)
    with pytest.raises(EngineError) as e:
        service.predict(s["id"], np.zeros((steps, 1)).tolist(), store=store)
    assert e.value.field == "input" and e.value.code == "model_too_costly" and "500,000,000 units" in e.value.rule
    fewer = service.upload(_recurrent_stack(kind, ok_layers, steps), store=store)
    assert service.predict(fewer["id"], np.zeros((steps, 1)).tolist(), store=store)["output_shape"] == [steps, 1]


def _activation_chain(activation: str, layers: int, shape) -> bytes:
    return keras_file("chain", shape, [{"class_name": "Activation",
                                        "config": {"name": f"a{i}", "activation": activation}} for i in range(layers)])


@pytest.mark.parametrize("activation, layers", [("gelu", 5), ("softmax", 60), ("tanh", 40), ("relu", 400)])
def test_elementwise_chains_are_costed_by_what_each_function_costs(store, activation, layers):
    # 470 gelu layers on (630, 630) took 25 s when an element-wise number counted 1 (gelu's erf runs in Python)
    s = service.upload(_activation_chain(activation, layers, (None, 800)), store=store)
    with pytest.raises(EngineError) as e:
        service.predict(s["id"], np.zeros((800, 800)).tolist(), store=store)
    assert e.value.code == "model_too_costly"
    x = np.linspace(-3, 3, 80 * 800).reshape(80, 800)          # a tenth of the rows: within the cap
    got = service.predict(s["id"], x.tolist(), store=store, arrays="numpy")
    assert got["output_shape"] == [80, 800] and got["layers"][0]["min"] <= got["layers"][0]["max"]


def test_a_long_chain_holds_two_layers_not_all_of_them(store):
    import tracemalloc

    # each layer's output is 250,000 float64 (2 MB): keeping all 60 would take 120 MB
    s = service.upload(_activation_chain("linear", 60, (500, 500)), store=store)
    x = np.random.default_rng(3).random((500, 500))
    rows = x.tolist()
    tracemalloc.start()
    try:
        got = service.predict(s["id"], rows, store=store, arrays="numpy")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(got["layers"]) == 60 and all(r["array"] is None and r["max"] == x.max() for r in got["layers"])
    assert peak < 12 * 2**20, peak


def test_large_layer_arrays_are_left_out_but_described(store):
    rng = np.random.default_rng(0)
    data = keras_file("wide", (300, 300, 1), [
        {"class_name": "Conv2D", "config": {"name": "conv", "filters": 1, "kernel_size": [1, 1]},
         "weights": [rng.standard_normal((1, 1, 1, 1)).astype(np.float32), np.ones(1, np.float32)]},
        {"class_name": "GlobalMaxPooling2D", "config": {"name": "gmp"}},
        dense_layer("out", 2, [rng.standard_normal((1, 2)).astype(np.float32), np.zeros(2, np.float32)])])
    s = service.upload(data, store=store)
    x = rng.random((300, 300, 1))
    got = service.predict(s["id"], x.tolist(), store=store)
    conv = got["layers"][0]
    assert conv["array"] is None and conv["shape"] == [300, 300, 1]
    ref = forward(read_model(data), x)[0]
    assert conv["min"] == ref.min() and conv["max"] == ref.max()
    assert got["layers"][2]["array"] == got["output"] and len(got["output"]) == 2


def test_pictures_are_resized_and_scaled_to_the_model(store):
    s = service.upload(fixture_bytes("cnn_valid.keras"), store=store)        # (10, 8, 1), starts with Rescaling(1/255)
    assert s["image"] == {"height": 10, "width": 8, "channels": 1, "layout": "hwc"}
    pic = np.random.default_rng(1).random((40, 32))
    got = service.predict_image(s["id"], pic, value_scale="0..255", store=store)
    x = np.asarray(got["input"])
    assert x.shape == (10, 8, 1)
    # a 4:1 box filter: each value is the mean of a 4×4 block, times 255
    np.testing.assert_allclose(x[:, :, 0], pic.reshape(10, 4, 8, 4).mean(axis=(1, 3)) * 255, rtol=1e-5)
    np.testing.assert_allclose(got["output"], forward(read_model(fixture_bytes("cnn_valid.keras")), x)[-1],
                               atol=1e-9)
    small = service.predict_image(s["id"], pic[:5, :4], store=store)          # enlarged, 0..1
    assert np.asarray(small["input"]).shape == (10, 8, 1) and np.max(small["input"]) <= 1.0


def test_pictures_fill_every_channel_and_flat_inputs(store):
    rng = np.random.default_rng(2)
    rgb = service.upload(keras_file("rgb", (6, 6, 3), [
        {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}}]), store=store)
    got = service.predict_image(rgb["id"], np.full((6, 6), 0.5), store=store)
    assert got["output"] == [0.5, 0.5, 0.5]
    flat = service.upload(keras_file("flat", (784,), [
        dense_layer("d", 2, [rng.standard_normal((784, 2)).astype(np.float32), np.zeros(2, np.float32)])]),
        store=store)
    assert flat["image"]["layout"] == "flat" and flat["input_kind"] == "image"
    pic = rng.random((28, 28))
    np.testing.assert_allclose(service.predict_image(flat["id"], pic, store=store)["input"], pic.ravel(), atol=1e-7)


def test_pictures_refused_for_other_models_and_bad_values(store):
    seq = service.upload(fixture_bytes("lstm.keras"), store=store)
    assert seq["input_kind"] == "sequence" and seq["image"] is None
    with pytest.raises(EngineError) as e:
        service.predict_image(seq["id"], np.zeros((6, 2)), store=store)
    assert e.value.field == "image"
    img = service.upload(fixture_bytes("cnn_valid.keras"), store=store)
    for pic, scale, field in ((np.full((4, 4), 2.0), "0..1", "image"), (np.zeros((4, 4)), "0..100", "value_scale"),
                              (np.zeros(4), "0..1", "image")):
        with pytest.raises(EngineError) as e:
            service.predict_image(img["id"], pic, value_scale=scale, store=store)
        assert e.value.field == field


def test_resize_box_and_bilinear():
    a = np.arange(16, dtype=float).reshape(4, 4)
    np.testing.assert_allclose(resize(a, 2, 2), [[2.5, 4.5], [10.5, 12.5]])
    assert resize(a, 4, 4).tolist() == a.tolist()
    assert resize(a, 8, 8).shape == (8, 8)


def test_trace_through_the_service(store):
    s = service.upload(fixture_bytes("cnn_valid.keras"), store=store)
    pic = np.random.default_rng(3).random((10, 8))
    t = service.trace(s["id"], "conv", [2, 3, 1], image=pic, value_scale="0..255", store=store)
    p = service.predict_image(s["id"], pic, value_scale="0..255", store=store)
    assert t["model_value"] == p["layers"][1]["array"][2][3][1] and t["input_from"] == "rescale"
    assert t["kind"] == "conv2d" and len(t["step"]["products"]) == 3
    with pytest.raises(EngineError) as e:
        service.trace(s["id"], "conv", [0, 0, 0], store=store)
    assert e.value.field == "input"


# ---- a request plans its model once, and refuses over the caps before any layer runs -------------------------

@pytest.fixture
def plans(monkeypatch):
    """Every planned input shape, however the plan is reached (check_input in the engine, or the service)."""
    shapes = []

    def counting(model, x_shape):
        shapes.append(tuple(x_shape))
        return plan(model, x_shape)

    monkeypatch.setattr(engine_model, "plan", counting)
    monkeypatch.setattr(service, "plan", counting)
    return shapes


@pytest.fixture
def ran(monkeypatch):
    """The names of the layers whose forward pass ran, in order."""
    names = []

    def counting(forward):
        def run_layer(layer, x):
            names.append(layer.name)
            return forward(layer, x)
        return run_layer

    for class_name, kind in list(KINDS.items()):
        monkeypatch.setitem(KINDS, class_name, dataclasses.replace(kind, forward=counting(kind.forward)))
    return names


def test_predict_plans_once(store, plans, ran):
    s = service.upload(fixture_bytes("gru.keras"), store=store)
    x = expected("gru.keras")["x"][0]
    got = service.predict(s["id"], x.tolist(), store=store)
    assert plans == [x.shape] and ran == [layer["name"] for layer in got["layers"]]
    plans.clear()
    service.predict_image(service.upload(fixture_bytes("cnn_valid.keras"), store=store)["id"], np.zeros((10, 8)),
                          store=store)
    assert plans == [(10, 8, 1)]


def test_trace_plans_and_checks_once(store, plans, ran, monkeypatch):
    s = service.upload(fixture_bytes("cnn_valid.keras"), store=store)
    checks = []
    monkeypatch.setattr(engine_model, "check_input", lambda *a: checks.append(1) or check_input(*a))
    t = service.trace(s["id"], "conv", [2, 3, 1], image=np.zeros((10, 8)), store=store)
    assert t["layer"] == "conv" and plans == [(10, 8, 1)] and len(checks) == 1
    assert ran == ["rescale", "conv"]                          # up to the traced layer only


def test_over_the_caps_is_refused_before_any_layer_runs(store, plans, ran):
    costly = service.upload(_activation_chain("gelu", 5, (None, 800)), store=store)
    rows = np.zeros((800, 800)).tolist()
    for call in (lambda: service.predict(costly["id"], rows, store=store),
                 lambda: service.trace(costly["id"], "a0", [0, 0], input=rows, store=store)):
        with pytest.raises(EngineError) as e:
            call()
        assert e.value.field == "input" and e.value.code == "model_too_costly" and "500,000,000 units" in e.value.rule
    assert ran == [] and plans == [(800, 800)] * 2


def test_an_input_over_the_size_cap_is_refused_as_before(store, ran):
    # (1200, 1200, 3) is 4,320,000 numbers, over MODEL_MAX_LAYER_NUMBERS; the conv's output too (11,520,000):
    # an array: predict names the plan's refusal (it plans first), trace the input's size (it checks the size first);
    # a picture is refused before it is copied into the model's channels (a review: 134 MB for a 2048² RGBA one)
    s = service.upload(keras_file("free", (None, None, 3), [
        {"class_name": "Conv2D", "config": {"name": "conv", "filters": 8, "kernel_size": [1, 1]},
         "weights": [np.ones((1, 1, 3, 8), np.float32), np.zeros(8, np.float32)]}]), store=store)
    pic = np.zeros((1200, 1200))
    for call in (lambda: service.predict_image(s["id"], pic, store=store),
                 lambda: service.trace(s["id"], "conv", [0, 0, 0], image=pic, store=store)):
        with pytest.raises(EngineError) as e:
            call()
        assert (e.value.field, e.value.code) == ("image", "model_too_costly") and "1200×1200" in e.value.rule
    x = np.zeros((1200, 1200, 3)).tolist()
    with pytest.raises(EngineError) as e:
        service.predict(s["id"], x, store=store)
    assert (e.value.field, e.value.code) == ("input", "model_too_costly") and "11,520,000 numbers" in e.value.rule
    with pytest.raises(EngineError) as e:
        service.trace(s["id"], "conv", [0, 0, 0], input=x, store=store)
    assert (e.value.field, e.value.code, e.value.rule) == ("input", None, "has 4,320,000 numbers; the cap is 4,000,000")
    assert ran == []


def test_run_takes_a_checked_input_as_it_is(plans):
    model = read_model(fixture_bytes("cnn_valid.keras"))
    x = np.random.default_rng(4).random((10, 8, 1))
    checked = check_input(model, x)
    assert checked.shapes == [tuple(layer.output_shape) for layer in model.layers] and len(plans) == 1
    outs = list(run(model, checked))
    assert len(plans) == 1                                     # not planned again
    np.testing.assert_array_equal(outs[-1], forward(model, x)[-1])
    assert len(plans) == 2                                     # a raw input is checked and planned by run itself
    with pytest.raises(EngineError) as e:
        list(run(model, np.zeros((10, 9, 1))))
    assert e.value.code == "wrong_input_shape"


def test_an_input_checked_for_another_model_is_checked_again(store):
    """run() trusts a Checked input only for the model it was checked for: another model's caps still apply."""
    cheap = read_model(_activation_chain("relu", 1, (None, 800)))
    costly = read_model(_activation_chain("gelu", 5, (None, 800)))
    checked = check_input(cheap, np.zeros((800, 800)))
    assert len(list(run(cheap, checked))) == 1
    with pytest.raises(EngineError) as e:
        list(run(costly, checked))
    assert e.value.code == "model_too_costly"
