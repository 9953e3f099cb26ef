"""A picture through a kernel: the cross-correlation Conv2D computes, on a grey or colour photo.

The picture is a float array in 0..1: (H, W) grey or (H, W, 3) rgb. The kernel is numbers or a preset:

    (kh, kw)         grey: one output; rgb: applied to each colour channel on its own (3 outputs)
    (kh, kw, C, F)   Keras' layout, C = 1 (grey) or 3 (rgb), F ≤ 3 filters: y[..., f] = Σ over kh, kw, C

Padding and strides are /api/conv2d's: "valid", "same" (TensorFlow's rule), "full", an int or
[[top, bottom], [left, right]]; strides an int or [rows, cols]. No bias, no activation: the output is the
weighted sum itself, y[i, j] = Σ_a Σ_b xp[i·sh + a, j·sw + b] · K[a, b], with xp the padded picture
(zeros outside). It is computed tap by tap (`correlate`), the trace of one cell by app/engine/conv.py's
conv2d_steps; a request is capped at FILTER_MAX_MACS multiply-adds, like /api/conv2d.
"""

from __future__ import annotations

import numpy as np

from .arrays import as_array, check_int, check_pair, to_list
from .colormap import colorize
from .conv import conv2d_steps, pad_input
from .errors import EngineError
from .limits import CONV_MAX_PAD, CONV_MAX_STRIDE, FILTER_MAX_F, FILTER_MAX_K, FILTER_MAX_MACS, FILTER_MAX_SIDE
from .numbers import finite_or_raise
from .padding import output_size, resolve_padding

# The presets, 3×3 each: the smallest window with a centre, and what image-kernel explainers show.
# "sum": a kernel summing to 1 keeps a flat area's brightness; one summing to 0 turns it black (0).
PRESETS: dict[str, dict] = {
    "identity": {"kernel": [[0, 0, 0], [0, 1, 0], [0, 0, 0]], "divisor": 1,
                 "what": "copies each pixel: the output is the input"},
    "box_blur": {"kernel": [[1, 1, 1], [1, 1, 1], [1, 1, 1]], "divisor": 9,
                 "what": "the mean of the 3×3 neighbourhood (each weight 1/9)"},
    "gaussian_blur": {"kernel": [[1, 2, 1], [2, 4, 2], [1, 2, 1]], "divisor": 16,
                      "what": "a weighted mean, the centre counting most: the binomial approximation of a Gaussian"},
    "sharpen": {"kernel": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "divisor": 1,
                "what": "the pixel plus its difference from its four neighbours: edges get stronger"},
    "outline": {"kernel": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], "divisor": 1,
                "what": "the pixel minus its eight neighbours: 0 on flat areas, large at edges and corners"},
    "sobel_x": {"kernel": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "divisor": 1,
                "what": "horizontal change (right minus left): vertical edges; positive where the picture "
                        "gets brighter to the right"},
    "sobel_y": {"kernel": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "divisor": 1,
                "what": "vertical change (below minus above): horizontal edges; positive where the picture "
                        "gets brighter downwards"},
    "emboss": {"kernel": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], "divisor": 1,
               "what": "the pixel plus the change from top-left to bottom-right: a relief lit from one side"},
    "laplacian": {"kernel": [[0, 1, 0], [1, -4, 1], [0, 1, 0]], "divisor": 1,
                  "what": "the four neighbours minus four times the pixel (the second derivative): 0 on flat "
                          "areas and on even slopes"},
}
MODES = {"single": "a 2-D kernel on a grey picture", "per_channel": "a 2-D kernel on each colour channel",
         "filters": "a (kh, kw, C, F) kernel: each filter sums over all channels"}


def preset_kernel(name) -> np.ndarray:
    """The preset's numbers, (3, 3) float64: its integer weights divided by its divisor."""
    if not isinstance(name, str) or name not in PRESETS:
        raise EngineError("preset", "must be one of " + ", ".join(PRESETS))
    p = PRESETS[name]
    return np.asarray(p["kernel"], dtype=np.float64) / p["divisor"]


