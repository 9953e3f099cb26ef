"""Read the idx files MNIST ships in (LeCun's format), raw or gzip-compressed.

Header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions, then one
big-endian uint32 per dimension. Images are idx3 (magic 2051), labels idx1 (magic 2049).
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049


class IdxError(ValueError):
    """A file that is not a well-formed idx file of the expected kind."""


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as exc:  # truncated or corrupt gzip stream
        raise IdxError(f"{path}: cannot decompress ({exc})") from exc


def parse_idx(data: bytes, expected_magic: int | None = None, name: str = "idx") -> np.ndarray:
    """Bytes of one idx file -> uint8 array with the header's dimensions."""
    if len(data) < 4:
        raise IdxError(f"{name}: too short for an idx header ({len(data)} bytes)")
    magic = struct.unpack(">I", data[:4])[0]
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise IdxError(f"{name}: bad magic number 0x{magic:08x} (expected unsigned-byte idx data)")
    if expected_magic is not None and magic != expected_magic:
        raise IdxError(f"{name}: magic number {magic}, expected {expected_magic}")
    ndim = data[3]
    if ndim == 0:
        raise IdxError(f"{name}: zero dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxError(f"{name}: truncated header")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(dims, dtype=np.int64))
    body = len(data) - header
    if body != expected:
        what = "truncated" if body < expected else "has trailing bytes"
        raise IdxError(f"{name}: {what}: header says {dims} = {expected} bytes, found {body}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read_images(path) -> np.ndarray:
    """idx3 file -> uint8 (N, rows, cols)."""
    path = Path(path)
    a = parse_idx(_read_bytes(path), IMAGES_MAGIC, path.name)
    if a.ndim != 3:
        raise IdxError(f"{path.name}: images need 3 dimensions, found {a.ndim}")
    return a


def read_labels(path) -> np.ndarray:
    """idx1 file -> uint8 (N,), every label 0..9."""
    path = Path(path)
    a = parse_idx(_read_bytes(path), LABELS_MAGIC, path.name)
    if a.ndim != 1:
        raise IdxError(f"{path.name}: labels need 1 dimension, found {a.ndim}")
    if a.size and a.max() > 9:
        raise IdxError(f"{path.name}: label {int(a.max())} is not a digit")
    return a


def find_file(directory, stem: str) -> Path:
    """`stem` or `stem.gz` in directory (also the common 't10k-images.idx3-ubyte' spelling)."""
    d = Path(directory)
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (d / name).is_file():
            return d / name
    raise FileNotFoundError(f"{d}: no {stem} or {stem}.gz")


def load_mnist(directory) -> dict[str, np.ndarray]:
    """The four standard files -> {"train_images", "train_labels", "test_images", "test_labels"}."""
    out = {}
    for key, stem in FILES.items():
        path = find_file(directory, stem)
        out[key] = read_images(path) if key.endswith("images") else read_labels(path)
    for split in ("train", "test"):
        if len(out[f"{split}_images"]) != len(out[f"{split}_labels"]):
            raise IdxError(f"{split}: {len(out[f'{split}_images'])} images but "
                           f"{len(out[f'{split}_labels'])} labels")
    return out
