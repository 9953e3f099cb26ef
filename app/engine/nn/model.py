"""A Sequential model whose architecture is data: a list of layer specs (plain dicts).

    {"name": "conv1", "kind": "conv2d", "filters": 32, "kernel_size": [3, 3], "strides": [1, 1],
     "padding": "valid"}
    {"name": "relu1", "kind": "relu"}
    {"name": "pool1", "kind": "maxpool2d", "pool_size": [2, 2], "strides": [2, 2]}
    {"name": "flatten", "kind": "flatten"}
    {"name": "fc1", "kind": "dense", "units": 128}
    {"name": "drop", "kind": "dropout", "rate": 0.5}

    {"name": "bn2", "kind": "batchnorm"}   (training only: fold_batchnorm() merges it into the conv before it)

Parameters live in one dict: "conv1.W" (kh, kw, C, F), "conv1.b" (F,), "fc1.W" (D, U), "fc1.b" (U,);
a batchnorm layer has "bn2.gamma", "bn2.beta" (trained) and "bn2.mean", "bn2.var" (population statistics).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import EngineError
from ..padding import output_size, resolve_padding
from . import batchnorm, conv, layers, pool

KINDS = ("conv2d", "relu", "maxpool2d", "flatten", "dense", "dropout", "batchnorm")
_FRESH_OUTPUT = ("conv2d", "dense", "maxpool2d", "batchnorm")  # kinds whose output is a new array no cache keeps
_FUSED, _RELU_POOL = object(), object()  # cache markers of a ReLU fused into the pooling after it
_RELU, _RELU_IN_PLACE, _MAXPOOL, _CONV, _DENSE, _LAYER = "relu", "relu!", "maxpool", "conv", "dense", "layer"  # infer()


def _pair(v):
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def output_shape(layer, in_shape):
    """Shape of one sample after `layer`, given the sample's input shape (no batch axis)."""
    kind = layer["kind"]
    if kind == "conv2d":
        h, w, _ = in_shape
        kh, kw = _pair(layer["kernel_size"])
        sh, sw = _pair(layer.get("strides", 1))
        dh, dw = _pair(layer.get("dilation", 1))
        p = resolve_padding(layer.get("padding", "valid"), (h, w), (kh, kw), (sh, sw), (dh, dw))
        return (output_size(h + p.top + p.bottom, kh, sh, dh), output_size(w + p.left + p.right, kw, sw, dw),
                int(layer["filters"]))
    if kind == "maxpool2d":
        h, w, c = in_shape
        ph, pw = _pair(layer.get("pool_size", 2))
        sh, sw = _pair(layer.get("strides") or (ph, pw))
        return output_size(h, ph, sh), output_size(w, pw, sw), c
    if kind == "flatten":
        return (int(np.prod(in_shape)),)
    if kind == "dense":
        return (int(layer["units"]),)
    if kind in ("relu", "dropout", "batchnorm"):
        return tuple(in_shape)
    raise EngineError("kind", f"unknown layer kind {kind!r}; expected one of {', '.join(KINDS)}")


