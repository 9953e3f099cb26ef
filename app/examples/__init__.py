"""The lecture's worked examples, ready to post to the API (served at GET /api/examples).

Each area adds its own module and lists it in MODULES.
"""

from __future__ import annotations

from importlib import import_module

MODULES = ["app.examples.conv"]


def all_examples() -> list[dict]:
    out: list[dict] = []
    for name in MODULES:
        out.extend(import_module(name).EXAMPLES)
    return out
