"""Lesson links in Chromium: ?hide= takes out exactly the named panels of every page, ?embed=1 shows a page
without the site header, navigation and footer and may be framed by an origin in FRAME_ANCESTORS (a parent
page served from another localhost port) but not by any other; "copy link to this step" copies the URL with
the page's state, through the clipboard or, without the clipboard API, by selecting the link in a field."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.servers import app_server

pytestmark = pytest.mark.browser

I18N = Path(__file__).resolve().parents[2] / "static/i18n"
STRINGS = {lang: json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("en", "zh-TW")}

# Every page's panels by the name ?hide= takes (the README lists them): (URL, ready when, names shown, names of
# the page's other state, not shown in this one).
NUMBERS = ["intro", "stage", "player", "formula", "padded", "detail", "output", "settings", "editors", "input",
           "kernel", "size", "keras"]
PICTURE = ["intro", "picture-source", "picture-kernel", "picture-stage"]
PANELS = {
    "home": ("/", "#conv-preview[data-step]", ["intro", "cards"]),
    "conv": ("/conv", "#facts:not(:empty)", NUMBERS, PICTURE),
    "conv-picture": ("/conv?mode=picture", "#pic-formula-0", PICTURE, NUMBERS),
    "backprop": ("/backprop", "#formula:not(:empty)", ["intro", "pick", "stage", "player", "formula", "forward",
                                                       "backward", "settings", "why", "editors", "input", "kernel",
                                                       "gradient"]),
    "pool": ("/pool", "#facts:not(:empty)", ["intro", "stage", "player", "formula", "padded", "detail", "output",
                                              "settings", "editors", "input", "size", "keras"]),
    "rnn": ("/rnn", ".ucol.current", ["intro", "stage", "player", "unrolled", "net", "formula", "settings", "story",
                                      "compare", "editors", "inputs", "weights", "sensitivity", "keras"]),
    "lstm": ("/lstm", "#memory-now:not(:empty)", ["intro", "stage", "player", "cell", "meters", "formula", "settings",
                                                  "heatmap", "plot", "table", "editors", "inputs", "weights",
                                                  "sensitivity", "demo", "keras"]),
    "activations": ("/activations", "#readout .rx .num", ["intro", "picker", "plot", "uses"], ["softmax"]),
    "activations-softmax": ("/activations?fn=softmax", "#softmax-table td", ["intro", "picker", "softmax", "uses"],
                            ["plot"]),
    "draw": ("/draw?sample=3", ".answer-panel[aria-busy=false] #bars li",
             ["intro", "pad", "samples", "upload", "answer", "sees", "maps", "model"]),
    "architectures": ("/architectures", "#layers [role=option]",
                      ["intro", "pick", "totals", "diagram", "layers", "detail", "largest", "own"]),
    "model": ("/model", "#drop", ["intro", "load"], ["summary", "input", "output", "layers", "player"]),
}

# For each named element: its name, whether it is shown, and whether a named ancestor is hidden by ?hide=.
PANEL_STATES = """() => [...document.querySelectorAll("[data-panel]")].map((el) => ({
  name: el.dataset.panel,
  shown: el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden",
  inside_off: Boolean(el.parentElement.closest("[data-off]")),
}))"""


def goto(watch, path, query):
    page = watch.goto(f"{path}{'&' if '?' in path else '?'}{query}")
    return page


@pytest.mark.parametrize("name", list(PANELS))
def test_hide_takes_out_exactly_the_named_panels(web, name):
    path, ready, names, *other = PANELS[name]
    other = set(other[0] if other else []) - set(names)
    page = web.goto(path)
    page.wait_for_selector(ready, timeout=20000)
    states = page.evaluate(PANEL_STATES)
    assert {s["name"] for s in states} == set(names) | other                    # the documented names, no more
    states = [s for s in states if s["name"] in names]
    assert all(s["shown"] for s in states), [s for s in states if not s["shown"]]
    for hidden, kept in ((names[0::2], names[1::2]), (names[1::2], names[0::2])):
        page = goto(web, path, "hide=" + ",".join(hidden) + ",no-such-panel")
        page.wait_for_selector(ready, state="attached", timeout=20000)
        states = [s for s in page.evaluate(PANEL_STATES) if s["name"] in names]
        for s in states:
            if s["name"] in hidden:
                assert not s["shown"], (hidden, s)
            elif not s["inside_off"]:
                assert s["shown"], (hidden, s)                                   # the rest stays
        assert {s["name"] for s in states if s["name"] in kept and s["shown"]}, kept
    web.assert_clean()


def test_a_slide_view_embeds_one_animation_without_the_site(web):
    page = web.goto("/lstm?embed=1&present=1&lang=zh-TW&step=3&hide=intro,settings,formula,heatmap,plot,table,"
                    "editors,sensitivity,keras")
    page.wait_for_selector("#memory-now:not(:empty)")
    assert page.locator(".site-header, nav.nav, .site-footer, #lang-toggle, #present-toggle").count() == 0
    assert page.inner_text("[data-player=status]") == "第 4 步，共 5 步" and page.inner_text("#hidden-now") == "7"
    assert page.locator("#cell svg[role=img]").is_visible() and page.locator("#meters").is_visible()
    assert not page.locator("[data-panel=keras]").is_visible() and not page.locator("#formulas").is_visible()
    page.keyboard.press("ArrowRight")                                           # the player's keys still work
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent === '第 5 步，共 5 步'")
    page.keyboard.press("?")                                                    # and the shortcuts' list
    assert page.locator("dialog.keys-dialog").is_visible()
    web.assert_clean()


@pytest.mark.parametrize("start,link,lands", [
    ("/?embed=1", "#card-pool a[href='/pool']", "/pool"),                     # the home page's cards
    ("/conv?embed=1&lang=zh-TW", "a[href='/backprop']", "/backprop"),          # a page's own link
    ("/rnn?embed=1", "a[href='/lstm#demo-h']", "/lstm"),                      # with a fragment
])
def test_an_embedded_pages_links_stay_embedded(web, start, link, lands):
    page = web.goto(start)
    page.locator(link).first.click()
    page.wait_for_function("p => location.pathname === p", arg=lands)
    page.wait_for_load_state("load")
    url = page.evaluate("location.href")
    assert "embed=1" in url and page.locator(".site-header, nav.nav, .site-footer").count() == 0, url
    assert page.evaluate("document.documentElement.classList.contains('embed')")
    web.assert_clean()


def test_a_page_that_is_not_embedded_keeps_its_links_as_they_are(web):
    page = web.goto("/conv")
    page.locator("a[href='/backprop']").first.click()
    page.wait_for_function("() => location.pathname === '/backprop'")
    assert "embed" not in page.evaluate("location.href")
    assert page.locator("nav.nav").count() == 1
    web.assert_clean()


@contextlib.contextmanager
def parent_site(content: dict):
    """A tiny course site on another localhost port, serving content["html"] (filled in later): -> its URL."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = content["html"].encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_embedded_page_can_be_framed_by_an_allowed_origin_only(browser):
    frame_html = ('<!doctype html><html lang="en"><title>Lesson</title><h1>Week 3</h1>'
                  '<iframe id="lesson" title="Convolution" width="1100" height="700" src="{src}"></iframe>')
    content = {"html": ""}
    with parent_site(content) as allowed, parent_site(content) as other:
        with app_server(env={"FRAME_ANCESTORS": f"{allowed} https://slides.example.com"}) as (app, _):
            content["html"] = frame_html.format(src=app + "/conv?embed=1&step=5")
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            try:
                page = context.new_page()
                messages = []
                page.on("console", lambda m: messages.append(m.text))

                page.goto(allowed + "/")
                frame = page.frame_locator("#lesson")
                frame.locator("#facts:not(:empty)").wait_for(timeout=20000)
                assert frame.locator(".site-header, nav.nav, .site-footer").count() == 0
                assert "19" in frame.locator("#formula").inner_text()              # a₁₁ = 19 in the slide
                frame.locator("[data-player=forward]").click()
                frame.locator("[data-player=status]").filter(has_text="7 of").wait_for()
                assert not any("frame-ancestors" in m for m in messages), messages

                page.goto(other + "/")
                page.wait_for_load_state("load")
                page.wait_for_function("() => document.querySelector('#lesson') !== null")
                page.wait_for_timeout(500)
                child = next(f for f in page.frames if f != page.main_frame)
                assert child.url.startswith("chrome-error://") or child.url == "about:blank", child.url
                assert frame.locator("#app").count() == 0
                assert any("frame-ancestors" in m for m in messages), messages
            finally:
                context.close()


