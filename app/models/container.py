"""The containers of a Keras file, checked before anything in them is decoded.

A `.keras` file is a zip (config.json, metadata.json, model.weights.h5); a legacy `.h5` file is HDF5. Both
are read from memory: nothing is extracted to disk, so a member named `../../etc/passwd` can do no harm, but
such names are refused anyway (an archive that holds them was not written by Keras).

Zip: every member's declared size, its compression ratio, its name and the member count are checked from
the central directory; members are then read with a byte limit (a header that lies about its size cannot
make us inflate more). HDF5 (h5py on an in-memory file): every object is reached link by link, refusing
external and soft links; a dataset is read only after its declared shape, type, storage (no external files,
no virtual datasets) and filters are checked.
"""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np

from app.engine.errors import EngineError
from app.engine.limits import (
    MODEL_MAX_CONFIG_BYTES,
    MODEL_MAX_MEMBER_BYTES,
    MODEL_MAX_UPLOAD_BYTES,
    MODEL_MAX_ZIP_MEMBERS,
    MODEL_MAX_ZIP_RATIO,
)

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
FILTERS = {"gzip", "lzf", "shuffle", "fletcher32", None}   # HDF5 filters Keras or h5py may write


def bad_file(rule: str, field: str = "file", code: str = "bad_model_file") -> EngineError:
    return EngineError(field, rule, code=code)


