"""POST /api/mnist/predict, POST /api/mnist/trace, GET /api/mnist/model: the trained CNN over HTTP.

Inputs (exactly one per request): `pixels` (28×28 in 0..1, white on black as in MNIST), `batch`
(up to 256 of those), `image` (a PNG / JPEG / WebP data URL, preprocessed like MNIST), `strokes`
with `width` and `height` (a drawing pad's polylines, rasterised here), or a multipart upload
(`curl -F file=@digit.png`). The weights are read once, on first use; until app/weights/mnist_cnn.npz
exists every endpoint here answers 503 in the one error shape.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from app.api.compute import compute
from app.api.responses import JSONResponse
from app.engine import limits
from app.engine.arrays import as_array
from app.engine.conv import conv2d_steps
from app.engine.errors import EngineError
from app.engine.padding import Pads, resolve_padding
from app.engine.pool import pool_steps
from app.mnist import inference, preprocess

from .errors import error_response, validation_to_error
from .schemas import ERRORS, Strict, array_type

router = APIRouter(prefix="/api/mnist", tags=["mnist"])

WEIGHTS_ENV = "MNIST_WEIGHTS"  # another .npz (its card beside it, .json) for development; default: the shipped one
MAX_PIXELS = limits.IMAGE_MAX_PIXELS
MAX_SIDE = limits.IMAGE_MAX_SIDE
MAX_BATCH = limits.MNIST_MAX_BATCH
MAX_BATCH_ACTIVATIONS = limits.MNIST_MAX_BATCH_ACTIVATIONS

WORK_SIDE = 560              # larger images are box-filtered down to this before preprocessing
INK_PREVIEW_SIDE = 64        # the ink map in `steps` is shrunk to at most this many pixels a side
LOW_CONFIDENCE = 0.7         # a top probability under this is reported as low confidence
MAX_TRACE_NUMBERS = limits.MNIST_TRACE_MAX_NUMBERS

FORMATS = ("PNG", "JPEG", "WEBP")
DATA_URL = re.compile(r"data:image/(png|jpeg|jpg|webp);base64,", re.IGNORECASE)
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own bomb guard: over 2× this it refuses to open at all

MNIST_PIXELS = "28×28 numbers in 0..1, white digit (1) on black (0) as in MNIST"
Strokes = Annotated[Any, WithJsonSchema({
    "type": "array", "maxItems": preprocess.MAX_STROKES,
    "items": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
    "description": f"polylines [[x, y], ...] in canvas pixels; at most {preprocess.MAX_POINTS:,} points in all",
})]


# ---- the model --------------------------------------------------------------------------------
def weights_path() -> Path:
    return Path(os.environ.get(WEIGHTS_ENV) or inference.WEIGHTS)


def load_model():
    """The trained Sequential, loaded once; None while no weights file exists."""
    path = weights_path()
    if not path.is_file():
        return None
    try:
        return inference.load_default_model(path)
    except (OSError, ValueError, KeyError):
        return None


async def get_model():
    """The endpoints' dependency (tests may override it). Async on purpose: after the first call this is a
    cache lookup, and a sync dependency would cost one more hop through the thread pool per request."""
    return load_model()


def _respond(fn, *args) -> JSONResponse:
    """Run fn in a worker thread and encode its JSON there too, so the event loop only sends bytes."""
    try:
        return JSONResponse(fn(*args))
    except EngineError as exc:
        return error_response(422, exc.field, exc.rule, code=exc.code)


@lru_cache(maxsize=2)
def _read_card(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def get_card() -> dict | None:
    path = weights_path().with_suffix(".json")
    try:
        return _read_card(str(path), path.stat().st_mtime)
    except (OSError, ValueError):
        return None


def not_trained() -> JSONResponse:
    return error_response(503, None, "the model is not trained yet: run python -m app.train --data DIR "
                          "to write app/weights/mnist_cnn.npz", code="model_not_trained")


# ---- request schemas ----------------------------------------------------------------------------
class DrawingInput(Strict):
    pixels: array_type((2,), [28, 28], MNIST_PIXELS) | None = None
    image: str | None = Field(None, description="data:image/png;base64,... (PNG, JPEG or WebP, ≤ 2048×2048), "
                                                "preprocessed like MNIST: polarity, crop, 20 px box, centre of mass")
    strokes: Strokes | None = None
    width: int | None = Field(None, ge=1, le=MAX_SIDE, strict=True, description="canvas width, with strokes")
    height: int | None = Field(None, ge=1, le=MAX_SIDE, strict=True, description="canvas height, with strokes")


class PredictRequest(DrawingInput):
    batch: array_type((3,), [MAX_BATCH, 28, 28], f"up to {MAX_BATCH} images, each {MNIST_PIXELS}") | None = None
    include_activations: bool = Field(False, strict=True, description="every layer's output for each image")
    activations_format: Literal["lists", "float32"] = Field(
        "lists", description="'lists': nested JSON lists (H, W, C), 4 decimals; 'float32': exact values as "
                             "base64 of little-endian float32 in row-major (H, W, C) order (~10× faster to send)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280, "include_activations": False},
    ]})


class TraceRequest(DrawingInput):
    layer: str = Field(max_length=40, description="a conv2d or maxpool2d layer's name, e.g. 'conv1'")
    index: list[int] = Field(min_length=3, max_length=3, description="[i, j, f]: row, column, filter")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280, "layer": "conv1", "index": [10, 11, 0]},
    ]})


class Result(BaseModel):
    digit: int | None = Field(description="the predicted digit; null when nothing is drawn")
    nothing_drawn: bool
    probabilities: list[float] | None = Field(description="softmax output, one per digit 0..9")
    confidence: float | None
    runner_up: int | None
    low_confidence: bool = Field(description=f"top probability under {LOW_CONFIDENCE}")
    preprocessed: list[list[float]] | None = Field(description="the 28×28 the network saw")
    steps: dict | None = Field(description="preprocessing steps (image and strokes inputs): polarity, bbox (in the "
                                           "rasterised canvas' pixels: strokes on canvases over 560 px are drawn at "
                                           "raster_scale), ink preview (ink_scale), box (20 px), center_of_mass, "
                                           "offset, final_center_of_mass, input_size")
    activations: list[dict] | None = None


class PredictResponse(BaseModel):
    digit: int | None = None
    results: list[Result] | None = Field(None, description="with batch: one result per image")


class TraceResponse(BaseModel):
    layer: str
    kind: str
    index: list[int]
    input_from: str = Field(description="the layer whose output is this layer's input ('input' = the 28×28)")
    input_shape: list[int]
    output_shape: list[int]
    step: dict = Field(description="as a step of /api/conv2d or /api/pool, index [i, j, f], window cells in "
                                   "padded-input coordinates")
    model_value: float = Field(description="the same number from the model's own (vectorised, float32) pass")


ERRORS_503 = {**ERRORS, 503: ERRORS[422]}


def _request_body_doc(model: type[BaseModel], multipart: bool) -> dict:
    content = {"application/json": {"schema": model.model_json_schema()}}
    if multipart:
        content["multipart/form-data"] = {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "PNG, JPEG or WebP, ≤ 2048×2048"},
            "include_activations": {"type": "boolean"}}}}
    return {"requestBody": {"required": True, "content": content}}


async def _parse(request: Request, model: type[BaseModel]):
    """The JSON body as `model`, or the shared error response."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        return validation_to_error(RequestValidationError(exc.errors(include_url=False)))


