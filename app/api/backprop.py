"""POST /api/conv2d_transpose, /api/conv2d/backward and /api/pool/backward: how gradients flow back through
convolution and pooling, and the transposed convolution, number by number (app/engine/transpose.py,
conv_backward.py, pool_backward.py)."""

from fastapi import APIRouter

from app.api.compute import compute
from app.api.responses import JSONResponse
from app.api.routing import JSONRoute
from app.engine.conv_backward import run_conv2d_backward
from app.engine.pool_backward import run_pool_backward
from app.engine.transpose import run_conv2d_transpose

from .backprop_schemas import (
    Conv2DBackwardRequest,
    Conv2DBackwardResponse,
    Conv2DTransposeRequest,
    Conv2DTransposeResponse,
    PoolBackwardRequest,
    PoolBackwardResponse,
)
from .schemas import ERRORS

router = APIRouter(prefix="/api", tags=["backprop"], route_class=JSONRoute)


@router.post("/conv2d_transpose", response_model=Conv2DTransposeResponse, responses=ERRORS)
async def conv2d_transpose(req: Conv2DTransposeRequest):
    """Keras' Conv2DTranspose, shown twice: `scatter` (each input cell stamps input × kernel onto the output, the
    stamps add up, the edges are cropped) and `gather` (a stride-1 convolution of the zero-inserted, padded input
    with the flipped kernel)."""
    return await compute(lambda: JSONResponse(run_conv2d_transpose(**req.model_dump())))


@router.post("/conv2d/backward", response_model=Conv2DBackwardResponse, responses=ERRORS)
async def conv2d_backward(req: Conv2DBackwardRequest):
    """The /api/conv2d body plus grad_output (dL/dy): dL/dx as the full convolution of the zero-inserted dL/dy
    with the flipped kernel, dL/dW, dL/db, each with a step per cell."""
    return await compute(lambda: JSONResponse(run_conv2d_backward(**req.model_dump())))


@router.post("/pool/backward", response_model=PoolBackwardResponse, responses=ERRORS)
async def pool_backward(req: PoolBackwardRequest):
    """The /api/pool body plus grad_output (dL/dy): max pooling sends each gradient to its window's first
    maximum (TensorFlow's tie rule), average pooling spreads it over the real cells; a step per dL/dy cell."""
    return await compute(lambda: JSONResponse(run_pool_backward(**req.model_dump())))
