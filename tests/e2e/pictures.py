"""Picture files that Pillow cannot write, for the pages' file fields."""

from __future__ import annotations

import struct
import zlib

import numpy as np


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png16_bar(width: int, height: int) -> bytes:
    """An opaque 16-bit RGBA PNG (colour type 6: 8 bytes a pixel as decoded), white paper with a black upright bar
    in the middle (a 1), written by hand: Pillow writes no 16-bit RGBA."""
    pixels = np.full((height, width, 4), 0xFFFF, dtype=">u2")
    pixels[height * 15 // 100:height * 85 // 100, width * 45 // 100:width * 55 // 100, :3] = 0
    raw = np.zeros((height, 1 + width * 8), np.uint8)   # each row: filter type 0, then its samples
    raw[:, 1:] = pixels.view(np.uint8).reshape(height, -1)
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
            + _chunk(b"IEND", b""))
