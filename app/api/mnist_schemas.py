"""Request and response schemas of the MNIST endpoints (app/api/mnist.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.engine import limits as L
from app.mnist.inference import LOW_CONFIDENCE
from app.mnist.inputs import PIXELS

from .schemas import ConvStep, Pads, PoolStep, Strict, array_type

Strokes = Annotated[Any, WithJsonSchema({
    "type": "array", "maxItems": L.STROKES_MAX_STROKES,
    "items": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
    "description": f"polylines [[x, y], ...] in canvas pixels; at most {L.STROKES_MAX_POINTS:,} points in all, "
                   "each within ten canvases of the canvas",
})]
Format = Literal["lists", "float32"]
FORMAT_DOC = ("'lists': nested JSON lists (H, W, C), 4 decimals; 'float32': exact values as base64 of little-endian "
              "float32 in row-major (H, W, C) order (~10× faster to send)")
SIDE = L.STROKES_MAX_CANVAS


class DrawingInput(Strict):
    pixels: array_type((2,), [28, 28], PIXELS) | None = None
    image: str | None = Field(None, description=f"data:image/png;base64,... (PNG, JPEG or WebP, ≤ {L.IMAGE_MAX_SIDE}×"
                                                f"{L.IMAGE_MAX_SIDE}), preprocessed like MNIST: polarity, crop, 20 px "
                                                "box, centre of mass")
    strokes: Strokes | None = None
    width: int | None = Field(None, ge=1, le=SIDE, strict=True, description="canvas width, with strokes")
    height: int | None = Field(None, ge=1, le=SIDE, strict=True, description="canvas height, with strokes")


class PredictRequest(DrawingInput):
    batch: array_type((3,), [L.MNIST_MAX_BATCH, 28, 28],
                      f"up to {L.MNIST_MAX_BATCH} images, each {PIXELS}") | None = None
    include_activations: bool = Field(False, strict=True, description="every layer's output for each image")
    activations_format: Format = Field("lists", description=FORMAT_DOC)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280, "include_activations": False},
    ]})


class TraceRequest(DrawingInput):
    layer: str = Field(max_length=40, description="a conv2d or maxpool2d layer's name, e.g. 'conv1'")
    index: list[int] = Field(min_length=3, max_length=3, description="[i, j, f]: row, column, filter")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280, "layer": "conv1", "index": [10, 11, 0]},
    ]})


class Activation(BaseModel):
    name: str
    kind: str
    shape: list[int]
    values: list | None = Field(None, description="with activations_format 'lists'")
    dtype: Literal["float32"] | None = Field(None, description="with activations_format 'float32'")
    data: str | None = Field(None, description="base64 of little-endian float32, row-major")


class Result(BaseModel):
    digit: int | None = Field(description="the predicted digit; null when nothing is drawn")
    nothing_drawn: bool
    probabilities: list[float] | None = Field(description="softmax output, one per digit 0..9, rounded to 6 decimals "
                                                          "(a probability under 5e-7 reads 0)")
    confidence: float | None = Field(description="the top probability, rounded to 6 decimals")
    runner_up: int | None
    low_confidence: bool = Field(description=f"top probability under {LOW_CONFIDENCE}")
    preprocessed: list[list[float]] | None = Field(description="the 28×28 the network saw")
    steps: dict | None = Field(description="preprocessing steps (image and strokes inputs): polarity, bbox (in the "
                                           "rasterised canvas' pixels: strokes on canvases over 560 px are drawn at "
                                           "raster_scale), ink preview (ink_scale), box (20 px), center_of_mass, "
                                           "offset, final_center_of_mass, input_size")
    activations: list[Activation] | None = None


def _optional(name: str, default=None):
    """Result's field, optional in PredictResponse (a `batch` answer holds `results` only), with its description."""
    return Field(default, description=Result.model_fields[name].description)


class PredictResponse(Result):
    digit: int | None = _optional("digit")
    nothing_drawn: bool = _optional("nothing_drawn", False)
    probabilities: list[float] | None = _optional("probabilities")
    confidence: float | None = _optional("confidence")
    runner_up: int | None = _optional("runner_up")
    low_confidence: bool = _optional("low_confidence", False)
    preprocessed: list[list[float]] | None = _optional("preprocessed")
    steps: dict | None = _optional("steps")
    results: list[Result] | None = Field(None, description="with batch: one result per image (and nothing else)")


class CellConvStep(ConvStep):
    padding: Pads = Field(description="the layer's padding")
    kernel_shape: list[int] = Field(description="(kh, kw, C)")


class TraceResponse(BaseModel):
    layer: str
    kind: str
    index: list[int]
    input_from: str = Field(description="the layer whose output is this layer's input ('input' = the 28×28)")
    input_shape: list[int]
    output_shape: list[int]
    step: CellConvStep | PoolStep = Field(description="as a step of /api/conv2d or /api/pool: index [i, j, f], window "
                                                  "cells in padded-input coordinates")
    model_value: float = Field(description="the same number from the model's own (vectorised, float32) pass")
    receptive_field: dict = Field(description="the part of the 28×28 input this cell sees: region [top, left, "
                                              "bottom, right) (exact), unclipped, receptive_field, jump")
