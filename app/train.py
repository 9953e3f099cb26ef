"""Train the MNIST CNN with our own NumPy engine and write app/weights/mnist_cnn.{npz,json}.

    python -m app.train --data /path/to/mnist [--out app/weights] [--epochs N] [--seed S] [--limit N]

The last 5,000 training images are held out for validation and model selection; the 10,000 test
images are only read once, at the end, to report the accuracy in the model card.
"""

from __future__ import annotations

import os

# One BLAS thread: the work is dominated by memory-bound copies, and on a busy 2-core machine a
# second BLAS thread mostly spins. Measured: same speed idle, 3-4× less CPU wasted under load.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from app.engine.nn import Adam, Sequential, cosine_lr  # noqa: E402
from app.mnist.idx import FILES, find_file, load_mnist  # noqa: E402

VAL_SIZE = 5000
BATCH_SIZE = 128
LR_MAX, LR_MIN = 1.5e-3, 1e-5
WARMUP_STEPS = 100
AUGMENT = {"shift_px": 2.0, "rotate_deg": 10.0, "scale": [0.9, 1.1]}


def conv(name, filters, k=3, padding="valid"):
    return {"name": name, "kind": "conv2d", "filters": filters, "kernel_size": [k, k], "strides": [1, 1],
            "padding": padding}


def relu(name):
    return {"name": name, "kind": "relu"}


