"""app/blas.py: the training command and the engine bench start again without the environment's AVX2 pin
(OPENBLAS_CORETYPE) on a CPU with AVX-512, so that OpenBLAS picks the CPU's kernels, and change nothing else."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from app.blas import AVX512_FLAGS, STARTED_AGAIN, cpu_flags, drop_pin, kernels_in_use

ROOT = Path(__file__).resolve().parents[1]
AVX512 = AVX512_FLAGS | {"avx2", "fma", "sse4_2"}
# the pin is OpenBLAS's on x86-64: elsewhere (Accelerate, MKL, aarch64's OpenBLAS) there is nothing to drop
OPENBLAS_X86 = platform.machine() in ("x86_64", "AMD64") and kernels_in_use() is not None
needs_openblas = pytest.mark.skipif(not OPENBLAS_X86, reason="NumPy's BLAS here is not an x86-64 OpenBLAS")


@pytest.mark.parametrize("env, flags, expected", [
    ({"OPENBLAS_CORETYPE": "Haswell"}, AVX512, True),
    ({"OPENBLAS_CORETYPE": " zen "}, AVX512, True),                           # AMD's AVX2 name, any case
    ({"OPENBLAS_CORETYPE": "Haswell"}, AVX512 - {"avx512bw"}, False),         # an AVX-512 CPU without BW
    ({"OPENBLAS_CORETYPE": "Haswell"}, frozenset({"avx2", "fma"}), False),    # an AVX2 CPU: the pin is right
    ({}, AVX512, False),                                                       # no pin: OpenBLAS picks itself
    ({"OPENBLAS_CORETYPE": "SkylakeX"}, AVX512, False),
    ({"OPENBLAS_CORETYPE": "Sandybridge"}, AVX512, False),                    # another choice: left alone
    ({"OPENBLAS_CORETYPE": "Haswell", STARTED_AGAIN: "Haswell"}, AVX512, False),   # never a third start
])
def test_only_an_avx2_pin_on_an_avx512_cpu_is_dropped(env, flags, expected):
    assert drop_pin(env, frozenset(flags)) is expected


def test_the_flags_are_the_first_cpus(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n\nprocessor\t: 1\nflags\t\t: fpu sse2\n")
    assert cpu_flags(info) == {"fpu", "avx2", "avx512f"}
    assert cpu_flags(tmp_path / "missing") == frozenset()


PROGRAM = "from app.blas import use_cpu_kernels, kernels_in_use; use_cpu_kernels({keep}); print(kernels_in_use())"


def run(args, env, **kw):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          **kw)


def pinned_env():
    return {k: v for k, v in os.environ.items() if k != STARTED_AGAIN} | {"OPENBLAS_CORETYPE": "Haswell"}


@needs_openblas
@pytest.mark.parametrize("keep", [False, True])
def test_a_command_starts_again_with_the_cpus_kernels(keep):
    unpinned = {k: v for k, v in pinned_env().items() if k != "OPENBLAS_CORETYPE"}
    own = run(["-c", "from app.blas import kernels_in_use; print(kernels_in_use())"], unpinned, check=True).stdout
    done = run(["-c", PROGRAM.format(keep=keep)], pinned_env(), check=True)
    changed = not keep and AVX512_FLAGS <= cpu_flags()
    assert done.stdout.strip() == (own.strip() if changed else "Haswell")
    assert ("starting again without it" in done.stderr) == changed


@needs_openblas
def test_a_program_read_from_standard_input_is_not_started_again():
    """Started again, `python -` would read an empty standard input and do nothing, silently."""
    done = run(["-"], pinned_env(), input=PROGRAM.format(keep=False), check=True)
    assert done.stdout.strip() == "Haswell" and "starting again" not in done.stderr


@needs_openblas
def test_the_training_command_says_so_and_keeps_its_arguments(tmp_path):
    done = run(["-m", "app.train", "--data", str(tmp_path)], pinned_env())
    assert done.returncode == 1
    assert f"{tmp_path}: no train-images-idx3-ubyte" in done.stderr   # --data reached the second start
    assert ("starting again" in done.stderr) == (AVX512_FLAGS <= cpu_flags())
    assert done.stderr.count("starting again") <= 1
    kept = run(["-m", "app.train", "--data", str(tmp_path), "--keep-blas-pin"], pinned_env())
    assert "starting again" not in kept.stderr and f"{tmp_path}: no train-images" in kept.stderr
