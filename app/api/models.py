"""Your own Keras model over HTTP (the work is app/models/service.py's; notes/issue14.md).

    POST   /api/models                 multipart `file`: a .keras or .h5 file (≤ 20 MiB) -> its summary and id
    GET    /api/models/{id}            the summary again
    DELETE /api/models/{id}            forget it
    POST   /api/models/{id}/predict    JSON: input, or for image models pixels, image or strokes -> every layer's output
    POST   /api/models/{id}/trace      JSON: the same input, a layer and an index -> that value's trace step

Statuses: an unknown or malformed id 404, a file over 20 MiB 413 (a body over the route's cap is refused by
app/middleware.py before it is read), anything else the engine refuses 422, each in the one error shape with
the engine's code (not_a_model_file, zip_bomb, unsupported_layer, wrong_input_shape, ...).
The upload is parsed in memory: Starlette would spool a file over 1 MB to a temporary file, and nothing an
upload sends is written anywhere but MODELS_DIR (app/models/store.py).
"""

from __future__ import annotations

import base64
from typing import Annotated

import numpy as np
from fastapi import APIRouter, File, Path, UploadFile
from fastapi.params import Form
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from app.api.compute import compute
from app.api.errors import ApiError
from app.api.responses import JSONResponse
from app.api.routing import JSONRoute, multipart_problem
from app.engine import limits as L
from app.engine.arrays import to_list
from app.engine.errors import EngineError
from app.imaging.decode import from_data_url
from app.mnist import inputs
from app.models import service

from .model_schemas import (
    Deleted,
    ModelInput,
    ModelPrediction,
    ModelPredictRequest,
    ModelSummary,
    ModelTrace,
    ModelTraceRequest,
)
from .schemas import ERRORS

STATUS = {"model_not_found": 404, "bad_model_id": 404, "file_too_large": 413, "reader_unavailable": 503}
ERRORS_503 = {**ERRORS, 503: ERRORS[422]}     # the reading process could not start (reader_unavailable)
ERRORS_404 = {**ERRORS_503, 404: ERRORS[422]}
BINARY = {"format": "binary"}
INPUTS = ("input", "pixels", "image", "strokes")
ModelId = Annotated[str, Path(description="the model's id: its file's SHA-256, 64 lowercase hexadecimal digits")]


class InMemoryMultiPartParser(MultiPartParser):
    spool_max_size = L.MODEL_UPLOAD_BODY_BYTES   # the whole body is in memory already (app/middleware.py)


class ModelRoute(JSONRoute):
    """JSONRoute whose multipart bodies are parsed in memory (FastAPI then reads the parsed form)."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        if not isinstance(getattr(self.body_field, "field_info", None), Form):
            return handler

        async def route(request: Request):
            media, _, params = request.headers.get("content-type", "").partition(";")
            if media.strip().lower() == "multipart/form-data":
                problem = multipart_problem(params, await request.body())   # the body stays on the request
                if problem:
                    raise ApiError(400, "body", problem, code="invalid_multipart")
                try:
                    request._form = await InMemoryMultiPartParser(request.headers, request.stream()).parse()
                except MultiPartException as exc:
                    raise ApiError(400, "body", f"is not a valid multipart body: {exc.message}",
                                   code="invalid_multipart") from exc
            return await handler(request)

        return route


router = APIRouter(prefix="/api/models", tags=["models"], route_class=ModelRoute)


def _run(fn, *args, **kwargs) -> JSONResponse:
    """In the engine thread: the service's answer as JSON, its refusals with the status their code asks for."""
    try:
        return JSONResponse(fn(*args, **kwargs))
    except EngineError as exc:
        status = STATUS.get(exc.code, 422)
        raise ApiError(status, exc.field, exc.rule, code=exc.code) from exc


# ---- inputs -----------------------------------------------------------------------------------------

def _given(req: ModelInput) -> str:
    fields = {name: getattr(req, name) for name in (*INPUTS, "width", "height")}
    kind = inputs.given(fields, allowed=INPUTS)
    if kind == "input":
        extra = next((k for k in ("value_scale", "preprocess") if getattr(req, k) is not None), None)
        if extra:
            raise EngineError(extra, "goes with pixels, image or strokes (a picture), not with input")
    if kind != "image" and req.preprocess is not None:
        raise EngineError("preprocess", "goes with image only")
    return kind


def picture(req: ModelInput, kind: str) -> tuple[object, dict | None]:
    """pixels, image or strokes -> ((H, W) grey values in 0..1, the MNIST preprocessing steps or None)."""
    if kind == "pixels":
        return req.pixels, None
    if kind == "image" and req.preprocess == "resize":
        img = inputs.open_image(from_data_url(req.image, "image"), "image")
        return np.asarray(img.convert("L"), dtype=np.float64) / 255.0, None
    x, steps = inputs.to_pixels(kind, getattr(req, kind), req.width, req.height)
    if x is None:
        raise EngineError(kind, "nothing is drawn (no ink was found), so there is nothing to give the model",
                          code="nothing_drawn")
    return x, steps


