"""Read an uploaded file in a child process with a deadline, so that libhdf5 cannot hang, crash or flood the app.

h5py's checks run in Python, but libhdf5 itself is C: a damaged file can make it loop (one was found by
bench/fuzz_models.py and is kept as tests/data/keras_bad/libhdf5_loops.h5.gz) or, in principle, crash. So the
app never opens an uploaded file in its own process: a child forked from a forkserver (a small single-threaded
process started once per app process, with numpy and h5py already imported) reads it under resource limits
(MODEL_READ_MEMORY_BYTES of address space, no file writes, RLIMIT_CPU as a last resort) and is killed once it
has used MODEL_READ_CPU_SECONDS of CPU plus one second per MODEL_READ_BYTES_PER_CPU_SECOND of file (0.5 s for
a small file, 3 s for a 20 MiB one) plus MODEL_READ_CPU_PER_WEIGHT per weight array its config names (the
child says how many once the config is checked: a small file of 499 LSTM layers holds 1,497 arrays and needs
~1 s; up to MODEL_READ_MAX_COUNTED_WEIGHTS are counted), or after MODEL_READ_WALL_SECONDS by the clock.
CPU time, read from /proc/<pid>/stat, not the clock: on a machine shared with other work a legitimate file's
read can take 4 times as long by the clock (seen here: 640 ms for the 1 MB MNIST file at load average 12) but
not more CPU, while a file on which libhdf5 loops burns CPU and is stopped at 0.5 s of it (where /proc is
missing, the budget is applied to the clock). The child sends back only
data: the config as JSON text and the weights as an .npz read with allow_pickle=False; the parent parses the
config and builds the model itself and checks every array against the shape the config gives it. Nothing the
child sends is unpickled.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import threading
import time

import numpy as np

from app.engine.errors import EngineError
from app.engine.layers import Model, build
from app.engine.limits import (
    MODEL_MAX_PARAMS,
    MODEL_MAX_UPLOAD_BYTES,
    MODEL_READ_BYTES_PER_CPU_SECOND,
    MODEL_READ_CPU_PER_WEIGHT,
    MODEL_READ_CPU_SECONDS,
    MODEL_READ_MAX_COUNTED_WEIGHTS,
    MODEL_READ_MEMORY_BYTES,
    MODEL_READ_WALL_SECONDS,
)

from . import config as cfg

MAX_REPLY = 8 * MODEL_MAX_PARAMS + 64 * 1024 * 1024      # float64 weights of the largest model, and the config
_ctx = None
_ctx_lock = threading.Lock()


def context():
    """The forkserver context (spawn where there is none), its server preloaded with the reader."""
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            methods = multiprocessing.get_all_start_methods()
            _ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                _ctx.set_forkserver_preload(["app.models.reader", "h5py", "numpy"])
        return _ctx


def start() -> None:
    """Start the forkserver now (e.g. at app start-up), so the first upload does not pay for it (~0.5 s)."""
    try:
        read_model_isolated(b"not a model", cpu=30.0, wall=60.0)
    except EngineError:
        pass


def _limit_resources() -> None:
    try:
        import resource
    except ImportError:         # not on POSIX: the deadline still applies
        return
    most = cpu_budget(MODEL_MAX_UPLOAD_BYTES) + MODEL_READ_MAX_COUNTED_WEIGHTS * MODEL_READ_CPU_PER_WEIGHT
    for name, value in (("RLIMIT_AS", MODEL_READ_MEMORY_BYTES), ("RLIMIT_CPU", int(most) + 2),
                        ("RLIMIT_FSIZE", 0), ("RLIMIT_CORE", 0)):
        limit = getattr(resource, name, None)
        if limit is not None:
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):
                pass


def _child(data: bytes, conn) -> None:
    """In the child: say b"S" (started: what multiprocessing did before, e.g. re-importing a script's __main__,
    does not count against the reading's budget), read the file, send b"M" + npz (config text, keras version,
    weights) or b"E" + JSON error."""
    _limit_resources()
    conn.send_bytes(b"S")
    try:
        from app.models.reader import read_parts
        text, keras, weights = read_parts(data, lambda n: conn.send_bytes(b"W%d" % n))
        buf = io.BytesIO()
        arrays = {f"w{k}": a for k, (_, _, a) in enumerate(weights)}
        meta = {"config": text, "keras": keras, "weights": [[i, name] for i, name, _ in weights]}
        np.savez(buf, __meta__=np.array(json.dumps(meta)), **arrays)
        conn.send_bytes(b"M" + buf.getvalue())
    except EngineError as e:
        conn.send_bytes(b"E" + json.dumps({"field": e.field, "rule": e.rule, "code": e.code}).encode())
    except MemoryError:
        conn.send_bytes(b"E" + json.dumps({"field": "file", "rule": "needs too much memory to read",
                                           "code": "bad_model_file"}).encode())
    except Exception as e:    # a reader defect: still a refusal, named so bench/fuzz_models.py reports it
        conn.send_bytes(b"E" + json.dumps({"field": "file", "rule": f"could not be read (unexpected "
                                           f"{type(e).__name__})", "code": "bad_model_file"}).encode())
    finally:
        conn.close()


def _refused(rule: str) -> EngineError:
    return EngineError("file", rule, code="bad_model_file")


def _unavailable(what: str) -> EngineError:
    """The reading process failed before it read anything: the server's fault, not the file's (the API: 503)."""
    return EngineError("file", f"was not read: {what} (a fault of this server, not of the file; try again)",
                       code="reader_unavailable")


def cpu_budget(size: int) -> float:
    """CPU seconds the reading of a file of `size` bytes may use."""
    return MODEL_READ_CPU_SECONDS + size / MODEL_READ_BYTES_PER_CPU_SECOND


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc/<pid>/stat (fields 14 and 15); None without /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def read_model_isolated(data: bytes, cpu: float | None = None, wall: float = MODEL_READ_WALL_SECONDS) -> Model:
    """read_model in a child process, killed after `cpu` CPU seconds (default cpu_budget(len(data))) or `wall`
    seconds by the clock."""
    cpu = cpu_budget(len(data)) if cpu is None else cpu
    ctx = context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(bytes(data), send), daemon=True)
    start = time.monotonic()
    child.start()
    send.close()
    try:
        base = None                                     # the child's CPU time when it said it started
        while True:
            if receive.poll(0.02):
                try:
                    reply = receive.recv_bytes(MAX_REPLY)
                except (EOFError, OSError):
                    if base is None:    # e.g. a script without `if __name__ == "__main__":` re-ran in the child
                        raise _unavailable("the reading process ended before it started") from None
                    raise _refused("could not be read: the HDF5 library failed on it") from None
                if reply[:1] == b"W" and base is not None and reply[1:].isdigit():
                    cpu += min(int(reply[1:]), MODEL_READ_MAX_COUNTED_WEIGHTS) * MODEL_READ_CPU_PER_WEIGHT
                    continue            # the config is checked: reading its weight arrays earns their time
                if reply != b"S" or base is not None:
                    break
                base = cpu_seconds(child.pid) or 0.0
                continue
            used = cpu_seconds(child.pid)
            elapsed = time.monotonic() - start
            if base is None:
                if elapsed > wall:
                    raise _unavailable(f"the reading process did not start within {wall:g} s")
            elif (used - base if used is not None else elapsed) > cpu:
                raise _refused(f"used more than {cpu:.1f} s of CPU to read (the budget grows with the file's size "
                               "and its number of weight arrays): a damaged or hostile file")
            if elapsed > wall:
                raise _refused(f"took more than {wall:g} s to read: a damaged or hostile file")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    return _rebuild(reply)


def _rebuild(reply: bytes) -> Model:
    tag, body = reply[:1], reply[1:]
    if tag == b"E":
        err = json.loads(body)
        raise EngineError(str(err["field"])[:200], str(err["rule"])[:1000], err.get("code"))
    if tag != b"M":
        raise _refused("could not be read")
    try:    # the child read and checked all of it: what fails here is a fault of the reply, never a 500
        with np.load(io.BytesIO(body), allow_pickle=False) as npz:
            meta = json.loads(str(npz["__meta__"]))
            text, keras = meta["config"], int(meta["keras"])
            mc = cfg.parse(json.loads(text), keras)
            model = build(mc.name, mc.input_shape, mc.layers, keras, mc.input_name)
            specs = {(i, s.name): s for i, layer in enumerate(model.layers) for s in layer.weight_specs}
            got = {(int(i), str(name)): npz[f"w{k}"] for k, (i, name) in enumerate(meta["weights"])}
    except EngineError:
        raise
    except (ValueError, KeyError, TypeError, OSError):
        raise _refused("could not be read") from None
    if set(got) != set(specs):
        raise _refused("could not be read: its weights do not match its config")
    for (i, name), a in got.items():
        if a.dtype.kind != "f" or a.shape != specs[(i, name)].shape or not np.isfinite(a).all():
            raise _refused("could not be read: its weights do not match its config")
        model.layers[i].weights[name] = a
    return model