# ---- inputs -> (28×28, steps) -------------------------------------------------------------------
def decode_data_url(text: str) -> bytes:
    match = DATA_URL.match(text)
    if not match:
        raise EngineError("image", "must be a data URL: data:image/png;base64,... (PNG, JPEG or WebP)")
    try:
        return base64.b64decode(text[match.end():], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EngineError("image", "the data after 'base64,' is not valid base64") from exc


def open_image(raw: bytes, field: str = "image") -> Image.Image:
    """Bytes -> a decoded PIL image, refusing bombs by the header's size before any pixel is decoded."""
    if not raw:
        raise EngineError(field, "is empty")
    bad = f"cannot be decoded as {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw), formats=FORMATS)  # lazy: reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EngineError(field, f"is larger than {MAX_SIDE}×{MAX_SIDE} pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise EngineError(field, bad) from exc
    w, h = img.size
    if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_PIXELS or w < 1 or h < 1:
        raise EngineError(field, f"is {w}×{h} pixels; the cap is {MAX_SIDE}×{MAX_SIDE}")
    try:
        if img.format == "JPEG":
            img.draft("RGB" if img.mode != "L" else "L", (WORK_SIDE, WORK_SIDE))  # decode at a reduced scale
        img.load()
    except Exception as exc:  # any decoder failure (truncated, corrupt) is the sender's
        raise EngineError(field, f"{bad}: truncated or corrupt ({type(exc).__name__})") from exc
    if max(img.size) > WORK_SIDE:
        has_alpha = "A" in img.mode or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "L")
        img.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    return img


