"""Load test: a mixed workload against `uvicorn app.main:app --workers 2` (or, with --nginx, against
deploy/nginx/run.sh PORT 2: nginx in front of 2 app processes) on loopback.

Starts the server itself on a free 127.0.0.1 port, warms it up (every endpoint, then 5 s of load), drives
it with N concurrent clients for D seconds (bounded: it stops by itself), then prints requests/s,
p50/p95/p99 latency, errors, and the server's memory (RSS of the uvicorn processes) after the warm-up and at
the end.

The workload: a 28×28 convolution trace (random digits 0–9, random 3×3 kernel), 2×2 max pooling of a random
28×28 input, an LSTM over 20 random steps (random seed), and a prediction from a PNG of a hand-drawn "7" at a
random place and width. Every request body is different: they are generated before the timed run
(--bodies per kind, cycled if the run needs more; the count of repeats is printed).

The clients are a small HTTP/1.1 client over asyncio streams (keep-alive, TCP_NODELAY, `Accept-Encoding:
gzip` like a browser), not httpx: on this 2-core machine the load generator shares the CPU with the server,
and httpx used 40% of it, which then showed up as client-side queueing in the latencies. Every 20th
response is decompressed and parsed to check it is the JSON the endpoint documents.

--think T: each client waits a random 0..2T seconds between its requests (a class of students stepping
through pages); the default 0 sends back to back, which measures saturation (latency = clients / throughput).

Run: .venv/bin/python bench/load_test.py [--nginx] [--clients 32] [--seconds 60] [--workers 2] [--think 0]
Goals on the 2-core machine: no errors, memory growth under 10%, p99 under 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
KINDS = [("conv trace 28×28", "/api/conv2d", "steps"), ("pool", "/api/pool", "steps"),
         ("lstm T=20", "/api/lstm", "steps"), ("predict png", "/api/mnist/predict", "probabilities")]
ERRORS: list[str] = []
RECONNECTS = [0]


def digit_png(rng: random.Random) -> str:
    img = Image.new("L", (200, 200), 255)
    dx, dy = rng.randint(-20, 20), rng.randint(-20, 20)
    ImageDraw.Draw(img).line([(40 + dx, 40 + dy), (160 + dx, 40 + dy), (90 + dx, 170 + dy)], fill=0,
                             width=rng.randint(10, 18))  # a "7", dark on light, somewhere on the canvas
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def body(kind: int, rng: random.Random) -> dict:
    """A random request body of one kind of the workload."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    if kind == 0:
        return {"input": nrng.integers(0, 10, (28, 28)).tolist(), "kernel": nrng.integers(-2, 3, (3, 3)).tolist(),
                "padding": "same"}
    if kind == 1:
        return {"input": nrng.integers(0, 10, (28, 28)).tolist(), "mode": "max", "pool_size": 2}
    if kind == 2:
        return {"inputs": np.round(nrng.uniform(-1, 1, (20, 3)), 3).tolist(), "units": 4,
                "seed": rng.randint(0, 10**6)}
    return {"image": digit_png(rng)}


def workload(rng: random.Random | None = None) -> list[tuple[str, str, dict]]:
    """One request of each kind (name, path, body); with rng, new random inputs."""
    rng = rng or random.Random(0)
    return [(name, path, body(k, rng)) for k, (name, path, _) in enumerate(KINDS)]


def request_bytes(path: str, payload: dict) -> bytes:
    data = json.dumps(payload, separators=(",", ":")).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Accept-Encoding: gzip\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


def make_bodies(per_kind: int, seed: int) -> list[list[bytes]]:
    rng = random.Random(seed)
    return [[request_bytes(path, body(k, rng)) for _ in range(per_kind)] for k, (_, path, _) in enumerate(KINDS)]


def family(pid: int) -> list[int]:
    """A process and all its descendants (run.sh's app processes and nginx with its workers)."""
    children = [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
                .stdout.split()]
    return [pid] + [q for c in children for q in family(c)]


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


def steal_seconds() -> float:
    """CPU time the hypervisor gave to other guests (the `steal` column of /proc/stat), all cores."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


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


class Connection:
    """One keep-alive HTTP/1.1 connection: send prepared request bytes, read status, headers and body."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            await self.open()
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        else:  # chunked
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(p[:-2] for p in parts)
        if headers.get("connection", "").lower() == "close":
            RECONNECTS[0] += 1
            await self.close()
        return status, headers, data

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def check_body(kind: int, headers: dict, data: bytes) -> None:
    if headers.get("content-encoding") == "gzip":
        data = gzip.decompress(data)
    doc = json.loads(data)
    if KINDS[kind][2] not in doc:
        raise ValueError(f"no {KINDS[kind][2]!r} in the response")


async def client_loop(port, k, bodies, cursor, deadline, results, think):
    rng = random.Random(k)
    kind = k % len(KINDS)
    conn = Connection(port)
    n = 0
    if think:  # students do not all click at the same instant: each starts after its own first pause
        await asyncio.sleep(rng.uniform(0, 2 * think))
    while time.perf_counter() < deadline:
        name = KINDS[kind][0]
        raw = bodies[kind][cursor[kind] % len(bodies[kind])]
        cursor[kind] += 1
        t0 = time.perf_counter()
        server = float("nan")
        try:
            status, headers, data = await conn.request(raw)
            ok = status == 200
            server = float(headers.get("server-timing", "dur=nan").split("dur=")[1]) / 1000
            if not ok:
                ERRORS.append(f"{name}: HTTP {status} {data[:300]!r}")
            elif n % 20 == 0:
                check_body(kind, headers, data)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            ok = False
            ERRORS.append(f"{name}: {type(exc).__name__} {exc}")
            await conn.close()
        results.append((name, time.perf_counter() - t0, ok, server, k, t0))
        n += 1
        kind = (kind + 1) % len(KINDS)
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))
    await conn.close()


