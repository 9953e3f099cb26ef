"""The shared layout: navigation, language toggle, 404, docs, in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_language_toggle_relabels_and_is_remembered(web):
    page = web.goto("/conv")
    assert page.locator(".nav-links a[href='/conv']").inner_text() == "Convolution"
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    assert page.locator(".nav-links a[href='/conv']").inner_text() == "卷積層"
    assert page.locator("#lang-toggle").inner_text() == "English"
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-TW"  # the cookie told the server
    assert page.locator(".nav-links a[href='/pool']").inner_text() == "池化層"
    web.assert_clean()


def test_404_page_in_layout(web):
    response = web.page.goto(web.base + "/no/such/page")
    assert response.status == 404
    assert web.page.locator("nav .nav-links").count() == 1
    assert web.page.locator("h1").inner_text() == "Page not found"


def test_docs_work_offline(web):
    page = web.goto("/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/conv2d" in p for p in paths)
    assert not web.outside, web.outside
