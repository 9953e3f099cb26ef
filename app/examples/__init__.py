"""The lecture's worked examples, ready to post to the API (served at GET /api/examples).

Every module in this package that defines EXAMPLES (a list of dicts) contributes; conv comes first. Each example
gets its `short` title from the module's SHORT_TITLES (what a picker shows).
"""

from __future__ import annotations

import pkgutil
from functools import lru_cache
from importlib import import_module


@lru_cache(maxsize=1)
def all_examples() -> tuple[dict, ...]:
    names = sorted((m.name for m in pkgutil.iter_modules(__path__)), key=lambda n: (n != "conv", n))
    out: list[dict] = []
    for name in names:
        module = import_module(f"{__name__}.{name}")
        short = getattr(module, "SHORT_TITLES", {})
        out.extend({**e, "short": short[e["id"]]} for e in getattr(module, "EXAMPLES", []))
    return tuple(out)
