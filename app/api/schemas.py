"""Request and response schemas shared by the routers.

Arrays arrive as nested JSON lists. Their shape, finiteness and caps are checked by the engine
(`app.engine.arrays.as_array`), which names the exact item that breaks a rule; the schemas here
document them for OpenAPI and bound every scalar with Field(ge=, le=).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

NUMBER = {"type": "number", "minimum": -1e9, "maximum": 1e9}


def nested(depth: int, caps: list[int]) -> dict:
    """JSON schema of a depth-D nested array of numbers with maxItems per axis."""
    schema: dict = NUMBER
    for cap in reversed(caps[:depth]):
        schema = {"type": "array", "items": schema, "minItems": 1, "maxItems": cap}
    return schema


def array_type(depths: tuple[int, ...], caps: list[int], description: str):
    options = [nested(d, caps) for d in depths]
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    return Annotated[Any, WithJsonSchema({**schema, "description": description})]


def pair_type(lo: int, hi: int, description: str):
    one = {"type": "integer", "minimum": lo, "maximum": hi}
    return Annotated[Any, WithJsonSchema({"anyOf": [one, {"type": "array", "items": one, "minItems": 2,
                                                          "maxItems": 2}], "description": description})]


Padding = Annotated[Any, WithJsonSchema({
    "anyOf": [
        {"type": "string", "enum": ["valid", "same", "full"]},
        {"type": "integer", "minimum": 0, "maximum": 32},
        {"type": "array", "minItems": 2, "maxItems": 2,
         "items": {"type": "array", "minItems": 2, "maxItems": 2,
                   "items": {"type": "integer", "minimum": 0, "maximum": 32}}},
    ],
    "description": "'valid', 'same' (TensorFlow's rule: the extra row/column goes bottom/right), "
                   "'full' ((k − 1)·dilation on each side), an int, or [[top, bottom], [left, right]].",
})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pads(BaseModel):
    top: int
    bottom: int
    left: int
    right: int


class Conv2DRequest(Strict):
    input: array_type((2, 3), [64, 64, 8], "(H, W) or (H, W, C), channels_last; H, W ≤ 64, C ≤ 8")
    kernel: array_type((2, 4), [11, 11, 8, 16], "(kh, kw) or Keras' (kh, kw, C, F); kh, kw ≤ 11, F ≤ 16")
    bias: array_type((1,), [16], "(F,), one per filter") | None = None
    strides: pair_type(1, 8, "int or [rows, cols]") = 1
    padding: Padding = "valid"
    dilation_rate: pair_type(1, 8, "int or [rows, cols]; cannot be > 1 together with strides > 1") = 1
    activation: Literal["linear", "relu", "sigmoid", "tanh"] | None = "linear"
    trace: bool = Field(True, strict=True, description="false returns the numbers alone (steps: [])")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
         "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"},
    ]})


class ConvStep(BaseModel):
    index: list[int] = Field(description="[i, j], or [i, j, f] when the kernel has filters")
    window: list[list[int]] = Field(description="[row, col] of each cell met, in padded-input coordinates")
    inputs: list = Field(description="input values under the window, (kh, kw) or (kh, kw, C)")
    weights: list = Field(description="kernel weights met, same shape as inputs")
    products: list = Field(description="inputs × weights, element-wise")
    group_sums: list[float] | None = Field(None, description="sum of each parenthesised group (one per channel and "
                                           "row); only in /api/mnist/trace steps, the formula shows them too")
    sum: float
    bias: float
    pre_activation: float
    value: float
    formula: str
    activation_formula: str | None = None


class Conv2DResponse(BaseModel):
    output: list
    output_shape: list[int]
    padding: Pads
    padded_input: list
    steps: list[ConvStep]
    steps_total: int
    steps_truncated: bool


class PoolRequest(Strict):
    input: array_type((2, 3), [64, 64, 8], "(H, W) or (H, W, C), channels_last; H, W ≤ 64, C ≤ 8")
    mode: Literal["max", "average"] = "max"
    pool_size: pair_type(1, 11, "int or [rows, cols]") = 2
    strides: pair_type(1, 8, "int or [rows, cols]; null means pool_size") | None = None
    padding: Literal["valid", "same"] = "valid"
    trace: bool = Field(True, strict=True)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]],
         "mode": "max", "pool_size": 2, "padding": "valid"},
    ]})


class PoolStep(BaseModel):
    index: list[int]
    window: list[list[int]] = Field(description="[row, col] of every window cell, padded-input coordinates")
    values: list[float | None] = Field(description="cell values; null for padding, which takes no part")
    count: int = Field(description="real cells in the window")
    value: float
    argmax: list[int] | None = Field(None, description="max mode: the winning cell (first if tied)")
    sum: float | None = Field(None, description="average mode: the sum divided by count")
    formula: str


class PoolResponse(BaseModel):
    output: list
    output_shape: list[int]
    padding: Pads
    steps: list[PoolStep]
    steps_total: int
    steps_truncated: bool


class ErrorDetail(BaseModel):
    status: int
    code: str
    field: str | None
    rule: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS = {code: {"model": ErrorResponse} for code in (400, 413, 422)}
