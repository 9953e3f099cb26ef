"""A picture (H, W) in 0..1 -> the input an image model expects: its size, its channels, its value scale.

    image_input_spec(model)  -> {"height", "width", "channels", "layout"} or None (not an image model)
    image_to_input(model, image, value_scale="0..1")

Image models: input (H, W, C) with C = 1, 3 or 4 channels, (H, W), or a flat (H·W,) vector of a square
picture (a Dense MNIST model's 784). A free (None) height or width takes the picture's own. The picture is
resized with Pillow on float32 (box filter when shrinking, bilinear when enlarging), copied into every
channel (grey to RGB; an alpha channel gets 1 everywhere) and scaled to what the model was trained on: 0..1
or 0..255 (a model that starts with Rescaling(1/255) wants 0..255).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from app.engine.arrays import as_array
from app.engine.errors import EngineError
from app.engine.layers import Model
from app.engine.limits import MODEL_IMAGE_MAX_SIDE, MODEL_MAX_LAYER_NUMBERS

SCALES = {"0..1": 1.0, "0..255": 255.0}


def image_input_spec(model: Model) -> dict | None:
    s = model.input_shape
    if model.integer_input:
        return None
    if len(s) == 3 and s[2] in (1, 3, 4):
        return {"height": s[0], "width": s[1], "channels": s[2], "layout": "hwc"}
    if len(s) == 2 and s[0] is not None and s[1] is not None and min(s) >= 4 and max(s) / min(s) <= 4:
        return {"height": s[0], "width": s[1], "channels": None, "layout": "hw"}
    if len(s) == 1 and s[0] is not None and s[0] >= 16 and math.isqrt(s[0]) ** 2 == s[0]:
        side = math.isqrt(s[0])
        return {"height": side, "width": side, "channels": None, "layout": "flat"}
    return None


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """(h, w) float -> (height, width) float32, by Pillow's float ("F") resize."""
    if image.shape == (height, width):
        return image.astype(np.float32)
    shrink = height < image.shape[0] or width < image.shape[1]
    pic = Image.fromarray(image.astype(np.float32), mode="F")
    out = pic.resize((width, height), Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR)
    return np.asarray(out, dtype=np.float32)


def image_to_input(model: Model, image, value_scale: str = "0..1") -> np.ndarray:
    spec = image_input_spec(model)
    if spec is None:
        raise EngineError("image", f"the model's input {list(model.input_shape)} is not a picture; send `input`")
    if value_scale not in SCALES:
        raise EngineError("value_scale", "must be '0..1' or '0..255'")
    a = image if isinstance(image, np.ndarray) else as_array(
        image, "image", (2,), (MODEL_IMAGE_MAX_SIDE, MODEL_IMAGE_MAX_SIDE), "(H, W) grey values in 0..1")
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or not 1 <= min(a.shape) or max(a.shape) > MODEL_IMAGE_MAX_SIDE:
        raise EngineError("image", f"must be a 2-D picture of at most {MODEL_IMAGE_MAX_SIDE} pixels a side")
    if not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
        raise EngineError("image", "values must be finite and within 0..1")
    h = spec["height"] or a.shape[0]
    w = spec["width"] or a.shape[1]
    if h * w * (spec["channels"] or 1) > MODEL_MAX_LAYER_NUMBERS:   # before the picture is resized and copied to it
        raise EngineError("image", f"the model's input of {h}×{w} pixels holds more than {MODEL_MAX_LAYER_NUMBERS:,} "
                          "numbers, the cap", code="model_too_costly")
    x = resize(a, h, w).astype(np.float64).clip(0.0, 1.0) * SCALES[value_scale]
    if spec["layout"] == "flat":
        return x.reshape(-1)
    if spec["layout"] == "hw":
        return x
    c = spec["channels"]
    out = np.repeat(x[:, :, None], c, axis=2)
    if c == 4:
        out[:, :, 3] = SCALES[value_scale]       # opaque
    return out
