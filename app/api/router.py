"""Aggregates every API router: each module of app/api that defines `router` is included."""

import pkgutil
from importlib import import_module

from fastapi import APIRouter

import app.api as package

api_router = APIRouter()
for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
    module = import_module(f"{package.__name__}.{info.name}")
    if isinstance(getattr(module, "router", None), APIRouter):
        api_router.include_router(module.router)
