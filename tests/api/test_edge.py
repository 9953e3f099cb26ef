"""Issue 12's findings, one regression test each, against the real server (python -m app) where the
finding is about the server, in-process where it is about the app."""

from __future__ import annotations

import io
import json
import socket
import struct
import time
import zlib

import httpx
import pytest
from PIL import Image, ImageDraw

from app.engine import limits
from app.middleware import HostCheckMiddleware, host_name
from tests.conftest import assert_error
from tests.servers import app_server, cpu_seconds, peak_rss_mb

QUICK = {"HEAD_TIMEOUT": "1.5", "BODY_TIMEOUT": "1.5", "LINGER_SECONDS": "3"}


@pytest.fixture(scope="module")
def server():
    with app_server(env=QUICK) as (url, proc):
        yield url, int(url.rsplit(":", 1)[1]), proc


def exchange(port: int, data: bytes, wait: float = 5.0) -> tuple[float, bytes]:
    """Send raw bytes; -> (seconds until the server closed, everything it sent)."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(wait)
        start = time.perf_counter()
        if data:
            s.sendall(data)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except TimeoutError:
            got += b"<still open>"
        return time.perf_counter() - start, got


def error_of(raw: bytes) -> tuple[int, dict, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, json.loads(body)["error"]


# ---- 3. timeouts and caps in the app server ---------------------------------------------------------
def test_idle_connections_are_closed(server):
    seconds, got = exchange(server[1], b"")
    assert got == b"" and seconds < 3


@pytest.mark.parametrize("raw, what", [
    (b"GET / HTTP/1.1\r\nHost: localhost\r\n", "head"),
    (b"POST /api/conv2d HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n"
     b"content-length: 100\r\n\r\n{\"input\"", "body"),
])
def test_half_sent_heads_and_bodies_get_408_and_are_closed(server, raw, what):
    seconds, got = exchange(server[1], raw)
    status, headers, err = error_of(got)
    assert status == 408 and what in err["rule"] and seconds < 3
    assert headers["x-content-type-options"] == "nosniff" and "frame-ancestors" in headers["content-security-policy"]


def test_request_heads_over_16_kb_get_431(server):
    _, got = exchange(server[1], b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
    status, headers, err = error_of(got)
    assert status == 431 and err["code"] == "headers_too_large" and "referrer-policy" in headers
    ok = httpx.get(server[0] + "/api/examples", headers={"x-fine": "a" * 10_000})
    assert ok.status_code == 200


@pytest.mark.parametrize("raw", [b"GARBAGE\x00 / HTTP/1.1\r\n\r\n",
                                 b"FOO /api/examples HTTP/1.1\r\nHost: localhost\r\n\r\n"])
def test_malformed_http_gets_the_error_shape_and_the_security_headers(server, raw):
    status, headers, err = error_of(exchange(server[1], raw)[1])
    assert status == 400 and err["field"] == "request" and headers["x-frame-options"] == "deny"
    assert err["code"] == "invalid_http", err  # not "invalid_json": the body was never read


def test_a_413_reaches_a_client_still_sending_its_body(server):
    """Lingering close: the rest of the body is read and dropped, the answer is not lost to a reset."""
    with socket.create_connection(("127.0.0.1", server[1])) as s:
        s.sendall(b"POST /api/conv2d HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n"
                  b"transfer-encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        for _ in range(40):                                   # 2.5 MiB against a 1 MiB cap
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        s.sendall(b"0\r\n\r\n")
        s.settimeout(5)
        got = b""
        while part := s.recv(65536):
            got += part
    status, _, err = error_of(got)
    assert status == 413 and err["field"] == "body"


def test_each_process_caps_its_connections():
    with app_server(env={**QUICK, "MAX_CONNECTIONS": "3"}) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        try:
            time.sleep(0.2)
            status, _, err = error_of(exchange(port, b"")[1])
            assert status == 503 and "at most 3 connections" in err["rule"]
        finally:
            for s in held:
                s.close()


@pytest.mark.parametrize("path", ["/", "/conv", "/draw", "/api/examples", "/docs", "/openapi.json",
                                  "/static/css/app.css", "/api/architectures/vgg16"])
def test_head_works_wherever_get_does(server, path):
    get, head = httpx.get(server[0] + path), httpx.head(server[0] + path)
    assert head.status_code == get.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


# ---- 5. hosts --------------------------------------------------------------------------------------------
def test_a_loopback_server_answers_loopback_names_only(server):
    for host in ("localhost", "127.0.0.1", f"localhost:{server[1]}", "[::1]:80"):
        assert httpx.get(server[0] + "/api/examples", headers={"host": host}).status_code == 200, host
    for host in ("evil.example", "attacker.localhost.example", "127.0.0.1.nip.io"):
        r = httpx.get(server[0] + "/api/examples", headers={"host": host})
        assert assert_error(r, 400, "host")["code"] == "host_not_allowed"


@pytest.mark.parametrize("heads", [
    b"Host: localhost:80@evil.example\r\n",                  # user info: "localhost" is not the host here
    b"Host: localhost\r\nHost: evil.example\r\n",            # two Host headers (the first used to win)
    b"Host: localhost\r\nhost: localhost\r\n",
    b"Host: local host\r\n",
    b"Host: localhost/evil\r\n",
    b"",                                                        # HTTP/1.1 without Host
])
def test_a_missing_doubled_or_malformed_host_is_400(server, heads):
    status, headers, err = error_of(exchange(server[1], b"GET /api/examples HTTP/1.1\r\n" + heads
                                             + b"Connection: close\r\n\r\n")[1])
    assert status == 400 and err["field"] == "host" and err["code"] == "invalid_host"
    assert headers["x-content-type-options"] == "nosniff"


def test_allowed_hosts_lists_the_names_served():
    def ok(allowed, host, server=("127.0.0.1", 8000)):
        return HostCheckMiddleware(None, allowed)._ok(host, server)

    assert ok(None, "localhost") and not ok(None, "evil.example")
    assert ok(None, "anything.example", server=("192.168.1.20", 8000))     # not a loopback address
    assert not ok(None, "evil.example", server=("/run/app.sock", None))     # a Unix socket: behind a proxy
    assert ok(["explainer.local", "192.168.1.20"], "explainer.local") and not ok(["explainer.local"], "localhost")
    assert ok(["*.school.example"], "cs.school.example") and not ok(["*.school.example"], "school.example.evil")
    assert ok(["*"], "whatever") and not ok(["explainer.local"], None)
    assert host_name([(b"host", b"[::1]:8000")]) == "[::1]" and host_name([(b"host", b"Local:80")]) == "local"
    assert host_name([(b"host", b"localhost:8961@evil.com")]) is None and host_name([]) is None
    assert host_name([(b"host", b"a.example"), (b"host", b"a.example")]) is None
    assert ok(["*"], "") and not ok(None, "")             # HTTP/1.0 without Host: an empty name


def test_allowed_hosts_from_the_environment():
    with app_server(env={**QUICK, "ALLOWED_HOSTS": "explainer.local"}) as (url, _):
        assert httpx.get(url + "/api/examples", headers={"host": "explainer.local"}).status_code == 200
        assert httpx.get(url + "/api/examples", headers={"host": "localhost"}).status_code == 400


# ---- 2. bounded parsing: refused quickly, without holding memory ------------------------------------------
def test_nested_json_is_refused_quickly_without_the_memory(server):
    """Within 1 s of the server's CPU (measured from /proc, so a busy machine does not make it flaky)."""
    url, _, proc = server
    before = peak_rss_mb(proc.pid)
    one = b"[[[[[[[[[[]]]]]]]]]],"
    for path, body in (("/api/conv2d", b'{"input": [' + one * 49_000 + b"[]]}"),
                       ("/api/mnist/predict", b'{"pixels": [' + one * 199_000 + b"[]]}")):
        cpu = cpu_seconds(proc.pid)
        r = httpx.post(url + path, content=body, headers={"content-type": "application/json"}, timeout=60)
        assert r.status_code == 422 and cpu_seconds(proc.pid) - cpu < 1.0, (path, r.text[:200])
    assert peak_rss_mb(proc.pid) - before < 100


