"""The /architectures page in a real browser: networks, totals, the selected layer's arithmetic, conv links."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from playwright.sync_api import expect

from app.pages import strings

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EN, ZH = strings("en", "architectures"), strings("zh-TW", "architectures")  # the common dictionary and the page's
CJK = re.compile(r"[\u4e00-\u9fff]")


def selected(page):
    return page.locator("#layers [aria-selected=true] .name").inner_text()


def link_query(page) -> dict:
    url = urlparse(page.locator("#conv-link").get_attribute("href"))
    assert url.path == "/conv"
    return {k: json.loads(v[0]) for k, v in parse_qs(url.query).items()}


def open_net(web, query):
    page = web.goto(f"/architectures?{query}")
    page.wait_for_selector("#layers [aria-selected=true]")
    return page


def test_loads_clean_with_lenet_by_default(web):
    page = open_net(web, "")
    assert page.locator("#net").input_value() == "lenet5"
    assert page.locator("#total-params").inner_text() == "61,706"
    assert page.locator("#net option").count() >= 5
    assert page.locator("#layers [role=option]").count() == 8
    assert page.title().startswith("Architectures")
    web.assert_clean()


@pytest.mark.parametrize(("net", "total", "extra_label", "extra"), [
    ("vgg16", "138,357,544", "Non-trainable", "0"),
    ("resnet50", "25,636,712", "Non-trainable", "53,120"),
    ("googlenet", "6,624,904", "Buffers (not parameters)", "14,560"),
    ("alexnet", "61,100,840", "Buffers (not parameters)", "0"),
])
def test_switching_networks_shows_their_totals(web, net, total, extra_label, extra):
    page = open_net(web, "")
    page.select_option("#net", net)
    expect(page.locator("#total-params")).to_have_text(total)
    assert page.locator("#extra-label").inner_text() == extra_label
    assert page.locator("#extra").inner_text() == extra
    assert f"net={net}" in page.evaluate("location.href")
    web.assert_clean()


def test_selecting_a_conv_layer_shows_its_arithmetic_and_announces_it(web):
    page = open_net(web, "net=vgg16")
    page.locator("#layer-3").click()
    assert selected(page) == "block2_conv1"
    assert page.locator("#params-formula").inner_text() == "3·3·64·128 + 128 = 73,856"
    assert "112·112·128 · 3·3·64 = 924,844,032" in page.locator("#detail").inner_text()
    assert "block2_conv1" in page.locator("#live").inner_text()
    assert "layer=3" in page.evaluate("location.href")
    web.assert_clean()


def test_keyboard_moves_through_the_layers(web):
    page = open_net(web, "net=resnet50")
    page.locator("#layers").focus()
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    assert selected(page) == "pool1_pool"
    assert page.locator("#layers").get_attribute("aria-activedescendant") == "layer-5"
    page.keyboard.press("End")
    assert selected(page) == "predictions"
    assert page.locator("#params-formula").inner_text() == "2,048·1,000 + 1,000 = 2,049,000"
    page.keyboard.press("Home")
    assert selected(page) == "conv1_pad"
    page.keyboard.press("PageDown")
    assert page.locator("#layers").get_attribute("aria-activedescendant") == "layer-10"
    web.assert_clean()


def test_conv_link_carries_the_layers_kernel_stride_and_padding(web):
    page = open_net(web, "net=alexnet&layer=0")
    q = link_query(page)
    assert (len(q["kernel"]), len(q["kernel"][0])) == (11, 11)
    assert q["strides"] == [4, 4] and q["padding"] == 2
    assert len(q["input"]) == 12 and len(q["input"][0]) == 12
    page = open_net(web, "net=vgg16&layer=3")
    q = link_query(page)
    assert q["padding"] == "same" and q["strides"] == [1, 1] and len(q["kernel"]) == 3 and len(q["input"]) == 7
    web.assert_clean()
    page.locator("#conv-link").click()
    page.wait_for_url("**/conv?**")
    assert page.locator("h1").count() == 1


def test_diagram_draws_branches_and_shortcuts_and_selects_by_click(web):
    page = open_net(web, "net=googlenet")
    assert page.locator("#diagram rect.block").count() == 9  # inception 3a, 3b, 4a–4e, 5a, 5b
    page = open_net(web, "net=resnet50")
    assert page.locator("#diagram rect.block").count() == 16
    assert page.locator("#diagram path.identity").count() == 2 * 12  # 12 identity shortcuts (fork + line each)
    page.locator('#diagram .bar[data-index="1"]').click()
    assert selected(page) == "conv1_conv"
    assert page.locator("#params-formula").inner_text() == "7·7·3·64 + 64 = 9,472"
    web.assert_clean()


def test_language_toggle_relabels_the_page(web):
    page = open_net(web, "net=resnet50&layer=2")
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    assert page.locator("h1").inner_text() == "基於CNN的架構：一層一層看"
    assert page.locator("#extra-label").inner_text() == "不可訓練參數"
    assert "可訓練 (γ, β)" in page.locator("#detail").inner_text()
    assert page.locator("#total-params").inner_text() == "25,636,712"
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("#extra-label").inner_text() == "Non-trainable"
    web.assert_clean()


def test_url_restores_the_view(web):
    page = open_net(web, "net=resnet50&layer=5")
    assert page.locator("#net").input_value() == "resnet50"
    assert selected(page) == "pool1_pool"
    page.reload()
    page.wait_for_selector("#layers [aria-selected=true]")
    assert selected(page) == "pool1_pool"
    page = open_net(web, "net=nonsense&layer=99")
    assert page.locator("#net").input_value() == "lenet5"
    bad = quote(json.dumps({"input_shape": [2, 2, 1], "layers": [{"type": "Conv2D", "filters": 1, "kernel_size": 3}]}))
    page = open_net(web, f"net=custom&own={bad}")
    assert page.locator("#net").input_value() == "lenet5"
    assert page.locator("#own-error .error-text").inner_text() == EN["error.code.invalid_request"].replace(
        "{field}", "item 1 of “layers” (layers.0)")
    assert page.locator("#own-error .error-detail").inner_text() == "Engine says: kernel 3×3 larger than the 2×2 input"
    assert [e for e in web.errors if "422" not in e] == []  # the browser logs the refused request itself
    assert not web.outside


def test_your_own_list_reports_the_first_layer_that_does_not_fit(web):
    page = open_net(web, "")
    page.locator("#own-box summary").click()
    bad = {"input_shape": [6, 6, 1], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 3},
                                                {"type": "MaxPooling2D"},
                                                {"type": "Conv2D", "filters": 2, "kernel_size": 5}]}
    page.fill("#own", json.dumps(bad))
    page.click("#own-run")
    page.wait_for_selector("#own-error:not([hidden])")
    assert "item 3 of “layers” (layers.2)" in page.locator("#own-error .error-text").inner_text()
    assert page.locator("#own-error [lang=en]").inner_text() == "kernel 5×5 larger than the 2×2 input"
    bad["layers"][2]["kernel_size"] = 2
    page.fill("#own", json.dumps(bad))
    page.click("#own-run")
    expect(page.locator("#net")).to_have_value("custom")
    assert page.locator("#total-params").inner_text() == "38"  # (3·3·1·2 + 2) + (2·2·2·2 + 2)
    assert "own=" in page.evaluate("location.href")
    page.reload()
    page.wait_for_selector("#layers [aria-selected=true]")
    assert page.locator("#net").input_value() == "custom"
    assert page.locator("#total-params").inner_text() == "38"


def test_phone_width_has_no_page_scroll(phone):
    page = phone.goto("/architectures?net=googlenet")
    page.wait_for_selector("#layers [aria-selected=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("#diagram-scroll")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the diagram scrolls inside its own box
    page.locator("#layer-3").tap()
    assert selected(page) == "conv2.conv"
    phone.assert_clean()


def test_the_reference_notes_are_in_the_pages_language(web):
    """The API's notes are English; the zh-TW page has its own for every network, and the toggle swaps them."""
    zh = json.loads((ROOT / "static/i18n/architectures.zh-TW.json").read_text(encoding="utf-8"))
    page = open_net(web, "lang=zh-TW")
    nets = page.eval_on_selector_all("#net option", "os => os.map(o => o.value)")
    assert {"lenet5", "alexnet", "vgg16", "googlenet", "resnet50"} <= set(nets)
    for net in nets:
        page.select_option("#net", net)
        want = zh[f"arch.ref.{net}"]
        page.wait_for_function("w => document.getElementById('reference').textContent.includes(w)", arg=want)
        assert "as commonly rebuilt" not in page.inner_text("#reference")
    page.select_option("#net", "lenet5")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.getElementById('reference').textContent.includes('as commonly rebuilt')")
    web.assert_clean()


