"""MNIST CNN timings in-process: single-image and batch-256 predict, and training time from the card.

"per sample" is the server's path (Sequential.infer with per_sample: a digit's bits do not depend on its batch).

    python bench/bench_mnist.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from threadpoolctl import threadpool_limits  # noqa: E402

from app.mnist.inference import WEIGHTS, load_model, predict  # noqa: E402
from app.mnist.preprocess import preprocess, rasterize_strokes  # noqa: E402


def timed(f, repeat):
    f()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return np.median(times) * 1000, np.min(times) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    t = time.perf_counter()
    model = load_model(WEIGHTS)
    ms = (time.perf_counter() - t) * 1000
    print(f"load weights          {ms:8.1f} ms  ({WEIGHTS.stat().st_size} bytes)")
    sample = np.load(ROOT / "tests" / "data" / "mnist_test_sample.npz")
    x = sample["images"].astype(np.float32) / 255
    for label, f in [
        ("predict 1 image", lambda: model.predict(x[:1])),
        ("predict 1, per sample", lambda: model.predict(x[:1], per_sample=True)),
        ("inference.predict 1", lambda: predict(model, x[:1])),  # the server's path (per sample)
        ("inference.predict 4", lambda: predict(model, x[:4])),
        ("inference.predict 1 +act", lambda: predict(model, x[:1], activations="float32")),
        ("predict batch 256", lambda: model.predict(x[:256])),
    ]:
        med, best = timed(f, args.repeat)
        print(f"{label:26s}{med:8.3f} ms median  {best:8.3f} ms best")
    strokes = [[[150, 40], [60, 170], [200, 170]], [[160, 90], [160, 250]]]
    med, best = timed(lambda: preprocess(rasterize_strokes(strokes, 280, 280)), args.repeat)
    print(f"{'rasterize+preprocess':26s}{med:8.3f} ms median  {best:8.3f} ms best")
    card_path = WEIGHTS.with_suffix(".json")
    if card_path.exists():
        card = json.loads(card_path.read_text())
        epochs = [h["seconds"] for h in card["history"]]
        print(f"training (model card): {card['training_seconds']:.0f} s wall, "
              f"{card.get('training_cpu_seconds', 0):.0f} s CPU for {len(epochs)} epochs, "
              f"{np.mean(epochs):.0f} s/epoch mean ({min(epochs):.0f}-{max(epochs):.0f}), "
              f"test accuracy {card['test_accuracy']:.4f}")
        if card.get("robustness"):
            print(f"robustness set: {card['robustness']['accuracy']:.4f} on {card['robustness']['size']} digits")


if __name__ == "__main__":
    with threadpool_limits(limits=1):  # as the server: one BLAS thread per process
        main()
