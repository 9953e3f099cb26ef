"""The shared layout: navigation, language toggle, 404, docs, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e import walk

pytestmark = pytest.mark.browser

# The header's row: the brand, the navigation's links, the language and presenter toggles (and each link on its
# own), whether they all share one row, and the header's height against one row's (the tallest item + padding).
HEADER_ROW = """() => {
  const nav = document.querySelector('.site-header .nav');
  const items = [...nav.children, ...nav.querySelectorAll('.nav-links > li')]
    .filter((e) => e.getBoundingClientRect().width);
  const boxes = items.map((e) => e.getBoundingClientRect()), style = getComputedStyle(nav);
  const row = Math.max(...boxes.map((b) => b.height)) + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
  return {items: items.length, shared: Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom)),
          header: document.querySelector('.site-header').getBoundingClientRect().height, row,
          left: Math.min(...boxes.map((b) => b.left)), right: Math.max(...boxes.map((b) => b.right)),
          width: innerWidth};
}"""


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


@pytest.mark.parametrize("width", [360, 1280])
def test_docs_header_fits_the_screen(browser, server_url, width):
    """The way back to every page: each link on one line and on screen, nothing wider than a phone or a projector."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(server_url + "/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15000)
        links = page.evaluate("""() => [...document.querySelectorAll('.docs-back a')].map((a) => {
          const b = a.getBoundingClientRect();
          return {text: a.textContent, left: b.left, right: b.right, lines: a.getClientRects().length,
                  height: b.height, line: parseFloat(getComputedStyle(a).lineHeight) || 20};
        })""")
        assert len(links) == 10 and page.evaluate("document.scrollingElement.scrollWidth") <= width
        for a in links:  # whole: not wrapped onto a second line, not past the screen's edge
            assert a["left"] >= 0 and a["right"] <= width and a["lines"] == 1 and a["height"] < 2 * a["line"], a
        assert page.evaluate("getComputedStyle(document.querySelector('.docs-back a')).fontSize") == "15px"
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_header_is_one_line_at_1280(web, server_url, lang):
    """At 1280×800 the header (brand, every link, both toggles) is one row on every page of the navigation, in
    and outside presenter mode (the phone's rows: tests/e2e/test_issue13_pages.py)."""
    pages = walk.nav_pages(server_url)
    links = len(pages)                                            # the navigation's pages but home, and the API
    for name, path in pages.items():
        for present in ("0", "1"):
            page = web.goto(f"{path}?lang={lang}&present={present}")
            row = page.evaluate(HEADER_ROW)
            where = (name, lang, present, row)
            assert row["items"] == 4 + links, where                   # brand, links, language, presenter mode
            assert row["shared"] and row["header"] <= row["row"] + 1, where
            assert row["left"] >= 0 and row["right"] <= row["width"], where
    web.assert_clean()
