"""Read an uploaded Keras file into an engine model: container checks, config, cost caps, then the weights.

    model = read_model(data)     # bytes of a .keras or .h5 file -> app.engine.layers.Model with weights

Order of work, so that a bad file costs little: the container (zip directory or HDF5 signature), the
config JSON, the layers and their parameter count (engine build: ≤ 500 layers, ≤ 10 million parameters),
and only then the weight datasets, each checked against the shape the config gives it before it is read.
"""

from __future__ import annotations

import h5py
import numpy as np

from app.engine.errors import EngineError
from app.engine.layers import Model, build
from app.engine.limits import MODEL_MAX_CONFIG_BYTES, MODEL_MAX_LAYERS, MODEL_MAX_MEMBER_BYTES
from app.engine.limits import MODEL_MAX_WEIGHTS_PER_LAYER as MAX_WEIGHTS

from . import config as cfg
from .container import attr_names, attr_text, bad_file, child, open_hdf5, read_dataset, read_json, read_zip, sniff

RECURRENT = ("SimpleRNN", "LSTM", "GRU")


def read_model(data: bytes) -> Model:
    """A .keras (Keras 3) or legacy .h5 (Keras 2, tf.keras, or Keras 3's legacy writer) file -> Model.
    In this process: the app reads uploads through app.models.isolated, which calls read_parts in a child."""
    return (read_keras3(data) if sniff(data) == "zip" else read_legacy_h5(data))[0]


def read_parts(data: bytes, on_built=None) -> tuple[str, int, list[tuple[int, str, object]]]:
    """The file as plain data: its config JSON text, the Keras major version, and every weight array as
    (layer index, weight name, ndarray); what the reading child process sends back. on_built(n) is called
    with the number of weight arrays the config names, once it is checked and before any is read."""
    model, text = read_keras3(data, on_built) if sniff(data) == "zip" else read_legacy_h5(data, on_built)
    return text, model.keras, [(i, name, a) for i, layer in enumerate(model.layers) for name, a in
                                layer.weights.items()]


def missing(i: int, layer, where: str) -> EngineError:
    return EngineError(f"layers.{i + 1}", f"the file has no weights for layer {layer.name!r} ({layer.class_name}); "
                       f"expected them at {where!r}", code="missing_weights")


def _count(group) -> int:
    try:
        return len(group)
    except Exception as e:
        raise bad_file(f"cannot list a weights group: {str(e)[:100]}") from None


def _built(model: Model, on_built) -> Model:
    if on_built is not None:
        on_built(sum(len(layer.weight_specs) for layer in model.layers))
    return model


def check_values(model: Model) -> Model:
    """Weights Keras could only answer NaN with: a BatchNormalization whose moving_variance + epsilon is not
    positive (√ of a negative number). Refused when the file is read, naming the layer, rather than at every
    predict as an overflow of the user's input."""
    for i, layer in enumerate(model.layers):
        if layer.class_name != "BatchNormalization" or "moving_variance" not in layer.weights:
            continue
        low = layer.weights["moving_variance"] + layer.options["epsilon"]
        if (low <= 0).any():
            c = int(np.argmax(low <= 0))
            raise EngineError(f"layers.{i + 1}.moving_variance", f"BatchNormalization layer {layer.name!r}: channel "
                              f"{c} has moving_variance {float(layer.weights['moving_variance'][c]):g} and epsilon "
                              f"{layer.options['epsilon']:g}; √(variance + epsilon) is not a positive number (Keras "
                              "would answer NaN)", code="bad_model_file")
    return model


