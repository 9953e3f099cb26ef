"""Every bad file gets an EngineError naming the field and the rule (the API's 4xx), never another exception;
nothing is stored for a refused upload. (bench/bench_models.py times every case: each takes milliseconds.)"""

from __future__ import annotations

import pytest

from app.engine.errors import EngineError
from app.models import service
from app.models.reader import read_model

from .badfiles import cases

CASES = cases()


@pytest.mark.parametrize("name, data, field, code", CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_refused_with_its_field_and_rule(name, data, field, code):
    with pytest.raises(EngineError) as e:
        read_model(data)
    err = e.value
    assert err.field.startswith(field), f"{name}: field {err.field!r}, rule {err.rule!r}"
    if code is not None:
        assert err.code == code, f"{name}: code {err.code!r}, rule {err.rule!r}"
    assert err.rule and len(err.rule) < 600


def test_refusals_name_the_layer_and_its_class():
    rules = {name: None for name, *_ in CASES}
    for name, data, *_ in CASES:
        try:
            read_model(data)
        except EngineError as e:
            rules[name] = e.rule
    assert "Lambda layer 'my_lambda'" in rules["Lambda layer"] and "never runs code" in rules["Lambda layer"]
    assert "Conv2D layer 'conv_s2_same' is a custom class" in rules["custom layer"]
    assert rules["unsupported layer"].startswith("LayerNormalization layer 'bn' is not supported")
    assert "ratio over 100" in rules["zip bomb: ratio over 100"]
    assert "62,914,560 bytes" in rules["zip bomb: 60 MB member"]
    assert "more than 10,000,000 parameters" in rules["more than 10 million parameters"]
    assert "501 layers" in rules["more than 500 layers"]
    assert "[100000, 1000000]" in rules["HDF5 dataset declared 400 GB"]
    assert "outside the file" in rules["HDF5 external storage"]
    assert "link" in rules["HDF5 external link"]


def test_refused_upload_stores_nothing(store):
    for _, data, *_ in CASES[:12]:
        with pytest.raises(EngineError):
            service.upload(data, store=store)
    assert store.list() == [] and (not store.root.exists() or list(store.root.iterdir()) == [])


def test_an_archive_of_200k_members_is_refused_before_its_directory_is_parsed():
    """zipfile reads the whole central directory before the member cap could be checked (200,000 entries: 2.5 s)."""
    import io
    import time
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for i in range(200_000):
            z.writestr(zipfile.ZipInfo(f"{i}"), b"")
    start = time.process_time()
    with pytest.raises(EngineError) as e:
        read_model(buf.getvalue())
    assert e.value.code == "zip_bomb" and "200,000 members" in e.value.rule, e.value.rule
    assert time.process_time() - start < 0.5