class Sequential:
    def __init__(self, spec, input_shape=(28, 28, 1), params=None, seed=0, dtype=np.float32):
        self.spec = [dict(layer) for layer in spec]
        self.input_shape = tuple(int(s) for s in input_shape)
        self.shapes = []  # per-layer output shape, no batch axis
        shape = self.input_shape
        for layer in self.spec:
            shape = output_shape(layer, shape)
            if min(shape) <= 0:
                raise EngineError(layer["name"], "output would be empty")
            self.shapes.append(shape)
        self.params = self._init_params(seed, dtype) if params is None else {
            k: np.asarray(v) for k, v in params.items()}

    # ---- parameters -------------------------------------------------------------------------
    def _init_params(self, seed, dtype):
        """He-normal weights (fan_in = kh·kw·C or D) before ReLUs, Glorot-uniform for the output layer."""
        rng = np.random.default_rng(seed)
        params, shape = {}, self.input_shape
        last = max(i for i, layer in enumerate(self.spec) if layer["kind"] in ("conv2d", "dense"))
        for i, (layer, out) in enumerate(zip(self.spec, self.shapes, strict=True)):
            name = layer["name"]
            if layer["kind"] == "conv2d":
                kh, kw = _pair(layer["kernel_size"])
                w_shape = (kh, kw, shape[-1], int(layer["filters"]))
            elif layer["kind"] == "dense":
                w_shape = (shape[0], int(layer["units"]))
            elif layer["kind"] == "batchnorm":
                c = shape[-1]
                params.update({f"{name}.gamma": np.ones(c, dtype), f"{name}.beta": np.zeros(c, dtype),
                               f"{name}.mean": np.zeros(c, dtype), f"{name}.var": np.ones(c, dtype)})
                shape = out
                continue
            else:
                shape = out
                continue
            fan_in = int(np.prod(w_shape[:-1]))
            if i == last:
                limit = np.sqrt(6.0 / (fan_in + w_shape[-1] * int(np.prod(w_shape[:-2]))))
                W = rng.uniform(-limit, limit, w_shape)
            else:
                W = rng.standard_normal(w_shape) * np.sqrt(2.0 / fan_in)
            params[f"{name}.W"] = W.astype(dtype)
            params[f"{name}.b"] = np.zeros(w_shape[-1], dtype=dtype)
            shape = out
        return params

    def param_counts(self):
        """{layer name: number of parameters} for every layer (0 for those without)."""
        return {layer["name"]: int(sum(v.size for k, v in self.params.items()
                                       if k.rsplit(".", 1)[0] == layer["name"])) for layer in self.spec}

    def num_params(self):
        return int(sum(v.size for v in self.params.values()))

    # ---- forward / backward ---------------------------------------------------------------
    def _as_batch(self, x):
        x = np.asarray(x, dtype=self.params[next(iter(self.params))].dtype)
        if x.ndim == len(self.input_shape) and self.input_shape[-1] == 1 and x.shape[1:] != self.input_shape:
            x = x[..., None]  # (N, 28, 28) -> (N, 28, 28, 1)
        if x.shape[1:] != self.input_shape:
            raise EngineError("x", f"expected shape (N, {', '.join(map(str, self.input_shape))}), "
                                   f"got {x.shape}")
        return x

    def _layer_forward(self, layer, x, training, rng):
        kind, name = layer["kind"], layer["name"]
        if kind == "conv2d":
            return conv.conv2d_forward(x, self.params[f"{name}.W"], self.params[f"{name}.b"],
                                       _pair(layer.get("strides", 1)), layer.get("padding", "valid"),
                                       _pair(layer.get("dilation", 1)))
        if kind == "relu":
            return layers.relu_forward(x)
        if kind == "maxpool2d":
            ps = _pair(layer.get("pool_size", 2))
            return pool.maxpool2d_forward(x, ps, _pair(layer.get("strides") or ps))
        if kind == "flatten":
            return layers.flatten_forward(x)
        if kind == "dense":
            return layers.dense_forward(x, self.params[f"{name}.W"], self.params[f"{name}.b"])
        if kind == "dropout":
            return layers.dropout_forward(x, float(layer["rate"]), rng, training)
        if kind == "batchnorm":
            p = self.params
            stats = (None, None) if training else (p[f"{name}.mean"], p[f"{name}.var"])
            return batchnorm.batchnorm_forward(x, p[f"{name}.gamma"], p[f"{name}.beta"], *stats)
        raise EngineError("kind", f"unknown layer kind {kind!r}")

    def forward(self, x, training=False, rng=None):
        """x (N, H, W, C) -> logits (N, classes), caches (one per layer).

        Same numbers as running the layers one by one, with less memory traffic:
        - a ReLU followed by max pooling is applied AFTER the pooling, on the
          4× smaller map: max and ReLU commute, max(relu(a), relu(b)) = relu(max(a, b)), and the
          gradients agree too (a window whose max is ≤ 0 passes no gradient either way);
        - any other ReLU after a conv, dense or pooling layer works in place on that layer's fresh output.
        forward_with_activations() runs every layer on its own, to show each one's output.
        """
        x = self._as_batch(x)
        caches = []
        spec = self.spec
        i = 0
        while i < len(spec):
            layer = spec[i]
            nxt = spec[i + 1]["kind"] if i + 1 < len(spec) else None
            if layer["kind"] == "relu" and nxt == "maxpool2d":
                x, pool_cache = self._layer_forward(spec[i + 1], x, training, rng)
                np.maximum(x, 0, out=x)  # x is the pool's own fresh output
                caches += [_FUSED, (_RELU_POOL, x > 0, pool_cache)]
                i += 2
                continue
            if layer["kind"] == "relu" and i > 0 and spec[i - 1]["kind"] in _FRESH_OUTPUT:
                np.maximum(x, 0, out=x)  # in place: nobody else holds the previous layer's output
                caches.append(x > 0)
                i += 1
                continue
            x, cache = self._layer_forward(layer, x, training, rng)
            caches.append(cache)
            i += 1
        return x, caches

    def backward(self, dout, caches):
        """d loss / d logits -> {param name: gradient}. The first layer skips its input gradient."""
        grads = {}
        for idx in range(len(self.spec) - 1, -1, -1):
            layer, cache = self.spec[idx], caches[idx]
            kind, name = layer["kind"], layer["name"]
            if cache is _FUSED:
                continue  # its gradient was taken with the next layer's
            if kind == "conv2d":
                dout, grads[f"{name}.W"], grads[f"{name}.b"] = conv.conv2d_backward(
                    dout, cache, need_dx=idx > 0)
            elif kind == "dense":
                dout, grads[f"{name}.W"], grads[f"{name}.b"] = layers.dense_backward(dout, cache)
            elif kind == "relu":
                dout = layers.relu_backward(dout, cache)
            elif kind == "maxpool2d":
                if isinstance(cache, tuple) and cache[0] is _RELU_POOL:
                    dout = pool.maxpool2d_backward(layers.relu_backward(dout, cache[1]), cache[2])
                else:
                    dout = pool.maxpool2d_backward(dout, cache)
            elif kind == "flatten":
                dout = layers.flatten_backward(dout, cache)
            elif kind == "dropout":
                dout = layers.dropout_backward(dout, cache)
            elif kind == "batchnorm":
                dout, grads[f"{name}.gamma"], grads[f"{name}.beta"] = batchnorm.batchnorm_backward(dout, cache)
        return grads

    def loss_and_grads(self, x, labels, rng=None, training=True):
        logits, caches = self.forward(x, training=training, rng=rng)
        loss, ce_cache = layers.softmax_ce_forward(logits, labels)
        grads = self.backward(layers.softmax_ce_backward(ce_cache), caches)
        return loss, logits, grads

    # ---- inference ------------------------------------------------------------------------
    def infer(self, x, per_sample=False):
        """x (N, H, W, C) -> logits (N, classes): forward()'s numbers without what a backward pass keeps (no
        caches, masks or winning taps; dropout is the identity). ReLUs work in place on fresh outputs, and a
        ReLU before max pooling runs after it, on the smaller map, as in forward().

        per_sample: every matmul is one sample's (conv2d_infer; dense layers as (1, D) @ (D, U) each), so a
        sample's logits are the same bits alone or in any batch, and those of infer() on it alone. The server
        uses it (a digit's answer must not depend on what else was asked with it); it is slower than the
        batch-wide matmuls from about 64 samples on, so training keeps those."""
        x = self._as_batch(x)
        params = self.params
        for op, layer, args in self._inference_plan():
            if op == _RELU_IN_PLACE:
                np.maximum(x, 0, out=x)
            elif op == _RELU:
                x = np.maximum(x, 0)
            elif op == _MAXPOOL:
                ps, st, relu_before = args
                x = pool.maxpool2d_infer(x, ps, st)
                if relu_before:
                    np.maximum(x, 0, out=x)  # the ReLU before it (max and ReLU commute)
            elif per_sample and op == _CONV:
                w, b, strides, padding, dilation = args
                x = conv.conv2d_infer(x, params[w], params[b], strides, padding, dilation)
            elif per_sample and op == _DENSE:
                w, b = args
                x = np.matmul(x[:, None, :], params[w])[:, 0]
                x += params[b]
            else:
                x, _ = self._layer_forward(layer, x, False, None)
        return x

    def _inference_plan(self):
        """infer()'s walk through the spec, decided once (the spec does not change after __init__):
        [(op, layer, settings)]. A ReLU before max pooling is left out (the pooling applies it), dropout too."""
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan, spec = [], self.spec
            for i, layer in enumerate(spec):
                kind, name = layer["kind"], layer["name"]
                after = spec[i - 1]["kind"] if i > 0 else None
                if kind == "relu":
                    if i + 1 < len(spec) and spec[i + 1]["kind"] == "maxpool2d":
                        continue  # applied after the pooling
                    plan.append((_RELU_IN_PLACE if after in _FRESH_OUTPUT else _RELU, layer, None))
                elif kind == "maxpool2d":
                    ps = _pair(layer.get("pool_size", 2))
                    plan.append((_MAXPOOL, layer, (ps, _pair(layer.get("strides") or ps), after == "relu")))
                elif kind == "conv2d":
                    plan.append((_CONV, layer, (f"{name}.W", f"{name}.b", _pair(layer.get("strides", 1)),
                                                layer.get("padding", "valid"), _pair(layer.get("dilation", 1)))))
                elif kind == "dense":
                    plan.append((_DENSE, layer, (f"{name}.W", f"{name}.b")))
                elif kind != "dropout":
                    plan.append((_LAYER, layer, None))
            self._plan = plan
        return plan

    def predict(self, x, batch_size=500, per_sample=False):
        """(N, 28, 28) or (N, 28, 28, 1) -> class probabilities (N, classes), float32 (per_sample: see infer)."""
        x = self._as_batch(x)
        if 0 < len(x) <= batch_size:
            return layers.softmax(self.infer(x, per_sample))
        out = [layers.softmax(self.infer(x[i:i + batch_size], per_sample))
               for i in range(0, len(x), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.shapes[-1][0]), np.float32)

    def forward_with_activations(self, x):
        """Every layer's output: [{"name", "kind", "shape", "array"}], then the softmax probabilities."""
        x = self._as_batch(x)
        acts = []
        for layer in self.spec:
            x, _ = self._layer_forward(layer, x, False, None)
            acts.append({"name": layer["name"], "kind": layer["kind"], "shape": list(x.shape), "array": x})
        p = layers.softmax(x)
        acts.append({"name": "softmax", "kind": "softmax", "shape": list(p.shape), "array": p})
        return acts

    def conv_layers(self, x):
        """For each conv layer: its input, kernel, bias and geometry, so one output cell can be recomputed.

        -> [{"name", "index", "input" (N, H, W, C), "W" (kh, kw, C, F), "b" (F,), "strides", "padding",
             "dilation", "pads" {top, bottom, left, right}, "output" (N, oh, ow, F)}]
        """
        x = self._as_batch(x)
        out = []
        for idx, layer in enumerate(self.spec):
            y, _ = self._layer_forward(layer, x, False, None)
            if layer["kind"] == "conv2d":
                W = self.params[f"{layer['name']}.W"]
                strides, dilation = _pair(layer.get("strides", 1)), _pair(layer.get("dilation", 1))
                pads = resolve_padding(layer.get("padding", "valid"), x.shape[1:3], W.shape[:2], strides,
                                       dilation)
                out.append({"name": layer["name"], "index": idx, "input": x, "W": W,
                            "b": self.params[f"{layer['name']}.b"], "strides": list(strides),
                            "padding": layer.get("padding", "valid"), "dilation": list(dilation),
                            "pads": pads.as_dict(), "output": y})
            x = y
        return out

    # ---- batch normalisation: statistics and folding ------------------------------------------
    def batchnorm_statistics(self, x, batch_size=500):
        """Set every batchnorm layer's "mean" and "var" to the statistics of its input over x, each batch
        normalised by its own statistics as in training (dropout off)."""
        names = [layer["name"] for layer in self.spec if layer["kind"] == "batchnorm"]
        sums = dict.fromkeys(names, 0.0)
        squares = dict.fromkeys(names, 0.0)
        count = 0
        x = self._as_batch(x)
        for i in range(0, len(x), batch_size):
            h = x[i:i + batch_size]
            for layer in self.spec:
                if layer["kind"] == "batchnorm":
                    h64 = h.reshape(-1, h.shape[-1]).astype(np.float64)
                    sums[layer["name"]] = sums[layer["name"]] + h64.sum(axis=0)
                    squares[layer["name"]] = squares[layer["name"]] + (h64 * h64).sum(axis=0)
                    h, _ = self._layer_forward(layer, h, True, None)
                else:
                    h, _ = self._layer_forward(layer, h, False, None)
            count += h.shape[0]
        for layer in self.spec:
            if layer["kind"] == "batchnorm":
                n = layer["name"]
                m = count * int(np.prod(self.shapes[self.spec.index(layer)][:-1]))
                mean = sums[n] / m
                dtype = self.params[f"{n}.mean"].dtype
                self.params[f"{n}.mean"] = mean.astype(dtype)
                self.params[f"{n}.var"] = np.maximum(squares[n] / m - mean * mean, 0).astype(dtype)

    def fold_batchnorm(self):
        """-> a Sequential without batchnorm layers, each merged into the conv or dense layer before it
        (inference: the same outputs up to rounding)."""
        spec, params = [], {}
        for i, layer in enumerate(self.spec):
            name = layer["name"]
            if layer["kind"] == "batchnorm":
                prev = self.spec[i - 1] if i > 0 else None
                if prev is None or prev["kind"] not in ("conv2d", "dense"):
                    raise EngineError(name, "a batchnorm layer can only be folded into a conv2d or dense before it")
                p = self.params
                params[f"{prev['name']}.W"], params[f"{prev['name']}.b"] = batchnorm.fold_into_conv(
                    params[f"{prev['name']}.W"], params[f"{prev['name']}.b"], p[f"{name}.gamma"], p[f"{name}.beta"],
                    p[f"{name}.mean"], p[f"{name}.var"])
                continue
            spec.append(dict(layer))
            for k, v in self.params.items():
                if k.rsplit(".", 1)[0] == name:
                    params[k] = v.copy()
        return Sequential(spec, self.input_shape, params=params)

    # ---- persistence ----------------------------------------------------------------------
    def save(self, path):
        arrays = {k: np.ascontiguousarray(v) for k, v in self.params.items()}
        np.savez_compressed(path, __spec__=np.array(json.dumps(self.spec)),
                            __input_shape__=np.array(self.input_shape, dtype=np.int64), **arrays)

    @classmethod
    def load(cls, path):
        with np.load(Path(path), allow_pickle=False) as f:
            spec = json.loads(str(f["__spec__"]))
            input_shape = tuple(int(v) for v in f["__input_shape__"])
            params = {k: f[k] for k in f.files if not k.startswith("__")}
        return cls(spec, input_shape, params=params)

    def summary(self):
        """[{"name", "kind", "spec", "output_shape", "params"}] for the model card."""
        counts = self.param_counts()
        return [{"name": layer["name"], "kind": layer["kind"], "spec": layer, "output_shape": list(shape),
                 "params": counts[layer["name"]]}
                for layer, shape in zip(self.spec, self.shapes, strict=True)]