def copy_and_check(page, lang, live):
    page.click("[data-copy-link] button")
    page.wait_for_function("t => document.getElementById('live').textContent === t", arg=live)


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_copy_link_to_this_step_puts_the_url_with_its_state_on_the_clipboard(browser, server_url, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{server_url}/rnn?lang={lang}")
        page.wait_for_selector(".ucol.current")
        page.click("[data-player=forward]")
        page.wait_for_selector(".ucol.current[data-t='1']")
        assert page.inner_text("[data-copy-link] button") == STRINGS[lang]["link.copy"]
        copy_and_check(page, lang, STRINGS[lang]["link.copied"])
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.evaluate("location.href") and "step=1" in copied
        assert page.locator("[data-copy-link] input").is_hidden()
        assert page.inner_text(".copy-link-note") == STRINGS[lang]["link.copied"]

        other = context.new_page()                                               # the link opens that step
        other.goto(copied)
        other.wait_for_selector(".ucol.current[data-t='1']")
        assert other.inner_text("#formulas").count("= 7") >= 1                   # h₂[1] = 7, the lecture's
    finally:
        context.close()


def test_copy_link_without_the_clipboard_api_selects_the_link_in_a_field(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    try:
        page = context.new_page()
        page.goto(f"{server_url}/conv?step=5")
        page.wait_for_selector("#facts:not(:empty)")
        page.click(".player [data-copy-link] button")
        field = page.locator(".player [data-copy-link] input")
        field.wait_for()
        assert field.input_value() == page.evaluate("location.href") and "step=5" in page.evaluate("location.href")
        assert page.evaluate("document.activeElement === document.querySelector('.player [data-copy-link] input')")
        here = page.evaluate("location.href")
        assert page.evaluate("(() => { const f = document.querySelector('.player [data-copy-link] input');"
                             " return [f.selectionStart, f.selectionEnd]; })()") == [0, len(here)]
        assert page.inner_text("#live") in (STRINGS["en"]["link.copied"], STRINGS["en"]["link.select"])
        assert field.get_attribute("aria-label") == STRINGS["en"]["link.field"]
    finally:
        context.close()


@pytest.mark.parametrize("path, ready, key", [("/conv", "#facts:not(:empty)", "link.copy"),
                                              ("/pool", "#facts:not(:empty)", "link.copy"),
                                              ("/lstm", "#memory-now:not(:empty)", "link.copy"),
                                              ("/conv?mode=picture", "#pic-formula-0", "link.copy_view"),
                                              ("/backprop", "#formula:not(:empty)", "link.copy"),
                                              ("/activations", "#readout .rx .num", "link.copy_view"),
                                              ("/draw?sample=2", "#bars li", "link.copy_view"),
                                              ("/architectures?net=lenet5", "#layers [role=option]", "link.copy_view")])
def test_every_explainer_has_a_copy_link_button(web, path, ready, key):
    page = goto(web, path, "lang=zh-TW")
    page.wait_for_selector(ready, timeout=20000)
    button = page.locator("[data-copy-link] button:visible")                    # one (the other mode's is hidden)
    assert button.count() == 1 and button.inner_text() == STRINGS["zh-TW"][key]
    page.click("#lang-toggle")
    expect(button).to_have_text(STRINGS["en"][key])
    web.assert_clean()


def test_a_lesson_links_language_stays_for_the_pages_it_leads_to(web):
    """A newcomer review: with the browser in English, /?lang=zh-TW showed Chinese, but its cards and menu (plain
    /conv, /pool) opened in English: only the 中文 button remembered the choice. A ?lang= is remembered too, and a
    later ?lang=en link switches back."""
    page = web.goto("/?lang=zh-TW")
    page.locator("#card-pool a[href='/pool']").first.click()
    page.wait_for_function("() => location.pathname === '/pool'")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == "zh-TW"
    assert page.locator("#lang-toggle").inner_text() == STRINGS["zh-TW"]["lang.switch"]   # "English"
    page = web.goto("/conv?lang=en")
    page.locator("a[href='/backprop']").first.click()
    page.wait_for_function("() => location.pathname === '/backprop'")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == "en"
    web.assert_clean()
