"""GET /api/architectures, GET /api/architectures/{id}, POST /api/architectures/shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt, WithJsonSchema
from starlette.exceptions import HTTPException

from app.api.responses import JSONResponse
from app.api.routing import JSONRoute
from app.engine.architectures import catalog
from app.engine.architectures.walker import MAX_LAYERS, TYPES, walk

from .schemas import ERRORS, Strict

router = APIRouter(prefix="/api", tags=["architectures"], route_class=JSONRoute)

Layer = Annotated[dict[str, Any], WithJsonSchema({
    "type": "object", "required": ["type"],
    "properties": {"type": {"type": "string", "enum": list(TYPES)}, "name": {"type": "string", "maxLength": 80}},
    "description": "A layer: {\"type\": \"Conv2D\", \"filters\": 6, \"kernel_size\": 5, \"strides\": 1, "
                   "\"padding\": \"valid\" | \"same\" | int | [[top, bottom], [left, right]], \"use_bias\": true}; "
                   "Dense {units}; MaxPooling2D / AveragePooling2D {pool_size, strides, padding, ceil_mode}; "
                   "Flatten; GlobalAveragePooling2D; ZeroPadding2D {padding}; BatchNormalization; Activation; "
                   "ReLU; Dropout; LRN; Concatenate / Add {branches: [[layers], [layers], ...]} ([] = identity).",
})]


class ShapeRequest(Strict):
    input_shape: list[StrictInt] = Field(min_length=1, max_length=3,
                                   description="[height, width, channels] (≤ 2048, 2048, 4096) or [features]")
    layers: list[Layer] = Field(min_length=1, max_length=MAX_LAYERS,
                                description=f"at most {MAX_LAYERS} layers, branches included")
    counting: Literal["keras", "torchvision"] = Field(
        "keras", description="keras: BatchNormalization counts 4·C (2·C trainable); torchvision: 2·C, "
                             "with the running statistics as buffers")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input_shape": [32, 32, 1], "layers": [
            {"type": "Conv2D", "name": "C1", "filters": 6, "kernel_size": 5},
            {"type": "AveragePooling2D", "name": "S2", "pool_size": 2},
            {"type": "Conv2D", "name": "C3", "filters": 16, "kernel_size": 5},
            {"type": "Flatten"}, {"type": "Dense", "units": 10}]},
    ]})


class Summary(BaseModel):
    id: str
    name: str
    total_params: int


class LayerRow(BaseModel):
    index: int
    name: str
    type: str
    path: str = Field(description="where the layer sits in the description, e.g. layers.5.branches.1.0")
    block: str | None = Field(description="the Concatenate / Add this layer feeds, if inside a branch")
    branch: int | None
    depth: int
    input_shape: list[int]
    output_shape: list[int]
    shape_formula: str | None
    params: int
    trainable: int
    non_trainable: int
    buffers: int = Field(description="state PyTorch keeps outside parameters() (BatchNorm running statistics)")
    params_formula: str | None = Field(description="e.g. 3·3·64·128 + 128 = 73,856")
    macs: int = Field(description="multiply-adds of one forward pass of one sample (Conv2D and Dense)")
    macs_formula: str | None
    config: dict | None
    conv_link: dict | None = Field(description="query values for /conv: kernel, strides, padding, input")
    receptive_field: int | list[int] | None = Field(description="input pixels one neuron of this layer spans: "
                                                    "an int, or [rows, cols] when they differ")
    jump: int | list[int] | None = Field(description="input pixels between neighbouring neurons (effective stride)")
    rf_start: int | list[int] | None = Field(description="where the first neuron's field starts (< 0: padding)")
    rf_region: dict | None = Field(description="the centre neuron: cell, region [top, left, bottom, right) inside "
                                               "the input (exact), unclipped")
    branches: list[dict] | None = None


class WalkResponse(BaseModel):
    input_shape: list[int]
    output_shape: list[int]
    counting: str
    layers: list[LayerRow]
    tree: list = Field(description="layer indices in order; a merge is {merge: index, branches: [[...], ...]}")
    total_params: int
    trainable_params: int
    non_trainable_params: int
    buffers: int
    total_macs: int
    largest_by_params: list[int]
    largest_by_macs: list[int]


class ArchitectureResponse(WalkResponse):
    id: str
    name: str
    reference: dict
    description: dict = Field(description="the network's own description: input_shape, counting, layers")


@router.get("/architectures", response_model=list[Summary], responses=ERRORS)
def list_architectures():
    """The networks: LeNet-5, AlexNet, VGG16, GoogLeNet, ResNet50 and (once trained) the app's MNIST model."""
    return JSONResponse(catalog.summaries())


@router.get("/architectures/{net_id}", response_model=ArchitectureResponse, responses={**ERRORS, 404: ERRORS[422]})
def get_architecture(net_id: str):
    """Every layer with its output shape, parameter count and multiply-adds, and how each is computed."""
    net = catalog.network(net_id)
    if net is None:
        raise HTTPException(404)
    return JSONResponse(net)


@router.post("/architectures/shape", response_model=WalkResponse, responses=ERRORS)
def shape(req: ShapeRequest):
    """Walk your own layer list; a 422 names the first layer whose shapes do not fit (e.g. layers.3)."""
    return JSONResponse(walk(req.input_shape, req.layers, req.counting))
