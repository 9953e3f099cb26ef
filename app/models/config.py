"""A Keras model config (config.json, or a legacy file's model_config) -> the chain of layers to build.

Accepted: Sequential models (Keras 3, tf.keras 2 and the list form of Keras ≤ 2.2) and functional models
that are a single chain (one input, one output, each layer fed by the one before it). Custom classes
(a registered_name or module that is not Keras') and dtype policies other than float32/float64 are
refused here, naming the layer. The layers' own options are read by the engine (app/engine/layers/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.engine.errors import EngineError
from app.engine.layers import refuse_class
from app.engine.limits import MODEL_MAX_DIM, MODEL_MAX_LAYERS

MODEL_CLASSES = ("Sequential", "Functional", "Model")
FLOAT_POLICIES = (None, "float32", "float64")


@dataclass
class ModelConfig:
    name: str
    input_shape: tuple          # one sample; None for a free axis
    input_name: str
    layers: list[tuple[str, str, dict]]   # (class_name, name, raw config), in the order the data flows
    weight_keys: list[str]      # per layer: its folder in a Keras 3 weights file (layers/<key>/vars)
    keras: int


def keras_major(version, default: int, field: str) -> int:
    """The major version a file's keras_version names ("3.6.0" -> 3), or `default` when it names none. A major
    outside 1 .. 99 is refused: no Keras has one, and a huge number would be kept and shown (a 24-digit one once
    made every answer about the model a 500)."""
    m = re.match(r"\s*(\d+)\.", version) if isinstance(version, str) else None
    if m is None:
        return default
    if len(m.group(1)) > 2 or int(m.group(1)) == 0:
        raise EngineError(field, f"names Keras version {version.strip()[:40]!r}; a Keras file's major version is 1 "
                          "to 99", code="bad_model_file")
    return int(m.group(1))


def snake_case(name: str) -> str:
    """Keras' naming.to_snake_case: the folder a Keras 3 weights file keeps a layer's variables in."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_keys(class_names: list[str]) -> list[str]:
    """conv2d, conv2d_1, conv2d_2 ...: Keras 3's saving_lib names a container's layers by class, in order."""
    used: dict[str, int] = {}
    out = []
    for c in class_names:
        key = snake_case(c)
        if key in used:
            used[key] += 1
            out.append(f"{key}_{used[key]}")
        else:
            used[key] = 0
            out.append(key)
    return out


def _text(v, field: str) -> str:
    if not isinstance(v, str) or not 1 <= len(v) <= 200:
        raise EngineError(field, "must be a name of 1 to 200 characters")
    return v


def _entry(e, field: str) -> tuple[str, str, dict]:
    """One layer entry {"class_name", "config", ...} -> (class_name, name, config), refusing custom classes."""
    if not isinstance(e, dict) or not isinstance(e.get("config"), dict):
        raise EngineError(field, 'a layer must be an object with "class_name" and "config"')
    class_name = _text(e.get("class_name"), f"{field}.class_name")
    cfg = e["config"]
    name = _text(cfg.get("name", e.get("name", class_name.lower())), f"{field}.name")
    registered, module = e.get("registered_name"), e.get("module")
    if (registered not in (None, class_name) or (module is not None and not str(module).startswith("keras"))
            or class_name == "Lambda"):
        if class_name == "Lambda":
            raise refuse_class(class_name, name, field)
        raise EngineError(field, f"{class_name} layer {name!r} is a custom class (registered as "
                          f"{str(registered or module)[:80]!r}); this app never runs code from a file",
                          code="unsupported_layer")
    policy = cfg.get("dtype")
    if isinstance(policy, dict):
        policy = (policy.get("config") or {}).get("name")
    if class_name != "InputLayer" and policy not in FLOAT_POLICIES:
        raise EngineError(f"{field}.dtype", f"layer {name!r} computes in {str(policy)[:40]!r}; only float32 and "
                          "float64 layers are supported", code="unsupported_setting")
    return class_name, name, cfg


