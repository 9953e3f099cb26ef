"""Request and response schemas shared by the routers, and the step models of every trace.

Arrays arrive as nested JSON lists. Their shape, finiteness and caps are checked by the engine
(`app.engine.arrays.as_array`), which names the exact item that breaks a rule; the schemas here
document them for OpenAPI (with the caps of app/engine/limits.py) and bound every scalar with Field(ge=, le=).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.engine import limits as L

NUMBER = {"type": "number", "minimum": -L.MAX_ABS, "maximum": L.MAX_ABS}


def nested(depth: int, caps: list[int]) -> dict:
    """JSON schema of a depth-D nested array of numbers with maxItems per axis."""
    schema: dict = NUMBER
    for cap in reversed(caps[:depth]):
        schema = {"type": "array", "items": schema, "minItems": 1, "maxItems": cap}
    return schema


def array_type(depths: tuple[int, ...], caps: list[int], description: str):
    """An array of one of these depths, the first `depth` caps on its axes ((1, 2) with [T, D]: (T,) or (T, D))."""
    return shapes_type([caps[:d] for d in depths], description)


def shapes_type(shapes: list[list[int]], description: str):
    """An array of one of these shapes, given as caps per axis ([[3·U], [2, 3·U]]: (3·U,) or (2, 3·U))."""
    options = [nested(len(caps), caps) for caps in shapes]
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    return Annotated[Any, WithJsonSchema({**schema, "description": description})]


def pair_type(lo: int, hi: int, description: str):
    one = {"type": "integer", "minimum": lo, "maximum": hi}
    return Annotated[Any, WithJsonSchema({"anyOf": [one, {"type": "array", "items": one, "minItems": 2,
                                                          "maxItems": 2}], "description": description})]


Padding = Annotated[Any, WithJsonSchema({
    "anyOf": [
        {"type": "string", "enum": ["valid", "same", "full"]},
        {"type": "integer", "minimum": 0, "maximum": L.CONV_MAX_PAD},
        {"type": "array", "minItems": 2, "maxItems": 2,
         "items": {"type": "array", "minItems": 2, "maxItems": 2,
                   "items": {"type": "integer", "minimum": 0, "maximum": L.CONV_MAX_PAD}}},
    ],
    "description": "'valid', 'same' (TensorFlow's rule: the extra row/column goes bottom/right), "
                   "'full' ((k − 1)·dilation on each side), an int, or [[top, bottom], [left, right]].",
})]

HW, C, F, K, S = L.CONV_MAX_HW, L.CONV_MAX_C, L.CONV_MAX_F, L.CONV_MAX_K, L.CONV_MAX_STRIDE
INPUT_DOC = f"(H, W) or (H, W, C), channels_last; H, W ≤ {HW}, C ≤ {C}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pads(BaseModel):
    top: int
    bottom: int
    left: int
    right: int


class KerasArg(BaseModel):
    name: str
    value: str = Field(description="as written in Python")
    layer: str | None = Field(None, description="set when the argument belongs to another layer (ZeroPadding2D)")


class KerasCode(BaseModel):
    code: str = Field(description="a whole Python program (Keras 3) that computes what the response shows")
    layer: str = Field(description="the layer call, e.g. Conv2D(filters=1, kernel_size=(3, 3), ...)")
    args: list[KerasArg] = Field(description="the layer's arguments in order, for a page to explain")
    note: str | None = Field(description="a remark code: zero_padding (explicit padding is a ZeroPadding2D layer), "
                                         "hard_sigmoid_keras2 (Keras 2's hard_sigmoid, written out)")


# ---- convolution and pooling ------------------------------------------------------------------------

class Conv2DRequest(Strict):
    input: array_type((2, 3), [HW, HW, C], INPUT_DOC)
    kernel: array_type((2, 4), [K, K, C, F], f"(kh, kw) or Keras' (kh, kw, C, F); kh, kw ≤ {K}, F ≤ {F}")
    bias: array_type((1,), [F], "(F,), one per filter") | None = None
    strides: pair_type(1, S, "int or [rows, cols]") = 1
    padding: Padding = "valid"
    dilation_rate: pair_type(1, S, "int or [rows, cols]; cannot be > 1 together with strides > 1") = 1
    activation: Literal["linear", "relu", "sigmoid", "tanh"] | None = "linear"
    trace: bool = Field(True, strict=True, description="false returns the numbers alone (steps: [])")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
         "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"},
    ]})


TERMS_DOC = ("the formula's parts: \"\".join(terms) == formula, cut right after each product (conv) or each "
             "real input (pool), in reading order; the last part is the rest")


class WindowStep(BaseModel):
    """What every step of a window operation carries (conv, pool, the MNIST feature-map trace)."""
    index: list[int] = Field(description="the output cell: [i, j], or [i, j, f] with filters or channels")
    window: list[list[int]] = Field(description="[row, col] of each cell met, in padded-input coordinates")
    inputs: list = Field(description="the values under the window")
    value: float = Field(description="the output cell's value")
    formula: str = Field(description="as the lecture writes it")
    terms: list[str] = Field(description=TERMS_DOC)


class ConvStep(WindowStep):
    inputs: list = Field(description="input values under the window, (kh, kw) or (kh, kw, C)")
    weights: list = Field(description="kernel weights met, same shape as inputs")
    products: list = Field(description="inputs × weights, element-wise")
    sum: float
    bias: float
    pre_activation: float
    activation_formula: str | None = Field(None, description="e.g. relu(18) = 18, when the activation is not linear")
    group_sums: list[float] | None = Field(None, description="the sum of each parenthesised group (one per channel "
                                           "and kernel row); in /api/mnist/trace steps")


class PoolStep(WindowStep):
    inputs: list[float | None] = Field(description="window cells row by row; null for padding, which takes no part")
    count: int = Field(description="real cells in the window")
    argmax: list[int] | None = Field(None, description="max pooling: the winning cell (the first if tied)")
    sum: float | None = Field(None, description="average pooling: the sum that is divided by count")


class Conv2DResponse(BaseModel):
    output: list
    output_shape: list[int]
    padding: Pads
    padded_input: list
    steps: list[ConvStep]
    steps_total: int
    steps_truncated: bool
    keras: KerasCode


class PoolRequest(Strict):
    input: array_type((2, 3), [HW, HW, C], INPUT_DOC)
    mode: Literal["max", "average"] = "max"
    pool_size: pair_type(1, K, "int or [rows, cols]") = 2
    strides: pair_type(1, S, "int or [rows, cols]; null means pool_size") | None = None
    padding: Literal["valid", "same"] = "valid"
    trace: bool = Field(True, strict=True)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]],
         "mode": "max", "pool_size": 2, "padding": "valid"},
    ]})


class PoolResponse(BaseModel):
    output: list
    output_shape: list[int]
    padding: Pads
    padded_input: list = Field(description="the input inside its padding; null for padding cells")
    steps: list[PoolStep]
    steps_total: int
    steps_truncated: bool
    keras: KerasCode


# ---- recurrent steps --------------------------------------------------------------------------------

class RecurrentStep(BaseModel):
    """A time step of SimpleRNN, LSTM or GRU; vectors have one number per unit."""
    t: int
    x: list[float]
    h_prev: list[float]
    pre_activations: dict[str, list[float]] = Field(description="by gate (SimpleRNN: h; LSTM: input, forget, "
                                                                "candidate, output; GRU: update, reset, candidate)")
    gates: dict[str, list[float]] = Field(description="gate values by gate (SimpleRNN: none)")
    h: list[float]
    formulas: dict[str, list[str]] | None = Field(description="per-unit texts by key (gates, cell, hidden, output); "
                                                             "null when d, units or output units exceed 4")
    output_pre_activation: list[float] | None = None
    output: list[float] | None = None


class LSTMStep(RecurrentStep):
    c_prev: list[float]
    c: list[float]


# ---- errors -----------------------------------------------------------------------------------------

class ErrorDetail(BaseModel):
    status: int
    code: str
    field: str | None
    rule: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS = {code: {"model": ErrorResponse} for code in (400, 413, 415, 422)}