def sniff(data: bytes) -> str:
    """'zip' (a Keras 3 .keras file) or 'hdf5' (a legacy .h5 file), from the first bytes."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise bad_file("must be the bytes of a file")
    if len(data) > MODEL_MAX_UPLOAD_BYTES:
        raise bad_file(f"is {len(data):,} bytes; the cap is {MODEL_MAX_UPLOAD_BYTES:,}", code="file_too_large")
    head = bytes(data[:8])
    if head[:4] in ZIP_MAGIC:
        return "zip"
    if head == HDF5_MAGIC:
        return "hdf5"
    raise bad_file("is neither a Keras 3 .keras file (a zip) nor a legacy Keras .h5 file (HDF5)",
                   code="not_a_model_file")


# ---- zip --------------------------------------------------------------------------------------------

def safe_name(name: str) -> bool:
    """A member name that stays inside the archive: relative, no '..' part, no backslash, drive or NUL."""
    if not name or len(name) > 512 or name[0] in "/\\" or any(c in name for c in "\\\x00:"):
        return False
    return ".." not in name.split("/")


def read_zip(data: bytes, wanted: dict[str, int]) -> dict[str, bytes]:
    """The members named in `wanted` (name -> byte cap), after checking every member of the archive.
    A wanted member that is missing is left out of the result (the caller says which it needs)."""
    entries = data.count(b"PK\x01\x02")  # every central directory entry starts so: zipfile reads no more than these
    if entries > MODEL_MAX_ZIP_MEMBERS:     # counted first: zipfile parses the whole directory (200,000 took 2.5 s)
        raise bad_file(f"the archive has up to {entries:,} members; a .keras file has 3 (the cap is "
                       f"{MODEL_MAX_ZIP_MEMBERS})", code="zip_bomb")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as e:        # BadZipFile, OSError, EOFError, struct and zlib errors ...
        raise bad_file(f"is not a readable zip archive (truncated or damaged): {str(e)[:100]}") from None
    if len(infos) > MODEL_MAX_ZIP_MEMBERS:
        raise bad_file(f"the archive has {len(infos)} members; a .keras file has 3 (the cap is "
                       f"{MODEL_MAX_ZIP_MEMBERS})", code="zip_bomb")
    names = set()
    for info in infos:
        field = f"file.{info.filename[:80]}"
        if not safe_name(info.filename):
            raise bad_file(f"member name {info.filename[:80]!r} climbs out of the archive (absolute, '..', or a "
                           "drive); Keras never writes such names", field, code="unsafe_archive_path")
        if info.filename in names:
            raise bad_file("the archive holds this name twice", field)
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise bad_file("is encrypted", field)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise bad_file("uses a compression method other than stored or deflate", field)
        if info.file_size > MODEL_MAX_MEMBER_BYTES:
            raise bad_file(f"unpacks to {info.file_size:,} bytes; the cap for one member is "
                           f"{MODEL_MAX_MEMBER_BYTES:,}", field, code="zip_bomb")
        if info.file_size > MODEL_MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise bad_file(f"unpacks {info.compress_size:,} bytes to {info.file_size:,}: a ratio over "
                           f"{MODEL_MAX_ZIP_RATIO}", field, code="zip_bomb")
    out = {}
    for name, cap in wanted.items():
        if name not in names:
            continue
        try:
            with zf.open(name) as f:
                body = f.read(cap + 1)
        except Exception as e:    # BadZipFile (a bad CRC: a lying header), zlib.error, EOFError ...
            raise bad_file(f"cannot be read (truncated or damaged): {str(e)[:100]}", f"file.{name}") from None
        if len(body) > cap:
            raise bad_file(f"is larger than {cap:,} bytes", f"file.{name}", code="zip_bomb")
        out[name] = body
    return out


def read_json(body: bytes, field: str):
    """JSON text as Keras writes it: UTF-8 with no byte-order mark (json.loads would also take UTF-16 or a BOM,
    but the text is kept and read again as UTF-8: such files answered 500)."""
    if len(body) > MODEL_MAX_CONFIG_BYTES:
        raise bad_file(f"is {len(body):,} bytes; the cap is {MODEL_MAX_CONFIG_BYTES:,}", field)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise bad_file(f"is not UTF-8 text (byte {e.start}: {e.reason}); JSON files are UTF-8", field) from None
    if text.startswith("\ufeff"):
        raise bad_file("starts with a byte-order mark (U+FEFF); JSON files are UTF-8 without one", field)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as e:   # RecursionError: JSON nested thousands deep
        raise bad_file(f"is not valid JSON: {str(e)[:100]}", field) from None
    try:   # "\ud800" (or its raw bytes) is a lone surrogate: Python keeps it, but no UTF-8 answer can hold it
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as e:
        raise bad_file(f"is not valid JSON text: it holds a lone UTF-16 surrogate (U+{ord(e.object[e.start]):04X}) "
                       "in a string", field) from None
    return value


# ---- HDF5 -------------------------------------------------------------------------------------------

def open_hdf5(data: bytes, field: str = "file") -> h5py.File:
    if bytes(data[:8]) != HDF5_MAGIC:
        raise bad_file("is not an HDF5 file", field)
    try:
        return h5py.File(io.BytesIO(bytes(data)), "r")
    except Exception as e:        # h5py raises OSError, ValueError, OverflowError, ... on damaged files
        raise bad_file(f"is not a readable HDF5 file (truncated or damaged): {str(e)[:100]}", field) from None


def child(group, path: str, field: str, want=None):
    """group[path], walked one link at a time, refusing external and soft links; None when missing."""
    node = group
    for part in [p for p in path.split("/") if p]:
        if not isinstance(node, h5py.Group):
            return None
        try:
            link = node.get(part, getlink=True)
            if link is None:
                return None
            if not isinstance(link, h5py.HardLink):
                raise bad_file(f"{path!r} is a link to another place or file; Keras never writes links", field)
            node = node[part]
        except EngineError:
            raise
        except Exception as e:
            raise bad_file(f"cannot read {path!r}: {str(e)[:100]}", field) from None
    if want is not None and not isinstance(node, want):
        return None
    return node


def read_dataset(ds, shape: tuple[int, ...], field: str) -> np.ndarray:
    """A weight array, after checking what it declares: its shape (the config's), a float type, plain storage."""
    try:
        declared, dtype = tuple(ds.shape or ()), ds.dtype
        external, virtual, filters = ds.external, ds.is_virtual, (ds.compression, ds.shuffle, ds.fletcher32)
    except Exception as e:
        raise bad_file(f"cannot read its header: {str(e)[:100]}", field) from None
    if declared != tuple(shape):
        raise bad_file(f"has shape {list(declared)} but the config needs {list(shape)}", field,
                       code="weight_shape_mismatch")
    if dtype.kind != "f" or dtype.itemsize not in (2, 4, 8):
        raise bad_file(f"holds {dtype} numbers; weights must be float16, float32 or float64", field)
    if external or virtual:
        raise bad_file("keeps its data outside the file (external or virtual storage)", field)
    if filters[0] not in FILTERS:
        raise bad_file(f"is compressed with {filters[0]!r}; only gzip and lzf are read", field)
    # numbers that are not in the file (an HDF5 fill value, chunks never written) or that inflate more than a zip
    # member may: a 5 KB upload once declared 80 MB of weights this way, past the upload's size cap
    size = int(np.prod(declared, dtype=object)) * dtype.itemsize
    try:
        stored = ds.id.get_storage_size()
    except Exception as e:
        raise bad_file(f"cannot read its header: {str(e)[:100]}", field) from None
    if size and not stored:
        raise bad_file(f"stores none of its {size:,} bytes of numbers (HDF5 would fill them in)", field,
                       code="zip_bomb")
    if size > MODEL_MAX_ZIP_RATIO * stored and size > 1 << 20:   # (a zero bias of a few KB, gzipped, is fine)
        raise bad_file(f"stores {stored:,} bytes for {size:,} bytes of numbers: a ratio over {MODEL_MAX_ZIP_RATIO}",
                       field, code="zip_bomb")
    try:
        a = np.asarray(ds[()])
    except Exception as e:
        raise bad_file(f"cannot be read (truncated or damaged): {str(e)[:100]}", field) from None
    if not np.isfinite(a).all():
        raise bad_file("holds NaN or Infinity", field)
    return a


def attr_text(obj, key: str, field: str) -> str | None:
    """A string attribute (model_config, keras_version) or None, its size checked before it is decoded."""
    try:
        if key not in obj.attrs:
            return None
        aid = obj.attrs.get_id(key)
        if aid.get_storage_size() > MODEL_MAX_CONFIG_BYTES:
            raise bad_file(f"the attribute {key!r} is larger than {MODEL_MAX_CONFIG_BYTES:,} bytes", field)
        value = obj.attrs[key]
    except EngineError:
        raise
    except Exception as e:
        raise bad_file(f"cannot read the attribute {key!r}: {str(e)[:100]}", field) from None
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        raise bad_file(f"the attribute {key!r} must be text", field)
    try:
        value.encode("utf-8")                 # h5py keeps undecodable bytes as lone surrogates
    except UnicodeEncodeError:
        raise bad_file(f"the attribute {key!r} is not valid UTF-8 text", field) from None
    if len(value) > MODEL_MAX_CONFIG_BYTES:
        raise bad_file(f"the attribute {key!r} is larger than {MODEL_MAX_CONFIG_BYTES:,} bytes", field)
    return value


def attr_names(obj, key: str, field: str, cap: int) -> list[str] | None:
    """A list-of-strings attribute (layer_names, weight_names), or None when absent."""
    try:
        if key not in obj.attrs:
            return None
        aid = obj.attrs.get_id(key)
        if aid.shape is not None and len(aid.shape) == 1 and aid.shape[0] > cap:
            raise bad_file(f"the attribute {key!r} lists more than {cap} names", field)
        value = obj.attrs[key]
    except EngineError:
        raise
    except Exception as e:
        raise bad_file(f"cannot read the attribute {key!r}: {str(e)[:100]}", field) from None
    items = np.atleast_1d(np.asarray(value)).tolist()
    if len(items) > cap:
        raise bad_file(f"the attribute {key!r} lists more than {cap} names", field)
    out = []
    for v in items:
        if isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        if not isinstance(v, str) or len(v) > 1000:
            raise bad_file(f"the attribute {key!r} must list names", field)
        out.append(v)
    return out