# ---- errors in the page's language: a sentence for every code the endpoints can answer with, the English rule
# only as a labelled detail under it

def arch_codes():
    """/api/architectures/*: the API's own codes (app/api/errors.py: the walker's refusals are invalid_request, an
    unknown network not_found), the server's (app/middleware.py), nginx's, and the browser's (lib/api.js)."""
    from app.api.errors import CODES

    found = set(CODES.values()) | {"internal_error", "network_error", "bad_response"}
    for path in ("app/middleware.py", "deploy/nginx/nginx.conf", "app/engine/architectures/walker.py"):
        found |= set(re.findall(r'code(?:=|\\?"\s*:\s*\\?)"(\w+)"', (ROOT / path).read_text(encoding="utf-8")))
    return found


def test_every_code_has_a_sentence_in_both_languages():
    codes = arch_codes()
    assert {"invalid_request", "invalid_json", "payload_too_large", "not_found", "too_many_connections"} <= codes
    for code in sorted(codes | {"not_json", "no_description"}):  # the page's own: text that is not JSON
        assert EN.get(f"error.code.{code}"), code
        assert CJK.search(ZH.get(f"error.code.{code}", "")), code
    assert CJK.search(ZH["error.generic"]) and "{field}" in ZH["error.generic"]  # codes without a sentence
    assert "英文" in ZH["error.detail"]