def pool(name):
    return {"name": name, "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]}


def architecture(width=32, hidden=256):
    """conv5×5(w)-pool-conv3×3(32)-conv3×3(64)-pool-dense(hidden)-dropout-dense(10)."""
    return [
        conv("conv1", width, 5), relu("relu1"), pool("pool1"),
        conv("conv2", 32), relu("relu2"),
        conv("conv3", 64), relu("relu3"), pool("pool2"),
        {"name": "flatten", "kind": "flatten"},
        {"name": "fc1", "kind": "dense", "units": hidden}, relu("relu4"),
        {"name": "dropout", "kind": "dropout", "rate": 0.4},
        {"name": "fc2", "kind": "dense", "units": 10},
    ]


def augment(x, rng, shift=2.0, rotate_deg=10.0, scale=(0.9, 1.1)):
    """Random affine (rotation, scale, shift) per image, bilinear, zero outside. x (N, H, W) -> (N, H, W).

    For each output pixel p the source is A⁻¹(p − c − t) + c, with c the image centre.
    """
    n, h, w = x.shape
    theta = np.deg2rad(rng.uniform(-rotate_deg, rotate_deg, n))
    s = rng.uniform(scale[0], scale[1], n)
    t = rng.uniform(-shift, shift, (n, 2))  # (dy, dx) in pixels
    cos, sin = np.cos(theta) / s, np.sin(theta) / s  # inverse of rotate-then-scale
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")  # (H, W)
    py = yy[None] - t[:, 0, None, None]  # (N, H, W)
    px = xx[None] - t[:, 1, None, None]
    sy = cos[:, None, None] * py - sin[:, None, None] * px + cy
    sx = sin[:, None, None] * py + cos[:, None, None] * px + cx
    return bilinear(x, sy, sx)


def bilinear(x, sy, sx):
    """Sample x (N, H, W) at fractional (sy, sx) (N, H', W'), zero outside the image."""
    n, h, w = x.shape
    xp = np.zeros((n, h + 2, w + 2), dtype=x.dtype)  # one-pixel zero border
    xp[:, 1:-1, 1:-1] = x
    sy = np.clip(sy + 1, 0, h + 0.999)
    sx = np.clip(sx + 1, 0, w + 0.999)
    y0, x0 = np.floor(sy).astype(np.int32), np.floor(sx).astype(np.int32)
    fy, fx = (sy - y0).astype(x.dtype), (sx - x0).astype(x.dtype)
    flat = xp.reshape(-1)
    base = (np.arange(n, dtype=np.int32) * ((h + 2) * (w + 2)))[:, None, None]
    i00 = base + y0 * (w + 2) + x0
    top = flat[i00] * (1 - fx) + flat[i00 + 1] * fx
    bottom = flat[i00 + w + 2] * (1 - fx) + flat[i00 + w + 3] * fx
    return top * (1 - fy) + bottom * fy


def accuracy(model, x, y, batch_size=500):
    pred = model.predict(x, batch_size).argmax(axis=1)
    return float((pred == y).mean()), pred


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def progress(epoch, epochs, done, total, loss, acc, started):
    width = 30
    filled = int(width * done / total)
    rate = done / max(time.time() - started, 1e-9)
    eta = (total - done) / max(rate, 1e-9)
    line = (f"\repoch {epoch}/{epochs} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"loss {loss:.4f} acc {acc:.4f} eta {eta:4.0f}s")
    sys.stdout.write(line + ("\n" if done == total else ""))
    sys.stdout.flush()


def train(data_dir, out_dir, epochs=10, seed=0, limit=None, width=32, hidden=256, spec=None,
          val_size=VAL_SIZE, batch_size=BATCH_SIZE, log=print):
    """Train, select on validation, test once, write mnist_cnn.npz + mnist_cnn.json. -> (model, card)."""
    t_start, cpu_start = time.time(), time.process_time()
    data = load_mnist(data_dir)
    x_all = data["train_images"].astype(np.float32) / 255
    y_all = data["train_labels"].astype(np.int64)
    x_train, y_train = x_all[:-val_size], y_all[:-val_size]
    x_val, y_val = x_all[-val_size:], y_all[-val_size:]
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
    rng = np.random.default_rng(seed)
    model = Sequential(spec or architecture(width, hidden), (28, 28, 1), seed=seed)
    opt = Adam(model.params)
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    total_steps = epochs * steps_per_epoch
    warmup = min(WARMUP_STEPS, total_steps // 10)
    log(f"train {len(x_train)}  val {len(x_val)}  params {model.num_params()}  steps {total_steps}")
    history, best = [], (-1.0, None, 0)
    step = 0
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        order = rng.permutation(len(x_train))
        loss_sum = correct = seen = 0
        for b in range(steps_per_epoch):
            idx = order[b * batch_size:(b + 1) * batch_size]
            xb = augment(x_train[idx], rng, AUGMENT["shift_px"], AUGMENT["rotate_deg"], AUGMENT["scale"])
            lr = cosine_lr(step, total_steps, LR_MAX, LR_MIN, warmup)
            loss, logits, grads = model.loss_and_grads(xb, y_train[idx], rng)
            opt.step(model.params, grads, lr)
            step += 1
            loss_sum += loss * len(idx)
            correct += int((logits.argmax(axis=1) == y_train[idx]).sum())
            seen += len(idx)
            if b % 20 == 0 or b == steps_per_epoch - 1:
                progress(epoch, epochs, b + 1, steps_per_epoch, loss_sum / seen, correct / seen, t0)
        train_seconds = time.time() - t0
        val_acc, _ = accuracy(model, x_val, y_val)
        row = {"epoch": epoch, "loss": round(loss_sum / seen, 5), "train_acc": round(correct / seen, 5),
               "val_acc": round(val_acc, 5), "seconds": round(train_seconds, 1), "lr_end": lr}
        history.append(row)
        log(f"epoch {epoch}: loss {row['loss']:.4f}  train acc {row['train_acc']:.4f}  "
            f"val acc {val_acc:.4f}  {train_seconds:.0f}s (+{time.time() - t0 - train_seconds:.0f}s val)")
        if val_acc >= best[0]:
            best = (val_acc, {k: v.copy() for k, v in model.params.items()}, epoch)
    model.params = best[1]
    training_seconds = time.time() - t_start
    cpu_seconds = time.process_time() - cpu_start

    # The test set is used once, here, after training and model selection are over.
    x_test = data["test_images"].astype(np.float32) / 255
    y_test = data["test_labels"].astype(np.int64)
    test_acc, pred = accuracy(model, x_test, y_test)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (y_test, pred), 1)
    wrong = np.flatnonzero(pred != y_test)
    mistakes = [{"index": int(i), "label": int(y_test[i]), "predicted": int(pred[i]),
                 "pixels": data["test_images"][i].astype(int).tolist()} for i in wrong[:12]]
    log(f"test accuracy {test_acc:.4f} ({len(wrong)} errors), best epoch {best[2]}, "
        f"training {training_seconds:.0f}s")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "mnist_cnn.npz")
    card = {
        "name": "mnist_cnn",
        "framework": "app.engine.nn (NumPy only)",
        "input": {"shape": [28, 28, 1], "range": "0..1 float32, white digit on black"},
        "architecture": model.summary(),
        "total_params": model.num_params(),
        "test_accuracy": round(test_acc, 5),
        "test_errors": int(len(wrong)),
        "validation_accuracy": round(best[0], 5),
        "best_epoch": best[2],
        "confusion_matrix": confusion.tolist(),
        "confusion_matrix_axes": "rows = true label, columns = predicted",
        "history": history,
        "training_seconds": round(training_seconds, 1),
        "training_cpu_seconds": round(cpu_seconds, 1),
        "training_note": "wall-clock from start to the end of the last epoch (data loading included), "
                         "on a 2-core machine shared with other jobs",
        "mean_epoch_seconds": round(float(np.mean([h["seconds"] for h in history])), 1),
        "settings": {
            "epochs": epochs, "batch_size": batch_size, "seed": seed, "limit": limit,
            "optimizer": "Adam(beta1=0.9, beta2=0.999, eps=1e-7)",
            "lr_schedule": {"kind": "linear warm-up then cosine", "lr_max": LR_MAX, "lr_min": LR_MIN,
                            "warmup_steps": warmup, "total_steps": total_steps},
            "augmentation": {**AUGMENT, "method": "random affine, bilinear resampling"},
            "train_size": len(x_train), "validation": f"last {val_size} images of the training set",
            "model_selection": "best validation accuracy over epochs", "dtype": "float32",
        },
        "data": {FILES[k]: {"file": find_file(data_dir, FILES[k]).name,
                            "sha256": sha256(find_file(data_dir, FILES[k]))} for k in FILES},
        "numpy_version": np.__version__,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mistakes": mistakes,
    }
    (out / "mnist_cnn.json").write_text(json.dumps(card, indent=1))
    return model, card


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="directory with the four MNIST idx files (.gz or raw)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "weights"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    ap.add_argument("--width", type=int, default=32, help="filters in the first conv layer")
    ap.add_argument("--hidden", type=int, default=256, help="units in the hidden dense layer")
    args = ap.parse_args(argv)
    train(args.data, args.out, args.epochs, args.seed, args.limit, args.width, args.hidden)


if __name__ == "__main__":
    main()
