"""The model store: content-addressed files, atomic writes, least-recently-used eviction, ids checked before
they become paths, and several processes sharing one directory."""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from app.engine.errors import EngineError
from app.models.store import ModelStore


def blob(n: int, seed: int) -> bytes:
    return hashlib.sha256(str(seed).encode()).digest() * (n // 32) + bytes(n % 32)


def test_save_get_delete_list(store):
    data = blob(1000, 1)
    model_id = store.save(data)
    assert model_id == hashlib.sha256(data).hexdigest()
    assert store.get(model_id) == data
    assert [p.name for p in store.root.iterdir()] == [f"{model_id}.model"]      # no temporary file left
    assert store.save(data) == model_id and len(list(store.root.iterdir())) == 1
    assert [e["id"] for e in store.list()] == [model_id] and store.list()[0]["size"] == 1000
    assert store.delete(model_id) is True and store.delete(model_id) is False
    with pytest.raises(EngineError) as e:
        store.get(model_id)
    assert e.value.code == "model_not_found" and e.value.field == "id"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "a" * 63, "a" * 65, "g" * 64, "", None, 5,
                                 "a" * 63 + "/", "a" * 64 + ".model"])
def test_ids_are_checked_before_they_become_paths(store, bad):
    for call in (store.get, store.delete, store.exists):
        with pytest.raises(EngineError) as e:
            call(bad)
        assert e.value.code == "bad_model_id"
    assert not store.root.exists()


def test_least_recently_used_files_go_first(tmp_path):
    store = ModelStore(tmp_path / "m", max_bytes=3000)
    a, b, c = (store.save(blob(1000, i)) for i in range(3))
    for model_id, age in ((a, 30), (b, 20), (c, 10)):       # a oldest, then b, then c
        path = store.root / f"{model_id}.model"
        os.utime(path, (time.time() - age, time.time() - age))
    store.get(a)                                             # a used now: b is the least recently used
    d = store.save(blob(1000, 3))
    assert {e["id"] for e in store.list()} == {a, c, d}
    assert store.list()[0]["id"] in (a, d)
    big = store.save(blob(5000, 4))                          # larger than the cap alone: kept, the rest go
    assert [e["id"] for e in store.list()] == [big]


def test_stale_temporary_files_are_cleaned(tmp_path):
    store = ModelStore(tmp_path / "m")
    store.root.mkdir(parents=True)
    old, fresh = store.root / ".tmp-old.model", store.root / ".tmp-new.model"
    old.write_bytes(b"partial")
    fresh.write_bytes(b"partial")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    model_id = store.save(b"model")
    assert sorted(p.name for p in store.root.iterdir()) == sorted([".tmp-new.model", f"{model_id}.model"])
    assert [e["id"] for e in store.list()] == [model_id]     # temporary files are never listed


def _save_many(root: str, seed: int, n: int, max_bytes: int) -> list[str]:
    store = ModelStore(root, max_bytes=max_bytes)
    return [store.save(blob(1000, seed * 100 + i)) for i in range(n)]


def test_several_processes_share_one_directory(tmp_path):
    root = str(tmp_path / "shared")
    with ProcessPoolExecutor(3) as pool:
        ids = [i for got in pool.map(_save_many, [root] * 3, range(3), [8] * 3, [10**9] * 3) for i in got]
    store = ModelStore(root)
    assert len(set(ids)) == 24 and {e["id"] for e in store.list()} == set(ids)
    for model_id in ids:
        assert hashlib.sha256(store.get(model_id)).hexdigest() == model_id   # no file is partial
    with ProcessPoolExecutor(3) as pool:                     # now with eviction racing in three processes
        list(pool.map(_save_many, [root] * 3, range(3, 6), [10] * 3, [5000] * 3))
    assert store.total_bytes() <= 5000 + 3 * 1000
    for e in store.list():
        assert hashlib.sha256(store.get(e["id"])).hexdigest() == e["id"]
    assert [p.name for p in tmp_path.iterdir()] == ["shared"]
    assert not [p for p in (tmp_path / "shared").iterdir() if p.name.startswith(".tmp-")]
