"""deploy/nginx/run.sh: two app processes behind Debian's nginx serve the pages and the API with the app's
headers, nginx's own refusals are in the error shape, both processes take requests, and SIGTERM stops all.

Skips only when nginx is not installed and REQUIRE_NGINX is unset (CI sets it and installs nginx)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from app.config import settings
from tests.servers import ROOT, free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    if NGINX is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("REQUIRE_NGINX is set but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    run = tmp_path_factory.mktemp("nginx")
    port = free_port()
    proc = subprocess.Popen(["bash", str(ROOT / "deploy/nginx/run.sh"), str(port), "2"], cwd=ROOT,
                            env={**os.environ, "RUN_DIR": str(run)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(url + "/api/examples", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("run.sh did not start: " + proc.stdout.read().decode()[-3000:])
    yield url, run, proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)


def test_pages_and_api_answers_through_nginx(deployed):
    url = deployed[0]
    home = httpx.get(url + "/")
    assert home.status_code == 200 and "<nav" in home.text and home.headers["x-frame-options"] == "SAMEORIGIN"
    r = httpx.post(url + "/api/conv2d", json={"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
                                              "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"})
    assert r.json()["output"][1][1] == 19 and "server-timing" in r.headers
    assert r.headers["content-security-policy"].endswith("frame-ancestors 'none'")
    stroke = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
    assert httpx.post(url + "/api/mnist/predict", json=stroke).json()["digit"] in range(10)
    assert httpx.head(url + "/conv").status_code == 200


def test_files_come_from_nginx_with_the_apps_headers(deployed):
    url = deployed[0]
    css = httpx.get(url + "/static/css/app.css", headers={"accept-encoding": "gzip"})
    app_headers = httpx.get(url + "/api/examples").headers
    assert css.status_code == 200 and css.content == (ROOT / "static/css/app.css").read_bytes()
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"):
        assert css.headers[name] == app_headers[name], name


def test_nginx_refusals_are_in_the_error_shape_with_the_security_headers(deployed):
    url = deployed[0]
    big = httpx.post(url + "/api/conv2d", content=b"x" * (2 << 20), headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["error"]["field"] == "body"
    assert big.headers["x-content-type-options"] == "nosniff"
    header = httpx.get(url + "/api/examples", headers={"x-big": "a" * 20_000})
    assert header.status_code == 431 and header.json()["error"]["code"] == "headers_too_large"
    upload = httpx.post(url + "/api/mnist/predict/upload", files={"file": ("x.png", b"\x89PNG" + b"0" * (5 << 20))})
    assert upload.status_code == 422                                   # 8 MiB here: the app decides


def test_nginx_error_pages_say_the_status_they_answer_with(deployed):
    conf = (deployed[1] / "nginx.conf").read_text()
    pages = re.findall(r"location @e(\d+) \{[^}]*return (\d+) '(\{.*?\})';", conf)
    assert len(pages) >= 7
    for name, status, body in pages:
        error = json.loads(body.replace("\\'", "'"))["error"]      # nginx's quoted string escapes its '
        assert int(status) == error["status"] == int(name), (name, status, error)
        assert error["message"].endswith(error["rule"]) and error["code"]
    # without "=status" nginx keeps the original status whatever the page's return says (a 504 said 503)
    for codes, override, page in re.findall(r"error_page ([\d ]+?) (?:=(\d+) )?@e(\d+);", conf):
        assert all(int(override or c) == int(page) for c in codes.split()), (codes, override, page)


def _open(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def test_idle_and_half_sent_connections_do_not_lock_anyone_out(deployed):
    url = deployed[0]
    idle = []
    try:
        for i in range(600):                       # the standalone app server holds 512; nginx holds them all
            s = _open(url)
            s.sendall(b"GET /api/examples HTTP/1.1\r\nHost: local" if i % 2 else b"")
            idle.append(s)
        t = time.perf_counter()
        r = httpx.get(url + "/api/examples", timeout=5)
        assert r.status_code == 200 and time.perf_counter() - t < 2
    finally:
        for s in idle:
            s.close()


def test_one_address_gets_at_most_64_requests_in_progress(deployed):
    url = deployed[0]
    waiting = []
    try:
        for _ in range(64):                        # heads read, bodies never sent: requests in progress
            s = _open(url)
            s.sendall(b"POST /api/conv2d HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{")
            waiting.append(s)
        time.sleep(0.3)
        r = httpx.get(url + "/api/examples", timeout=5)
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_connections"
        assert r.headers["x-content-type-options"] == "nosniff"
    finally:
        for s in waiting:
            s.close()
    time.sleep(0.3)
    assert httpx.get(url + "/api/examples", timeout=5).status_code == 200


def test_nginx_body_caps_are_the_apps(deployed):
    conf = (deployed[1] / "nginx.conf").read_text()
    caps = dict(re.findall(r"location = (\S+) \{\s*client_max_body_size (\d+)m;", conf))
    assert {path: int(mb) << 20 for path, mb in caps.items()} == settings.body_caps
    patterns = dict(re.findall(r'location ~ "(\S+)" \{\s*client_max_body_size (\d+)m;', conf))
    assert {pattern: int(mb) << 20 for pattern, mb in patterns.items()} == settings.body_cap_patterns
    assert "client_max_body_size 1m;" in conf and settings.default_body_cap == 1 << 20


def test_both_processes_serve_requests(deployed):
    url, run, _ = deployed
    with httpx.Client() as client:
        for _ in range(40):
            assert client.get(url + "/api/examples").status_code == 200
    time.sleep(1.5)                                                   # the access log is flushed every second
    served = re.findall(r'"unix:[^"]*/(app\d)\.sock"', (run / "access.log").read_text())
    assert {"app1", "app2"} <= set(served), served[-20:]


def test_sigterm_stops_nginx_and_every_app_process(deployed):
    url, run, proc = deployed
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", str(run)], capture_output=True, text=True).stdout.split()
    assert left == [], left
    with pytest.raises(httpx.HTTPError):
        httpx.get(url + "/api/examples", timeout=2)