async def load(port: int, clients: int, seconds: float, think: float, bodies, cursor):
    results: list = []
    deadline = time.perf_counter() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(*(client_loop(port, k, bodies, cursor, deadline, results, think) for k in range(clients)))
    return results, time.perf_counter() - t0


def warm_up(port: int) -> None:
    async def go():
        conn = Connection(port)
        for kind, (_, path, payload) in enumerate(workload()):
            status, headers, data = await conn.request(request_bytes(path, payload))
            print(f"warm-up {path}: {status}, {len(data):,} bytes as sent ({headers.get('content-encoding')})")
            if status != 200:
                raise SystemExit(data[:500])
            check_body(kind, headers, data)
        await conn.close()
    asyncio.run(go())


def pct(values, q):
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("the server exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /api/examples HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                if sock.recv(20).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def run(coro):
    try:
        import uvloop
        return uvloop.run(coro)
    except ImportError:
        return asyncio.run(coro)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2, help="app processes (with --nginx: run.sh's N)")
    ap.add_argument("--nginx", action="store_true", help="deploy/nginx/run.sh PORT N instead of uvicorn --workers N")
    ap.add_argument("--think", type=float, default=0.0, help="mean seconds a client waits between requests")
    ap.add_argument("--bodies", type=int, default=6000, help="distinct request bodies per kind")
    ap.add_argument("--timeline", help="write every request (start s, latency ms, server ms, kind, client) as CSV")
    args = ap.parse_args()
    t = time.perf_counter()
    bodies = make_bodies(args.bodies, seed=0)
    warm_bodies = make_bodies(200, seed=1)
    print(f"{args.bodies:,} bodies per kind made in {time.perf_counter() - t:.1f} s")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if args.nginx:
        server = subprocess.Popen(["bash", str(ROOT / "deploy/nginx/run.sh"), str(port), str(args.workers)], cwd=ROOT,
                                  start_new_session=True, stdout=subprocess.DEVNULL)
    else:
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
                                   str(port), "--workers", str(args.workers), "--log-level", "warning"], cwd=ROOT)
    try:
        wait_for(port, server)
        warm_up(port)
        run(load(port, args.clients, 5, args.think, warm_bodies, [0] * len(KINDS)))  # every worker warm
        ERRORS.clear()
        before, server_cpu0, client_cpu0 = rss_kb(server.pid), cpu_seconds(server.pid), time.process_time()
        steal0 = steal_seconds()
        cursor = [0] * len(KINDS)
        results, elapsed = run(load(port, args.clients, args.seconds, args.think, bodies, cursor))
        after, server_cpu, client_cpu = (rss_kb(server.pid), cpu_seconds(server.pid) - server_cpu0,
                                         time.process_time() - client_cpu0)
        steal = steal_seconds() - steal0
    finally:
        server.terminate()
        server.wait(timeout=20)
    if args.timeline:
        first = min(r[5] for r in results)
        with open(args.timeline, "w") as out:
            out.write("start_s,latency_ms,server_ms,kind,client\n")
            for r in sorted(results, key=lambda r: r[5]):
                out.write(f"{r[5] - first:.4f},{r[1] * 1000:.1f},{r[3] * 1000:.1f},{r[0]},{r[4]}\n")
    lat = [r[1] for r in results]
    errors = sum(not r[2] for r in results)
    repeats = sum(max(0, c - args.bodies) for c in cursor)
    print(f"\n{len(results):,} requests in {elapsed:.1f} s with {args.clients} clients (think {args.think} s), "
          f"{args.workers} app processes{' behind nginx' if args.nginx else ''}: {len(results) / elapsed:.1f} req/s, "
          f"errors {errors}, "
          f"repeated bodies {repeats}")
    print(f"latency p50 {pct(lat, .5):.0f} ms, p95 {pct(lat, .95):.0f} ms, p99 {pct(lat, .99):.0f} ms")
    srv = [r[3] for r in results if r[3] == r[3]]
    print(f"server time (Server-Timing: arrival to response headers) p50 {pct(srv, .5):.0f} ms, "
          f"p95 {pct(srv, .95):.0f} ms, p99 {pct(srv, .99):.0f} ms")
    for name in dict.fromkeys(r[0] for r in results):
        own = [r[1] for r in results if r[0] == name]
        own_srv = [r[3] for r in results if r[0] == name and r[3] == r[3]]
        print(f"  {name:18s} n={len(own):5d}  p50 {pct(own, .5):6.0f} ms  p99 {pct(own, .99):6.0f} ms  "
              f"mean {statistics.mean(own) * 1000:6.0f} ms  server p50 {pct(own_srv, .5):5.1f} ms")
    means = sorted(statistics.mean(r[1] for r in results if r[4] == k) * 1000 for k in range(args.clients)
                   if any(r[4] == k for r in results))
    print(f"mean latency per client (a client sticks to one worker while its connection lasts): "
          f"min {means[0]:.0f} ms, median {means[len(means) // 2]:.0f} ms, max {means[-1]:.0f} ms; "
          f"reconnections {RECONNECTS[0]}")
    for line in ERRORS[:5]:
        print("  error:", line)
    print(f"CPU used: server {server_cpu:.0f} s ({server_cpu / len(results) * 1000:.1f} ms a request), "
          f"load generator {client_cpu:.0f} s, of {2 * elapsed:.0f} core-seconds on this 2-core machine; "
          f"taken by the hypervisor (steal) {steal:.1f} s")
    print(f"server RSS after warm-up {before / 1024:.0f} MB, at the end {after / 1024:.0f} MB "
          f"({(after - before) / max(before, 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
