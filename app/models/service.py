"""What the /api/models routers call: upload, summary, predict (an array or a picture), trace, delete, list.

Every function takes an optional `store` (a ModelStore; default: MODELS_DIR) and raises EngineError for bad
input (the API's 422; code "model_not_found" should become a 404, "file_too_large" a 413). Files are read in a
child process with a deadline (app/models/isolated.py); models read are kept parsed in a small in-process
cache (the last MODEL_CACHE models used) keyed by id.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from app.engine.arrays import as_array, to_list
from app.engine.errors import EngineError
from app.engine.layers import Model, check_input, plan, run, summary
from app.engine.layers import trace as trace_layer
from app.engine.limits import MODEL_ARRAY_MAX_NUMBERS, MODEL_ARRAYS_MAX_NUMBERS, MODEL_MAX_DIM

from .images import image_input_spec, image_to_input
from .isolated import read_model_isolated as read_model
from .store import ModelStore, check_id, not_found

MODEL_CACHE = 4
_cache: OrderedDict[str, Model] = OrderedDict()
_lock = threading.Lock()
_default_store: ModelStore | None = None


def default_store() -> ModelStore:
    global _default_store
    if _default_store is None:
        _default_store = ModelStore()
    return _default_store


def _remember(model_id: str, model: Model) -> None:
    with _lock:
        _cache[model_id] = model
        _cache.move_to_end(model_id)
        while len(_cache) > MODEL_CACHE:
            _cache.popitem(last=False)


def forget(model_id: str | None = None) -> None:
    with _lock:
        if model_id is None:
            _cache.clear()
        else:
            _cache.pop(model_id, None)


def input_kind(model: Model) -> str:
    """What input suits the model: 'image' (the drawing pad), 'tokens' (an Embedding's whole numbers),
    'sequence' ((T, d) rows), or 'array' (anything else)."""
    if image_input_spec(model) is not None:
        return "image"
    if model.integer_input:
        return "tokens"
    if len(model.input_shape) == 2:
        return "sequence"
    return "array"


def describe(model_id: str, model: Model) -> dict:
    return {"id": model_id, **summary(model), "input_kind": input_kind(model), "image": image_input_spec(model)}


def upload(data: bytes, store: ModelStore | None = None) -> dict:
    """Check and read the file completely, then store it; answers the model's summary with its id."""
    model = read_model(data)
    model_id = (store or default_store()).save(data)
    _remember(model_id, model)
    return describe(model_id, model)


def load(model_id: str, store: ModelStore | None = None) -> Model:
    check_id(model_id)
    store = store or default_store()
    with _lock:
        model = _cache.get(model_id)
        if model is not None:
            _cache.move_to_end(model_id)
    if model is not None:
        if not store.exists(model_id):        # deleted or evicted, maybe by another process
            forget(model_id)
            raise not_found(model_id)
        store.touch(model_id)                   # used now: last in the eviction order
        return model
    model = read_model(store.get(model_id))
    _remember(model_id, model)
    return model


def get_summary(model_id: str, store: ModelStore | None = None) -> dict:
    return describe(model_id, load(model_id, store))


def delete(model_id: str, store: ModelStore | None = None) -> None:
    check_id(model_id)
    forget(model_id)
    if not (store or default_store()).delete(model_id):
        raise not_found(model_id)


def list_models(store: ModelStore | None = None) -> list[dict]:
    return (store or default_store()).list()


def parse_input(model: Model, value) -> np.ndarray:
    """A nested list of numbers of the model's input shape (one sample, no batch axis)."""
    rank = len(model.input_shape)
    caps = tuple(d if d is not None else MODEL_MAX_DIM for d in model.input_shape)
    return as_array(value, "input", (rank,), caps, "(" + ", ".join("any" if d is None else str(d)
                                                                     for d in model.input_shape) + ")")


def kept_arrays(sizes: list[int]) -> list[bool]:
    """Which layers' outputs a predict answer holds as arrays, from their sizes alone: none over
    MODEL_ARRAY_MAX_NUMBERS numbers, and in order while all of them stay within MODEL_ARRAYS_MAX_NUMBERS. The
    final output counts first, so it is dropped last."""
    last = len(sizes) - 1
    budget = MODEL_ARRAYS_MAX_NUMBERS - (sizes[last] if sizes[last] <= MODEL_ARRAY_MAX_NUMBERS else 0)
    keep = []
    for k, n in enumerate(sizes):
        ok = n <= MODEL_ARRAY_MAX_NUMBERS and (k == last or n <= budget)
        budget -= n if ok and k != last else 0
        keep.append(ok)
    return keep


def prediction(model: Model, x: np.ndarray, arrays: str = "lists") -> dict:
    """{"input_shape", "output", "output_shape", "layers": [{"name", "class_name", "shape", "min", "max",
    "array"}]}: arrays as nested lists (or ndarrays with arrays="numpy"), null where kept_arrays says so (shape,
    min and max are always there). The run holds only the arrays the answer keeps, whatever the model's depth."""
    if arrays not in ("lists", "numpy"):
        raise EngineError("arrays", "must be 'lists' or 'numpy'")
    write = to_list if arrays == "lists" else (lambda a: a)
    checked = check_input(model, x, plan(model, x.shape))   # planned once; the plan's refusals come first
    keep = kept_arrays([int(np.prod(s, dtype=np.int64)) for s in checked.shapes])
    layers, y = [], x
    for layer, y, kept in zip(model.layers, run(model, checked), keep, strict=True):
        layers.append({"name": layer.name, "class_name": layer.class_name, "shape": list(y.shape),
                       "min": float(y.min()), "max": float(y.max()), "array": write(y) if kept else None})
    return {"input_shape": list(x.shape), "output": layers[-1]["array"] if keep[-1] else None,
            "output_shape": list(y.shape), "layers": layers}


def predict(model_id: str, input, store: ModelStore | None = None, arrays: str = "lists") -> dict:
    model = load(model_id, store)
    return {"id": model_id, **prediction(model, parse_input(model, input), arrays)}


def predict_image(model_id: str, image, value_scale: str = "0..1", store: ModelStore | None = None,
                  arrays: str = "lists") -> dict:
    """A picture (H, W) in 0..1 (e.g. the drawing pad's 28×28), resized to the model's input; the response also
    holds the `input` the model was given."""
    model = load(model_id, store)
    x = image_to_input(model, image, value_scale)
    result = {"id": model_id, **prediction(model, x, arrays)}
    result["input"] = to_list(x) if arrays == "lists" else x
    return result


def trace(model_id: str, layer: str, index, input=None, image=None, value_scale: str = "0..1",
          store: ModelStore | None = None) -> dict:
    """One output value of one layer, for `input` (an array) or `image` (a picture), as a trace step."""
    if (input is None) == (image is None):
        raise EngineError("input", "send exactly one of input and image")
    model = load(model_id, store)
    x = parse_input(model, input) if image is None else image_to_input(model, image, value_scale)
    if not isinstance(layer, str):
        raise EngineError("layer", "must be a layer name")
    return {"id": model_id, **trace_layer(model, x, layer, index)}
