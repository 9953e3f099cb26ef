"""Mutate the Keras fixtures (byte flips, overwritten runs, truncation, config edits) and read each result:
every outcome must be a model or an EngineError, never another exception. Prints counts and the slowest read.

    .venv/bin/python bench/fuzz_models.py [N] [--seed S]

Reads go through app.models.isolated (a child process with a deadline), as the app's uploads do: a file on
which libhdf5 loops or crashes is counted as refused ("EngineError"); --in-process reads here instead (a hang
then stops the script: that is how tests/data/keras_bad/libhdf5_loops.h5.gz was found).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine.errors import EngineError  # noqa: E402
from app.engine.layers import forward  # noqa: E402
from app.models.isolated import read_model_isolated  # noqa: E402
from app.models.reader import read_model  # noqa: E402
from tests.models.badfiles import edit_keras_config, members  # noqa: E402
from tests.models.helpers import FILES, fixture_bytes  # noqa: E402

CONFIG_VALUES = [None, True, -1, 0, 1, 2**40, 1e308, "x", "same", [], [1], [None], {}, [[1, 2], [3]], "causal"]


def mutate(data: bytes, rng) -> bytes:
    b = bytearray(data)
    kind = rng.integers(0, 4)
    if kind == 0:                                  # flip some bytes
        for _ in range(rng.integers(1, 20)):
            b[rng.integers(0, len(b))] = rng.integers(0, 256)
    elif kind == 1:                                # overwrite a run
        start = rng.integers(0, len(b))
        b[start:start + rng.integers(1, 400)] = bytes(rng.integers(0, 256, 400, dtype=np.uint8))
    elif kind == 2:                                # truncate
        b = b[:rng.integers(0, len(b))]
    else:                                          # duplicate a chunk
        start = rng.integers(0, len(b))
        b[start:start] = b[start:start + rng.integers(1, 2000)]
    return bytes(b)


def mutate_config(data: bytes, rng) -> bytes:
    def change(cfg):
        layers = cfg["config"]["layers"]
        layer = layers[rng.integers(0, len(layers))]["config"]
        key = list(layer)[rng.integers(0, len(layer))]
        layer[key] = CONFIG_VALUES[rng.integers(0, len(CONFIG_VALUES))]
    return edit_keras_config(data, change)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--verbose", action="store_true", help="print each case before reading it")
    ap.add_argument("--in-process", action="store_true", help="read in this process (no deadline)")
    ap.add_argument("--save", type=Path, help="write each failing input to this directory")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    sources = {f: fixture_bytes(f) for f in FILES}
    keras_files = [f for f in FILES if f.endswith(".keras")]
    outcomes, slowest, failures = collections.Counter(), (0.0, ""), []
    for i in range(args.n):
        if i % 3 == 2:
            name = keras_files[rng.integers(0, len(keras_files))]
            data, how = mutate_config(sources[name], rng), "config"
        elif i % 3 == 1 and rng.random() < 0.5:    # mutate the weights member inside an intact zip
            name = keras_files[rng.integers(0, len(keras_files))]
            files = members(sources[name])
            files["model.weights.h5"] = mutate(files["model.weights.h5"], rng)
            from tests.models.badfiles import rezip
            data, how = rezip(files), "weights member"
        else:
            name = FILES[rng.integers(0, len(FILES))]
            data, how = mutate(sources[name], rng), "bytes"
        t, outcome = time.perf_counter(), "read and ran"
        if args.verbose:
            print(i, name, how, file=sys.stderr, flush=True)
        try:
            model = read_model(data) if args.in_process else read_model_isolated(data)
            x = np.ones([d or 3 for d in model.input_shape])
            forward(model, x)
        except EngineError as e:
            if "unexpected" in e.rule or "library failed" in e.rule:   # the child met a reader defect or died
                outcome = e.rule
                failures.append((name, how, e.rule, data))
            else:
                outcome = "EngineError (deadline)" if "more than" in e.rule and "to read" in e.rule else "EngineError"
        except Exception as e:                     # a defect: report it
            outcome = type(e).__name__
            failures.append((name, how, traceback.format_exc(limit=3), data))
        outcomes[outcome] += 1
        dt = time.perf_counter() - t
        if dt > slowest[0]:
            slowest = (dt, f"{name} ({how}): {outcome}")
    print(json.dumps(dict(outcomes)), f"slowest {slowest[0] * 1000:.1f} ms: {slowest[1]}")
    for k, (name, how, tb, data) in enumerate(failures):
        if k < 5:
            print(f"--- {name} ({how})\n{tb}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"failure{k}-{name}").write_bytes(data)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
