"""Conv2D speed: vectorised vs the naive loop, and /api/conv2d server time and payload size.

Run: .venv/bin/python bench/bench_conv.py
Goals: 64×64×8 input with a 3×3×8×16 kernel under 5 ms (vectorised);
/api/conv2d for a 28×28 input, 3×3 kernel, trace on: under 30 ms and 300 KB.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from app.engine.conv import conv2d, conv2d_naive, pad_input
from app.engine.padding import resolve_padding
from app.main import app


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=(64, 64, 8)), rng.normal(size=(3, 3, 8, 16))
    xp = pad_input(x, resolve_padding("same", (64, 64), (3, 3), (1, 1)))
    conv2d(xp, W)  # warm up
    fast = timed(lambda: conv2d(xp, W), 50)
    slow = timed(lambda: conv2d_naive(xp, W), 1)
    print(f"conv2d 64×64×8 * 3×3×8×16 (same): vectorised median {statistics.median(fast):.2f} ms "
          f"(min {min(fast):.2f}), naive loop {slow[0]:.0f} ms, speed-up ×{slow[0] / statistics.median(fast):.0f}")

    digits = rng.integers(0, 10, size=(28, 28)).tolist()
    sample = np.load(Path(__file__).resolve().parent.parent / "tests/data/mnist_test_sample.npz")
    mnist = sample[[k for k in sample.files if "image" in k or k == "x"][0]][0].astype(int).tolist()
    for label, image, kernel in [("random digits 0-9, random kernel in -2..2", digits,
                                  rng.integers(-2, 3, size=(3, 3)).tolist()),
                                 ("an MNIST test digit (0-255), Sobel kernel", mnist,
                                  [[1, 0, -1], [2, 0, -2], [1, 0, -1]])]:
        api_bench(label, {"input": image, "kernel": kernel, "padding": "same", "trace": True})


def api_bench(label: str, body: dict) -> None:
    with TestClient(app) as client:
        client.post("/api/conv2d", json=body)
        sizes = []

        server = []

        def call():
            r = client.post("/api/conv2d", json=body)
            sizes.append((len(r.content), int(r.headers["content-length"])))
            server.append(float(r.headers["server-timing"].split("dur=")[1]))

        api = timed(call, 30)
        off = timed(lambda: client.post("/api/conv2d", json={**body, "trace": False}), 30)
    print(f"/api/conv2d 28×28 * 3×3 trace on, {label}:\n"
          f"  server time (Server-Timing) median {statistics.median(server):.1f} ms, "
          f"p95 {sorted(server)[int(0.95 * len(server)) - 1]:.1f} ms; round trip in-process median "
          f"{statistics.median(api):.1f} ms, p95 "
          f"{sorted(api)[int(0.95 * len(api)) - 1]:.1f} ms, payload {sizes[0][0] / 1024:.0f} KB JSON "
          f"({sizes[0][0]:,} bytes, 784 steps), {sizes[0][1] / 1024:.0f} KB gzipped on the wire; "
          f"trace off: {statistics.median(off):.1f} ms")


if __name__ == "__main__":
    main()
