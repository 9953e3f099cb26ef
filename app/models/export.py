"""The app's own MNIST CNN (app/weights/mnist_cnn.npz, app.engine.nn.Sequential) as a Keras 3 `.keras` file
that keras.models.load_model opens and that predicts what the app predicts (the probabilities: the app's
softmax becomes a final Activation("softmax") layer).

    python -m app.models.export --out mnist_cnn.keras [--expected expected.npz]

--expected also writes the committed test digits (tests/data/mnist_test_sample.npz, first 100) with the app's
probabilities, for tools/check_keras_export.py to compare with Keras' own predictions.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from app.engine.errors import EngineError
from app.engine.nn import Sequential

from .writer import keras_file

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "mnist_cnn.npz"


def _pair(v) -> list[int]:
    return [int(v), int(v)] if isinstance(v, (int, np.integer)) else [int(v[0]), int(v[1])]


def sequential_layers(model: Sequential) -> list[dict]:
    """The app's layer specs as Keras layers (name, config, weights)."""
    out = []
    for spec in model.spec:
        kind, name = spec["kind"], spec["name"]
        if kind == "conv2d":
            padding = spec.get("padding", "valid")
            if padding not in ("valid", "same"):
                raise EngineError(f"layers.{name}.padding", "only 'valid' and 'same' are exported")
            cfg = {"filters": int(spec["filters"]), "kernel_size": _pair(spec["kernel_size"]),
                   "strides": _pair(spec.get("strides", 1)), "padding": padding,
                   "dilation_rate": _pair(spec.get("dilation", 1)), "activation": "linear", "use_bias": True,
                   "data_format": "channels_last", "groups": 1}
            out.append({"class_name": "Conv2D", "config": {"name": name, **cfg},
                        "weights": [model.params[f"{name}.W"], model.params[f"{name}.b"]]})
        elif kind == "dense":
            out.append({"class_name": "Dense", "config": {"name": name, "units": int(spec["units"]),
                                                          "activation": "linear", "use_bias": True},
                        "weights": [model.params[f"{name}.W"], model.params[f"{name}.b"]]})
        elif kind == "relu":
            out.append({"class_name": "ReLU", "config": {"name": name}})
        elif kind == "maxpool2d":
            pool = _pair(spec.get("pool_size", 2))
            out.append({"class_name": "MaxPooling2D", "config": {
                "name": name, "pool_size": pool, "strides": _pair(spec.get("strides") or pool), "padding": "valid",
                "data_format": "channels_last"}})
        elif kind == "flatten":
            out.append({"class_name": "Flatten", "config": {"name": name, "data_format": "channels_last"}})
        elif kind == "dropout":
            out.append({"class_name": "Dropout", "config": {"name": name, "rate": float(spec["rate"])}})
        else:
            raise EngineError(f"layers.{name}", f"layer kind {kind!r} cannot be exported")
    out.append({"class_name": "Activation", "config": {"name": "softmax", "activation": "softmax"}})
    return out


def mnist_keras_bytes(model: Sequential | None = None) -> bytes:
    """The shipped MNIST CNN (or another app Sequential, e.g. the API's loaded model) as the bytes of a Keras 3
    .keras file. Deterministic: the same weights always give the same bytes (about 100 ms: cache it)."""
    if model is None:
        model = Sequential.load(WEIGHTS)
    return keras_file("mnist_cnn", model.input_shape, sequential_layers(model))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write the app's MNIST CNN as a Keras 3 .keras file")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--expected", type=Path, help="also write test digits and the app's probabilities (.npz)")
    args = ap.parse_args(argv)
    model = Sequential.load(WEIGHTS)
    args.out.write_bytes(mnist_keras_bytes(model))
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    if args.expected:
        sample = Path(__file__).resolve().parents[2] / "tests" / "data" / "mnist_test_sample.npz"
        with np.load(sample) as f:
            x = f["images"][:100].astype(np.float32) / 255.0 if f["images"].dtype == np.uint8 else f["images"][:100]
        probs = model.predict(x).astype(np.float32)          # the app's softmax probabilities
        np.savez_compressed(args.expected, x=x[..., None], probabilities=probs)
        print(f"wrote {args.expected}: {len(x)} digits")


if __name__ == "__main__":
    main()
