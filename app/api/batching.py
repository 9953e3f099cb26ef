"""Cheap digit predictions: served on the event loop, and those that arrive together share one forward pass.

A request whose input is known before any work to cost a millisecond or two (one digit's 28×28 pixels, a
short drawing: app/mnist/inputs.cheap) is decoded right on the event loop, without the trip to the engine
thread (app/api/compute.py). Measured with wrk on one process (bench/bench_predict_rate.py): that trip alone
halved a trivial endpoint's rate, and a prediction made in the thread ran at 0.4 of the same prediction made
in place, its NumPy calls and the event loop handing the GIL to each other. A page waits at most one turn.

Its 28×28 then waits for the end of the event loop's turn: the requests that reached this point in the same
turn (clients whose answers went out together send their next digits together) go through the network as
one batch. A batch reads the weights once (fc1 alone is 1 MB) and pays NumPy's per-call costs once. The
network computes every sample with matrices of its own (Sequential.infer with per_sample), so a digit's
probabilities are the same bits alone or beside others, and the same request answers the same bytes.
"""

from __future__ import annotations

import asyncio
import copy

import anyio.lowlevel
import numpy as np

from app.engine.nn import Sequential
from app.mnist import inference

MAX_BATCH = 32  # more waiting digits than this wait for the next turns (32 digits: ~5 ms)


class Batcher:
    """One event loop's waiting digits: [(model, 28×28, future of its probabilities)]."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Sequential, np.ndarray, asyncio.Future]] = []

    async def probabilities(self, model: Sequential, x: np.ndarray) -> np.ndarray:
        """x (28, 28) -> its ten probabilities, computed at the end of this turn of the event loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self.waiting:
            loop.call_soon(self.flush)
        self.waiting.append((model, x, future))
        return await future

    def flush(self) -> None:
        """One batch: up to MAX_BATCH digits of one model (a model reloaded meanwhile, from a new weights file,
        gets a batch of its own). Whatever is left waits for the next turn, so the loop serves others between."""
        model = self.waiting[0][0]
        batch = [w for w in self.waiting if w[0] is model][:MAX_BATCH]
        taken = {id(w[2]) for w in batch}
        self.waiting = [w for w in self.waiting if id(w[2]) not in taken]
        if self.waiting:
            asyncio.get_running_loop().call_soon(self.flush)
        try:
            results = [p for p, _ in inference.predict(model, np.stack([x for _, x, _ in batch]))]
        except Exception as exc:  # noqa: BLE001 - handed to every request of the batch, which raises it
            for _, _, future in batch:
                if not future.done():  # a copy each: a raised exception's traceback grows with its raiser's frames
                    future.set_exception(_copy(exc))
            return
        for (_, _, future), p in zip(batch, results, strict=True):
            if not future.done():  # a client that went away cancelled its request
                future.set_result(p)


def _copy(exc: BaseException) -> BaseException:
    """A copy of exc for one request, or exc itself when its class cannot be rebuilt from its args."""
    try:
        twin = copy.copy(exc)
    except Exception:  # noqa: BLE001 - e.g. a constructor whose arguments are not its args
        return exc
    twin.__cause__, twin.__context__ = exc.__cause__, exc.__context__
    return twin.with_traceback(exc.__traceback__)


_batcher: anyio.lowlevel.RunVar[Batcher] = anyio.lowlevel.RunVar("digit_batcher")


def batcher() -> Batcher:
    """The running event loop's batcher (tests run several loops, one after another or in threads)."""
    try:
        return _batcher.get()
    except LookupError:
        found = Batcher()
        _batcher.set(found)
        return found
