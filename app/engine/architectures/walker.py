"""Walk a network description: output shape, parameters and multiply-adds of every layer, with the arithmetic.

A description is plain data (JSON-ready): an input shape and a list of layers.

    {"type": "Conv2D", "name": "block1_conv1", "filters": 64, "kernel_size": 3, "padding": "same"}
    {"type": "Concatenate", "name": "inception3a", "branches": [[...layers...], [...], ...]}
    {"type": "Add", "name": "conv2_block1_add", "branches": [[...main path...], []]}   # [] = identity shortcut

Shapes are channels_last without the batch axis: (H, W, C) or (D,). Output sizes follow
app/engine/padding.py (TensorFlow's 'same', 'valid', explicit [[top, bottom], [left, right]] or an int),
plus PyTorch's ceil_mode for pooling. Parameters are counted as Keras counts them (BatchNormalization:
4·C, of which 2·C trainable) or, with counting="torchvision", as PyTorch's parameters() does (running
mean and variance are buffers, not parameters). Multiply-adds (MACs) are counted for Conv2D and Dense:
one per weight per output position; biases, pooling and normalisation are not multiply-adds.
Receptive fields follow app/engine/receptive_field.py: each row's receptive_field, jump, rf_start and the
exact region its centre cell sees.
"""

from __future__ import annotations

import numpy as np

from ..arrays import check_bool, check_int, check_pair
from ..errors import EngineError

# Caps on a user's list (the reference networks use the same walker with max_layers=None).
from ..limits import ARCH_MAX_BRANCHES as MAX_BRANCHES
from ..limits import ARCH_MAX_C as MAX_C
from ..limits import ARCH_MAX_COUNT as MAX_COUNT
from ..limits import ARCH_MAX_DEPTH as MAX_DEPTH
from ..limits import ARCH_MAX_FILTERS as MAX_FILTERS
from ..limits import ARCH_MAX_FLAT as MAX_FLAT
from ..limits import ARCH_MAX_HW as MAX_HW
from ..limits import ARCH_MAX_K as MAX_K
from ..limits import ARCH_MAX_LAYERS as MAX_LAYERS
from ..limits import ARCH_MAX_PAD as MAX_PAD
from ..limits import ARCH_MAX_STRIDE as MAX_STRIDE
from ..limits import ARCH_MAX_UNITS as MAX_UNITS
from ..limits import CONV_MAX_K, CONV_MAX_STRIDE
from ..padding import Pads, effective_size, output_size, resolve_padding
from ..receptive_field import Field, describe, field_adaptive, field_input, field_union, field_whole, field_window

LINK_MIN_SIDE, LINK_MAX_SIDE = 7, 12  # the side of the conv page link's sample input (well within CONV_MAX_HW)

ALIASES = {
    "conv2d": "Conv2D", "dense": "Dense", "flatten": "Flatten",
    "maxpooling2d": "MaxPooling2D", "maxpool2d": "MaxPooling2D",
    "averagepooling2d": "AveragePooling2D", "avgpool2d": "AveragePooling2D",
    "globalaveragepooling2d": "GlobalAveragePooling2D", "globalmaxpooling2d": "GlobalMaxPooling2D",
    "adaptiveavgpool2d": "AdaptiveAvgPool2d", "zeropadding2d": "ZeroPadding2D",
    "batchnormalization": "BatchNormalization", "batchnorm": "BatchNormalization",
    "activation": "Activation", "relu": "ReLU", "softmax": "Softmax", "dropout": "Dropout",
    "lrn": "LRN", "localresponsenormalization": "LRN",
    "concatenate": "Concatenate", "add": "Add",
}
TYPES = tuple(dict.fromkeys(ALIASES.values()))
MERGES = ("Concatenate", "Add")
ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "softmax", "elu", "selu", "gelu", "swish")
COUNTINGS = ("keras", "torchvision")


def num(n: int) -> str:
    """73856 -> '73,856' (the way parameter counts are written)."""
    return f"{int(n):,}"


def shape_text(shape) -> str:
    return "×".join(str(s) for s in shape)


# ---- reading one field of a layer -------------------------------------------------------------------