def _shape(v, field: str) -> tuple:
    """A batch shape [None, 28, 28, 1] -> the sample's (28, 28, 1)."""
    if not isinstance(v, (list, tuple)) or not 2 <= len(v) <= 6:
        raise EngineError(field, "must be a batch shape such as [null, 28, 28, 1]")
    dims = tuple(v[1:])
    if not all(d is None or (isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= MODEL_MAX_DIM)
               for d in dims):
        raise EngineError(field, f"must hold sizes from 1 to {MODEL_MAX_DIM:,} (or null); got {list(v)[:8]}")
    return dims


def _input_shape(cfg: dict, field: str):
    for key in ("batch_shape", "batch_input_shape"):
        if cfg.get(key) is not None:
            return _shape(cfg[key], f"{field}.{key}")
    return None


def parse(cfg, keras: int) -> ModelConfig:
    if not isinstance(cfg, dict) or not isinstance(cfg.get("class_name"), str):
        raise EngineError("config", 'must be a Keras model config: an object with "class_name" and "config"')
    cls = cfg["class_name"]
    if cls not in MODEL_CLASSES or cfg.get("registered_name") not in (None, cls):
        raise EngineError("config.class_name", f"{cls[:80]!r} is not a Sequential or functional Keras model "
                          "(subclassed models hold Python code and cannot be read)", code="unsupported_model")
    body = cfg.get("config")
    mc = _sequential(body, keras, cfg) if cls == "Sequential" else _functional(body, keras)
    _refuse_lora(mc)
    return mc


def _refuse_lora(mc: ModelConfig) -> None:
    """A LoRA layer (Keras 3's lora_rank, on Conv1D/Conv2D as on Dense and Embedding) is refused for every class,
    naming the setting: a legacy .h5 file keeps its lora_kernel_a/_b apart from the kernel, and its parameter
    count is not the plain layer's."""
    for i, (class_name, name, lcfg) in enumerate(mc.layers):
        rank = lcfg.get("lora_rank")
        if rank not in (None, 0, False):
            raise EngineError(f"layers.{i + 1}.lora_rank", f"{class_name} layer {name!r}: must be None or 0 (LoRA "
                              f"layers are not supported); got {str(rank)[:40]!r}", code="unsupported_setting")


def _sequential(body, keras: int, top: dict) -> ModelConfig:
    entries = body if isinstance(body, list) else (body or {}).get("layers") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        raise EngineError("config.layers", "a Sequential model must list its layers")
    if len(entries) > MODEL_MAX_LAYERS:
        raise EngineError("layers", f"the model has {len(entries)} layers; the cap is {MODEL_MAX_LAYERS}",
                          code="model_too_large")
    name = body.get("name", "sequential") if isinstance(body, dict) else "sequential"
    layers, shape, input_name = [], None, "input"
    for i, e in enumerate(entries):
        class_name, lname, lcfg = _entry(e, f"config.layers.{i}")
        if class_name == "InputLayer":
            if i != 0:
                raise EngineError(f"config.layers.{i}", "an InputLayer must come first")
            shape, input_name = _input_shape(lcfg, f"config.layers.{i}"), lname
            continue
        if not layers and shape is None:
            shape = _input_shape(lcfg, f"config.layers.{i}")   # Keras 2: the first layer's batch_input_shape
        layers.append((class_name, lname, lcfg))
    if shape is None:
        built = (body.get("build_input_shape") if isinstance(body, dict) else None) or \
            (top.get("build_config") or {}).get("input_shape")
        if built is not None:
            shape = _shape(built, "config.build_input_shape")
    if shape is None:
        raise EngineError("config", "the model has no input shape (it was never built); give it an Input layer")
    return ModelConfig(_text(name, "config.name"), shape, input_name, layers,
                       unique_keys([c for c, _, _ in layers]), keras)


def _ref(v, field: str) -> str:
    """An input/output reference: ["name", 0, 0] or [["name", 0, 0]] -> "name"."""
    if isinstance(v, list) and len(v) == 1 and isinstance(v[0], list):
        v = v[0]
    if not isinstance(v, list) or len(v) < 1 or not isinstance(v[0], str):
        raise EngineError(field, "must name one layer")
    return v[0]


