"""The pooling page in Chromium: max and average from the API's trace, argmax and Σ / n shown."""

from urllib.parse import unquote

import httpx
import pytest

from app.engine.numbers import fmt
from app.pages import strings
from tests.e2e.steps import step_through

pytestmark = pytest.mark.browser

EN, ZH = strings("en", "pool"), strings("zh-TW", "pool")  # the common table, then the page's


def ready(page, steps):
    page.wait_for_function(
        "t => !document.getElementById('app').hasAttribute('aria-busy')"
        " && document.querySelector('[data-player=status]').textContent.endsWith(t)", arg=f"of {steps}")


def output_texts(page):
    return page.eval_on_selector_all(
        "#output .mrow", "rs => rs.map(r => [...r.querySelectorAll('.cell')].map(c => c.textContent))")


def all_filled(page):
    page.wait_for_function("() => [...document.querySelectorAll('#output .cell')].every(c => c.textContent)")


def test_lecture_examples_match_the_api_with_argmax(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")  # each step drawn at once: no sub-step timers to wait for
    examples = [e for e in httpx.get(server_url + "/api/examples").json()["examples"] if e["endpoint"] == "/api/pool"]
    assert len(examples) == 4
    page = web.goto("/pool")
    ready(page, 4)
    for example in examples:
        expected = httpx.post(server_url + "/api/pool", json=example["request"]).json()
        n = len(expected["steps"])
        page.select_option("#preset", example["id"])
        page.evaluate("document.activeElement.blur()")
        ready(page, n)
        assert page.inner_text("[data-player=status]") == f"Step 1 of {n}"
        for i, step in enumerate(expected["steps"]):
            if i:
                page.keyboard.press("ArrowRight")
            page.wait_for_function("f => document.getElementById('formula').textContent === f", arg=step["formula"])
            if "argmax" in step:  # the winning cell is outlined on the padded input
                arg = page.eval_on_selector_all("#padded .cell.arg", "cs => cs.map(c => [+c.dataset.r, +c.dataset.c])")
                assert arg == [step["argmax"]]
            else:
                assert page.locator("#padded .cell.arg").count() == 0
        all_filled(page)
        assert output_texts(page) == [[fmt(v, 2) for v in row] for row in expected["output"]], example["id"]
    web.assert_clean()


def test_average_same_counts_only_real_cells(web):
    page = web.goto('/pool?mode="average"&padding="same"&step=2')
    ready(page, 9)
    assert page.inner_text("#formula") == "(0 + 1) / 2 = 0.5"
    assert "2 real cells" in page.inner_text("#count")
    assert page.locator("#detail .cell.skip").count() == 2  # the padded column is shown as not counted
    assert "sum 1 divided by 2 real cells" in page.inner_text("#facts")
    assert "AveragePooling2D(pool_size=(2, 2), strides=None, padding='same')" in page.inner_text("#keras")
    assert page.inner_text("#size-rows") == "o_rows = ⌊(5 + 0 + 1 − 2) / 2⌋ + 1 = 3"  # pooling: no dilation term
    page.click("#output .cell[data-r='2'][data-c='2']")
    assert page.inner_text("#formula") == "(1) / 1 = 1"
    web.assert_clean()


def test_keyboard_language_and_shared_url(web):
    page = web.goto("/pool")
    ready(page, 4)
    page.uncheck("#strides-auto")
    page.fill("#stride-r", "1")
    page.dispatch_event("#stride-r", "change")
    ready(page, 8)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("End")
    assert page.inner_text("[data-player=status]") == "Step 8 of 8"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("[data-player=status]") == "Step 2 of 8"
    assert "strides=(1, 2)" in page.inner_text("#keras")
    url = page.evaluate("location.href")  # (Playwright's page.url follows replaceState only when it hears of it)

    other = page.context.new_page()
    other.goto(url)
    ready(other, 8)
    assert other.inner_text("[data-player=status]") == "Step 2 of 8"
    assert not other.is_checked("#strides-auto") and other.input_value("#stride-r") == "1"

    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    assert page.inner_text("#settings-h") == "設定"
    assert "步幅" in page.inner_text("#keras") and "pool 大小" in page.inner_text("#keras")
    assert page.inner_text("[data-player=status]") == "第 2 步，共 8 步"
    titles = page.eval_on_selector_all("#preset option", "os => os.map(o => o.textContent)")
    # the API's example titles, in zh-TW (the picker shows an example's short title when the API has one)
    ex = next(e for e in httpx.get(web.base + "/api/examples", timeout=10).json()["examples"] if e["id"] == "pool-max-valid")  # noqa: E501
    assert (ex.get("short") or ex["title"])["zh-TW"] in titles
    controls = page.inner_text(".settings") + page.inner_text(".stage") + page.inner_text(".editors")
    for title in titles:
        controls = controls.replace(title, "")
    leftovers = [v for k, v in EN.items()
                 if k.startswith(("conv.", "pool.")) and len(v) > 3 and v in controls and v not in ZH[k]]
    assert not leftovers, leftovers
    web.assert_clean()


def test_a_change_that_leaves_the_request_as_it_was_keeps_the_step(web):
    """Leaving a field (its change event) or typing a value back does not send the player to step 1."""
    page = web.goto("/pool")
    ready(page, 4)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("End")
    assert page.inner_text("[data-player=status]") == "Step 4 of 4"
    page.dispatch_event("#padding", "change")  # the same value again
    page.wait_for_timeout(400)                  # past the edit pause (120 ms)
    ready(page, 4)
    assert page.inner_text("[data-player=status]") == "Step 4 of 4"
    web.assert_clean()


def test_window_larger_than_input_is_explained(web):
    page = web.goto("/pool")
    ready(page, 4)
    page.fill("#pool-r", "6")
    page.dispatch_event("#pool-r", "change")
    page.wait_for_selector("#error:not([hidden])")
    assert "pooling window is larger than the input" in page.inner_text("#error")
    page.select_option("#padding", "same")  # 'same' never runs out of positions... unless the window is larger
    page.fill("#pool-r", "2")
    page.dispatch_event("#pool-r", "change")
    page.wait_for_selector("#error", state="hidden")
    ready(page, 9)
    web.errors = [e for e in web.errors if "status of 422" not in e]  # Chromium logs the API's 422 answer
    web.assert_clean()


def test_phone_no_horizontal_scroll_and_tap(phone):
    page = phone.goto("/pool")
    ready(page, 4)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.tap("#output .cell[data-r='1'][data-c='1']")
    assert page.inner_text("#formula") == "max(2, 2, 0, 2) = 2"
    page.tap("[data-player=back]")
    assert page.inner_text("[data-player=status]") == "Step 3 of 4"
    phone.assert_clean()


# ---- a number reads the same in the grids and in the formula; errors in the page's language

WINDOW = r"""() => ({
  padded: [...document.querySelectorAll('#padded .cell.win:not(.pad) .v')].map((v) => v.textContent),
  detail: [...document.querySelectorAll('#detail .cell:not(.pad) .v')].map((v) => v.textContent),
  output: document.querySelector('#output .cell.cur .v').textContent,
  formula: document.getElementById('formula').textContent, facts: document.getElementById('facts').textContent,
})"""


def formula_numbers(formula):
    """max(a, b) = r or (a + (b)) / n = r -> ([a, b], r), without the parentheses around negatives."""
    left, result = formula.rsplit(" = ", 1)
    inner = left[4:-1].split(", ") if left.startswith("max(") else left[1:left.rindex(") / ")].split(" + ")
    return [v[1:-1] if v.startswith("(") else v for v in inner], result


@pytest.mark.parametrize("mode", ["average", "max"])
def test_long_numbers_read_the_same_in_the_formula_and_the_grids(phone, mode):
    from tests.e2e.audit import describe, fit_problems

    page = phone.goto(f"/pool?input=[[-123456,0.00012,3],[4,5,0.00345],[7,8,-0.5]]&mode={mode}&pool=[2,2]"
                      "&padding=same&step=0")
    ready(page, 4)
    for i in step_through(page, 4, status="Step {i} "):
        shown = page.evaluate(WINDOW)
        values, result = formula_numbers(shown["formula"])
        assert values == shown["padded"] == shown["detail"], shown
        assert result == shown["output"] and shown["facts"].startswith(f"a{'₀₁'[i // 2]}{'₀₁'[i % 2]} = {result}")
        assert "0.0001" not in shown["formula"]
    assert not fit_problems(page), describe(fit_problems(page))
    phone.assert_clean()


def test_zh_window_larger_than_input_is_explained_in_chinese(web):
    page = web.goto("/pool?lang=zh-TW")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent.includes('共 4 步')")
    page.fill("#pool-r", "6")
    page.dispatch_event("#pool-r", "change")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error .error-text") == ZH["error.code.pool_too_large"]
    assert page.inner_text("#error .error-detail").startswith(ZH["error.detail"])
    assert "no output position fits" in page.inner_text("#error [lang=en]")
    web.errors = [e for e in web.errors if "status of 422" not in e]
    web.assert_clean()


def test_a_cell_that_is_no_number_or_too_big_says_why(web):
    """The input's editor (lib/editor.js) names the cell it cannot use, why, and the value the page keeps using."""
    page = web.goto("/pool?input=[[1,2,3],[4,5,6],[7,8,9]]&pool=[2,2]&strides=[1,1]")
    ready(page, 4)
    cell = page.locator("#in-editor input[data-r='2'][data-c='0']")        # row 3, column 1: 7
    note = page.locator("#in-editor .medit-invalid")
    cell.click()
    page.keyboard.type("7..5")
    page.wait_for_function("t => document.querySelector('#in-editor .medit-invalid').textContent === t",
                           arg="Input, row 3, column 1: “7..5” is not a number; the last valid value 7 is used.")
    assert note.is_visible() and cell.get_attribute("aria-describedby") == note.get_attribute("id")
    assert note.evaluate("n => n.closest('[role=status]') !== null")       # said to a screen reader
    page.keyboard.press("Control+A")
    page.keyboard.type("-1e10")
    page.wait_for_function(
        "t => document.querySelector('#in-editor .medit-invalid').textContent === t",
        arg="Input, row 3, column 1: -1e10 is beyond ±1,000,000,000 (the API's limit); the last valid value 7 is used.")
    assert "[7,8,9]" in unquote(page.url)                                  # the page still computes with the 7
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    page.wait_for_function("() => document.querySelector('#in-editor .medit-invalid').hidden")
    assert cell.get_attribute("aria-invalid") is None
    page.wait_for_function("() => decodeURIComponent(location.search).includes('[0,8,9]')")
    web.assert_clean()