# ---- 1. bounded decoding ---------------------------------------------------------------------------------
def encoded(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def upload(client, raw: bytes, name="x.jpg"):
    return client.post("/api/mnist/predict/upload", files={"file": (name, raw, "application/octet-stream")})


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding(client):
    flat = encoded(Image.new("L", (2048, 2048), 128), "JPEG", quality=50, progressive=True)
    scan = flat[flat.rfind(b"\xff\xda"):-2]
    attack = flat[:-2] + scan * 30_000 + b"\xff\xd9"                     # made here, never committed
    start = time.process_time()
    err = assert_error(upload(client, attack), 422, "file")
    assert "scans" in err["rule"] and time.process_time() - start < 0.5
    ok = flat[:-2] + scan * (limits.IMAGE_MAX_JPEG_SCANS - flat.count(b"\xff\xda")) + b"\xff\xd9"
    assert upload(client, ok).status_code == 200


@pytest.mark.parametrize("padding, rule", [
    (b"\xff" * 8_000_000, "fill or stray bytes"),                  # 0xFF fill before a marker (12 s of CPU before)
    (b"\x00" * 8_000_000, "fill or stray bytes"),                  # stray bytes between segments
    (b"\xff\xfe\x00\x02" * 2_000_000, "segments"),               # 2 million empty comments (4.7 s)
    (b"\xff\xe5\x00\x02" * 2_000_000, "segments"),               # empty APP5 segments (6.2 s)
])
def test_a_jpeg_header_padded_with_segments_or_fill_bytes_is_refused_before_decoding(client, padding, rule):
    """Pillow reads a JPEG's header in Python, a segment or a stray byte at a time: the header is walked on the bytes
    first (decode.check_jpeg_header)."""
    flat = encoded(drawn_one(), "JPEG")
    start = time.process_time()
    err = assert_error(upload(client, flat[:2] + padding + flat[2:]), 422, "file")
    assert rule in err["rule"] and time.process_time() - start < 0.5, err


def test_a_jpeg_with_exif_a_large_icc_profile_comments_and_some_fill_bytes_is_read(client):
    """What cameras and editors write before the first scan stays well within the header caps."""
    img = drawn_one().convert("RGB")
    exif = img.getexif()
    exif[0x010F] = "camera"
    flat = encoded(img, "JPEG", exif=exif, icc_profile=bytes(300_000), progressive=True)  # the profile in 5 parts
    comments = b"\xff\xfe\x00\x07hello" * (limits.IMAGE_MAX_JPEG_SEGMENTS - 20)
    fill = b"\xff" * (limits.IMAGE_MAX_JPEG_STRAY - 10)
    r = upload(client, flat[:2] + comments + fill + flat[2:])
    assert r.status_code == 200 and r.json()["digit"] == 1, r.text


def test_a_png_with_700k_empty_chunks_is_refused_before_decoding(client):
    tiny = encoded(Image.new("L", (64, 64), 0), "PNG")
    attack = tiny[:33] + chunk(b"tEXt", b"") * 690_000 + tiny[33:]   # just under the 8 MiB upload cap
    start = time.process_time()
    err = assert_error(upload(client, attack, "x.png"), 422, "file")
    assert "chunks" in err["rule"] and time.process_time() - start < 0.5


def drawn_one(size=(120, 200)) -> Image.Image:
    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).line([(size[0] // 2, 20), (size[0] // 2, size[1] - 20)], fill=0, width=14)
    return img


def test_exif_orientation_is_applied(client):
    """A "1" stored lying on its side with EXIF orientation 6 (rotate 90° to view) reads upright."""
    stored = drawn_one().rotate(90, expand=True)                          # what the camera wrote
    exif = Image.Exif()
    exif[0x0112] = 8                                                     # view = rotate 90° clockwise
    raw = encoded(stored, "JPEG", exif=exif.tobytes())
    steps = upload(client, raw).json()["steps"]
    top, left, bottom, right = steps["bbox"]
    assert steps["input_size"] == [200, 120] and bottom - top > 2 * (right - left), steps


def test_a_palette_png_whose_transparent_index_is_the_ink(client):
    img = drawn_one().convert("P")
    ink = img.getpixel((60, 100))
    raw = encoded(img, "PNG", transparency=ink)
    r = upload(client, raw, "x.png").json()
    assert r["nothing_drawn"] is False and r["steps"]["polarity"] == "alpha"


# ---- 4. strokes ---------------------------------------------------------------------------------------------
def test_stroke_coordinates_far_outside_the_canvas_get_a_422(client):
    body = {"strokes": [[[10, 10], [3e9, 10]]], "width": 280, "height": 280}
    assert "within 10 canvas sizes" in assert_error(client.post("/api/mnist/predict", json=body), 422,
                                                    "strokes.0.1")["rule"]


def test_the_costliest_accepted_strokes_stay_cheap(client):
    zigzag = [[[(i % 2) * 2.6 + 100, 10 + i * 0.013] for i in range(limits.STROKES_MAX_POINTS)]]
    start = time.process_time()
    r = client.post("/api/mnist/predict", json={"strokes": zigzag, "width": 280, "height": 280})
    assert r.status_code == 200 and time.process_time() - start < 1.0


@pytest.mark.parametrize("raw", [b"# README\nnot a picture\n", encoded(drawn_one(), "PNG")[:60]],
                         ids=["text", "truncated PNG"])
def test_a_file_that_is_no_picture_is_image_unreadable_on_every_picture_route(client, raw):
    """One code for "this is not a picture we can read", so a page can say so in its own words."""
    import base64

    data_url = "data:image/png;base64," + base64.b64encode(raw).decode()
    answers = [(upload(client, raw, "x.png"), "file"),
               (client.post("/api/mnist/predict", json={"image": data_url}), "image"),
               (client.post("/api/image/filter/upload", files={"file": ("x.png", raw, "image/png")},
                            data={"preset": "sobel_x"}), "file")]
    for r, field in answers:
        err = assert_error(r, 422, field)
        assert err["code"] == "image_unreadable" and "cannot be decoded" in err["rule"], err
