"""Seeded short training runs on the committed sample: the loss must fall; data-parallel gradients."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from app.engine.nn import Adam, Sequential
from app.mnist.augment import augment
from app.mnist.parallel import DataParallel, share_of
from app.train import train

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "mnist_test_sample.npz"

TINY = [
    {"name": "conv1", "kind": "conv2d", "filters": 8, "kernel_size": [3, 3], "strides": [1, 1],
     "padding": "valid"},
    {"name": "relu1", "kind": "relu"},
    {"name": "pool1", "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]},
    {"name": "flatten", "kind": "flatten"},
    {"name": "fc", "kind": "dense", "units": 10},
]


def sample():
    d = np.load(SAMPLE)
    return d["images"], d["labels"]


def test_loss_falls_with_adam():
    images, labels = sample()
    x, y = images[:256].astype(np.float32) / 255, labels[:256].astype(np.int64)
    model = Sequential(TINY, seed=0)
    opt = Adam(model.params, lr=3e-3)
    rng = np.random.default_rng(0)
    losses = []
    for step in range(40):
        i = (step * 64) % 256
        loss, _, grads = model.loss_and_grads(x[i:i + 64], y[i:i + 64], rng)
        opt.step(model.params, grads)
        losses.append(loss)
    assert losses[0] > 1.8  # about ln 10 at the start
    assert np.mean(losses[-4:]) < 0.5 * losses[0], losses
    acc = float((model.predict(x).argmax(axis=1) == y).mean())
    assert acc > 0.8, acc


def test_data_parallel_gradients_equal_the_shares_computed_here():
    # two processes (this one and a worker) split each batch; the result is the weighted mean of the
    # shares' gradients, each share computed with its own seed: recompute them here, in one process
    images, labels = sample()
    x_u8, y = images[:200], labels[:200].astype(np.int64)
    model = Sequential(TINY, seed=3)
    reference = Sequential(TINY, params={k: v.copy() for k, v in model.params.items()})
    idx = np.arange(5, 105)
    with DataParallel(model, x_u8, y, processes=2, augment=augment) as dp:
        loss, correct, grads = dp.step(idx, [4, 9])
        assert dp.procs[0].is_alive()
    parts = share_of(idx, 2)
    assert [len(p) for p in parts] == [50, 50]
    expected_loss, expected = 0.0, dict.fromkeys(grads, 0.0)
    expected_correct = 0
    for k, part in enumerate(parts):
        rng = np.random.default_rng([4, 9, k])
        xb = augment(x_u8[part].astype(np.float32) / 255, y[part], rng)
        share_loss, logits, g = reference.loss_and_grads(xb, y[part], rng)
        expected_loss += share_loss / 2
        expected_correct += int((logits.argmax(axis=1) == y[part]).sum())
        for name in g:
            expected[name] = expected[name] + g[name] / 2
    assert loss == pytest.approx(expected_loss, rel=1e-6)
    assert correct == expected_correct
    for name in grads:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-5, atol=1e-7, err_msg=name)
    # after close() the model owns plain copies of the (shared) parameters
    assert all(isinstance(v, np.ndarray) and v.base is None for v in model.params.values())


def _idx(path, a):
    a = np.asarray(a, np.uint8)
    data = struct.pack(">BBBB", 0, 0, 8, a.ndim) + struct.pack(f">{a.ndim}I", *a.shape) + a.tobytes()
    with gzip.open(path, "wb") as f:
        f.write(data)


def test_train_end_to_end_writes_weights_and_card(tmp_path):
    images, labels = sample()
    data = tmp_path / "data"
    data.mkdir()
    _idx(data / "train-images-idx3-ubyte.gz", images[:700])
    _idx(data / "train-labels-idx1-ubyte.gz", labels[:700])
    _idx(data / "t10k-images-idx3-ubyte.gz", images[700:900])
    _idx(data / "t10k-labels-idx1-ubyte.gz", labels[700:900])
    out = tmp_path / "weights"
    model, card = train(data, out, epochs=4, seed=1, spec=TINY, val_size=200, batch_size=50,
                        log=lambda *a: None)
    losses = [h["loss"] for h in card["history"]]
    assert losses[-1] < losses[0], losses
    assert card["history"][-1]["val_acc"] > 0.5
    on_disk = json.loads((out / "mnist_cnn.json").read_text())
    assert on_disk["total_params"] == 8 * 9 + 8 + 13 * 13 * 8 * 10 + 10
    assert np.array(on_disk["confusion_matrix"]).sum() == 200
    assert on_disk["settings"]["train_size"] == 500 and on_disk["settings"]["seed"] == 1
    assert on_disk["settings"]["augmentation"]["pen_p"] == 0.5
    confusion = np.array(on_disk["confusion_matrix"])
    recall = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)
    np.testing.assert_allclose(on_disk["test_recall_per_digit"], recall, atol=1e-5)
    assert on_disk["training_cpu_seconds"] > 0 and on_disk["hardware"]["cores"] >= 1
    robust = on_disk["robustness"]
    assert robust["size"] == 600 and np.array(robust["confusion_matrix"]).sum() == 600
    assert robust["accuracy"] == pytest.approx(np.trace(robust["confusion_matrix"]) / 600, abs=1e-5)
    assert set(on_disk["data"]) == {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}
    assert all(len(v["sha256"]) == 64 for v in on_disk["data"].values())
    for m in on_disk["mistakes"]:
        assert m["label"] != m["predicted"] and np.array(m["pixels"]).shape == (28, 28)
    loaded = Sequential.load(out / "mnist_cnn.npz")
    np.testing.assert_array_equal(loaded.predict(images[:5] / 255), model.predict(images[:5] / 255))
