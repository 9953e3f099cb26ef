"""Bad model files, made from good fixtures: each is a (name, bytes, expected field prefix, expected code) case.
Shared by tests/models/test_bad_files.py and bench/bench_models.py (which times them)."""

from __future__ import annotations

import io
import json
import struct
import zipfile

import h5py
import numpy as np

from app.engine.limits import MODEL_MAX_UPLOAD_BYTES
from app.models.writer import keras_file

from .helpers import fixture_bytes


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def rezip(files: dict[str, bytes], method=zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, body in files.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body, compress_type=method)
    return out.getvalue()


def edit_h5(data: bytes, change) -> bytes:
    """Apply change(h5py.File) to an in-memory copy of an HDF5 file."""
    buf = io.BytesIO(data)
    with h5py.File(buf, "r+") as f:
        change(f)
    return buf.getvalue()


def edit_keras_config(data: bytes, change) -> bytes:
    files = members(data)
    cfg = json.loads(files["config.json"])
    change(cfg)
    files["config.json"] = json.dumps(cfg).encode()
    return rezip(files)


def edit_keras_weights(data: bytes, change) -> bytes:
    files = members(data)
    files["model.weights.h5"] = edit_h5(files["model.weights.h5"], change)
    return rezip(files)


def edit_legacy_config(data: bytes, change) -> bytes:
    def apply(f):
        cfg = json.loads(f.attrs["model_config"])
        change(cfg)
        f.attrs["model_config"] = json.dumps(cfg)
    return edit_h5(data, apply)


def _layers(cfg):
    return cfg["config"]["layers"]


def config_only(layers_cfg: list[dict], input_shape) -> bytes:
    """A .keras file with the given layer configs and an empty weights file."""
    cfg = {"module": "keras", "class_name": "Sequential", "config": {"name": "big", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, *input_shape], "name": "in"}}, *layers_cfg]}}
    h5 = io.BytesIO()
    with h5py.File(h5, "w"):
        pass
    return rezip({"config.json": json.dumps(cfg).encode(), "metadata.json": b"{}", "model.weights.h5": h5.getvalue()})


def patch_central_size(data: bytes, name: str, size: int) -> bytes:
    """Make the central directory declare another uncompressed size for one member (a lying header)."""
    b = bytearray(data)
    pos = b.find(b"PK\x01\x02" + b"", 0)
    while pos != -1:
        n = struct.unpack_from("<H", b, pos + 28)[0]
        if bytes(b[pos + 46:pos + 46 + n]).decode() == name:
            struct.pack_into("<I", b, pos + 24, size)
            return bytes(b)
        pos = b.find(b"PK\x01\x02", pos + 4)
    raise KeyError(name)


