"""How much of the input one neuron sees: receptive field, jump, and the exact region of one cell.

Per spatial axis, the standard recurrence (Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks", Distill 2019), starting at the input with r = 1, j = 1, start = 0:

    a window of k cells, stride s, dilation d, p cells of padding before the first cell:
        r_out     = r_in + (k − 1)·d·j_in     receptive field: input pixels one output cell spans
        j_out     = j_in·s                     jump (effective stride): input pixels between neighbouring cells
        start_out = start_in − p·j_in          where cell 0's field begins (< 0: in the padding)
    output cell i spans the input pixels [start + i·j, start + i·j + r), before clipping to the input.

- Layers without a window (activations, normalisation, dropout, Dense on a map) keep r, j and start.
- Pooling is a window like a convolution (d = 1); ZeroPadding2D is a window of k = 1 with padding p.
- A layer that reads the whole map at once (global pooling, Flatten and so everything after it) is one
  window as large as the map, k = s = n (Keras' AveragePooling2D(pool_size=(H, W)) does the same):
  r_out = r_in + (n − 1)·j_in, j_out = j_in·n. Its one "cell" sees the union of every cell's field.
- AdaptiveAvgPool2d (PyTorch) from n to o cells has windows [⌊i·n/o⌋, ⌈(i + 1)·n/o⌉): when o divides n
  that is k = s = n/o; otherwise k is the largest window and s the largest step between windows.
- A merge (Concatenate, Add) sees what any of its branches sees: the union of the branches' fields.
  start = min over branches of start_b; when the jumps agree, r = max_b(start_b + r_b) − start and j is
  theirs; when they differ (no reference network does that), j is the largest jump and r the largest
  union over the map's cells (reached at the first or the last cell).

These numbers ignore the input's edges (the field of a border cell reaches into the padding). Beside
them, two boxes per cell are carried along:
- exact: lo[i] is the first input pixel cell i depends on and hi[i] one past the last, following every
  window tap that meets a real cell (padding depends on no pixel, so nothing outside the input is
  counted). A cell whose windows only ever meet padding sees nothing: lo = EMPTY, hi = −EMPTY. Pixels
  inside the box may still go unread when strides exceed windows or dilation leaves gaps.
- unclipped: ulo[i], uhi[i], the same walk with padding cells seeing what a cell there would see
  (the neighbouring cell's box moved by the jump). Where every layer has one window size and one step this
  is [start + i·j, start + i·j + r); after a merge of branches with different jumps or an adaptive pooling
  with uneven windows it is that cell's own box, at most r wide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import check_int
from .errors import EngineError
from .padding import effective_size, output_size, resolve_padding

EMPTY = 1 << 40  # lo of a cell that sees no input pixel (hi is −EMPTY): neutral in min and max


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a layer's output: the recurrence's r, j, start and every cell's exact box."""
    r: int
    j: int
    start: int
    lo: np.ndarray   # (n,) int64: first input pixel each cell depends on (EMPTY when none)
    hi: np.ndarray   # (n,) int64: one past the last (−EMPTY when none)
    ulo: np.ndarray  # (n,) int64: where each cell's unclipped field begins (may be < 0)
    uhi: np.ndarray  # (n,) int64: where it ends (may pass the input's size)

    @property
    def n(self) -> int:
        return int(self.lo.size)


def axis_input(n: int) -> Axis:
    cells = np.arange(n, dtype=np.int64)
    return Axis(1, 1, 0, cells, cells + 1, cells, cells + 1)


def _extend(v: np.ndarray, before: int, after: int, j: int) -> np.ndarray:
    """A monotone array continued into `before` + `after` padding cells, one jump j per cell."""
    return np.concatenate([v[0] + j * np.arange(-before, 0), v, v[-1] + j * np.arange(1, after + 1)])