def _sources(e: dict, field: str) -> list[str]:
    """The layers feeding a functional layer (Keras 3 keras_history or Keras 2 node lists)."""
    nodes = e.get("inbound_nodes") or []
    if not isinstance(nodes, list):
        raise EngineError(field, "inbound_nodes must be a list")
    if len(nodes) > 1:
        raise EngineError(field, "the layer is called more than once (a shared layer); only single chains are read",
                          code="unsupported_setting")
    if not nodes:
        return []
    node = nodes[0]
    if isinstance(node, dict):   # Keras 3: {"args": [tensor, ...], "kwargs": {...}}
        args, kwargs = node.get("args") or [], node.get("kwargs") or {}
        extra = {k for k, v in kwargs.items() if not (k == "training" or (k == "mask" and v is None))} \
            if isinstance(kwargs, dict) else {"kwargs"}
        if extra:
            raise EngineError(field, f"the layer is called with {sorted(extra)[0]!r}; only single chains are read",
                              code="unsupported_setting")
        out = []
        for a in args if isinstance(args, list) else [args]:
            hist = a.get("config", {}).get("keras_history") if isinstance(a, dict) else None
            if not isinstance(hist, list) or not hist or not isinstance(hist[0], str):
                raise EngineError(field, "the layer is called with something other than one layer's output",
                                  code="unsupported_setting")
            out.append(hist[0])
        return out
    if isinstance(node, list):   # Keras 2: [["name", node, tensor, {kwargs}], ...]
        return [_ref(t, field) for t in node]
    raise EngineError(field, "inbound_nodes has an unknown form")


def _functional(body, keras: int) -> ModelConfig:
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise EngineError("config.layers", "a functional model must list its layers")
    entries = body["layers"]
    if len(entries) > MODEL_MAX_LAYERS:
        raise EngineError("layers", f"the model has {len(entries)} layers; the cap is {MODEL_MAX_LAYERS}",
                          code="model_too_large")
    ins, outs = body.get("input_layers"), body.get("output_layers")
    for key, v in (("input_layers", ins), ("output_layers", outs)):
        many = isinstance(v, list) and len(v) > 1 and isinstance(v[0], list)
        if many:
            raise EngineError(f"config.{key}", "the model has several inputs or outputs; only single chains are read",
                              code="unsupported_setting")
    first, last = _ref(ins, "config.input_layers"), _ref(outs, "config.output_layers")
    by_name, feeds, order = {}, {}, []
    for i, e in enumerate(entries):
        field = f"config.layers.{i}"
        class_name, name, cfg = _entry(e, field)
        if name in by_name:
            raise EngineError(f"{field}.name", f"two layers are named {name!r}")
        by_name[name] = (i, class_name, cfg)
        order.append(class_name)
        src = _sources(e, field)
        if class_name == "InputLayer":
            continue
        if len(src) != 1:
            raise EngineError(field, f"layer {name!r} has {len(src)} inputs; only single chains are read",
                              code="unsupported_setting")
        if src[0] in feeds:
            raise EngineError(field, f"layer {src[0]!r} feeds two layers ({feeds[src[0]]!r} and {name!r}); only "
                              "single chains are read", code="unsupported_setting")
        feeds[src[0]] = name
    if first not in by_name or by_name[first][1] != "InputLayer":
        raise EngineError("config.input_layers", "must name the model's InputLayer")
    keys = dict(zip(by_name, unique_keys(order), strict=True))
    chain, current = [], first
    while current != last:
        nxt = feeds.get(current)
        if nxt is None:
            raise EngineError("config.output_layers", f"the chain from {first!r} ends at {current!r}, not at the "
                              f"output {last!r}", code="unsupported_setting")
        chain.append(nxt)
        current = nxt
    if len(chain) != len(entries) - 1:
        raise EngineError("config.layers", "some layers are not on the chain from the input to the output; only "
                          "single chains are read", code="unsupported_setting")
    _, _, input_cfg = by_name[first]
    shape = _input_shape(input_cfg, f"config.layers.{by_name[first][0]}")
    if shape is None:
        raise EngineError("config", "the InputLayer has no shape")
    layers = [(by_name[n][1], n, by_name[n][2]) for n in chain]
    return ModelConfig(_text(body.get("name", "model"), "config.name"), shape, first, layers,
                       [keys[n] for n in chain], keras)
