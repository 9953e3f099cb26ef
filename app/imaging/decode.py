"""Uploaded picture bytes -> a decoded PIL image, with the cost bounded before any pixel is decoded.

Used by every endpoint that takes a picture (/api/mnist/*, /api/image/filter), each with its own caps:
1. the container is checked on the raw bytes (check_container): a progressive JPEG's decoder walks every
   block once per scan (30,000 tiny scans took 10 s of CPU), Pillow reads a PNG chunk by chunk (700,000
   empty chunks took 2.7 s), an animated WebP holds frame after frame;
2. the header's width and height are checked against the caller's caps (Pillow reads only the header on open),
   and a PNG's bytes to inflate (width · height · channels · bytes a sample) against those of an 8-bit RGBA
   picture of the pixel cap: a 4096² PNG of 16-bit RGBA zeros is 138 KB and took 0.75 s of CPU;
3. a JPEG is decoded at a reduced scale when the caller needs fewer pixels (libjpeg's DCT scaling, `draft`);
4. the EXIF orientation is applied, so a phone photo stands the way it was taken.
Any decoder failure (truncated, corrupt, unknown) is a 422 naming the field, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from app.engine import limits
from app.engine.errors import EngineError

FORMATS = ("PNG", "JPEG", "WEBP")
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}   # IHDR colour type -> samples a pixel (3: palette indices)
ORIENTATION = 0x0112  # the EXIF tag
# Pillow's own bomb guard refuses above 2× this; every caller checks its own, smaller caps from the header.
Image.MAX_IMAGE_PIXELS = max(limits.IMAGE_MAX_PIXELS, limits.FILTER_IMAGE_MAX_PIXELS)


DATA_URL = re.compile(r"data:image/(png|jpeg|jpg|webp);base64,", re.IGNORECASE)


def from_data_url(text: str, field: str) -> bytes:
    """data:image/png;base64,... (PNG, JPEG or WebP) -> the picture's bytes."""
    match = DATA_URL.match(text)
    if not match:
        raise EngineError(field, "must be a data URL: data:image/png;base64,... (PNG, JPEG or WebP)")
    try:
        return base64.b64decode(text[match.end():], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EngineError(field, "the data after 'base64,' is not valid base64") from exc


def check_container(raw: bytes, field: str) -> None:
    """Bounds what decoding can cost, counted cheaply on the raw bytes."""
    if raw[:2] == b"\xff\xd8":                                   # JPEG: SOS markers (0xFF 0xDA) can only be
        scans = raw.count(b"\xff\xda")                            # real markers: entropy data stuffs 0xFF 0x00
        if scans > limits.IMAGE_MAX_JPEG_SCANS:
            raise EngineError(field, f"is a JPEG with {scans} scans; at most {limits.IMAGE_MAX_JPEG_SCANS} are decoded")
        check_jpeg_header(raw, field)
    elif raw[:8] == b"\x89PNG\r\n\x1a\n":
        pos, chunks, profiles = 8, 0, 0
        while pos + 8 <= len(raw):
            chunks += 1
            if chunks > limits.IMAGE_MAX_PNG_CHUNKS:
                raise EngineError(field, f"is a PNG of more than {limits.IMAGE_MAX_PNG_CHUNKS} chunks")
            kind = raw[pos + 4:pos + 8]
            if kind == b"IEND":
                break
            if kind == b"iCCP":   # Pillow inflates every one (up to 1 MB each, outside its text budget): 4,000
                profiles += 1     # 1 KB profiles of zeros took 8.5 s of CPU; the PNG standard allows one
                if profiles > limits.IMAGE_MAX_PNG_PROFILES:
                    raise EngineError(field, f"is a PNG with more than {limits.IMAGE_MAX_PNG_PROFILES} colour "
                                             "profile (iCCP chunk); the PNG standard allows one")
            pos += 12 + int.from_bytes(raw[pos:pos + 4], "big")
    elif raw[:4] == b"RIFF" and raw[8:12] == b"WEBP" and raw.count(b"ANMF") > limits.IMAGE_MAX_FRAMES:
        raise EngineError(field, f"is an animation of more than {limits.IMAGE_MAX_FRAMES} frames")


FILL = re.compile(rb"\xff+")
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length: TEM, RST0-7


def check_jpeg_header(raw: bytes, field: str) -> None:
    """The segments before a JPEG's first scan, walked as Pillow's header reader walks them, which it does in
    Python, a segment or a stray byte at a time (8 MB of 0xFF fill bytes took 12 s, 2 million empty APP segments
    6 s): at most IMAGE_MAX_JPEG_SEGMENTS segments and IMAGE_MAX_JPEG_STRAY fill or stray bytes. Counted here with
    bytes methods only; a header that breaks off is left to the decoder to refuse."""
    pos, segments, stray = 2, 0, 0
    while pos < len(raw):
        marker = raw.find(b"\xff", pos)
        if marker < 0:
            return
        fill = FILL.match(raw, marker)
        stray += marker - pos + fill.end() - marker - 1  # bytes before the 0xFF, 0xFF bytes before the marker's
        if stray > limits.IMAGE_MAX_JPEG_STRAY:
            raise EngineError(field, f"is a JPEG with more than {limits.IMAGE_MAX_JPEG_STRAY:,} fill or stray bytes "
                                     "between its header's segments")
        if fill.end() >= len(raw) or raw[fill.end()] == 0xDA:  # the first scan: libjpeg reads on, in C
            return
        code, pos = raw[fill.end()], fill.end() + 1
        if code not in STANDALONE:
            pos += int.from_bytes(raw[pos:pos + 2], "big")
            segments += 1
            if segments > limits.IMAGE_MAX_JPEG_SEGMENTS:
                raise EngineError(field, f"is a JPEG with more than {limits.IMAGE_MAX_JPEG_SEGMENTS:,} segments "
                                         "before its first scan")


def decode(raw: bytes, field: str, max_side: int, max_pixels: int, needed_side: int | None = None) -> Image.Image:
    """PNG, JPEG or WebP bytes -> a loaded, upright PIL image of at most max_side × max_side and max_pixels.
    needed_side: the longer side the caller will scale down to; a JPEG is decoded at the smallest DCT scale
    (1/2, 1/4, 1/8) that still gives at least that many pixels."""
    if not raw:
        raise EngineError(field, "is empty")
    check_container(raw, field)
    bad = f"cannot be decoded as {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw), formats=FORMATS)  # lazy: reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EngineError(field, f"is larger than {max_side}×{max_side} pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise EngineError(field, bad, code="image_unreadable") from exc
    w, h = img.size
    if w > max_side or h > max_side or w * h > max_pixels or w < 1 or h < 1:
        raise EngineError(field, f"is {w}×{h} pixels; the cap is {max_side}×{max_side}")
    if img.format == "PNG":
        depth, colour = raw[24], raw[25]                      # IHDR: Pillow checked both on open
        inflated, allowed = w * h * PNG_CHANNELS.get(colour, 4) * max(depth, 8) // 8, max_pixels * 4
        if inflated > allowed:
            raise EngineError(field, f"is a {w}×{h} PNG of {depth}-bit samples: {inflated:,} bytes to decode; the "
                                     f"cap is {allowed:,} (an 8-bit RGBA picture of {max_pixels:,} pixels): save it "
                                     "with 8-bit samples or smaller")
    if img.format == "WEBP" and w * h > limits.IMAGE_MAX_WEBP_PIXELS:
        raise EngineError(field, f"is a {w}×{h} WebP; WebP pictures are decoded up to 2048×2048 pixels "
                                 "(send a JPEG or PNG for more)")
    try:
        if img.format == "JPEG" and needed_side:
            img.draft("RGB" if img.mode != "L" else "L", (needed_side, needed_side))
        img.load()
    except Exception as exc:  # any decoder failure (truncated, corrupt) is the sender's
        raise EngineError(field, f"{bad}: truncated or corrupt ({type(exc).__name__})",
                          code="image_unreadable") from exc
    if img.getexif().get(ORIENTATION, 1) != 1:
        img = ImageOps.exif_transpose(img)   # only when needed: it copies even an upright picture
    return img
