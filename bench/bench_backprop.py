"""Time the backprop engine against /api/conv2d's and /api/pool's engine, measured in the same run.

    .venv/bin/python bench/bench_backprop.py [--repeat 7]

Prints the best of `repeat` runs of each call (trace on, as the pages ask) and its ratio to the forward call of
the same size, so the numbers mean something on a machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from app.engine.conv import run_conv2d
from app.engine.conv_backward import run_conv2d_backward
from app.engine.pool import run_pool
from app.engine.pool_backward import run_pool_backward
from app.engine.transpose import run_conv2d_transpose


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    repeat = ap.parse_args().repeat
    rng = np.random.default_rng(0)
    digit = rng.integers(0, 10, size=(28, 28)).tolist()
    sobel = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    big_x = rng.normal(size=(64, 64, 8)).tolist()
    big_w = rng.normal(size=(3, 3, 8, 16)).tolist()
    big_t = rng.normal(size=(3, 3, 16, 8)).tolist()
    cases = [  # (what, the forward call it is measured against, the call)
        ("conv2d_transpose 28×28, 3×3, same", lambda: run_conv2d(digit, sobel, padding="same"),
         lambda: run_conv2d_transpose(digit, sobel, padding="same")),
        ("conv2d_transpose 28×28, 3×3, strides 2 (56×56 out)", lambda: run_conv2d(digit, sobel, padding="same"),
         lambda: run_conv2d_transpose(digit, sobel, strides=2, padding="same")),
        ("conv2d backward 28×28, 3×3, same", lambda: run_conv2d(digit, sobel, padding="same"),
         lambda: run_conv2d_backward(digit, sobel, padding="same")),
        ("pool backward 28×28, max 2×2", lambda: run_pool(digit, "max", 2),
         lambda: run_pool_backward(digit, "max", 2)),
        ("pool backward 28×28, average 3×3, strides 1, same", lambda: run_pool(digit, "average", 3, 1, "same"),
         lambda: run_pool_backward(digit, "average", 3, 1, "same")),
        ("conv2d_transpose 64×64×8 → 16, 3×3, same", lambda: run_conv2d(big_x, big_w, padding="same"),
         lambda: run_conv2d_transpose(big_x, big_t, padding="same")),
        ("conv2d backward 64×64×8, 3×3×8×16, same", lambda: run_conv2d(big_x, big_w, padding="same"),
         lambda: run_conv2d_backward(big_x, big_w, padding="same")),
        ("pool backward 64×64×8, average 3×3, strides 1, same", lambda: run_pool(big_x, "average", 3, 1, "same"),
         lambda: run_pool_backward(big_x, "average", 3, 1, "same")),
    ]
    print(f"{'call (trace on)':52s} {'forward':>9s} {'this':>9s}  ratio")
    for name, ref, fn in cases:
        base, ms = best(ref, repeat), best(fn, repeat)
        print(f"{name:52s} {base:7.1f}ms {ms:7.1f}ms  {ms / base:5.2f}×")


if __name__ == "__main__":
    main()
