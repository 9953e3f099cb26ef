"""app/blas.py: the training command and the engine bench start again with OpenBLAS's AVX-512 kernels when the
environment pins AVX2 ones on a CPU with AVX-512, and change nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.blas import AVX512_FLAGS, better_kernels, cpu_flags

ROOT = Path(__file__).resolve().parents[1]
AVX512 = AVX512_FLAGS | {"avx2", "fma", "sse4_2"}


@pytest.mark.parametrize("env, flags, expected", [
    ({"OPENBLAS_CORETYPE": "Haswell"}, AVX512, "SkylakeX"),
    ({"OPENBLAS_CORETYPE": " zen "}, AVX512, "SkylakeX"),                      # AMD's AVX2 name, any case
    ({"OPENBLAS_CORETYPE": "Haswell"}, AVX512 - {"avx512bw"}, None),           # an AVX-512 CPU without BW
    ({"OPENBLAS_CORETYPE": "Haswell"}, frozenset({"avx2", "fma"}), None),      # an AVX2 CPU: the pin is right
    ({}, AVX512, None),                                                         # no pin: OpenBLAS picks itself
    ({"OPENBLAS_CORETYPE": "SkylakeX"}, AVX512, None),
    ({"OPENBLAS_CORETYPE": "Sandybridge"}, AVX512, None),                      # another choice: left alone
])
def test_only_an_avx2_pin_on_an_avx512_cpu_is_changed(env, flags, expected):
    assert better_kernels(env, frozenset(flags)) == expected


def test_the_flags_are_the_first_cpus(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n\nprocessor\t: 1\nflags\t\t: fpu sse2\n")
    assert cpu_flags(info) == {"fpu", "avx2", "avx512f"}
    assert cpu_flags(tmp_path / "missing") == frozenset()


PROGRAM = "from app.blas import use_cpu_kernels, kernels_in_use; use_cpu_kernels({keep}); print(kernels_in_use())"


@pytest.mark.parametrize("keep", [False, True])
def test_a_command_starts_again_with_the_cpus_kernels(keep):
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell"}
    run = subprocess.run([sys.executable, "-c", PROGRAM.format(keep=keep)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    changed = not keep and AVX512_FLAGS <= cpu_flags()
    assert run.stdout.strip() == ("SkylakeX" if changed else "Haswell")
    assert ("starting again with OPENBLAS_CORETYPE=SkylakeX" in run.stderr) == changed


def test_the_training_command_says_so_and_keeps_its_arguments(tmp_path):
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell"}
    run = subprocess.run([sys.executable, "-m", "app.train", "--data", str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert f"{tmp_path}: no train-images-idx3-ubyte" in run.stderr   # --data reached the second start
    assert ("starting again" in run.stderr) == (AVX512_FLAGS <= cpu_flags())
    kept = subprocess.run([sys.executable, "-m", "app.train", "--data", str(tmp_path), "--keep-blas-pin"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert "starting again" not in kept.stderr and f"{tmp_path}: no train-images" in kept.stderr
