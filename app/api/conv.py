"""POST /api/conv2d and POST /api/pool."""

from fastapi import APIRouter

from app.api.compute import compute
from app.api.responses import JSONResponse
from app.api.routing import JSONRoute
from app.engine.conv import run_conv2d
from app.engine.pool import run_pool

from .schemas import ERRORS, Conv2DRequest, Conv2DResponse, PoolRequest, PoolResponse

router = APIRouter(prefix="/api", tags=["convolution"], route_class=JSONRoute)


@router.post("/conv2d", response_model=Conv2DResponse, responses=ERRORS)
async def conv2d(req: Conv2DRequest):
    """Keras Conv2D (channels_last cross-correlation) with a step for every output cell."""
    return await compute(lambda: JSONResponse(run_conv2d(**req.model_dump())))


@router.post("/pool", response_model=PoolResponse, responses=ERRORS)
async def pool(req: PoolRequest):
    """Keras MaxPooling2D / AveragePooling2D with a step for every output cell."""
    return await compute(lambda: JSONResponse(run_pool(**req.model_dump())))
