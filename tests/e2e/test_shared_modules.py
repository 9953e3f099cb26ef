"""The shared front-end modules in Chromium: the Keras panel shows the server's code and explains every
argument, the pool page draws the API's padded_input, editors allow exactly the API's caps, and errors
are explained from their machine-readable code."""

import json
from pathlib import Path

import httpx
import pytest

from app.engine import limits

pytestmark = pytest.mark.browser

I18N = Path(__file__).resolve().parents[2] / "static/i18n"


def strings(page: str, lang: str) -> dict:
    common = json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))
    return {**common, **json.loads((I18N / f"{page}.{lang}.json").read_text(encoding="utf-8"))}


def settled(page, steps=None):
    """The API answered, the page drew it and the player knows its steps (`of N` when given)."""
    page.wait_for_function(
        "t => !document.getElementById('app').hasAttribute('aria-busy')"
        " && document.querySelector('[data-player=status]').textContent.includes(t)",
        arg=f"of {steps}" if steps else "of ")


def keras_panel(page):
    """What the panel shows: the code block's text and [(dt, dd, dd's i18n key)] of every argument."""
    code = page.inner_text("#keras pre.keras-code code")
    args = page.eval_on_selector_all(
        "#keras dl.given dt", "ds => ds.map(d => [d.textContent, d.nextElementSibling.textContent,"
        " d.nextElementSibling.dataset.key])")
    return code, args


def arg_text(arg):
    return f"{arg['layer']}({arg['name']}={arg['value']})" if arg.get("layer") else f"{arg['name']}={arg['value']}"


def check_keras(page, answer, table):
    code, shown = keras_panel(page)
    assert code == answer["keras"]["code"]  # the server's program, as it is
    assert [dt for dt, _, _ in shown] == [arg_text(a) for a in answer["keras"]["args"]]
    for dt, dd, key in shown:  # every argument explained in the page's language, none left as a key
        assert key in table and dd == table[key], (dt, key)
    if answer["keras"]["note"]:
        assert table[f"keras.note.{answer['keras']['note']}"] in page.inner_text("#keras .keras-note")


@pytest.mark.parametrize("path, endpoint, request_body, steps", [
    ("/conv", "/api/conv2d", {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
                              "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"}, 16),
    ("/conv?padding=[[2,1],[0,3]]&activation=\"relu\"&bias=[-1]", "/api/conv2d",
     {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]], "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]],
      "padding": [[2, 1], [0, 3]], "activation": "relu", "bias": [-1]}, None),
    ('/pool?mode="average"&padding="same"&strides=[1,2]', "/api/pool",
     {"input": [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]],
      "mode": "average", "pool_size": 2, "strides": [1, 2], "padding": "same"}, None),
])
def test_keras_panel_is_the_servers_code_with_every_argument_explained(web, server_url, path, endpoint,
                                                                        request_body, steps):
    page = web.goto(path)
    settled(page, steps)
    answer = httpx.post(server_url + endpoint, json=request_body, timeout=10).json()
    name = "conv" if endpoint == "/api/conv2d" else "pool"
    check_keras(page, answer, strings(name, "en"))
    if isinstance(request_body["padding"], list):  # explicit padding: ZeroPadding2D's own argument
        assert "ZeroPadding2D(padding=((2, 1), (0, 3)))" in page.inner_text("#keras dl")
        assert "ZeroPadding2D=" not in page.inner_text("#keras")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    check_keras(page, answer, strings(name, "zh-TW"))
    web.assert_clean()


def test_recurrent_keras_panel_is_the_servers_code(web, server_url):
    page = web.goto("/lstm")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent.endsWith('of 5')")
    example = next(e for e in httpx.get(server_url + "/api/examples").json()["examples"] if e["id"] == "lstm-gates")
    answer = httpx.post(server_url + "/api/lstm", json=example["request"], timeout=10).json()
    assert answer["keras"]["note"] == "hard_sigmoid_keras2"
    check_keras(page, answer, strings("lstm", "en"))
    # the lecture's other parameters, left at Keras' defaults, are still explained
    defaults = page.eval_on_selector_all("#keras dl.defaults dt", "ds => ds.map(d => d.textContent)")
    assert "kernel_initializer='glorot_uniform'" in defaults and "recurrent_dropout=0.0" in defaults
    web.assert_clean()


