"""Schemas of the backprop endpoints: the transposed convolution and the backward passes of Conv2D and pooling.

The requests are the forward bodies (`Conv2DRequest`, `PoolRequest`) plus `grad_output` (dL/dy), or Keras'
Conv2DTranspose arguments. Two step vocabularies (API 0.2, notes/issue15.md "A word on the vocabulary"):
- conv steps (`ConvStep`): one cell of a result, computed as a window of a grid times a kernel (the gather
  picture of the transposed convolution, dL/dx as a full convolution, dL/dW);
- stamp steps (`StampStep`): one number sent into a window of a grid of running totals (the scatter picture
  of the transposed convolution, the pooling backward pass): `inputs` the totals before, `products` =
  `value` × `weights` what is added, `totals` the totals after.
Caps come from app/engine/limits.py; the engine checks them and names the field that breaks one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.engine import limits as L

from .schemas import (
    HW,
    INPUT_DOC,
    TERMS_DOC,
    C,
    Conv2DRequest,
    ConvStep,
    F,
    K,
    Pads,
    PoolRequest,
    S,
    Strict,
    WindowStep,
    array_type,
    pair_type,
)

# The longest side a Conv2D output (so dL/dy) can have, with strides 1: 'full' padding gives n + (k − 1)·d,
# explicit padding at most n + 2·CONV_MAX_PAD (a 1-cell kernel). The engine checks the exact shape.
OUT_SIDE = max(HW + (K - 1) * S, HW + 2 * L.CONV_MAX_PAD)
LECTURE = {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
           "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"}
GRAD_DOC = ("dL/dy: the forward output's shape ((oh, ow) when the output is 2-D, else (oh, ow, F) or (oh, ow, C)); "
            f"all ones when omitted; at most {L.CONV_MAX_OUTPUT:,} numbers")
OutputPadding = pair_type(0, S - 1, "null, an int or [rows, cols]: extra cells at the bottom/right of the output; "
                                   "each must be smaller than the stride along its axis (as in Keras)")
STAMP_INPUTS = "the running totals under the window before this step (null: a padding cell)"


# ---- requests ---------------------------------------------------------------------------------------

class Conv2DBackwardRequest(Conv2DRequest):
    grad_output: array_type((2, 3), [OUT_SIDE, OUT_SIDE, F], GRAD_DOC) | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        LECTURE, {**LECTURE, "grad_output": [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]},
    ]})


class PoolBackwardRequest(PoolRequest):
    grad_output: array_type((2, 3), [HW, HW, C], GRAD_DOC) | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]],
         "mode": "max", "pool_size": 2, "strides": 1, "padding": "valid"},
    ]})


class Conv2DTransposeRequest(Strict):
    input: array_type((2, 3), [HW, HW, C], INPUT_DOC)
    kernel: array_type((2, 4), [K, K, F, C], f"(kh, kw) or Keras' (kh, kw, filters, in_channels) (in_channels "
                                             f"last, the reverse of Conv2D); kh, kw ≤ {K}, filters ≤ {F}")
    bias: array_type((1,), [F], "(filters,), one per filter") | None = None
    strides: pair_type(1, S, "int or [rows, cols]") = 1
    padding: Literal["valid", "same"] = "valid"
    output_padding: OutputPadding | None = None
    dilation_rate: pair_type(1, S, "int or [rows, cols]; only with strides 1 (Keras)") = 1
    activation: Literal["linear", "relu", "sigmoid", "tanh"] | None = "linear"
    trace: bool = Field(True, strict=True, description="false returns the numbers alone (no steps)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "strides": 2},
        {"input": [[1, 1, 1, 1]] * 4, "kernel": LECTURE["kernel"], "padding": "same"},
    ]})


# ---- steps ------------------------------------------------------------------------------------------

class StampStep(BaseModel):
    """A step of a scatter picture: `value` times `weights` added to the running totals under `window`."""
    index: list[int] = Field(description="the cell that sends: [i, j], or [i, j, c] with channels")
    window: list[list[int]] = Field(description="[row, col] of each cell it adds to, row by row")
    inputs: list = Field(description=STAMP_INPUTS)
    value: float = Field(description="the number sent")
    weights: list = Field(description="what each window cell receives per unit of value")
    products: list = Field(description="value × weights: what is added")
    totals: list = Field(description="the running totals after this step (inputs + products)")
    formula: str = Field(description="one 'before + value×weight = after' per cell, e.g. 0 + 1×2 = 2, 3 + 1×1 = 4")
    terms: list[str] = Field(description=TERMS_DOC)


class ScatterStep(StampStep):
    """The transposed convolution's scatter picture: input cell × kernel stamped onto the canvas."""
    filter: int = Field(description="the filter (output channel) stamped onto")
    window: list[list[int]] = Field(description="[row, col] of the canvas cells it reaches, (i·s + a·d, j·s + b·d)")
    output_cells: list[list[int] | None] = Field(description="the output cell of each window cell, in the same "
                                                            "order; null where the canvas is cropped away")
    inputs: list[list[float]] = Field(description="(kh, kw): the canvas under the window before this stamp")
    weights: list[list[float]] = Field(description="(kh, kw): the kernel slice W[:, :, filter, channel]")
    products: list[list[float]] = Field(description="(kh, kw): value × weights")
    totals: list[list[float]] = Field(description="(kh, kw): the canvas after")


