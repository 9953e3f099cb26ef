"""What the most expensive requests cost the server: accepted worst cases and refused attacks.

    .venv/bin/python bench/bench_hostile.py

Pictures (decoded as /api/mnist/predict/upload decodes them, in this process: CPU seconds), JSON bodies
and strokes (sent to one app process started here: the answer, its time, and the server's peak RSS).
Goals (issue 12): no accepted picture over 0.5 s of CPU; an accepted JSON body at most 1 s of CPU; a
refused one answered within 1 s, raising peak RSS by at most 100 MB.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.errors import EngineError  # noqa: E402
from app.engine.limits import FILTER_IMAGE_MAX_PIXELS, FILTER_IMAGE_MAX_SIDE  # noqa: E402
from app.imaging.decode import decode  # noqa: E402
from app.mnist import inputs  # noqa: E402


def encoded(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pictures() -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(0)
    noise = Image.fromarray((rng.random((2048, 2048, 3)) * 255).astype(np.uint8))
    grey = Image.fromarray((rng.random((2048, 2048)) * 255).astype(np.uint8))
    flat = encoded(Image.new("L", (2048, 2048), 128), "JPEG", quality=50, progressive=True)
    scan = flat[flat.rfind(b"\xff\xda"):-2]
    tiny = encoded(Image.new("L", (64, 64), 0), "PNG")
    return [
        ("JPEG 2048² noise, progressive, q95", encoded(noise, "JPEG", quality=95, progressive=True)),
        ("JPEG 2048² noise, baseline, q95", encoded(noise, "JPEG", quality=95)),
        ("JPEG 2048², 32 scans (the cap)", flat[:-2] + scan * (32 - flat.count(b"\xff\xda")) + b"\xff\xd9"),
        ("PNG 2048² grey noise", encoded(grey, "PNG", compress_level=1)),
        ("PNG 64², 4,000 text chunks", tiny[:33] + chunk(b"tEXt", b"a\x00b") * 4000 + tiny[33:]),
        ("WebP 2048² noise, lossy q90", encoded(noise, "WEBP", quality=90)),
        ("WebP 1400² noise, lossless", encoded(noise.crop((0, 0, 1400, 1400)), "WEBP", lossless=True)),
        ("refused: JPEG + 30,000 scans", flat[:-2] + scan * 30000 + b"\xff\xd9"),
        ("refused: PNG, 700,000 empty chunks", tiny[:33] + chunk(b"tEXt", b"") * 700_000 + tiny[33:]),
    ]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post(port: int, path: str, body: bytes) -> tuple[int, float]:
    t = time.perf_counter()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                 headers={"content-type": "application/json"})
    try:
        status = urllib.request.urlopen(req, timeout=60).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - t


def bodies() -> list[tuple[str, str, bytes]]:
    one = b"[[[[[[[[[[]]]]]]]]]],"
    zigzag = [[[(i % 2) * 2.6 + 100, 10 + i * 0.013] for i in range(20_000)]]   # 190 canvas sizes long
    scribble = [[[float(x), float(y)] for x, y in np.random.default_rng(1).uniform(0, 280, (20_000, 2))]]
    lstm = {"inputs": np.random.default_rng(2).uniform(-1, 1, (200, 32)).round(4).tolist(), "units": 32}
    conv = {"input": np.random.default_rng(3).uniform(-9, 9, (64, 64, 8)).round(3).tolist(),
            "kernel": np.random.default_rng(4).uniform(-1, 1, (3, 3, 8, 16)).round(3).tolist(), "padding": "same"}
    return [
        ("refused: 1 MiB of nested empty lists", "/api/conv2d", b'{"input": [' + one * 49_000 + b"[]]}"),
        ("refused: 4 MiB of nested lists", "/api/mnist/predict", b'{"pixels": [' + one * 199_000 + b"[]]}"),
        ("refused: 10⁶ stroke points", "/api/mnist/predict",
         json.dumps({"strokes": [[[1, 2]] * 1_000_000], "width": 280, "height": 280}).encode()),
        ("accepted: 20,000 zig-zag stroke points", "/api/mnist/predict",
         json.dumps({"strokes": zigzag, "width": 280, "height": 280}).encode()),
        ("refused: 20,000 random stroke points", "/api/mnist/predict",
         json.dumps({"strokes": scribble, "width": 280, "height": 280}).encode()),
        ("accepted: LSTM T=200, d=u=32", "/api/lstm", json.dumps(lstm).encode()),
        ("accepted: conv 64×64×8 * 3×3×8×16 trace", "/api/conv2d", json.dumps(conv).encode()),
    ]


def zero_png(side: int, colour: int, depth: int) -> bytes:
    """Zeros in Paeth-filtered rows: a tiny file that inflates to side² · channels · depth/8 bytes."""
    row = b"\x04" + bytes(side * {0: 1, 2: 3, 4: 2, 6: 4}[colour] * depth // 8)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, depth, colour, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * side, 9)) + chunk(b"IEND", b""))


def filter_pictures() -> list[tuple[str, bytes]]:
    return [("PNG 4096² 8-bit RGBA zeros (the cap)", zero_png(4096, 6, 8)),
            ("PNG 2896² 16-bit RGBA zeros", zero_png(2896, 6, 16)),
            ("refused: PNG 4096² 16-bit RGBA zeros", zero_png(4096, 6, 16))]


def timed(label: str, raw: bytes, call) -> None:
    t = time.process_time()
    try:
        call(raw)
        what = "accepted"
    except EngineError as exc:
        what = f"422: {exc.rule[:60]}"
    print(f"  {label:40s} {len(raw) / 1e6:6.2f} MB  {time.process_time() - t:6.3f} s CPU  {what}")


def main() -> None:
    print("pictures (decoded in this process as /api/mnist/predict/upload does)")
    for label, raw in pictures():
        timed(label, raw, lambda r: inputs.to_pixels("file", r))
    print("pictures (decoded as /api/image/filter does, up to 4096²)")
    for label, raw in filter_pictures():
        timed(label, raw, lambda r: decode(r, "image", FILTER_IMAGE_MAX_SIDE, FILTER_IMAGE_MAX_PIXELS))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port), "--no-access-log"], cwd=ROOT,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/examples", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        print("\nbodies (one app process)")
        for label, path, body in bodies():
            before = peak_rss_mb(server.pid)
            status, seconds = post(port, path, body)
            print(f"  {label:40s} {len(body) / 2**20:6.2f} MiB  {status}  {seconds:6.3f} s  "
                  f"peak RSS +{peak_rss_mb(server.pid) - before:.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