def _known(layer: dict, field: str, allowed: tuple[str, ...]) -> None:
    for key in layer:
        if key not in allowed:
            raise EngineError(f"{field}.{key}", "is not a known field of this layer type; expected one of "
                              + ", ".join(allowed))


def _padding(layer, field, in_hw, k, s, d, names=("valid", "same")) -> Pads:
    spec = layer.get("padding", "valid")
    if isinstance(spec, int) and not isinstance(spec, bool) and spec > MAX_PAD:
        raise EngineError(f"{field}.padding", f"at most {MAX_PAD} cells on a side")
    if isinstance(spec, (list, tuple)) and len(spec) == 2 and all(isinstance(v, int) for v in spec):
        spec = [[spec[0], spec[0]], [spec[1], spec[1]]]  # PyTorch's (rows, cols)
    pads = resolve_padding(spec, in_hw, k, s, d, field=f"{field}.padding", allowed=(*names, "explicit"))
    if max(pads.top, pads.bottom, pads.left, pads.right) > MAX_PAD:
        raise EngineError(f"{field}.padding", f"at most {MAX_PAD} cells on a side")
    return pads


# ---- output sizes, written out ----------------------------------------------------------------------

def _size_text(n, lo, hi, k, s, out, same=False, ceil=False) -> str:
    """How one output side comes about: 32 − 5 + 1 = 28, ⌊(224 + 2 + 2 − 11) / 4⌋ + 1 = 55, ⌈224 / 2⌉ = 112."""
    if same:
        return f"⌈{n} / {s}⌉ = {out}"
    padded = f"{n}" + (f" + {lo}" if lo else "") + (f" + {hi}" if hi else "")
    if s == 1:
        return f"{padded} − {k} + 1 = {out}"
    left, right = ("⌈", "⌉") if ceil else ("⌊", "⌋")
    return f"{left}({padded} − {k}) / {s}{right} + 1 = {out}"


def _hw_text(h_text: str, w_text: str) -> str:
    return h_text if h_text == w_text else f"H: {h_text}; W: {w_text}"


