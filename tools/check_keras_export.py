"""Check that Keras opens the app's exported MNIST model and predicts what the app predicts.

    .venv/bin/python -m app.models.export --out /tmp/mnist_cnn.keras --expected /tmp/mnist_expected.npz
    KERAS_BACKEND=jax /work/envs/keras/bin/python tools/check_keras_export.py \
        /tmp/mnist_cnn.keras /tmp/mnist_expected.npz

Prints Keras' summary, the largest difference between Keras' probabilities and the app's, and whether the
predicted digits agree; exits 1 if any probability differs by more than 1e-5.
"""

from __future__ import annotations

import os
import sys

import numpy as np


def main() -> int:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    path, expected = sys.argv[1], sys.argv[2]
    model = keras.models.load_model(path)
    model.summary()
    with np.load(expected) as f:
        x, want = f["x"], f["probabilities"]
    got = model.predict(x, verbose=0)
    diff = float(np.max(np.abs(got - want)))
    same = int((got.argmax(1) == want.argmax(1)).sum())
    print(f"keras {keras.__version__}: {len(x)} digits, max |keras - app| = {diff:.2e}, same digit {same}/{len(x)}, "
          f"count_params = {model.count_params():,}")
    return 0 if diff <= 1e-5 and same == len(x) else 1


if __name__ == "__main__":
    sys.exit(main())
