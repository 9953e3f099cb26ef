"""Findings of a hostile review of every endpoint (each test failed before its fix):

- a PNG of many 1 KB colour profiles (iCCP chunks, each inflated by Pillow up to 1 MB) cost 8.5 s of CPU for 4 MB;
- a 4096² 16-bit grey PNG of 32 KB cost 1.1 s of CPU and +440 MB as whole float64 copies on /api/image/filter;
- a client's own unknown key was echoed twice in full (a 0.9 MB key gave a 1.8 MB error);
- pydantic's own sentences and Python class names leaked as rules ("Expected UploadFile, received: <class 'str'>",
  "Input should be a valid integer, unable to parse string as an integer", "String should have at most 40 ...");
- the JSON text fields of /api/image/filter/upload skipped the nesting and value caps of a JSON body.
"""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image

from app.engine.errors import EngineError
from app.imaging.decode import decode
from app.imaging.resize import to_array
from tests.conftest import assert_error


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(w: int, h: int, depth: int = 8, colour: int = 0, extra: bytes = b"") -> bytes:
    """A PNG of zeros written by hand (any size, depth and extra chunks before IDAT)."""
    samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    row = b"\x00" * (1 + (w * samples * depth + 7) // 8)
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


PROFILE = _chunk(b"iCCP", b"p\x00\x00" + zlib.compress(b"\x00" * (1 << 20), 9))  # 1 KB that inflates to 1 MB


def _data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode()


# ---- PNG colour-profile bomb ------------------------------------------------------------------------------

def test_a_png_with_more_than_one_colour_profile_is_refused_before_decoding():
    with pytest.raises(EngineError) as err:
        decode(_png(8, 8, extra=PROFILE * 3), "file", 2048, 4_200_000)
    assert err.value.field == "file" and "iCCP" in err.value.rule
    img = decode(_png(8, 8, extra=PROFILE), "file", 2048, 4_200_000)   # one profile, as the standard allows
    assert img.size == (8, 8)


def test_a_profile_after_the_pixels_counts_too():
    png = _png(8, 8)
    with pytest.raises(EngineError) as err:
        decode(png[:-12] + PROFILE * 2 + png[-12:], "image", 2048, 4_200_000)   # before IEND
    assert err.value.field == "image" and "colour profile" in err.value.rule


@pytest.mark.parametrize("path, field", [("/api/image/filter/upload", "file"), ("/api/mnist/predict/upload", "file")])
def test_profile_bomb_uploads_get_422(client, path, field):
    files = {"file": ("bomb.png", _png(8, 8, extra=PROFILE * 5), "image/png")}
    r = client.post(path, files=files, data={"preset": "sobel_x"} if "filter" in path else {})
    assert_error(r, 422, field)
    assert r.json()["error"]["code"] == "invalid_request"
    assert "more than 1 colour profile (iCCP chunk)" in r.json()["error"]["rule"]


def test_profile_bomb_data_url_gets_422(client):
    r = client.post("/api/image/filter", json={"image": _data_url(_png(8, 8, extra=PROFILE * 5)), "preset": "sobel_x"})
    assert_error(r, 422, "image")
    assert "iCCP" in r.json()["error"]["rule"]


# ---- 16-bit pictures: bounded memory ----------------------------------------------------------------------

def _peak_of(fn):
    """-> (fn(), the peak of memory traced while it ran: NumPy's arrays and Python's objects, in every thread)."""
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_4096_square_16_bit_picture_is_scaled_without_whole_float_copies():
    img = Image.open(io.BytesIO(_png(4096, 4096, 16, 0)))
    img.load()
    assert img.mode == "I;16"
    x, peak = _peak_of(lambda: to_array(img, "gray", 512))
    assert x.shape == (512, 512) and x.dtype == np.float64 and float(x.max()) == 0.0
    assert peak < 100 * 2**20, f"peak {peak / 2**20:.0f} MB"  # whole float64 copies: over 300 MB
    # and the values are those of a Lanczos scaling of the floats (box-reduced first, as 8-bit pictures are)
    yy, xx = np.mgrid[0:1200, 0:800]
    a = ((np.sin(xx / 37) * np.cos(yy / 23) + 1) * 32767).astype(np.uint16)
    x = to_array(Image.fromarray(a), "gray", 100)
    assert x.shape == (100, 67)
    small = np.asarray(Image.fromarray((a / 65535).astype(np.float32)).resize((67, 100), Image.Resampling.LANCZOS))
    assert np.abs(x - np.clip(small, 0, 1)).max() < 0.01
    f = Image.fromarray(np.array([[np.nan, np.inf], [-np.inf, 0.5]], np.float32))
    assert to_array(f, "gray").tolist() == [[0.0, 1.0], [0.0, 0.5]]


def test_the_16_bit_png_through_the_api(client):
    body = {"image": _data_url(_png(4096, 4096, 16, 0)), "preset": "sobel_x", "max_side": 512}
    r, peak = _peak_of(lambda: client.post("/api/image/filter", json=body))
    assert r.status_code == 200, r.text
    assert r.json()["input_shape"] == [512, 512] and r.json()["output_range"] == [0.0, 0.0]
    assert peak < 150 * 2**20, f"peak {peak / 2**20:.0f} MB"  # before: over 400 MB


# ---- errors: the field echoed, the rule in the API's words -----------------------------------------------------

def test_a_huge_unknown_key_is_not_echoed_in_full(client):
    key = "k" * 900_000
    r = client.post("/api/conv2d", content=b'{"input": [[1]], "kernel": [[1]], "' + key.encode() + b'": 1}',
                    headers={"content-type": "application/json"})
    assert_error(r, 422)
    err = r.json()["error"]
    assert err["rule"] == "is not a known field"
    assert len(err["field"]) == 200 and err["field"].endswith("…") and err["field"].startswith("kkk")
    assert len(r.content) < 2000


@pytest.mark.parametrize("body, field, rule", [
    ({"pixels": [[0.5] * 28] * 28, "layer": "x" * 41, "index": [0, 0, 0]}, "layer",
     "must be a string of at most 40 characters"),
    ({"pixels": [[0.5] * 28] * 28, "layer": "conv1", "index": [0, 0, 10**20]}, "index.2",
     "must be an integer (this one has too many digits)"),
    ({"pixels": [[0.5] * 28] * 28, "layer": "conv1", "index": [0, 0]}, "index", "must have at least 3 items"),
])
def test_trace_rules_are_in_the_api_words(client, body, field, rule):
    r = client.post("/api/mnist/trace", json=body)
    assert_error(r, 422, field)
    assert r.json()["error"]["rule"] == rule


def test_list_length_rule(client):
    r = client.post("/api/activations", json={"name": "sigmoid", "x": [1.0] * 2002})
    assert_error(r, 422, "x")
    assert r.json()["error"]["rule"] == "must have at most 2001 items"


@pytest.mark.parametrize("path", ["/api/image/filter/upload", "/api/mnist/predict/upload", "/api/models"])
def test_a_text_part_where_the_file_goes(client, path):
    body = b'--B\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot a file\r\n--B--\r\n'
    r = client.post(path, content=body, headers={"content-type": "multipart/form-data; boundary=B"})
    assert_error(r, 422, "file")
    assert r.json()["error"]["rule"] == "must be a file (a multipart part with a filename)"
    assert "class" not in r.text


PICTURE = ("a.png", _png(16, 16), "image/png")


@pytest.mark.parametrize("data, field, rule", [
    ({"preset": "sobel_x", "max_side": "x"}, "max_side", "must be an integer"),
    ({"preset": "sobel_x", "max_side": "99999"}, "max_side", "must be less than or equal to 512"),
    ({"preset": "sobel_x", "include_output": "maybe"}, "include_output", "must be true or false"),
    ({"preset": "sobel_x", "at": "[1]"}, "at", "must have at least 2 items"),
])
def test_upload_option_rules_are_in_the_api_words(client, data, field, rule):
    r = client.post("/api/image/filter/upload", files={"file": PICTURE}, data=data)
    assert_error(r, 422, field)
    assert r.json()["error"]["rule"] == rule


# ---- JSON text fields of an upload: the caps of a JSON body ------------------------------------------------------

@pytest.mark.parametrize("kernel, rule", [
    ("[" * 33 + "]" * 33, "nests 33 levels deep; the cap is 32"),
    ("[" + "1," * 400_001 + "1]", "holds about 400,003 values; the cap is 400,000"),
])
def test_upload_json_fields_have_the_body_caps(client, kernel, rule):
    r = client.post("/api/image/filter/upload", files={"file": PICTURE}, data={"kernel": kernel})
    assert_error(r, 422, "kernel")
    assert r.json()["error"]["rule"] == rule


# ---- a second hostile review (2026-12-01): headers the server misread, fields it ignored ------------------------

CONV = b'{"input": [[1, 2], [3, 4]], "kernel": [[1]]}'


@pytest.mark.parametrize("path, body", [("/api/conv2d", CONV), ("/api/mnist/predict", b'{"pixels": []}')])
@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate, gzip", "x-unknown"])
def test_a_compressed_body_is_refused_by_its_content_encoding(client, path, body, encoding):
    """Bodies are never inflated (no decompression bombs). Before, a gzip body got 400 "str is not valid UTF-8" and
    a `br` header on a plain body was read as if it were not there; now 415 names the header, on every route."""
    import gzip

    r = client.post(path, content=gzip.compress(body), headers={"content-type": "application/json",
                                                                  "content-encoding": encoding})
    assert_error(r, 415, "content-encoding")
    assert r.headers["accept-encoding"] == "identity"
    r = client.post(path, content=body, headers={"content-type": "application/json", "content-encoding": "identity"})
    assert r.status_code in (200, 422), r.text   # read as sent


def test_a_compressed_upload_is_refused_too(client):
    r = client.post("/api/image/filter/upload", files={"file": PICTURE}, data={"preset": "sobel_x"},
                    headers={"content-encoding": "gzip"})
    assert_error(r, 415, "content-encoding")


@pytest.mark.parametrize("types", [["application/json", "text/plain"], ["text/plain", "application/json"],
                                   ["application/json", "application/json"]])
def test_a_content_type_given_twice_is_refused(client, types):
    """Before, [application/json, text/plain] was read as JSON (the routes saw the first) and the other order
    refused: now both, naming the header."""
    r = client.post("/api/conv2d", content=CONV, headers=[("content-type", t) for t in types])
    assert_error(r, 415, "content-type")
    assert client.post("/api/conv2d", content=CONV, headers={"content-type": "application/json"}).status_code == 200


@pytest.mark.parametrize("path, data, unknown", [
    ("/api/mnist/predict/upload", {"include_activation": "true"}, "include_activation"),
    ("/api/image/filter/upload", {"preset": "sobel_x", "kernal": "[[1]]"}, "kernal"),
    ("/api/models", {"name": "mine"}, "name"),
])
def test_unknown_upload_fields_are_refused_as_in_json_bodies(client, path, data, unknown):
    """"kernal" was ignored (the preset ran) and "include_activation" too (no activations came back)."""
    r = client.post(path, files={"file": PICTURE}, data=data)
    err = assert_error(r, 422, unknown)
    assert err["rule"].startswith("is not a known field; the fields are ") and "file" in err["rule"]


PART = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'
        + _png(16, 16) + b"\r\n--XyZ--\r\n")