def _steps(result: dict | None, source_shape) -> dict | None:
    if result is None:
        return None
    lists = preprocess.steps_to_lists(result, decimals=3, max_side=INK_PREVIEW_SIDE)
    steps = {k: v for k, v in lists.items() if k != "pixels"}
    steps["input_size"] = [int(source_shape[0]), int(source_shape[1])]
    steps.setdefault("ink_scale", 1.0)
    return steps


def check_one_input(req: DrawingInput, image_bytes: bytes | None = None) -> None:
    given = [name for name in ("pixels", "batch", "image", "strokes") if getattr(req, name, None) is not None]
    if image_bytes is not None:
        given.append("file")
    if len(given) != 1:
        what = "pixels, batch, image, strokes (or a multipart file)" if hasattr(req, "batch") else \
            "pixels, image, strokes"
        raise EngineError("body", f"must hold exactly one of {what}; got {', '.join(given) if given else 'none'}")
    if req.strokes is None and (req.width is not None or req.height is not None):
        raise EngineError("width" if req.width is not None else "height", "goes with strokes only")


def drawing_to_pixels(req: DrawingInput, image_bytes: bytes | None = None):
    """-> (28×28 float32 or None when nothing is drawn, preprocessing steps or None)."""
    check_one_input(req, image_bytes)
    if req.pixels is not None:
        x = check_pixels(req.pixels, "pixels")
        return (x if has_ink(x) else None), None
    if req.strokes is not None:
        for name in ("width", "height"):
            if getattr(req, name) is None:
                raise EngineError(name, "is required with strokes (the canvas size in the strokes' pixels)")
        strokes, width, height, scale = shrink_strokes(req.strokes, req.width, req.height)
        ink = preprocess.rasterize_strokes(strokes, width, height)
        result = preprocess.preprocess(ink)
        steps = _steps(result, ink.shape)
        if steps is not None:
            steps["raster_scale"] = scale
        return (None if result is None else result["pixels"]), steps
    raw = image_bytes if image_bytes is not None else decode_data_url(req.image)
    field = "file" if image_bytes is not None else "image"
    img = open_image(raw, field)
    result = preprocess.preprocess(img)
    return (None if result is None else result["pixels"]), _steps(result, (img.height, img.width))


