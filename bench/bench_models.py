"""Uploaded Keras models: upload + first predict of the MNIST-sized model, predict of a 3-layer LSTM on 100
steps, and how long every bad-file case takes to be refused. Prints medians, with references measured in the
same run (the machine is shared and its speed drifts).

    .venv/bin/python bench/bench_models.py [--repeat 7]

References: the app's own MNIST path (Sequential.load of app/weights/mnist_cnn.npz + predict), and the
three LSTM layers run directly by the engine's lstm.forward (no file, no checks, no response building).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.layers import forward  # noqa: E402
from app.engine.nn import Sequential  # noqa: E402
from app.engine.recurrent import lstm  # noqa: E402
from app.engine.recurrent.common import Weights  # noqa: E402
from app.models import isolated, service  # noqa: E402
from app.models.export import WEIGHTS, mnist_keras_bytes  # noqa: E402
from app.models.reader import read_model  # noqa: E402
from app.models.store import ModelStore  # noqa: E402
from app.models.writer import keras_file  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def lstm_file(d=32, u=64, T=100, seed=0) -> tuple[bytes, list]:
    rng = np.random.default_rng(seed)
    layers, weights, din = [], [], d
    for k in range(3):
        W = (rng.standard_normal((din, 4 * u)) * 0.2).astype(np.float32)
        U = (rng.standard_normal((u, 4 * u)) * 0.2).astype(np.float32)
        b = (rng.standard_normal(4 * u) * 0.1).astype(np.float32)
        layers.append({"class_name": "LSTM", "config": {"name": f"lstm{k + 1}", "units": u,
                                                        "return_sequences": k < 2}, "weights": [W, U, b]})
        weights.append(Weights(W.astype(np.float64), U.astype(np.float64), b.astype(np.float64), []))
        din = u
    layers.append({"class_name": "Dense", "config": {"name": "out", "units": 10, "activation": "softmax"},
                   "weights": [rng.standard_normal((u, 10)).astype(np.float32), np.zeros(10, np.float32)]})
    return keras_file("lstm3", (T, d), layers), weights


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    r = args.repeat
    with np.load(Path(__file__).resolve().parents[1] / "tests" / "data" / "mnist_test_sample.npz") as f:
        digit = f["images"][0].astype(np.float32) / 255.0
    t = time.perf_counter()
    isolated.start()
    print(f"forkserver start (once per app process): {(time.perf_counter() - t) * 1000:.0f} ms")

    data = mnist_keras_bytes()
    print(f"\nMNIST CNN as .keras: {len(data):,} bytes, 293,546 parameters")
    ref = median_ms(lambda: Sequential.load(WEIGHTS).predict(digit[None]), r)
    parse = median_ms(lambda: read_model(data), r)
    parse_iso = median_ms(lambda: isolated.read_model_isolated(data), r)
    model = read_model(data)
    first = median_ms(lambda: forward(model, digit[:, :, None]), r)

    def upload_and_predict():
        with tempfile.TemporaryDirectory() as tmp:
            store = ModelStore(tmp)
            service.forget()
            s = service.upload(data, store=store)
            service.predict_image(s["id"], digit, store=store)

    whole = median_ms(upload_and_predict, r)
    print(f"  reference: the app's own load (npz) + predict            {ref:8.1f} ms")
    print(f"  read the .keras file in-process                         {parse:8.1f} ms  ({parse / ref:.1f}x)")
    print(f"  read it in the child process (what the app does)        {parse_iso:8.1f} ms  ({parse_iso / ref:.1f}x)")
    print(f"  first predict (engine forward, float64)                 {first:8.1f} ms  ({first / ref:.1f}x)")
    print(f"  service.upload + predict_image (store, every layer out)  {whole:8.1f} ms  ({whole / ref:.1f}x)")

    lstm_data, weights = lstm_file()
    model = read_model(lstm_data)
    x = np.random.default_rng(1).standard_normal((100, 32))

    def direct():
        h = x
        for w in weights:
            h = lstm.forward(h, w, "tanh", "sigmoid", np.zeros(64), np.zeros(64))[0]

    with tempfile.TemporaryDirectory() as tmp:
        store = ModelStore(tmp)
        s = service.upload(lstm_data, store=store)
        xs = x.tolist()
        ref = median_ms(direct, r)
        fwd = median_ms(lambda: forward(model, x), r)
        pred = median_ms(lambda: service.predict(s["id"], xs, store=store), r)
        tr = median_ms(lambda: service.trace(s["id"], "lstm2", [99, 5], input=xs, store=store), r)
    print("\n3-layer LSTM (d = 32, 64 units each, return_sequences on the first two) on 100 steps, 58,570 parameters")
    print(f"  reference: the engine's lstm.forward x3, directly      {ref:8.1f} ms")
    print(f"  engine forward of the model                            {fwd:8.1f} ms  ({fwd / ref:.2f}x)")
    print(f"  service.predict (input parsed, every layer as lists)   {pred:8.1f} ms  ({pred / ref:.2f}x)")
    print(f"  service.trace of lstm2 at step 99, unit 5              {tr:8.1f} ms  ({tr / ref:.2f}x)")

    from tests.models.badfiles import cases
    rows = []
    for name, bad, _, _ in cases():
        def refuse(bad=bad):
            try:
                isolated.read_model_isolated(bad)
            except Exception:
                pass

        def refuse_here(bad=bad):
            try:
                read_model(bad)
            except Exception:
                pass
        rows.append((median_ms(refuse_here, 3), median_ms(refuse, 3), name))
    rows.sort(reverse=True)
    print(f"\nbad files ({len(rows)} cases), refused in-process / through the child process, slowest first:")
    for here, child, name in rows[:6]:
        print(f"  {here:7.1f} ms / {child:7.1f} ms  {name}")
    print(f"  ... all {len(rows)}: at most {max(r[0] for r in rows):.1f} ms in-process, "
          f"{max(r[1] for r in rows):.1f} ms through the child")


if __name__ == "__main__":
    main()
