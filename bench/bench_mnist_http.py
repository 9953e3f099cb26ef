"""/api/mnist/predict latency: in-process (the endpoint's own function) and over HTTP (uvicorn on loopback).

Run: .venv/bin/python bench/bench_mnist_http.py [--repeat N] [--browser]
Uses app/weights/mnist_cnn.npz, or the file named by MNIST_WEIGHTS (the server inherits it).
Prints median / p95 in ms and the response size of each request kind. With --browser, also the /draw
page's own figure in headless Chromium: from the end of a mouse stroke to the answer, probability bars,
preprocessing steps and feature maps drawn (the page's #timing data-ms).
"""

from __future__ import annotations

import argparse
import base64
import io
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image, ImageDraw
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.api import mnist as api  # noqa: E402
from app.api.mnist_schemas import PredictRequest  # noqa: E402
from app.api.responses import JSONResponse  # noqa: E402
from app.mnist import inference  # noqa: E402

SEVEN = {"strokes": [[[70, 50], [210, 50], [120, 240]]], "width": 280, "height": 280}


def requests() -> dict[str, dict]:
    with np.load(ROOT / "tests" / "data" / "mnist_test_sample.npz") as f:
        images = np.round(f["images"][:256] / 255.0, 4)
    img = Image.new("RGB", (280, 280), "white")
    ImageDraw.Draw(img).line([(70, 50), (210, 50), (120, 240)], fill="black", width=26, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    png = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return {
        "pixels (one 28×28)": {"pixels": images[0].tolist()},
        "strokes": SEVEN,
        "strokes + activations (float32)": {**SEVEN, "include_activations": True, "activations_format": "float32"},
        "strokes + activations (lists)": {**SEVEN, "include_activations": True},
        "image (280×280 PNG data URL)": {"image": png},
        "batch of 256": {"batch": images.tolist()},
    }


def stats(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    return f"median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  min {times[0]:7.1f} ms"


def in_process(bodies: dict[str, dict], repeat: int) -> None:
    model = inference.load_model()
    if model is None:
        sys.exit("no model: train it first (.venv/bin/python -m app.train --data DIR) or set MNIST_WEIGHTS")
    print("in-process (validation + preprocessing + forward pass + JSON encoding):")
    for name, body in bodies.items():
        req = PredictRequest(**body)
        api.run_predict(model, req)
        times = []
        n = max(3, repeat // 4) if "256" in name else repeat
        for _ in range(n):
            t0 = time.perf_counter()
            out = JSONResponse(api.run_predict(model, req)).body
            times.append((time.perf_counter() - t0) * 1000)
        print(f"  {name:34s} {stats(times)}  {len(out) / 1024:8.1f} KB")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_browser(url: str, strokes: int) -> None:
    from playwright.sync_api import sync_playwright

    chromium = "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "/draw")
        idle = page.locator(".answer-panel[aria-busy='false']")  # no prediction on its way
        idle.wait_for()
        box = page.locator("#pad").bounding_box()
        times = []
        for k in range(strokes + 2):
            page.click("#clear")
            idle.wait_for()
            page.evaluate("document.getElementById('timing').dataset.ms = ''")
            x = box["x"] + box["width"] * (0.45 + 0.01 * (k % 10))
            page.mouse.move(x, box["y"] + box["height"] * 0.15)
            page.mouse.down()
            page.mouse.move(x, box["y"] + box["height"] * 0.85, steps=15)
            page.mouse.up()
            page.locator("#timing[data-ms]:not([data-ms=''])").wait_for()
            idle.wait_for()
            if k >= 2:  # the first two warm up the page and the server
                times.append(float(page.locator("#timing").get_attribute("data-ms")))
        browser.close()
    print(f"  /draw page, end of stroke -> everything drawn ({len(times)} strokes): {stats(times)}")


def over_http(bodies: dict[str, dict], repeat: int, browser: bool = False) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
                               str(port), "--log-level", "warning"], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            deadline = time.time() + 30
            while True:
                try:
                    client.get("/api/examples")
                    break
                except httpx.TransportError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.1)
            print(f"over HTTP (uvicorn on {url}, one keep-alive connection, JSON bodies):")
            for name, body in bodies.items():
                first = client.post("/api/mnist/predict", json=body)
                first.raise_for_status()
                times = []
                n = max(3, repeat // 4) if "256" in name else repeat
                for _ in range(n):
                    t0 = time.perf_counter()
                    r = client.post("/api/mnist/predict", json=body)
                    times.append((time.perf_counter() - t0) * 1000)
                print(f"  {name:34s} {stats(times)}  {len(r.content) / 1024:8.1f} KB")
        if browser:
            in_browser(url, max(5, repeat // 2))
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--browser", action="store_true", help="also time the /draw page in headless Chromium")
    args = ap.parse_args()
    bodies = requests()
    with threadpool_limits(limits=1):  # as the server runs (app/main.py): BLAS threads on 2 cores fight each other
        in_process(bodies, args.repeat)
    over_http(bodies, args.repeat, args.browser)


if __name__ == "__main__":
    main()