def cases() -> list[tuple[str, bytes, str, str | None]]:
    keras = fixture_bytes("cnn_same.keras")
    legacy = fixture_bytes("cnn_same.keras3.h5")
    tf2 = fixture_bytes("lstm.tf2.h5")
    files = members(keras)
    zeros = rezip({**files, "model.weights.h5": bytes(60 * 1024 * 1024)}, zipfile.ZIP_DEFLATED)
    padded_config = files["config.json"][:-1] + b" " * 200_000 + b"}"
    out = [
        ("text", b"hello, this is not a model", "file", "not_a_model_file"),
        ("empty", b"", "file", "not_a_model_file"),
        ("png", b"\x89PNG\r\n\x1a\n" + bytes(100), "file", "not_a_model_file"),
        ("too large", b"PK\x03\x04" + bytes(MODEL_MAX_UPLOAD_BYTES), "file", "file_too_large"),
        ("truncated .keras", keras[:len(keras) // 2], "file", "bad_model_file"),
        ("truncated .keras tail", keras[:-30], "file", "bad_model_file"),
        ("truncated .h5", legacy[:len(legacy) // 2], "file", "bad_model_file"),
        ("truncated .h5 header", legacy[:600], "file", "bad_model_file"),
        ("truncated tf2 .h5", tf2[:-3000], "file", "bad_model_file"),
        ("truncated weights member", rezip({**files, "model.weights.h5": files["model.weights.h5"][:5000]}),
         "file.model.weights.h5", "bad_model_file"),
        ("zip bomb: 60 MB member", zeros, "file.model.weights.h5", "zip_bomb"),
        ("zip bomb: ratio over 100", rezip({**files, "config.json": padded_config}, zipfile.ZIP_DEFLATED),
         "file.config.json", "zip_bomb"),
        ("lying size header", patch_central_size(keras, "config.json", 100), "file.config.json", "bad_model_file"),
        ("too many members", rezip({**files, **{f"assets/{i}": b"x" for i in range(100)}}), "file", "zip_bomb"),
        ("no config.json", rezip({"model.weights.h5": files["model.weights.h5"]}), "file", "not_a_model_file"),
        ("no weights member", rezip({"config.json": files["config.json"]}), "file", "missing_weights"),
        ("config nested 100,000 deep", rezip({**files, "config.json": b"[" * 100_000}), "file.config.json",
         "bad_model_file"),
        ("weights-only .h5", edit_h5(legacy, lambda f: f.attrs.__delitem__("model_config")), "file",
         "not_a_model_file"),
        ("Lambda layer", edit_keras_config(keras, lambda c: _layers(c).insert(2, {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "my_lambda", "function": {"class_name": "__lambda__", "config": {"code": "..."}}}})),
         "config.layers.2", "unsupported_layer"),
        ("custom layer", edit_keras_config(keras, lambda c: _layers(c)[1].update(registered_name="Custom>Conv2D")),
         "config.layers.1", "unsupported_layer"),
        ("unsupported layer", edit_keras_config(keras, lambda c: _layers(c)[2].update(class_name="LayerNormalization")),
         "layers.2", "unsupported_layer"),
        ("unsupported activation", edit_keras_config(keras, lambda c: _layers(c)[1]["config"].update(
            activation="crelu")), "layers.1.activation", "unsupported_setting"),
        ("channels_first", edit_keras_config(keras, lambda c: _layers(c)[1]["config"].update(
            data_format="channels_first")), "layers.1.data_format", "unsupported_setting"),
        ("subclassed model", edit_keras_config(keras, lambda c: c.update(class_name="MyModel")), "config.class_name",
         "unsupported_model"),
        ("mixed precision", edit_keras_config(keras, lambda c: _layers(c)[1]["config"].update(dtype="mixed_float16")),
         "config.layers.1.dtype", "unsupported_setting"),
        ("config names missing weights (.keras)", edit_keras_weights(keras, lambda f: f.__delitem__(
            "layers/dense/vars/1")), "layers.9", "missing_weights"),
        ("config names a missing layer (.keras)", edit_keras_weights(keras, lambda f: f.__delitem__("layers/conv2d")),
         "layers.1", "missing_weights"),
        ("config names missing weights (.h5)", edit_h5(legacy, lambda f: f.__delitem__("model_weights/probs")),
         "layers.9", "missing_weights"),
        ("weight shapes disagree (.keras)", edit_keras_config(keras, lambda c: _layers(c)[9]["config"].update(
            units=4)), "layers.9.kernel", "weight_shape_mismatch"),
        ("weight shapes disagree (.h5)", edit_legacy_config(legacy, lambda c: _layers(c)[1]["config"].update(
            filters=4)), "layers.1.kernel", "weight_shape_mismatch"),
        ("more than 10 million parameters", config_only([{"class_name": "Dense", "config": {
            "name": "huge", "units": 3000}}], [4000]), "layers.1", "model_too_large"),
        ("more than 500 layers", config_only([{"class_name": "Dropout", "config": {"name": f"d{i}", "rate": 0.1}}
                                              for i in range(500)], [4]), "layers", "model_too_large"),
        ("HDF5 dataset declared 400 GB", edit_h5(legacy, _huge_kernel), "layers.1.kernel", "weight_shape_mismatch"),
        ("HDF5 external storage", edit_h5(legacy, _external_kernel), "layers.1.kernel", "bad_model_file"),
        ("HDF5 external link", edit_h5(legacy, _external_link), "layers.9", "bad_model_file"),
        ("NaN weights", edit_h5(legacy, _nan_bias), "layers.9.bias", "bad_model_file"),
        ("model_config not UTF-8", edit_h5(legacy, _bad_utf8), "file", "bad_model_file"),
        ("not a single chain", edit_keras_config(fixture_bytes("text_functional.keras"), _branch), "config.layers",
         "unsupported_setting"),
        # found by a hostile review: each of these was accepted, then answered 500 (or hours of CPU) on use
        ("lone surrogate in a layer name", edit_keras_config(keras, lambda c: _layers(c)[1]["config"].update(
            name="\ud800")), "file.config.json", "bad_model_file"),
        ("lone surrogate in the model name (.h5)", edit_legacy_config(legacy, lambda c: c["config"].update(
            name="m\udfff")), "file.model_config", "bad_model_file"),
        ("input of 10^12 numbers", config_only([{"class_name": "GlobalMaxPooling2D", "config": {"name": "g"}}],
                                               [1_000_000, 1_000_000, 1]), "input_shape", "model_too_costly"),
        ("an output of 8 million numbers for any input", config_only([{"class_name": "Conv2D", "config": {
            "name": "c", "filters": 8, "kernel_size": [1, 1]}}], [1000, 1000, 1]), "layers.1", "model_too_costly"),
        ("causal dilation 10^6 on 8 channels: over the cap for every input", config_only([{
            "class_name": "Conv1D", "config": {"name": "c", "filters": 1, "kernel_size": [2], "padding": "causal",
                                               "dilation_rate": [1_000_000]}}], [None, 8]), "layers.1",
         "model_too_costly"),
        ("dilation 10^6 with 'same' on a fixed input", config_only([{"class_name": "Conv2D", "config": {
            "name": "c", "filters": 1, "kernel_size": [1, 2], "padding": "same", "dilation_rate": [1, 1_000_000]}}],
            [10, 10, 1]), "layers.1", "model_too_costly"),
        # a second hostile review: each was accepted, or answered 500 (and one stored a model whose every answer was)
        ("config.json with a byte-order mark", rezip({**files, "config.json": b"\xef\xbb\xbf" + files["config.json"]}),
         "file.config.json", "bad_model_file"),
        ("config.json in UTF-16", rezip({**files, "config.json": files["config.json"].decode().encode("utf-16")}),
         "file.config.json", "bad_model_file"),
        ("model_config with a byte-order mark (.h5)", edit_h5(legacy, _bom_config), "file.model_config",
         "bad_model_file"),
        ("keras_version 10^23 (.keras)", rezip({**files, "metadata.json": b'{"keras_version": "' + b"9" * 23
                                                + b'.0"}'}), "file.metadata.json.keras_version", "bad_model_file"),
        ("keras_version 10^23 (.h5)", edit_h5(legacy, lambda f: f.attrs.__setitem__("keras_version", "9" * 23 + ".1")),
         "file.keras_version", "bad_model_file"),
        ("Reshape to 2^76 numbers on a free input", config_only([{"class_name": "Reshape", "config": {
            "name": "r", "target_shape": [524_288] * 4 + [-1]}}], [None, 2]), "layers.1.target_shape",
         "model_too_costly"),
        ("weights filled in by HDF5 (no data stored)", _filled_weights(compression=None), "layers.1.kernel",
         "zip_bomb"),
        ("weights gzipped past a ratio of 100", _filled_weights(compression="gzip"), "layers.1.kernel", "zip_bomb"),
    ]
    for name in ("../config.json", "/etc/passwd", "a/../../b", "C:/x", "a\\b"):
        out.append((f"path {name!r}", rezip({**files, name: b"{}"}), "file.", "unsafe_archive_path"))
    return out


def _kernel_path(f) -> str:
    group = f["model_weights/conv_s2_same"]
    return "model_weights/conv_s2_same/" + group.attrs["weight_names"][0].decode() \
        if isinstance(group.attrs["weight_names"][0], bytes) else "model_weights/conv_s2_same/" \
        + group.attrs["weight_names"][0]


def _huge_kernel(f):
    path = _kernel_path(f)
    del f[path]
    f.create_dataset(path, shape=(100_000, 1_000_000), dtype="float32", chunks=(1, 1024))


def _external_kernel(f):
    path = _kernel_path(f)
    shape = f[path].shape
    del f[path]
    f.create_dataset(path, shape=shape, dtype="float32", external=[("/etc/hostname", 0, h5py.h5f.UNLIMITED)])


def _external_link(f):
    del f["model_weights/probs"]
    f["model_weights/probs"] = h5py.ExternalLink("/etc/other.h5", "/x")


def _nan_bias(f):
    group = f["model_weights/probs"]
    names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
    ds = group[names[1]]
    ds[0] = np.nan


def _bad_utf8(f):
    """Found by bench/fuzz_models.py: h5py hands undecodable bytes back as lone surrogates."""
    raw = f.attrs["model_config"]
    raw = raw if isinstance(raw, bytes) else raw.encode()
    del f.attrs["model_config"]
    f.attrs.create("model_config", data=raw[:50] + b"\xe5" + raw[51:], dtype=h5py.string_dtype("utf-8"))


def _branch(cfg):
    """The GRU reads the Embedding's output instead of the LSTM's: the LSTM leads nowhere."""
    for layer in cfg["config"]["layers"]:
        if layer["class_name"] == "GRU":
            layer["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] = "embed"


def _bom_config(f):
    text = f.attrs["model_config"]
    text = text.decode() if isinstance(text, bytes) else text
    del f.attrs["model_config"]
    f.attrs["model_config"] = "\ufeff" + text


def _filled_weights(compression) -> bytes:
    """A Dense(1000 -> 600) whose 2.4 MB kernel is not in the file: an HDF5 fill value (no chunk written), or
    zeros gzipped to a few KB (a 5 KB upload once declared 80 MB of weights this way)."""
    data = keras_file("filled", (1000,), [{"class_name": "Dense", "config": {"name": "d", "units": 600},
                                           "weights": [np.ones((1000, 600), np.float32), np.zeros(600, np.float32)]}])

    def change(f):
        del f["layers/dense/vars/0"]
        if compression is None:
            f.create_dataset("layers/dense/vars/0", shape=(1000, 600), dtype="float32", fillvalue=0.5)
        else:
            f.create_dataset("layers/dense/vars/0", data=np.zeros((1000, 600), np.float32), chunks=(100, 600),
                             compression=compression)
    return edit_keras_weights(data, change)
