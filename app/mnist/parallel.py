"""Data-parallel gradients: every batch is split over processes, one per core.

The caller's process computes the first share; each worker process the next ones. The parameters, the
training images and each worker's gradients live in shared memory (multiprocessing.shared_memory), so
a step sends only the batch's indices and a seed through a pipe. Every process runs ONE BLAS thread:
two processes keep both cores busy with everything (im2col copies, pooling, augmentation), where two
BLAS threads would only share the matrix products.

The gradient of the mean loss over the whole batch is Σ_k (n_k / n) · grad_k, with grad_k the gradient
of the mean loss over share k: the same as one process computing the whole batch, up to float rounding.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing import shared_memory

import numpy as np
from threadpoolctl import threadpool_limits

from app.engine.nn import Sequential


class _Block:
    """Named arrays laid out in one shared-memory block."""

    def __init__(self, layout, name=None):
        self.layout = layout  # [(key, shape, dtype str)]
        size = sum(int(np.prod(s)) * np.dtype(d).itemsize for _, s, d in layout)
        self.shm = shared_memory.SharedMemory(name=name, create=name is None, size=max(size, 1))
        self.arrays, offset = {}, 0
        for key, shape, dtype in layout:
            a = np.ndarray(shape, dtype=dtype, buffer=self.shm.buf, offset=offset)
            self.arrays[key] = a
            offset += a.nbytes

    def close(self, unlink=False):
        self.arrays = {}
        self.shm.close()
        if unlink:
            self.shm.unlink()


def share_of(batch, shares):
    """Split a batch's indices into `shares` nearly equal consecutive parts."""
    return np.array_split(np.asarray(batch), shares)


def _share_grads(model, x_u8, labels, idx, seed, augment, settings):
    """Loss, correct count and gradients of one share; dropout and augmentation draw from `seed`."""
    rng = np.random.default_rng(seed)
    x = x_u8[idx].astype(np.float32) / 255
    y = labels[idx]
    if augment is not None:
        x = augment(x, y, rng, settings)
    loss, logits, grads = model.loss_and_grads(x, y, rng)
    return loss, int((logits.argmax(axis=1) == y).sum()), grads


def _worker(conn, spec, input_shape, param_layout, params_name, data_layout, data_name, grad_name,
            augment, settings):
    with threadpool_limits(limits=1):
        params = _Block(param_layout, params_name)
        data = _Block(data_layout, data_name)
        grads_out = _Block(param_layout, grad_name)
        model = Sequential(spec, input_shape, params=params.arrays)
        x_u8, labels = data.arrays["x"], data.arrays["y"]
        try:
            while True:
                msg = conn.recv()
                if msg is None:
                    break
                idx, seed, settings = msg
                loss, correct, grads = _share_grads(model, x_u8, labels, idx, seed, augment, settings)
                for k, g in grads.items():
                    grads_out.arrays[k][...] = g
                conn.send((loss, correct))
        finally:
            for block in (params, data, grads_out):
                block.close()


class DataParallel:
    """model.params are moved into shared memory (the model keeps working on them in place).

    step(idx, seed) -> (mean loss, correct, {name: gradient of the batch's mean loss}), every process
    augmenting its share with `self.settings` (which the caller may change between steps).
    """

    def __init__(self, model, x_u8, labels, processes=2, augment=None, settings=None):
        self.model, self.augment, self.settings = model, augment, settings
        layout = [(k, v.shape, v.dtype.str) for k, v in model.params.items()]
        self.params = _Block(layout)
        for k, v in model.params.items():
            self.params.arrays[k][...] = v
        model.params = self.params.arrays
        self.data = _Block([("x", x_u8.shape, "|u1"), ("y", labels.shape, labels.dtype.str)])
        self.data.arrays["x"][...] = x_u8
        self.data.arrays["y"][...] = labels
        self.grads, self.conns, self.procs = [], [], []
        ctx = mp.get_context("spawn")
        for _ in range(processes - 1):
            g = _Block(layout)
            parent, child = ctx.Pipe()
            p = ctx.Process(target=_worker, daemon=True,
                            args=(child, model.spec, model.input_shape, layout, self.params.shm.name,
                                  self.data.layout, self.data.shm.name, g.shm.name, augment, settings))
            p.start()
            self.grads.append(g)
            self.conns.append(parent)
            self.procs.append(p)

    def step(self, idx, seed):
        shares = share_of(idx, len(self.procs) + 1)
        for k, (conn, part) in enumerate(zip(self.conns, shares[1:], strict=True)):
            conn.send((part, [seed, k + 1], self.settings))
        x_u8, labels = self.data.arrays["x"], self.data.arrays["y"]
        loss, correct, grads = _share_grads(self.model, x_u8, labels, shares[0], [seed, 0], self.augment,
                                            self.settings)
        n = len(idx)
        w0 = len(shares[0]) / n
        total = {k: g * np.asarray(w0, g.dtype) for k, g in grads.items()}
        loss *= w0
        for conn, g, part, proc in zip(self.conns, self.grads, shares[1:], self.procs, strict=True):
            while not conn.poll(1.0):
                if not proc.is_alive():
                    raise RuntimeError(f"training worker {proc.pid} stopped (exit code {proc.exitcode})")
            share_loss, share_correct = conn.recv()
            w = len(part) / n
            for k in total:
                total[k] += g.arrays[k] * np.asarray(w, total[k].dtype)
            loss += share_loss * w
            correct += share_correct
        return loss, correct, total

    def close(self):
        """Stop the workers; the model gets private copies of its parameters back."""
        for conn in self.conns:
            conn.send(None)
        for p in self.procs:
            p.join(timeout=10)
        self.model.params = {k: v.copy() for k, v in self.params.arrays.items()}
        for g in self.grads:
            g.close(unlink=True)
        self.params.close(unlink=True)
        self.data.close(unlink=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
