"""Train the MNIST CNN with our own NumPy engine and write app/weights/mnist_cnn.{npz,json}.

    python -m app.train --data /path/to/mnist [--out app/weights] [--epochs N] [--seed S] [--limit N]
                        [--processes P] [--plain-pens] [--batchnorm] [--width W] [--hidden H] [--keep-blas-pin]

The defaults (16 epochs, seed 1, thicker pens up to 1.8 dilations, two processes) write the shipped weights, byte
for byte, with NumPy 2.4's OpenBLAS on a CPU with AVX-512 (SkylakeX kernels: the command drops an environment's
AVX2 pin there, app/blas.py); other kernels, BLAS builds or process counts round differently and give other weights.

The last 5,000 training images are held out for validation and model selection; the 10,000 test
images are only read once, at the end, to report the accuracy in the model card. Every batch is split
over P processes (default: one per core, at most 2), each with one BLAS thread (app/mnist/parallel.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from app.blas import use_cpu_kernels
from app.engine.nn import Adam, Sequential, cosine_lr
from app.mnist.augment import AUGMENT, annealed, augment
from app.mnist.idx import FILES, find_file, load_mnist
from app.mnist.parallel import DataParallel

VAL_SIZE = 5000
BATCH_SIZE = 128
EPOCHS = 16
SEED = 1
LR_MAX, LR_MIN = 2e-3, 1e-5
WARMUP_STEPS = 100
EMA_DECAY = 0.998  # the shipped weights may be the running average of the last steps' weights
ROBUSTNESS_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "robustness_digits.npz"


def conv(name, filters, k=3, padding="valid"):
    return {"name": name, "kind": "conv2d", "filters": filters, "kernel_size": [k, k], "strides": [1, 1],
            "padding": padding}


def relu(name):
    return {"name": name, "kind": "relu"}


def pool(name):
    return {"name": name, "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]}


def architecture(width=32, hidden=256, batchnorm=False):
    """conv5×5(w)-pool-conv3×3(32)-conv3×3(64)-pool-dense(hidden)-dropout-dense(10).

    batchnorm=True (for training) puts a batch normalisation after conv2, conv3 and fc1; fold_batchnorm()
    merges them into those layers, which gives back exactly the shipped layer list."""
    bn = (lambda name: [{"name": name, "kind": "batchnorm"}]) if batchnorm else (lambda name: [])
    return [
        conv("conv1", width, 5), relu("relu1"), pool("pool1"),
        conv("conv2", 32), *bn("bn2"), relu("relu2"),
        conv("conv3", 64), *bn("bn3"), relu("relu3"), pool("pool2"),
        {"name": "flatten", "kind": "flatten"},
        {"name": "fc1", "kind": "dense", "units": hidden}, *bn("bn4"), relu("relu4"),
        {"name": "dropout", "kind": "dropout", "rate": 0.4},
        {"name": "fc2", "kind": "dense", "units": 10},
    ]


STATS_SIZE = 2000  # clean training images for the batch-normalisation statistics


def runtime_model(spec, params, x_stats):
    """The model as shipped: batch normalisation (if any) measured on x_stats and folded away."""
    m = Sequential(spec, (28, 28, 1), params={k: v.copy() for k, v in params.items()})
    if any(layer["kind"] == "batchnorm" for layer in spec):
        m.batchnorm_statistics(x_stats)
        m = m.fold_batchnorm()
    return m


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


def cpu_seconds():
    """CPU time of this process and of its finished (joined) children, user + system."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def hardware():
    """What the training ran on, for the model card."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')} kernels)" for i in threadpool_info()
            if i.get("user_api") == "blas"]
    return {"cpu": model, "cores": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
            "numpy": np.__version__, "blas": blas[0] if blas else None}


def recall_per_digit(confusion):
    c = np.asarray(confusion)
    return [round(float(c[d, d] / max(c[d].sum(), 1)), 5) for d in range(len(c))]


def confusion_matrix(y, pred, classes=10):
    m = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(m, (y, pred), 1)
    return m


def robustness(model, path=ROBUSTNESS_SET):
    """Accuracy and confusion matrix on the committed robustness set (digits drawn by a script through the
    drawing pad's own pipeline, bench/make_robustness_set.py), or None when the file is missing."""
    if not Path(path).is_file():
        return None
    with np.load(path, allow_pickle=False) as f:
        x, y = f["images"].astype(np.float32) / 255, f["labels"].astype(np.int64)
    acc, pred = accuracy(model, x, y)
    conf = confusion_matrix(y, pred)
    return {"file": Path(path).name, "size": int(len(y)), "accuracy": round(acc, 5),
            "recall_per_digit": recall_per_digit(conf), "confusion_matrix": conf.tolist()}


def train(data_dir, out_dir, epochs=EPOCHS, seed=SEED, limit=None, width=32, hidden=256, spec=None,
          val_size=VAL_SIZE, batch_size=BATCH_SIZE, processes=1, settings=None, batchnorm=False, log=print):
    """Train, select on validation, test once, write mnist_cnn.npz + mnist_cnn.json. -> (model, card)."""
    settings = dict(AUGMENT if settings is None else settings)
    t_start, cpu_start = time.time(), cpu_seconds()
    data = load_mnist(data_dir)
    x_all_u8, y_all = data["train_images"], data["train_labels"].astype(np.int64)
    x_train_u8, y_train = x_all_u8[:-val_size], y_all[:-val_size]
    x_val = x_all_u8[-val_size:].astype(np.float32) / 255
    y_val = y_all[-val_size:]
    if limit:
        x_train_u8, y_train = x_train_u8[:limit], y_train[:limit]
    rng = np.random.default_rng(seed)
    model = Sequential(spec or architecture(width, hidden, batchnorm), (28, 28, 1), seed=seed)
    x_stats = x_train_u8[:STATS_SIZE].astype(np.float32) / 255
    steps_per_epoch = math.ceil(len(x_train_u8) / batch_size)
    total_steps = epochs * steps_per_epoch
    warmup = min(WARMUP_STEPS, total_steps // 10)
    log(f"train {len(x_train_u8)}  val {len(x_val)}  params {model.num_params()}  steps {total_steps}  "
        f"processes {processes}")
    history, best = [], (-1.0, None, 0, "")
    step = 0
    with DataParallel(model, x_train_u8, y_train, processes, augment, settings) as dp:
        opt = Adam(model.params)
        ema = {k: v.copy() for k, v in model.params.items()}
        for epoch in range(1, epochs + 1):
            t0 = time.time()
            dp.settings = annealed(settings, (epoch - 1) / max(1, epochs - 1))
            order = rng.permutation(len(x_train_u8))
            loss_sum = correct = seen = 0
            for b in range(steps_per_epoch):
                idx = order[b * batch_size:(b + 1) * batch_size]
                lr = cosine_lr(step, total_steps, LR_MAX, LR_MIN, warmup)
                loss, right, grads = dp.step(idx, [seed, step])
                opt.step(model.params, grads, lr)
                decay = min(EMA_DECAY, (1 + step) / (10 + step))
                for k, v in model.params.items():
                    ema[k] += (1 - decay) * (v - ema[k])
                step += 1
                loss_sum += loss * len(idx)
                correct += right
                seen += len(idx)
                if b % 20 == 0 or b == steps_per_epoch - 1:
                    progress(epoch, epochs, b + 1, steps_per_epoch, loss_sum / seen, correct / seen, t0)
            train_seconds = time.time() - t0
            with threadpool_limits(limits=processes):  # the workers wait meanwhile: BLAS may use their cores
                current = runtime_model(model.spec, model.params, x_stats)
                averaged = runtime_model(model.spec, ema, x_stats)
                val_acc, _ = accuracy(current, x_val, y_val)
                ema_acc, _ = accuracy(averaged, x_val, y_val)
            row = {"epoch": epoch, "loss": round(loss_sum / seen, 5), "train_acc": round(correct / seen, 5),
                   "val_acc": round(val_acc, 5), "val_acc_ema": round(ema_acc, 5),
                   "seconds": round(train_seconds, 1), "lr_end": lr}
            history.append(row)
            log(f"epoch {epoch}: loss {row['loss']:.4f}  train acc {row['train_acc']:.4f}  "
                f"val acc {val_acc:.4f} (average weights {ema_acc:.4f})  {train_seconds:.0f}s "
                f"(+{time.time() - t0 - train_seconds:.0f}s val)")
            for acc, candidate, which in ((val_acc, current, "weights"), (ema_acc, averaged, "average")):
                if acc >= best[0]:
                    best = (acc, candidate, epoch, which)
    trained_spec = model.spec
    model = best[1]
    training_seconds = time.time() - t_start
    training_cpu = cpu_seconds() - cpu_start

    # The test set is used once, here, after training and model selection are over.
    x_test = data["test_images"].astype(np.float32) / 255
    y_test = data["test_labels"].astype(np.int64)
    with threadpool_limits(limits=processes):
        test_acc, pred = accuracy(model, x_test, y_test)
    confusion = confusion_matrix(y_test, pred)
    wrong = np.flatnonzero(pred != y_test)
    mistakes = [{"index": int(i), "label": int(y_test[i]), "predicted": int(pred[i]),
                 "pixels": data["test_images"][i].astype(int).tolist()} for i in wrong[:12]]
    robust = robustness(model)
    log(f"test accuracy {test_acc:.4f} ({len(wrong)} errors), best epoch {best[2]} ({best[3]}), "
        f"training {training_seconds:.0f}s wall, {training_cpu:.0f}s CPU"
        + (f"; robustness set {robust['accuracy']:.4f}" if robust else ""))

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "mnist_cnn.npz")
    card = {
        "name": "mnist_cnn",
        "framework": "app.engine.nn (NumPy only)",
        "input": {"shape": [28, 28, 1], "range": "0..1 float32, white digit on black"},
        "architecture": model.summary(),
        "trained_with": ("batch normalisation after " + ", ".join(
            trained_spec[i - 1]["name"] for i, layer in enumerate(trained_spec) if layer["kind"] == "batchnorm")
            + f", its statistics measured on {STATS_SIZE} training images and folded into those layers' weights")
        if any(layer["kind"] == "batchnorm" for layer in trained_spec) else None,
        "total_params": model.num_params(),
        "test_accuracy": round(test_acc, 5),
        "test_errors": int(len(wrong)),
        "test_recall_per_digit": recall_per_digit(confusion),
        "validation_accuracy": round(best[0], 5),
        "best_epoch": best[2],
        "selected_weights": best[3],
        "confusion_matrix": confusion.tolist(),
        "confusion_matrix_axes": "rows = true label, columns = predicted",
        "robustness": robust,
        "history": history,
        "training_seconds": round(training_seconds, 1),
        "training_cpu_seconds": round(training_cpu, 1),
        "training_note": "wall-clock from start to the end of the last epoch (data loading and validation "
                         f"included), {processes} process(es) with one BLAS thread each; CPU seconds add up "
                         "all processes. The machine may have been shared with other jobs.",
        "hardware": hardware(),
        "mean_epoch_seconds": round(float(np.mean([h["seconds"] for h in history])), 1),
        "settings": {
            "epochs": epochs, "batch_size": batch_size, "seed": seed, "limit": limit, "processes": processes,
            "optimizer": "Adam(beta1=0.9, beta2=0.999, eps=1e-7)",
            "lr_schedule": {"kind": "linear warm-up then cosine", "lr_max": LR_MAX, "lr_min": LR_MIN,
                            "warmup_steps": warmup, "total_steps": total_steps},
            "weight_average": {"kind": "exponential moving average of the weights, per step",
                               "decay": EMA_DECAY},
            "augmentation": {**settings, "module": "app/mnist/augment.py"},
            "train_size": len(x_train_u8), "validation": f"last {val_size} images of the training set",
            "model_selection": "best validation accuracy over epochs, of the weights or their average",
            "dtype": "float32",
        },
        "data": {FILES[k]: {"file": find_file(data_dir, FILES[k]).name,
                            "sha256": sha256(find_file(data_dir, FILES[k]))} for k in FILES},
        "numpy_version": np.__version__,
        "blas_threads": 1,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mistakes": mistakes,
    }
    (out / "mnist_cnn.json").write_text(json.dumps(card, indent=1))
    return model, card


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="directory with the four MNIST idx files (.gz or raw)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "weights"))
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    ap.add_argument("--width", type=int, default=32, help="filters in the first conv layer")
    ap.add_argument("--hidden", type=int, default=256, help="units in the hidden dense layer")
    ap.add_argument("--batchnorm", action="store_true",
                    help="train with batch normalisation after conv2, conv3 and fc1 (folded away afterwards)")
    ap.add_argument("--plain-pens", action="store_true",
                    help="the thicker pens only blends of 0.3-0.8 dilations, as the model before 2026-12-01 "
                         "(not 0.3-1.8: other writers' digits read worse; see the README)")
    ap.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes sharing each batch, one BLAS thread each (default: the cores, at most 2)")
    ap.add_argument("--keep-blas-pin", action="store_true",
                    help="keep OPENBLAS_CORETYPE's AVX2 kernels on a CPU with AVX-512 (by default the command "
                         "starts again without that pin, so that OpenBLAS picks the CPU's kernels: app/blas.py)")
    args = ap.parse_args(argv)
    if argv is None:   # the command line (not a call from Python): may start again with the CPU's kernels
        use_cpu_kernels(args.keep_blas_pin)
    with threadpool_limits(limits=1):  # one BLAS thread per process, whatever the environment says
        settings = {**AUGMENT, "pen_thick": None} if args.plain_pens else None
        train(args.data, args.out, args.epochs, args.seed, args.limit, args.width, args.hidden,
              processes=max(1, args.processes), settings=settings, batchnorm=args.batchnorm)


if __name__ == "__main__":
    main()