def test_keras_code_scrolls_sideways_on_a_phone(phone):
    page = phone.goto("/conv?padding=\"full\"")
    settled(page)
    pre = page.locator("#keras pre.keras-code")
    assert pre.get_attribute("tabindex") == "0"  # reachable by keyboard to scroll
    assert page.evaluate("getComputedStyle(document.querySelector('#keras pre')).overflowX") == "auto"
    assert page.evaluate("(p => p.scrollWidth > p.clientWidth)(document.querySelector('#keras pre'))")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the code scrolls, not the page
    phone.assert_clean()


def test_pool_page_draws_the_apis_padded_input(web, server_url):
    page = web.goto('/pool?mode="average"&padding="same"&input=[[1,2,3],[4,5,6],[7,8,9]]')
    settled(page)
    answer = httpx.post(server_url + "/api/pool", json={
        "input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "mode": "average", "padding": "same"}, timeout=10).json()
    pi = answer["padded_input"]
    assert any(v is None for row in pi for v in row)  # 'same' with a 2×2 window pads a row and a column
    shown = page.eval_on_selector_all(
        "#padded .mrow", "rs => rs.map(r => [...r.querySelectorAll('.cell')].map("
        "c => c.classList.contains('pad') ? null : Number(c.dataset.value)))")
    assert shown == pi
    web.assert_clean()


def test_editors_allow_exactly_the_apis_caps(web, server_url):
    page = web.goto("/conv")
    settled(page, 16)
    cap = limits.page_limits()["conv"]
    assert page.get_attribute("#in-rows", "max") == str(cap["max_hw"]) == "64"
    assert page.get_attribute("#k-rows", "max") == str(cap["max_k"]) == "11"
    assert page.locator("#channels option").count() == cap["max_c"]
    assert page.locator("#filters option").count() == cap["max_f"]
    assert page.get_attribute("#pad-top", "max") == str(cap["max_pad"])
    # a 3 × 64 input typed as text is taken whole and computed by the API
    wide = [[(r * 64 + c) % 7 for c in range(64)] for r in range(3)]
    page.click("#in-editor ~ details summary")
    page.fill("#in-text", "\n".join(" ".join(map(str, row)) for row in wide))
    page.click("#in-apply")
    settled(page, 3 * 64)
    assert page.input_value("#in-cols") == "64"
    assert page.locator("#in-editor input").count() == 3 * 64
    assert page.locator("#padded .mrow").first.locator(".cell").count() == 66  # 'same' pads one a side
    # one more column than the API takes is cut, and the editor says so
    page.fill("#in-text", "\n".join(" ".join(["1"] * 65) for _ in range(2)))
    page.click("#in-apply")
    page.wait_for_selector("#in-editor .medit-msg:not([hidden])")
    assert "64" in page.inner_text("#in-editor .medit-msg")
    settled(page, 2 * 64)
    assert page.input_value("#in-cols") == "64"
    # an 11 × 11 kernel fits the kernel editor
    page.fill("#k-rows", "11")
    page.dispatch_event("#k-rows", "change")
    page.fill("#k-cols", "11")
    page.dispatch_event("#k-cols", "change")
    settled(page)
    assert page.locator("#k-editor input").count() == 121
    assert "kernel_size=(11, 11)" in page.inner_text("#keras")
    web.assert_clean()


def test_pool_and_recurrent_editors_allow_the_apis_caps(web):
    page = web.goto("/pool")
    settled(page, 4)
    assert page.get_attribute("#pool-r", "max") == str(limits.CONV_MAX_K)
    assert page.get_attribute("#stride-r", "max") == str(limits.CONV_MAX_STRIDE)
    assert page.get_attribute("#in-cols", "max") == str(limits.CONV_MAX_HW)
    page = web.goto("/rnn")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent.endsWith('of 3')")
    assert page.get_attribute("#units", "max") == str(limits.RNN_MAX_U)
    # T = RNN_MAX_T steps: too many fields for a table, so the editor says why and offers the text box
    rows = "\n".join("1 0 0 1" for _ in range(limits.RNN_MAX_T + 1))
    page.click("#ed-inputs ~ details summary")
    page.fill("#ed-inputs-text", rows)
    page.click("#ed-inputs-apply")
    page.wait_for_function(
        "t => document.querySelector('[data-player=status]').textContent.endsWith(t)", arg=f"of {limits.RNN_MAX_T}")
    msg = page.inner_text("#ed-inputs .medit-msg")
    assert "text" in msg and page.locator("#ed-inputs table").is_hidden()
    web.assert_clean()


@pytest.mark.parametrize("code, expected", [
    ("kernel_too_large", "error.code.kernel_too_large"),
    ("strides_with_dilation", "error.code.strides_with_dilation"),
    ("something_new", None),
])
def test_an_error_is_explained_from_its_code_not_its_text(web, code, expected):
    """The API's rule text is replaced by nonsense: the page must choose its words by the code alone."""
    page = web.goto("/conv")
    settled(page, 16)
    body = {"error": {"status": 422, "code": code, "field": "kernel", "rule": "zzz", "message": "kernel: zzz"}}
    page.route("**/api/conv2d", lambda route: route.fulfill(status=422, json=body))
    page.fill("#stride-r", "2")
    page.dispatch_event("#stride-r", "change")
    page.wait_for_selector("#error:not([hidden])")
    table = strings("conv", "en")
    text = page.inner_text("#error")
    assert table["error.title"] in text and "zzz" in text
    if expected:
        assert table[expected] in text
    else:
        assert table["error.generic"].replace("{field}", "kernel") in text
    assert page.locator("#stage-grids").is_hidden()
    assert table["keras.none"] in page.inner_text("#keras")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    if expected:
        assert strings("conv", "zh-TW")[expected] in page.inner_text("#error")
    web.errors = [e for e in web.errors if "status of 422" not in e]
    web.assert_clean()


def test_url_state_pushes_choices_replaces_edits_and_restores_on_back(web):
    """lib/url.js: writeState(..., {push: true}) makes a history entry (a choice), without it the entry on screen
    changes (an edit); Back and Forward call the restorer registered for the keys that changed, reload the page
    when another key changed, and do nothing when only the #fragment did."""
    page = web.goto("/")                                    # the home page keeps no state in its URL
    url = "window.__url"

    def step(js):
        return page.evaluate(f"async () => {{ {url} ??= await import('/static/js/lib/url.js'); {js} }}")

    step("window.__restored = []; __url.onUrlChange(['a', 'b'], () => __restored.push(location.search));"
         " window.__loaded = 1;")
    n = page.evaluate("history.length")
    step("__url.writeState({a: 1}, {a: 0})")                # an edit: no entry
    assert page.evaluate("[history.length, location.search]") == [n, "?a=1"]
    step("__url.writeState({a: 2}, {a: 0}, {push: true})")  # a choice: an entry
    step("__url.writeState({a: 2}, {a: 0}, {push: true})")  # ... but not a second one for the same URL
    step("__url.writeState({b: [1, 2]}, {})")               # an edit there
    assert page.evaluate("[history.length, location.search]") == [n + 1, "?a=2&b=[1,2]"]
    page.go_back()
    page.wait_for_function("() => __restored.length === 1")
    assert page.evaluate("[location.search, __restored, __loaded]") == ["?a=1", ["?a=1"], 1]
    page.go_forward()
    page.wait_for_function("() => __restored.length === 2")
    assert page.evaluate("__restored[1]") == "?a=2&b=[1,2]"
    page.evaluate("location.hash = 'cards-h'")              # an anchor: an entry, the same state
    page.go_back()
    page.wait_for_function("() => location.hash === ''")
    assert page.evaluate("[__restored.length, __loaded]") == [2, 1]
    step("__url.writeState({c: 1}, {}, {push: true})")      # a key no restorer knows: Back loads the page again
    page.go_back()
    page.wait_for_function("() => window.__loaded === undefined")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("location.search") == "?a=2&b=[1,2]"
    web.assert_clean()
