"""The convolution page in Chromium: the numbers it shows are the API's, and every control works."""

import json
from pathlib import Path

import httpx
import pytest

from app.engine.numbers import fmt

pytestmark = pytest.mark.browser

A11 = "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"
I18N = Path(__file__).resolve().parents[2] / "static/i18n"
EN = json.loads((I18N / "conv.en.json").read_text(encoding="utf-8"))
ZH = json.loads((I18N / "conv.zh-TW.json").read_text(encoding="utf-8"))


def ready(page, steps=None):
    """Wait until the API answered and the player knows its steps."""
    expected = f"of {steps}" if steps else "of "
    page.wait_for_function(
        "t => !document.getElementById('app').hasAttribute('aria-busy')"
        " && document.querySelector('[data-player=status]').textContent.includes(t)", arg=expected)


def output_texts(page):
    return page.eval_on_selector_all(
        "#output .mgrid", "gs => gs.map(g => [...g.querySelectorAll('.mrow')].map("
        "r => [...r.querySelectorAll('.cell')].map(c => c.textContent)))")


def blur(page):
    """Move focus off a form field, so the page-wide player keys apply."""
    page.evaluate("document.activeElement.blur()")


def api(server_url, path, body):
    return httpx.post(server_url + path, json=body, timeout=10).json()


def conv_examples(server_url):
    data = httpx.get(server_url + "/api/examples", timeout=10).json()["examples"]
    return [e for e in data if e["endpoint"] == "/api/conv2d"]


def test_padding_example_click_a11_shows_the_lecture_formula(web):
    page = web.goto("/conv")
    ready(page, 16)
    page.click("#output .cell[data-r='1'][data-c='1']")
    page.wait_for_function("f => document.getElementById('formula').textContent === f", arg=A11)
    assert "a₁₁ = 19" in page.inner_text("#facts")
    assert page.inner_text("[data-player=status]") == "Step 6 of 16"
    # the window sits on padded rows 1..3, cols 1..3, with the kernel's weights over it
    window = page.eval_on_selector_all("#padded .cell.win", "cs => cs.map(c => [+c.dataset.r, +c.dataset.c])")
    assert sorted(window) == [[r, c] for r in (1, 2, 3) for c in (1, 2, 3)]
    # the weight as the slide's subscript (issue 13; was "×3")
    assert page.inner_text("#padded .cell[data-r='1'][data-c='3'] .w") == "3"
    assert "top 1, bottom 1" in page.inner_text("#size-pads")
    assert page.inner_text("#size-rows") == "o_rows = ⌊(4 + 1 + 1 − 1·(3 − 1) − 1) / 1⌋ + 1 = 4"
    assert page.locator("#live").inner_text().endswith(A11)
    web.assert_clean()


def test_stepping_through_the_lecture_examples_shows_the_api_numbers(web, server_url):
    page = web.goto("/conv")
    ready(page)
    for example in conv_examples(server_url):
        page.select_option("#preset", example["id"])
        blur(page)
        expected = api(server_url, "/api/conv2d", example["request"])
        n = len(expected["steps"])
        ready(page, n)
        # the padding example opens at the slide's step, a₁₁ = 19 (issue 13); the others at their first step
        first = 6 if example["id"] == "conv-padding" else 1
        assert page.inner_text("[data-player=status]") == f"Step {first} of {n}"
        assert all(c == "" for row in output_texts(page)[0][2:] for c in row)  # later cells are still empty
        page.keyboard.press("Home")
        for i in range(1, n):
            page.keyboard.press("ArrowRight")
            step = expected["steps"][i - 1]  # the previous cell is filled once we moved on
            r, c = step["index"]
            cell = page.locator(f"#output .cell[data-r='{r}'][data-c='{c}']")
            assert cell.inner_text() == fmt(step["value"], 2)
        page.keyboard.press("End")
        page.wait_for_function("f => document.getElementById('formula').textContent === f",
                               arg=expected["steps"][-1]["formula"])
        want = [[fmt(v, 2) for v in row] for row in expected["output"]]
        page.wait_for_function("() => [...document.querySelectorAll('#output .cell')].every(c => c.textContent)")
        assert output_texts(page) == [want], example["id"]
    web.assert_clean()


