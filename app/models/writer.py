"""Write a Keras 3 `.keras` file (zip of config.json, metadata.json, model.weights.h5) for a Sequential chain.

    data = keras_file("mnist_cnn", (28, 28, 1), [
        {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 32, "kernel_size": [5, 5]},
         "weights": [W, b]}, ...])

The layers' shapes come from the engine (app.engine.layers.build), so a layer list the engine would refuse
is refused here too. Weights go where Keras 3's saving_lib looks for them: layers/<snake_case class>[_n]/vars/<i>
(recurrent layers: .../cell/vars/<i>). The output is deterministic (fixed zip dates, no HDF5 timestamps), so
the same model always gives the same bytes and the same SHA-256 id.
"""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np

from app.engine.errors import EngineError
from app.engine.layers import build

from .config import unique_keys
from .reader import RECURRENT

KERAS_VERSION = "3.0.0"   # the format version written; metadata.json also says which program wrote it


def _entry(class_name: str, config: dict, in_shape) -> dict:
    return {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None,
            "build_config": {"input_shape": [None, *in_shape]}}


def keras_file(name: str, input_shape, layers: list[dict]) -> bytes:
    input_shape = tuple(input_shape)
    configs = [(lay["class_name"], lay["config"]["name"], {**lay["config"], "dtype": "float32"}) for lay in layers]
    model = build(name, input_shape, configs, keras=3)          # shapes and weight specs, as the reader sees them
    entries = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                "config": {"batch_shape": [None, *input_shape], "dtype": "float32", "sparse": False,
                           "name": "input_layer"}}]
    for lay, built in zip(layers, model.layers, strict=True):
        entries.append(_entry(lay["class_name"], {**lay["config"], "dtype": "float32"}, built.input_shape))
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": name, "trainable": True, "dtype": "float32", "layers": entries},
              "build_config": {"input_shape": [None, *input_shape]}, "compile_config": None}
    h5 = io.BytesIO()
    with h5py.File(h5, "w", track_order=True) as f:
        f.create_group("vars")
        group = f.create_group("layers")
        for lay, built, key in zip(layers, model.layers, unique_keys([c for c, _, _ in configs]), strict=True):
            g = group.create_group(key)
            vars_ = g.create_group("vars")
            if built.class_name in RECURRENT:
                vars_ = g.create_group("cell").create_group("vars")
            weights = lay.get("weights") or []
            if len(weights) != len(built.weight_specs):
                raise EngineError(f"layers.{built.name}", f"needs {len(built.weight_specs)} weight arrays; got "
                                  f"{len(weights)}")
            for i, (w, spec) in enumerate(zip(weights, built.weight_specs, strict=True)):
                w = np.asarray(w, dtype=np.float32)
                if w.shape != spec.shape:
                    raise EngineError(f"layers.{built.name}.{spec.name}", f"has shape {list(w.shape)}; the layer "
                                      f"needs {list(spec.shape)}")
                vars_.create_dataset(str(i), data=w, track_times=False)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, body in (("metadata.json", json.dumps({"keras_version": KERAS_VERSION,
                                                           "written_by": "cnn-rnn-explainer (app/models/writer.py)"})),
                             ("config.json", json.dumps(config)), ("model.weights.h5", h5.getvalue())):
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return out.getvalue()
