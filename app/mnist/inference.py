"""The shipped MNIST CNN: load it once, predict digits, encode the results, trace one feature-map number.

The weights are app/weights/mnist_cnn.npz with its model card beside it (.json), or another pair named by
MNIST_WEIGHTS. Traces are built by the engine's own convolution and pooling trace code.
"""

from __future__ import annotations

import base64
import json
import os
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.engine import limits
from app.engine.conv import conv2d_cell_step
from app.engine.errors import EngineError
from app.engine.nn import Sequential
from app.engine.pool import pool_cell_step
from app.engine.receptive_field import sequential_region

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "mnist_cnn.npz"
WEIGHTS_STR = str(WEIGHTS)
WEIGHTS_ENV = "MNIST_WEIGHTS"  # another .npz (its card beside it, .json) for development
LOW_CONFIDENCE = 0.7           # a top probability under this is reported as low confidence


# ---- the model and its card ---------------------------------------------------------------------------

def weights_path() -> Path:
    return Path(os.environ.get(WEIGHTS_ENV) or WEIGHTS)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Sequential:
    return Sequential.load(path)


_seen: dict[str, tuple[float, float]] = {}   # path -> (when its mtime was last read, that mtime)
RECHECK_SECONDS = 2.0


def load_model(path: Path | None = None) -> Sequential | None:
    """The trained model, loaded once per file version (the file's mtime is read again at most every
    RECHECK_SECONDS, so a retrained model is picked up); None while no weights file exists."""
    path = str(path) if path else os.environ.get(WEIGHTS_ENV) or WEIGHTS_STR  # str(weights_path()), without a Path
    now = time.monotonic()
    seen = _seen.get(path)
    try:
        if seen is None or now - seen[0] > RECHECK_SECONDS:
            seen = _seen[path] = (now, os.stat(path).st_mtime)
        return _load(path, seen[1])
    except (OSError, ValueError, KeyError):
        _seen.pop(path, None)
        return None


