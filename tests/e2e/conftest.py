"""Browser tests: the real server as a subprocess on a free port, driven by Playwright in Debian's Chromium.

They skip only when no Chromium exists and REQUIRE_BROWSER is unset; with REQUIRE_BROWSER=1 a missing
browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.servers import app_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def server_url():
    with app_server() as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but no Chromium at {CHROMIUM}")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


class PageWatch:
    """A page that records console errors and every request that leaves localhost."""

    def __init__(self, page, base):
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, req):
        host = urlparse(req.url).hostname
        if req.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            return
        self.outside.append(req.url)

    def goto(self, path: str):
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def assert_clean(self):
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.outside, f"requests left localhost: {self.outside}"


def _watch(browser, server_url, **context_args):
    context = browser.new_context(**context_args)
    page = context.new_page()
    watch = PageWatch(page, server_url)
    return context, watch


@pytest.fixture
def web(browser, server_url):
    """A fresh desktop page (1280×800, English) with console / network watching."""
    context, watch = _watch(browser, server_url, viewport={"width": 1280, "height": 800}, locale="en-US")
    yield watch
    context.close()


@pytest.fixture
def phone(browser, server_url):
    """A 360 px wide touch screen."""
    context, watch = _watch(browser, server_url, viewport={"width": 360, "height": 740}, has_touch=True,
                            is_mobile=True, device_scale_factor=2, locale="en-US")
    yield watch
    context.close()
