"""POST /api/rnn, /api/lstm and /api/gru: Keras SimpleRNN, LSTM and GRU with a trace of every time step."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.api.compute import compute
from app.api.responses import JSONResponse
from app.api.routing import JSONRoute
from app.engine import limits as L
from app.engine.recurrent import run_gru, run_lstm, run_rnn
from app.examples.rnn import GATE_INPUTS, GATE_LSTM, LECTURE_RNN

from .schemas import ERRORS, KerasCode, LSTMStep, RecurrentStep, Strict, array_type, shapes_type

router = APIRouter(prefix="/api", tags=["recurrent"], route_class=JSONRoute)

T, D, U = L.RNN_MAX_T, L.RNN_MAX_D, L.RNN_MAX_U
Activation = Literal["tanh", "sigmoid", "relu", "linear", "hard_sigmoid"]
Inputs = array_type((1, 2), [T, D], f"(T, d): one row per time step (T ≤ {T}, d ≤ {D}); (T,) means d = 1")
Vector = array_type((1,), [U], "(units,)")
ACT_DOC = ("Keras name; None means linear. hard_sigmoid is Keras 2's clip(0.2·x + 0.5, 0, 1) "
           "(with keras: 3, Keras 3's clip(x/6 + 0.5, 0, 1)).")


class OutputLayer(Strict):
    """A Dense layer applied to every h_t: y_t = activation(h_t·kernel + bias)."""
    kernel: array_type((2,), [U, U], "(units, output units); omitted: glorot_uniform with the seed") | None = None
    bias: array_type((1,), [U], "(output units,); omitted: zeros") | None = None
    use_bias: bool = Field(True, strict=True)
    activation: Activation | None = Field("linear", description=ACT_DOC)
    units: int | None = Field(None, ge=1, le=U, strict=True, description="output units when no kernel is given")


class LSTMState(Strict):
    h: Vector | None = None
    c: Vector | None = None


class RecurrentRequest(Strict):
    inputs: Inputs
    units: int | None = Field(None, ge=1, le=U, strict=True, description="optional when a kernel is given")
    use_bias: bool = Field(True, strict=True)
    activation: Activation | None = Field("tanh", description=ACT_DOC)
    seed: int = Field(0, ge=0, le=L.RNN_MAX_SEED, strict=True, description="for the initialisers of omitted weights")
    output_layer: OutputLayer | None = None
    keras: Literal[2, 3] = Field(2, description="hard_sigmoid's form wherever it is named: 2 = Keras 2's "
                                 "clip(0.2x + 0.5, 0, 1) (the lecture's), 3 = Keras 3's clip(x/6 + 0.5, 0, 1); the "
                                 "other activations are the same in both")


class RNNRequest(RecurrentRequest):
    kernel: array_type((2,), [D, U], "(d, units); omitted: glorot_uniform") | None = None
    recurrent_kernel: array_type((2,), [U, U], "(units, units); omitted: orthogonal") | None = None
    bias: array_type((1,), [U], "(units,); omitted: zeros") | None = None
    initial_state: Vector | None = Field(None, description="h₀, (units,); omitted: zeros")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"inputs": [[1, 1], [2, 1], [1, 3]], **LECTURE_RNN}]})


class LSTMRequest(RecurrentRequest):
    kernel: array_type((2,), [D, 4 * U], "(d, 4·units), blocks i, f, c, o; omitted: glorot_uniform") | None = None
    recurrent_kernel: array_type((2,), [U, 4 * U], "(units, 4·units); omitted: orthogonal") | None = None
    bias: array_type((1,), [4 * U], "(4·units,); omitted: zeros (ones in f with unit_forget_bias)") | None = None
    recurrent_activation: Activation | None = Field("sigmoid", description=ACT_DOC)
    unit_forget_bias: bool = Field(True, strict=True, description="initial bias 1 in the forget block")
    initial_state: LSTMState | None = Field(None, description='{"h": [...], "c": [...]}; omitted: zeros')

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"inputs": GATE_INPUTS, **GATE_LSTM, "recurrent_activation": "hard_sigmoid"}]})


class GRURequest(RecurrentRequest):
    kernel: array_type((2,), [D, 3 * U], "(d, 3·units), blocks z, r, h; omitted: glorot_uniform") | None = None
    recurrent_kernel: array_type((2,), [U, 3 * U], "(units, 3·units); omitted: orthogonal") | None = None
    bias: shapes_type([[3 * U], [2, 3 * U]], "reset_after: (2, 3·units) (input row, recurrent row); "
                                                "else (3·units,); omitted: zeros") | None = None
    recurrent_activation: Activation | None = Field("sigmoid", description=ACT_DOC)
    reset_after: bool = Field(True, strict=True, description="Keras 3 default true; Keras 2 default false")
    initial_state: Vector | None = Field(None, description="h₀, (units,); omitted: zeros")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"inputs": [[1, 0], [0, 1], [1, 1]], "units": 2, "seed": 0}]})


class RecurrentKeras(KerasCode):
    output_layer: str | None = Field(description="the per-step Dense layer's call, with an output layer")


class RecurrentResponse(BaseModel):
    layer: str
    units: int
    input_dim: int
    timesteps: int
    activation: str
    hidden: list[list[float]] = Field(description="(T, units): every h_t")
    outputs: list[list[float]] | None = Field(description="(T, output units) with an output layer")
    steps: list[RecurrentStep] = Field(description="per t: x, h_prev, pre-activations, gates, new state, formulas "
                                                   "(with numbers when d, units ≤ 4)")
    sensitivity: list[float] = Field(description="‖∂h_T/∂x_t‖ for every t (backpropagation through time)")
    sensitivity_per_unit: list[list[float]] = Field(description="(T, units): ‖∂h_T[k]/∂x_t‖")
    weights: dict = Field(description="the weights used: given, or drawn by Keras' initialisers")
    initial_state: list[float] | dict
    hard_sigmoid_keras: Literal[2, 3] | None = Field(description="the request's keras when it names hard_sigmoid "
                                                     "(the form used); null when no activation is hard_sigmoid")
    keras: RecurrentKeras


class LSTMResponse(RecurrentResponse):
    steps: list[LSTMStep]
    recurrent_activation: str
    cell: list[list[float]] = Field(description="(T, units): every c_t")


class GRUResponse(RecurrentResponse):
    recurrent_activation: str
    reset_after: bool


@router.post("/rnn", response_model=RecurrentResponse, responses=ERRORS)
async def rnn(req: RNNRequest):
    """Keras SimpleRNN: h_t = activation(x_t·W + h_{t−1}·U + b), every step traced."""
    return await compute(lambda: JSONResponse(run_rnn(**req.model_dump())))


@router.post("/lstm", response_model=LSTMResponse, responses=ERRORS)
async def lstm(req: LSTMRequest):
    """Keras LSTM: input, forget and output gates and the cell state at every step."""
    return await compute(lambda: JSONResponse(run_lstm(**req.model_dump())))


@router.post("/gru", response_model=GRUResponse, responses=ERRORS)
async def gru(req: GRURequest):
    """Keras GRU (reset_after true or false): update and reset gates at every step."""
    return await compute(lambda: JSONResponse(run_gru(**req.model_dump())))
