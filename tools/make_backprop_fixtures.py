"""Write tests/data/backprop_fixtures.json: Keras' and JAX's numbers for the engine's backprop tests.

    KERAS_BACKEND=jax /work/envs/keras/bin/python tools/make_backprop_fixtures.py

Keras 3 and JAX run only here (never in the app or its tests). Seeded, so a rerun writes the same file.
- "transpose": keras.layers.Conv2DTranspose on seeded random cases (strides, 'valid'/'same', output_padding,
  dilation where Keras allows it, channels, filters, bias, activation), computed in float32 (the layer as people
  use it) and in float64 (jax_enable_x64), with the input and weights used.
- "conv_grads": dL/dx, dL/dW, dL/db of L = Σ g ⊙ act(conv(x, W) + b) by JAX autodiff in float64, for
  lax.conv_general_dilated with 'VALID', 'SAME' (TensorFlow's rule: the extra row/column bottom/right) and
  explicit padding, strides and dilation.
- "pool_grads": dL/dx of L = Σ g ⊙ pool(x) by JAX autodiff of keras.ops.max_pool / average_pool in float64, on
  small integer inputs (many ties), 'valid' and 'same'.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
# jaxlib 0.10.2's XLA CPU algebraic simplifier aborts the process on some transposed convolutions (e.g. a 3×2
# input, 2×4 kernel, strides 2, 'same', output_padding (0, 1): "Window dimensions do not match RHS shape").
# The pass only rewrites; turned off, XLA computes the same convolution unsimplified.
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_disable_hlo_passes=algsimp").strip()

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "backprop_fixtures.json"
ACTS = ["linear", "relu", "sigmoid", "tanh"]
JAX_ACTS = {"linear": lambda v: v, "relu": jax.nn.relu, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh}


def f32(rng, shape):
    """Numbers in [-4, 4] in steps of 1/64: float32 holds them exactly (so float32 and float64 runs see the same
    inputs), their products and short sums are exact in float64, and JSON writes them in a few characters."""
    return rng.integers(-256, 257, size=shape) / 64.0


def short32(a):
    """float32 results written with float32's shortest digits (within half a float32 ulp of Keras' value)."""
    return np.vectorize(lambda v: float(str(np.float32(v))), otypes=[float])(a).tolist()


def pair(v):
    return [int(v[0]), int(v[1])]


def transpose_case(rng, config):
    h, w, c, f = config["hw"][0], config["hw"][1], config["c"], config["f"]
    kh, kw = config["k"]
    x = f32(rng, (h, w, c)) if "input" not in config else np.array(config.pop("input"), float)[:, :, None]
    W = f32(rng, (kh, kw, f, c)) if "kernel" not in config else np.array(config.pop("kernel"), float)[:, :, None, None]
    b = f32(rng, (f,)) if config["bias"] else np.zeros(f)
    outputs = {}
    for dtype in ("float32", "float64"):
        layer = keras.layers.Conv2DTranspose(
            f, (kh, kw), strides=config["strides"], padding=config["padding"],
            output_padding=config["output_padding"], dilation_rate=config["dilation_rate"],
            activation=config["activation"], use_bias=True, dtype=dtype)
        layer.build((1, h, w, c))
        layer.set_weights([W.astype(dtype), b.astype(dtype)])
        outputs[dtype] = np.asarray(layer(x[None].astype(dtype)))[0].astype(np.float64)
    return {"config": config, "input": x.tolist(), "kernel": W.tolist(),
            "bias": b.tolist() if config["bias"] else None,
            "output_shape": list(outputs["float64"].shape),
            "keras_float32": short32(outputs["float32"]), "keras_float64": outputs["float64"].tolist()}


def transpose_cases():
    rng = np.random.default_rng(15)
    cases = []
    fixed = [  # the lecture's padding example, even kernels, gaps (kernel < stride), output_padding, dilation
        {"hw": [4, 4], "c": 1, "f": 1, "k": [3, 3], "strides": [1, 1], "padding": "same", "output_padding": None,
         "dilation_rate": [1, 1], "activation": "linear", "bias": False,
         "input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
         "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]]},
        {"hw": [3, 4], "c": 1, "f": 2, "k": [2, 2], "strides": [2, 2], "padding": "same", "output_padding": None,
         "dilation_rate": [1, 1], "activation": "linear", "bias": True},
        {"hw": [3, 2], "c": 2, "f": 1, "k": [2, 1], "strides": [3, 3], "padding": "valid", "output_padding": None,
         "dilation_rate": [1, 1], "activation": "linear", "bias": False},
        {"hw": [2, 3], "c": 1, "f": 1, "k": [3, 3], "strides": [3, 2], "padding": "valid", "output_padding": [2, 1],
         "dilation_rate": [1, 1], "activation": "linear", "bias": False},
        {"hw": [3, 3], "c": 2, "f": 2, "k": [4, 3], "strides": [2, 3], "padding": "same", "output_padding": [1, 2],
         "dilation_rate": [1, 1], "activation": "relu", "bias": True},
        {"hw": [4, 3], "c": 1, "f": 2, "k": [3, 2], "strides": [1, 1], "padding": "same", "output_padding": None,
         "dilation_rate": [2, 3], "activation": "tanh", "bias": True},
        {"hw": [3, 3], "c": 3, "f": 1, "k": [1, 1], "strides": [2, 2], "padding": "same", "output_padding": None,
         "dilation_rate": [1, 1], "activation": "sigmoid", "bias": True},
        {"hw": [2, 2], "c": 1, "f": 1, "k": [4, 4], "strides": [2, 2], "padding": "same", "output_padding": [0, 0],
         "dilation_rate": [1, 1], "activation": "linear", "bias": False},
    ]
    for config in fixed:
        cases.append(transpose_case(rng, config))
    for n in range(48):
        dilate = n % 4 == 3
        s = [1, 1] if dilate else [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
        d = [int(rng.integers(1, 4)), int(rng.integers(1, 4))] if dilate else [1, 1]
        op = None if rng.random() < 0.4 else [int(rng.integers(0, s[0])), int(rng.integers(0, s[1]))]
        config = {"hw": [int(rng.integers(1, 6)), int(rng.integers(1, 6))], "c": int(rng.integers(1, 4)),
                  "f": int(rng.integers(1, 4)), "k": [int(rng.integers(1, 5)), int(rng.integers(1, 5))],
                  "strides": s, "padding": ["valid", "same"][n % 2], "output_padding": op, "dilation_rate": d,
                  "activation": ACTS[n % 4] if n % 3 == 0 else "linear", "bias": bool(n % 2)}
        cases.append(transpose_case(rng, config))
    return cases


# TensorFlow's 'same' with an odd total padding: the extra row/column goes bottom/right (h, w, c, f, kh, kw, s, d)
ASYMMETRIC_SAME = [(6, 6, 1, 1, 3, 3, [2, 2], [1, 1]), (7, 8, 2, 2, 4, 4, [1, 1], [1, 1]),
                   (8, 7, 2, 3, 3, 2, [2, 3], [1, 1]), (5, 6, 1, 2, 2, 2, [1, 1], [3, 1])]


def conv_grad_cases():
    rng = np.random.default_rng(1515)
    cases = []
    while len(cases) < 44:
        n = len(cases)
        h, w = int(rng.integers(2, 9)), int(rng.integers(2, 9))
        c, f = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        if n % 3 == 2:
            s, d = [1, 1], [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
        else:
            s, d = [int(rng.integers(1, 4)), int(rng.integers(1, 4))], [1, 1]
        kind = ["same", "valid", "same", "explicit", "full"][n % 5]
        if n < len(ASYMMETRIC_SAME):
            h, w, c, f, kh, kw, s, d = ASYMMETRIC_SAME[n]
            kind = "same"
        ekh, ekw = (kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1
        if kind == "same":
            padding, lax_pad = "same", "SAME"
        elif kind == "valid":
            padding, lax_pad = "valid", "VALID"
        elif kind == "full":
            padding, lax_pad = "full", [(ekh - 1, ekh - 1), (ekw - 1, ekw - 1)]
        else:
            t, bt, le, ri = (int(v) for v in rng.integers(0, 3, size=4))
            padding, lax_pad = [[t, bt], [le, ri]], [(t, bt), (le, ri)]
        x, W, b = f32(rng, (h, w, c)), f32(rng, (kh, kw, c, f)), f32(rng, (f,))
        act = ACTS[n % 4]
        y = jax.lax.conv_general_dilated(x[None], W, s, lax_pad, rhs_dilation=d,
                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))[0]
        if min(y.shape[:2]) < 1:
            continue
        g = f32(rng, y.shape)

        def loss(x, W, b, s=s, lax_pad=lax_pad, d=d, act=act, g=g):
            z = jax.lax.conv_general_dilated(x[None], W, s, lax_pad, rhs_dilation=d,
                                             dimension_numbers=("NHWC", "HWIO", "NHWC"))[0] + b
            a = JAX_ACTS[act](z)
            return jnp.sum(g * a), a

        (_, out), grads = jax.value_and_grad(loss, argnums=(0, 1, 2), has_aux=True)(x, W, b)
        cases.append({"config": {"strides": s, "dilation_rate": d, "padding": padding, "activation": act},
                      "input": x.tolist(), "kernel": W.tolist(), "bias": b.tolist(), "grad_output": g.tolist(),
                      "output": np.asarray(out).tolist(), "grad_input": np.asarray(grads[0]).tolist(),
                      "grad_kernel": np.asarray(grads[1]).tolist(), "grad_bias": np.asarray(grads[2]).tolist()})
    return cases


def pool_grad_cases():
    rng = np.random.default_rng(151515)
    cases = []
    for n in range(32):
        h, w, c = int(rng.integers(1, 8)), int(rng.integers(1, 8)), int(rng.integers(1, 3))
        p = [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
        s = [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
        padding = ["valid", "same"][n % 2]
        mode = ["max", "average"][(n // 2) % 2]
        if padding == "valid" and (p[0] > h or p[1] > w):
            p = [min(p[0], h), min(p[1], w)]
        x = rng.integers(0, 4, size=(h, w, c)).astype(np.float64)   # small integers: many ties
        op = keras.ops.max_pool if mode == "max" else keras.ops.average_pool
        p, s = tuple(p), tuple(s)
        y = np.asarray(op(x[None], p, s, padding))[0]
        g = f32(rng, y.shape)
        dx = jax.grad(lambda v, op=op, p=p, s=s, padding=padding, g=g: jnp.sum(g * op(v[None], p, s, padding)[0]))(x)
        cases.append({"config": {"mode": mode, "pool_size": list(p), "strides": list(s), "padding": padding},
                      "input": x.tolist(), "grad_output": g.tolist(), "output": y.tolist(),
                      "grad_input": np.asarray(dx).tolist()})
    return cases


def main():
    data = {"made_by": "tools/make_backprop_fixtures.py", "keras": keras.__version__, "jax": jax.__version__,
            "transpose": transpose_cases(), "conv_grads": conv_grad_cases(), "pool_grads": pool_grad_cases()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"{OUT}: {OUT.stat().st_size:,} bytes, {len(data['transpose'])} transpose, "
          f"{len(data['conv_grads'])} conv, {len(data['pool_grads'])} pool cases")


if __name__ == "__main__":
    main()
