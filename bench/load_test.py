"""Load test: a mixed workload against `uvicorn app.main:app --workers 2` on loopback.

Starts the server itself on a free 127.0.0.1 port, drives it with N concurrent asyncio clients for D
seconds (bounded: it stops by itself), then prints requests/s, p50/p95/p99 latency, errors, and the
server's memory (RSS of the uvicorn processes) before and after.

Run: .venv/bin/python bench/load_test.py [--clients 32] [--seconds 60] [--workers 2]
Goals on the 2-core machine: no errors, memory growth under 10%, p99 under 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent


def digit_png() -> str:
    img = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(img).line([(40, 40), (160, 40), (90, 170)], fill=0, width=14)  # a "7", dark on light
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def workload() -> list[tuple[str, str, dict]]:
    rng = random.Random(0)
    x28 = [[rng.randint(0, 9) for _ in range(28)] for _ in range(28)]
    seq = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(20)]
    return [
        ("conv trace 28×28", "/api/conv2d", {"input": x28, "kernel": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
                                             "padding": "same"}),
        ("pool", "/api/pool", {"input": x28, "mode": "max", "pool_size": 2}),
        ("lstm T=20", "/api/lstm", {"inputs": seq, "units": 4, "seed": 1}),
        ("predict png", "/api/mnist/predict", {"image": digit_png()}),
    ]


def rss_kb(pid: int) -> int:
    """RSS of a process and its children (the uvicorn workers)."""
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
                    .stdout.split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


async def client_loop(client, jobs, deadline, results):
    i = random.randrange(len(jobs))
    while time.perf_counter() < deadline:
        name, path, body = jobs[i % len(jobs)]
        i += 1
        t0 = time.perf_counter()
        try:
            r = await client.post(path, json=body)
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
        results.append((name, time.perf_counter() - t0, ok))


async def run(base: str, clients: int, seconds: float):
    jobs = workload()
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=clients)) as c:
        for _, path, body in jobs:  # warm up, and check each endpoint answers
            r = await c.post(path, json=body)
            print(f"warm-up {path}: {r.status_code}, {len(r.content):,} bytes")
        results: list = []
        deadline = time.perf_counter() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(*(client_loop(c, jobs, deadline, results) for _ in range(clients)))
        return results, time.perf_counter() - t0


def pct(values, q):
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(args.workers), "--log-level", "warning"], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/api/examples", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        time.sleep(1)
        before = rss_kb(server.pid)
        results, elapsed = asyncio.run(run(base, args.clients, args.seconds))
        after = rss_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    lat = [r[1] for r in results]
    errors = sum(not r[2] for r in results)
    print(f"\n{len(results):,} requests in {elapsed:.1f} s with {args.clients} clients, {args.workers} workers: "
          f"{len(results) / elapsed:.1f} req/s, errors {errors}")
    print(f"latency p50 {pct(lat, .5):.0f} ms, p95 {pct(lat, .95):.0f} ms, p99 {pct(lat, .99):.0f} ms")
    for name in dict.fromkeys(r[0] for r in results):
        own = [r[1] for r in results if r[0] == name]
        print(f"  {name:18s} n={len(own):5d}  p50 {pct(own, .5):6.0f} ms  p99 {pct(own, .99):6.0f} ms  "
              f"mean {statistics.mean(own) * 1000:6.0f} ms")
    print(f"server RSS before {before / 1024:.0f} MB, after {after / 1024:.0f} MB "
          f"({(after - before) / max(before, 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