def _image_call(fn, kind: str, *args, **kwargs):
    """The service names a picture `image`; the request may have sent pixels or strokes."""
    try:
        return fn(*args, **kwargs)
    except EngineError as exc:
        if exc.field == "image" and kind != "image":
            raise EngineError(kind, exc.rule, code=exc.code) from exc
        raise


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _float32(layer: dict) -> dict:
    """A layer's array as base64 of little-endian float32. The engine computes in float64: a value beyond float32's
    range would be sent as ±inf, which the lists format never gives, so it is refused (422) naming the layer."""
    a = layer["array"]
    if max(-layer["min"], layer["max"]) > FLOAT32_MAX:
        raise EngineError("format", f"layer {layer['name']!r} has values beyond float32's range (±3.4e38) on this "
                          "input; ask for format 'lists'")
    data = np.ascontiguousarray(a, dtype="<f4").tobytes()
    return {"array": None, "dtype": "float32", "data": base64.b64encode(data).decode("ascii")}


def run_predict(model_id: str, req: ModelPredictRequest) -> dict:
    kind = _given(req)
    arrays = "numpy" if req.format == "float32" else "lists"
    if kind == "input":
        out = service.predict(model_id, req.input, arrays=arrays)
    else:
        image, steps = picture(req, kind)
        out = _image_call(service.predict_image, kind, model_id, image, req.value_scale or "0..1", arrays=arrays)
        out["steps"] = steps
    if arrays == "numpy":
        out["output"] = None if out["output"] is None else to_list(out["output"])
        if "input" in out:
            out["input"] = to_list(out["input"])
        out["layers"] = [{**layer, **(_float32(layer) if layer["array"] is not None
                                      else {"array": None, "dtype": "float32", "data": None})}
                         for layer in out["layers"]]
    return out


def run_trace(model_id: str, req: ModelTraceRequest) -> dict:
    kind = _given(req)
    if kind == "input":
        return service.trace(model_id, req.layer, req.index, input=req.input)
    image, _ = picture(req, kind)
    return _image_call(service.trace, kind, model_id, req.layer, req.index, image=image,
                       value_scale=req.value_scale or "0..1")


# ---- routes -----------------------------------------------------------------------------------------

@router.post("", response_model=ModelSummary, responses=ERRORS_503)
async def upload_model(file: Annotated[UploadFile, File(description="a Keras 3 .keras file or a legacy Keras 2 / "
                                                        f"tf.keras .h5 file, at most {L.MODEL_MAX_UPLOAD_BYTES >> 20} "
                                                        "MiB", json_schema_extra=BINARY)]):
    """Read and check a Keras model (`curl -F file=@my_model.keras`), keep it under its SHA-256 and answer its
    summary, like Keras' model.summary(): layers, output shapes, parameters and the totals. Nothing in the file is
    run or unpickled; Lambda and custom layers are refused, naming the layer."""
    data = await file.read()
    return await compute(_run, service.upload, data)


@router.get("/{model_id}", response_model=ModelSummary, responses=ERRORS_404)
async def get_model_summary(model_id: ModelId):
    """The summary of a model uploaded before (404 once it is deleted or evicted: upload it again)."""
    return await compute(_run, service.get_summary, model_id)


@router.delete("/{model_id}", response_model=Deleted, responses=ERRORS_404)
async def delete_model(model_id: ModelId):
    """Remove the stored file (every app process sharing MODELS_DIR forgets it)."""
    def delete(model_id: str) -> dict:
        service.delete(model_id)
        return {"id": model_id, "deleted": True}

    return await compute(_run, delete, model_id)


@router.post("/{model_id}/predict", response_model=ModelPrediction, responses=ERRORS_404)
async def predict_model(model_id: ModelId, req: ModelPredictRequest):
    """Run the model on one input: `input` (an array of its input shape), or for image models `pixels`, `image`
    or `strokes` (resized to its input and scaled to `value_scale`). Answers the output and every layer's output
    with its shape, min and max (arrays over the size caps are null)."""
    return await compute(_run, run_predict, model_id, req)


@router.post("/{model_id}/trace", response_model=ModelTrace, responses=ERRORS_404)
async def trace_model(model_id: ModelId, req: ModelTraceRequest):
    """How one output value of one layer came about, as a step of /api/conv2d, /api/pool or /api/rnn|lstm|gru,
    computed by the same engine: the window, the inputs and weights, the products, the formula and its terms."""
    return await compute(_run, run_trace, model_id, req)
