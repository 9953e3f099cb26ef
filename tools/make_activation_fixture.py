"""Writes tests/data/keras_activations.json: Keras 3's activations (JAX backend, float32) and their derivatives
by JAX autodiff, the reference tests/engine/test_activations.py checks the engine against.

    KERAS_BACKEND=jax /work/envs/keras/bin/python tools/make_activation_fixture.py

Keras 2's hard_sigmoid is not in Keras 3: it is written out as the lecture's Keras defined it,
clip(0.2x + 0.5, 0, 1), with keras.ops.clip, and differentiated the same way (JAX's clip splits a tie, so its
derivative at x = ±2.5 is 0.1; the engine follows TensorFlow's 0.2 there: only the kinks are left out of that check).
"""

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402

X = [-40.0, -12.0, -6.0, -3.5, -3.0, -2.9, -2.5, -2.4, -1.0, -0.3, 0.0, 0.25, 0.5, 1.0, 1.7, 2.4, 2.5, 2.6, 3.0,
     3.2, 5.0, 9.0, 20.0]
VECTORS = [[1.0, 2.0, 3.0], [0.0], [-1.5, 0.0, 0.5, 4.0, 1.0], [100.0, 100.0, -100.0], [2.0, 1.0, 0.1]]


def keras2_hard_sigmoid(z):
    return keras.ops.clip(0.2 * z + 0.5, 0.0, 1.0)


FUNCTIONS = {
    "linear": keras.activations.linear, "relu": keras.activations.relu, "sigmoid": keras.activations.sigmoid,
    "tanh": keras.activations.tanh, "hard_sigmoid_3": keras.activations.hard_sigmoid,
    "hard_sigmoid_2": keras2_hard_sigmoid,
}


def main():
    x = jnp.asarray(X, dtype=jnp.float32)
    out = {"keras": keras.__version__, "jax": jax.__version__, "x": X, "functions": {}, "softmax": []}
    for name, f in FUNCTIONS.items():
        y = f(x)
        dy = jax.vmap(jax.grad(lambda v, f=f: f(v)))(x)
        out["functions"][name] = {"y": [float(v) for v in y], "dy": [float(v) for v in dy]}
    for v in VECTORS:
        z = jnp.asarray(v, dtype=jnp.float32)
        y = keras.activations.softmax(z[None, :])[0]
        J = jax.jacobian(lambda t: keras.activations.softmax(t[None, :])[0])(z)
        out["softmax"].append({"x": v, "y": [float(a) for a in y], "jacobian": [[float(a) for a in row] for row in J]})
    path = Path(__file__).resolve().parent.parent / "tests" / "data" / "keras_activations.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
