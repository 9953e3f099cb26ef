"""Reading idx files: raw and gzip, and the errors for bad headers, truncation and mismatches."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from app.mnist.idx import IdxError, load_mnist, parse_idx, read_images, read_labels


def idx_bytes(array):
    a = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, a.ndim) + struct.pack(f">{a.ndim}I", *a.shape)
    return header + a.tobytes()


def write(path, data, gz=False):
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_reads_images_and_labels(tmp_path, gz):
    images = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    labels = np.array([7, 0, 9], dtype=np.uint8)
    suffix = ".gz" if gz else ""
    a = read_images(write(tmp_path / f"imgs{suffix}", idx_bytes(images), gz))
    b = read_labels(write(tmp_path / f"labels{suffix}", idx_bytes(labels), gz))
    assert a.shape == (3, 4, 5) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, images)
    np.testing.assert_array_equal(b, [7, 0, 9])


def test_header_magic_numbers_are_the_standard_ones():
    images = idx_bytes(np.zeros((2, 28, 28)))
    labels = idx_bytes(np.zeros(2))
    assert struct.unpack(">I", images[:4])[0] == 2051
    assert struct.unpack(">I", labels[:4])[0] == 2049


def test_load_mnist_directory_mixing_gz_and_raw(tmp_path):
    rng = np.random.default_rng(0)
    tr, te = rng.integers(0, 256, (6, 28, 28)), rng.integers(0, 256, (2, 28, 28))
    write(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(tr), gz=True)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes([1, 2, 3, 4, 5, 6]))
    write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(te))
    write(tmp_path / "t10k-labels-idx1-ubyte.gz", idx_bytes([8, 9]), gz=True)
    d = load_mnist(tmp_path)
    np.testing.assert_array_equal(d["train_images"], tr)
    np.testing.assert_array_equal(d["test_labels"], [8, 9])
    assert d["train_labels"].tolist() == [1, 2, 3, 4, 5, 6]


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


def test_count_mismatch_between_images_and_labels(tmp_path):
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(np.zeros((3, 28, 28))))
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes([1, 2]))
    write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(np.zeros((1, 28, 28))))
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes([1]))
    with pytest.raises(IdxError, match="3 images but 2 labels"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("data,message", [
    (b"\x00\x00", "too short"),
    (b"\x00\x01\x08\x01" + struct.pack(">I", 1) + b"\x05", "bad magic"),
    (b"\x00\x00\x0d\x01" + struct.pack(">I", 1) + b"\x05", "bad magic"),  # 0x0d = float data
    (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "truncated header"),
    (b"\x00\x00\x08\x00", "zero dimensions"),
])
def test_bad_headers(data, message):
    with pytest.raises(IdxError, match=message):
        parse_idx(data)


def test_truncated_and_overlong_bodies(tmp_path):
    good = idx_bytes(np.zeros((2, 3, 3)))
    with pytest.raises(IdxError, match="truncated.*18 bytes, found 17"):
        read_images(write(tmp_path / "a", good[:-1]))
    with pytest.raises(IdxError, match="trailing bytes"):
        read_images(write(tmp_path / "b", good + b"\x00"))
    gz = gzip.compress(good)
    with pytest.raises(IdxError, match="cannot decompress"):
        read_images(write(tmp_path / "c.gz", gz[: len(gz) // 2]))


def test_wrong_kind_and_bad_labels(tmp_path):
    labels = write(tmp_path / "labels", idx_bytes([1, 2]))
    with pytest.raises(IdxError, match="magic number 2049, expected 2051"):
        read_images(labels)
    with pytest.raises(IdxError, match="label 12 is not a digit"):
        read_labels(write(tmp_path / "bad", idx_bytes([1, 12])))
