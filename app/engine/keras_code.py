"""The Keras code that computes what a response shows: runnable as pasted (Keras 3), with the request's
numbers in it, and the layer's arguments listed one by one for the pages to explain.

Every response of /api/conv2d, /api/pool, /api/rnn, /api/lstm and /api/gru carries
`keras: {"code", "layer", "args", "note"}`: `code` is the whole program, `layer` the layer call,
`args` [{"name", "value"} (+ "layer" when the argument belongs to another layer)], `note` a code for a
remark the page translates (null, "zero_padding" or "hard_sigmoid_keras2").
"""

from __future__ import annotations

import json

import numpy as np

from .activations import KERAS3_HARD_SIGMOID
from .arrays import to_list


def py_array(name: str, a: np.ndarray, comment: str = "", reshape: tuple[int, ...] | None = None) -> str:
    """`name = np.array([...], dtype="float32")`, one row per line for 2-D and higher arrays, then reshaped
    (`.reshape(1, 4, 4, 1)`) when the layer wants another layout than the one the user wrote."""
    values = to_list(np.asarray(a, dtype=np.float64))
    comment = f"  # {comment}" if comment else ""
    tail = ")" if reshape is None else f").reshape{tuple_text(reshape)}"
    if np.ndim(a) < 2:
        return f'{name} = np.array({json.dumps(values)}, dtype="float32"{tail}{comment}'
    rows = ",\n".join("    " + json.dumps(row) for row in values)
    return f'{name} = np.array([{comment}\n{rows},\n], dtype="float32"{tail}'


def wrapped_call(prefix: str, layer: str, args: list[str], width: int = 88) -> list[str]:
    """`    keras.layers.Conv2D(a=1, b=2,` / `                        c=3),` within `width` columns."""
    head = f"{prefix}{layer}("
    lines, line = [], head
    for k, arg in enumerate(args):
        piece = arg + (", " if k < len(args) - 1 else "),")
        if len(line) + len(piece.rstrip()) > width and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece
    lines.append(line.rstrip())
    return lines


