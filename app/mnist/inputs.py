"""What a request to the MNIST endpoints can send, turned into the network's 28×28 input.

Exactly one of:
    pixels   28×28 numbers in 0..1, white digit on black as in MNIST (no preprocessing)
    batch    up to 256 of those
    image    a PNG / JPEG / WebP data URL, or the bytes of a multipart upload
    strokes  a drawing pad's polylines [[x, y], ...] on a `width` × `height` canvas, rasterised here
Pictures and strokes are prepared the way MNIST's digits were made (app/mnist/preprocess.py), and the
steps are returned so a page can show them. Everything is checked before any costly work starts.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import orjson
from PIL import Image

from app.engine import limits
from app.engine.arrays import as_array
from app.engine.errors import EngineError
from app.imaging.decode import decode, from_data_url
from app.mnist import preprocess

WORK_SIDE = 560              # larger pictures are box-filtered down to this before preprocessing
INK_PREVIEW_SIDE = 64        # the ink map in `steps` is shrunk to at most this many pixels a side
PIXELS = "28×28 numbers in 0..1, white digit (1) on black (0) as in MNIST"
INPUTS = ("pixels", "batch", "image", "strokes")



# ---- numbers ----------------------------------------------------------------------------------------

def check_pixels(value, field: str, batch: bool = False) -> np.ndarray:
    """(28, 28), or (N, 28, 28) with batch, in 0..1 -> float32."""
    rank, cap = ((3,), (limits.MNIST_MAX_BATCH, 28, 28)) if batch else ((2,), (28, 28))
    x = as_array(value, field, rank, cap, "(N, 28, 28)" if batch else "(28, 28)")
    if x.shape[-2:] != (28, 28):
        raise EngineError(field, f"{'each image ' if batch else ''}must be 28×28; got {x.shape[-2]}×{x.shape[-1]}")
    if x.min() < 0 or x.max() > 1:
        raise EngineError(field, "values must lie in 0..1 (white digit on black, as in MNIST)")
    return x.astype(np.float32)


def has_ink(x: np.ndarray) -> bool:
    """The same rule as for drawings: enough pixels above the ink level."""
    return int((x > preprocess.INK_LEVEL).sum()) >= 3


# ---- pictures ---------------------------------------------------------------------------------------

def open_image(raw: bytes, field: str = "image") -> Image.Image:
    """Bytes -> a decoded, upright PIL image (app/imaging/decode.py bounds the cost); pictures larger than
    WORK_SIDE are box-filtered down to it."""
    img = decode(raw, field, limits.IMAGE_MAX_SIDE, limits.IMAGE_MAX_PIXELS, needed_side=WORK_SIDE)
    if max(img.size) > WORK_SIDE:
        has_alpha = "A" in img.mode or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "L")
        img.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    return img


# ---- strokes ----------------------------------------------------------------------------------------

def count_points(strokes) -> None:
    """Refuses too many points before any per-point work (the exact checks come with rasterising)."""
    if isinstance(strokes, list) and sum(len(s) for s in strokes if isinstance(s, list)) > limits.STROKES_MAX_POINTS:
        raise EngineError("strokes", f"at most {limits.STROKES_MAX_POINTS} points in all")


def strokes_steps(strokes, width, height) -> dict | None:
    """Strokes -> preprocess_strokes()'s result (None when nothing is drawn); only the drawing's region is
    rasterised, so the canvas size does not set the cost."""
    for name, value in (("width", width), ("height", height)):
        if value is None:
            raise EngineError(name, "is required with strokes (the canvas size in the strokes' pixels)")
    count_points(strokes)
    return preprocess.preprocess_strokes(strokes, width, height)


# ---- one request's input ----------------------------------------------------------------------------


def steps_json(result: dict | None, source_shape, drawn: bool = False) -> dict | None:
    """A preprocess() result ready for the API's JSON encoder (maps as rounded arrays; without the 28×28
    itself), with the source's size. drawn: the ink map holds only 0.0 and 1.0 (preprocess_strokes' preview),
    and is written by binary_map."""
    if result is None:
        return None
    steps = preprocess.steps_to_lists(result, decimals=3, max_side=INK_PREVIEW_SIDE, arrays=True, maps=("ink", "box"),
                                      written={"ink": binary_map(result["ink"])} if drawn else None)
    steps["input_size"] = [int(source_shape[0]), int(source_shape[1])]
    steps.setdefault("ink_scale", 1.0)
    return steps


@lru_cache(maxsize=8)
def _zeros_text(h: int, w: int) -> np.ndarray:
    """The JSON text of an h×w map of 0.0s, a row of it per row of bytes: "[0.0,...,0.0]," (4w + 2 bytes)."""
    row = np.frombuffer(b"[" + b"0.0," * w + b",", np.uint8).copy()
    row[4 * w] = ord("]")
    rows = np.tile(row, (h, 1))
    rows.flags.writeable = False
    return rows


def binary_map(a: np.ndarray) -> orjson.Fragment:
    """A map of 0.0s and 1.0s -> the JSON text orjson writes for it ([[0.0,1.0,...],...]), made by setting the
    digit of each 1.0 in a cached text of zeros: a twentieth of writing 4,096 floats."""
    h, w = a.shape
    text = _zeros_text(h, w).copy()
    text[:, 1:4 * w:4] += a > 0.5  # "0" -> "1"
    return orjson.Fragment(b"[" + text.tobytes()[:-1] + b"]")


INLINE_POINTS, INLINE_STROKES = 128, 16  # drawings within both cost at most ~2 ms to prepare (random worst cases)


def cheap(fields: dict) -> bool:
    """Whether a request's input is known, before any work, to cost at most a millisecond or two: one digit's
    pixels (a list of 28 rows of 28) or at most INLINE_STROKES strokes of INLINE_POINTS points in all (measured:
    256 one-point strokes took 4 ms, per-stroke costs add up). Such requests are served on
    the event loop (app/api/batching.py); anything else, malformed input included, goes to the engine thread."""
    pixels, strokes = fields.get("pixels"), fields.get("strokes")
    if sum(fields.get(name) is not None for name in INPUTS) != 1:
        return False
    if pixels is not None:
        return type(pixels) is list and len(pixels) == 28 and all(type(r) is list and len(r) == 28 for r in pixels)
    if strokes is not None and type(strokes) is list and len(strokes) <= INLINE_STROKES:
        return sum(len(s) if type(s) is list else INLINE_POINTS + 1 for s in strokes) <= INLINE_POINTS
    return False


def given(fields: dict, allowed=INPUTS) -> str:
    """The name of the one input a request holds (fields: name -> value or None)."""
    names = [name for name in allowed if fields.get(name) is not None]
    if len(names) != 1:
        raise EngineError("body", f"must hold exactly one of {', '.join(allowed)}; got "
                                  f"{', '.join(names) if names else 'none'}")
    if names[0] != "strokes":
        extra = next((k for k in ("width", "height") if fields.get(k) is not None), None)
        if extra:
            raise EngineError(extra, "goes with strokes only")
    return names[0]


def to_pixels(kind: str, value, width=None, height=None, field: str | None = None):
    """One drawing -> (28×28 float32, or None when nothing is drawn; preprocessing steps or None).

    kind: "pixels", "image" (a data URL), "file" (picture bytes) or "strokes"."""
    if kind == "pixels":
        x = check_pixels(value, field or "pixels")
        return (x if has_ink(x) else None), None
    if kind == "strokes":
        result = strokes_steps(value, width, height)
        return (None if result is None else result["pixels"]), steps_json(result, (height, width), drawn=True)
    raw = value if kind == "file" else from_data_url(value, "image")
    img = open_image(raw, field or kind)
    result = preprocess.preprocess(img)
    return (None if result is None else result["pixels"]), steps_json(result, (img.height, img.width))
