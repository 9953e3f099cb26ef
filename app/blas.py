"""OpenBLAS kernels for the CPU, for the commands that train and measure the engine (not for the server).

NumPy's OpenBLAS picks its kernels for the CPU when it loads, unless OPENBLAS_CORETYPE names them. Some
environments pin the AVX2 kernels (this project's machines set OPENBLAS_CORETYPE=Haswell) on CPUs that have
AVX-512: NumPy's matrix products then run at about half the speed the CPU allows, while PyTorch's oneDNN uses
AVX-512. `python -m app.train` and `bench/bench_engine_vs_torch.py` therefore start again, once, without the pin, so
that OpenBLAS picks the kernels for the CPU itself (SkylakeX on this project's AMD Zen 5 machines), unless told to
keep it. Only an AVX2 pin on a CPU whose /proc/cpuinfo lists every AVX-512 extension OpenBLAS's AVX-512 kernels
use is dropped; any other setting, or none, is left as it is. The results differ from the pinned kernels' only in
float32 rounding.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

VARIABLE = "OPENBLAS_CORETYPE"
AVX2_PINS = frozenset({"haswell", "zen"})   # OpenBLAS's AVX2 kernels (Intel's and AMD's names)
AVX512_FLAGS = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
CPUINFO = Path("/proc/cpuinfo")
STARTED_AGAIN = "APP_BLAS_STARTED_AGAIN"    # set in the second start: never a third, whatever resets the pin


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The instruction-set flags of the first CPU in /proc/cpuinfo (empty where there is none: not Linux)."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def drop_pin(env=os.environ, flags: frozenset[str] | None = None) -> bool:
    """Whether the environment's AVX2 pin should go on this AVX-512 CPU (see above)."""
    if env.get(STARTED_AGAIN) or env.get(VARIABLE, "").strip().lower() not in AVX2_PINS:
        return False
    return AVX512_FLAGS <= (cpu_flags() if flags is None else flags)


def use_cpu_kernels(keep_pin: bool = False) -> None:
    """Start this command again without the environment's AVX2 pin on an AVX-512 CPU (see above). Call it first
    thing in main(), before any thread or process starts; it returns when nothing is to change, or when the command
    cannot be started again as it was (a program read from standard input, no known interpreter)."""
    if keep_pin or not drop_pin() or not sys.executable or sys.argv[0] in ("", "-"):   # "", "-": read from stdin
        return
    argv = sys.orig_argv[1:]
    env = {k: v for k, v in os.environ.items() if k != VARIABLE} | {STARTED_AGAIN: os.environ[VARIABLE]}
    print(f"OpenBLAS: {VARIABLE}={os.environ[VARIABLE]} pins AVX2 kernels on a CPU with AVX-512; starting again "
          "without it, so that OpenBLAS picks this CPU's kernels (--keep-blas-pin keeps the pin)",
          file=sys.stderr, flush=True)
    sys.stdout.flush()
    try:
        os.execve(sys.executable, [sys.executable, *argv], env)
    except OSError as e:   # the interpreter cannot be started again: go on with the pinned kernels
        print(f"OpenBLAS: could not start again ({e}); going on with {VARIABLE}={os.environ[VARIABLE]}",
              file=sys.stderr, flush=True)


def kernels_in_use() -> str | None:
    """The kernels of the OpenBLAS NumPy loaded ("Haswell", "SkylakeX", ...), None for another BLAS."""
    import numpy  # noqa: F401  (loads OpenBLAS, if it is not loaded yet)
    from threadpoolctl import threadpool_info

    found = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    mine = [i for i in found if "numpy" in str(i.get("filepath", ""))]   # NumPy's own, before another library's
    return (mine or found or [{}])[0].get("architecture")
