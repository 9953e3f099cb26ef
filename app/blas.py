"""OpenBLAS kernels for the CPU, for the commands that train and measure the engine (not for the server).

NumPy's OpenBLAS picks its kernels for the CPU when it loads, unless OPENBLAS_CORETYPE names them. Some
environments pin the AVX2 kernels (this project's machines set OPENBLAS_CORETYPE=Haswell) on CPUs that have
AVX-512: NumPy's matrix products then run at about half the speed the CPU allows, while PyTorch's oneDNN uses
AVX-512. `python -m app.train` and `bench/bench_engine_vs_torch.py` therefore start again, once, with the
AVX-512 kernels OpenBLAS itself picks for such a CPU (SkylakeX), unless told to keep the pin. Only an AVX2 pin on a
CPU whose /proc/cpuinfo lists every AVX-512 extension the SkylakeX kernels use is changed; any other setting, or
none, is left as it is. The results differ from the pinned kernels' only in float32 rounding.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

VARIABLE = "OPENBLAS_CORETYPE"
AVX2_PINS = frozenset({"haswell", "zen"})   # OpenBLAS's AVX2 kernels (Intel's and AMD's names)
AVX512 = "SkylakeX"                          # the kernels OpenBLAS picks itself on an AVX-512 CPU
AVX512_FLAGS = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
CPUINFO = Path("/proc/cpuinfo")


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


def better_kernels(env=os.environ, flags: frozenset[str] | None = None) -> str | None:
    """The kernels to use instead of the environment's AVX2 pin, or None to leave the setting alone."""
    if env.get(VARIABLE, "").strip().lower() not in AVX2_PINS:
        return None
    return AVX512 if AVX512_FLAGS <= (cpu_flags() if flags is None else flags) else None


def use_cpu_kernels(keep_pin: bool = False) -> None:
    """Start this command again with the CPU's AVX-512 kernels when the environment pins AVX2 ones (see above).
    Call it first thing in main(), before any thread or process starts; it returns when nothing is to change."""
    kernels = None if keep_pin else better_kernels()
    if kernels is None:
        return
    print(f"OpenBLAS: {VARIABLE}={os.environ[VARIABLE]} pins AVX2 kernels on a CPU with AVX-512; starting again "
          f"with {VARIABLE}={kernels} (--keep-blas-pin keeps the pin)", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], {**os.environ, VARIABLE: kernels})


def kernels_in_use() -> str | None:
    """The OpenBLAS kernels NumPy loaded ("Haswell", "SkylakeX", ...), None for another BLAS."""
    import numpy  # noqa: F401  (loads OpenBLAS, if it is not loaded yet)
    from threadpoolctl import threadpool_info

    for info in threadpool_info():
        if info.get("internal_api") == "openblas":
            return info.get("architecture")
    return None
