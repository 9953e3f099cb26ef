"""Aggregates every API router."""

from fastapi import APIRouter

from . import conv, examples

api_router = APIRouter()
for module in (conv, examples):
    api_router.include_router(module.router)
