"""Found by a review that ran 40 Keras 3 models (.keras and Keras 3's legacy .h5) through /api/models against
Keras' own model.predict: what the app could not run must be refused at upload, naming the layer and the
setting, and a trace's index must be whole numbers.

The files in tests/data/keras_review/ were written by Keras 3.15.1 (JAX backend), gzipped:
- conv_lora: Input(5, 5, 1) -> Conv2D(2, 3, lora_rank=2) -> Flatten. Keras' count_params() is 42 (kernel, bias,
  lora_kernel_a, lora_kernel_b); its .keras file holds the merged kernel only, its .h5 file all four arrays.
- bn_negative_variance: Input(3) -> Dense(3) -> BatchNormalization(epsilon=0.01) with moving_variance
  [0.5, -0.25, 2.0]; Keras' own predict answers NaN for channel 1.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from app.api.model_schemas import ModelTraceRequest
from app.engine.errors import EngineError
from app.models import service
from app.models.reader import read_model
from app.models.writer import keras_file

DATA = Path(__file__).resolve().parents[1] / "data" / "keras_review"


def review_file(name: str) -> bytes:
    return gzip.decompress((DATA / f"{name}.gz").read_bytes())


def refused(file: str, store) -> EngineError:
    """The upload's error; nothing is stored."""
    with pytest.raises(EngineError) as e:
        service.upload(review_file(file), store)
    assert store.list() == []
    return e.value


@pytest.mark.parametrize("file", ["conv_lora.keras", "conv_lora.h5"])
def test_a_lora_convolution_is_refused_naming_the_setting(file, store):
    # Before: the .keras file was accepted with 20 parameters where Keras counts 42, and the .h5 file was refused
    # as "missing_weights" (4 arrays where 2 were expected), without naming lora_rank.
    err = refused(file, store)
    assert (err.code, err.field) == ("unsupported_setting", "layers.1.lora_rank")
    assert err.rule == "Conv2D layer 'conv_lora': must be None or 0 (LoRA layers are not supported); got '2'"


@pytest.mark.parametrize("file", ["bn_negative_variance.keras", "bn_negative_variance.h5"])
def test_a_negative_moving_variance_is_refused_at_upload(file, store):
    # Before: the upload was accepted and every predict answered 422 "layer 'bn' overflows on this input",
    # blaming the input for what is the file's (Keras itself answers NaN for channel 1).
    err = refused(file, store)
    assert (err.code, err.field) == ("bad_model_file", "layers.2.moving_variance")
    assert err.rule.startswith("BatchNormalization layer 'bn': channel 1 has moving_variance -0.25 and epsilon 0.01")


def test_a_variance_of_zero_needs_a_positive_epsilon():
    def bn_model(variance: float, epsilon: float) -> bytes:
        return keras_file("bn", (2,), [{"class_name": "BatchNormalization",
                                        "config": {"name": "bn", "epsilon": epsilon, "axis": -1},
                                        "weights": [np.ones(2), np.zeros(2), np.zeros(2), np.array([1.0, variance])]}])

    model = read_model(bn_model(0.0, 0.25))          # √(0 + 0.25) = 0.5: fine, x / 0.5
    assert model.layers[0].weights["moving_variance"].tolist() == [1.0, 0.0]
    with pytest.raises(EngineError) as e:
        read_model(bn_model(0.0, 0.0))
    assert e.value.field == "layers.1.moving_variance"
    assert "channel 1 has moving_variance 0 and epsilon 0" in e.value.rule


@pytest.mark.parametrize("index", [[True], ["1"], [1.0], [0, False]])
def test_a_trace_index_must_be_whole_numbers(index):
    # Before: pydantic's lax mode turned true, "1" and 1.0 into 1, so {"index": [true]} traced cell 1 (answer 200).
    with pytest.raises(ValidationError) as e:
        ModelTraceRequest.model_validate({"input": [1.0, 2.0], "layer": "out", "index": index})
    assert {err["loc"][:1] for err in e.value.errors()} == {("index",)}
    assert ModelTraceRequest.model_validate({"input": [1.0, 2.0], "layer": "out", "index": [1, 0]}).index == [1, 0]
