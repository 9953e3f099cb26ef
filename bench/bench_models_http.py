"""The /api/models routes end to end (in-process ASGI client: routing, body caps, multipart parsed in memory,
the reading child, JSON out, no network): upload + first predict of the app's MNIST CNN as a .keras file, and
predict + trace of a 3-layer LSTM on 100 steps. Medians, with references measured in the same run (the machine is
shared and its speed drifts).

    .venv/bin/python bench/bench_models_http.py [--repeat 7]

References: POST /api/mnist/predict with every activation (the app's own model, the same drawing), and
service.predict on the LSTM (the work below the HTTP layer).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Only the standard library at the top: the reading child (a forkserver child) imports this script again as
# __mp_main__ before it reads a file, and that import counts against its CPU budget (0.5 s).
SEVEN = {"strokes": [[[70, 50], [210, 50], [120, 240]]], "width": 280, "height": 280}


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def ok(response):
    assert response.status_code == 200, response.text[:300]
    return response


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    n = ap.parse_args().repeat
    os.environ["MODELS_DIR"] = tempfile.mkdtemp(prefix="bench-models-")
    import numpy as np
    from fastapi.testclient import TestClient

    from app.main import app
    from app.models import service
    from bench.bench_models import lstm_file

    with TestClient(app) as client:
        data = ok(client.get("/api/mnist/model.keras")).content
        model_id = ok(client.post("/api/models", files={"file": ("m.keras", data)})).json()["id"]

        def upload_and_predict():
            service.forget()               # as a new process would: the file is read again, in the child
            ok(client.post("/api/models", files={"file": ("m.keras", data)}))
            ok(client.post(f"/api/models/{model_id}/predict", json=SEVEN))

        print(f"MNIST CNN as .keras ({len(data):,} bytes), the same drawing each time")
        ref = median_ms(lambda: ok(client.post("/api/mnist/predict", json={**SEVEN, "include_activations": True})), n)
        print(f"  reference: POST /api/mnist/predict with every activation  {ref:8.1f} ms")
        for label, fn in (
            ("POST /api/models + first POST .../predict", upload_and_predict),
            ("POST .../predict (cached model, lists)", lambda: ok(client.post(f"/api/models/{model_id}/predict",
                                                                             json=SEVEN))),
            ("POST .../predict (cached model, float32)", lambda: ok(client.post(
                f"/api/models/{model_id}/predict", json={**SEVEN, "format": "float32"}))),
            ("POST .../trace conv2 [3, 3, 5]", lambda: ok(client.post(
                f"/api/models/{model_id}/trace", json={**SEVEN, "layer": "conv2", "index": [3, 3, 5]}))),
        ):
            ms = median_ms(fn, n)
            print(f"  {label:56s} {ms:8.1f} ms  ({ms / ref:.1f}x)")

        file, _ = lstm_file()
        lstm_id = ok(client.post("/api/models", files={"file": ("lstm3.keras", file)})).json()["id"]
        x = np.random.default_rng(1).standard_normal((100, 32)).round(4).tolist()
        print("\n3-layer LSTM (d = 32, 64 units each) on 100 steps")
        ref = median_ms(lambda: service.predict(lstm_id, x), n)
        print(f"  reference: service.predict (no HTTP)                      {ref:8.1f} ms")
        for label, fn in (
            ("POST .../predict", lambda: ok(client.post(f"/api/models/{lstm_id}/predict", json={"input": x}))),
            ("POST .../trace lstm2 [99, 5]", lambda: ok(client.post(
                f"/api/models/{lstm_id}/trace", json={"input": x, "layer": "lstm2", "index": [99, 5]}))),
        ):
            ms = median_ms(fn, n)
            print(f"  {label:56s} {ms:8.1f} ms  ({ms / ref:.2f}x)")


if __name__ == "__main__":
    main()