def check_image(image, field: str = "image") -> np.ndarray:
    """(H, W) or (H, W, 3) numbers in 0..1, sides ≤ FILTER_MAX_SIDE -> float64 (H, W, C)."""
    if isinstance(image, np.ndarray):
        if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
            raise EngineError(field, f"must be (H, W) grey or (H, W, 3) rgb; got {list(image.shape)}")
        if min(image.shape[:2]) < 1 or max(image.shape[:2]) > FILTER_MAX_SIDE:
            raise EngineError(field, f"must be 1 to {FILTER_MAX_SIDE} pixels on each side; got "
                                     f"{image.shape[0]}×{image.shape[1]}")
        if not np.issubdtype(image.dtype, np.number) or np.issubdtype(image.dtype, np.complexfloating):
            raise EngineError(field, "must hold real numbers")
        x = image.astype(np.float64)
        if not np.all(np.isfinite(x)):
            raise EngineError(field, "must contain only finite numbers (no NaN or Infinity)")
    else:
        x = as_array(image, field, (2, 3), (FILTER_MAX_SIDE, FILTER_MAX_SIDE, 3), "(H, W) or (H, W, 3)")
        if x.ndim == 3 and x.shape[2] != 3:
            raise EngineError(field, f"must be (H, W) grey or (H, W, 3) rgb; got {list(x.shape)}")
    if x.min() < 0.0 or x.max() > 1.0:
        raise EngineError(field, "pixel values must lie within 0..1")
    return x if x.ndim == 3 else x[:, :, None]


def check_kernel_choice(kernel, preset) -> None:
    """Exactly one of a kernel and a preset (checked before a picture is decoded, and again here)."""
    if (kernel is None) == (preset is None):
        raise EngineError("kernel", "give either a kernel (numbers) or a preset, not both"
                          if kernel is not None else "give a kernel (numbers) or a preset")


def _kernel(kernel, preset, c: int) -> tuple[np.ndarray, str, np.ndarray]:
    """-> (the kernel as given, 2-D or 4-D; the mode; the weights (kh, kw, C', F) that conv2d applies)."""
    check_kernel_choice(kernel, preset)
    K = preset_kernel(preset) if preset is not None else as_array(
        kernel, "kernel", (2, 4), (FILTER_MAX_K, FILTER_MAX_K, 3, FILTER_MAX_F), "(kh, kw) or (kh, kw, C, F)")
    if K.ndim == 2:
        return K, "single" if c == 1 else "per_channel", K[:, :, None, None]
    if K.shape[2] != c:
        raise EngineError("kernel", f"has {K.shape[2]} input channel(s) but the picture has {c} "
                                    f"({'grey' if c == 1 else 'rgb'}); a kernel is (kh, kw, C, F)")
    return K, "filters", K


def correlate(xp: np.ndarray, W: np.ndarray, strides) -> np.ndarray:
    """The output as a sum over the kernel's taps: for each (a, b), the picture shifted by (a, b) and strided,
    times W[a, b] (one (C, F) product per tap). The same numbers as conv.conv2d without its window matrix
    (kh·kw copies of the picture): 5× faster for a 3×3 kernel on a grey picture, and memory the size of the
    output whatever the kernel. conv.conv2d_naive is the loop reference.

    xp (Hp, Wp, C) padded, W (kh, kw, C, F) -> (oh, ow, F).
    """
    kh, kw, c, f = W.shape
    sh, sw = strides
    oh, ow = output_size(xp.shape[0], kh, sh), output_size(xp.shape[1], kw, sw)
    y = np.zeros((oh, ow, f))
    for a in range(kh):
        for b in range(kw):
            tap = xp[a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]   # (oh, ow, C)
            if c == 1 and f == 1:
                y += tap * W[a, b, 0, 0]
            else:
                y += tap @ W[a, b]                                             # (C, F)
    return y


def _cell_steps(xp, W, y, mode: str, i: int, j: int, strides) -> list[dict]:
    """The /api/conv2d steps of output cell (i, j): one per output channel, index [i, j] or [i, j, f],
    window in padded-picture coordinates."""
    kh, kw = W.shape[:2]
    r0, c0 = i * strides[0], j * strides[1]
    cell = xp[r0:r0 + kh, c0:c0 + kw, :]                            # (kh, kw, C): the one window
    z = y[i:i + 1, j:j + 1, :]                                     # (1, 1, F)
    common = {"activation_name": "linear", "group_sums": False}
    if mode == "per_channel":
        steps = []
        for ch in range(xp.shape[2]):
            steps += conv2d_steps(cell[:, :, ch:ch + 1], W, None, z[:, :, ch:ch + 1], z[:, :, ch:ch + 1], (1, 1),
                                  (1, 1), flat_channels=True, with_filter_index=False, limit=1, **common)
    else:
        steps = conv2d_steps(cell, W, None, z, z, (1, 1), (1, 1), flat_channels=xp.shape[2] == 1,
                             with_filter_index=mode == "filters", limit=W.shape[3], **common)
    for f, step in enumerate(steps):
        step["index"] = [i, j] if mode == "single" else [i, j, f]
        step["window"] = [[r + r0, c + c0] for r, c in step["window"]]
    return steps