def own_error(page):
    box = page.locator("#own-error")
    return {"title": box.locator("strong").inner_text(), "text": box.locator(".error-text").inner_text(),
            "label": box.locator(".error-detail").inner_text(), "rule": box.locator("[lang=en]").inner_text()}


def test_zh_bad_description_is_explained_in_chinese_then_english(web):
    bad = {"input_shape": [8, 8, 1], "layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 3},
                                                {"type": "Conv2D", "filters": 4, "kernel_size": 11}]}
    page = open_net(web, "lang=zh-TW")
    page.locator("#own-box summary").click()
    page.fill("#own", json.dumps(bad))
    page.click("#own-run")
    page.wait_for_selector("#own-error:not([hidden])")
    said = own_error(page)
    assert said["title"] == ZH["arch.own_error_title"]
    assert said["text"] == ZH["error.code.invalid_request"].replace("{field}", "「layers」的第 2 項（layers.1）")
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"layers(\.\d+)?", "", said["text"]))  # no English but the path
    assert said["label"].startswith(ZH["error.detail"]) and said["rule"] == "kernel 11×11 larger than the 6×6 input"
    assert page.locator("#live").inner_text() == said["text"]
    page.click("#lang-toggle")  # the same error, retold in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    said = own_error(page)
    assert said["title"] == EN["arch.own_error_title"]
    assert said["text"] == EN["error.code.invalid_request"].replace("{field}", "item 2 of “layers” (layers.1)")
    assert said["rule"] == "kernel 11×11 larger than the 6×6 input"
    # text that is not JSON: the page's own sentence, the browser's English words as the detail
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    page.fill("#own", '{"input_shape": [8, 8, 1], "layers": [')
    page.click("#own-run")
    page.wait_for_function("t => document.querySelector('#own-error .error-text').textContent === t",
                           arg=ZH["error.code.not_json"])
    assert own_error(page)["rule"]  # the browser's own message, kept as the detail
    assert [e for e in web.errors if "422" not in e] == []


@pytest.mark.parametrize("code", ["payload_too_large", "too_many_requests", "internal_error", "something_new"])
def test_zh_any_code_is_said_in_chinese(web, code):
    page = open_net(web, "lang=zh-TW")
    page.locator("#own-box summary").click()
    body = {"error": {"status": 422, "code": code, "field": "layers", "rule": "zzz", "message": "layers: zzz"}}
    page.route("**/api/architectures/shape", lambda route: route.fulfill(status=422, json=body))
    page.click("#own-run")
    page.wait_for_selector("#own-error:not([hidden])")
    text = own_error(page)["text"]
    want = ZH.get(f"error.code.{code}", ZH["error.generic"]).replace("{field}", "「layers」")
    assert text == want and CJK.search(text) and own_error(page)["rule"] == "zzz"
    assert [e for e in web.errors if "422" not in e] == []