@pytest.mark.parametrize("path", ["/api/mnist/predict/upload", "/api/image/filter/upload", "/api/models"])
@pytest.mark.parametrize("content_type, body, rule", [
    ("multipart/form-data; boundary=XyZ", PART[:-9],
     "is a multipart body without its closing delimiter (--XyZ--): cut short?"),
    ("multipart/form-data; boundary=XyZ; charset=utf-16", PART,
     "is a multipart body in 'utf-16', where ASCII field names are not ASCII: send UTF-8"),
    ("multipart/form-data; boundary=XyZ", PART[:-9].replace(b"IHDR", b"IHDR--XyZ--"),   # the delimiter in the data
     "is a multipart body without its closing delimiter (--XyZ--): cut short?"),
    ("multipart/form-data", PART, "is a multipart body with no boundary parameter in its Content-Type"),
])
def test_a_multipart_body_the_parser_would_misread_is_named_as_such(client, path, content_type, body, rule):
    """Before, each was parsed without a word and answered 422 "file: is required"."""
    err = assert_error(client.post(path, content=body, headers={"content-type": content_type}), 400, "body")
    assert (err["code"], err["rule"]) == ("invalid_multipart", rule)
    for fine in ('multipart/form-data; boundary="XyZ"', "multipart/form-data; boundary=XyZ; charset=ISO-8859-1",
                 "multipart/form-data; charset=utf-8; boundary=XyZ"):   # (ASCII field names read as ASCII)
        r = client.post(path, content=PART, headers={"content-type": fine})
        assert r.status_code != 400, (fine, r.text)   # read (on /api/models a PNG that is no model: 422)
    escaped = PART.replace(b"XyZ", b'X"Z')   # a quoted boundary with an escaped quote, as python-multipart reads it
    r = client.post(path, content=escaped, headers={"content-type": 'multipart/form-data; boundary="X\\"Z"'})
    assert r.status_code != 400, r.text