def test_keyboard_moves_the_step(web):
    page = web.goto("/conv")
    ready(page, 16)
    status = page.locator("[data-player=status]")
    assert status.inner_text() == "Step 6 of 16"  # the padding example opens at a₁₁ (issue 13)
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert status.inner_text() == "Step 3 of 16"
    page.keyboard.press("ArrowLeft")
    assert status.inner_text() == "Step 2 of 16"
    page.keyboard.press("End")
    assert status.inner_text() == "Step 16 of 16"
    assert "step=15" in page.evaluate("location.href")
    page.keyboard.press("Home")
    assert status.inner_text() == "Step 1 of 16"
    # Space plays; the player moves on by itself, Space again pauses
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent !== 'Step 1 of 16'",
                           timeout=5000)
    page.keyboard.press(" ")
    assert page.get_attribute("[data-player=play]", "aria-label").startswith("Play")
    # arrows inside the output grid move the selected cell (and the step), not the page-wide player
    page.click("#output .cell[data-r='0'][data-c='0']")
    page.keyboard.press("ArrowDown")
    assert status.inner_text() == "Step 5 of 16"
    web.assert_clean()


def test_language_toggle_switches_every_label(web):
    page = web.goto("/conv")
    ready(page, 16)
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    assert page.inner_text("#settings-h") == "設定"
    assert page.inner_text("#stage-h") == "一步一步看"
    assert "濾鏡數量" in page.inner_text("#keras")
    assert "Sequential 第一層時要加上的參數" in page.inner_text("#keras")
    assert page.get_attribute("[data-player=play]", "aria-label") == "播放 (空白鍵)"
    assert page.inner_text("[data-player=status]") == "第 6 步，共 16 步"  # opens at a₁₁ (issue 13)
    assert "填補 (Padding)" in page.inner_text("#preset")  # the API's example titles, in zh-TW
    titles = page.eval_on_selector_all("#preset option", "os => os.map(o => o.textContent)")
    controls = page.inner_text(".settings") + page.inner_text(".stage") + page.inner_text(".editors")
    for title in titles:  # the lecture's own example titles may name "Padding"
        controls = controls.replace(title, "")
    leftovers = [v for k, v in EN.items()
                 if k.startswith(("conv.", "editor.")) and len(v) > 3 and v in controls and v not in ZH[k]]
    assert not leftovers, leftovers
    web.assert_clean()


