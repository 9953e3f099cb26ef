"""The lecture's worked examples, ready to post to the API (served at GET /api/examples).

Every module in this package that defines EXAMPLES (a list of dicts) contributes; conv comes first.
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
        out.extend(getattr(import_module(f"{__name__}.{name}"), "EXAMPLES", []))
    return tuple(out)
