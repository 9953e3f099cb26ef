"""Write tests/data/mnist_test_sample.npz: the first 1,000 MNIST *test* digits (uint8) and labels.

    python bench/make_mnist_sample.py DIR   # DIR holds the four idx files
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.mnist.idx import find_file, read_images, read_labels  # noqa: E402

COUNT = 1000


def main(data_dir: str) -> Path:
    images = read_images(find_file(data_dir, "t10k-images-idx3-ubyte"))[:COUNT]
    labels = read_labels(find_file(data_dir, "t10k-labels-idx1-ubyte"))[:COUNT]
    out = ROOT / "tests" / "data" / "mnist_test_sample.npz"
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=images.astype(np.uint8), labels=labels.astype(np.uint8))
    print(f"wrote {out} ({out.stat().st_size} bytes): {len(images)} test digits, "
          f"labels {np.bincount(labels, minlength=10).tolist()}")
    return out


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/mnist")