def test_zh_network_failure_when_loading_a_network_is_said_in_chinese(web):
    page = open_net(web, "lang=zh-TW")
    page.route("**/api/architectures", lambda route: route.abort())
    page.reload()
    page.wait_for_selector("#error:not([hidden])")
    assert page.locator("#error strong").inner_text() == ZH["arch.load_error_title"]
    assert page.locator("#error .error-text").inner_text() == ZH["error.code.network_error"]
    assert not [e for e in web.errors if "ERR_FAILED" not in e]


DIAGRAM = """() => {
  const svg = document.querySelector('#diagram'), box = document.querySelector('#diagram-scroll');
  const labels = [...svg.querySelectorAll('.shape-label')], rects = labels.map(t => t.getBoundingClientRect());
  const frame = svg.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right + 4 && b.left < a.right + 4 && a.top < b.bottom && b.top < a.bottom;
  return {width: frame.width, room: box.clientWidth,
          sizes: labels.map(t => parseFloat(getComputedStyle(t).fontSize)), texts: labels.map(t => t.textContent),
          overlaps: rects.flatMap((a, i) => rects.slice(i + 1).filter(b => hit(a, b))).length,
          outside: rects.filter(r => r.left < frame.left - 0.5 || r.right > frame.right + 0.5
                                  || r.bottom > frame.bottom + 0.5).length};
}"""


def size_changes(client_net: dict) -> list[str]:
    """The sizes the diagram must write: each node of the trunk's output, wherever it changes."""
    out = []
    for node in client_net["tree"]:
        shape = client_net["layers"][node if isinstance(node, int) else node["merge"]]["output_shape"]
        text = f"{shape[0]}×{shape[1]}" if len(shape) == 3 else str(shape[0])
        if not out or out[-1] != text:
            out.append(text)
    return out


@pytest.mark.parametrize("net", ["lenet5", "alexnet", "vgg16", "googlenet", "resnet50", "mnist"])
@pytest.mark.parametrize("present", [0, 1])
def test_every_size_under_the_trunk_is_written_none_overlapping(web, phone, net, present):
    """GoogLeNet's 56×56 and 28×28 (and on a projector its 1000), LeNet's 10×10 at 360 px were dropped when they
    came too close to the size before; now such a size goes on another line (up to four)."""
    import urllib.request
    want = size_changes(json.load(urllib.request.urlopen(f"{web.base}/api/architectures/{net}")))
    for watch, width in ((web, 1280), (phone, 360)):
        if present and width == 360:
            continue   # presenter mode needs 700 px
        page = watch.goto(f"/architectures?net={net}&present={present}")
        page.wait_for_function("() => document.querySelector('#diagram .shape-label')")
        got = page.evaluate(DIAGRAM)
        assert got["texts"] == want, (width, got)
        assert got["overlaps"] == 0 and got["outside"] == 0, (width, got)
        watch.assert_clean()


def test_a_short_network_fills_the_projector_and_its_sizes_are_20_px(web):
    """Presenter mode draws a short network up to 4× (LeNet-5 filled a quarter of a 1280 px projector at 2×) and
    writes the sizes under the trunk at 20 px like the page's other words, none running into the next; switching
    presenter mode off draws it as before: 2× at most and 12 px sizes."""
    page = open_net(web, "net=lenet5&present=1")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_function("() => document.querySelector('#diagram .shape-label')")
    big = page.evaluate(DIAGRAM)
    assert big["width"] > 0.5 * big["room"], big
    assert big["sizes"] and set(big["sizes"]) == {20.0} and big["overlaps"] == 0, big
    assert big["texts"][:3] == ["28×28", "14×14", "10×10"], big
    page.locator("#present-toggle").click()
    page.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('#diagram .shape-label'))"
                           ".fontSize) === 12")
    small = page.evaluate(DIAGRAM)
    assert small["width"] < big["width"] / 1.9 and set(small["sizes"]) == {12.0} and small["overlaps"] == 0, small