# ---- a third hostile review (2026-12-01, night): uploads and model files ------------------------------------

@pytest.mark.parametrize("path, fields", [
    ("/api/mnist/predict/upload", [("file", PICTURE), ("file", PICTURE)]),
    ("/api/image/filter/upload", [("file", PICTURE), ("kernel", (None, "[[1]]")), ("kernel", (None, "[[2]]"))]),
    ("/api/image/filter/upload", [("file", PICTURE), ("preset", (None, "sobel_x")), ("preset", (None, "outline"))]),
    ("/api/models", [("file", PICTURE), ("file", PICTURE)]),
])
def test_a_field_given_twice_is_refused(client, path, fields):
    """Before, the last one silently won (a blank picture then a digit answered the digit; kernel [[1]] then [[2]]
    used [[2]]), where a Content-Type given twice is refused."""
    err = assert_error(client.post(path, files=fields), 422, fields[-1][0])
    assert err["rule"] == "is given more than once; send each field once"


def test_model_files_that_answered_500_are_refused_through_the_reading_process(client):
    """The reading child parsed a config with a byte-order mark (or in UTF-16), then the server read its text again
    as UTF-8 and failed: a 500. A 24-digit keras_version was stored, then every answer about the model was a 500
    (its number does not fit JSON's 64-bit integers). Each is now a 422 naming the member, and nothing is kept."""
    from tests.models.badfiles import cases
    wanted = {"config.json with a byte-order mark", "config.json in UTF-16",
              "model_config with a byte-order mark (.h5)", "keras_version 10^23 (.keras)", "keras_version 10^23 (.h5)",
              "Reshape to 2^76 numbers on a free input", "weights filled in by HDF5 (no data stored)"}
    found = [c for c in cases() if c[0] in wanted]
    assert len(found) == len(wanted)
    for name, data, field, code in found:
        err = assert_error(client.post("/api/models", files={"file": ("m.keras", data)}), 422, None)
        assert err["field"].startswith(field) and err["code"] == code, (name, err)
        assert client.get(f"/api/models/{hashlib.sha256(data).hexdigest()}").status_code == 404, name


