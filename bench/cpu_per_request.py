"""Server CPU per request, for each kind of the load test's workload on its own.

Starts `uvicorn app.main:app` (one worker) on a free loopback port, sends each kind of request from
bench/load_test.py (fresh random bodies, 4 keep-alive clients) for a few seconds, and prints the CPU the
server process used per request (user + system, from /proc), next to the server time it reports.
This is the number that decides the load test: on 2 cores, 32 back-to-back clients see a latency of about
32 × (CPU per request) / 2.

Run: .venv/bin/python bench/cpu_per_request.py [--seconds 6] [--clients 4]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_test as L  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    bodies = L.make_bodies(1500, seed=7)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
                               str(port), "--log-level", "warning"], cwd=L.ROOT)
    try:
        L.wait_for(port, server)
        L.warm_up(port)
        for kind, (name, _, _) in enumerate(L.KINDS):
            only = [b if k == kind else [] for k, b in enumerate(bodies)]

            async def go(only=only, kind=kind):
                results, elapsed = [], 0.0
                cursor = [0] * len(L.KINDS)
                loop_results: list = []
                deadline = asyncio.get_running_loop().time() + args.seconds
                t0 = asyncio.get_running_loop().time()

                async def client(k):
                    conn = L.Connection(port)
                    while asyncio.get_running_loop().time() < deadline:
                        raw = only[kind][cursor[kind] % len(only[kind])]
                        cursor[kind] += 1
                        status, headers, _ = await conn.request(raw)
                        loop_results.append((status, float(headers["server-timing"].split("dur=")[1])))
                    await conn.close()

                await asyncio.gather(*(client(k) for k in range(args.clients)))
                elapsed = asyncio.get_running_loop().time() - t0
                results = loop_results
                return results, elapsed

            cpu0 = L.cpu_seconds(server.pid)
            results, elapsed = asyncio.run(go())
            cpu = L.cpu_seconds(server.pid) - cpu0
            ok = sum(r[0] == 200 for r in results)
            print(f"{name:18s} {len(results) / elapsed:6.1f} req/s  server CPU {cpu / len(results) * 1000:5.1f} ms a "
                  f"request  server time median {statistics.median(r[1] for r in results):5.1f} ms  "
                  f"({ok}/{len(results)} ok)")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
