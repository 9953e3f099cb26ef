# ruff: noqa: E501
"""The backprop page in Chromium: the forward and the backward pass of convolution, pooling and the transposed
convolution, every number the API's, stepped with the player, the keyboard and the explanation's buttons."""

import json
from pathlib import Path

import httpx
import pytest

from app.engine.numbers import fmt
from tests.e2e.steps import formula_under_player

pytestmark = pytest.mark.browser

X = [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]]
W = [[2, 1, 3], [2, 0, 0], [1, 3, 2]]
LECTURE = {"input": X, "kernel": W, "padding": "same"}
DX = [[5, 8, 8, 4], [9, 14, 14, 9], [9, 14, 14, 9], [6, 8, 8, 5]]
SIX = "(1×2 + 1×3 + 1×1) + (1×0 + 1×0 + 1×2) + (1×3 + 1×1 + 1×2) = 6 + 2 + 6 = 14"
CORNER = "(0×2 + 0×3 + 0×1) + (0×0 + 1×0 + 1×2) + (0×3 + 1×1 + 1×2) = 0 + 2 + 3 = 5"
I18N = Path(__file__).resolve().parents[2] / "static/i18n"
EN = json.loads((I18N / "backprop.en.json").read_text(encoding="utf-8"))
ZH = json.loads((I18N / "backprop.zh-TW.json").read_text(encoding="utf-8"))


def ready(page, steps=None, zh=False):
    """Wait until the API answered and the player knows its steps."""
    text = (f"共 {steps} 步" if steps else "共 ") if zh else (f"of {steps}" if steps else "of ")
    page.wait_for_function(
        "t => !document.getElementById('app').hasAttribute('aria-busy')"
        " && document.querySelector('[data-player=status]').textContent.includes(t)", arg=text)


def texts(page, slot):
    """The numbers shown in a figure's grid, row by row ('' for an empty cell)."""
    return page.eval_on_selector(f"#{slot} .mgrid", "g => [...g.querySelectorAll('.mrow')].map("
                                 "r => [...r.querySelectorAll('.cell .v')].map(c => c.textContent))")


def shown(matrix):
    return [["" if v is None else fmt(v, 2) for v in row] for row in matrix]


def formula_is(page, text):
    page.wait_for_function("f => document.getElementById('formula').textContent === f", arg=text)


def api(server_url, path, body):
    r = httpx.post(server_url + path, json=body, timeout=20)
    assert r.status_code == 200, r.text
    return r.json()


def blur(page):
    page.evaluate("document.activeElement.blur()")


