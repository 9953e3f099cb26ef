"""Shared by the tests of uploaded models: the Keras fixtures (tests/data/keras/, made by
tools/make_keras_fixtures.py) and small files written by app.models.writer."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data" / "keras"
NAMES = sorted({p.name.split(".")[0] for p in DATA.glob("*.npz")})
FILES = sorted(p.name[:-3] for p in DATA.glob("*.gz"))   # cnn_same.keras, cnn_same.keras3.h5, cnn_same.tf2.h5 ...


def fixture_bytes(file: str) -> bytes:
    return gzip.decompress((DATA / f"{file}.gz").read_bytes())


def expected(file: str) -> dict:
    """Keras' outputs for a fixture file: the .keras and .keras3.h5 files share <name>.keras3.npz."""
    name = file.split(".")[0]
    flavor = "tf2" if ".tf2." in file else "keras3"
    with np.load(DATA / f"{name}.{flavor}.npz") as f:
        return {k: f[k] for k in f.files}


def dense_layer(name: str, units: int, weights=None, activation="linear", **extra) -> dict:
    return {"class_name": "Dense", "config": {"name": name, "units": units, "activation": activation, **extra},
            "weights": weights or []}
