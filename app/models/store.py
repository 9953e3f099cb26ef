"""Uploaded model files, content-addressed in one directory and evicted least recently used.

    store = ModelStore()                 # MODELS_DIR, else ~/.cache/cnn-rnn-explainer/models (XDG_CACHE_HOME)
    model_id = store.save(data)          # the file's SHA-256 (64 hex digits); the file is <dir>/<id>.model
    data = store.get(model_id)           # bytes, and the file's "last used" time set to now
    store.delete(model_id); store.list()

Several app processes (uvicorn workers, or several servers) may share the directory: a file is written to a
temporary name in the same directory and renamed into place (os.replace, atomic on POSIX), so no process
ever sees a partial file; a file removed by another process's eviction is simply not found. The "last used"
time is the file's mtime, set explicitly on every save and get (atime is unreliable under relatime/noatime).
Past MODELS_MAX_BYTES in total (default 500 MB) the least recently used files are removed, never the one just
saved. Paths are built only from a validated id, so nothing is ever written outside the directory. To share
models across machines, point MODELS_DIR at a shared volume (NFS and the like rename atomically too).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

from app.engine.errors import EngineError
from app.engine.limits import MODEL_STORE_MAX_BYTES

ID = re.compile(r"[0-9a-f]{64}")
SUFFIX = ".model"
TMP_PREFIX = ".tmp-"
STALE_TMP_SECONDS = 3600     # a temporary file this old was left by a process that died mid-write


def default_dir() -> Path:
    if os.environ.get("MODELS_DIR"):
        return Path(os.environ["MODELS_DIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "cnn-rnn-explainer" / "models"


def default_max_bytes() -> int:
    value = os.environ.get("MODELS_MAX_BYTES", "")
    return int(value) if value.isdigit() else MODEL_STORE_MAX_BYTES


def check_id(model_id) -> str:
    if not isinstance(model_id, str) or not ID.fullmatch(model_id):
        raise EngineError("id", "must be 64 lowercase hexadecimal digits (the file's SHA-256)", code="bad_model_id")
    return model_id


def not_found(model_id: str) -> EngineError:
    return EngineError("id", f"no model {model_id[:12]}… is stored (never uploaded, deleted, or evicted as least "
                       "recently used): upload it again", code="model_not_found")


class ModelStore:
    def __init__(self, root: Path | str | None = None, max_bytes: int | None = None):
        self.root = Path(root) if root is not None else default_dir()
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes

    def _path(self, model_id: str) -> Path:
        return self.root / f"{check_id(model_id)}{SUFFIX}"

    def save(self, data: bytes) -> str:
        """Store the bytes under their SHA-256 and return it; saving the same file again only touches it."""
        model_id = hashlib.sha256(data).hexdigest()
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._path(model_id)
        if path.exists():
            self._touch(path)
        else:
            fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=SUFFIX, dir=self.root)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._touch(path)
        self.evict(keep=model_id)
        return model_id

    def get(self, model_id: str) -> bytes:
        path = self._path(model_id)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise not_found(model_id) from None
        self._touch(path)
        return data

    def touch(self, model_id: str) -> None:
        """Mark a model used now (the cache of parsed models calls this instead of reading the file)."""
        self._touch(self._path(model_id))

    def exists(self, model_id: str) -> bool:
        return self._path(model_id).is_file()

    def delete(self, model_id: str) -> bool:
        """True if a file was removed, False if there was none."""
        try:
            self._path(model_id).unlink()
            return True
        except FileNotFoundError:
            return False

    def list(self) -> list[dict]:
        """[{"id", "size", "last_used"}], most recently used first."""
        out = []
        for entry in self._entries():
            out.append({"id": entry[2].name[:-len(SUFFIX)], "size": entry[1], "last_used": entry[0] / 1e9})
        return sorted(out, key=lambda e: -e["last_used"])

    def total_bytes(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def evict(self, keep: str | None = None) -> list[str]:
        """Remove the least recently used files until the total is within max_bytes; returns the removed ids."""
        entries = sorted(self._entries())                    # oldest first
        total = sum(size for _, size, _ in entries)
        removed = []
        for _, size, path in entries:
            if total <= self.max_bytes:
                break
            model_id = path.name[:-len(SUFFIX)]
            if model_id == keep:
                continue
            try:
                path.unlink()
                removed.append(model_id)
            except FileNotFoundError:                        # another process evicted it first
                pass
            total -= size
        self._clean_tmp()
        return removed

    def _entries(self) -> list[tuple[int, int, Path]]:
        """(last used ns, size, path) of every stored model file."""
        out = []
        try:
            it = os.scandir(self.root)
        except FileNotFoundError:
            return out
        with it:
            for e in it:
                if e.name.endswith(SUFFIX) and ID.fullmatch(e.name[:-len(SUFFIX)]):
                    try:
                        st = e.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    out.append((st.st_mtime_ns, st.st_size, Path(e.path)))
        return out

    def _clean_tmp(self) -> None:
        now = time.time()
        try:
            for e in os.scandir(self.root):
                if e.name.startswith(TMP_PREFIX):
                    try:
                        if now - e.stat(follow_symlinks=False).st_mtime > STALE_TMP_SECONDS:
                            os.unlink(e.path)
                    except FileNotFoundError:
                        pass
        except FileNotFoundError:
            pass

    @staticmethod
    def _touch(path: Path) -> None:
        try:
            os.utime(path, None)
        except FileNotFoundError:
            pass
