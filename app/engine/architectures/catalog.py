"""The networks the app explains: the five references (data.py) and the MNIST model the app ships,
whose architecture is read at request time from its model card (app/weights/mnist_cnn.json)."""

from __future__ import annotations

import copy
import json
from functools import cache, lru_cache
from pathlib import Path

from ..errors import EngineError
from .data import NETWORKS
from .walker import walk

ROOT = Path(__file__).resolve().parents[3]
MNIST_CARD = ROOT / "app" / "weights" / "mnist_cnn.json"
MNIST_ID = "mnist"
# app.engine.nn kinds -> layer types
_KINDS = {"conv2d": "Conv2D", "relu": "ReLU", "maxpool2d": "MaxPooling2D", "flatten": "Flatten",
          "dense": "Dense", "dropout": "Dropout"}
_KEYS = {"conv2d": ("filters", "kernel_size", "strides", "padding", "dilation"),
         "maxpool2d": ("pool_size", "strides"), "dense": ("units",), "dropout": ("rate",)}


def mnist_from_card(card: dict) -> dict:
    """The model card's architecture (app.engine.nn specs) -> a description for walk()."""
    layers = []
    for entry in card["architecture"]:
        spec = entry["spec"]
        layer = {"type": _KINDS[spec["kind"]], "name": spec["name"]}
        for key in _KEYS.get(spec["kind"], ()):
            if key in spec:
                layer["dilation_rate" if key == "dilation" else key] = spec[key]
        layers.append(layer)
    acc = card.get("test_accuracy")
    return {
        "id": MNIST_ID, "name": "MNIST CNN (this app)",
        "reference": {
            "text": "The digit model the app trains with its own NumPy engine (python -m app.train); "
                    "architecture read from its model card app/weights/mnist_cnn.json"
                    + (f", test accuracy {acc:.2%}" if isinstance(acc, (int, float)) else "") + ".",
            "url": "/draw",
        },
        "counting": "keras", "input_shape": list(card["input"]["shape"]), "layers": layers,
        "card_total_params": card.get("total_params"),
    }


def _mnist_stamp(path: Path):
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _mnist_cached(stamp) -> dict | None:
    try:
        card = json.loads(Path(stamp[0]).read_text(encoding="utf-8"))
        return _walked(mnist_from_card(card))
    except (OSError, ValueError, KeyError, TypeError, EngineError):
        return None  # a missing, half-written or unreadable card: the entry is left out


def mnist_network(path: Path | None = None) -> dict | None:
    stamp = _mnist_stamp(path or MNIST_CARD)
    return _mnist_cached(stamp) if stamp else None


def _walked(net: dict) -> dict:
    """Metadata + the walk + the description itself (ready for POST /api/architectures/shape)."""
    meta = {k: v for k, v in net.items() if k not in ("layers", "input_shape", "counting")}
    description = {"input_shape": net["input_shape"], "counting": net["counting"], "layers": net["layers"]}
    return {**meta, **walk(net["input_shape"], net["layers"], net["counting"], max_layers=None),
            "description": description}


@cache
def _reference(net_id: str) -> dict:
    return _walked(NETWORKS[net_id])


def network(net_id: str, card: Path | None = None) -> dict | None:
    """The walked network (a fresh copy), or None when there is no such id."""
    if net_id in NETWORKS:
        return copy.deepcopy(_reference(net_id))
    if net_id == MNIST_ID:
        net = mnist_network(card)
        return copy.deepcopy(net) if net else None
    return None


def summaries(card: Path | None = None) -> list[dict]:
    """[{"id", "name", "total_params"}], the MNIST model last (left out while its card is missing)."""
    nets = [_reference(i) for i in NETWORKS]
    mnist = mnist_network(card)
    if mnist:
        nets.append(mnist)
    return [{"id": n["id"], "name": n["name"], "total_params": n["total_params"]} for n in nets]