def test_shared_url_restores_the_view(web):
    page = web.goto("/conv")
    ready(page, 16)
    page.keyboard.press("Home")  # (the padding example opens at a₁₁, step 6)
    page.select_option("#padding", "full")
    page.fill("#stride-r", "2")
    page.dispatch_event("#stride-r", "change")
    page.fill("#stride-c", "2")
    page.dispatch_event("#stride-c", "change")
    ready(page, 9)
    blur(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('facts').textContent")
    url, formula = page.evaluate("location.href"), page.inner_text("#formula")
    page.keyboard.press("End")
    page.wait_for_function("() => [...document.querySelectorAll('#output .cell')].every(c => c.textContent)")
    outputs = output_texts(page)

    other = page.context.new_page()
    other.goto(url)
    other.wait_for_load_state("networkidle")
    ready(other, 9)
    assert other.input_value("#padding") == "full"
    assert other.input_value("#stride-r") == "2" and other.input_value("#stride-c") == "2"
    assert other.inner_text("[data-player=status]") == "Step 3 of 9"
    other.wait_for_function("f => document.getElementById('formula').textContent === f", arg=formula)
    other.keyboard.press("End")
    other.wait_for_function("() => [...document.querySelectorAll('#output .cell')].every(c => c.textContent)")
    assert output_texts(other) == outputs
    web.assert_clean()


def test_editing_a_cell_and_pasting_text_recompute(web, server_url):
    page = web.goto("/conv?step=0")
    ready(page, 16)
    first = page.locator("#in-editor input").first
    first.click()
    page.keyboard.type("5")
    page.wait_for_function(
        "() => document.querySelector('#padded .cell[data-r=\"1\"][data-c=\"1\"] .v').textContent === '5'")
    page.keyboard.press("ArrowRight")  # arrows move between cells inside the editor
    assert page.evaluate("document.activeElement.dataset.c") == "1"
    page.click("#in-editor ~ details summary")
    page.fill("#in-text", "1 2 3 4 5\n5 4 3 2 1\n0 1 0 1 0\n2 2 2 2 2\n1 0 1 0 1")
    page.click("#in-apply")
    ready(page, 25)
    blur(page)
    page.keyboard.press("End")
    page.wait_for_function("() => [...document.querySelectorAll('#output .cell')].every(c => c.textContent)")
    expected = api(server_url, "/api/conv2d", {
        "input": [[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [0, 1, 0, 1, 0], [2, 2, 2, 2, 2], [1, 0, 1, 0, 1]],
        "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"})
    assert output_texts(page) == [[[fmt(v, 2) for v in row] for row in expected["output"]]]
    assert page.input_value("#in-rows") == "5"
    # pasting a matrix into one kernel cell replaces the whole kernel (and its size)
    page.eval_on_selector("#k-editor input", r"""el => {
        const data = new DataTransfer();
        data.setData("text/plain", "1\t0\n0\t-1");
        el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""")
    page.wait_for_function("() => document.querySelectorAll('#k-editor input').length === 4")
    ready(page, 25)
    assert page.input_value("#k-rows") == "2"
    assert "kernel_size=(2, 2)" in page.inner_text("#keras")
    web.assert_clean()


def test_channels_filters_bias_and_activation(web, server_url):
    page = web.goto("/conv?input=[[1,2,3],[4,5,6],[7,8,9]]&kernel=[[1,0],[0,-1]]&padding=valid")
    ready(page, 4)
    page.select_option("#filters", "2")
    ready(page, 8)
    page.check("#use-bias")
    page.fill("#bias-inputs input >> nth=1", "-3")
    page.dispatch_event("#bias-inputs input >> nth=1", "change")
    page.select_option("#activation", "relu")
    page.select_option("#channels", "2")  # a second input channel (random) and its kernel slices
    page.wait_for_function("() => location.search.includes('relu') && location.search.includes('bias')")
    ready(page, 8)
    blur(page)
    assert page.locator("#output .mgrid").count() == 2
    assert page.locator("#padded .mgrid").count() == 2
    assert page.locator("#detail .detail-row").count() == 2
    page.keyboard.press("End")
    page.wait_for_function("() => [...document.querySelectorAll('#output .cell')].every(c => c.textContent)")
    params = page.evaluate("Object.fromEntries(new URLSearchParams(location.search))")
    state = {k: json.loads(params[k]) for k in ("input", "kernel", "bias")}
    assert state["bias"] == [0, -3]
    assert [len(state["input"]), len(state["input"][0]), len(state["input"][0][0])] == [3, 3, 2]  # (H, W, C)
    assert [[px[0] for px in row] for row in state["input"]] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]  # channel 1 kept
    expected = api(server_url, "/api/conv2d", {"input": state["input"], "kernel": state["kernel"], "bias": [0, -3],
                                               "padding": "valid", "activation": "relu"})
    grids = output_texts(page)
    for f in range(2):
        assert grids[f] == [[fmt(cell[f], 2) for cell in row] for row in expected["output"]]
    assert "relu(" in page.inner_text("#facts")
    keras = page.inner_text("#keras")
    assert "filters=2" in keras and "use_bias=True" in keras and "input_shape=(3, 3, 2)" in keras
    web.assert_clean()


def test_explicit_padding_shows_the_keras_equivalent(web):
    page = web.goto("/conv")
    ready(page, 16)
    page.select_option("#padding", "explicit")
    page.fill("#pad-top", "2")
    page.dispatch_event("#pad-top", "change")
    ready(page, 20)
    keras = page.inner_text("#keras")
    assert "ZeroPadding2D(padding=((2, 1), (1, 1))" in keras
    assert "padding='valid'" in keras
    assert page.locator("#padded .mgrid .mrow").count() == 7
    web.assert_clean()


def test_impossible_configuration_explains_instead_of_crashing(web):
    page = web.goto("/conv")
    ready(page, 16)
    page.select_option("#padding", "valid")
    page.fill("#in-rows", "2")
    page.dispatch_event("#in-rows", "change")
    page.wait_for_selector("#error:not([hidden])")
    text = page.inner_text("#error")
    assert "larger than the padded input" in text and "no output position fits" in text
    assert page.locator("#stage-grids").is_hidden()
    assert "No output size" in page.inner_text("#size-pads")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    assert "濾鏡 (含 dilation) 比填補後的輸入還大" in page.inner_text("#error")
    page.select_option("#padding", "same")
    page.wait_for_selector("#error", state="hidden")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent === '第 1 步，共 8 步'")
    assert page.locator("#output .cell").count() == 8
    # Chromium logs the API's 422 answer as a failed resource; nothing else may appear
    web.errors = [e for e in web.errors if "status of 422" not in e]
    web.assert_clean()


def test_phone_no_horizontal_scroll_and_tap(phone):
    page = phone.goto("/conv")
    ready(page, 16)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.tap("#output .cell[data-r='1'][data-c='1']")
    page.wait_for_function("f => document.getElementById('formula').textContent === f", arg=A11)
    page.tap("[data-player=forward]")
    assert page.inner_text("[data-player=status]") == "Step 7 of 16"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.assert_clean()


def test_reduced_motion_shows_each_step_at_once(web):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/conv")
    ready(page, 16)
    page.keyboard.press("ArrowRight")
    # no sub-steps: the finished formula is there straight away
    assert page.inner_text("#formula").endswith("= 15")
    web.assert_clean()
