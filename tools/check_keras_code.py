"""Run the Keras code the API writes (the `keras.code` of every response) in real Keras and compare what it
prints with the engine's numbers: the lecture's examples and seeded random requests.

    .venv/bin/python tools/check_keras_code.py --keras-python /path/to/venv-with-keras/bin/python

The other interpreter needs keras (3.x) and a backend (e.g. `pip install keras jax`); it runs with
KERAS_BACKEND=jax unless KERAS_BACKEND is set. Keras is not a dependency of the app or its tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

RUNNER = r"""
import json, sys
import numpy as np
cases = json.load(open(sys.argv[1]))
bad = 0
for case in cases:
    shown = []
    exec(case["code"], {"print": lambda *a, **k: shown.append(np.asarray(a[0], dtype=np.float64))})
    got, want = shown[-1], np.asarray(case["expected"], dtype=np.float64)
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-4)
    bad += not ok
    print(("ok  " if ok else "BAD ") + case["name"] + ("" if ok else f": {got.tolist()} vs {want.tolist()}"))
sys.exit(1 if bad else 0)
"""


def cases() -> list[dict]:
    from app.engine.conv import run_conv2d
    from app.engine.pool import run_pool
    from app.engine.recurrent import run_gru, run_lstm, run_rnn
    from app.examples import all_examples

    runners = {"/api/conv2d": run_conv2d, "/api/pool": run_pool, "/api/rnn": run_rnn, "/api/lstm": run_lstm,
               "/api/gru": run_gru}
    requests = [(e["id"], e["endpoint"], e["request"]) for e in all_examples()]
    rng = np.random.default_rng(0)
    for k in range(6):
        x = rng.integers(-3, 4, (5, 6, 2)).tolist()
        kernel = rng.integers(-2, 3, (3, 2, 2, 3)).tolist()
        padding = ["valid", "same", "full", 1, [[0, 2], [1, 0]], "same"][k]
        body = {"input": x, "kernel": kernel, "padding": padding, "bias": [0.5, -1, 2],
                "strides": [1, 2] if k % 2 else 1, "activation": ["linear", "relu", "tanh"][k % 3]}
        requests.append((f"conv-random-{k}", "/api/conv2d", body))
        pool = {"input": x, "mode": ["max", "average"][k % 2], "pool_size": [2, 3][k % 2],
                "padding": ["valid", "same"][k % 2], "strides": None if k < 3 else [1, 2]}
        requests.append((f"pool-random-{k}", "/api/pool", pool))
    seq = rng.uniform(-1, 1, (4, 3)).round(3).tolist()
    requests += [
        ("lstm-random", "/api/lstm", {"inputs": seq, "units": 2, "seed": 1, "recurrent_activation": "hard_sigmoid",
                                      "initial_state": {"h": [0.5, -0.5], "c": [1, 0]},
                                      "output_layer": {"units": 2, "activation": "hard_sigmoid"}}),
        ("gru-random", "/api/gru", {"inputs": seq, "units": 3, "seed": 2, "reset_after": False,
                                    "initial_state": [0.1, 0.2, 0.3]}),
        ("rnn-random", "/api/rnn", {"inputs": seq, "units": 2, "seed": 3, "activation": "relu",
                                    "output_layer": {"units": 1, "activation": "sigmoid"}}),
    ]
    out = []
    for name, endpoint, body in requests:
        r = runners[endpoint](**body)
        expected = r.get("outputs") or r.get("hidden") if endpoint not in ("/api/conv2d", "/api/pool") else r["output"]
        out.append({"name": name, "code": r["keras"]["code"], "expected": expected})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras-python", required=True, help="a Python interpreter that has keras installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cases.json")
        with open(path, "w") as f:
            json.dump(cases(), f)
        env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
        return subprocess.run([args.keras_python, "-c", RUNNER, path], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
