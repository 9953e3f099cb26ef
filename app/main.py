"""create_app(): the FastAPI application, its routers, static files, docs and error handlers."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from threadpoolctl import threadpool_limits

from app import pages
from app.api import errors
from app.api.mnist_lane import PredictLane
from app.api.responses import JSONResponse
from app.api.router import api_router
from app.compression import GZipMiddleware
from app.config import settings
from app.docs import install_docs
from app.middleware import (
    BodyLimitMiddleware,
    CORSMiddleware,
    HeadMiddleware,
    HostCheckMiddleware,
    ResponseHeadersMiddleware,
)
from app.models import isolated
from app.openapi import install_openapi
from app.sockets import nodelay_on_listening_sockets

DESCRIPTION = """\
The NumPy engine behind the CNN / RNN explainer. Every endpoint follows Keras' names and weight
layouts (channels_last, Conv2D is cross-correlation, kernel (kh, kw, C, F), TensorFlow's 'same'
padding with the extra row/column at the bottom/right), so a result can be checked against Keras.

Every 4xx has one shape: `{"error": {"status", "code", "field", "rule", "message"}}`.
Bodies over 1 MiB (4 MiB for /api/mnist/predict and /trace, 8 MiB for uploads) get 413 before they are
parsed; a JSON body must be sent as application/json or application/<name>+json (415 otherwise).
"""


@asynccontextmanager
async def lifespan(_: FastAPI):
    # Endpoints are CPU-bound NumPy work: a few threads per worker process serve requests in arrival order;
    # forty (Starlette's default) only fight over the GIL and hold more buffers at once.
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    # Many small matrix products at once (one per request, one process per worker): one BLAS thread each
    # avoids oversubscribing the cores. Set here, where the server starts, not on import of the package.
    threadpool_limits(limits=settings.blas_threads)
    # A trace is tens of thousands of small lists that die by reference counting; with the default
    # threshold (700) they set off full collections that doubled the slowest responses.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    nodelay_on_listening_sockets()
    isolated.start()   # the forkserver that reads uploaded models (app/models/isolated.py): ~1 s, once per process
    yield


def create_app() -> FastAPI:
    app = FastAPI(title="CNN & RNN, number by number", version="0.2.0", description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan,
                  default_response_class=JSONResponse,
                  generate_unique_id_function=lambda route: route.name)  # operation ids: conv2d, lstm, predict
    errors.install(app, not_found_page=pages.not_found_page)
    app.include_router(api_router)
    install_docs(app)
    install_openapi(app)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.include_router(pages.router)
    app.add_middleware(PredictLane)  # innermost: its answers pass the middleware added below, as the endpoint's do
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["content-type"])
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)  # ISA-L: a 290 KB trace in 0.65 ms
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(HostCheckMiddleware, allowed=settings.allowed_hosts)
    app.add_middleware(ResponseHeadersMiddleware)
    return app


app = create_app()
