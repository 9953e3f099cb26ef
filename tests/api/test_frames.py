"""Who may frame what (lesson links: ?embed=1 in an iframe of a course site or slides): the pages, by the app
itself and the FRAME_ANCESTORS origins; the API, the docs, files and the 404 page, by nobody. The pages'
?present=, ?embed= and ?hide= as the server renders them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.config import frame_origins, settings
from app.main import create_app
from app.middleware import security_headers
from app.pages import PAGES

PAGE_PATHS = [path for path, _ in PAGES.values()]
NOT_PAGES = ["/api/examples", "/openapi.json", "/docs", "/static/css/app.css", "/no-such-page"]


def frame_headers(r) -> tuple[str, str | None]:
    csp = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    return csp["frame-ancestors"], r.headers.get("x-frame-options")


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_pages_may_be_framed_by_the_app_itself_by_default(client, path):
    assert frame_headers(client.get(path)) == ("'self'", "SAMEORIGIN")
    assert frame_headers(client.head(path)) == ("'self'", "SAMEORIGIN")


@pytest.mark.parametrize("path", NOT_PAGES)
def test_everything_else_may_not_be_framed(client, path):
    assert frame_headers(client.get(path)) == ("'none'", "DENY")


def test_configured_origins_may_frame_the_pages_only(monkeypatch):
    monkeypatch.setattr(settings, "frame_ancestors", frame_origins(
        "https://course.example.edu, https://slides.example.com/ http://127.0.0.1:8123"))
    with TestClient(create_app()) as c:
        for path in PAGE_PATHS:
            ancestors, frame_options = frame_headers(c.get(path + "?embed=1"))
            assert ancestors == "'self' https://course.example.edu https://slides.example.com http://127.0.0.1:8123"
            assert frame_options is None, path    # X-Frame-Options cannot name them: left out, CSP decides
        for path in NOT_PAGES:
            assert frame_headers(c.get(path)) == ("'none'", "DENY"), path
        refused = c.post("/api/conv2d", json={"input": "x"})
        assert refused.status_code == 422 and frame_headers(refused) == ("'none'", "DENY")


def test_frame_ancestors_none_forbids_frames_everywhere(monkeypatch):
    monkeypatch.setattr(settings, "frame_ancestors", frame_origins("'none'"))
    assert dict(security_headers("/conv"))[b"x-frame-options"] == b"DENY"
    assert dict(security_headers("/conv"))[b"content-security-policy"].endswith(b"frame-ancestors 'none'")


def test_the_nginx_file_headers_stay_unframable(monkeypatch):
    """deploy/nginx/run.sh writes security_headers("/static") into nginx's config for the files it serves."""
    monkeypatch.setattr(settings, "frame_ancestors", ["https://course.example.edu"])
    headers = dict(security_headers("/static"))
    assert headers[b"x-frame-options"] == b"DENY" and b"course.example.edu" not in headers[b"content-security-policy"]


@pytest.mark.parametrize("text, origins", [
    ("", []), ("  ", []), ("'self'", []),
    ("https://course.example.edu https://slides.example.com", ["https://course.example.edu", "https://slides.example.com"]),
    ("https://a.example,https://b.example:8443/", ["https://a.example", "https://b.example:8443"]),
    ("https://*.example.edu http://[::1]:8000 http://localhost:*", ["https://*.example.edu", "http://[::1]:8000",
                                                                   "http://localhost:*"]),
    ("'self' 'none'", ["'none'"]),
])
def test_frame_origins_reads_the_environment_variable(text, origins):
    assert frame_origins(text) == origins


@pytest.mark.parametrize("text", [
    "course.example.edu", "https://course.example.edu/lesson", "https://a.example;script-src *", "*",
    "https://a.example'", "'unsafe-inline'", "javascript:alert(1)", "https://", "ftp://a.example", "'none' https://a.example",
    "https://a.example\nX-Evil: 1",
])
def test_frame_origins_refuses_anything_but_origins(text):
    with pytest.raises(ValueError, match="FRAME_ANCESTORS"):
        frame_origins(text)


def html_class(html: str) -> set[str]:
    m = re.search(r'<html lang="[^"]+"(?: class="([^"]*)")?>', html)
    return set((m.group(1) or "").split())


def test_present_embed_and_hide_as_the_server_renders_them(client):
    plain = client.get("/conv").text
    assert html_class(plain) == set() and '<header class="site-header">' in plain and "site-footer" in plain
    assert 'data-panel="settings" aria-labelledby' in plain and "data-off" not in plain

    shown = client.get("/conv?present=1&embed=1&hide=settings,keras,nonsense,<b>,Keras").text
    assert html_class(shown) == {"present", "embed"}
    assert "site-header" not in shown and "site-footer" not in shown and 'class="nav' not in shown
    assert shown.count("data-off") == 2
    assert 'data-panel="settings" data-off' in shown and 'data-panel="keras" data-off' in shown
    assert 'data-panel="stage" aria-labelledby' in shown and "<b>" not in shown.split("</header>")[0]
    assert 'id="present-toggle"' not in shown                            # the toggle lives in the header

    toggle = re.search(r'<button[^>]*id="present-toggle"[^>]*>', client.get("/lstm?present=1").text).group(0)
    assert 'aria-pressed="true"' in toggle
    assert html_class(client.get("/draw?embed=true").text) == set()      # only embed=1 embeds
    with TestClient(create_app(), cookies={"present": "1"}) as remembered:   # the cookie the toggle sets
        assert html_class(remembered.get("/rnn").text) == {"present"}
        assert html_class(remembered.get("/rnn?present=0").text) == set()  # the URL wins
