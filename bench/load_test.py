"""Load test: a mixed workload against `uvicorn app.main:app --workers 2` on loopback.

Starts the server itself on a free 127.0.0.1 port, warms it up (every endpoint, then 5 s of load), drives
it with N concurrent asyncio clients for D seconds (bounded: it stops by itself), then prints requests/s,
p50/p95/p99 latency, errors, and the server's memory (RSS of the uvicorn processes) after the warm-up and at
the end. Every request has its own random input (no two bodies alike), so nothing is served from a cache.

--think T: each client waits a random 0..2T seconds between its requests (a class of students stepping
through pages); the default 0 sends back to back, which measures saturation (latency = clients / throughput).

Run: .venv/bin/python bench/load_test.py [--clients 32] [--seconds 60] [--workers 2] [--think 0]
Goals on the 2-core machine: no errors, memory growth under 10%, p99 under 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
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


ERRORS: list[str] = []


def digit_png(rng: random.Random) -> str:
    img = Image.new("L", (200, 200), 255)
    dx, dy = rng.randint(-20, 20), rng.randint(-20, 20)
    ImageDraw.Draw(img).line([(40 + dx, 40 + dy), (160 + dx, 40 + dy), (90 + dx, 170 + dy)], fill=0,
                             width=rng.randint(10, 18))  # a "7", dark on light, somewhere on the canvas
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def workload(rng: random.Random | None = None) -> list[tuple[str, str, dict]]:
    """The mixed workload; with rng, every call gives new random inputs."""
    rng = rng or random.Random(0)
    x28 = [[rng.randint(0, 9) for _ in range(28)] for _ in range(28)]
    seq = [[round(rng.uniform(-1, 1), 3) for _ in range(3)] for _ in range(20)]
    kernel = [[rng.randint(-2, 2) for _ in range(3)] for _ in range(3)]
    return [
        ("conv trace 28×28", "/api/conv2d", {"input": x28, "kernel": kernel, "padding": "same"}),
        ("pool", "/api/pool", {"input": x28, "mode": "max", "pool_size": 2}),
        ("lstm T=20", "/api/lstm", {"inputs": seq, "units": 4, "seed": rng.randint(0, 10**6)}),
        ("predict png", "/api/mnist/predict", {"image": digit_png(rng)}),
    ]


def family(pid: int) -> list[int]:
    return [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
                    .stdout.split()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the uvicorn workers)."""
    total = 0
    for p in family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """RSS of a process and its children (the uvicorn workers)."""
    total = 0
    pids = family(pid)
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


async def client_loop(client, seed, deadline, results, think):
    rng = random.Random(seed)
    i = rng.randrange(4)
    while time.perf_counter() < deadline:
        name, path, body = workload(rng)[i % 4]
        i += 1
        t0 = time.perf_counter()
        server = float("nan")
        try:
            r = await client.post(path, json=body)
            ok = r.status_code == 200
            server = float(r.headers.get("server-timing", "dur=nan").split("dur=")[1]) / 1000
            if not ok:
                ERRORS.append(f"{name}: HTTP {r.status_code} {r.text[:300]}")
        except httpx.HTTPError as exc:
            ok = False
            ERRORS.append(f"{name}: {type(exc).__name__} {exc}")
        results.append((name, time.perf_counter() - t0, ok, server))
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))


async def load(base: str, clients: int, seconds: float, think: float, seed: int):
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    # TCP_NODELAY: without it the client's header and body writes meet the server's delayed ACK
    # (Nagle's algorithm), which added 40 ms or more to every request, whatever the server did.
    transport = httpx.AsyncHTTPTransport(limits=limits,
                                         socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    async with httpx.AsyncClient(base_url=base, timeout=60, transport=transport) as c:
        results: list = []
        deadline = time.perf_counter() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(*(client_loop(c, seed + k, deadline, results, think) for k in range(clients)))
        return results, time.perf_counter() - t0


def warm_up(base: str) -> None:
    for _, path, body in workload():
        r = httpx.post(base + path, json=body, timeout=60)
        print(f"warm-up {path}: {r.status_code}, {len(r.content):,} bytes")
        if r.status_code != 200:
            raise SystemExit(r.text)


def pct(values, q):
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--think", type=float, default=0.0, help="mean seconds a client waits between requests")
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
        warm_up(base)
        asyncio.run(load(base, args.clients, 5, args.think, seed=10_000))  # every worker warm
        before, server_cpu0, client_cpu0 = rss_kb(server.pid), cpu_seconds(server.pid), time.process_time()
        results, elapsed = asyncio.run(load(base, args.clients, args.seconds, args.think, seed=0))
        after, server_cpu, client_cpu = (rss_kb(server.pid), cpu_seconds(server.pid) - server_cpu0,
                                         time.process_time() - client_cpu0)
    finally:
        server.terminate()
        server.wait(timeout=20)
    lat = [r[1] for r in results]
    errors = sum(not r[2] for r in results)
    print(f"\n{len(results):,} requests in {elapsed:.1f} s with {args.clients} clients (think {args.think} s), "
          f"{args.workers} workers: "
          f"{len(results) / elapsed:.1f} req/s, errors {errors}")
    print(f"latency p50 {pct(lat, .5):.0f} ms, p95 {pct(lat, .95):.0f} ms, p99 {pct(lat, .99):.0f} ms")
    srv = [r[3] for r in results if r[3] == r[3]]
    print(f"server time (Server-Timing: arrival to response headers) p50 {pct(srv, .5):.0f} ms, "
          f"p95 {pct(srv, .95):.0f} ms, p99 {pct(srv, .99):.0f} ms")
    for name in dict.fromkeys(r[0] for r in results):
        own = [r[1] for r in results if r[0] == name]
        print(f"  {name:18s} n={len(own):5d}  p50 {pct(own, .5):6.0f} ms  p99 {pct(own, .99):6.0f} ms  "
              f"mean {statistics.mean(own) * 1000:6.0f} ms")
    for line in ERRORS[:5]:
        print("  error:", line)
    print(f"CPU used: server {server_cpu:.0f} s ({server_cpu / len(results) * 1000:.1f} ms a request), "
          f"load generator {client_cpu:.0f} s, of {2 * elapsed:.0f} core-seconds on this 2-core machine")
    print(f"server RSS after warm-up {before / 1024:.0f} MB, at the end {after / 1024:.0f} MB "
          f"({(after - before) / max(before, 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
