"""POST /api/activations: an activation function and its derivative at given points."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.api.compute import compute
from app.api.responses import JSONResponse
from app.api.routing import JSONRoute
from app.engine import limits as L
from app.engine.activation_values import run_activation

from .schemas import ERRORS, NUMBER, Strict

router = APIRouter(prefix="/api", tags=["activations"], route_class=JSONRoute)


class ActivationRequest(Strict):
    name: Literal["sigmoid", "tanh", "relu", "linear", "hard_sigmoid", "softmax"]
    x: list[Annotated[float, Field(strict=True)]] = Field(
        min_length=1, max_length=L.ACT_MAX_X, json_schema_extra={"items": NUMBER},
        description=f"the points (at most {L.ACT_MAX_X}); softmax: one vector of at most "
                    f"{L.ACT_MAX_SOFTMAX} numbers")
    keras: Literal[2, 3] = Field(2, description="hard_sigmoid's form: 2 = clip(0.2x + 0.5, 0, 1) (Keras 2, the "
                                 "lecture's), 3 = clip(x/6 + 0.5, 0, 1) (Keras 3); ignored by the other functions")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "hard_sigmoid", "x": [-3, -2.5, 0, 1, 2.5, 3], "keras": 2}]})


class ActivationResponse(BaseModel):
    name: str
    keras: int | None = Field(description="hard_sigmoid's form; null for the functions Keras 3 did not change")
    x: list[float]
    y: list[float]
    dy: list[float] = Field(description="the derivative at each x; at a kink the one-sided value Keras' autodiff "
                                        "gives (hard_sigmoid Keras 2: 0.2 at ±2.5; Keras 3: 0 at ±3; relu: 0 at 0); "
                                        "softmax: the Jacobian's diagonal ∂yᵢ/∂xᵢ")
    jacobian: list[list[float]] | None = Field(description="softmax only: J[i][j] = ∂yᵢ/∂xⱼ")
    formula: str
    derivative: str
    kinks: list[float] = Field(description="where the derivative jumps")


@router.post("/activations", response_model=ActivationResponse, responses=ERRORS)
async def activations(req: ActivationRequest):
    """y = f(x) and its derivative f′(x) for a Keras activation, at every x (softmax: over the vector x)."""
    return await compute(lambda: JSONResponse(run_activation(req.name, req.x, req.keras)))
