"""Run the shipped MNIST CNN: load it once, predict batches of 28×28 digits."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from app.engine.errors import EngineError
from app.engine.nn import Sequential
from app.mnist.preprocess import preprocess

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "mnist_cnn.npz"
MAX_BATCH = 1024


@lru_cache(maxsize=4)
def _load(path: str) -> Sequential:
    return Sequential.load(path)


def load_default_model(path=None) -> Sequential:
    """The trained model from app/weights/mnist_cnn.npz, loaded once and cached."""
    return _load(str(path or WEIGHTS))


def _check_pixels(pixels):
    x = np.asarray(pixels, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise EngineError("pixels", "must be (28, 28), (N, 28, 28) or (N, 28, 28, 1)")
    if not 1 <= len(x) <= MAX_BATCH:
        raise EngineError("pixels", f"must hold 1 to {MAX_BATCH} images")
    if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise EngineError("pixels", "must be finite values in 0..1")
    return x


def predict_pixels(pixels, activations=False, model=None):
    """(N, 28, 28) floats in 0..1 (white digit on black) -> one dict per image:

    {"digit": int, "probabilities": [10 floats]} and, with activations=True,
    "activations": [{"name", "kind", "shape" (without the batch axis), "array" (np.ndarray)}]
    for every layer, ending with "softmax".
    """
    model = model or load_default_model()
    x = _check_pixels(pixels)
    if activations:
        acts = model.forward_with_activations(x)
        probs = acts[-1]["array"]
    else:
        probs = model.predict(x)
    results = []
    for i, p in enumerate(probs):
        r = {"digit": int(p.argmax()), "probabilities": [float(v) for v in p]}
        if activations:
            r["activations"] = [{"name": a["name"], "kind": a["kind"], "shape": a["shape"][1:],
                                 "array": a["array"][i]} for a in acts]
        results.append(r)
    return results


def predict_image(image, activations=False, model=None):
    """A drawing (PIL image or array, any polarity) -> None if nothing is drawn, else
    {"digit", "probabilities", ["activations"], "preprocess": preprocess() steps}."""
    steps = preprocess(image)
    if steps is None:
        return None
    result = predict_pixels(steps["pixels"], activations=activations, model=model)[0]
    result["preprocess"] = steps
    return result
