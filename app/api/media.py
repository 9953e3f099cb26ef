"""POST /api/conv2d/animation and POST /api/pool/animation: a trace as an animated GIF (or a PNG strip of key
frames) for slides, drawn by app/media from the engine's own trace."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from app.api.compute import compute
from app.api.routing import JSONRoute
from app.engine import limits as L
from app.media.animation import animate

from .schemas import ERRORS, Conv2DRequest, PoolRequest

router = APIRouter(prefix="/api", tags=["animations"], route_class=JSONRoute)

FORMAT_DOC = (f"gif: an animated GIF, a frame a step (at most {L.ANIM_MAX_FRAMES}: a longer trace is shown every "
              f"k-th step and the last, as its frames say); png: one picture of {L.ANIM_STRIP_FRAMES} key frames")
LANG_DOC = "the language of the frames' labels"
BINARY = {"schema": {"type": "string", "format": "binary"}}
PICTURES = {200: {"content": {"image/gif": BINARY, "image/png": BINARY},
                  "description": "the animation (image/gif) or the strip (image/png); X-Animation-Frames and "
                                 "X-Animation-Steps say how many frames show how many steps"}, **ERRORS}


class ConvAnimationRequest(Conv2DRequest):
    format: Literal["gif", "png"] = Field("gif", description=FORMAT_DOC)
    lang: Literal["en", "zh-TW"] = Field("en", description=LANG_DOC)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
         "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same", "format": "gif", "lang": "zh-TW"}]})


class PoolAnimationRequest(PoolRequest):
    format: Literal["gif", "png"] = Field("gif", description=FORMAT_DOC)
    lang: Literal["en", "zh-TW"] = Field("en", description=LANG_DOC)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]],
         "mode": "max", "pool_size": 2, "padding": "same", "format": "gif"}]})


def _picture(kind: str, req: ConvAnimationRequest | PoolAnimationRequest) -> Response:
    body = req.model_dump(exclude={"format", "lang", "trace"})
    data, media_type, facts = animate(kind, body, req.format, req.lang)
    name = f"{'conv2d' if kind == 'conv' else 'pool'}.{req.format}"
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{name}"', "X-Animation-Frames": str(facts["frames"]),
        "X-Animation-Steps": str(facts["steps"]), "Cache-Control": "no-store"})


@router.post("/conv2d/animation", response_class=Response, responses=PICTURES)
async def conv2d_animation(req: ConvAnimationRequest):
    """The /api/conv2d trace as an animated GIF for slides: the window on the padded input with the weights, the
    products, the step's formula, the output filling cell by cell (`trace` is always on here)."""
    return await compute(_picture, "conv", req)


@router.post("/pool/animation", response_class=Response, responses=PICTURES)
async def pool_animation(req: PoolAnimationRequest):
    """The /api/pool trace as an animated GIF for slides: the window, its values (the winner of a max outlined),
    the formula, the output filling cell by cell."""
    return await compute(_picture, "pool", req)
