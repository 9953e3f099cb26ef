"""The NumPy engine (app/engine/nn) against PyTorch CPU, side by side in one process.

    /work/envs/bench/bin/python bench/bench_engine_vs_torch.py [--repeat 15] [--batches 128 256] [--old REV]

PyTorch is only for this script: `pip install -e ".[bench]"` (torch==2.13.0, the CPU wheel) into a
separate venv. Both run on ONE thread (threadpoolctl for NumPy's BLAS, torch.set_num_threads(1)), with the
same weights (the shipped model's, converted to PyTorch's layouts) and the same inputs. Each measurement
alternates engine and PyTorch runs so that the machine's drift hits both alike; the median is printed
with the ratio engine / PyTorch (< 1 means the engine is faster). PyTorch is timed in its own NCHW layout
and in channels_last, and the faster of the two is the reference. The header names the OpenBLAS kernels NumPy
uses: OpenBLAS picks them for the CPU unless OPENBLAS_CORETYPE names them (this project's machines set
OPENBLAS_CORETYPE=Haswell, AVX2 kernels, while PyTorch's oneDNN uses AVX-512 where the CPU has it). Like
`python -m app.train`, the script starts again without the pin when the environment pins AVX2 kernels on an
AVX-512 CPU, so that OpenBLAS picks the CPU's own (app/blas.py); --keep-blas-pin measures the pinned kernels.

Measured: every conv layer of the MNIST model (forward; backward dx, dW, db; the first layer has no dx),
a full training step (forward + backward, loss included, no optimiser) and a single-digit forward.
--old REV also times the engine as it was at git revision REV (app/engine extracted with `git archive`
into a temporary directory) on the training step and the single digit, alternating with today's.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.blas import kernels_in_use, use_cpu_kernels  # noqa: E402
from app.engine.nn import Sequential, conv  # noqa: E402
from app.engine.padding import resolve_padding  # noqa: E402
from app.mnist.inference import WEIGHTS  # noqa: E402


def median_ms(times):
    return float(np.median(times)) * 1000


def alternate(fa, fb, repeat):
    """Run fa and fb alternately (after one warm-up each) -> (median ms of a, median ms of b)."""
    fa(), fb()
    ta, tb = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        fa()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        fb()
        tb.append(time.perf_counter() - t)
    return median_ms(ta), median_ms(tb)


def best_of_torch(engine_fn, torch_fns, repeat):
    """-> (engine ms, best torch ms, name of the best torch layout)."""
    results = []
    for name, fn in torch_fns.items():
        e, t = alternate(engine_fn, fn, repeat)
        results.append((e, t, name))
    e = float(np.median([r[0] for r in results]))
    _, t, name = min(results, key=lambda r: r[1])
    return e, t, name


# ---- the same network in PyTorch ---------------------------------------------------------------
class TorchNet(torch.nn.Module):
    """The Sequential's layers with its weights: conv (F, C, kh, kw), dense (U, D) with the flatten
    order changed from (h, w, c) to (c, h, w)."""

    def __init__(self, model: Sequential):
        super().__init__()
        self.ops = []
        shape = model.input_shape
        for layer, out in zip(model.spec, model.shapes, strict=True):
            kind, name = layer["kind"], layer["name"]
            if kind == "conv2d":
                W = model.params[f"{name}.W"]
                pads = resolve_padding(layer.get("padding", "valid"), shape[:2], W.shape[:2], (1, 1), (1, 1))
                assert pads.top == pads.bottom and pads.left == pads.right, "symmetric padding only"
                w = torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(W.transpose(3, 2, 0, 1))))
                b = torch.nn.Parameter(torch.from_numpy(model.params[f"{name}.b"].copy()))
                self.register_parameter(f"{name}_W", w)
                self.register_parameter(f"{name}_b", b)
                self.ops.append(("conv", w, b, (pads.top, pads.left)))
            elif kind == "dense":
                W = model.params[f"{name}.W"]
                if len(shape) == 1 and self.ops and self.ops[-1][0] == "flatten" and self.ops[-1][1]:
                    h, w_, c = self.ops[-1][1]
                    W = W.reshape(h, w_, c, -1).transpose(2, 0, 1, 3).reshape(h * w_ * c, -1)
                w = torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(W.T)))
                b = torch.nn.Parameter(torch.from_numpy(model.params[f"{name}.b"].copy()))
                self.register_parameter(f"{name}_W", w)
                self.register_parameter(f"{name}_b", b)
                self.ops.append(("dense", w, b))
            elif kind == "relu":
                self.ops.append(("relu",))
            elif kind == "maxpool2d":
                self.ops.append(("pool", tuple(layer["pool_size"]), tuple(layer.get("strides") or layer["pool_size"])))
            elif kind == "flatten":
                self.ops.append(("flatten", tuple(shape)))
            elif kind == "dropout":
                self.ops.append(("dropout", float(layer["rate"])))
            shape = out

    def forward(self, x):
        for op in self.ops:
            if op[0] == "conv":
                x = F.conv2d(x, op[1], op[2], padding=op[3])
            elif op[0] == "dense":
                x = F.linear(x, op[1], op[2])
            elif op[0] == "relu":
                x = F.relu(x)
            elif op[0] == "pool":
                x = F.max_pool2d(x, op[1], op[2])
            elif op[0] == "flatten":
                x = torch.flatten(x, 1)
            elif op[0] == "dropout":
                x = F.dropout(x, op[1], self.training)
        return x


def conv_layer_inputs(model, x):
    """The input each conv layer sees for a batch x (N, 28, 28, 1)."""
    return {c["name"]: c["input"] for c in model.conv_layers(x)}


def bench_conv_layers(model, x, repeat, rows):
    inputs = conv_layer_inputs(model, x)
    first = True
    for layer in model.spec:
        if layer["kind"] != "conv2d":
            continue
        name = layer["name"]
        W, b = model.params[f"{name}.W"], model.params[f"{name}.b"]
        xin = np.ascontiguousarray(inputs[name], dtype=np.float32)
        padding = layer.get("padding", "valid")
        pads = resolve_padding(padding, xin.shape[1:3], W.shape[:2], (1, 1), (1, 1))
        tW = torch.from_numpy(np.ascontiguousarray(W.transpose(3, 2, 0, 1))).requires_grad_(True)
        tb = torch.from_numpy(b.copy()).requires_grad_(True)
        tx = torch.from_numpy(np.ascontiguousarray(xin.transpose(0, 3, 1, 2))).requires_grad_(not first)
        tx_cl = tx.detach().to(memory_format=torch.channels_last).requires_grad_(not first)
        y, cache = conv.conv2d_forward(xin, W, b, padding=padding)
        dy = np.random.default_rng(0).standard_normal(y.shape).astype(np.float32)
        tdy = torch.from_numpy(np.ascontiguousarray(dy.transpose(0, 3, 1, 2)))
        tdy_cl = tdy.to(memory_format=torch.channels_last)
        ty = F.conv2d(tx, tW, tb, padding=(pads.top, pads.left))
        err = float(np.abs(ty.detach().numpy().transpose(0, 2, 3, 1) - y).max())
        assert err < 1e-3, f"{name}: engine and PyTorch differ by {err}"
        shape = f"{W.shape[0]}×{W.shape[1]}×{W.shape[2]}×{W.shape[3]} on {xin.shape[1]}×{xin.shape[2]}"
        label = f"{name} {shape}, N={len(xin)}"

        def t_fwd(tx=tx, tW=tW, tb=tb, pads=pads):
            with torch.no_grad():
                F.conv2d(tx, tW, tb, padding=(pads.top, pads.left))

        def t_fwd_cl(tx=tx_cl, tW=tW, tb=tb, pads=pads):
            with torch.no_grad():
                F.conv2d(tx, tW, tb, padding=(pads.top, pads.left))

        e, t, how = best_of_torch(lambda xin=xin, W=W, b=b, padding=padding: conv.conv2d_forward(xin, W, b,
                                                                                                 padding=padding),
                                  {"NCHW": t_fwd, "channels_last": t_fwd_cl}, repeat)
        rows.append((f"conv forward   {label}", e, t, how))

        def t_bwd(tx=tx, tdy=tdy, tW=tW, tb=tb, pads=pads, first=first):
            ty = F.conv2d(tx, tW, tb, padding=(pads.top, pads.left))
            torch.autograd.grad(ty, (tW, tb) if first else (tx, tW, tb), tdy)

        def t_bwd_cl(tx=tx_cl, tdy=tdy_cl, tW=tW, tb=tb, pads=pads, first=first):
            ty = F.conv2d(tx, tW, tb, padding=(pads.top, pads.left))
            torch.autograd.grad(ty, (tW, tb) if first else (tx, tW, tb), tdy)

        # PyTorch's backward needs its forward (autograd); time the forward alone and subtract it
        def e_bwd(dy=dy, cache=cache, first=first):
            conv.conv2d_backward(dy, cache, need_dx=not first)

        e, t_both, how = best_of_torch(e_bwd, {"NCHW": t_bwd, "channels_last": t_bwd_cl}, repeat)
        _, t_f = alternate(lambda: None, t_fwd if how == "NCHW" else t_fwd_cl, repeat)
        what = "dW, db" if first else "dx, dW, db"
        rows.append((f"conv backward  {label} ({what})", e, max(t_both - t_f, 1e-6), how))
        first = False


def bench_model(model, x, labels, repeat, rows):
    net = TorchNet(model)
    tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    tl = torch.from_numpy(labels)
    net.eval()
    with torch.no_grad():
        err = float(np.abs(net(tx).numpy() - model.forward(x)[0]).max())
    assert err < 1e-3, f"model: engine and PyTorch logits differ by {err}"
    rng = np.random.default_rng(0)
    net.train()

    tx_cl = tx.to(memory_format=torch.channels_last)

    def t_step():
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net(tx), tl).backward()

    def t_step_cl():
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net(tx_cl), tl).backward()

    e, t, how = best_of_torch(lambda: model.loss_and_grads(x, labels, rng),
                              {"NCHW": t_step, "channels_last": t_step_cl}, repeat)
    rows.append((f"training step  forward + backward, N={len(x)}", e, t, how))


def bench_predict(model, x, repeat, rows):
    net = TorchNet(model).eval()
    x1 = x[:1]
    tx1 = torch.from_numpy(np.ascontiguousarray(x1.transpose(0, 3, 1, 2)))

    def t_one():
        with torch.no_grad():
            F.softmax(net(tx1), dim=1)

    e, t = alternate(lambda: model.predict(x1), t_one, repeat * 20)
    rows.append(("predict        one digit (forward + softmax)", e, t, "NCHW"))


def old_engine(rev, tmp):
    """app/engine at git revision rev, importable as `old_engine_<rev>.nn`."""
    name = f"old_engine_{rev[:10]}"
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "app/engine"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
    Path(tmp, "app", "engine").rename(Path(tmp, name))
    sys.path.insert(0, tmp)
    return importlib.import_module(f"{name}.nn")


def bench_old(old_nn, model, x, labels, repeat, rows, rev):
    old = old_nn.Sequential(model.spec, model.input_shape, params=model.params)
    rng = np.random.default_rng(0)
    n = len(x)
    e, t = alternate(lambda: model.loss_and_grads(x, labels, rng), lambda: old.loss_and_grads(x, labels, rng),
                     repeat)
    rows.append((f"training step  N={n}: engine now vs engine at {rev}", e, t, rev))
    e, t = alternate(lambda: model.predict(x[:1]), lambda: old.predict(x[:1]), repeat * 20)
    rows.append((f"predict        one digit: engine now vs engine at {rev}", e, t, rev))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--batches", type=int, nargs="+", default=[128, 256])
    ap.add_argument("--weights", default=str(WEIGHTS))
    ap.add_argument("--old", help="also time the engine of this git revision (e.g. main, a commit)")
    ap.add_argument("--keep-blas-pin", action="store_true",
                    help="keep OPENBLAS_CORETYPE's AVX2 kernels on an AVX-512 CPU (by default the script starts "
                         "again without that pin, as python -m app.train does: app/blas.py)")
    args = ap.parse_args()
    use_cpu_kernels(args.keep_blas_pin)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    model = Sequential.load(args.weights)
    sample = np.load(ROOT / "tests" / "data" / "mnist_test_sample.npz")
    images = sample["images"].astype(np.float32)[..., None] / 255
    labels = sample["labels"].astype(np.int64)
    rows = []
    with threadpool_limits(limits=1):
        for n in args.batches:
            bench_conv_layers(model, images[:n], args.repeat, rows)
        for n in args.batches:
            bench_model(model, images[:n], labels[:n], args.repeat, rows)
        bench_predict(model, images, args.repeat, rows)
        if args.old:
            with tempfile.TemporaryDirectory() as tmp:
                old_nn = old_engine(args.old, tmp)
                for n in args.batches[:1]:
                    bench_old(old_nn, model, images[:n], labels[:n], args.repeat, rows, args.old)
    print(f"engine vs PyTorch {torch.__version__} CPU, one thread each, NumPy {np.__version__} (OpenBLAS kernels: "
          f"{kernels_in_use() or 'none'}); median of {args.repeat} alternating runs")
    print(f"{'what':64s} {'engine ms':>10s} {'torch ms':>10s} {'ratio':>6s}  torch layout "
          "(last rows: the old engine in the torch column)")
    for what, e, t, how in rows:
        print(f"{what:64s} {e:10.3f} {t:10.3f} {e / t:6.2f}  {how}")


if __name__ == "__main__":
    main()
