"""Animation cost: server CPU time and bytes of POST /api/conv2d/animation and /api/pool/animation's work.

Run: .venv/bin/python bench/bench_animation.py [--repeat N]
Goal (issue 13): at most 2 s of server CPU and 2 MB for the lecture's examples and a 28×28 input.

Each case is rendered `repeat` times, round after round; CPU seconds (time.process_time: the work of this process,
whatever else the machine does) are the median and minimum over the rounds. The reference measured in the same
rounds is the engine's JSON trace of the same request (run_conv2d / run_pool, what /api/conv2d returns): the
ratio says how many traces one animation costs, which moves less with the machine's load than seconds do.
The last cases are the largest the caps let through (and one they refuse), to show the caps bound the cost.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from app.engine.conv import run_conv2d
from app.engine.errors import EngineError
from app.engine.pool import run_pool
from app.examples.conv import EXAMPLES
from app.media.animation import animate

DIGIT = np.load(Path(__file__).resolve().parent.parent / "tests" / "data" / "mnist_test_sample.npz")["images"][0]
X28 = (DIGIT / 255.0).round(4).tolist()
SOBEL = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]


def cases() -> list[tuple[str, str, dict, str]]:
    out = [(ex["id"], "conv" if ex["endpoint"] == "/api/conv2d" else "pool", ex["request"], "gif") for ex in EXAMPLES]
    rng = np.random.default_rng(0)
    out += [
        ("28×28 digit, 3×3 'same' (784 steps)", "conv", {"input": X28, "kernel": SOBEL, "padding": "same"}, "gif"),
        ("28×28 digit, 5×5 'valid' (576 steps)", "conv",
         {"input": X28, "kernel": rng.normal(size=(5, 5)).round(2).tolist()}, "gif"),
        ("28×28 digit, max pool 2×2 (196 steps)", "pool", {"input": X28, "mode": "max"}, "gif"),
        ("28×28 digit, 3×3 'same', png strip", "conv", {"input": X28, "kernel": SOBEL, "padding": "same"}, "png"),
        ("64×64, 3×3 'same' (4,096 steps)", "conv",
         {"input": rng.normal(size=(64, 64)).round(2).tolist(), "kernel": SOBEL, "padding": "same"}, "gif"),
        ("16×16×8 input, 11×11×8×4 kernel 'same'", "conv",
         {"input": rng.integers(-3, 4, (16, 16, 8)).tolist(), "kernel": rng.integers(-2, 3, (11, 11, 8, 4)).tolist(),
          "padding": "same"}, "gif"),
        ("32×32×4 'same', 3×3×4×16", "conv",
         {"input": rng.normal(size=(32, 32, 4)).round(2).tolist(), "kernel": rng.normal(size=(3, 3, 4, 16)).round(2)
          .tolist(), "padding": "same"}, "gif"),
        ("64×64×8 (refused)", "conv",
         {"input": np.ones((64, 64, 8)).tolist(), "kernel": np.ones((3, 3, 8, 2)).tolist(), "padding": "same"}, "gif"),
    ]
    return out


def reference(kind: str, request: dict) -> None:
    (run_conv2d if kind == "conv" else run_pool)(**request)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    n = parser.parse_args().repeat
    rows = []
    for name, kind, request, fmt in cases():
        anim, ref, facts, size, refused = [], [], None, 0, None
        for _ in range(n):
            t0 = time.process_time()
            try:
                data, _, facts = animate(kind, request, fmt, "zh-TW")
                size = len(data)
            except EngineError as exc:
                refused = exc.rule
            t1 = time.process_time()
            reference(kind, request)
            t2 = time.process_time()
            anim.append(t1 - t0)
            ref.append(t2 - t1)
        rows.append((name, fmt, facts, size, refused, anim, ref))
    print(f"{'case':44} {'fmt':4} {'frames/steps':>13} {'px':>10} {'bytes':>10} {'CPU s med':>9} {'min':>6} "
          f"{'× trace':>8}")
    for name, fmt, facts, size, refused, anim, ref in rows:
        med, ratio = statistics.median(anim), statistics.median(anim) / max(1e-9, statistics.median(ref))
        if refused:
            print(f"{name:44} {fmt:4} {'refused':>13} {'':>10} {'':>10} {med:9.3f} {min(anim):6.3f} {ratio:8.1f}"
                  f"   ({refused[:60]}…)")
            continue
        frames = f"{facts['frames']}/{facts['steps']}"
        px = f"{facts['width']}×{facts['height']}"
        print(f"{name:44} {fmt:4} {frames:>13} {px:>10} {size:10,} {med:9.3f} {min(anim):6.3f} {ratio:8.1f}")
    print("\nCPU seconds of this process (time.process_time); × trace: the animation's CPU over the engine trace's "
          "CPU for the same request, same rounds. Goal: ≤ 2 s and ≤ 2,000,000 bytes for the lecture's examples and "
          "28×28.")


if __name__ == "__main__":
    main()