def filter_image(image, kernel=None, preset: str | None = None, padding="same", strides=1, at=None,
                 display: str = "auto") -> dict:
    """Filter a picture and colour the result.

    image: float (H, W) grey or (H, W, 3) rgb in 0..1 (sides ≤ FILTER_MAX_SIDE); kernel: numbers (2-D ≤ 11×11,
    or (kh, kw, C, F) with F ≤ 3) or preset: a name in PRESETS; padding, strides: as /api/conv2d;
    at: [row, col] of an output cell to trace; display: "auto" | "gray" | "normalize" | "diverging" (colormap.py).

    -> {"channels": "gray" | "rgb", "input" (H, W) or (H, W, 3) float64, "preset": name or None,
        "kernel": the numbers used (nested lists, 2-D or 4-D), "mode": "single" | "per_channel" | "filters",
        "padding": {"top", "bottom", "left", "right"}, "strides": [sh, sw],
        "output" (oh, ow) float64 for one output channel, else (oh, ow, F), "output_shape",
        "output_range": [min, max], "visual": uint8 RGB (oh, ow, 3), "mapping": colormap.colorize's dict,
        "visual_index" uint8 (oh, ow) and "visual_palette" uint8 (256, 3) (visual = palette[index]) for one
        output channel, else None: png.png_data_url writes them as a one-byte-a-pixel PNG,
        and with `at`: "at": [row, col], "steps": one /api/conv2d step per output channel of that cell}
    """
    x = check_image(image)
    h, w, c = x.shape
    K, mode, W = _kernel(kernel, preset, c)
    s = check_pair(strides, "strides", 1, CONV_MAX_STRIDE)
    pads = resolve_padding(padding, (h, w), W.shape[:2], s)
    if max(pads.top, pads.bottom, pads.left, pads.right) > CONV_MAX_PAD:
        raise EngineError("padding", f"at most {CONV_MAX_PAD} cells on a side")
    hp, wp = h + pads.top + pads.bottom, w + pads.left + pads.right
    if W.shape[0] > hp or W.shape[1] > wp:
        raise EngineError("kernel", f"the kernel is {W.shape[0]}×{W.shape[1]} but the padded picture is only "
                                    f"{hp}×{wp}: no output position fits")
    oh, ow = output_size(hp, W.shape[0], s[0]), output_size(wp, W.shape[1], s[1])
    macs = oh * ow * W.size * (c if mode == "per_channel" else 1)
    if macs > FILTER_MAX_MACS:
        raise EngineError("kernel", f"this filter needs {macs:,} multiply-adds; the cap is {FILTER_MAX_MACS:,} "
                                    "(a smaller max_side, kernel or fewer filters fit)")
    xp = pad_input(x, pads)                                          # (Hp, Wp, C)
    if mode == "per_channel":
        y = np.concatenate([correlate(xp[:, :, ch:ch + 1], W, s) for ch in range(c)], axis=2)
    else:
        y = correlate(xp, W, s)                                      # (oh, ow, F)
    finite_or_raise(y, "kernel")
    sums = W.sum(axis=(0, 1, 2))                                     # (F,) each filter's weights
    out = y[:, :, 0] if y.shape[2] == 1 and K.ndim == 2 else y
    visual, mapping, indexed = colorize(out, display, sums)
    result = {
        "channels": "gray" if c == 1 else "rgb", "input": x[:, :, 0] if c == 1 else x, "preset": preset,
        "kernel": to_list(K), "mode": mode, "padding": pads.as_dict(), "strides": list(s),
        "output": out, "output_shape": list(out.shape), "output_range": [float(y.min()), float(y.max())],
        "visual": visual, "mapping": mapping,
        "visual_index": None if indexed is None else indexed[0],
        "visual_palette": None if indexed is None else indexed[1],
    }
    if at is not None:
        if not isinstance(at, (list, tuple)) or len(at) != 2:
            raise EngineError("at", "must be [row, col] of an output pixel")
        i = check_int(at[0], "at.0", 0, y.shape[0] - 1)
        j = check_int(at[1], "at.1", 0, y.shape[1] - 1)
        result["at"] = [i, j]
        result["steps"] = _cell_steps(xp, W, y, mode, i, j, s)
    return result
