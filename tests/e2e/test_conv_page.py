"""The convolution page in Chromium: the numbers it shows are the API's, and every control works."""

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from app.engine.numbers import fmt
from app.pages import strings
from tests.e2e.steps import formula_under_player, step_through

pytestmark = pytest.mark.browser

A11 = "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"
EN, ZH = strings("en", "conv"), strings("zh-TW", "conv")  # the common table, then the page's


def ready(page, steps=None, zh=False):
    """Wait until the API answered and the player knows its steps."""
    expected = (f"共 {steps} 步" if steps else "共 ") if zh else (f"of {steps}" if steps else "of ")
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
    # the API's example titles, in zh-TW (the picker shows an example's short title when the API has one)
    ex = next(e for e in httpx.get(web.base + "/api/examples", timeout=10).json()["examples"] if e["id"] == "conv-padding")  # noqa: E501
    assert page.inner_text("#preset option[value=conv-padding]") == (ex.get("short") or ex["title"])["zh-TW"]
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


# ---- long numbers at 360 px: numbers apart, the same text in the formula and the grids, a scrolling grid says so

LONG = ("/conv?input=[[-123456,0.00012,3],[4,5,6],[7,8,9]]&kernel=[[-1.2e5,0],[1,2]]&padding=same&step=0")
NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"

# the numbers of the shown step: the window's cells and their notes (the filter's weights) in the padded input, the
# window and filter grids of the detail, the output cell of the step, and the formula's products and result
STAGE = r"""() => {
  const texts = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
  const win = [...document.querySelectorAll('#padded .cell.win')]
    .sort((a, b) => a.dataset.r - b.dataset.r || a.dataset.c - b.dataset.c);
  const grids = document.querySelectorAll('#detail .detail-row .mgrid');
  return {
    cells: win.map((c) => c.querySelector('.v').textContent), notes: win.map((c) => c.querySelector('.w')?.textContent),
    window: [...grids[0].querySelectorAll('.v')].map((v) => v.textContent),
    kernel: [...grids[1].querySelectorAll('.v')].map((v) => v.textContent),
    output: document.querySelector('#output .cell.cur .v').textContent,
    formula: document.getElementById('formula').textContent, facts: document.getElementById('facts').textContent,
  };
}"""

# every padded cell with a note: its text, and the room between the number's box and the note's box
APART = r"""() => [...document.querySelectorAll('#padded .cell')].filter((c) => c.querySelector('.w')).map((c) => {
  const v = c.querySelector('.v').getBoundingClientRect(), w = c.querySelector('.w').getBoundingClientRect();
  const box = c.getBoundingClientRect(), ws = getComputedStyle(c.querySelector('.w'));
  return { text: c.textContent, gap: w.left - v.right, inside: w.right <= box.right + 0.5 && v.left >= box.left - 0.5,
           framed: parseFloat(ws.borderLeftWidth) > 0 };
})"""

CUE = r"""() => [...document.querySelectorAll('#padded .grid-scroll, #output .grid-scroll')].map((s) => {
  const hint = s.parentElement.querySelector('.scroll-hint');
  const shown = hint && !hint.hidden && hint.offsetHeight > 0;
  return { over: s.scrollWidth > s.clientWidth + 1, classes: [...s.classList].filter((c) => c.startsWith('more-')),
           mask: getComputedStyle(s).maskImage, hint: shown ? hint.textContent : null };
})"""


def unparen(text):
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def products(formula):
    """The formula's x×w pairs, without the parentheses around negatives."""
    term = r"\(-[^()\s]+\)|[^\s()×+=]+"
    return [(unparen(a), unparen(b)) for a, b in re.findall(f"({term})×({term})", formula)]


