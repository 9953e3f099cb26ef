"""The MNIST model on digits written by other people: scikit-learn's 1,797 handwritten digits (UCI optdigits, 8×8,
17 grey levels), never trained or selected on, sent as pictures the way a user's upload is read.

    pip install -e ".[bench]"          # scikit-learn (it ships the digits: nothing is downloaded)
    .venv/bin/python bench/bench_other_writers.py [--weights app/weights/mnist_cnn.npz]

Each 8×8 digit is drawn dark on white, scaled up to 64 px (bilinear, nearest, Lanczos) or 128 px (bicubic), put on a
page with a white margin and read by the server's own preprocessing (app/mnist/preprocess.preprocess: crop, 20 px
box, centre of mass), then by the model. Prints the accuracy, the recall of each digit and the commonest confusions
for each way of scaling up. Information only: the aim (issue 17) is ≥ 98% on real handwriting from other writers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.nn import Sequential  # noqa: E402
from app.mnist import preprocess  # noqa: E402

SCALINGS = {"bilinear 64 px": (64, Image.Resampling.BILINEAR), "nearest 64 px": (64, Image.Resampling.NEAREST),
            "Lanczos 64 px": (64, Image.Resampling.LANCZOS), "bicubic 128 px": (128, Image.Resampling.BICUBIC)}


def as_picture(digit: np.ndarray, side: int, resample) -> Image.Image:
    """An 8×8 digit of 0..16 -> a side × side picture, dark ink on a white page with a margin of side / 8."""
    grey = (255 - np.round(digit.astype(np.float64) * 255 / 16)).astype(np.uint8)
    pic = Image.fromarray(grey, "L").resize((side, side), resample)
    page = Image.new("L", (side + side // 4, side + side // 4), 255)
    page.paste(pic, (side // 8, side // 8))
    return page


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default=str(ROOT / "app" / "weights" / "mnist_cnn.npz"))
    args = ap.parse_args()
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit('scikit-learn is not installed: pip install -e ".[bench]"')
    digits = load_digits()
    images, labels = digits.images, digits.target
    model = Sequential.load(args.weights)
    print(f"{args.weights}: {len(labels)} digits of scikit-learn (UCI optdigits, 8×8)")
    for name, (side, resample) in SCALINGS.items():
        xs = []
        for digit in images:
            prepared = preprocess.preprocess(as_picture(digit, side, resample))
            xs.append(np.zeros((28, 28), np.float32) if prepared is None else prepared["pixels"])
        pred = model.predict(np.stack(xs)).argmax(axis=1)
        conf = np.zeros((10, 10), int)
        np.add.at(conf, (labels, pred), 1)
        recall = conf.diagonal() / conf.sum(axis=1)
        worst = sorted(((conf[i, j], i, j) for i in range(10) for j in range(10) if i != j and conf[i, j]),
                       reverse=True)[:4]
        print(f"{name:15s} {np.mean(pred == labels) * 100:5.1f}%   recall " +
              " ".join(f"{d}:{r * 100:.0f}" for d, r in enumerate(recall)) +
              "   most confused " + ", ".join(f"{i}→{j} ×{c}" for c, i, j in worst))


if __name__ == "__main__":
    main()
