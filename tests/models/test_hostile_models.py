"""Found by a hostile review of /api/models: uploads that passed every check, then cost unbounded CPU and memory
(or answered 500) when they ran. Each is now refused before any work, naming the layer and the cap; and a patch
matrix that the caps allow but that would take gigabytes is made a part at a time."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.engine import conv as engine_conv
from app.engine.errors import EngineError
from app.engine.limits import MODEL_MAX_LAYER_NUMBERS
from app.models import service
from app.models.writer import keras_file


def one_layer(input_shape, class_name: str, config: dict, weights=()) -> bytes:
    return keras_file("hostile", input_shape, [{"class_name": class_name, "config": {"name": "l", **config},
                                                "weights": [np.asarray(w, np.float32) for w in weights]}])


def refused_quickly(call) -> EngineError:
    start = time.process_time()
    with pytest.raises(EngineError) as e:
        call()
    assert time.process_time() - start < 0.5   # before: 18 s of CPU and 8 GB (or a 500 after a 745 GiB np.pad)
    return e.value


@pytest.mark.parametrize("class_name, config, weights, x_shape", [
    ("Conv2D", {"filters": 1, "kernel_size": [1, 2], "padding": "same", "dilation_rate": [1, 1_000_000]},
     [np.ones((1, 2, 1, 1)), np.zeros(1)], (1000, 1, 1)),
    ("Conv1D", {"filters": 1, "kernel_size": [2], "padding": "causal", "dilation_rate": [1_000_000]},
     [np.ones((2, 3, 1)), np.zeros(1)], (340_000, 3)),
    ("MaxPooling2D", {"pool_size": [1, 1_000_000], "strides": [1, 1], "padding": "same"}, [], (50, 3, 1)),
])
def test_a_huge_padding_on_a_free_input_is_refused_before_it_is_built(store, class_name, config, weights, x_shape):
    free = (None,) * (len(x_shape) - 1) + (x_shape[-1],)
    s = service.upload(one_layer(free, class_name, config, weights), store=store)
    x = np.ones(x_shape).tolist()
    for call in (lambda: service.predict(s["id"], x, store=store),
                 lambda: service.trace(s["id"], "l", [0] * len(x_shape), input=x, store=store)):
        err = refused_quickly(call)
        assert (err.field, err.code) == ("input", "model_too_costly"), err
        assert f"the cap is {MODEL_MAX_LAYER_NUMBERS:,}" in err.rule and "pads the input" in err.rule, err.rule
    if class_name != "Conv1D":
        small = np.ones((1, 6, 1) if class_name == "Conv2D" else (2, 3, 1))   # a padded grid that fits still runs
        out = np.asarray(service.predict(s["id"], small.tolist(), store=store)["output"])
        # Conv2D: 'same' puts 500,000 zeros on each side, so both taps of every window read padding; the pool's
        # windows hold a real 1 each (a padded cell never wins a max)
        assert out.shape == small.shape and (out == (0 if class_name == "Conv2D" else 1)).all()


def test_an_image_model_with_a_huge_fixed_side_is_refused_before_the_picture_is_resized(store):
    # (10⁶, free, 1): the upload cannot know the width; the picture's would make 10⁶ × 28 × 1 numbers. Before, the
    # picture was resized to 10⁶ rows first (a 500 from Pillow after 7-17 s, or 23 s of CPU and 9 GB at 20,000)
    s = service.upload(one_layer((1_000_000, None, 1), "GlobalMaxPooling2D", {}), store=store)
    picture = np.zeros((28, 28))
    picture[5:20, 10:14] = 1
    for call in (lambda: service.predict_image(s["id"], picture, store=store),
                 lambda: service.trace(s["id"], "l", [0], image=picture, store=store)):
        err = refused_quickly(call)
        assert (err.field, err.code) == ("image", "model_too_costly"), err


@pytest.mark.parametrize("cols_max", [1, 5, 64, 500, 700])   # 500: two rows of positions at a time (648 in all)
def test_a_large_patch_matrix_is_made_a_part_at_a_time_with_the_same_numbers(monkeypatch, cols_max):
    rng = np.random.default_rng(cols_max)
    xp, W = rng.standard_normal((13, 11, 2)), rng.standard_normal((3, 2, 2, 4))
    whole = engine_conv.conv2d(xp, W, (2, 1), (1, 2))
    monkeypatch.setattr(engine_conv, "COLS_MAX", cols_max)
    parts = engine_conv.conv2d(xp, W, (2, 1), (1, 2))
    np.testing.assert_allclose(parts, whole, rtol=0, atol=1e-12)
    np.testing.assert_allclose(parts, engine_conv.conv2d_naive(xp, W, (2, 1), (1, 2)), atol=1e-12)


# ---- a second hostile review ------------------------------------------------------------------------------

@pytest.mark.parametrize("layers", [
    [{"class_name": "Dense", "config": {"name": "d", "units": 60_000, "use_bias": False}}, {"class_name": "Softmax",
                                                                                          "config": {"name": "l"}}],
    [{"class_name": "Dense", "config": {"name": "d", "units": 60_000, "use_bias": False}},
     {"class_name": "Activation", "config": {"name": "l", "activation": "log_softmax"}}],
    [{"class_name": "Dense", "config": {"name": "l", "units": 60_000, "use_bias": False, "activation": "softmax"}}],
])
def test_a_softmax_trace_counts_its_whole_row_against_the_trace_cap(store, layers):
    """A softmax value's formula lists every exp of its row: a Dense(10⁶) then Softmax answered 28.8 MB (a formula
    of 14.4 million characters) to one trace, past the cap of 50,000 numbers a step may show."""
    rng = np.random.default_rng(0)
    layers[0]["weights"] = [rng.standard_normal((1, 60_000)).astype(np.float32)]
    s = service.upload(keras_file("row", (1,), layers), store=store)
    err = refused_quickly(lambda: service.trace(s["id"], "l", [0], input=[1.0], store=store))
    assert err.field == "layer" and "60,001 numbers" in err.rule and "50,000" in err.rule, err.rule
    layers[0]["config"]["units"] = 10                                          # a row of 10: traced as before
    layers[0]["weights"] = [rng.standard_normal((1, 10)).astype(np.float32)]
    s = service.upload(keras_file("row", (1,), layers), store=store)
    step = service.trace(s["id"], "l", [3], input=[1.0], store=store)["step"]
    text = step.get("activation_formula") or step["formula"]
    assert text.count("exp(") == (10 if text.startswith("log_softmax") else 11), text   # the row (and its own)



def test_a_real_file_with_small_gzipped_zero_weights_is_still_read(store):
    """The check on weights that are not in the file must not refuse a real file saved with compression (h5repack):
    an untrained zero bias of 2,048 numbers gzips to 31 bytes, a ratio of 260, and is read."""
    from tests.models.badfiles import edit_keras_weights

    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((4, 2048)).astype(np.float32)
    data = keras_file("zeros", (4,), [{"class_name": "Dense", "config": {"name": "l", "units": 2048},
                                       "weights": [kernel, np.zeros(2048, np.float32)]}])

    def gzip_all(f):
        for name, a in (("0", kernel), ("1", np.zeros(2048, np.float32))):
            del f[f"layers/dense/vars/{name}"]
            f.create_dataset(f"layers/dense/vars/{name}", data=a, chunks=a.shape, compression="gzip")
    s = service.upload(edit_keras_weights(data, gzip_all), store=store)
    out = service.predict(s["id"], [1.0, 0.0, 0.0, 0.0], store=store)["output"]
    assert np.allclose(out, kernel[0], atol=1e-6)