def _window_out(n, lo, hi, k, s, ceil) -> int:
    """Output positions of a window k with stride s over n cells padded by lo + hi (PyTorch's ceil_mode too)."""
    if not ceil:
        return output_size(n + lo + hi, k, s)
    out = -(-(n + lo + hi - k) // s) + 1
    if (out - 1) * s >= n + lo:  # PyTorch: the last window must start inside the input or the left padding
        out -= 1
    return out


# ---- the layers -------------------------------------------------------------------------------------

def _need_image(shape, field, kind) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise EngineError(field, f"{kind} needs an H×W×C input, but its input is {shape_text(shape)}"
                          " (a flat vector)")
    return shape


def _spatial(layer, field, shape, kind, k, s, d, pads, ceil=False):
    """Common part of Conv2D and pooling: check that the window fits and return (oh, ow, formula)."""
    h, w, _ = shape
    ekh, ekw = effective_size(k[0], d[0]), effective_size(k[1], d[1])
    hp, wp = h + pads.top + pads.bottom, w + pads.left + pads.right
    if ekh > hp or ekw > wp:
        where = f"{h}×{w} input" if (hp, wp) == (h, w) else f"{h}×{w} input (padded to {hp}×{wp})"
        raise EngineError(field, f"{kind} {ekh}×{ekw} larger than the {where}")
    same = str(layer.get("padding", "valid")).lower() == "same"
    oh = _window_out(h, pads.top, pads.bottom, ekh, s[0], ceil)
    ow = _window_out(w, pads.left, pads.right, ekw, s[1], ceil)
    text = _hw_text(_size_text(h, pads.top, pads.bottom, ekh, s[0], oh, same, ceil),
                    _size_text(w, pads.left, pads.right, ekw, s[1], ow, same, ceil))
    return oh, ow, text


def _activation(layer, field):
    act = layer.get("activation")
    if act is not None and act not in ACTIVATIONS:
        raise EngineError(f"{field}.activation", "must be one of " + ", ".join(ACTIVATIONS))
    return act


def _conv2d(layer, field, shape, counting):
    _known(layer, field, ("type", "name", "filters", "kernel_size", "strides", "padding", "dilation_rate",
                          "use_bias", "activation"))
    h, w, c = _need_image(shape, field, "Conv2D")
    if "filters" not in layer or "kernel_size" not in layer:
        raise EngineError(field, "Conv2D needs filters and kernel_size")
    f = check_int(layer["filters"], f"{field}.filters", 1, MAX_FILTERS)
    k = check_pair(layer["kernel_size"], f"{field}.kernel_size", 1, MAX_K)
    s = check_pair(layer.get("strides", 1), f"{field}.strides", 1, MAX_STRIDE)
    d = check_pair(layer.get("dilation_rate", 1), f"{field}.dilation_rate", 1, MAX_STRIDE)
    if s != (1, 1) and d != (1, 1):
        raise EngineError(f"{field}.dilation_rate", "strides and dilation_rate cannot both be > 1 (as in Keras)")
    bias = check_bool(layer.get("use_bias", True), f"{field}.use_bias")
    _activation(layer, field)
    pads = _padding(layer, field, (h, w), k, s, d)
    oh, ow, size_text = _spatial(layer, field, shape, "kernel", k, s, d, pads)
    weights = k[0] * k[1] * c * f
    params = weights + (f if bias else 0)
    formula = f"{k[0]}·{k[1]}·{num(c)}·{num(f)}" + (f" + {num(f)}" if bias else "") + f" = {num(params)}"
    macs = oh * ow * weights
    return {
        "output_shape": [oh, ow, f], "shape_formula": size_text,
        "params": params, "trainable": params, "params_formula": formula,
        "macs": macs, "macs_formula": f"{oh}·{ow}·{num(f)} · {k[0]}·{k[1]}·{num(c)} = {num(macs)}",
        "config": {"filters": f, "kernel_size": list(k), "strides": list(s), "dilation_rate": list(d),
                   "padding": layer.get("padding", "valid"), "pads": pads.as_dict(), "use_bias": bias,
                   "activation": layer.get("activation")},
    }


def _pool(layer, field, shape, counting, kind):
    _known(layer, field, ("type", "name", "pool_size", "strides", "padding", "ceil_mode"))
    h, w, c = _need_image(shape, field, kind)
    k = check_pair(layer.get("pool_size", 2), f"{field}.pool_size", 1, MAX_K)
    strides = layer.get("strides")
    s = k if strides is None else check_pair(strides, f"{field}.strides", 1, MAX_STRIDE)
    ceil = check_bool(layer.get("ceil_mode", False), f"{field}.ceil_mode")
    pads = _padding(layer, field, (h, w), k, s, (1, 1))
    oh, ow, size_text = _spatial(layer, field, shape, "pool", k, s, (1, 1), pads, ceil)
    return {"output_shape": [oh, ow, c], "shape_formula": size_text,
            "config": {"pool_size": list(k), "strides": list(s), "padding": layer.get("padding", "valid"),
                       "pads": pads.as_dict(), "ceil_mode": ceil}}


def _dense(layer, field, shape, counting):
    _known(layer, field, ("type", "name", "units", "use_bias", "activation"))
    if "units" not in layer:
        raise EngineError(field, "Dense needs units")
    u = check_int(layer["units"], f"{field}.units", 1, MAX_UNITS)
    bias = check_bool(layer.get("use_bias", True), f"{field}.use_bias")
    _activation(layer, field)
    d, lead = shape[-1], list(shape[:-1])  # Keras' Dense acts on the last axis
    params = d * u + (u if bias else 0)
    positions = int(np.prod(lead)) if lead else 1
    macs = positions * d * u
    lead_text = "·".join(str(v) for v in lead) + " · " if lead else ""
    return {"output_shape": [*lead, u],
            "params": params, "trainable": params,
            "params_formula": f"{num(d)}·{num(u)}" + (f" + {num(u)}" if bias else "") + f" = {num(params)}",
            "macs": macs, "macs_formula": f"{lead_text}{num(d)}·{num(u)} = {num(macs)}",
            "config": {"units": u, "use_bias": bias, "activation": layer.get("activation")}}


def _batchnorm(layer, field, shape, counting):
    _known(layer, field, ("type", "name", "epsilon", "momentum", "activation"))
    _activation(layer, field)
    c = shape[-1]
    out = {"output_shape": list(shape), "trainable": 2 * c,
           "config": {"epsilon": layer.get("epsilon"), "activation": layer.get("activation")}}
    if counting == "keras":  # γ, β trainable; moving mean and variance counted, not trained
        return {**out, "params": 4 * c, "non_trainable": 2 * c, "params_formula": f"4·{num(c)} = {num(4 * c)}"}
    return {**out, "params": 2 * c, "buffers": 2 * c, "params_formula": f"2·{num(c)} = {num(2 * c)}"}


def _flatten(layer, field, shape, counting):
    _known(layer, field, ("type", "name"))
    n = int(np.prod(shape))
    if n > MAX_FLAT:
        raise EngineError(field, f"Flatten would give {num(n)} values; the cap is {num(MAX_FLAT)}")
    return {"output_shape": [n], "shape_formula": f"{'·'.join(str(v) for v in shape)} = {num(n)}"}


def _global_pool(layer, field, shape, counting, kind):
    _known(layer, field, ("type", "name"))
    h, w, c = _need_image(shape, field, kind)
    return {"output_shape": [c], "shape_formula": f"{h}×{w} → 1×1"}


def _adaptive(layer, field, shape, counting):
    _known(layer, field, ("type", "name", "output_size"))
    h, w, c = _need_image(shape, field, "AdaptiveAvgPool2d")
    oh, ow = check_pair(layer.get("output_size", 1), f"{field}.output_size", 1, MAX_HW)
    return {"output_shape": [oh, ow, c], "shape_formula": f"{h}×{w} → {oh}×{ow}",
            "config": {"output_size": [oh, ow]}}


def _zeropad(layer, field, shape, counting):
    _known(layer, field, ("type", "name", "padding"))
    h, w, c = _need_image(shape, field, "ZeroPadding2D")
    spec = layer.get("padding", 1)
    if isinstance(spec, (list, tuple)) and len(spec) == 2 and all(isinstance(v, int) for v in spec):
        spec = [[spec[0], spec[0]], [spec[1], spec[1]]]  # Keras' (symmetric rows, symmetric cols)
    p = _padding({"padding": spec}, field, (h, w), (1, 1), (1, 1), (1, 1), names=())
    oh, ow = h + p.top + p.bottom, w + p.left + p.right
    return {"output_shape": [oh, ow, c],
            "shape_formula": _hw_text(f"{h} + {p.top} + {p.bottom} = {oh}", f"{w} + {p.left} + {p.right} = {ow}"),
            "config": {"pads": p.as_dict()}}


# Settings that do not change a layer's shape, echoed in its config: (low, high, whole number), checked so that
# what comes back is a number a framework would take (Keras: 0 ≤ rate < 1; LRN's size and depth radius count
# channels; alpha, beta, k and bias are small positive constants in AlexNet's 1e-4, 0.75, 2 and their kin).
NUMBER_SETTINGS = {"rate": (0.0, 1.0, False), "size": (1, MAX_C, True), "depth_radius": (0, MAX_C, True),
                   "alpha": (0.0, 1e3, False), "beta": (0.0, 1e3, False), "k": (0.0, 1e3, False),
                   "bias": (0.0, 1e3, False)}


def _setting(layer, field: str, key: str):
    lo, hi, whole = NUMBER_SETTINGS[key]
    value = layer[key]
    if whole:
        return check_int(value, f"{field}.{key}", lo, hi)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi or (
            key == "rate" and value == hi):
        top = f"{hi:g}, not {hi:g} itself" if key == "rate" else f"{hi:g}"
        raise EngineError(f"{field}.{key}", f"must be a number from {lo:g} to {top}")
    return value


def _same_shape(layer, field, shape, counting, extra=()):
    _known(layer, field, ("type", "name", *extra))
    if "activation" in extra:
        _activation(layer, field)
    config = {k: _setting(layer, field, k) if k in NUMBER_SETTINGS else layer[k] for k in extra if k in layer}
    return {"output_shape": list(shape), "config": config or None}


RULES = {
    "Conv2D": _conv2d, "Dense": _dense, "Flatten": _flatten, "BatchNormalization": _batchnorm,
    "MaxPooling2D": lambda *a: _pool(*a, "MaxPooling2D"), "AveragePooling2D": lambda *a: _pool(*a, "AveragePooling2D"),
    "GlobalAveragePooling2D": lambda *a: _global_pool(*a, "GlobalAveragePooling2D"),
    "GlobalMaxPooling2D": lambda *a: _global_pool(*a, "GlobalMaxPooling2D"),
    "AdaptiveAvgPool2d": _adaptive, "ZeroPadding2D": _zeropad,
    "Activation": lambda *a: _same_shape(*a, extra=("activation",)),
    "ReLU": _same_shape, "Softmax": _same_shape,
    "Dropout": lambda *a: _same_shape(*a, extra=("rate",)),
    "LRN": lambda *a: _same_shape(*a, extra=("size", "alpha", "beta", "k", "depth_radius", "bias")),
}


# ---- the conv page link -----------------------------------------------------------------------------

def conv_link(config: dict, seed: int) -> dict | None:
    """Query values for /conv: this layer's kernel size, strides and padding on a small random 2-D input."""
    k, s, d, pads = config["kernel_size"], config["strides"], config["dilation_rate"], config["pads"]
    ek = max(effective_size(k[0], d[0]), effective_size(k[1], d[1]))
    if max(k) > CONV_MAX_K or max(s) > CONV_MAX_STRIDE or max(d) > CONV_MAX_STRIDE or ek > LINK_MAX_SIDE:
        return None
    spec = config["padding"]
    values = [pads["top"], pads["bottom"], pads["left"], pads["right"]]
    if spec not in ("same", "valid"):
        if not any(values):
            spec = "valid"
        elif s == [1, 1] and d == [1, 1] and values == [(k[0] - 1) // 2, k[0] // 2, (k[1] - 1) // 2, k[1] // 2]:
            spec = "same"  # the same cells TensorFlow's 'same' pads at stride 1
        elif len(set(values)) == 1:
            spec = values[0]
        else:
            spec = [[pads["top"], pads["bottom"]], [pads["left"], pads["right"]]]
    n = min(LINK_MAX_SIDE, max(LINK_MIN_SIDE, ek + 2 * max(s)))
    rng = np.random.default_rng(seed)
    link = {"kernel": rng.integers(-1, 3, (k[0], k[1])).tolist(), "strides": list(s), "padding": spec,
            "input": rng.integers(0, 10, (n, n)).tolist()}
    if d != [1, 1]:
        link["dilation"] = list(d)  # the conv page's URL key
    return link


# ---- receptive fields (app/engine/receptive_field.py has the rules) ------------------------------------

def _receptive(kind, out, in_shape, rf: Field | None) -> Field | None:
    """The field of a layer's output from its input's: windows grow it, global readers take the whole map."""
    if rf is None or len(in_shape) != 3:
        return rf  # a flat vector: Dense, Dropout, ... read what the Flatten or global pooling before them saw
    cfg, out_hw = out.get("config") or {}, out["output_shape"][:2]
    if kind in ("Conv2D", "MaxPooling2D", "AveragePooling2D"):
        d = cfg.get("dilation_rate", [1, 1])
        return field_window(rf, cfg.get("kernel_size") or cfg["pool_size"], cfg["strides"], d,
                            cfg["pads"]["top"], cfg["pads"]["left"], out_hw)
    if kind == "ZeroPadding2D":
        return field_window(rf, (1, 1), (1, 1), (1, 1), cfg["pads"]["top"], cfg["pads"]["left"], out_hw)
    if kind == "AdaptiveAvgPool2d":
        return field_adaptive(rf, out_hw)
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten"):
        return field_whole(rf)
    return rf  # no window: activations, normalisation, dropout, Dense on a map (a 1×1 convolution)


# ---- the walk ---------------------------------------------------------------------------------------

def _layer_type(layer, field) -> str:
    if not isinstance(layer, dict):
        raise EngineError(field, "must be an object with a type, e.g. {\"type\": \"Conv2D\", ...}")
    kind = layer.get("type")
    if not isinstance(kind, str) or kind.lower().replace("_", "") not in ALIASES:
        raise EngineError(f"{field}.type", "must be one of " + ", ".join(TYPES))
    name = layer.get("name")
    if name is not None and (not isinstance(name, str) or not 0 < len(name) <= 80):
        raise EngineError(f"{field}.name", "must be a string of 1 to 80 characters")
    return ALIASES[kind.lower().replace("_", "")]


def count_layers(layers, field="layers", depth=0) -> int:
    """Check the list's structure and count its layers (branches included) before any shape is computed."""
    if not isinstance(layers, list):
        raise EngineError(field, "must be a list of layers")
    if depth > MAX_DEPTH:
        raise EngineError(field, f"branches nest more than {MAX_DEPTH} deep")
    total = 0
    for i, layer in enumerate(layers):
        kind = _layer_type(layer, f"{field}.{i}")
        total += 1
        if kind in MERGES:
            branches = layer.get("branches")
            if not isinstance(branches, list) or not 2 <= len(branches) <= MAX_BRANCHES:
                raise EngineError(f"{field}.{i}.branches", f"{kind} needs a list of 2 to {MAX_BRANCHES} branches "
                                  "(each a list of layers; [] is the identity)")
            total += sum(count_layers(b, f"{field}.{i}.branches.{j}", depth + 1) for j, b in enumerate(branches))
    return total


class _Walk:
    def __init__(self, counting: str):
        self.counting = counting
        self.rows: list[dict] = []

    def sequence(self, layers, shape, rf, field, block, branch, depth) -> tuple[list, Field | None, list]:
        tree = []
        for i, layer in enumerate(layers):
            shape, rf, node = self.layer(layer, shape, rf, f"{field}.{i}", block, branch, depth)
            tree.append(node)
        return shape, rf, tree

    def layer(self, layer, shape, rf, field, block, branch, depth):
        kind = _layer_type(layer, field)
        name = layer.get("name") or f"{kind.lower()}_{len(self.rows)}"
        if kind in MERGES:
            return self.merge(layer, kind, name, shape, rf, field, block, branch, depth)
        out = RULES[kind](layer, field, tuple(shape), self.counting)
        row = self.row(kind, name, field, block, branch, depth, shape, out)
        for key in ("params", "macs"):
            if row[key] > MAX_COUNT:
                raise EngineError(field, f"{key} of this layer ({num(row[key])}) exceed the cap of {num(MAX_COUNT)}")
        if kind == "Conv2D":
            row["conv_link"] = conv_link(out["config"], seed=row["index"])
        rf = _receptive(kind, out, shape, rf)
        row.update(describe(rf, len(row["output_shape"]) == 3))
        return row["output_shape"], rf, row["index"]

    def merge(self, layer, kind, name, shape, rf, field, block, branch, depth):
        _known(layer, field, ("type", "name", "branches"))
        results = []
        for j, layers in enumerate(layer["branches"]):
            results.append(self.sequence(layers, shape, rf, f"{field}.branches.{j}", name, j, depth + 1))
        shapes = [list(s) for s, _, _ in results]
        first = shapes[0]
        for j, s in enumerate(shapes[1:], start=1):
            if kind == "Add" and s != first:
                raise EngineError(field, f"Add needs equal shapes, but branch {j} gives {shape_text(s)} "
                                  f"and branch 0 gives {shape_text(first)}")
            if kind == "Concatenate" and (len(s) != len(first) or s[:-1] != first[:-1]):
                raise EngineError(field, f"Concatenate needs equal sizes except the channels, but branch {j} "
                                  f"gives {shape_text(s)} and branch 0 gives {shape_text(first)}")
        if kind == "Add":
            out = {"output_shape": first,
                   "shape_formula": " + ".join(shape_text(s) for s in shapes)}
        else:
            channels = sum(s[-1] for s in shapes)
            out = {"output_shape": [*first[:-1], channels],
                   "shape_formula": " + ".join(str(s[-1]) for s in shapes) + f" = {channels}"}
        row = self.row(kind, name, field, block, branch, depth, shape, out)
        row["branches"] = [{"output_shape": s, "identity": len(layer["branches"][j]) == 0}
                           for j, s in enumerate(shapes)]
        rf = None if rf is None else field_union([f for _, f, _ in results])
        row.update(describe(rf, len(row["output_shape"]) == 3))
        return row["output_shape"], rf, {"merge": row["index"], "branches": [tree for _, _, tree in results]}

    def row(self, kind, name, field, block, branch, depth, shape, out) -> dict:
        row = {
            "index": len(self.rows), "name": name, "type": kind, "path": field,
            "block": block, "branch": branch, "depth": depth,
            "input_shape": list(shape), "output_shape": list(out["output_shape"]),
            "shape_formula": out.get("shape_formula"),
            "params": out.get("params", 0), "trainable": out.get("trainable", 0),
            "non_trainable": out.get("non_trainable", 0), "buffers": out.get("buffers", 0),
            "params_formula": out.get("params_formula"),
            "macs": out.get("macs", 0), "macs_formula": out.get("macs_formula"),
            "config": out.get("config"), "conv_link": None,
        }
        if min(row["output_shape"]) <= 0:
            raise EngineError(field, f"the output would be empty ({shape_text(row['output_shape'])})")
        self.rows.append(row)
        return row


def check_input_shape(value, field="input_shape") -> list[int]:
    if not isinstance(value, (list, tuple)) or len(value) not in (1, 3):
        raise EngineError(field, "must be [height, width, channels] or [features]")
    if len(value) == 1:
        return [check_int(value[0], f"{field}.0", 1, MAX_FLAT)]
    return [check_int(value[0], f"{field}.0", 1, MAX_HW), check_int(value[1], f"{field}.1", 1, MAX_HW),
            check_int(value[2], f"{field}.2", 1, MAX_C)]


def walk(input_shape, layers, counting: str = "keras", max_layers: int | None = MAX_LAYERS,
         field: str = "layers") -> dict:
    """Shapes, parameters and multiply-adds of every layer. Raises EngineError naming the first layer that
    does not fit (its path in the request, e.g. "layers.3" or "layers.5.branches.1.0").

    Each row also carries "receptive_field", "jump", "rf_start" (int, or [h, w] when they differ) and
    "rf_region" {"cell", "region", "unclipped"} (receptive_field.describe; all None for a [features] input).

    -> {"input_shape", "output_shape", "layers": [row, ...], "tree": [index | {"merge", "branches"}],
        "total_params", "trainable_params", "non_trainable_params", "buffers", "total_macs",
        "largest_by_params", "largest_by_macs"}
    """
    if counting not in COUNTINGS:
        raise EngineError("counting", "must be one of " + ", ".join(COUNTINGS))
    shape = check_input_shape(input_shape)
    n = count_layers(layers, field)
    if n == 0:
        raise EngineError(field, "must hold at least one layer")
    if max_layers is not None and n > max_layers:
        raise EngineError(field, f"has {n} layers (branches included); the cap is {max_layers}")
    w = _Walk(counting)
    rf = field_input(shape[0], shape[1]) if len(shape) == 3 else None
    out_shape, _, tree = w.sequence(layers, shape, rf, field, None, None, 0)
    rows = w.rows
    trainable = sum(r["trainable"] for r in rows)
    non_trainable = sum(r["non_trainable"] for r in rows)

    def largest(key, k=5):
        ranked = sorted((r for r in rows if r[key] > 0), key=lambda r: (-r[key], r["index"]))
        return [r["index"] for r in ranked[:k]]

    return {
        "input_shape": shape, "output_shape": list(out_shape), "counting": counting,
        "layers": rows, "tree": tree,
        "total_params": trainable + non_trainable, "trainable_params": trainable,
        "non_trainable_params": non_trainable, "buffers": sum(r["buffers"] for r in rows),
        "total_macs": sum(r["macs"] for r in rows),
        "largest_by_params": largest("params"), "largest_by_macs": largest("macs"),
    }