def test_phone_long_numbers_read_apart_and_the_same_in_formula_and_grids(phone):
    from tests.e2e.audit import describe, fit_problems, label_sizes

    page = phone.goto(LONG)
    ready(page, 9)
    page.wait_for_function("() => document.getElementById('facts').textContent")
    # (b) a weight's note beside a cell's number never runs into it ("-1.2e5" then "0" read "-1.2e50")
    cells = page.evaluate(APART)
    assert len(cells) == 4
    for cell in cells:
        assert re.fullmatch(rf"({NUMBER})\s+({NUMBER})", cell["text"]), cell  # two numbers, a space between
        assert cell["gap"] >= 3 and cell["framed"] and cell["inside"], cell
    # (c) one number, one text: the window's inputs and weights, the output and the formula agree
    stage = page.evaluate(STAGE)
    assert stage["cells"] == ["-1.2e5", "1.2e-4", "4", "5"]
    assert stage["notes"] == ["-1.2e5", "0", "1", "2"]
    assert products(stage["formula"]) == list(zip(stage["cells"], stage["notes"], strict=True)), stage["formula"]
    assert stage["window"] == stage["cells"] and stage["kernel"] == stage["notes"]
    assert stage["formula"].endswith(f"= {stage['output']}") and stage["facts"].endswith(f"= {stage['output']}")
    assert "0.0001" not in stage["formula"] and "e+" not in stage["formula"]  # the engine's own rounding is not shown
    # (a) the padded input is wider than its box at 360 px: its right edge fades and a line says it scrolls
    cue = page.evaluate(CUE)[0]
    assert cue["over"] and cue["classes"] == ["more-right"] and cue["mask"] != "none", cue
    assert cue["hint"] == EN["conv.scroll_hint"]
    page.eval_on_selector("#padded .grid-scroll", "s => { s.scrollLeft = s.scrollWidth; }")
    page.wait_for_function("() => document.querySelector('#padded .grid-scroll').classList.contains('more-left')")
    assert page.evaluate(CUE)[0]["classes"] == ["more-left"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    problems = fit_problems(page)
    assert not problems, describe(problems)
    small = [s for s in label_sizes(page) if s["px"] < 11 - 0.01]
    assert not small, describe(small)
    # a language switch relabels the hint
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    assert page.evaluate(CUE)[0]["hint"] == ZH["conv.scroll_hint"]
    phone.assert_clean()


def test_desktop_long_numbers_fit_and_need_no_scroll_cue(web):
    from tests.e2e.audit import describe, fit_problems

    page = web.goto(LONG)
    ready(page, 9)
    page.wait_for_function("() => document.getElementById('facts').textContent")
    assert all(not c["over"] and not c["classes"] and c["mask"] == "none" and c["hint"] is None
               for c in page.evaluate(CUE))
    stage = page.evaluate(STAGE)
    assert products(stage["formula"]) == list(zip(stage["cells"], stage["notes"], strict=True))
    assert not fit_problems(page), describe(fit_problems(page))
    web.assert_clean()


@pytest.mark.parametrize("query", [
    # decimals that the engine rounds otherwise, a bias, relu, and a 10×10 input (the padded grid's narrower cells)
    "input=[[0.00012,0.5,-0.00345],[1.23456,-7,0.1],[2,3,4]]&kernel=[[0.0625,-0.125],[0.33333,12345.678]]"
    "&bias=[-0.00017]&activation=relu&padding=valid",
    "input=" + json.dumps([[round((r * 10 + c) * 0.0123457 - 0.5, 6) for c in range(10)] for r in range(10)])
    + "&kernel=[[0.1,0.2,0.3],[-0.4,0.5,0.6],[0.7,0.8,-0.9]]&padding=same",
])
def test_every_step_writes_a_number_as_its_grid_does(web, query):
    page = web.goto(f"/conv?{query}&step=0")
    ready(page)
    n = int(page.inner_text("[data-player=status]").split()[-1])
    for _ in step_through(page, min(n, 12)):
        stage = page.evaluate(STAGE)
        assert products(stage["formula"]) == list(zip(stage["cells"], stage["notes"], strict=True)), stage
        assert stage["window"] == stage["cells"] and stage["kernel"] == stage["notes"], stage
        assert stage["formula"].endswith(f"= {stage['output']}") or "relu(" in stage["facts"], stage
        assert stage["facts"].endswith(f"= {stage['output']}"), stage
    web.assert_clean()


# ---- errors in the page's language: a sentence for every code /api/conv2d (and its GIF twin) can answer with

ROOT = Path(__file__).resolve().parents[2]


def api_codes(*engine_files):
    """The codes an endpoint can answer with: the API's own (app/api/errors.py), the server's (app/middleware.py),
    nginx's (deploy/nginx/nginx.conf), the engine's for this endpoint, and the browser's (lib/api.js)."""
    from app.api.errors import CODES

    found = set(CODES.values()) | {"internal_error", "network_error", "bad_response"}
    for path in ("app/middleware.py", "deploy/nginx/nginx.conf", *engine_files):
        found |= set(re.findall(r'code(?:=|\\?"\s*:\s*\\?)"(\w+)"', (ROOT / path).read_text(encoding="utf-8")))
    return found


CONV_CODES = api_codes("app/engine/conv.py", "app/media/animation.py", "app/media/frames.py")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_code_has_a_sentence_in_both_languages():
    assert {"kernel_too_large", "strides_with_dilation", "invalid_request", "too_many_connections", "timeout",
            "invalid_host", "animation_too_large", "payload_too_large"} <= CONV_CODES
    for code in sorted(CONV_CODES):
        # the English page may say a GIF refusal in the engine's own (English) words (test_download_gif.py)
        assert EN.get(f"error.code.{code}") or code == "animation_too_large", code
        assert CJK.search(ZH.get(f"error.code.{code}", "")), code
    assert CJK.search(ZH["error.detail"]) and "英文" in ZH["error.detail"]


@pytest.mark.parametrize("code", ["invalid_request", "too_many_requests", "internal_error", "something_new"])
def test_zh_error_is_chinese_with_the_english_rule_as_a_labelled_detail(web, code):
    page = web.goto("/conv?lang=zh-TW")
    ready(page, 16, zh=True)
    rule = "the output would have 87,616 numbers; the cap is 65,536"
    body = {"error": {"status": 422, "code": code, "field": "padding", "rule": rule, "message": f"padding: {rule}"}}
    page.route("**/api/conv2d", lambda route: route.fulfill(status=422, json=body))
    page.select_option("#padding", "full")
    page.wait_for_selector("#error:not([hidden])")
    main = page.inner_text("#error .error-text")
    want = ZH.get(f"error.code.{code}", "引擎不接受「{field}」的值。").replace("{field}", "padding")
    assert main == want and CJK.search(main)
    assert not re.search(r"[A-Za-z]{3,}", main.replace("padding", "")), main  # no English in the sentence itself
    detail = page.locator("#error .error-detail")
    assert detail.inner_text().startswith(ZH["error.detail"])
    assert detail.locator("[lang=en]").inner_text() == rule
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.inner_text("#error .error-text") == (
        EN.get(f"error.code.{code}") or "The engine refused the value of “{field}”.").replace("{field}", "padding")
    web.errors = [e for e in web.errors if "status of 422" not in e]
    web.assert_clean()


def test_zh_unreachable_server_is_said_in_chinese(web):
    page = web.goto("/conv?lang=zh-TW")
    ready(page, 16, zh=True)
    page.route("**/api/conv2d", lambda route: route.abort())
    page.select_option("#padding", "full")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error .error-text") == ZH["error.code.network_error"]
    web.errors = [e for e in web.errors if "net::ERR_FAILED" not in e]
    web.assert_clean()


# ---- a cell the editor cannot use says why, in the page's language, where the editor is

def invalid_note(page, editor):
    """The explanation under an editor: its text ('' when hidden), its id, and whether it sits in a live region."""
    return page.eval_on_selector(f"#{editor} .medit-invalid", """n => ({
        text: n.offsetParent ? n.textContent : '', id: n.id,
        live: Boolean(n.closest('[role=status], [role=alert], [aria-live=polite], [aria-live=assertive]'))})""")


def wait_note(page, editor, text):
    page.wait_for_function("([e, t]) => { const n = document.querySelector(`#${e} .medit-invalid`);"
                           " return n && (n.offsetParent ? n.textContent : '') === t; }", arg=[editor, text])


def test_a_cell_that_is_no_number_says_why_in_both_languages(web):
    page = web.goto("/conv?step=0")
    ready(page, 16)
    cell = page.locator("#in-editor input[data-r='1'][data-c='2']")      # row 2, column 3: the lecture's 6
    six = "#padded .cell[data-r='2'][data-c='3'] .v"
    url = page.url
    cell.click()
    page.keyboard.type("abc")
    wait_note(page, "in-editor", "Input, row 2, column 3: “abc” is not a number; the last valid value 6 is used.")
    note = invalid_note(page, "in-editor")
    assert note["live"]                                                   # a screen reader hears it ...
    assert cell.get_attribute("aria-invalid") == "true"
    assert cell.get_attribute("aria-describedby") == note["id"]          # ... and finds it from the cell
    assert page.inner_text(six) == "6" and page.url == url               # the page goes on with the 6
    box, msg = page.locator("#in-editor").bounding_box(), page.locator("#in-editor .medit-invalid").bounding_box()
    assert box["y"] <= msg["y"] <= box["y"] + box["height"]              # under the table, in the editor's box
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    wait_note(page, "in-editor", "Input, row 2, column 3 is empty; the last valid value 6 is used.")
    page.keyboard.type("7")                                               # a number: the note goes
    wait_note(page, "in-editor", "")
    assert cell.get_attribute("aria-invalid") is None and cell.get_attribute("aria-describedby") is None
    page.wait_for_function("s => document.querySelector(s).textContent === '7'", arg=six)

    blur(page)
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    cell.click()
    page.keyboard.type("x1")
    wait_note(page, "in-editor", "輸入，第 2 列第 3 行：「x1」不是數字，仍使用上一個有效值 7。")
    page.keyboard.press("Control+A")
    page.keyboard.type("2e9")                                             # beyond the API's ±1e9
    wait_note(page, "in-editor", "輸入，第 2 列第 3 行：2e9 超出 ±1,000,000,000 (API 的上限)，仍使用上一個有效值 7。")
    page.keyboard.press("Control+A")
    page.keyboard.type("-2")
    wait_note(page, "in-editor", "")
    page.wait_for_function("s => document.querySelector(s).textContent === '-2'", arg=six)
    web.assert_clean()


# ---- the step's formula: on a wide screen between the player and the grids (on a phone the first grid comes first)

def test_desktop_the_formula_stays_between_the_player_and_the_grids(web):
    page = web.goto("/conv?step=5")
    ready(page, 16)
    at = formula_under_player(page)
    assert at["player"] <= at["formula"][0] and at["facts"] <= at["grids"], at
    web.assert_clean()


@pytest.mark.parametrize("path, lang", [("/conv", "en"), ("/conv", "zh-TW"), ("/pool", "en"), ("/pool", "zh-TW")])
def test_on_a_phone_the_player_the_window_and_its_sum_share_one_screen(phone, path, lang):
    """On a phone the formula sat under the output grid, 800 px below the player: tapping "Step forward" changed
    a sum that was never on the screen with the button. Now the padded input, the window's products and the formula
    come first, then the output: from the player's top to the formula's end fits a 740-px screen."""
    page = phone.goto(f"{path}?lang={lang}")
    page.wait_for_selector("#facts:not(:empty)")
    page.tap("[data-player=forward]")
    order = page.evaluate("""() => ['.player', '#padded', '#detail', '#formula', '#facts', '#output']
        .map((s) => document.querySelector(s).getBoundingClientRect()).map((b) => [b.top, b.bottom])""")
    tops = [top for top, _ in order]
    assert tops == sorted(tops), order                                     # in this order, top to bottom
    assert order[4][1] - order[0][0] <= 740, order                        # the player to the sum: one screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.assert_clean()


@pytest.mark.parametrize("path, editor, lang", [("/conv", "#in-editor", "en"), ("/conv", "#k-editor", "zh-TW"),
                                                ("/rnn", "#ed-inputs", "en"), ("/backprop", "#in-editor", "zh-TW")])
def test_on_a_phone_an_edit_far_below_the_stage_offers_a_way_back_to_it(phone, path, editor, lang):
    """A review found that editing a cell on a phone changed the stage 1,300-4,900 px above the editor, with nothing
    near the cell to show it. After a change, with the stage off the screen, "See the result ↑" appears under the
    editor; it brings the stage back (and the focus to its heading). With the stage on the screen it stays hidden."""
    strings = json.loads((Path(__file__).resolve().parents[2] / f"static/i18n/{lang}.json").read_text("utf-8"))
    page = phone.goto(f"{path}?lang={lang}")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent")
    cell = page.locator(f"{editor} input").first
    cell.scroll_into_view_if_needed()
    cell.tap()
    cell.fill("5")
    cell.press("Enter")
    back = page.locator(f"{editor} .medit-back")
    expect(back).to_be_visible()
    expect(back).to_have_text(strings["editor.see_result"])
    assert page.evaluate("document.querySelector('.panel.stage').getBoundingClientRect().bottom") < 0
    back.tap()
    page.wait_for_function("() => Math.abs(document.querySelector('.panel.stage').getBoundingClientRect().top) < 2")
    assert page.evaluate("document.activeElement === document.querySelector('.panel.stage h2')")
    expect(back).to_be_hidden()
    phone.assert_clean()
