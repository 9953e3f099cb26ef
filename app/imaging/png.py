"""The engine's colour pixels -> PNG bytes or a data URL (what /api/image/filter returns as output_png)."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

COMPRESS_LEVEL = 1  # zlib's fastest: a 512×512 filter output in a few ms; level 6 is ~5× slower for ~15% less


def encode_png(rgb: np.ndarray, compress_level: int = COMPRESS_LEVEL) -> bytes:
    """uint8 (H, W, 3) -> PNG bytes, no metadata: 8-bit grey when the three channels agree everywhere (a third
    of the data to compress, the same pixels once decoded), else 8-bit RGB."""
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("encode_png needs a uint8 (H, W, 3) array")
    grey = np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 0], rgb[:, :, 2])
    picture = Image.fromarray(np.ascontiguousarray(rgb[:, :, 0])) if grey else Image.fromarray(rgb)
    buf = io.BytesIO()
    picture.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def png_data_url(rgb: np.ndarray, compress_level: int = COMPRESS_LEVEL) -> str:
    """uint8 (H, W, 3) -> "data:image/png;base64,..."."""
    return "data:image/png;base64," + base64.b64encode(encode_png(rgb, compress_level)).decode("ascii")
