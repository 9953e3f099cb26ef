"""How well the uploaded-model cost cap predicts time: nanoseconds per cost unit for every layer kind.

    .venv/bin/python bench/bench_model_costs.py

A run of an uploaded model is refused before it starts when its cost passes MODEL_MAX_COST (3·10⁸ units;
spec.Kind.cost: a multiply-add is 1 unit, an output number copied 3, an activation by its COSTS entry, a
recurrent step by STEP_COSTS). This script runs one layer of each kind in this process, best of 3, and
prints its time per unit and the ratio to a BLAS-backed Dense layer measured in the same run (the
reference: what a unit was meant to be). The goal: no kind over ~1.5 ns a unit here, so that the costliest
accepted predict stays within about half a second of CPU; the last lines run the three attacks that were
accepted before the caps counted steps, element-wise work and padded grids (they must be refused at once), and
the widest patch matrix the caps allow (its CPU time and peak allocation).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.errors import EngineError  # noqa: E402
from app.engine.layers import activations, build, forward, plan  # noqa: E402
from app.engine.layers.spec import KINDS  # noqa: E402
from app.engine.limits import MODEL_MAX_COST  # noqa: E402


def model(shape, configs):
    m = build("m", shape, [(c, f"l{i}", cfg) for i, (c, cfg) in enumerate(configs)], keras=3)
    rng = np.random.default_rng(0)
    for layer in m.layers:
        for spec in layer.weight_specs:      # small positive weights: no overflow, variances stay positive
            layer.weights[spec.name] = np.abs(rng.normal(0, 0.1, spec.shape)).astype(np.float32)
    return m


def cost(m, shape) -> int:
    total, s = 0, tuple(shape)
    for layer, out in zip(m.layers, plan(m, s), strict=True):
        total += KINDS[layer.class_name].cost(layer, s, out)
        s = out
    return total


def best(f, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def ns_per_unit(shape, configs) -> tuple[float, int]:
    m = model(shape, configs)
    x = np.random.default_rng(1).uniform(-1, 1, shape)
    units = cost(m, shape)
    return best(lambda: forward(m, x)) / units * 1e9, units


CASES = [
    ("Dense 2000 -> 2000 (one vector)", (2000,), [("Dense", {"units": 2000})]),
    ("Dense (100, 300) -> 300", (100, 300), [("Dense", {"units": 300})]),
    ("Conv2D 64×64×32, 3×3, 32 filters", (64, 64, 32), [("Conv2D", {"filters": 32, "kernel_size": [3, 3]})]),
    ("Conv2D 128×128×3, 3×3, 16 filters", (128, 128, 3), [("Conv2D", {"filters": 16, "kernel_size": [3, 3]})]),
    ("Conv1D 1000×16, 5, 16 filters", (1000, 16), [("Conv1D", {"filters": 16, "kernel_size": 5})]),
    ("MaxPooling2D 256×256×16", (256, 256, 16), [("MaxPooling2D", {"pool_size": [2, 2]})]),
    ("AveragePooling2D 256×256×16", (256, 256, 16), [("AveragePooling2D", {"pool_size": [2, 2]})]),
    ("GlobalAveragePooling2D 256×256×16", (256, 256, 16), [("GlobalAveragePooling2D", {})]),
    ("BatchNormalization 1000×1000", (1000, 1000), [("BatchNormalization", {})]),
    ("ReLU 1000×1000", (1000, 1000), [("ReLU", {})]),
    ("ZeroPadding2D 500×500×4", (500, 500, 4), [("ZeroPadding2D", {"padding": [2, 2]})]),
    ("Flatten 1000×1000", (1000, 1000), [("Flatten", {})]),
    ("Rescaling 1000×1000", (1000, 1000), [("Rescaling", {"scale": 0.5, "offset": 0.1})]),
    ("Softmax 1000×1000", (1000, 1000), [("Softmax", {})]),
    *[(f"Activation {a} 1000×1000", (1000, 1000), [("Activation", {"activation": a})])
      for a in sorted(activations.COSTS) if a != "hard_sigmoid_keras3"],
    *[(f"{c} units={u}, 2000 steps", (2000, u), [(c, {"units": u, "return_sequences": True})])
      for c in ("SimpleRNN", "LSTM", "GRU") for u in (1, 32, 128)],
]


def attacks():
    """The accepted attacks of the hostile-input reviews: 22.8 s and 25 s before (2026-11-30); the padded grid of a
    dilation of 10⁶, 18 s of CPU and 8 GB before (2026-12-01)."""
    lstm = model((5000, 1), [("LSTM", {"units": 1, "return_sequences": True})] * 200)
    gelu = model((630, 630), [("Activation", {"activation": "gelu"})] * 470)
    dilated = model((None, None, 1), [("Conv2D", {"filters": 1, "kernel_size": [1, 2], "padding": "same",
                                                  "dilation_rate": [1, 1_000_000]})])
    for name, m, shape in (("200 × LSTM(1) on 5,000 steps", lstm, (5000, 1)),
                           ("470 × Activation(gelu) on 630×630", gelu, (630, 630)),
                           ("Conv2D 'same', dilation (1, 10⁶), on 1000×1×1", dilated, (1000, 1, 1))):
        t = time.perf_counter()
        try:
            forward(m, np.zeros(shape))
            print(f"  {name}: ACCEPTED, {time.perf_counter() - t:.2f} s")
        except EngineError as e:
            print(f"  {name}: refused in {(time.perf_counter() - t) * 1e3:.2f} ms ({e.code})")
    # within every cap: one filter of 90×90 taps over 224×224 positions; its patch matrix is made a few rows at a
    # time (app/engine/conv.py COLS_MAX), where it was 3.2 GB whole
    wide = model((224, 224, 1), [("Conv2D", {"filters": 1, "kernel_size": [90, 90], "padding": "same"})])
    tracemalloc.start()
    t = time.process_time()
    forward(wide, np.ones((224, 224, 1)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  Conv2D(1, 90×90, 'same') on 224×224×1 (accepted): {time.process_time() - t:.2f} s of CPU, "
          f"peak {peak / 2**20:.0f} MB allocated")


def main() -> None:
    ref, _ = ns_per_unit(*CASES[0][1:])
    print(f"{'layer':40s} {'units':>13s} {'ns/unit':>8s} {'÷ Dense':>8s}")
    worst = (0.0, "")
    for name, shape, configs in CASES:
        ns, units = ns_per_unit(shape, configs)
        worst = max(worst, (ns, name))
        print(f"{name:40s} {units:13,d} {ns:8.3f} {ns / ref:8.2f}")
    print(f"reference (Dense, one vector): {ref:.3f} ns a unit; worst: {worst[1]} at {worst[0]:.3f} ns a unit, "
          f"so a run at the cap ({MODEL_MAX_COST:,} units) would take ~{worst[0] * MODEL_MAX_COST / 1e9:.2f} s")
    attacks()


if __name__ == "__main__":
    main()