class PoolBackwardStep(StampStep):
    """dL/dy[i, j] sent back into its pooling window."""
    index: list[int] = Field(description="the dL/dy cell (the forward step's output cell): [i, j] or [i, j, c]")
    window: list[list[int]] = Field(description="the forward window, [row, col] in padded-input coordinates")
    forward_inputs: list[float | None] = Field(description="the forward values under the window; null: padding")
    value: float = Field(description="dL/dy[i, j]: the gradient sent back")
    inputs: list[float | None] = Field(description="dL/dx running totals at those cells before this step")
    weights: list[float | None] = Field(description="∂y/∂x per cell: max 1 at the winner, 0 elsewhere; "
                                                    "average 1/count")
    products: list[float | None] = Field(description="value × weights: what each cell receives")
    totals: list[float | None] = Field(description="dL/dx running totals after this step")
    argmax: list[int] | None = Field(None, description="max pooling: the winner, the first maximum in row-major order "
                                                       "when values tie (TensorFlow's and JAX's rule)")
    count: int | None = Field(None, description="average pooling: the real cells in the window")


class SumStep(WindowStep):
    """dL/db[f]: the sum of dL/dz over every output cell of filter f."""
    index: list[int] = Field(description="[f]")
    window: list[list[int]] = Field(description="every output cell, [row, col]")
    inputs: list = Field(description="dL/dz[:, :, f], (oh, ow)")


# ---- responses --------------------------------------------------------------------------------------

class Trace(BaseModel):
    steps_total: int = Field(description="steps the whole trace has")
    steps_truncated: bool = Field(description="true when the steps stop early (a size cap)")


class ScatterView(Trace):
    canvas: list = Field(description="every stamp summed, before bias and activation: (Hc, Wc) or (Hc, Wc, F)")
    crop: Pads = Field(description="canvas cells cut off around the output")
    steps: list[ScatterStep]


class GatherView(Trace):
    padded_input: list = Field(description="the input with s − 1 zeros between cells, padded: (Hz, Wz) or (Hz, Wz, C)")
    padding: Pads = Field(description="the zeros added around the zero-inserted input")
    input_cells: list[list[list[int]]] = Field(description="(H, W, 2): where input cell [i, j] sits in padded_input")
    kernel: list = Field(description="the kernel flipped 180°, in Conv2D's layout: (kh, kw) or (kh, kw, C, F)")
    steps: list[ConvStep] = Field(description="a stride-1 convolution step per output cell")


class Conv2DTransposeResponse(BaseModel):
    output: list = Field(description="(oh, ow) when input and kernel are 2-D, else (oh, ow, F)")
    output_shape: list[int]
    scatter: ScatterView
    gather: GatherView


class GradInputTrace(Trace):
    padded_grad_output: list = Field(description="dL/dz with s − 1 zeros between cells, padded by (k − 1)·d: "
                                                 "(Hg, Wg) or (Hg, Wg, F)")
    padding: Pads = Field(description="the zeros around the zero-inserted dL/dz")
    grad_output_cells: list[list[list[int]]] = Field(description="(oh, ow, 2): where dL/dz[i, j] sits in "
                                                                 "padded_grad_output")
    kernel: list = Field(description="the kernel flipped 180°, channel axes swapped: (kh, kw) or (kh, kw, F, C)")
    full: list = Field(description="dL/dx of the padded input, the full convolution's result: (Hp, Wp) or "
                                   "(Hp, Wp, C)")
    crop: Pads = Field(description="the forward padding: grad_input is full without it")
    steps: list[ConvStep] = Field(description="one per cell of full (index in padded-input coordinates), window "
                                              "in padded_grad_output coordinates")


class GradKernelTrace(Trace):
    steps: list[ConvStep] = Field(description="one per weight: the padded-input cells that weight met (window, "
                                              "inputs) times dL/dz (weights)")


class GradBiasTrace(Trace):
    steps: list[SumStep]


class Conv2DBackwardResponse(BaseModel):
    output: list = Field(description="the forward output")
    output_shape: list[int]
    padding: Pads
    padded_input: list
    grad_output: list = Field(description="dL/dy as used (all ones when omitted)")
    activation_grad: list = Field(description="act'(z) per output cell (ones for linear; relu'(0) = 0)")
    grad_pre_activation: list = Field(description="dL/dz = grad_output ⊙ activation_grad")
    grad_input: list = Field(description="dL/dx: (H, W) for a 2-D input, else (H, W, C)")
    grad_kernel: list = Field(description="dL/dW: (kh, kw) for a 2-D kernel, else (kh, kw, C, F)")
    grad_bias: list[float] = Field(description="dL/db, one number per filter")
    grad_input_trace: GradInputTrace
    grad_kernel_trace: GradKernelTrace
    grad_bias_trace: GradBiasTrace


class PoolBackwardResponse(Trace):
    output: list = Field(description="the forward output")
    output_shape: list[int]
    padding: Pads
    grad_output: list = Field(description="dL/dy as used (all ones when omitted)")
    grad_input: list = Field(description="dL/dx: (H, W) or (H, W, C)")
    steps: list[PoolBackwardStep] = Field(description="one per dL/dy cell, in the forward trace's order")
