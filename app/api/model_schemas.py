"""Request and response schemas of the uploaded-model endpoints (app/api/models.py).

The dict shapes are app/models/service.py's (notes/issue14.md); the steps of a trace are those of
/api/conv2d, /api/pool and the recurrent pages, with the few fields an uploaded layer adds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, WithJsonSchema

from app.engine import limits as L

from .mnist_schemas import SIDE, Strokes
from .schemas import NUMBER, ConvStep, PoolStep, Strict, WindowStep

Dim = int | None
Shape = list[Dim]
InputKind = Literal["image", "tokens", "sequence", "array"]
ValueScale = Literal["0..1", "0..255"]
Format = Literal["lists", "float32"]


def _nested_any(max_depth: int) -> dict:
    """A number or nested lists of numbers up to max_depth deep (a model's input, whatever its rank)."""
    options, schema = [], NUMBER
    for _ in range(max_depth):
        schema = {"type": "array", "items": schema, "minItems": 1}
        options.append(schema)
    return {"anyOf": options}


ModelArray = Annotated[Any, WithJsonSchema({
    **_nested_any(4),
    "description": "one sample of the model's input shape, without the batch axis (a free axis, e.g. a text model's "
                   "sequence length, takes any size): (H, W, C) for Conv2D models, (T, d) for recurrent ones, (T,) "
                   "whole numbers for an Embedding",
})]
Pixels = Annotated[Any, WithJsonSchema({
    "type": "array", "minItems": 1, "maxItems": L.MODEL_IMAGE_MAX_SIDE,
    "items": {"type": "array", "minItems": 1, "maxItems": L.MODEL_IMAGE_MAX_SIDE,
              "items": {"type": "number", "minimum": 0, "maximum": 1}},
    "description": f"a grey picture (H, W) in 0..1, white on black as in MNIST, up to {L.MODEL_IMAGE_MAX_SIDE} a side; "
                   "resized to the model's input as it is (no MNIST preprocessing)",
})]


# ---- requests ---------------------------------------------------------------------------------------

class ModelInput(Strict):
    """Exactly one of input, pixels, image and strokes."""
    input: ModelArray | None = None
    pixels: Pixels | None = None
    image: str | None = Field(None, description=f"image models: a picture as a data URL (PNG, JPEG or WebP, ≤ "
                              f"{L.IMAGE_MAX_SIDE}×{L.IMAGE_MAX_SIDE}); see preprocess")
    strokes: Strokes | None = Field(None, description="image models: a drawing pad's polylines [[x, y], ...] on a width"
                                    " × height canvas, rasterised and prepared like MNIST (as /api/mnist/predict)")
    width: int | None = Field(None, ge=1, le=SIDE, strict=True, description="canvas width, with strokes")
    height: int | None = Field(None, ge=1, le=SIDE, strict=True, description="canvas height, with strokes")
    preprocess: Literal["mnist", "resize"] | None = Field(
        None, description="with image: 'mnist' (default): the ink found, cropped, scaled to a 20 px box and centred "
                          "by its centre of mass in 28×28, white on black, as /api/mnist does; 'resize': the picture's "
                          "grey levels as they are")
    value_scale: ValueScale | None = Field(
        None, description="with pixels, image or strokes: the model's input range, '0..1' (default) or '0..255' (a "
                          "model that starts with Rescaling(1/255)). The picture is resized to the model's input (box "
                          "filter down, bilinear up) and copied into every channel")


class ModelPredictRequest(ModelInput):
    format: Format = Field("lists", description="each layer's output as nested lists ('lists') or as base64 of "
                                                "little-endian float32 in row-major order ('float32', a quarter of "
                                                "the size)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280},
        {"input": [[0.5, -1.0], [1.0, 0.25], [0.0, 2.0]]},
    ]})


class ModelTraceRequest(ModelInput):
    layer: str = Field(max_length=200, description="a layer's name, as in the summary")
    index: list[StrictInt] = Field(min_length=1, max_length=8, description="the place in the layer's output, "
                                   "without the batch axis: [i, j, f] for 2-D maps, [t, f] for sequences, [j] for "
                                   "vectors, up to 8 axes after a Reshape (whole numbers: not 1.0, \"1\" or true)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280, "layer": "conv1", "index": [10, 11, 0]},
    ]})


# ---- summary ----------------------------------------------------------------------------------------

class ImageSpec(BaseModel):
    height: int | None
    width: int | None
    channels: int | None = Field(description="1, 3 or 4 for (H, W, C) inputs; null for (H, W) and flat inputs")
    layout: Literal["hwc", "hw", "flat"]


class LayerSummary(BaseModel):
    name: str
    class_name: str
    config: dict[str, Any] = Field(description="the options that change the math (filters, kernel_size, strides, "
                                               "padding, activation, units, return_sequences, ...)")
    input_shape: Shape | None = Field(description="without the batch axis; null for the InputLayer")
    output_shape: Shape = Field(description="without the batch axis; null is a free axis")
    params: int
    trainable_params: int
    traceable: bool = Field(description="whether /trace can show one of its values (at most "
                                        f"{L.MODEL_TRACE_MAX_NUMBERS:,} numbers in one step)")


