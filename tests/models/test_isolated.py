"""Uploads are read in a child process with a deadline: a file on which libhdf5 loops is refused (4xx), a good
file gives the same model as reading it in this process, and errors keep their field, rule and code."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.layers import forward, summary
from app.models import isolated, service
from app.models.reader import read_model

from .badfiles import cases
from .helpers import expected, fixture_bytes

BAD = Path(__file__).resolve().parents[1] / "data" / "keras_bad"
LOOPS = BAD / "libhdf5_loops.h5.gz"          # found by bench/fuzz_models.py, like the two below


@pytest.fixture(scope="module", autouse=True)
def forkserver():
    isolated.start()


def test_a_file_that_makes_libhdf5_loop_is_refused():
    data = gzip.decompress(LOOPS.read_bytes())
    with pytest.raises(EngineError) as e:     # in this process libhdf5 did not return within 10 s
        isolated.read_model_isolated(data)
    assert e.value.code == "bad_model_file"
    assert e.value.rule.startswith("used more than 0.5 s of CPU to read")
    assert e.value.rule.endswith("a damaged or hostile file")


def test_a_file_that_crashes_libhdf5_is_refused():
    """libhdf5 dies (SIGSEGV) reading this file's weight_names attribute: the child dies, the app answers 4xx."""
    with pytest.raises(EngineError) as e:
        isolated.read_model_isolated(gzip.decompress((BAD / "libhdf5_crashes.h5.gz").read_bytes()))
    assert e.value.code == "bad_model_file" and e.value.rule == "could not be read: the HDF5 library failed on it"


def test_h5py_overflow_is_an_engine_error_in_process_too():
    with pytest.raises(EngineError) as e:
        read_model(gzip.decompress((BAD / "h5py_overflow.keras.gz").read_bytes()))
    assert e.value.field == "file.model.weights.h5" and e.value.code == "bad_model_file"


@pytest.mark.parametrize("file", ["cnn_same.keras", "text_functional.tf2.h5", "gru.keras3.h5"])
def test_same_model_as_in_process(file):
    data = fixture_bytes(file)
    mine, ref = isolated.read_model_isolated(data), read_model(data)
    assert summary(mine) == summary(ref)
    x = expected(file)["x"][0]
    for a, b in zip(forward(mine, x), forward(ref, x), strict=True):
        assert np.array_equal(a, b)


def test_errors_keep_field_rule_and_code():
    for name, data, field, code in cases()[4:30:5]:
        with pytest.raises(EngineError) as e:
            isolated.read_model_isolated(data)
        assert e.value.field.startswith(field) and (code is None or e.value.code == code), name


def test_the_service_reads_through_the_child(store):
    data = gzip.decompress(LOOPS.read_bytes())
    with pytest.raises(EngineError):
        service.upload(data, store=store)
    assert store.list() == []


def test_cpu_budget_grows_with_the_file():
    assert isolated.cpu_budget(0) == pytest.approx(0.5)
    assert isolated.cpu_budget(20 * 1024**2) == pytest.approx(3.0)


def test_cpu_seconds_of_a_process():
    assert 0 < isolated.cpu_seconds(os.getpid()) < time.process_time() + 1
    assert isolated.cpu_seconds(2**22 + 12345) is None


def test_the_clock_is_a_backstop():
    data = gzip.decompress(LOOPS.read_bytes())
    with pytest.raises(EngineError) as e:
        isolated.read_model_isolated(data, cpu=1000.0, wall=0.3)
    assert e.value.rule == "took more than 0.3 s to read: a damaged or hostile file"


def _dies_before_starting(data: bytes, conn) -> None:
    os._exit(3)


def test_a_reader_that_dies_before_starting_is_the_servers_fault_not_the_files(monkeypatch):
    # a client script without `if __name__ == "__main__":` made every child die this way, and each upload was
    # told "the HDF5 library failed on it"
    monkeypatch.setattr(isolated, "_child", _dies_before_starting)
    with pytest.raises(EngineError) as e:
        isolated.read_model_isolated(fixture_bytes("cnn_same.keras"))
    assert e.value.code == "reader_unavailable" and "not of the file" in e.value.rule
    assert "HDF5" not in e.value.rule


def test_a_small_file_with_many_weight_arrays_earns_the_time_to_read_them():
    # 499 LSTM layers: 1,497 weight arrays in an 88 KB file, ~1 s of CPU to read (0.7 ms an array); the budget
    # of 0.5 s for a small file refused it, blaming the file. The child now says how many arrays its checked
    # config names, and each earns 2 ms.
    from app.models.writer import keras_file

    layers = [{"class_name": "LSTM", "config": {"name": f"r{i}", "units": 1, "return_sequences": True},
               "weights": [np.full((1, 4), 0.1), np.full((1, 4), 0.1), np.zeros(4)]} for i in range(499)]
    data = keras_file("deep", (5, 1), layers)
    assert len(data) < 200_000 and isolated.cpu_budget(len(data)) < 0.52
    model = isolated.read_model_isolated(data)
    assert len(model.layers) == 499 and model.layers[-1].w("kernel").shape == (1, 4)