def axis_window(a: Axis, k: int, s: int, d: int, pad: int, n_out: int) -> Axis:
    """A window of k cells (dilation d, stride s) over `a`'s cells with `pad` padding cells before them."""
    span = (n_out - 1) * s + effective_size(k, d)                    # padded cells the windows reach
    lo = np.full(max(span, pad + a.n), EMPTY)                           # padding sees no pixel
    hi = np.full(lo.size, -EMPTY)
    lo[pad:pad + a.n], hi[pad:pad + a.n] = a.lo, a.hi
    reduce = window_reduce_naive if k <= 16 else window_reduce  # the loop is faster for small windows
    last = (n_out - 1) * s + 1
    lo_out = reduce(lo, k, d, np.minimum)[:last:s]                      # (n_out,)
    hi_out = reduce(hi, k, d, np.maximum)[:last:s]
    first_tap, last_tap = 0, (k - 1) * d                                # ulo, uhi grow: the ends decide
    ulo = _extend(a.ulo, pad, lo.size - pad - a.n, a.j)[first_tap:first_tap + last:s]
    uhi = _extend(a.uhi, pad, lo.size - pad - a.n, a.j)[last_tap:last_tap + last:s]
    return Axis(a.r + (k - 1) * d * a.j, a.j * s, a.start - pad * a.j, lo_out, hi_out, ulo, uhi)


def window_reduce_naive(x: np.ndarray, k: int, d: int, op) -> np.ndarray:
    """op over x[p], x[p + d], ..., x[p + (k − 1)·d] for every start p: (L,) -> (L − (k − 1)·d,), tap by tap."""
    m = x.size - (k - 1) * d
    out = x[:m].copy()
    for t in range(1, k):
        op(out, x[t * d:t * d + m], out=out)
    return out


