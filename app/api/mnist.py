"""The trained MNIST CNN over HTTP.

    POST /api/mnist/predict          JSON: pixels, batch, image (a data URL) or strokes -> the digit
    POST /api/mnist/predict/upload   multipart: a picture as `file` -> the same answer
    POST /api/mnist/trace            JSON: a drawing, a layer and [i, j, f] -> how that number came about
    GET  /api/mnist/model            the model card
    GET  /api/mnist/model.keras      the model as a Keras 3 .keras file (app/models/export.py)

Inputs are decoded by app/mnist/inputs.py, predictions and traces made by app/mnist/inference.py.
Until app/weights/mnist_cnn.npz exists every endpoint here answers 503 in the one error shape.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from app.api.batching import batcher
from app.api.compute import compute
from app.api.errors import ApiError
from app.api.responses import JSONResponse
from app.api.routing import JSONRoute
from app.engine.errors import EngineError
from app.engine.nn import Sequential
from app.mnist import inference, inputs
from app.models.export import mnist_keras_bytes

from .mnist_schemas import Format, PredictRequest, PredictResponse, TraceRequest, TraceResponse
from .schemas import ERRORS

router = APIRouter(prefix="/api/mnist", tags=["mnist"], route_class=JSONRoute)
ERRORS_503 = {**ERRORS, 503: ERRORS[422]}
BINARY = {"format": "binary"}  # beside OpenAPI 3.1's contentMediaType: client generators know this one
NOT_TRAINED = "the model is not trained yet: run python -m app.train --data DIR to write app/weights/mnist_cnn.npz"


async def get_model() -> Sequential:
    """The endpoints' dependency (tests may override it). Async on purpose: after the first call this is a
    cache lookup, and a sync dependency would cost one more hop through the thread pool per request."""
    model = inference.load_model()
    if model is None:
        raise ApiError(503, None, NOT_TRAINED, code="model_not_trained")
    return model


Model = Annotated[Sequential, Depends(get_model)]


def _format(req: PredictRequest) -> str | None:
    return req.activations_format if req.include_activations else None


PREDICT_FIELDS = ("pixels", "batch", "image", "strokes", "width", "height")


def _fields(req, names) -> dict:
    return {name: getattr(req, name) for name in names}   # as sent: model_dump would copy every list


def run_predict(model: Sequential, req: PredictRequest) -> dict:
    fields = _fields(req, PREDICT_FIELDS)
    kind = inputs.given(fields)
    if kind == "batch":
        xs = inputs.check_pixels(req.batch, "batch", batch=True)
        return inference.predict_batch(model, xs, _format(req), inputs.has_ink)
    x, steps = inputs.to_pixels(kind, fields[kind], req.width, req.height)
    return inference.predict_one(model, x, steps, _format(req))


def run_upload(model: Sequential, raw: bytes, activations: str | None) -> dict:
    x, steps = inputs.to_pixels("file", raw)
    return inference.predict_one(model, x, steps, activations)


def run_trace(model: Sequential, req: TraceRequest) -> dict:
    fields = _fields(req, ("pixels", "image", "strokes", "width", "height"))
    kind = inputs.given(fields, allowed=("pixels", "image", "strokes"))
    x, _ = inputs.to_pixels(kind, fields[kind], req.width, req.height)
    if x is None:
        raise EngineError("body", "nothing is drawn, so there is no feature map to trace")
    return inference.trace(model, x, req.layer, req.index)


def _respond(fn, *args) -> JSONResponse:
    """In the engine thread: compute, and encode the JSON there too, so the event loop only sends bytes."""
    return JSONResponse(fn(*args))


@router.post("/predict", response_model=PredictResponse, responses=ERRORS_503)
async def predict(req: PredictRequest, model: Model):
    """The digit, its ten probabilities, the 28×28 the network saw, the preprocessing steps and, with
    include_activations, every layer's output. Nothing drawn -> digit null. With `batch`: `results`."""
    fields = _fields(req, PREDICT_FIELDS)
    if req.include_activations or not inputs.cheap(fields):
        return await compute(_respond, run_predict, model, req)
    return await predict_cheap(model, fields)


async def predict_cheap(model: Sequential, fields: dict) -> JSONResponse:
    """A cheap input (inputs.cheap), served on the event loop: see app/api/batching.py. Also called by the
    lane around the framework (app/api/mnist_lane.py), so both answer the same bytes."""
    kind = inputs.given(fields)
    x, steps = inputs.to_pixels(kind, fields[kind], fields["width"], fields["height"])
    if x is None:
        return JSONResponse(inference.nothing_drawn(steps))
    return JSONResponse(inference.describe(x, await batcher().probabilities(model, x), steps))


@router.post("/predict/upload", response_model=PredictResponse, responses=ERRORS_503)
async def predict_upload(model: Model,
                         file: Annotated[UploadFile, File(description="PNG, JPEG or WebP", json_schema_extra=BINARY)],
                         include_activations: Annotated[bool, Form()] = False,
                         activations_format: Annotated[Format, Form()] = "lists"):
    """The same answer for a picture sent as a multipart upload (`curl -F file=@digit.png`)."""
    raw = await file.read()
    return await compute(_respond, run_upload, model, raw, activations_format if include_activations else None)


@router.post("/trace", response_model=TraceResponse, responses=ERRORS_503)
async def trace(req: TraceRequest, model: Model):
    """How one number of a conv (or max-pool) feature map came about: the window on the layer's input,
    the kernel weights, the products, their sum, the bias and the ReLU - computed by the conv engine."""
    return await compute(_respond, run_trace, model, req)


@router.get("/model", responses={503: ERRORS[422]})
def model_card():
    """The model card written by `python -m app.train`: architecture, parameters, test accuracy,
    confusion matrix, per-epoch history, settings, data checksums and some misclassified test digits."""
    card = inference.model_card()
    if card is None:
        raise ApiError(503, None, NOT_TRAINED, code="model_not_trained")
    return JSONResponse(card)


@lru_cache(maxsize=2)
def keras_file(model: Sequential) -> tuple[bytes, str]:
    """The .keras bytes of a loaded model and their SHA-256, once per model object: inference.load_model loads a
    weights file once per version (mtime), so this is once per weights file."""
    data = mnist_keras_bytes(model)
    return data, hashlib.sha256(data).hexdigest()


KERAS_FILE = {"description": "the .keras file (a zip of config.json, metadata.json and model.weights.h5)",
              "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}


@router.get("/model.keras", response_class=Response, responses={200: KERAS_FILE, 503: ERRORS[422]})
async def model_keras(model: Model):
    """The app's MNIST CNN as a Keras 3 `.keras` file that `keras.models.load_model` opens and that predicts what the
    app predicts (a final Activation('softmax') gives the probabilities). Upload it to /api/models to see it there."""
    data, digest = await compute(keras_file, model)
    return Response(data, media_type="application/octet-stream",
                    headers={"content-disposition": 'attachment; filename="mnist_cnn.keras"', "etag": f'"{digest}"'})