def tuple_text(values) -> str:
    return "(" + ", ".join(str(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def py(value) -> str:
    """A Python literal: True/False/None, strings quoted, tuples as tuples."""
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return tuple_text(value)
    return str(value)


def _parts(args: list[tuple[str, object]]) -> list[str]:
    return [f"{k}={py(v)}" for k, v in args]


def _call(layer: str, args: list[tuple[str, object]]) -> str:
    return f"{layer}({', '.join(_parts(args))})"


def _block(code: list[str], layer: str, args: list[tuple[str, object]], note: str | None = None,
           extra_args: list[dict] | None = None) -> dict:
    listed = [*(extra_args or []), *({"name": k, "value": py(v)} for k, v in args)]
    return {"code": "\n".join(code) + "\n", "layer": layer, "args": listed, "note": note}


def conv2d_code(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, strides, dilation, padding, pads,
                activation: str, flat_in: bool, flat_kernel: bool) -> dict:
    """x (H, W, C), W (kh, kw, C, F), b (F,) or None; padding the request's spec, pads the resolved one;
    flat_in / flat_kernel: the request sent a 2-D input / kernel (the code writes them as sent)."""
    h, w, c = x.shape
    kh, kw, _, f = W.shape
    native = padding in ("valid", "same")
    args = [("filters", f), ("kernel_size", (kh, kw)), ("strides", tuple(strides)),
            ("padding", padding if native else "valid"), ("dilation_rate", tuple(dilation)),
            ("activation", None if activation == "linear" else activation), ("use_bias", b is not None)]
    layer = _call("Conv2D", args)
    layers = [f"    keras.Input(shape={tuple_text((h, w, c))}),"]
    extra = []
    if not native:
        zp = ((pads.top, pads.bottom), (pads.left, pads.right))
        layers.append(f"    keras.layers.ZeroPadding2D(padding={zp}),")
        extra.append({"name": "padding", "value": str(zp), "layer": "ZeroPadding2D"})
    layers += wrapped_call("    keras.layers.", "Conv2D", _parts(args))
    weights = "[kernel, bias]" if b is not None else "[kernel]"
    code = ["import numpy as np", "import keras", "",
            py_array("x", x[:, :, 0] if flat_in else x, f"(1, {h}, {w}, {c}): batch, rows, columns, channels",
                     (1, h, w, c)),
            py_array("kernel", W[:, :, 0, 0] if flat_kernel else W,
                     f"({kh}, {kw}, {c}, {f}): rows, columns, input channels, filters",
                     (kh, kw, c, f) if flat_kernel else None)]
    if b is not None:
        code.append(py_array("bias", b, f"({f},)"))
    code += ["", "model = keras.Sequential([", *layers, "])", f"model.layers[-1].set_weights({weights})",
             "y = model.predict(x, verbose=0)",
             "print(y[0, :, :, 0])" if flat_in and flat_kernel else "print(y[0])  # (rows, columns, filters)"]
    return _block(code, layer, [*args, ("input_shape", (h, w, c))], None if native else "zero_padding", extra)


def pool_code(x: np.ndarray, mode: str, pool, strides, padding: str, flat: bool, strides_given: bool) -> dict:
    h, w, c = x.shape
    name = "MaxPooling2D" if mode == "max" else "AveragePooling2D"
    args = [("pool_size", tuple(pool)), ("strides", tuple(strides) if strides_given else None), ("padding", padding)]
    layer = _call(name, args)
    code = ["import numpy as np", "import keras", "",
            py_array("x", x[:, :, 0] if flat else x, f"(1, {h}, {w}, {c}): batch, rows, columns, channels",
                     (1, h, w, c)), "",
            "model = keras.Sequential([", f"    keras.Input(shape={tuple_text((h, w, c))}),",
            *wrapped_call("    keras.layers.", name, _parts(args)), "])", "y = model.predict(x, verbose=0)",
            "print(y[0, :, :, 0])" if flat else "print(y[0])  # (rows, columns, channels)"]
    return _block(code, layer, args)


HARD_SIGMOID_KERAS2 = [
    "def hard_sigmoid_keras2(z):  # the lecture's Keras 2 hard_sigmoid; Keras 3's is clip(z / 6 + 0.5, 0, 1)",
    "    return keras.ops.clip(0.2 * z + 0.5, 0.0, 1.0)",
    "",
]


def _act(name: str) -> str:
    """An activation argument: Keras 2's hard_sigmoid by name (defined in the code), Keras 3's as Keras 3 names it,
    the rest quoted."""
    if name == KERAS3_HARD_SIGMOID:
        return repr("hard_sigmoid")
    return "hard_sigmoid_keras2" if name == "hard_sigmoid" else repr(name)


def recurrent_code(layer_name: str, x: np.ndarray, units: int, weights: list[tuple[str, np.ndarray]],
                   options: list[tuple[str, object, object]], initial_state: list[tuple[str, np.ndarray]] | None,
                   dense: dict | None) -> dict:
    """options: (name, value, Keras 3 default) in the layer's argument order; only non-defaults go in the call.
    initial_state: [(name, (u,) array)] when any is non-zero; dense: {"units", "activation", "kernel", "bias"}."""
    T, d = x.shape
    call_args = [("units", units)] + [(k, v) for k, v, default in options if v != default]
    parts = [str(units)] + [f"{k}={_act(v) if 'activation' in k else py(v)}" for k, v in call_args[1:]]
    layer = f"{layer_name}({', '.join(parts)}, return_sequences=True)"
    hard = any(v == "hard_sigmoid" for _, v, _ in options)
    code = ["import numpy as np", "import keras", "",
            py_array("x", x, f"(1, {T}, {d}): batch, time steps, features", (1, T, d)),
            *(py_array(name, a, "x".join(map(str, np.shape(a)))) for name, a in weights)]
    if dense is not None:
        code.append(py_array("V", dense["kernel"], "output layer kernel"))
        if dense["bias"] is not None:
            code.append(py_array("c", dense["bias"], "output layer bias"))
    code.append("")
    if hard or (dense is not None and dense["activation"] == "hard_sigmoid"):
        code += HARD_SIGMOID_KERAS2
    names = "[" + ", ".join(name for name, _ in weights) + "]"
    if initial_state:
        code += [py_array(name, a[None], f"(1, {units})") for name, a in initial_state]
        code += [f"rnn = keras.layers.{layer}", f"rnn.build((1, {T}, {d}))", f"rnn.set_weights({names})",
                 f"h = rnn(x, initial_state=[{', '.join(name for name, _ in initial_state)}])"]
        if dense is not None:
            code += [f"out = keras.layers.{_dense_call(dense)}", f"out.build((1, {T}, {units}))",
                     f"out.set_weights({_dense_weights(dense)})", "h = out(h)"]
        code.append("print(keras.ops.convert_to_numpy(h)[0])  # one row per time step")
    else:
        layers = [f"    keras.Input(shape=({T}, {d})),", f"    keras.layers.{layer},"]
        if dense is not None:
            layers.append(f"    keras.layers.{_dense_call(dense)},  # acts on every time step")
        code += ["model = keras.Sequential([", *layers, "])", f"model.layers[0].set_weights({names})"]
        if dense is not None:
            code.append(f"model.layers[1].set_weights({_dense_weights(dense)})")
        code += ["y = model.predict(x, verbose=0)", "print(y[0])  # one row per time step"]
    listed = [{"name": k, "value": _act(v) if "activation" in k else py(v)}
              for k, v, _ in [("units", units, None), *options]]
    block = {"code": "\n".join(code) + "\n", "layer": layer, "args": listed,
             "note": "hard_sigmoid_keras2" if hard else None,
             "output_layer": None if dense is None else _dense_call(dense)}
    return block


def _dense_call(dense: dict) -> str:
    args = [str(dense["kernel"].shape[1])]
    if dense["activation"] != "linear":
        args.append(f"activation={_act(dense['activation'])}")
    if dense["bias"] is None:
        args.append("use_bias=False")
    return f"Dense({', '.join(args)})"


def _dense_weights(dense: dict) -> str:
    return "[V, c]" if dense["bias"] is not None else "[V]"