@lru_cache(maxsize=2)
def _read_card(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def model_card() -> dict | None:
    path = weights_path()
    card_path = path.with_suffix(".json")
    try:
        if not path.is_file():
            return None
        return {**_read_card(str(card_path), card_path.stat().st_mtime), "low_confidence_threshold": LOW_CONFIDENCE}
    except (OSError, ValueError):
        return None


# ---- predict --------------------------------------------------------------------------------------------

def _round(a, decimals=4):
    """Rounded float64 values, left as an array: the API's orjson encoder (app/api/responses.py) writes an array
    as the same text as its .tolist(), about twice as fast and without making a Python float per number."""
    return np.round(np.asarray(a, dtype=np.float64), decimals)


def nothing_drawn(steps=None) -> dict:
    return {"digit": None, "nothing_drawn": True, "probabilities": None, "confidence": None, "runner_up": None,
            "low_confidence": False, "preprocessed": None, "steps": steps}


def encode_activation(name: str, kind: str, a: np.ndarray, fmt: str) -> dict:
    """One layer's output for one image: nested lists (4 decimals) or base64 of little-endian float32."""
    out = {"name": name, "kind": kind, "shape": list(a.shape)}
    if fmt == "float32":
        data = np.ascontiguousarray(a, dtype="<f4").tobytes()
        return {**out, "dtype": "float32", "data": base64.b64encode(data).decode("ascii")}
    return {**out, "values": _round(a, 4)}


def describe(x: np.ndarray, p: np.ndarray, steps=None, activations: list[dict] | None = None) -> dict:
    order = np.argsort(-p)
    out = {"digit": int(order[0]), "nothing_drawn": False, "probabilities": _round(p, 6),
           "confidence": round(float(p[order[0]]), 6), "runner_up": int(order[1]),
           "low_confidence": bool(p[order[0]] < LOW_CONFIDENCE), "preprocessed": _round(x, 4), "steps": steps}
    if activations is not None:
        out["activations"] = activations
    return out


def predict(model: Sequential, xs: np.ndarray, activations: str | None = None) -> list[tuple[np.ndarray, list | None]]:
    """(N, 28, 28) in 0..1 -> [(probabilities (10,), every layer's output encoded as `activations` or None)]."""
    x = np.asarray(xs, dtype=np.float32)[..., None]
    if activations is None:
        return [(p, None) for p in model.predict(x, per_sample=True)]
    acts = model.forward_with_activations(x)
    layers = [(a["name"], a["kind"], a["array"]) for a in acts]
    return [(acts[-1]["array"][i], [encode_activation(name, kind, arr[i], activations) for name, kind, arr in layers])
            for i in range(len(x))]


def predict_one(model: Sequential, x: np.ndarray | None, steps: dict | None, activations: str | None) -> dict:
    if x is None:
        return nothing_drawn(steps)
    p, acts = predict(model, x[None], activations)[0]
    return describe(x, p, steps, acts)


def predict_batch(model: Sequential, xs: np.ndarray, activations: str | None, has_ink) -> dict:
    if activations and len(xs) > limits.MNIST_MAX_BATCH_ACTIVATIONS:
        raise EngineError("include_activations", f"works with batches of at most {limits.MNIST_MAX_BATCH_ACTIVATIONS}")
    inked = [i for i in range(len(xs)) if has_ink(xs[i])]
    done = dict(zip(inked, predict(model, xs[inked], activations), strict=True)) if inked else {}
    return {"results": [describe(xs[i], *done[i]) if i in done else nothing_drawn() for i in range(len(xs))]}


# ---- trace ----------------------------------------------------------------------------------------------

def trace(model: Sequential, x: np.ndarray, layer_name: str, index) -> dict:
    """How one number of a conv (or max-pool) feature map came about, on the model's own input and weights."""
    names = {layer["name"]: i for i, layer in enumerate(model.spec) if layer["kind"] in ("conv2d", "maxpool2d")}
    if layer_name not in names:
        raise EngineError("layer", f"must be one of {', '.join(names)}")
    idx = names[layer_name]
    layer = model.spec[idx]
    oh, ow, f = model.shapes[idx]
    for axis, (v, n) in enumerate(zip(index, (oh, ow, f), strict=True)):
        if not 0 <= v < n:
            raise EngineError(f"index.{axis}", f"must be from 0 to {n - 1} ({layer_name} is {oh}×{ow}×{f})")
    i, j, k = index
    if layer["kind"] == "conv2d":
        kh, kw, c, _ = model.params[f"{layer_name}.W"].shape
        if kh * kw * c > limits.MNIST_TRACE_MAX_NUMBERS:   # before the forward pass, which is the cost
            raise EngineError("layer", f"its windows hold {kh * kw * c} numbers; traces are capped at "
                                       f"{limits.MNIST_TRACE_MAX_NUMBERS}")
    acts = model.forward_with_activations(x[None, :, :, None])
    layer_in = (x[:, :, None] if idx == 0 else acts[idx - 1]["array"][0]).astype(np.float64)  # (H, W, C)
    relu = idx + 1 < len(model.spec) and model.spec[idx + 1]["kind"] == "relu"
    if layer["kind"] == "conv2d":
        W = model.params[f"{layer_name}.W"].astype(np.float64)
        step = conv2d_cell_step(layer_in, W, model.params[f"{layer_name}.b"].astype(np.float64), (i, j, k),
                                _pair(layer.get("strides", 1)), layer.get("padding", "valid"),
                                _pair(layer.get("dilation", 1)), "relu" if relu else "linear")
        model_value = float(acts[idx + 1 if relu else idx]["array"][0, i, j, k])
    else:
        pool = _pair(layer.get("pool_size", 2))
        step = pool_cell_step(layer_in, (i, j, k), pool, _pair(layer.get("strides") or pool))
        model_value = float(acts[idx]["array"][0, i, j, k])
    seen = sequential_region(model.spec, model.input_shape, layer_name, i, j)
    return {"layer": layer_name, "kind": layer["kind"], "index": [i, j, k],
            "input_from": "input" if idx == 0 else model.spec[idx - 1]["name"],
            "input_shape": list(model.input_shape if idx == 0 else model.shapes[idx - 1]),
            "output_shape": [oh, ow, f], "step": step, "model_value": model_value,
            "receptive_field": {k: seen[k] for k in ("region", "unclipped", "receptive_field", "jump")}}


def _pair(v):
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


__all__ = ["WEIGHTS", "WEIGHTS_ENV", "LOW_CONFIDENCE", "load_model", "model_card", "predict", "predict_one",
           "predict_batch", "trace"]