def read_keras3(data: bytes, on_built=None) -> tuple[Model, str]:
    members = read_zip(data, {"config.json": MODEL_MAX_CONFIG_BYTES, "metadata.json": MODEL_MAX_CONFIG_BYTES,
                              "model.weights.h5": MODEL_MAX_MEMBER_BYTES})
    if "config.json" not in members:
        raise bad_file("is a zip without config.json: not a Keras 3 .keras model file", code="not_a_model_file")
    if "model.weights.h5" not in members:
        raise bad_file("holds no model.weights.h5 (sharded or missing weights are not read)", code="missing_weights")
    meta = read_json(members["metadata.json"], "file.metadata.json") if "metadata.json" in members else {}
    keras = cfg.keras_major(meta.get("keras_version") if isinstance(meta, dict) else None, 3,
                            "file.metadata.json.keras_version")
    mc = cfg.parse(read_json(members["config.json"], "file.config.json"), keras)
    text = members["config.json"].decode("utf-8")       # read_json checked it is UTF-8
    model = _built(build(mc.name, mc.input_shape, mc.layers, keras, mc.input_name), on_built)
    h5 = open_hdf5(members["model.weights.h5"], "file.model.weights.h5")
    with h5:
        for i, (layer, key) in enumerate(zip(model.layers, mc.weight_keys, strict=True)):
            path = f"layers/{key}/cell/vars" if layer.class_name in RECURRENT else f"layers/{key}/vars"
            group = child(h5, path, f"layers.{i + 1}", h5py.Group)
            if not layer.weight_specs:
                continue
            if group is None:
                raise missing(i, layer, path)
            if _count(group) != len(layer.weight_specs):
                raise EngineError(f"layers.{i + 1}", f"the file holds {_count(group)} weight arrays for layer "
                                  f"{layer.name!r} but its config needs {len(layer.weight_specs)} ("
                                  + ", ".join(s.name for s in layer.weight_specs) + ")", code="missing_weights")
            for k, spec in enumerate(layer.weight_specs):
                ds = child(group, str(k), f"layers.{i + 1}.{spec.name}", h5py.Dataset)
                if ds is None:
                    raise missing(i, layer, f"{path}/{k}")
                layer.weights[spec.name] = read_dataset(ds, spec.shape, f"layers.{i + 1}.{spec.name}")
    return check_values(model), text


def read_legacy_h5(data: bytes, on_built=None) -> tuple[Model, str]:
    f = open_hdf5(data)
    with f:
        text = attr_text(f, "model_config", "file")
        if text is None:
            raise bad_file("holds no model_config: a weights-only file (save_weights)? Save the whole model with "
                           "model.save()", code="not_a_model_file")
        keras = cfg.keras_major(attr_text(f, "keras_version", "file"), 2, "file.keras_version")
        mc = cfg.parse(read_json(text.encode("utf-8"), "file.model_config"), keras)
        model = _built(build(mc.name, mc.input_shape, mc.layers, keras, mc.input_name), on_built)
        weights = child(f, "model_weights", "file.model_weights", h5py.Group)
        if weights is None:
            raise bad_file("has a model_config but no model_weights group", code="missing_weights")
        attr_names(weights, "layer_names", "file.model_weights", MODEL_MAX_LAYERS)   # checked, not needed
        for i, layer in enumerate(model.layers):
            if not layer.weight_specs:
                continue
            field = f"layers.{i + 1}"
            group = child(weights, layer.name, field, h5py.Group)
            if group is None:
                raise missing(i, layer, f"model_weights/{layer.name}")
            names = attr_names(group, "weight_names", field, MAX_WEIGHTS) or []
            if len(names) != len(layer.weight_specs):
                raise EngineError(field, f"the file names {len(names)} weight arrays for layer {layer.name!r} but "
                                  f"its config needs {len(layer.weight_specs)} ("
                                  + ", ".join(s.name for s in layer.weight_specs) + ")", code="missing_weights")
            for name, spec in zip(names, layer.weight_specs, strict=True):   # positional, as Keras loads them
                ds = child(group, name, f"{field}.{spec.name}", h5py.Dataset)
                if ds is None:
                    raise missing(i, layer, f"model_weights/{layer.name}/{name}")
                layer.weights[spec.name] = read_dataset(ds, spec.shape, f"{field}.{spec.name}")
    return check_values(model), text
