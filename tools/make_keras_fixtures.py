"""Make the Keras fixtures of tests/models/: small models covering every supported layer and option, saved as
Keras 3 `.keras` and legacy `.h5` files, with inputs and Keras' own outputs stored beside them.

    KERAS_BACKEND=jax /work/envs/keras/bin/python tools/make_keras_fixtures.py            # Keras 3
    TF_USE_LEGACY_KERAS=1 /work/envs/tf2/bin/python tools/make_keras_fixtures.py --tf2   # genuine tf.keras 2

Keras 3 writes <name>.keras and <name>.keras3.h5 (its legacy HDF5 writer) and <name>.keras3.npz;
tf.keras 2 (tf_keras) writes <name>.tf2.h5 and <name>.tf2.npz. The model files are stored gzipped
(<name>.keras.gz ...: HDF5 files are mostly empty blocks, and gzip makes them a tenth of the size); the
tests gunzip them in memory, so the reader sees exactly the bytes Keras wrote. Each .npz holds `x` (a few samples), `y`
(model.predict), `layer.<name>` (every layer's output, by a functional model over the same layers),
`count_params` and `trainable_params`. Weights are random (seeded), biases and BatchNormalization
statistics included, so no number is a default. Keras is needed only here, never by the app or its tests.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "keras"


def models(k, tf2: bool):
    """{name: (model, input sampler)}: each sampler(rng) -> a batch of 2 inputs."""
    L = k.layers

    def seq(name, shape, layers, dtype="float32"):
        return k.Sequential([k.Input(shape=shape, dtype=dtype), *layers], name=name)

    def normal(shape, scale=1.0):
        return lambda rng: (rng.standard_normal((2, *shape)) * scale).astype("float32")

    out = {}
    out["cnn_same"] = (seq("cnn_same", (9, 9, 2), [
        L.Conv2D(3, 3, strides=2, padding="same", activation="relu", name="conv_s2_same"),
        L.BatchNormalization(name="bn"),
        L.ZeroPadding2D(((1, 0), (2, 1)), name="zpad"),
        L.Conv2D(2, (2, 3), dilation_rate=(2, 1), use_bias=False, activation="tanh", name="conv_dilated"),
        L.MaxPooling2D(2, strides=1, padding="same", name="max_same"),
        L.AveragePooling2D(2, padding="same", name="avg_same"),
        L.Flatten(name="flatten"),
        L.Dropout(0.3, name="dropout"),
        L.Dense(5, activation="softmax", name="probs"),
    ]), normal((9, 9, 2)))
    out["cnn_valid"] = (seq("cnn_valid", (10, 8, 1), [
        L.Rescaling(1 / 255, offset=-0.5, name="rescale"),
        L.Conv2D(4, 3, activation="relu", name="conv"),
        L.MaxPooling2D(3, strides=2, name="max_valid"),
        L.AveragePooling2D(2, strides=1, name="avg_valid"),
        L.ZeroPadding2D(1, name="zpad1"),
        L.GlobalAveragePooling2D(name="gap"),
        L.Dense(3, name="logits"),
    ]), lambda rng: rng.integers(0, 256, (2, 10, 8, 1)).astype("float32"))
    out["cnn_global_max"] = (seq("cnn_global_max", (6, 5, 3), [
        L.Conv2D(2, 1, strides=(1, 2), name="conv1x1"),
        L.GlobalMaxPooling2D(keepdims=True, name="gmp"),
        L.Flatten(name="flatten"),
        L.Activation("sigmoid", name="sigmoid"),
    ]), normal((6, 5, 3)))
    out["conv1d"] = (seq("conv1d", (12, 3), [
        L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu", name="causal"),
        L.Conv1D(3, 2, strides=2, padding="same", name="same_s2"),
        L.MaxPooling1D(2, padding="same", name="max1d"),
        L.AveragePooling1D(2, strides=1, padding="same", name="avg1d"),
        L.Conv1D(2, 2, padding="valid", name="valid"),
        L.GlobalAveragePooling1D(name="gap1d"),
        L.Dense(2, name="out"),
    ]), normal((12, 3)))
    out["conv1d_pool"] = (seq("conv1d_pool", (9, 2), [
        L.Conv1D(3, 3, strides=2, padding="causal", name="causal_s2"),
        L.MaxPooling1D(2, strides=1, name="max1d_valid"),
        L.AveragePooling1D(2, name="avg1d_valid"),
        L.GlobalMaxPooling1D(name="gmp1d"),
    ]), normal((9, 2)))
    out["simple_rnn"] = (seq("simple_rnn", (7, 3), [
        L.SimpleRNN(4, return_sequences=True, name="rnn_seq"),
        L.SimpleRNN(3, activation="relu", go_backwards=True, return_sequences=True, name="rnn_back"),
        L.SimpleRNN(2, use_bias=False, activation="linear", name="rnn_last"),
        L.Dense(2, name="out"),
    ]), normal((7, 3)))
    lstm_rec = {"recurrent_activation": "hard_sigmoid"} if tf2 else {}
    out["lstm"] = (seq("lstm", (6, 2), [
        L.LSTM(5, return_sequences=True, name="lstm_seq"),
        L.LSTM(3, use_bias=False, go_backwards=True, name="lstm_back", **lstm_rec),
        L.Dense(1, name="out"),
    ]), normal((6, 2)))
    out["gru"] = (seq("gru", (5, 3), [
        L.GRU(4, return_sequences=True, name="gru_after"),
        L.GRU(3, reset_after=False, return_sequences=True, name="gru_before"),
        L.GRU(2, reset_after=False, use_bias=False, go_backwards=True, activation="relu", name="gru_back"),
        L.Dense(2, activation="softmax", name="probs"),
    ]), normal((5, 3)))
    inp = k.Input(shape=(None,), dtype="int32", name="tokens")
    h = L.Embedding(20, 5, name="embed")(inp)
    h = L.LSTM(4, return_sequences=True, name="lstm")(h)
    h = L.GRU(3, name="gru")(h)
    out["text_functional"] = (k.Model(inp, L.Dense(2, activation="softmax", name="probs")(h), name="text_functional"),
                              lambda rng: rng.integers(0, 20, (2, 7)).astype("int32"))
    out["embedding_conv"] = (seq("embedding_conv", (6,), [
        L.Embedding(11, 4, name="embed"),
        L.Conv1D(3, 2, name="conv"),
        L.GlobalMaxPooling1D(name="gmp"),
        L.Dense(2, name="out"),
    ], dtype="int32"), lambda rng: rng.integers(0, 11, (2, 6)).astype("int32"))
    inp = k.Input(shape=(7, 7, 1), name="image")
    h = L.Conv2D(2, 3, activation="relu", name="conv")(inp)
    h = L.MaxPooling2D(name="pool")(h)
    h = L.Flatten(name="flat")(h)
    out["cnn_functional"] = (k.Model(inp, L.Dense(3, name="logits")(h), name="cnn_functional"), normal((7, 7, 1)))
    out["batchnorm"] = (seq("batchnorm", (4, 5), [
        L.BatchNormalization(axis=1, center=False, name="bn_axis1"),
        L.BatchNormalization(scale=False, epsilon=0.1, name="bn_noscale"),
        L.Dense(3, name="per_step", trainable=False),
        L.Reshape((2, 6), name="reshape"),
        L.Softmax(axis=1, name="softmax_axis1"),
        L.Reshape((-1,), name="flatten_reshape"),
        L.Dense(2, name="out"),
    ]), normal((4, 5)))
    acts = ["relu", "sigmoid", "tanh", "softplus", "softsign", "elu", "selu", "swish", "gelu", "exponential",
            "hard_sigmoid", "linear"]
    acts += [] if tf2 else ["relu6", "leaky_relu", "mish", "hard_silu", "silu", "log_softmax"]
    layers = []
    for a in acts:
        layers += [L.Dense(6, name=f"dense_{a}"), L.Activation(a, name=f"act_{a}")]
    layers += [L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5, name="relu_all"),
               L.ReLU(negative_slope=0.2, name="relu_leaky"), L.ReLU(max_value=1.0, name="relu_max"),
               L.Dense(4, activation="softmax", name="probs")]
    out["activations"] = (seq("activations", (6,), layers), normal((6,)))
    out["edge_padding"] = (seq("edge_padding", (7, 9, 2), [
        L.Conv2D(3, (2, 4), strides=2, padding="same", name="even_same_s2"),
        L.Conv2D(2, 3, dilation_rate=2, padding="same", activation="elu", name="dilated_same"),
        L.MaxPooling2D((3, 2), strides=(2, 3), padding="same", name="max_uneven"),
        L.AveragePooling2D((2, 3), strides=(1, 2), padding="same", name="avg_uneven"),
        L.BatchNormalization(axis=3, name="bn_axis3"),
        L.Flatten(name="flatten"),
        L.Dense(3, use_bias=False, name="out"),
    ]), normal((7, 9, 2)))
    if tf2:   # Keras 2's usual way: input_shape on the first layer
        no_input = k.Sequential([L.Dense(4, activation="selu", input_shape=(5,), name="first"),
                                 L.Dense(2, name="out")], name="no_input_layer")
    else:     # built without an Input: the shape is only in build_input_shape
        no_input = k.Sequential([L.Dense(4, activation="selu", name="first"), L.Dense(2, name="out")],
                                name="no_input_layer")
        no_input.build((None, 5))
    out["no_input_layer"] = (no_input, normal((5,)))
    out["recurrent_options"] = (seq("recurrent_options", (8, 3), [
        L.Dense(4, activation="softsign", name="per_step"),
        L.AveragePooling1D(3, strides=4, padding="same", name="avg_s4"),
        L.LSTM(3, activation="relu", recurrent_activation="tanh", return_sequences=True, name="lstm_relu"),
        L.GRU(2, recurrent_activation="linear", return_sequences=True, go_backwards=True, name="gru_linear"),
        L.GlobalAveragePooling1D(keepdims=True, name="gap_keep"),
        L.Flatten(name="flatten"),
        L.Softmax(name="softmax"),
    ]), normal((8, 3)))
    out["reshape_conv"] = (seq("reshape_conv", (36,), [
        L.Reshape((6, 6, 1), name="to_image"),
        L.Rescaling([2.0], offset=[0.5], name="rescale_list"),
        L.ZeroPadding2D((1, 2), name="zpad_pair"),
        L.Conv2D(2, 3, strides=(2, 1), name="conv"),
        L.GlobalMaxPooling2D(name="gmp"),
    ]), normal((36,)))
    if not tf2:   # Keras 3's hard_sigmoid, clip(x/6 + 0.5, 0, 1), in the cells (tf.keras 2's is in lstm_gru)
        out["recurrent_hard_sigmoid3"] = (seq("recurrent_hard_sigmoid3", (7, 3), [
            L.SimpleRNN(4, activation="hard_sigmoid", return_sequences=True, name="rnn_hs"),
            L.LSTM(3, recurrent_activation="hard_sigmoid", return_sequences=True, name="lstm_hs"),
            L.GRU(2, recurrent_activation="hard_sigmoid", activation="hard_sigmoid", name="gru_hs"),
        ]), normal((7, 3), scale=3.0))
    return out


def randomise(model, rng):
    """Random weights everywhere: kernels N(0, 0.5), biases N(0, 0.3), BatchNormalization's variance in 0.5..1.5."""
    new = []
    for w in model.weights:
        name, shape = w.path if hasattr(w, "path") else w.name, tuple(w.shape)
        if "moving_variance" in name:
            new.append(rng.uniform(0.5, 1.5, shape))
        elif "moving_mean" in name or "beta" in name or "bias" in name:
            new.append(rng.normal(0, 0.3, shape))
        elif "gamma" in name:
            new.append(rng.uniform(0.5, 1.5, shape))
        else:
            new.append(rng.normal(0, 0.5, shape))
    model.set_weights([a.astype("float32") for a in new])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tf2", action="store_true", help="use tf.keras 2 (tf_keras) and write <name>.tf2.h5")
    ap.add_argument("--only", nargs="*", help="model names")
    args = ap.parse_args()
    if args.tf2:
        import tf_keras as k
    else:
        import keras as k
    OUT.mkdir(parents=True, exist_ok=True)
    flavor = "tf2" if args.tf2 else "keras3"
    for i, (name, (model, sample)) in enumerate(models(k, args.tf2).items()):
        if args.only and name not in args.only:
            continue
        rng = np.random.default_rng(1000 + i)
        randomise(model, rng)
        x = sample(rng)
        y = model.predict(x, verbose=0)
        inner = [layer for layer in model.layers if layer.__class__.__name__ != "InputLayer"]
        outs = k.Model(model.inputs, [layer.output for layer in inner]).predict(x, verbose=0)
        outs = outs if isinstance(outs, list) else [outs]
        names = [layer.name for layer in inner]
        arrays = {f"layer.{n}": np.asarray(o, dtype="float32") for n, o in zip(names, outs, strict=True)}
        trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
        np.savez_compressed(OUT / f"{name}.{flavor}.npz", x=x, y=np.asarray(y, dtype="float32"),
                            count_params=model.count_params(), trainable_params=trainable, **arrays)
        files = [f"{name}.tf2.h5"] if args.tf2 else [f"{name}.keras", f"{name}.keras3.h5"]
        with tempfile.TemporaryDirectory() as tmp:
            for file in files:
                model.save(Path(tmp) / file)
                raw = (Path(tmp) / file).read_bytes()
                (OUT / f"{file}.gz").write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
        print(f"{name:18s} {model.count_params():6d} params  y {np.asarray(y).shape}", file=sys.stderr)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{OUT}: {total:,} bytes in {len(list(OUT.iterdir()))} files", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "jax")
    main()