def shrink_strokes(strokes, width, height):
    """A canvas larger than WORK_SIDE is rasterised at WORK_SIDE: the 20 px box does not need more, and
    the pen (10% of the canvas) scales with it, so the result is the same up to resolution; the cost is
    not (20,000 points on 2048×2048 take seconds). Anything malformed is left for the validator."""
    if isinstance(strokes, list) and sum(len(st) for st in strokes if isinstance(st, list)) > preprocess.MAX_POINTS:
        raise EngineError("strokes", f"at most {preprocess.MAX_POINTS} points in all")  # before any per-point work
    side = max(width, height)
    if side <= WORK_SIDE or not isinstance(strokes, list):
        return strokes, width, height, 1.0
    s = WORK_SIDE / side

    def is_num(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    scaled = [[[p[0] * s, p[1] * s] if isinstance(p, list) and len(p) == 2 and all(map(is_num, p)) else p
               for p in stroke] if isinstance(stroke, list) else stroke for stroke in strokes]
    return scaled, max(1, round(width * s)), max(1, round(height * s)), s


def check_pixels(value, field: str) -> np.ndarray:
    x = as_array(value, field, (2,), (28, 28), "(28, 28)")
    if x.shape != (28, 28):
        raise EngineError(field, f"must be 28×28; got {x.shape[0]}×{x.shape[1]}")
    if x.min() < 0 or x.max() > 1:
        raise EngineError(field, "values must lie in 0..1 (white digit on black, as in MNIST)")
    return x.astype(np.float32)


def has_ink(x: np.ndarray) -> bool:
    """The same rule as for drawings: enough pixels above the ink level."""
    return int((x > preprocess.INK_LEVEL).sum()) >= 3


# ---- predict -----------------------------------------------------------------------------------
def _round(a, decimals=4):
    return np.round(np.asarray(a, dtype=np.float64), decimals).tolist()


def nothing_drawn(steps=None) -> dict:
    return {"digit": None, "nothing_drawn": True, "probabilities": None, "confidence": None, "runner_up": None,
            "low_confidence": False, "preprocessed": None, "steps": steps}


def encode_activation(a: dict, fmt: str) -> dict:
    out = {"name": a["name"], "kind": a["kind"], "shape": list(a["shape"])}
    if fmt == "float32":
        data = np.ascontiguousarray(a["array"], dtype="<f4").tobytes()
        return {**out, "dtype": "float32", "data": base64.b64encode(data).decode("ascii")}
    return {**out, "values": _round(a["array"], 4)}


def describe(x: np.ndarray, raw: dict, steps=None, activations: str | None = None) -> dict:
    p = np.asarray(raw["probabilities"], dtype=np.float64)
    order = np.argsort(-p)
    out = {"digit": int(order[0]), "nothing_drawn": False, "probabilities": _round(p, 6),
           "confidence": round(float(p[order[0]]), 6), "runner_up": int(order[1]),
           "low_confidence": bool(p[order[0]] < LOW_CONFIDENCE), "preprocessed": _round(x, 4), "steps": steps}
    if activations:
        out["activations"] = [encode_activation(a, activations) for a in raw["activations"]]
    return out


def run_predict(model, req: PredictRequest, file_bytes: bytes | None = None) -> dict:
    acts = req.activations_format if req.include_activations else None
    if req.batch is not None:
        if not isinstance(req.batch, list) or not 1 <= len(req.batch) <= MAX_BATCH:
            raise EngineError("batch", f"must be a list of 1 to {MAX_BATCH} images")
        if req.include_activations and len(req.batch) > MAX_BATCH_ACTIVATIONS:
            raise EngineError("include_activations", f"works with batches of at most {MAX_BATCH_ACTIVATIONS}")
        check_one_input(req)
        xs = as_array(req.batch, "batch", (3,), (MAX_BATCH, 28, 28), "(N, 28, 28)")
        if xs.shape[1:] != (28, 28):
            raise EngineError("batch", f"each image must be 28×28; got {xs.shape[1]}×{xs.shape[2]}")
        if xs.min() < 0 or xs.max() > 1:
            raise EngineError("batch", "values must lie in 0..1 (white digit on black, as in MNIST)")
        xs = xs.astype(np.float32)
        inked = [i for i in range(len(xs)) if has_ink(xs[i])]
        raws = inference.predict_pixels(xs[inked], req.include_activations, model) if inked else []
        by_index = dict(zip(inked, raws, strict=True))
        results = [describe(xs[i], by_index[i], None, acts) if i in by_index else nothing_drawn()
                   for i in range(len(xs))]
        return {"results": results}
    x, steps = drawing_to_pixels(req, file_bytes)
    if x is None:
        return nothing_drawn(steps)
    raw = inference.predict_pixels(x[None], req.include_activations, model)[0]
    return describe(x, raw, steps, acts)


async def _multipart(request: Request):
    """-> (PredictRequest, file bytes) from a form with `file` (and optionally include_activations)."""
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception as exc:  # a malformed multipart body is the sender's
        return error_response(400, "body", f"is not a valid multipart form ({type(exc).__name__})")
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return error_response(422, "file", "is required: send the image as a form field named file")
    unknown = sorted(set(form.keys()) - {"file", "include_activations"})
    if unknown:
        return error_response(422, unknown[0], "is not a known field")
    flag = str(form.get("include_activations", "false")).lower()
    if flag not in ("true", "false", "1", "0"):
        return error_response(422, "include_activations", "must be true or false")
    data = await upload.read()
    await form.close()
    return PredictRequest(include_activations=flag in ("true", "1")), data


@router.post("/predict", response_model=PredictResponse, responses=ERRORS_503,
             openapi_extra=_request_body_doc(PredictRequest, multipart=True))
async def predict(request: Request, model=Depends(get_model)):
    """The digit, its ten probabilities, the 28×28 the network saw, the preprocessing steps and, with
    include_activations, every layer's output. Nothing drawn -> digit null."""
    if model is None:
        return not_trained()
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        parsed = await _multipart(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        req, data = parsed
    else:
        req, data = await _parse(request, PredictRequest), None
        if isinstance(req, JSONResponse):
            return req
    return await compute(_respond, run_predict, model, req, data)


# ---- trace -------------------------------------------------------------------------------------
def run_trace(model, req: TraceRequest) -> dict:
    x, _ = drawing_to_pixels(req)
    if x is None:
        raise EngineError("body", "nothing is drawn, so there is no feature map to trace")
    names = {layer["name"]: i for i, layer in enumerate(model.spec) if layer["kind"] in ("conv2d", "maxpool2d")}
    if req.layer not in names:
        raise EngineError("layer", f"must be one of {', '.join(names)}")
    idx = names[req.layer]
    layer = model.spec[idx]
    in_shape = model.input_shape if idx == 0 else model.shapes[idx - 1]
    oh, ow, f = model.shapes[idx]
    for axis, (v, n) in enumerate(zip(req.index, (oh, ow, f), strict=True)):
        if not 0 <= v < n:
            raise EngineError(f"index.{axis}", f"must be from 0 to {n - 1} ({req.layer} is {oh}×{ow}×{f})")
    i, j, k = req.index
    acts = model.forward_with_activations(x[None])
    layer_in = (x[:, :, None] if idx == 0 else acts[idx - 1]["array"][0]).astype(np.float64)  # (H, W, C)
    model_value = float(acts[idx]["array"][0, i, j, k])
    nxt = model.spec[idx + 1]["kind"] if idx + 1 < len(model.spec) else None
    if layer["kind"] == "conv2d":
        step = conv_step(model, layer, layer_in, (i, j, k), relu=nxt == "relu")
        model_value = float(acts[idx + 1]["array"][0, i, j, k]) if nxt == "relu" else model_value
    else:
        step = pool_step(layer, layer_in, (i, j, k))
    return {"layer": req.layer, "kind": layer["kind"], "index": [i, j, k],
            "input_from": "input" if idx == 0 else model.spec[idx - 1]["name"],
            "input_shape": list(in_shape), "output_shape": [oh, ow, f], "step": step, "model_value": model_value}


def _pair(v):
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv_step(model, layer, x, index, relu: bool) -> dict:
    """One output cell, by the conv engine's trace builder, on the model's own input and kernel."""
    i, j, k = index
    W = model.params[f"{layer['name']}.W"].astype(np.float64)[:, :, :, k:k + 1]  # (kh, kw, C, 1)
    b = model.params[f"{layer['name']}.b"].astype(np.float64)[k:k + 1]
    kh, kw, c, _ = W.shape
    if kh * kw * c > MAX_TRACE_NUMBERS:
        raise EngineError("layer", f"its windows hold {kh * kw * c} numbers; traces are capped at {MAX_TRACE_NUMBERS}")
    (sh, sw), (dh, dw) = _pair(layer.get("strides", 1)), _pair(layer.get("dilation", 1))
    pads = resolve_padding(layer.get("padding", "valid"), x.shape[:2], (kh, kw), (sh, sw), (dh, dw))
    xp = np.pad(x, ((pads.top, pads.bottom), (pads.left, pads.right), (0, 0)))
    r0, c0 = i * sh, j * sw
    patch = xp[r0:r0 + (kh - 1) * dh + 1, c0:c0 + (kw - 1) * dw + 1]  # just the window, (ekh, ekw, C)
    z = np.einsum("abc,abc->", patch[::dh, ::dw], W[:, :, :, 0]) + b[0]
    z = np.array(z).reshape(1, 1, 1)
    y = np.maximum(z, 0) if relu else z
    step = conv2d_steps(patch, W, b, z, y, (1, 1), (dh, dw), flat_channels=False, with_filter_index=True,
                        activation_name="relu" if relu else "linear", limit=1, group_sums=True)[0]
    step["index"] = [i, j, k]
    step["window"] = [[r + r0, q + c0] for r, q in step["window"]]
    step["padding"] = pads.as_dict()
    step["kernel_shape"] = [kh, kw, c]
    return step


def pool_step(layer, x, index) -> dict:
    i, j, k = index
    p = _pair(layer.get("pool_size", 2))
    s = _pair(layer.get("strides") or p)
    r0, c0 = i * s[0], j * s[1]
    patch = x[r0:r0 + p[0], c0:c0 + p[1], k:k + 1]  # (ph, pw, 1)
    y = patch.max(axis=(0, 1)).reshape(1, 1, 1)
    step = pool_steps(patch, Pads(0, 0, 0, 0), y, "max", p, p, flat=False, limit=1)[0]
    step["index"] = [i, j, k]
    step["window"] = [[r + r0, q + c0] for r, q in step["window"]]
    step["argmax"] = [step["argmax"][0] + r0, step["argmax"][1] + c0]
    return step


@router.post("/trace", response_model=TraceResponse, responses=ERRORS_503,
             openapi_extra=_request_body_doc(TraceRequest, multipart=False))
async def trace(request: Request, model=Depends(get_model)):
    """How one number of a conv (or max-pool) feature map came about: the window on the layer's input,
    the kernel weights, the products, their sum, the bias and the ReLU - computed by the conv engine."""
    if model is None:
        return not_trained()
    req = await _parse(request, TraceRequest)
    if isinstance(req, JSONResponse):
        return req
    return await compute(_respond, run_trace, model, req)


# ---- the model card ------------------------------------------------------------------------------
@router.get("/model", responses={503: ERRORS[422]})
def model_card():
    """The model card written by `python -m app.train`: architecture, parameters, test accuracy,
    confusion matrix, per-epoch history, settings, data checksums and some misclassified test digits."""
    card = get_card()
    if card is None or not weights_path().is_file():
        return not_trained()
    return JSONResponse({**card, "low_confidence_threshold": LOW_CONFIDENCE})