def test_a_reshape_to_five_axes_can_be_traced(client):
    """A Reshape may give up to 8 axes, but a trace's index took at most 4: such layers could never be traced."""
    from app.models.writer import keras_file
    data = keras_file("five", (24,), [{"class_name": "Reshape",
                                        "config": {"name": "l", "target_shape": [1, 2, 3, 2, 2]}}])
    up = client.post("/api/models", files={"file": ("five.keras", data)})
    assert up.status_code == 200, up.text
    x = [float(v) for v in range(24)]
    r = client.post(f"/api/models/{up.json()['id']}/trace", json={"input": x, "layer": "l", "index": [0, 1, 2, 1, 1]})
    assert r.status_code == 200, r.text
    flat = ((1 * 3 + 2) * 2 + 1) * 2 + 1                     # row-major place of [0, 1, 2, 1, 1] in (1, 2, 3, 2, 2)
    assert r.json()["model_value"] == x[flat] == r.json()["step"]["value"] and r.json()["step"]["window"] == [[flat]]
    too_long = client.post(f"/api/models/{up.json()['id']}/trace", json={"input": x, "layer": "l", "index": [0] * 9})
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "index"


def test_a_transfer_coding_other_than_chunked_is_refused_by_the_real_server():
    """`Transfer-Encoding: gzip, chunked` was unchunked and the gzip ignored: the compressed body was then refused
    as "not valid JSON" (400). Now 415 names the header, as a Content-Encoding does; chunked alone still works."""
    import gzip
    import json
    import socket

    from tests.servers import app_server

    def chunked(raw: bytes) -> bytes:
        return f"{len(raw):x}\r\n".encode() + raw + b"\r\n0\r\n\r\n"

    with app_server() as (url, _):
        port = int(url.rsplit(":", 1)[1])
        for coding, body, status in (("gzip, chunked", gzip.compress(CONV), 415), ("chunked", CONV, 200)):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"POST /api/conv2d HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                             + f"Transfer-Encoding: {coding}\r\nConnection: close\r\n\r\n".encode() + chunked(body))
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            head, _, payload = answer.partition(b"\r\n\r\n")
            assert head.split(b" ")[1] == str(status).encode(), (coding, head)
            if status == 415:
                assert json.loads(payload)["error"]["field"] == "transfer-encoding"


def test_a_filter_upload_without_a_kernel_is_refused_before_its_picture_is_decoded(client, monkeypatch):
    """A 4096² PNG with no kernel and no preset was decoded whole (0.3-0.7 s) before the 422 on kernel."""
    from app.api import image

    decoded = []
    monkeypatch.setattr(image, "decode", lambda *a, **k: decoded.append(1) or pytest.fail("decoded"))
    for data in ({}, {"preset": "sobel_x", "kernel": "[[1]]"}):
        err = assert_error(client.post("/api/image/filter/upload", files={"file": PICTURE}, data=data), 422, "kernel")
        assert err["rule"].startswith("give ")
    assert not decoded