def window_reduce(x: np.ndarray, k: int, d: int, op) -> np.ndarray:
    """The same in a fixed number of array operations whatever k (van Herk / Gil & Werman): the cells of one
    residue class mod d form a column; each column is cut into blocks of k rows, and a window of k rows is the
    suffix of one block joined with the prefix of the next."""
    m = x.size - (k - 1) * d
    rows = -(-x.size // d)
    blocks = -(-rows // k)
    fill = EMPTY if op is np.minimum else -EMPTY
    col = np.full(blocks * k * d, fill, dtype=x.dtype)
    col[:x.size] = x
    col = col.reshape(blocks, k, d)                                     # (block, row in block, residue)
    prefix = op.accumulate(col, axis=1).reshape(blocks * k, d)
    suffix = op.accumulate(col[:, ::-1], axis=1)[:, ::-1].reshape(blocks * k, d)
    n_rows = blocks * k - (k - 1)
    out = op(suffix[:n_rows], prefix[k - 1:])                           # (row, residue): the window from that row
    return out.reshape(-1)[:m]


def adaptive_windows(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive pooling from n to o cells: window i is [⌊i·n/o⌋, ⌈(i + 1)·n/o⌉)."""
    i = np.arange(o, dtype=np.int64)
    return (i * n) // o, -((-(i + 1) * n) // o)


def axis_adaptive(a: Axis, o: int) -> Axis:
    n = a.n
    if n % o == 0:
        return axis_window(a, n // o, n // o, 1, 0, o)
    starts, ends = adaptive_windows(n, o)
    k = int((ends - starts).max())
    taps = starts[:, None] + np.arange(k)                            # (o, k)
    inside = taps < ends[:, None]
    at = np.minimum(taps, n - 1)
    lo = np.where(inside, a.lo[at], EMPTY).min(axis=1)
    hi = np.where(inside, a.hi[at], -EMPTY).max(axis=1)
    step = int(np.diff(starts).max())
    return Axis(a.r + (k - 1) * a.j, a.j * step, a.start, lo, hi, a.ulo[starts], a.uhi[ends - 1])


def axis_whole(a: Axis) -> Axis:
    """One window over the whole axis: what global pooling and Flatten's readers see."""
    return axis_window(a, a.n, a.n, 1, 0, 1)


def axis_union(axes: list[Axis]) -> Axis:
    """What a merge's cell sees: the union of the branches' fields of the same cell."""
    n = axes[0].n
    lo, ulo = np.minimum.reduce([a.lo for a in axes]), np.minimum.reduce([a.ulo for a in axes])
    hi, uhi = np.maximum.reduce([a.hi for a in axes]), np.maximum.reduce([a.uhi for a in axes])
    start = min(a.start for a in axes)
    j = max(a.j for a in axes)
    r = max(max(a.start + a.r + i * a.j for a in axes) - min(a.start + i * a.j for a in axes) for i in (0, n - 1))
    return Axis(r, j, start, lo, hi, ulo, uhi)


@dataclass(frozen=True)
class Field:
    """Both spatial axes of a layer's output."""
    h: Axis
    w: Axis


def field_input(height: int, width: int) -> Field:
    h = axis_input(height)
    return Field(h, h if width == height else axis_input(width))


def field_window(f: Field, k, s, d, pad_top: int, pad_left: int, out_hw) -> Field:
    h = axis_window(f.h, k[0], s[0], d[0], pad_top, out_hw[0])
    if f.w is f.h and (k[1], s[1], d[1], pad_left, out_hw[1]) == (k[0], s[0], d[0], pad_top, out_hw[0]):
        return Field(h, h)  # a square map through a square window: one axis is enough
    return Field(h, axis_window(f.w, k[1], s[1], d[1], pad_left, out_hw[1]))


def field_adaptive(f: Field, out_hw) -> Field:
    h = axis_adaptive(f.h, out_hw[0])
    return Field(h, h if f.w is f.h and out_hw[1] == out_hw[0] else axis_adaptive(f.w, out_hw[1]))


def field_whole(f: Field) -> Field:
    h = axis_whole(f.h)
    return Field(h, h if f.w is f.h else axis_whole(f.w))


def field_union(fields: list[Field]) -> Field:
    h = axis_union([f.h for f in fields])
    return Field(h, h if all(f.w is f.h for f in fields) else axis_union([f.w for f in fields]))


def square(h: int, w: int) -> int | list[int]:
    """5, 5 -> 5; 5, 3 -> [5, 3] (rows, columns)."""
    return int(h) if h == w else [int(h), int(w)]


def cell_region(f: Field, i: int, j: int) -> dict:
    """Where output cell (i, j) looks: the exact box (inside the input), and the unclipped one.

    -> {"region": [top, left, bottom, right) or None when it sees no pixel, "unclipped": [top, left, bottom, right)}
    """
    lo_h, hi_h, lo_w, hi_w = (int(v) for v in (f.h.lo[i], f.h.hi[i], f.w.lo[j], f.w.hi[j]))
    return {"region": [lo_h, lo_w, hi_h, hi_w] if hi_h > lo_h and hi_w > lo_w else None,
            "unclipped": [int(f.h.ulo[i]), int(f.w.ulo[j]), int(f.h.uhi[i]), int(f.w.uhi[j])]}


def describe(f: Field | None, spatial: bool) -> dict:
    """A layer's receptive-field columns, and the region its centre cell sees (for a page to draw).

    -> {"receptive_field", "jump", "rf_start": int or [h, w] (int when both axes agree),
        "rf_region": {"cell": [i, j] (None for a flat output: its one position is the whole map),
                      "region", "unclipped"}}; all None for a network whose input is a flat vector.
    """
    if f is None:
        return {"receptive_field": None, "jump": None, "rf_start": None, "rf_region": None}
    i, j = (f.h.n - 1) // 2, (f.w.n - 1) // 2
    return {"receptive_field": square(f.h.r, f.w.r), "jump": square(f.h.j, f.w.j),
            "rf_start": square(f.h.start, f.w.start),
            "rf_region": {"cell": [i, j] if spatial else None, **cell_region(f, i, j)}}


# ---- a Sequential model's spec (app/engine/nn/model.py): the region one feature-map cell sees ----------

def _pair(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def sequential_fields(spec: list[dict], input_shape) -> list[tuple[dict, tuple, Field | None]]:
    """[(layer, output shape, field)] for every layer of an app.engine.nn spec; field None once flat."""
    h, w = int(input_shape[0]), int(input_shape[1])
    shape = (h, w, int(input_shape[2]) if len(input_shape) > 2 else 1)
    f: Field | None = field_input(h, w)
    out = []
    for layer in spec:
        kind = layer["kind"]
        h, w = shape[:2] if len(shape) == 3 else (0, 0)
        if kind in ("conv2d", "maxpool2d") and f is None:
            raise EngineError(layer["name"], f"{kind} needs a feature map, but its input is a flat vector")
        if kind == "conv2d":
            k, s = _pair(layer["kernel_size"]), _pair(layer.get("strides", 1))
            d = _pair(layer.get("dilation", 1))
            p = resolve_padding(layer.get("padding", "valid"), (h, w), k, s, d)
            shape = (output_size(h + p.top + p.bottom, k[0], s[0], d[0]),
                     output_size(w + p.left + p.right, k[1], s[1], d[1]), int(layer["filters"]))
            f = field_window(f, k, s, d, p.top, p.left, _nonempty(shape, layer))
        elif kind == "maxpool2d":
            k = _pair(layer.get("pool_size", 2))
            s = _pair(layer.get("strides") or k)
            shape = (output_size(h, k[0], s[0]), output_size(w, k[1], s[1]), shape[2])
            f = field_window(f, k, s, (1, 1), 0, 0, _nonempty(shape, layer))
        elif kind == "flatten" or (kind == "dense" and f is None):
            shape, f = (int(np.prod(shape)) if kind == "flatten" else int(layer["units"]),), None
        elif kind == "dense":
            raise EngineError(layer["name"], "dense needs a flat vector: put a flatten before it")
        elif kind not in ("relu", "dropout"):
            raise EngineError("kind", f"unknown layer kind {kind!r}")
        out.append((layer, shape, f))
    return out


def _nonempty(shape, layer) -> tuple[int, int]:
    if min(shape) <= 0:
        raise EngineError(layer["name"], "output would be empty")
    return shape[0], shape[1]


def sequential_region(spec: list[dict], input_shape, layer, i, j) -> dict:
    """The part of the input that cell (i, j) of a feature map sees, in a Sequential model's spec.

    spec: app.engine.nn layer specs (conv2d, maxpool2d, relu, dropout, flatten, dense); input_shape (H, W[, C]).
    -> {"layer", "cell": [i, j], "input_shape": [H, W], "output_shape": [oh, ow, C],
        "region": [top, left, bottom, right) in input pixels, clipped to the input (exact: the first and last
                  pixel the cell depends on), or None when the cell sees only padding,
        "unclipped": [top, left, bottom, right) from the recurrence (may reach outside the input),
        "receptive_field", "jump", "rf_start": int or [h, w]}
    """
    if not isinstance(layer, str):
        raise EngineError("layer", "must be a layer name")
    fields = sequential_fields(spec, input_shape)
    names = [entry[0]["name"] for entry in fields]
    if layer not in names:
        raise EngineError("layer", "must be one of " + ", ".join(names))
    _, shape, f = fields[names.index(layer)]
    if f is None:
        raise EngineError("layer", "is a flat vector, not a feature map: pick a conv2d, relu or maxpool2d layer")
    i = check_int(i, "i", 0, shape[0] - 1)
    j = check_int(j, "j", 0, shape[1] - 1)
    return {"layer": layer, "cell": [i, j], "input_shape": [int(input_shape[0]), int(input_shape[1])],
            "output_shape": list(shape), **cell_region(f, i, j),
            "receptive_field": square(f.h.r, f.w.r), "jump": square(f.h.j, f.w.j),
            "rf_start": square(f.h.start, f.w.start)}