class ModelSummary(BaseModel):
    id: str = Field(description="the file's SHA-256: the model's address in /api/models/{id}")
    name: str
    input_shape: Shape
    output_shape: Shape
    integer_input: bool = Field(description="the model starts with an Embedding: its input is whole numbers")
    keras_version: int = Field(description="the major Keras version that wrote the file (2 or 3)")
    input_kind: InputKind = Field(description="what input suits it: image (a drawing or a picture), tokens, sequence "
                                              "((T, d) rows) or array")
    image: ImageSpec | None = Field(description="for image models: the picture the model takes")
    layers: list[LayerSummary] = Field(description="InputLayer first, as in model.summary()")
    total_params: int = Field(description="equal to Keras' count_params()")
    trainable_params: int
    non_trainable_params: int


class Deleted(BaseModel):
    id: str
    deleted: bool


# ---- predict ----------------------------------------------------------------------------------------

class LayerOutput(BaseModel):
    name: str
    class_name: str
    shape: list[int]
    min: float
    max: float
    array: list | float | None = Field(description=f"the output as nested lists; null when over "
                                                   f"{L.MODEL_ARRAY_MAX_NUMBERS:,} numbers, once the response "
                                                   f"holds {L.MODEL_ARRAYS_MAX_NUMBERS:,}, or with format 'float32'")
    dtype: Literal["float32"] | None = Field(None, description="with format 'float32'")
    data: str | None = Field(None, description="with format 'float32': base64 of little-endian float32, row-major "
                                               "(null when the array is left out, as above)")


class ModelPrediction(BaseModel):
    id: str
    input_shape: list[int]
    output: list | float | None = Field(description="the model's output (the last layer's), as nested lists")
    output_shape: list[int]
    layers: list[LayerOutput] = Field(description="every layer after the input, in order")
    input: list | None = Field(None, description="pixels, image and strokes: the input the model was given, after "
                                                 "resizing and scaling")
    steps: dict | None = Field(None, description="image and strokes with MNIST preprocessing: the steps, as in "
                                                 "/api/mnist/predict (polarity, bbox, box, center_of_mass, ...)")


# ---- trace ------------------------------------------------------------------------------------------

class DenseStep(ConvStep):
    """conv2d, conv1d and dense: the weighted sum of one window (a Dense's window is its whole input)."""
    window: list[list[int]] = Field(description="conv2d: [row, col] in padded-input coordinates; conv1d: [t] in "
                                                "padded time; dense: [k] (or [t, k] on a sequence)")
    inputs: list = Field(description="(kh, kw, C) for conv2d, (k, C) for conv1d, (D,) for dense")
    activation_formula: str | None = Field(None, description="relu(0.25) = 0.25; a softmax over the row it belongs "
                                                             "to: softmax: exp(2.1) / (exp(0.3) + exp(2.1)) = 0.8581")


class ModelPoolStep(PoolStep):
    """max_pool and average_pool (and the global ones: one window over the whole map)."""


class LookupStep(WindowStep):
    """embedding: a row of the embedding matrix."""
    inputs: list[int] = Field(description="[token]")
    row: int


class ElementStep(WindowStep):
    """activation, batch_normalization, rescaling and copy (Flatten, Reshape, ZeroPadding2D, Dropout): one input
    value, or none for a padding cell."""
    inputs: list[float] = Field(description="the one input value (empty for a ZeroPadding2D cell)")
    mean: float | None = None
    variance: float | None = None
    epsilon: float | None = None
    gamma: float | None = None
    beta: float | None = None


class CellStep(BaseModel):
    """simple_rnn, lstm and gru: the cell's step at time t, for every unit, and the formulas of the traced unit."""
    t: int = Field(description="the step, 0-based in the layer's own order (go_backwards reads input_row)")
    input_row: int = Field(description="the row of the layer's input read at this step")
    unit: int
    index: list[int]
    x: list[float]
    h_prev: list[float]
    c_prev: list[float] | None = Field(None, description="LSTM")
    pre_activations: dict[str, list[float]] = Field(description="by gate (SimpleRNN: h; LSTM: input, forget, "
                                                                "candidate, output; GRU: update, reset, candidate)")
    gates: dict[str, list[float]] = Field(description="gate values by gate (SimpleRNN: none)")
    h: list[float]
    c: list[float] | None = Field(None, description="LSTM")
    formulas: dict[str, str] | None = Field(description="the traced unit's formulas by key (LSTM: input, forget, "
                                                        "candidate, output, cell, hidden; GRU: update, reset, "
                                                        "candidate, hidden; SimpleRNN: hidden)")
    value: float


TraceKind = Literal["conv2d", "conv1d", "dense", "max_pool", "average_pool", "embedding", "simple_rnn", "lstm", "gru",
                    "activation", "batch_normalization", "rescaling", "copy"]


class ModelTrace(BaseModel):
    id: str
    layer: str
    class_name: str
    index: list[int]
    input_from: str = Field(description="the layer whose output is this layer's input (the InputLayer's name for "
                                        "the first)")
    input_shape: list[int]
    output_shape: list[int]
    kind: TraceKind
    padding: dict[str, int] | None = Field(None, description="conv and pooling kinds: top, bottom, left, right (2-D) "
                                                             "or left, right (1-D)")
    step: DenseStep | ModelPoolStep | LookupStep | ElementStep | CellStep
    model_value: float = Field(description="the value predict gives at that place")
