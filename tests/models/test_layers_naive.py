"""The engine's Keras layers against slow, obvious loops on seeded random shapes (mine vs reference)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.layers import activations, build, forward, trace
from app.engine.layers.dense import dense_naive
from app.engine.layers.elementwise import relu
from app.engine.recurrent import gru, lstm, simple_rnn
from app.engine.recurrent.common import Weights

RNG = np.random.default_rng(14)


def model_of(in_shape, class_name, config, weights=None, keras=3):
    """A one-layer model with the given weights (or random ones of the right shapes)."""
    m = build("t", in_shape, [(class_name, "layer", {"name": "layer", **config})], keras=keras)
    layer = m.layers[0]
    for spec in layer.weight_specs:
        layer.weights[spec.name] = weights[spec.name] if weights else RNG.standard_normal(spec.shape) * 0.5
    return m, layer


@pytest.mark.parametrize("name", sorted(activations.FUNCTIONS))
def test_activations_vs_scalar(name):
    z = np.concatenate([RNG.standard_normal(40) * 3, [-30.0, -2.5, 0.0, 2.5, 30.0]])
    mine = activations.apply(name, z[None])[0]
    ref = [activations.scalar(name, v, z.tolist()) for v in z]
    np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-12, err_msg=f"{name}: mine vs reference")


def test_keras_versions_of_hard_sigmoid():
    assert activations.resolve("hard_sigmoid", 2, "a") == "hard_sigmoid"
    assert activations.resolve("hard_sigmoid", 3, "a") == "hard_sigmoid_keras3"
    assert activations.apply("hard_sigmoid", np.array([1.0]))[0] == pytest.approx(0.7)
    assert activations.apply("hard_sigmoid_keras3", np.array([1.0]))[0] == pytest.approx(0.5 + 1 / 6)
    assert activations.resolve({"module": "keras.activations", "class_name": "function", "config": "swish"}, 3,
                               "a") == "silu"
    for bad in ({"module": "my.module", "class_name": "function", "config": "f"}, "my_activation", 3):
        with pytest.raises(EngineError):
            activations.resolve(bad, 3, "layers.1.activation")


@pytest.mark.parametrize("act", ["linear", "relu", "tanh", "softmax", "gelu"])
@pytest.mark.parametrize("in_shape", [(7,), (3, 5), (2, 3, 4)])
def test_dense_vs_loop(act, in_shape):
    m, layer = model_of(in_shape, "Dense", {"units": 4, "activation": act})
    x = RNG.standard_normal(in_shape)
    y = forward(m, x)[0]
    rows = x.reshape(-1, in_shape[-1])
    ref = np.array([dense_naive(r, layer.w("kernel"), layer.w("bias"), act) for r in rows])
    np.testing.assert_allclose(y.reshape(-1, 4), ref, atol=1e-12, err_msg="mine vs reference")


def conv1d_naive(x, W, b, stride, dilation, padding):
    T, C = x.shape
    k, _, F = W.shape
    span = (k - 1) * dilation + 1
    if padding == "causal":
        left, right, out = span - 1, 0, math.ceil(T / stride)
    elif padding == "same":
        out = math.ceil(T / stride)
        total = max((out - 1) * stride + span - T, 0)
        left, right = total // 2, total - total // 2
    else:
        left = right = 0
        out = (T - span) // stride + 1
    xp = np.vstack([np.zeros((left, C)), x, np.zeros((right, C))])
    y = np.zeros((out, F))
    for t in range(out):
        for f in range(F):
            s = b[f]
            for a in range(k):
                for c in range(C):
                    s += xp[t * stride + a * dilation, c] * W[a, c, f]
            y[t, f] = s
    return y


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
@pytest.mark.parametrize("k, stride, dilation, T", [(3, 1, 1, 9), (2, 2, 1, 10), (3, 1, 2, 11), (4, 3, 1, 13),
                                                     (1, 1, 1, 3)])
def test_conv1d_vs_loop(padding, k, stride, dilation, T):
    m, layer = model_of((T, 3), "Conv1D", {"filters": 2, "kernel_size": [k], "strides": [stride],
                                           "dilation_rate": [dilation], "padding": padding})
    x = RNG.standard_normal((T, 3))
    ref = conv1d_naive(x, layer.w("kernel"), layer.w("bias"), stride, dilation, padding)
    np.testing.assert_allclose(forward(m, x)[0], ref, atol=1e-12, err_msg="mine vs reference")
    assert layer.output_shape == ref.shape


def pool1d_naive(x, mode, p, s, padding):
    T = x.shape[0]
    if padding == "same":
        out = math.ceil(T / s)
        total = max((out - 1) * s + p - T, 0)
        left = total // 2
    else:
        out, left = (T - p) // s + 1, 0
    y = np.zeros((out, x.shape[1]))
    for t in range(out):
        rows = [r - left for r in range(t * s, t * s + p) if 0 <= r - left < T]
        for c in range(x.shape[1]):
            vals = [x[r, c] for r in rows]
            y[t, c] = max(vals) if mode == "max" else sum(vals) / len(vals)
    return y


@pytest.mark.parametrize("cls, mode", [("MaxPooling1D", "max"), ("AveragePooling1D", "average")])
@pytest.mark.parametrize("p, s, padding, T", [(2, 2, "valid", 9), (3, 1, "same", 8), (2, 3, "same", 10),
                                              (4, 2, "valid", 11)])
def test_pool1d_vs_loop(cls, mode, p, s, padding, T):
    m, _ = model_of((T, 2), cls, {"pool_size": [p], "strides": [s], "padding": padding})
    x = RNG.standard_normal((T, 2))
    np.testing.assert_allclose(forward(m, x)[0], pool1d_naive(x, mode, p, s, padding), atol=1e-12)


@pytest.mark.parametrize("cls", ["GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling1D",
                                 "GlobalMaxPooling1D"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_vs_loop(cls, keepdims):
    shape = (4, 5, 3) if cls.endswith("2D") else (6, 3)
    m, _ = model_of(shape, cls, {"keepdims": keepdims})
    x = RNG.standard_normal(shape)
    flat = x.reshape(-1, 3)
    ref = [max(flat[:, c]) if "Max" in cls else sum(flat[:, c]) / len(flat) for c in range(3)]
    y = forward(m, x)[0]
    assert y.shape == ((1,) * (len(shape) - 1) + (3,) if keepdims else (3,))
    np.testing.assert_allclose(y.ravel(), ref, atol=1e-12)


@pytest.mark.parametrize("axis, center, scale", [(-1, True, True), (1, False, True), (2, True, False)])
def test_batchnorm_vs_loop(axis, center, scale):
    m, layer = model_of((3, 4), "BatchNormalization", {"axis": axis, "center": center, "scale": scale,
                                                       "epsilon": 0.01})
    layer.weights["moving_variance"] = RNG.uniform(0.5, 2, layer.weights["moving_variance"].shape)
    x = RNG.standard_normal((3, 4))
    y = forward(m, x)[0]
    a = 1 if axis == -1 or axis == 2 else 0
    for i in range(3):
        for j in range(4):
            c = (i, j)[a]
            ref = (x[i, j] - layer.w("moving_mean")[c]) / math.sqrt(layer.w("moving_variance")[c] + 0.01)
            ref = ref * (layer.w("gamma")[c] if scale else 1) + (layer.w("beta")[c] if center else 0)
            assert y[i, j] == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("max_value, slope, threshold", [(None, 0.0, 0.0), (6.0, 0.1, 0.5), (None, 0.2, 0.0),
                                                         (1.0, 0.0, 0.0), (None, 0.3, 1.0), (2.0, 0.0, 0.5)])
def test_relu_vs_documented_formula(max_value, slope, threshold):
    """Keras' ReLU: max_value where x ≥ max_value, x where threshold < x < max_value,
    negative_slope·(x − threshold) at or below the threshold (thresholds ≥ 0). Keras' docs say threshold ≤ x;
    its code (x · (x > threshold)) gives 0 at x = threshold, and so do we."""
    x = np.concatenate([RNG.standard_normal(50) * 4, [threshold, max_value or 0.0]])
    y = relu(x, max_value, slope, threshold)
    for v, got in zip(x, y, strict=True):
        top = math.inf if max_value is None else max_value
        ref = top if v >= top else v if v > threshold else slope * (v - threshold)
        assert got == pytest.approx(ref, abs=1e-12), (v, got, ref)


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("back, seqs, reset_after", [(False, True, True), (True, True, False), (True, False, True)])
def test_recurrent_layers_vs_the_cells_naive_loops(cls, back, seqs, reset_after):
    config = {"units": 3, "go_backwards": back, "return_sequences": seqs}
    if cls == "GRU":
        config["reset_after"] = reset_after
    m, layer = model_of((5, 2), cls, config)
    x = RNG.standard_normal((5, 2))
    w = Weights(layer.w("kernel"), layer.w("recurrent_kernel"), layer.w("bias"), [])
    xs, h0 = (x[::-1] if back else x), np.zeros(3)
    if cls == "SimpleRNN":
        H = simple_rnn.naive(xs, w, "tanh", h0)
    elif cls == "LSTM":
        H = lstm.naive(xs, w, "tanh", "sigmoid", h0, h0)[0]
    else:
        H = gru.naive(xs, w, "tanh", "sigmoid", reset_after, h0)
    np.testing.assert_allclose(forward(m, x)[0], H if seqs else H[-1], atol=1e-12, err_msg="mine vs reference")


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_each_keras_files_own_hard_sigmoid_runs_in_recurrent_layers(cls):
    """A Keras 3 file's hard_sigmoid is clip(x/6 + 0.5, 0, 1), a Keras 2 file's clip(0.2·x + 0.5, 0, 1), in the
    cells as elsewhere: on the same weights each layer equals the naive loop written with its form (inputs scaled
    so that pre-activations pass ±3, where the forms differ as they do inside), and the trace writes hard_sigmoid."""
    key = "activation" if cls == "SimpleRNN" else "recurrent_activation"
    config = {"units": 3, "return_sequences": True, key: "hard_sigmoid"}
    if cls == "GRU":
        config["reset_after"] = True
    x = RNG.standard_normal((6, 2)) * 4
    weights, outs = None, {}
    for keras, form in ((3, "hard_sigmoid_keras3"), (2, "hard_sigmoid")):
        m, layer = model_of((6, 2), cls, config, weights=weights, keras=keras)
        weights = layer.weights
        assert layer.options[key] == form
        w, h0 = Weights(layer.w("kernel"), layer.w("recurrent_kernel"), layer.w("bias"), []), np.zeros(3)
        if cls == "SimpleRNN":
            H = simple_rnn.naive(x, w, form, h0)
        elif cls == "LSTM":
            H = lstm.naive(x, w, "tanh", form, h0, h0)[0]
        else:
            H = gru.naive(x, w, "tanh", form, True, h0)
        outs[keras] = forward(m, x)[0]
        np.testing.assert_allclose(outs[keras], H, atol=1e-12, err_msg=f"Keras {keras}: mine vs reference")
        formulas = trace(m, x, "layer", [5, 1])["step"]["formulas"]
        assert any("hard_sigmoid(" in f for f in formulas.values()), formulas
        assert not any("keras3" in f for f in formulas.values()), formulas
    assert np.abs(outs[2] - outs[3]).max() > 0.01   # the two forms give different numbers on the same weights


def test_reshape_flatten_zero_padding_move_numbers():
    x = RNG.standard_normal((2, 3, 4))
    m = build("t", (2, 3, 4), [("ZeroPadding2D", "zp", {"padding": [[1, 0], [0, 2]]}), ("Flatten", "f", {}),
                               ("Reshape", "r", {"target_shape": [-1, 5]})])
    zp, flat, re = forward(m, x)
    assert zp.shape == (3, 5, 4) and np.array_equal(zp[1:, :3], x) and not zp[0].any() and not zp[:, 3:].any()
    assert np.array_equal(flat, zp.reshape(-1)) and np.array_equal(re, flat.reshape(12, 5))


@pytest.mark.parametrize("cls, config, in_shape, field", [
    ("Conv2D", {"filters": 2, "kernel_size": 3}, (2, 2, 1), "layers.1"),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "data_format": "channels_first"}, (5, 5, 1), "layers.1.data_format"),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "groups": 2}, (5, 5, 2), "layers.1.groups"),
    ("Conv2D", {"filters": "2", "kernel_size": 3}, (5, 5, 1), "layers.1.filters"),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, (9, 9, 1),
     "layers.1.dilation_rate"),
    ("Conv2D", {"filters": 2, "kernel_size": 3, "padding": "causal"}, (5, 5, 1), "layers.1.padding"),
    ("Conv1D", {"filters": 2, "kernel_size": 3}, (5, 5, 1), "layers.1"),
    ("Dense", {"units": 0}, (3,), "layers.1.units"),
    ("Dense", {"units": 2, "activation": "my_act"}, (3,), "layers.1.activation"),
    ("LSTM", {"units": 2, "return_state": True}, (4, 2), "layers.1.return_state"),
    ("LSTM", {"units": 2, "stateful": True}, (4, 2), "layers.1.stateful"),
    ("Embedding", {"input_dim": 5, "output_dim": 2, "mask_zero": True}, (4,), "layers.1.mask_zero"),
    ("Reshape", {"target_shape": [7]}, (2, 3), "layers.1"),
    ("BatchNormalization", {"axis": [1, 2]}, (2, 3), "layers.1.axis"),
    ("Softmax", {"axis": 3}, (2, 3), "layers.1.axis"),
    ("MaxPooling2D", {"pool_size": 4}, (3, 3, 1), "layers.1"),
    ("SimpleRNN", {"units": 2}, (5_001, 1), "layers.1"),
])
def test_configs_refused_with_their_field(cls, config, in_shape, field):
    with pytest.raises(EngineError) as e:
        build("t", in_shape, [(cls, "bad", {"name": "bad", **config})])
    assert e.value.field == field, e.value
    assert f"{cls} layer 'bad'" in e.value.rule


def test_a_layer_object_as_an_activation_is_named_as_such():
    """Keras 3 writes Dense(3, activation=keras.layers.LeakyReLU(0.1)) as a layer object: the refusal says so and
    points to the activation by name (it used to call the built-in layer a custom activation); a custom function
    is still called one."""
    layer_object = {"module": "keras.layers", "class_name": "LeakyReLU", "config": {"negative_slope": 0.1},
                    "registered_name": None}
    with pytest.raises(EngineError) as err:
        activations.resolve(layer_object, 3, "layers.1.activation")
    assert err.value.code == "unsupported_setting" and err.value.field == "layers.1.activation"
    assert err.value.rule.startswith("is a LeakyReLU layer object used as an activation") and "'leaky_relu'" in \
        err.value.rule
    custom = {"module": "my_project", "class_name": "function", "config": "my_act", "registered_name": "my_act"}
    with pytest.raises(EngineError) as err:
        activations.resolve(custom, 3, "layers.1.activation")
    assert err.value.rule.startswith("is a custom activation")
    builtin = {"module": "keras.activations", "class_name": "function", "config": "gelu", "registered_name": None}
    assert activations.resolve(builtin, 3, "f") == "gelu"


@pytest.mark.parametrize("cls, axis", [("Softmax", [1, 2]), ("Softmax", (1, 2)), ("BatchNormalization", [1, 2])])
def test_several_axes_are_an_unsupported_setting(cls, axis):
    """Keras takes a softmax or a normalisation over several axes; this app does not model it, and says so with the
    code every other unmodelled Keras option gets (a Softmax's tuple axis answered invalid_request before)."""
    with pytest.raises(EngineError) as e:
        build("t", (2, 3), [(cls, "bad", {"name": "bad", "axis": axis})])
    assert (e.value.field, e.value.code) == ("layers.1.axis", "unsupported_setting"), e.value
    assert "must be one axis" in e.value.rule and "several axes is not supported" in e.value.rule


@pytest.mark.parametrize("cls, axis", [("Softmax", [2]), ("BatchNormalization", [-1]), ("Softmax", -1)])
def test_one_axis_in_a_list_is_that_axis(cls, axis):
    m = build("t", (2, 3), [(cls, "one", {"name": "one", "axis": axis})])
    assert m.layers[-1].options["axis"] in (2, -1)
