"""Request rate of POST /api/mnist/predict against a bare JSON endpoint on the same server and client.

    .venv/bin/python bench/bench_predict_rate.py [--seconds 8] [--rounds 3] [--connections 4]

Starts one app process (the real app, plus a bare endpoint mounted only for this benchmark:
POST /bench/bare returns {"ok": true} without reading the body), drives it with wrk (Debian's `wrk`,
a different body for each request in turn: 200 MNIST test digits, 200 jittered sample drawings;
installed with apt-get when missing) for each kind in turn, round after round, and prints each kind's
median rate and its ratio to the bare endpoint's rate measured in the same rounds, and the server's CPU
time per request (from /proc; on a machine shared with other work the CPU ratio is the steadier of the
two). The goals (issue 11): pixels ≥ 0.50, strokes ≥ 0.35. It also checks that a request answers
byte-identical JSON twice.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SERVER = """
import sys
import uvicorn
from app.api.responses import JSONResponse
from app.main import create_app

app = create_app()


@app.post("/bench/bare", include_in_schema=False)
async def bare():
    return JSONResponse({"ok": True})


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", http="httptools", loop="uvloop")
"""

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {{}}
for line in io.lines("{body}") do bodies[#bodies + 1] = line end
local k = 0
request = function()
  k = k % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[k])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing Debian's wrk (apt-get install wrk)...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ,
                   "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or sys.exit("wrk is not installed: apt-get install wrk")


def bodies(n: int = 200) -> dict[str, list[bytes]]:
    """Different bodies for every request in a row: MNIST test digits as pixels (4 decimals, as the page
    would send them), and the /draw page's sample strokes moved, scaled and jittered."""
    import numpy as np

    rng = np.random.default_rng(0)
    with np.load(ROOT / "tests" / "data" / "mnist_test_sample.npz") as f:
        images = f["images"][:n].astype(np.float64) / 255
    pixels = [json.dumps({"pixels": np.round(im, 4).tolist()}).encode() for im in images]
    samples = json.loads((ROOT / "static" / "js" / "draw" / "samples.json").read_text())["digits"]
    strokes = []
    for k in range(n):
        digit = samples[str(k % 10)]
        s, dx, dy = rng.uniform(0.6, 1.0), rng.uniform(-20, 40), rng.uniform(-20, 40)
        moved = [[[round(x * s + dx + rng.normal(0, 1.5), 1), round(y * s + dy + rng.normal(0, 1.5), 1)]
                  for x, y in stroke] for stroke in digit]
        strokes.append(json.dumps({"strokes": moved, "width": 280, "height": 280}).encode())
    return {"bare": [b'{"pixels": []}'], "pixels": pixels, "strokes": strokes}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rate(wrk: str, url: str, body_path: str, lua_path: str, seconds: int, connections: int,
         pid: int) -> tuple[float, float]:
    """-> (requests per second, server CPU milliseconds per request)."""
    cpu = cpu_seconds(pid)
    out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", lua_path, url],
                         capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} error responses\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), cpu * 1000 / max(total, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=4)
    args = ap.parse_args()
    wrk = ensure_wrk()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/examples", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        paths = {"bare": "/bench/bare", "pixels": "/api/mnist/predict", "strokes": "/api/mnist/predict"}
        rates: dict[str, list[float]] = {k: [] for k in paths}
        cpu: dict[str, list[float]] = {k: [] for k in paths}
        with tempfile.TemporaryDirectory() as tmp:
            scripts = {}
            for kind, some in bodies().items():
                body_path, lua_path = os.path.join(tmp, f"{kind}.jsonl"), os.path.join(tmp, f"{kind}.lua")
                Path(body_path).write_bytes(b"\n".join(some) + b"\n")
                Path(lua_path).write_text(LUA.format(body=body_path))
                scripts[kind] = (body_path, lua_path)
                if kind != "bare":
                    answers = [urllib.request.urlopen(urllib.request.Request(
                        base + paths[kind], data=some[0], headers={"content-type": "application/json"})).read()
                        for _ in range(2)]
                    assert answers[0] == answers[1], f"{kind}: two answers differ"
            for k in range(args.rounds):
                for kind in paths:
                    r, c = rate(wrk, base + paths[kind], *scripts[kind], args.seconds, args.connections, server.pid)
                    rates[kind].append(r)
                    cpu[kind].append(c)
                print(f"round {k + 1}: " + ", ".join(f"{kind} {rates[kind][-1]:.0f}/s ({cpu[kind][-1]:.2f} ms CPU)"
                                                     for kind in paths), flush=True)
        bare, bare_cpu = statistics.median(rates["bare"]), statistics.median(cpu["bare"])
        print(f"\none app process, wrk -t1 -c{args.connections}, {args.rounds} rounds of {args.seconds} s")
        print(f"{'bare JSON endpoint':22s} {bare:8.0f} req/s  {bare_cpu:6.2f} ms of server CPU a request")
        for kind, goal in (("pixels", 0.50), ("strokes", 0.35)):
            ratios = [r / b for r, b in zip(rates[kind], rates["bare"], strict=True)]
            mine, mine_cpu = statistics.median(rates[kind]), statistics.median(cpu[kind])
            print(f"{'predict with ' + kind:22s} {mine:8.0f} req/s  {mine_cpu:6.2f} ms of server CPU a request; "
                  f"rate ratio {mine / bare:.2f} (per round {', '.join(f'{q:.2f}' for q in ratios)}), "
                  f"CPU ratio {bare_cpu / mine_cpu:.2f}; goal ≥ {goal:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
