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

import base64
import binascii
import io
import re
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from app.engine import limits
from app.engine.arrays import as_array
from app.engine.errors import EngineError
from app.mnist import preprocess

FORMATS = ("PNG", "JPEG", "WEBP")
DATA_URL = re.compile(r"data:image/(png|jpeg|jpg|webp);base64,", re.IGNORECASE)
WORK_SIDE = 560              # larger pictures are box-filtered down to this before preprocessing
INK_PREVIEW_SIDE = 64        # the ink map in `steps` is shrunk to at most this many pixels a side
PIXELS = "28×28 numbers in 0..1, white digit (1) on black (0) as in MNIST"
INPUTS = ("pixels", "batch", "image", "strokes")

Image.MAX_IMAGE_PIXELS = limits.IMAGE_MAX_PIXELS  # Pillow's own bomb guard: over 2× this it refuses to open


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

def decode_data_url(text: str) -> bytes:
    match = DATA_URL.match(text)
    if not match:
        raise EngineError("image", "must be a data URL: data:image/png;base64,... (PNG, JPEG or WebP)")
    try:
        return base64.b64decode(text[match.end():], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EngineError("image", "the data after 'base64,' is not valid base64") from exc


def check_container(raw: bytes, field: str) -> None:
    """Bounds what decoding can cost before it starts: a progressive JPEG's decoder walks every block once
    per scan (30,000 tiny scans took 10 s of CPU), Pillow reads a PNG chunk by chunk (700,000 empty chunks
    took 2.7 s), an animated WebP holds frame after frame. Counted on the raw bytes, cheaply."""
    if raw[:2] == b"\xff\xd8":                                   # JPEG: SOS markers (0xFF 0xDA) can only be
        scans = raw.count(b"\xff\xda")                            # real markers: entropy data stuffs 0xFF 0x00
        if scans > limits.IMAGE_MAX_JPEG_SCANS:
            raise EngineError(field, f"is a JPEG with {scans} scans; at most {limits.IMAGE_MAX_JPEG_SCANS} are decoded")
    elif raw[:8] == b"\x89PNG\r\n\x1a\n":
        pos, chunks = 8, 0
        while pos + 8 <= len(raw):
            chunks += 1
            if chunks > limits.IMAGE_MAX_PNG_CHUNKS:
                raise EngineError(field, f"is a PNG of more than {limits.IMAGE_MAX_PNG_CHUNKS} chunks")
            if raw[pos + 4:pos + 8] == b"IEND":
                break
            pos += 12 + int.from_bytes(raw[pos:pos + 4], "big")
    elif raw[:4] == b"RIFF" and raw[8:12] == b"WEBP" and raw.count(b"ANMF") > limits.IMAGE_MAX_FRAMES:
        raise EngineError(field, f"is an animation of more than {limits.IMAGE_MAX_FRAMES} frames")


def open_image(raw: bytes, field: str = "image") -> Image.Image:
    """Bytes -> a decoded PIL image, upright as its EXIF orientation says. Refuses bombs by the header's size
    and costly containers by check_container before any pixel is decoded; pictures larger than WORK_SIDE are
    box-filtered down to it."""
    side, pixels = limits.IMAGE_MAX_SIDE, limits.IMAGE_MAX_PIXELS
    if not raw:
        raise EngineError(field, "is empty")
    check_container(raw, field)
    bad = f"cannot be decoded as {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw), formats=FORMATS)  # lazy: reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EngineError(field, f"is larger than {side}×{side} pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise EngineError(field, bad) from exc
    w, h = img.size
    if w > side or h > side or w * h > pixels or w < 1 or h < 1:
        raise EngineError(field, f"is {w}×{h} pixels; the cap is {side}×{side}")
    try:
        if img.format == "JPEG":
            img.draft("RGB" if img.mode != "L" else "L", (WORK_SIDE, WORK_SIDE))  # decode at a reduced scale
        img.load()
    except Exception as exc:  # any decoder failure (truncated, corrupt) is the sender's
        raise EngineError(field, f"{bad}: truncated or corrupt ({type(exc).__name__})") from exc
    if max(img.size) > WORK_SIDE:
        has_alpha = "A" in img.mode or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "L")
        img.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    return ImageOps.exif_transpose(img)


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

def steps_json(result: dict | None, source_shape) -> dict | None:
    """A preprocess() result as JSON-ready lists (without the 28×28 itself), with the source's size."""
    if result is None:
        return None
    lists = preprocess.steps_to_lists(result, decimals=3, max_side=INK_PREVIEW_SIDE)
    steps = {k: v for k, v in lists.items() if k != "pixels"}
    steps["input_size"] = [int(source_shape[0]), int(source_shape[1])]
    steps.setdefault("ink_scale", 1.0)
    return steps


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
        return (None if result is None else result["pixels"]), steps_json(result, (height, width))
    raw = value if kind == "file" else decode_data_url(value)
    img = open_image(raw, field or kind)
    result = preprocess.preprocess(img)
    return (None if result is None else result["pixels"]), steps_json(result, (img.height, img.width))