def test_default_is_the_lecture_example_with_its_numbers(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop")
    ready(page, 36)
    want = api(server_url, "/api/conv2d/backward", LECTURE)
    tr = want["grad_input_trace"]
    assert texts(page, "f-x") == shown(want["padded_input"])
    assert texts(page, "f-w") == shown(W)
    assert texts(page, "f-y") == shown(want["output"])
    assert texts(page, "b-dy") == shown([[1] * 4] * 4)
    assert texts(page, "b-src") == shown(tr["padded_grad_output"])
    assert texts(page, "b-k") == shown([[2, 3, 1], [0, 0, 2], [3, 1, 2]])      # the filter turned by 180°
    assert page.get_attribute("#ops [data-op=conv]", "aria-pressed") == "true"
    assert page.get_attribute("#views [data-view=grad_input]", "aria-pressed") == "true"
    # click dL/dx_padded at the 6 (padded [2, 3]) and at the corner x₀₀ (padded [1, 1])
    page.click("#b-out .cell[data-r='2'][data-c='3']")
    formula_is(page, SIX)
    assert page.inner_text("#facts") == "dL/dx₁₂ = 14"
    assert page.inner_text("[data-player=status]") == "Step 16 of 36"
    assert page.locator("#f-x .cell.cur").get_attribute("data-r") == "2"            # the 6 in the forward pass
    hits = page.eval_on_selector_all("#f-y .cell.hit", "cs => cs.map(c => [+c.dataset.r, +c.dataset.c])")
    assert sorted(hits) == [[r, c] for r in (0, 1, 2) for c in (1, 2, 3)]         # the nine windows around it
    page.click("#b-out .cell[data-r='1'][data-c='1']")
    formula_is(page, CORNER)
    assert page.inner_text("#facts") == "dL/dx₀₀ = 5"
    assert page.locator("#live").inner_text().endswith(CORNER)
    blur(page)
    page.keyboard.press("End")
    page.wait_for_function("() => [...document.querySelectorAll('#b-res .cell .v')].every(c => c.textContent)")
    assert texts(page, "b-res") == shown(DX)
    assert texts(page, "b-out") == shown(tr["full"])
    crop = page.eval_on_selector_all("#b-out .cell.crop", "cs => cs.length")
    assert crop == 36 - 16                                                           # the padding ring is cropped
    web.assert_clean()


def test_stepping_shows_each_dx_cell_and_its_formula(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop")
    ready(page, 36)
    steps = api(server_url, "/api/conv2d/backward", LECTURE)["grad_input_trace"]["steps"]
    page.keyboard.press("Home")
    for i, st in enumerate(steps):
        if i:
            page.keyboard.press("ArrowRight")
        formula_is(page, st["formula"])
        r, c = st["index"]
        assert page.locator("#b-out .cell.cur").evaluate("c => [+c.dataset.r, +c.dataset.c]") == [r, c]
        cell = page.locator(f"#b-out .cell[data-r='{r}'][data-c='{c}'] .v")
        assert cell.inner_text() == fmt(st["value"], 2), (i, st["index"])
        window = page.eval_on_selector_all("#b-src .cell.win", "cs => cs.map(c => [+c.dataset.r, +c.dataset.c])")
        assert window == st["window"]
    assert page.inner_text("[data-player=status]") == "Step 36 of 36"
    assert "step=35" in page.evaluate("location.href")
    web.assert_clean()


def test_the_formula_builds_up_from_the_terms(web, server_url):
    page = web.goto("/backprop")
    ready(page, 36)
    steps = api(server_url, "/api/conv2d/backward", LECTURE)["grad_input_trace"]["steps"]
    page.select_option("[data-player=speed]", "0.25")   # 6 s a step: the products appear one by one
    blur(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('formula').textContent.endsWith(' …')")
    partial = page.inner_text("#formula")
    terms = steps[1]["terms"]
    assert partial in ["".join(terms[:k]) + " …" for k in range(1, len(terms))], partial
    formula_is(page, steps[1]["formula"])
    web.assert_clean()


def test_explanation_buttons_show_the_texts_numbers(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop?strides=[2,2]")
    ready(page, 25)
    page.click("#show-one-hot")                  # dL/dy = 1 at a₁₁ only: dL/dx is the filter on a₁₁'s window
    page.wait_for_function("() => location.search.includes('grad_output')")
    ready(page, 36)
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent === 'Step 36 of 36'")
    page.wait_for_function("() => [...document.querySelectorAll('#b-res .cell .v')].every(c => c.textContent)")
    assert texts(page, "b-res") == shown([[2, 1, 3, 0], [2, 0, 0, 0], [1, 3, 2, 0], [0, 0, 0, 0]])
    assert texts(page, "b-dy")[1] == ["0", "1", "0", "0"]
    page.click("#show-six")
    formula_is(page, SIX)
    assert "grad_output" not in page.evaluate("location.href")
    assert page.inner_text("[data-player=status]") == "Step 16 of 36"
    page.click("#show-corner")                   # the same answer: the step changes at once
    formula_is(page, CORNER)
    page.click("#show-strides")                  # strides 2: one zero between the dL/dy cells
    ready(page, 25)
    want = api(server_url, "/api/conv2d/backward", {**LECTURE, "strides": 2})
    assert texts(page, "b-src") == shown(want["grad_input_trace"]["padded_grad_output"])
    assert texts(page, "b-dy") == shown(want["grad_output"]) and len(want["grad_output"]) == 2
    page.click("#show-transpose")                # the same numbers as a Conv2DTranspose (gather)
    ready(page, 16)
    formula_is(page, SIX)
    assert page.get_attribute("#ops [data-op=transpose]", "aria-pressed") == "true"
    assert page.get_attribute("#views [data-view=gather]", "aria-pressed") == "true"
    blur(page)
    page.keyboard.press("End")
    page.wait_for_function("() => [...document.querySelectorAll('#b-out .cell .v')].every(c => c.textContent)")
    assert texts(page, "b-out") == shown(DX)
    web.assert_clean()


def test_dw_and_db_traces(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop")
    ready(page, 36)
    want = api(server_url, "/api/conv2d/backward", LECTURE)
    page.click("#views [data-view=grad_kernel]")
    ready(page, 9)
    formula_is(page, want["grad_kernel_trace"]["steps"][0]["formula"])
    assert "view=grad_kernel" in page.evaluate("location.href")
    page.click("#b-out .cell[data-r='1'][data-c='1']")
    formula_is(page, want["grad_kernel_trace"]["steps"][4]["formula"])
    assert page.inner_text("#facts") == "dL/dW[1, 1] = 21"
    window = page.eval_on_selector_all("#f-x .cell.win", "cs => cs.map(c => [+c.dataset.r, +c.dataset.c])")
    assert window == want["grad_kernel_trace"]["steps"][4]["window"]
    page.click("#views [data-view=grad_bias]")
    ready(page, 1)
    formula_is(page, want["grad_bias_trace"]["steps"][0]["formula"])
    assert texts(page, "b-out") == [["16"]] and page.inner_text("#facts") == "dL/db = 16"
    web.assert_clean()


def test_max_and_average_pooling(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop")
    ready(page, 36)
    page.click("#ops [data-op=max]")
    ready(page, 4)
    body = {"input": X, "mode": "max", "pool_size": 2, "padding": "valid"}
    want = api(server_url, "/api/pool/backward", body)
    assert "first in reading order" in page.inner_text("#op-note")               # the tie rule, said
    assert texts(page, "f-y") == shown(want["output"])
    blur(page)
    for i, st in enumerate(want["steps"]):
        if i:
            page.keyboard.press("ArrowRight")
        formula_is(page, st["formula"])
        arg = page.eval_on_selector_all("#f-x .cell.arg", "cs => cs.map(c => [+c.dataset.r, +c.dataset.c])")
        assert arg == [st["argmax"]]
    # a₁₀ = max(3, 3, 1, 0): the tie goes to the first 3, x₂₀
    assert want["steps"][2]["argmax"] == [2, 0]
    page.click("#b-dy .cell[data-r='1'][data-c='0']")
    assert page.inner_text("#facts") == "dL/da₁₀ = 1 goes to x₂₀, the window's maximum"
    page.keyboard.press("End")
    formula_is(page, want["steps"][-1]["formula"])
    assert texts(page, "b-out") == shown(want["grad_input"])
    page.click("#ops [data-op=average]")
    ready(page, 4)
    want = api(server_url, "/api/pool/backward", {**body, "mode": "average"})
    formula_is(page, want["steps"][0]["formula"])
    assert "not counted" in page.inner_text("#op-note")
    assert page.inner_text("#facts") == "dL/da₀₀ = 1 is split over the window's 4 real cell(s): 0.25 each"
    page.keyboard.press("End")
    assert texts(page, "b-out") == shown(want["grad_input"])
    web.assert_clean()


def test_average_pooling_same_padding_and_own_gradient(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto('/backprop?op=average&padding=same&strides=null&input=[[3,3,2,1,0],[0,0,1,3,1],[3,1,2,2,3],'
                    '[2,0,0,2,2],[2,0,0,0,1]]')
    ready(page, 9)
    g = page.locator("#g-editor input").nth(4)                   # dL/dy[1][1] = 3
    g.click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('grad_output')")
    ready(page, 9)
    body = {"input": [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]],
            "mode": "average", "padding": "same", "grad_output": [[1, 1, 1], [1, 3, 1], [1, 1, 1]]}
    want = api(server_url, "/api/pool/backward", body)
    blur(page)
    page.keyboard.press("End")
    formula_is(page, want["steps"][-1]["formula"])
    dx = texts(page, "b-out")                                   # padded: the bottom row and right column are padding
    assert [row[:5] for row in dx[:5]] == shown(want["grad_input"]) and dx[5] == [""] * 6
    page.click("#g-ones")
    page.wait_for_function("() => !location.search.includes('grad_output')")
    web.assert_clean()


def test_transposed_convolution_scatter_and_gather(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop")
    ready(page, 36)
    page.click("#ops [data-op=transpose]")
    ready(page, 16)
    body = {"input": [[1] * 4] * 4, "kernel": W, "padding": "same"}
    want = api(server_url, "/api/conv2d_transpose", body)
    assert want["output"] == DX
    blur(page)
    for i, st in enumerate(want["scatter"]["steps"][:6]):
        if i:
            page.keyboard.press("ArrowRight")
        formula_is(page, st["formula"])
        window = page.eval_on_selector_all("#b-out .cell.win", "cs => cs.map(c => [+c.dataset.r, +c.dataset.c])")
        assert window == st["window"]
        totals = [page.locator(f"#b-out .cell[data-r='{r}'][data-c='{c}'] .v").inner_text() for r, c in st["window"]]
        assert totals == [fmt(v, 2) for row in st["totals"] for v in row]           # the running totals after
    page.keyboard.press("End")
    page.wait_for_function("() => [...document.querySelectorAll('#b-res .cell .v')].every(c => c.textContent)")
    assert texts(page, "b-res") == shown(DX) and texts(page, "b-out") == shown(want["scatter"]["canvas"])
    page.keyboard.press("Home")
    assert texts(page, "b-res")[0] == ["", "", "", ""]                               # filled at the end only
    page.click("#views [data-view=gather]")
    ready(page, 16)
    assert texts(page, "b-src") == shown(want["gather"]["padded_input"])
    formula_is(page, want["gather"]["steps"][0]["formula"])
    # strides 2 and output_padding: the zero-inserted input grows
    page.fill("#stride-r", "2")
    page.dispatch_event("#stride-r", "change")
    blur(page)
    page.check("#opad-on")
    page.fill("#opad-r", "1")
    page.dispatch_event("#opad-r", "change")
    blur(page)
    page.wait_for_function("() => location.search.includes('output_padding=[1,0]')")
    want = api(server_url, "/api/conv2d_transpose", {**body, "strides": [2, 1], "output_padding": [1, 0]})
    ready(page, len(want["gather"]["steps"]))
    assert texts(page, "b-src") == shown(want["gather"]["padded_input"])
    web.assert_clean()


def test_keyboard_moves_the_step(web):
    page = web.goto("/backprop")
    ready(page, 36)
    status = page.locator("[data-player=status]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert status.inner_text() == "Step 3 of 36"
    page.keyboard.press("ArrowLeft")
    assert status.inner_text() == "Step 2 of 36"
    page.keyboard.press("End")
    assert status.inner_text() == "Step 36 of 36"
    page.keyboard.press("Home")
    assert status.inner_text() == "Step 1 of 36"
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent !== 'Step 1 of 36'",
                           timeout=8000)
    page.keyboard.press(" ")
    assert page.get_attribute("[data-player=play]", "aria-label").startswith("Play")
    # arrows inside the grid the steps fill move the step, not the page-wide player
    page.click("#b-out .cell[data-r='0'][data-c='0']")
    page.keyboard.press("ArrowDown")
    assert status.inner_text() == "Step 7 of 36"
    # the layer tabs are buttons: Tab reaches them, Enter picks one
    page.focus("#ops [data-op=max]")
    page.keyboard.press("Enter")
    ready(page, 4)
    web.assert_clean()


def test_shared_url_restores_the_view(web):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop")
    ready(page, 36)
    page.click("#ops [data-op=average]")
    ready(page, 4)
    page.select_option("#padding", "same")
    page.fill("#pool-r", "3")
    page.dispatch_event("#pool-r", "change")
    blur(page)
    ready(page, 4)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    url, formula = page.evaluate("location.href"), page.inner_text("#formula")
    assert page.inner_text("[data-player=status]") == "Step 3 of 4", url
    other = page.context.new_page()
    other.goto(url)
    other.wait_for_load_state("networkidle")
    ready(other, 4)
    assert other.get_attribute("#ops [data-op=average]", "aria-pressed") == "true"
    assert other.input_value("#padding") == "same" and other.input_value("#pool-r") == "3"
    assert other.inner_text("[data-player=status]") == "Step 3 of 4"
    formula_is(other, formula)
    web.assert_clean()


def test_both_languages(web):
    page = web.goto("/backprop?lang=zh-TW")
    ready(page, 36, zh=True)
    assert page.inner_text("h1").startswith("反向傳播")
    assert page.inner_text("#pane-bwd-h") == "反向傳遞" and page.inner_text("#why-h").startswith("為什麼卷積的梯度")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.inner_text("#pane-bwd-h") == "Backward pass"
    page.click("#ops [data-op=max]")
    ready(page, 4)
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    assert "第一格拿到全部" in page.inner_text("#op-note")                          # the tie rule in zh-TW
    assert page.inner_text("#f-y figcaption") == ZH["bp.cap_y_max"]
    assert "視窗的最大值" in page.inner_text("#facts")
    controls = page.inner_text(".stage") + page.inner_text(".settings") + page.inner_text(".editors") + \
        page.inner_text("#why") + page.inner_text(".bp-pick")
    for title in page.eval_on_selector_all("#preset option", "os => os.map(o => o.textContent)"):
        controls = controls.replace(title, "")
    leftovers = [v for k, v in EN.items() if len(v) > 3 and v in controls and v != ZH[k]]
    assert not leftovers, leftovers
    web.assert_clean()


@pytest.mark.parametrize("path", ["/backprop?step=15", "/backprop?op=max", "/backprop?op=average&padding=same",
                                  "/backprop?op=transpose&input=[[1,2],[3,4]]&strides=[2,2]",
                                  "/backprop?op=transpose&view=gather&input=[[1,2],[3,4]]&strides=[2,2]",
                                  "/backprop?activation=tanh&view=grad_kernel&input=[[0.5,-1.25,2],[3.75,0,-2],[1,1,1]]"])
def test_phone_no_horizontal_overflow_and_text_sizes(phone, path):
    page = phone.goto(path)
    ready(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check_cells(page, 11)
    page.tap("[data-player=forward]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.assert_clean()


def test_desktop_text_sizes_and_no_cut_numbers(web):
    web.page.emulate_media(reduced_motion="reduce")
    for path in ("/backprop?step=35", "/backprop?op=average&padding=same&input=[[3,1,2],[0,0,1],[3,1,2]]&pool=[2,2]"
                 "&strides=[1,1]&step=8",
                 "/backprop?activation=tanh&input=[[0.5,-1.25,2],[3.75,0,-2],[1,1,1]]&step=24"):
        page = web.goto(path)
        ready(page)
        check_cells(page, 12)
    web.assert_clean()


def check_cells(page, px):
    """Every number in a diagram is at least `px` pixels high and fits its cell."""
    bad = page.evaluate("""px => [...document.querySelectorAll('.stage .cell .v, .stage .cap, .stage figcaption')]
        .filter(el => el.textContent && el.offsetParent)
        .flatMap(el => {
          const size = parseFloat(getComputedStyle(el).fontSize);
          const cell = el.closest('.cell');
          const cut = cell && (el.getBoundingClientRect().width > cell.clientWidth + 0.5);
          return size < px || cut ? [[el.textContent, size, cell ? cell.clientWidth : null]] : [];
        })""", px)
    assert not bad, bad[:10]


def test_links_from_conv_pool_and_home(web):
    page = web.goto("/pool")
    page.click(".next-link a")
    page.wait_for_url("**/backprop?op=max")
    ready(page, 4)                                  # a link names the layer; the rest is that layer's first state
    assert page.get_attribute("#ops [data-op=max]", "aria-pressed") == "true"
    assert page.input_value("#padding") == "valid" and page.is_checked("#strides-auto")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("location.href").endswith("/backprop?op=max&step=1")
    page = web.goto("/conv")
    page.click(".next-link a")
    page.wait_for_url("**/backprop")
    ready(page, 36)
    page = web.goto("/")
    page.click("#card-backprop h3 a")
    page.wait_for_url("**/backprop")
    ready(page, 36)
    web.assert_clean()


@pytest.mark.parametrize("preset,op,endpoint,key,slot", [
    ("backprop-conv-one-hot", "conv", "/api/conv2d/backward", "grad_input", "b-res"),
    ("backprop-pool-max", "max", "/api/pool/backward", "grad_input", "b-out"),
    ("transpose-strides", "transpose", "/api/conv2d_transpose", "output", "b-out"),
])
def test_the_backward_lecture_examples_are_in_the_picker(web, server_url, preset, op, endpoint, key, slot):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop")
    ready(page, 36)
    ex = next(e for e in httpx.get(server_url + "/api/examples", timeout=20).json()["examples"] if e["id"] == preset)
    page.select_option("#preset", preset)
    page.wait_for_function("o => document.querySelector(`#ops [data-op=${o}]`).getAttribute('aria-pressed') === 'true'",
                           arg=op)
    ready(page)
    blur(page)
    page.keyboard.press("End")
    want = api(server_url, endpoint, ex["request"])
    assert want[key] == ex["expected"][key]
    page.wait_for_function("s => [...document.querySelectorAll(`#${s} .cell .v`)].some(c => c.textContent)",
                           arg=slot)
    assert texts(page, slot) == shown(want[key])
    assert page.eval_on_selector("#preset", "s => s.value") == preset      # the picker names the example shown
    web.assert_clean()


# the note under the layer and trace tabs: every trace its own (dL/dx, dL/dW and dL/db are three computations)
NOTES = [("conv", "grad_input", "bp.note_conv_grad_input", "dL/dx", 36),
         ("conv", "grad_kernel", "bp.note_conv_grad_kernel", "dL/dW", 9),
         ("conv", "grad_bias", "bp.note_conv_grad_bias", "dL/db", 1),
         ("max", None, "bp.note_max", None, 4), ("average", None, "bp.note_average", None, 4),
         ("transpose", "scatter", "bp.note_transpose", None, 16),
         ("transpose", "gather", "bp.note_transpose", None, 16)]


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_each_trace_has_its_own_note(web, lang):
    web.page.emulate_media(reduced_motion="reduce")
    strings = EN if lang == "en" else ZH
    page = web.goto(f"/backprop?lang={lang}")
    ready(page, 36, zh=lang != "en")
    for op, view, key, subject, steps in NOTES:
        if page.get_attribute(f"#ops [data-op={op}]", "aria-pressed") != "true":
            page.click(f"#ops [data-op={op}]")
        if view and page.get_attribute(f"#views [data-view={view}]", "aria-pressed") != "true":
            page.click(f"#views [data-view={view}]")
        ready(page, steps, zh=lang != "en")
        note = page.inner_text("#op-note")
        assert note == strings[key], (op, view, note)
        if subject:                            # the note talks about what the trace computes
            assert note.startswith(subject), (view, note)
            others = {"dL/dx", "dL/dW", "dL/db"} - {subject}
            assert not any(note.startswith(o) or f"{o} 也是" in note or f"{o} is" in note for o in others), note
    # dL/dx's rings of zeros: (k − 1)·d with a dilation d (the engine pads dL/dz by K − 1, K = (k − 1)·d + 1),
    # never broken over two lines
    rings = "(k\u00a0−\u00a01)·d"
    assert rings in strings["bp.note_conv_grad_input"] and rings in strings["bp.cap_dy_full"]
    # the dL/dW one says what it is: the input correlated with dL/dy, nothing turned; dL/db: a sum of dL/dy
    assert ("correlation" in strings["bp.note_conv_grad_kernel"] and "not turned" in strings["bp.note_conv_grad_kernel"]
            if lang == "en" else "相關運算" in strings["bp.note_conv_grad_kernel"])
    assert ("sum of dL/dy" in strings["bp.note_conv_grad_bias"] if lang == "en"
            else "dL/db 是 dL/dy" in strings["bp.note_conv_grad_bias"] and "總和" in strings["bp.note_conv_grad_bias"])
    # a link straight to a trace, and the language switch, keep that trace's note
    page = web.goto(f"/backprop?lang={lang}&view=grad_bias")
    ready(page, 1, zh=lang != "en")
    assert page.inner_text("#op-note") == strings["bp.note_conv_grad_bias"]
    page.click("#lang-toggle")
    other = ZH if lang == "en" else EN
    page.wait_for_function("l => document.documentElement.lang === l", arg="zh-TW" if lang == "en" else "en")
    assert page.inner_text("#op-note") == other["bp.note_conv_grad_bias"]
    web.assert_clean()


def pressed(page):
    """The layer and trace tabs pressed, e.g. 'conv grad_kernel' or 'max'."""
    return page.evaluate("() => [...document.querySelectorAll('#ops [aria-pressed=true], #views [aria-pressed=true]')]"
                         ".map(b => b.dataset.op || b.dataset.view).join(' ')")


def back_to(page, tabs, steps, move="go_back", zh=False):
    getattr(page, move)()
    page.wait_for_function("t => [...document.querySelectorAll('#ops [aria-pressed=true], #views [aria-pressed=true]')]"
                           ".map(b => b.dataset.op || b.dataset.view).join(' ') === t", arg=tabs)
    ready(page, steps, zh=zh)


def test_back_returns_to_the_previous_layer_and_trace(web):
    web.page.emulate_media(reduced_motion="reduce")
    web.goto("/")
    page = web.goto("/backprop")
    ready(page, 36)
    blur(page)
    page.keyboard.press("ArrowRight")                       # steps replace the entry: they are no choice
    page.keyboard.press("ArrowRight")
    entries = page.evaluate("history.length")
    page.click("#views [data-view=grad_kernel]")           # a trace: a choice, an entry of its own
    ready(page, 9)
    page.click("#b-out .cell[data-r='1'][data-c='1']")
    assert page.inner_text("[data-player=status]") == "Step 5 of 9"
    page.click("#views [data-view=grad_bias]")
    ready(page, 1)
    page.click("#ops [data-op=max]")                       # a layer
    ready(page, 4)
    assert page.evaluate("history.length") == entries + 3
    # an edit of the numbers replaces the entry on screen
    page.fill("#pool-r", "3")
    page.dispatch_event("#pool-r", "change")
    page.wait_for_function("() => location.search.includes('pool=[3,2]')")
    ready(page)
    assert page.evaluate("history.length") == entries + 3

    back_to(page, "conv grad_bias", 1)
    assert "view=grad_bias" in page.url and page.inner_text("#op-note") == EN["bp.note_conv_grad_bias"]
    assert texts(page, "b-out") == [["16"]]
    back_to(page, "conv grad_kernel", 9)
    assert page.inner_text("[data-player=status]") == "Step 5 of 9"           # at the step it was left at
    assert page.inner_text("#facts") == "dL/dW[1, 1] = 21"
    back_to(page, "conv grad_input", 36)
    assert page.inner_text("[data-player=status]") == "Step 3 of 36"
    assert page.inner_text("#op-note") == EN["bp.note_conv_grad_input"]
    back_to(page, "conv grad_kernel", 9, move="go_forward")                   # Forward: nothing lost
    assert page.inner_text("[data-player=status]") == "Step 5 of 9"
    back_to(page, "conv grad_bias", 1, move="go_forward")
    back_to(page, "max", None, move="go_forward")
    assert page.input_value("#pool-r") == "3" and "pool=[3,2]" in page.url    # with the edit made there
    back_to(page, "conv grad_bias", 1)
    back_to(page, "conv grad_kernel", 9)
    back_to(page, "conv grad_input", 36)
    assert page.url.endswith("/backprop?step=2")
    page.go_back()                                                              # the page before /backprop
    page.wait_for_url(web.base + "/")
    web.assert_clean()


def test_back_after_an_explanation_button_and_the_example_picker(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")
    page = web.goto("/backprop?lang=zh-TW")
    ready(page, 36, zh=True)
    page.click("#show-strides")                             # the explanation's example: strides 2
    page.wait_for_function("() => location.search.includes('strides=[2,2]')")
    ready(page, 25, zh=True)
    page.select_option("#preset", "backprop-pool-max")      # an example from the picker
    page.wait_for_function("() => document.querySelector('#ops [data-op=max]').getAttribute('aria-pressed') === 'true'")
    ready(page, zh=True)
    page.click("#lang-toggle")                              # the language is the reader's: Back keeps it
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    back_to(page, "conv grad_input", 25)
    assert "strides=[2,2]" in page.url and "lang=en" in page.url
    assert page.evaluate("document.documentElement.lang") == "en" and page.input_value("#stride-r") == "2"
    assert page.eval_on_selector("#preset", "s => s.value") == ""
    back_to(page, "conv grad_input", 36)
    assert "strides" not in page.url and page.input_value("#stride-r") == "1"
    assert page.inner_text("#pane-bwd-h") == "Backward pass"
    back_to(page, "conv grad_input", 25, move="go_forward")
    back_to(page, "max", None, move="go_forward")
    assert page.eval_on_selector("#preset", "s => s.value") == "backprop-pool-max"
    web.assert_clean()


# ---- the legend: every swatch told apart without its hue, and drawn as the grids draw the cells it names

SWATCHES = """() => [...document.querySelectorAll('.stage-foot .legend .swatch')].filter(s => s.offsetParent).map(s => {
    const css = getComputedStyle(s), before = getComputedStyle(s, '::before');
    const shape = (v) => v.replace(/rgba?\\([^)]*\\)/g, 'C').replace(/#[0-9a-f]{3,8}/gi, 'C');   // no colours
    return {kind: s.className.replace('swatch', '').trim(), label: s.nextElementSibling.textContent,
            border: css.borderTopStyle, shadow: shape(css.boxShadow), hatch: css.backgroundImage.match(/-?\\d+deg/g) || [],
            flag: before.content !== 'none' && before.content !== 'normal', width: s.getBoundingClientRect().width}; })"""

# each mark on a cell, as the grids draw it, beside its swatch's
MARKS = """() => {
    const css = (el, pseudo) => (el ? getComputedStyle(el, pseudo) : null);
    const frames = ['win', 'cur', 'hit', 'arg', 'now'];     // a cell with one mark only (arg is drawn over win)
    const alone = (kind) => [...document.querySelectorAll(`.stage .mgrid .cell.${kind}`)]
      .find(c => frames.every(f => f === kind || !c.classList.contains(f)));
    const pair = (kind) => ({swatch: document.querySelector(`.stage-foot .swatch.${kind}`), cell: alone(kind)});
    const out = {};
    for (const kind of ['win', 'cur', 'hit', 'pad', 'crop', 'arg']) {
      const {swatch, cell} = pair(kind);
      if (!swatch || !swatch.offsetParent || !cell) continue;
      const s = css(swatch), c = css(cell), ca = css(cell, '::after'), sb = css(swatch, '::before'), cb = css(cell, '::before');
      out[kind] = {swatch: {shadow: s.boxShadow, image: s.backgroundImage, border: s.borderTopStyle, colour: s.borderTopColor,
                            flag: sb.content !== 'none'},
                   cell: {shadow: c.boxShadow, image: c.backgroundImage, after: ca.backgroundImage, border: c.borderTopStyle,
                          outline: c.outlineStyle, colour: c.outlineColor, flag: cb.content !== 'none'}};
    }
    return out; }"""


@pytest.mark.parametrize("screen", ["web", "phone"])
# kinds: the legend's swatches; drawn: the marks the grids show at that step
@pytest.mark.parametrize("path,kinds,drawn", [
    ("/backprop?step=15", {"win", "cur", "hit", "pad", "crop"}, {"win", "cur", "hit", "pad", "crop"}),
    ("/backprop?op=max&step=1", {"win", "cur", "hit", "pad", "crop", "arg"}, {"win", "cur", "hit", "arg"})])
def test_legend_swatches_differ_without_colour_and_match_the_grids(request, screen, path, kinds, drawn):
    watch = request.getfixturevalue(screen)
    page = watch.goto(path)
    ready(page)
    swatches = page.evaluate(SWATCHES)
    assert {s["kind"] for s in swatches} == kinds
    # told apart by frame and pattern alone (the hue removed): two swatches never share all of them
    looks = [(s["border"], s["shadow"], tuple(s["hatch"]), s["flag"]) for s in swatches]
    assert len(set(looks)) == len(looks), swatches
    # the two hatches (padding and inserted zeros; cropped) run different ways, not only in a different grey
    hatched = [tuple(sorted(s["hatch"])) for s in swatches if s["hatch"]]
    assert len(hatched) == 2 and len(set(hatched)) == 2, swatches
    # the window and this step's cell: a single and a double frame
    rings = {s["kind"]: s["shadow"].count("inset") for s in swatches}
    assert rings["win"] == 1 and rings["cur"] >= 2, rings
    assert all(s["width"] >= 16 for s in swatches), swatches                # big enough to see the pattern
    # each swatch is drawn as the grids draw that cell
    marks = page.evaluate(MARKS)
    assert set(marks) == drawn, marks
    for kind in ("win", "cur", "arg"):
        if kind in marks:
            assert marks[kind]["swatch"]["shadow"] == marks[kind]["cell"]["shadow"], (kind, marks[kind])
    if "pad" in marks:
        assert marks["pad"]["swatch"]["image"] == marks["pad"]["cell"]["image"] != "none"
        assert marks["pad"]["swatch"]["border"] == marks["pad"]["cell"]["border"] == "dashed"
    assert marks["hit"]["swatch"]["border"] == marks["hit"]["cell"]["outline"] == "dashed"
    assert marks["hit"]["swatch"]["colour"] == marks["hit"]["cell"]["colour"]
    if "crop" in marks:
        assert marks["crop"]["swatch"]["image"] == marks["crop"]["cell"]["after"] != "none"
    if "arg" in marks:
        assert marks["arg"]["swatch"]["flag"] and marks["arg"]["cell"]["flag"]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    watch.assert_clean()


# ---- at 360 px the step's formula is right under the player (it was two screens below it, under the grids)

@pytest.mark.parametrize("path", ["/backprop?step=14", "/backprop?op=max&step=0", "/backprop?view=grad_kernel&step=3"])
def test_phone_the_step_formula_is_in_view_under_the_player(phone, path):
    page = phone.goto(path)
    ready(page)
    at = formula_under_player(page)
    assert at["player"] <= at["formula"][0] < at["grids"], at            # under the player, above the grids
    assert at["facts"] <= at["screen"], at                                # within the screen the player opens
    before, step = page.inner_text("#facts"), page.inner_text("[data-player=status]")
    page.tap("[data-player=forward]")
    page.wait_for_function("s => document.querySelector('[data-player=status]').textContent !== s"
                           " && document.getElementById('facts').textContent", arg=step)
    assert page.inner_text("#facts") != before                            # the next cell, said under the player
    at = formula_under_player(page)
    assert at["facts"] <= at["screen"] and at["width"] <= 360, at
    phone.assert_clean()


def test_desktop_the_formula_stays_between_the_player_and_the_grids(web):
    page = web.goto("/backprop?step=15")
    ready(page, 36)
    at = formula_under_player(page)
    assert at["player"] <= at["formula"][0] and at["facts"] <= at["grids"], at
    web.assert_clean()


# ---- the editors say why a cell they cannot use is not used

def test_a_kernel_cell_that_is_no_number_says_why(web):
    page = web.goto("/backprop?lang=zh-TW")
    ready(page, 36, zh=True)
    cell = page.locator("#k-editor input[data-r='0'][data-c='0']")        # W's first weight, 2
    cell.click()
    page.keyboard.type("x")
    want = "濾鏡 W，第 1 列第 1 行：「x」不是數字，仍使用上一個有效值 2。"
    page.wait_for_function("t => document.querySelector('#k-editor .medit-invalid').textContent === t", arg=want)
    note = page.locator("#k-editor .medit-invalid")
    assert note.is_visible() and cell.get_attribute("aria-describedby") == note.get_attribute("id")
    assert texts(page, "f-w")[0][0] == "2"                                 # the page goes on with the 2
    page.click("#lang-toggle")                                              # the table is built again, in English
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert note.is_hidden()                                                 # its cells hold numbers again
    cell.click()
    page.keyboard.type("--1")
    page.wait_for_function("t => document.querySelector('#k-editor .medit-invalid').textContent === t",
                           arg="Filter W, row 1, column 1: “--1” is not a number; the last valid value 2 is used.")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.wait_for_function("() => document.querySelector('#k-editor .medit-invalid').hidden")
    page.wait_for_function("() => document.querySelector('#f-w .cell .v').textContent === '3'")
    web.assert_clean()
