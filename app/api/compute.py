"""Where engine work runs: a worker thread, one request at a time per process, in arrival order.

The endpoints are CPU-bound Python and NumPy, so threads of one process only take turns holding the GIL.
With four threads sharing a core, a request's CPU cost rose by a quarter (7.5 -> 9.5 ms in the load
test's mix) and the slowest requests waited longest; with one thread the requests of a worker are served
first come, first served. Pages and static files keep AnyIO's default threads, so they do not queue
behind engine work. ENGINE_THREADS sets the number (default 1).
"""

from __future__ import annotations

import anyio
import anyio.lowlevel
import anyio.to_thread

from app.config import settings

_limiter: anyio.lowlevel.RunVar[anyio.CapacityLimiter] = anyio.lowlevel.RunVar("engine_limiter")


def engine_limiter() -> anyio.CapacityLimiter:
    try:
        return _limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(settings.engine_threads)
        _limiter.set(limiter)
        return limiter


async def compute(fn, *args, **kwargs):
    """fn(*args, **kwargs) in an engine thread."""
    return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs), limiter=engine_limiter())
