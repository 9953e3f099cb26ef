"""/rnn and /lstm in Chromium: the lecture's numbers appear as the player steps, and state, language,
touch and errors behave."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.e2e.audit import describe, fit_problems, label_sizes, watch_canvas

pytestmark = pytest.mark.browser

I18N = Path(__file__).resolve().parents[2] / "static/i18n"
ZH_LSTM = json.loads((I18N / "lstm.zh-TW.json").read_text(encoding="utf-8"))


def ready(page, steps):
    page.wait_for_function(
        "t => document.querySelector('[data-player=status]').textContent.endsWith(t)", arg=f"of {steps}")


def status(page):
    return page.inner_text("[data-player=status]")


def press(page, key, expect_status):
    page.keyboard.press(key)
    page.wait_for_function("s => document.querySelector('[data-player=status]').textContent === s", arg=expect_status)


def test_lstm_gate_preset_memory_3_7_7_7_0(web):
    page = web.goto("/lstm")
    ready(page, 5)
    memory, output, announced = [], [], []
    for i in range(5):
        if i:
            press(page, "ArrowRight", f"Step {i + 1} of 5")
        memory.append(page.inner_text("#memory-now"))
        output.append(page.inner_text("#hidden-now"))
        announced.append(page.inner_text("#live"))
    assert memory == ["3", "7", "7", "7", "0"]
    assert output == ["0", "0", "0", "7", "0"]
    assert announced[1].startswith("Step 2:") and "memory c = 7" in announced[1] and "forget gate 0" in announced[4]
    # the diagram's conveyor and the formulas say the same
    assert page.locator(".cell-svg .state").first.text_content() == "c₄ = 7"
    assert "c₅ = f×c₄ + i×c̃ = 0×7 + 0×3 = 0" in page.inner_text("#formulas")
    # the timeline table has revealed every step's memory
    cells = page.eval_on_selector_all("#timeline tbody tr", "rs => rs.map(r => r.children[6].textContent)")
    assert cells == ["3", "7", "7", "7", "0"]
    web.assert_clean()


def test_lstm_sigmoid_preset_and_keras_2_button(web):
    page = web.goto("/lstm?preset=lstm-gates-sigmoid")
    ready(page, 5)
    press(page, "End", "Step 5 of 5")
    press(page, "ArrowLeft", "Step 4 of 5")
    assert page.inner_text("#hidden-now") == "6.9995"
    page.click("#keras2")  # the lecture's Keras 2 default: hard_sigmoid
    page.wait_for_function("() => document.getElementById('hidden-now').textContent === '7'")
    assert page.input_value("#recurrent-activation") == "hard_sigmoid"
    # Keras 3 has no Keras 2 hard_sigmoid: the API's code defines it and says so (changed in 0.2)
    keras = page.inner_text("#keras")
    assert "recurrent_activation=hard_sigmoid_keras2" in keras and "def hard_sigmoid_keras2(z):" in keras
    web.assert_clean()


def test_rnn_lecture_preset_outputs_4_14_36(web, server_url):
    page = web.goto("/rnn")
    ready(page, 3)
    future = page.eval_on_selector_all(".ucol.future", "cs => cs.length")
    assert future == 2  # values of later steps are hidden until the player reaches them
    press(page, "End", "Step 3 of 3")
    read = ("(sel) => [...document.querySelectorAll('.ucol[data-t]')]"
            ".map(c => [...c.querySelectorAll(sel + ' .v')].map(v => v.dataset.v))")
    assert page.evaluate(read, ".ubox.out") == [["4", "4"], ["14", "14"], ["36", "36"]]
    assert page.evaluate(read, ".ubox.mem") == [["2", "2"], ["7", "7"], ["18", "18"]]
    assert "h₃[1] = 1×1 + 3×1 + 7×1 + 7×1 = 18" in page.inner_text("#formulas")
    assert "y₃[2] = 18×1 + 18×1 = 36" in page.inner_text("#formulas")
    assert page.locator("#net svg .ny").count() == 2
    # clicking a column of the unrolled network jumps to that step
    page.click(".ucol[data-t='0']")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent === 'Step 1 of 3'")
    # the classic order preset
    page.select_option("#preset", "rnn-lecture-order")
    page.wait_for_function("() => document.querySelector('.ucol[data-t=\"2\"] .ubox.out .v')?.dataset.v === '32'")
    web.assert_clean()


def test_editing_a_weight_posts_it_and_shows_the_api_numbers(web, server_url):
    page = web.goto("/rnn")
    ready(page, 3)
    cell = page.locator("#ed-kernel input[data-r='0'][data-c='0']")
    cell.fill("2")
    cell.press("Enter")
    page.wait_for_function("() => document.getElementById('preset').value === ''")
    body = {"inputs": [[1, 1], [2, 1], [1, 3]], "kernel": [[2, 1], [1, 1]], "recurrent_kernel": [[1, 1], [1, 1]],
            "use_bias": False, "activation": "linear", "output_layer": {"kernel": [[1, 1], [1, 1]], "use_bias": False}}
    want = httpx.post(server_url + "/api/rnn", json=body, timeout=10).json()["outputs"]
    page.click("#player [data-player=end]")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent === 'Step 3 of 3'")
    got = page.evaluate("() => [...document.querySelectorAll('.ucol[data-t] .ubox.out')]"
                        ".map(b => [...b.querySelectorAll('.v')].map(v => Number(v.dataset.v)))")
    assert got == want
    assert page.locator("#ed-kernel input[data-r='0'][data-c='0']").input_value() == "2"
    web.assert_clean()


def test_url_state_restores_step_cell_and_edits(web):
    page = web.goto("/lstm")
    ready(page, 5)
    page.locator("#player [data-player=forward]").click()
    page.locator("#player [data-player=forward]").click()
    page.locator("#player [data-player=forward]").click()
    page.wait_for_function("() => location.search.includes('step=3')")
    page.reload()
    page.wait_for_load_state("networkidle")
    ready(page, 5)
    assert status(page) == "Step 4 of 5" and page.inner_text("#memory-now") == "7"
    # an edited input lives in the URL too
    cell = page.locator("#ed-inputs input[data-r='0'][data-c='0']")
    cell.fill("5")
    cell.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).has('req')")
    req = json.loads(parse_qs(urlparse(page.evaluate("location.href")).query)["req"][0])
    assert req["inputs"][0] == [5, 1, 0]
    page.reload()
    page.wait_for_load_state("networkidle")
    ready(page, 5)
    assert page.inner_text("#memory-now") == "9"  # 5 + 4, kept through steps 3 and 4
    # GRU on the same page
    page.click("[data-cell-button=gru]")
    ready(page, 4)
    assert "z₁[1] = sigmoid(" in page.inner_text("#formulas")
    assert page.is_hidden("#memory-now") and page.is_visible("#hidden-now")
    page.reload()
    page.wait_for_load_state("networkidle")
    ready(page, 4)
    assert page.get_attribute("[data-cell-button=gru]", "aria-pressed") == "true"
    web.assert_clean()


def test_language_toggle_relabels_and_redraws(web):
    page = web.goto("/lstm")
    ready(page, 5)
    page.click("#lang-toggle")
    page.wait_for_function("h => document.querySelector('h1').textContent === h", arg=ZH_LSTM["lstm.h1"])
    assert ZH_LSTM["formula.input"] in page.inner_text("#formulas")
    assert page.inner_text("#memory-label") == "記憶 c₁ ="
    assert page.inner_text("[data-player=status]") == "第 1 步，共 5 步"
    assert "輸入閘" in page.inner_text("#meters")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.querySelector('h1').textContent.startsWith('Long Short-Term Memory')")
    web.assert_clean()


def test_memory_demo_simple_rnn_vs_lstm(web):
    page = web.goto("/lstm")
    ready(page, 5)
    page.wait_for_function("() => document.getElementById('demo-lstm-cap').textContent.includes('0.999')")
    assert "0.18" in page.inner_text("#demo-rnn-cap")
    assert page.locator("#demo-rnn .bar").count() == 20 and page.locator("#demo-lstm .bar").count() == 20
    first = [float(page.inner_text(f"#demo-{n}-read").split("= ")[1]) for n in ("rnn", "lstm")]
    assert first[0] < 0.1 < 0.9 < first[1]
    web.assert_clean()


def test_engine_error_is_shown_with_its_field(web):
    page = web.goto('/rnn?preset=""&req={"inputs":[[1,2],[3]],"units":1}')
    page.wait_for_selector("#error:not([hidden])")
    assert "inputs.1" in page.inner_text("#error")
    # the presets still work and clear the error
    page.select_option("#preset", "rnn-lecture")
    ready(page, 3)
    assert page.is_hidden("#error")


@pytest.mark.parametrize("path, steps", [("/rnn", 3), ("/lstm", 5), ("/lstm?cell=gru&preset=gru-small", 4)])
def test_phone_no_horizontal_scroll_and_touch(phone, path, steps):
    page = phone.goto(path)
    ready(page, steps)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.tap("#player [data-player=forward]")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent.startsWith('Step 2')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.assert_clean()


@pytest.mark.parametrize("path, steps", [("/lstm", 5), ("/lstm?cell=gru&preset=gru-small", 4)])
def test_on_a_phone_the_cell_is_shown_as_two_halves_without_scrolling(phone, path, steps):
    page = phone.goto(path)
    ready(page, steps)
    box = page.evaluate("""() => { const c = document.getElementById('cell');
        return {scroll: c.scrollWidth, width: c.clientWidth, split: c.classList.contains('split'),
                svgs: [...c.querySelectorAll('svg')].map(s => ({box: s.getAttribute('viewBox'),
                    shown: s.getBoundingClientRect().width > 0, hidden: s.getAttribute('aria-hidden')}))}; }""")
    assert box["split"] and box["scroll"] <= box["width"], box                 # no sideways scrolling
    assert [s["box"] for s in box["svgs"]] == ["0 0 350 340", "314 0 386 340"] and all(s["shown"] for s in box["svgs"])
    assert box["svgs"][1]["hidden"] == "true"                                 # one image for screen readers
    page.tap("#player [data-player=forward]")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent.startsWith('Step 2')")
    first, second = (page.eval_on_selector_all(f"#cell svg:nth-of-type({n}) .gval", "ts => ts.map(t => t.textContent)")
                     for n in (1, 2))
    assert first == second and any(first)                                     # both halves show the step's values
    phone.assert_clean()


def test_on_a_wide_screen_the_cell_is_one_drawing(web):
    page = web.goto("/lstm")
    ready(page, 5)
    svgs = page.eval_on_selector_all("#cell svg", "ss => ss.map(s => [s.getAttribute('viewBox'), "
                                                  "s.getBoundingClientRect().width])")
    assert svgs[0][0] == "0 0 700 340" and svgs[0][1] > 500 and svgs[1][1] == 0
    web.assert_clean()


# every point of the step picture's lines and dashed curves (1 px apart) that falls in a label's box
NET_CROSSINGS = """() => {
  const svg = document.querySelector('#net svg');
  const boxes = [...svg.querySelectorAll('.nl')].map((t) => ({ name: t.textContent, b: t.getBBox() }));
  const hits = new Set();
  for (const e of svg.querySelectorAll('.edges line, .edges path')) {
    for (let k = 0, n = e.getTotalLength(); k <= n; k++) {
      const p = e.getPointAtLength(k);
      for (const { name, b } of boxes) {
        if (p.x >= b.x - 1 && p.x <= b.x + b.width + 1 && p.y >= b.y - 1 && p.y <= b.y + b.height + 1) {
          hits.add(`${e.getAttribute('class')} × ${name}`);
        }
      }
    }
  }
  return [...hits];
}"""


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("screen, smallest", [("phone", 11), ("web", 12)])
def test_the_step_picture_s_lines_cross_no_label_and_it_fits_a_phone(request, screen, smallest, lang):
    """The picture of one step (inputs and memory cells → hidden neurons → outputs): no line or dashed store
    curve runs through a name, the names keep 11 px on a phone and 12 px on a laptop, and at 360 px the
    lecture's example fits its box (the last memory cell's name was cut at the edge)."""
    watch = request.getfixturevalue(screen)
    page = watch.goto(f"/rnn?lang={lang}")
    page.wait_for_selector("#net svg .nl")
    for key in (None, "End"):
        if key:
            page.keyboard.press(key)
            page.wait_for_function("() => document.querySelector('#net svg .nh .nl').textContent.startsWith('h₃')")
        assert page.evaluate(NET_CROSSINGS) == []
        sizes = page.evaluate("() => [...document.querySelectorAll('#net svg text')].map(t => "
                              "parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)")
        assert min(sizes) >= smallest, sizes
        box = page.eval_on_selector("#net", "b => [b.scrollWidth, b.clientWidth]")
        assert box[0] <= box[1], box
    watch.assert_clean()


@pytest.mark.parametrize("path, ed, want", [
    ('/rnn?preset=""&req={"inputs":[[1,2]],"units":2,"output_layer":{"units":1}}', "#ed-bias",
     {"en": "bias b, h₁", "zh-TW": "偏差 b，h₁"}),
    ('/rnn?preset=""&req={"inputs":[[1,2]],"units":2,"output_layer":{"units":1}}', "#ed-out-bias",
     {"en": "output bias c, y₁", "zh-TW": "輸出層偏差 c，y₁"}),
    ("/lstm", "#ed-bias", {"en": "bias b, i₁", "zh-TW": "偏差 b，i₁"}),
    ("/lstm?cell=gru&preset=gru-small", "#ed-bias", {"en": "bias b (input), z₁", "zh-TW": "偏差 b (輸入)，z₁"}),
])
def test_a_bias_cell_names_its_symbol_once_in_both_languages(web, path, ed, want):
    """A screen reader heard "bias b b, i₁" (the editor's name and its row both said b), and zh-TW showed
    "bias b" untranslated."""
    page = web.goto(path)
    page.wait_for_selector(f"{ed} input")
    assert page.get_attribute(f"{ed} input[data-r='0'][data-c='0']", "aria-label") == want["en"]
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    page.wait_for_function("([sel, name]) => document.querySelector(sel).getAttribute('aria-label') === name",
                           arg=[f"{ed} input[data-r='0'][data-c='0']", want["zh-TW"]])
    heading = page.inner_text(f"{ed.replace('#ed-', '#')}-section h3")
    assert heading.startswith(("偏差 b", "輸出層偏差 c")) and "bias b" not in heading
    web.assert_clean()


def test_the_chosen_gate_activation_survives_a_switch_of_the_cell_and_a_reload(web):
    """/lstm's Keras 2 / Keras 3 choice (recurrent_activation) is the reader's: GRU → LSTM kept it (it went back
    to the example's hard_sigmoid); an example picked from the list brings its own again."""
    page = web.goto("/lstm")
    ready(page, 5)
    act = "document.getElementById('recurrent-activation').value"
    gates = "n => document.getElementById('recurrent-activation').value === n"
    assert page.evaluate(act) == "hard_sigmoid"                                   # the lecture's example
    page.click("#keras3")
    page.wait_for_function(gates, arg="sigmoid")
    page.click("[data-cell-button=gru]")
    ready(page, 4)
    assert page.evaluate(act) == "sigmoid" and "z₁[1] = sigmoid(" in page.inner_text("#formulas")
    page.click("[data-cell-button=lstm]")
    ready(page, 5)
    assert page.evaluate(act) == "sigmoid" and page.input_value("#preset") == "lstm-gates-sigmoid"  # its twin
    press(page, "End", "Step 5 of 5")
    press(page, "ArrowLeft", "Step 4 of 5")
    assert page.inner_text("#hidden-now") == "6.9995"                             # the API used sigmoid
    page.click("#keras2")                                                         # and the other way round
    page.wait_for_function("() => document.getElementById('hidden-now').textContent === '7'")
    page.click("[data-cell-button=gru]")
    ready(page, 4)
    assert page.evaluate(act) == "hard_sigmoid" and "z₁[1] = hard_sigmoid(" in page.inner_text("#formulas")
    page.reload()                                                                 # the URL keeps the choice
    page.wait_for_load_state("networkidle")
    ready(page, 4)
    page.click("[data-cell-button=lstm]")
    ready(page, 5)
    assert page.evaluate(act) == "hard_sigmoid" and page.input_value("#preset") == "lstm-gates"
    page.select_option("#preset", "lstm-gates-sigmoid")                           # an example brings its own
    page.wait_for_function(gates, arg="sigmoid")
    page.click("[data-cell-button=gru]")
    ready(page, 4)
    page.click("[data-cell-button=lstm]")
    ready(page, 5)
    assert page.evaluate(act) == "hard_sigmoid" and page.input_value("#preset") == "lstm-gates"
    web.assert_clean()


# The views of every time step: /rnn's unrolled net, /lstm's (and the GRU's) table of every step and gate heatmaps.
STEP_VIEWS = ["#unroll", "#timeline", ".heat-scroll"]
# phone states: name -> path (the lecture's examples, an LSTM whose tiny h_t reads 1.36e-4, the GRU)
PHONE_STATES = {
    "rnn": "/rnn",
    "lstm": "/lstm",
    "lstm-sigmoid": '/lstm?preset="lstm-gates-sigmoid"',
    "gru": "/lstm?cell=gru&preset=gru-small",
}
LONG_RNN = '/rnn?preset=""&req={"inputs":[[1,0],[0,1],[1,1],[0,0],[1,0],[0,1],[1,1],[0,0]],"units":2,"seed":3}'

# each view of the time steps: its box, whether it scrolls, and the cue of the frame around it (scrollcue.js)
VIEWS = """(selectors) => selectors.flatMap((s) => [...document.querySelectorAll(s)]).map((box) => {
  const frame = box.parentElement, op = (p) => getComputedStyle(frame, p).opacity === "1";
  const r = box.getBoundingClientRect();
  return { id: box.id || box.className, wider: box.scrollWidth > box.clientWidth + 1,
    scrolls: ["auto", "scroll"].includes(getComputedStyle(box).overflowX), left: r.left, right: r.right,
    atStart: box.scrollLeft <= 1, atEnd: box.scrollLeft >= box.scrollWidth - box.clientWidth - 1,
    framed: frame.classList.contains("scroll-frame"), cueLeft: op("::before"), cueRight: op("::after") };
})"""


def drawn(page):
    """The page has drawn its answer: the current step is marked in its view of every step."""
    page.wait_for_selector(".ucol.current, #timeline tr.current", state="attached", timeout=20000)
    return page.evaluate("document.querySelectorAll('.ucol[data-t], #timeline tbody tr').length")


def to_last_step(page, steps):
    page.focus("#player [data-player=play]")
    page.keyboard.press("End")
    page.wait_for_selector(f".ucol.current[data-t='{steps - 1}'], #timeline tr.current[data-t='{steps - 1}']",
                           state="attached")


def cue_is(page, box, left, right):
    """Wait until the frame around `box` shows the cue on exactly these sides (the fade is 0.15 s)."""
    page.wait_for_function("""([sel, left, right]) => { const f = document.querySelector(sel).parentElement;
        const on = (p) => getComputedStyle(f, p).opacity === "1";
        return f.classList.contains("scroll-frame") && on("::before") === left && on("::after") === right; }""",
                           arg=[box, left, right], timeout=5000)


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("name", list(PHONE_STATES))
def test_at_360_px_the_time_steps_never_widen_the_page_and_nothing_is_cut(phone, name, lang):
    """At 360 px, in both languages, at the first and the last step: the page never scrolls sideways, no number
    or label is cut (audit.fit_problems), diagram text keeps 11 px, and a view of the time steps wider than the
    screen scrolls in its own box, with a cue on the side where more of it is (the sigmoid LSTM's h₁ = 1.36e-4
    ran out of the cell's drawing and 5.74e-39 out of the line chart)."""
    watch_canvas(phone.page.context)
    path = PHONE_STATES[name]
    page = phone.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    steps = drawn(page)
    assert page.evaluate("document.documentElement.lang") == lang
    for last in (False, True):
        if last:
            to_last_step(page, steps)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, (last, name)
        problems = fit_problems(page)
        assert not problems, describe(problems)
        small = [x for x in label_sizes(page) if x["px"] < 11]
        assert not small, describe(small)
        views = page.evaluate(VIEWS, STEP_VIEWS)
        assert views, "no view of the time steps"
        for v in views:
            assert v["framed"] and v["left"] >= 0 and v["right"] <= 360, v
            if v["wider"]:   # scrolled in its box, the cue where more is (the fade takes 0.15 s)
                assert v["scrolls"], v
                page.wait_for_timeout(200)
                v = next(w for w in page.evaluate(VIEWS, STEP_VIEWS) if w["id"] == v["id"])
                assert (v["cueLeft"], v["cueRight"]) == (not v["atStart"], not v["atEnd"]), v
            else:
                assert not v["cueLeft"] and not v["cueRight"], v
    phone.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_on_a_phone_the_unrolled_net_fits_or_scrolls_in_its_box_with_a_cue(phone, lang):
    """/rnn at 360 px: the lecture's three steps fit the screen whole (no column past the box's edge, no cue);
    a sequence of 8 steps scrolls in the net's own box (never the page), with a fade and an arrow on the side
    where more steps are, and the current step scrolled into view. zh-TW is chosen with the page's switch."""
    page = phone.goto("/rnn")
    assert drawn(page) == 3
    if lang == "zh-TW":
        page.click("#lang-toggle")
        page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
        page.wait_for_function("() => document.querySelector('.ucol.init .ut').textContent === '開始'")
    whole = """() => { const box = document.getElementById('unroll'), b = box.getBoundingClientRect();
        return [box.scrollWidth <= box.clientWidth, [...box.querySelectorAll('.ucol')].every((c) => {
          const r = c.getBoundingClientRect(); return r.left >= b.left && r.right <= b.right; })]; }"""
    assert page.evaluate(whole) == [True, True]
    cue_is(page, "#unroll", False, False)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    sizes = [x for x in label_sizes(page, [".unroll"]) if x["px"] < 11]
    assert not sizes, describe(sizes)

    page = phone.goto(f"{LONG_RNN}&lang={lang}")
    assert drawn(page) == 8
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    cue_is(page, "#unroll", False, True)                                           # more to the right
    to_last_step(page, 8)
    cue_is(page, "#unroll", True, False)                                           # scrolled to the end
    current = """() => { const b = document.getElementById('unroll').getBoundingClientRect();
        const c = document.querySelector('.ucol.current').getBoundingClientRect();
        return c.left >= b.left - 1 && c.right <= b.right + 1; }"""
    assert page.evaluate(current)                                                  # the current step in view
    page.eval_on_selector("#unroll", "b => b.scrollTo({left: 0})")
    cue_is(page, "#unroll", False, True)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert not fit_problems(page), describe(fit_problems(page))
    phone.assert_clean()


# /lstm's "c_t and h_t over time": for each value label, what it meets (another label, a line of the chart: c, h
# or the current step's dotted line, a mark) or whether it is cut; for each mark, whether it is hidden (at none of
# four points just inside its outline is it the topmost element: c = h = 7 drew h's mark over c's)
PLOT_PROBLEMS = """() => {
  const svg = document.querySelector('#plot svg');
  const vb = svg.viewBox.baseVal, sr = svg.getBoundingClientRect(), scale = sr.width / vb.width;
  const clip = document.getElementById('plot').getBoundingClientRect();
  const rect = (r) => ({ x0: r.left, y0: r.top, x1: r.right, y1: r.bottom });
  const meet = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  const pt = (x, y) => [sr.left + (x - vb.x) * scale, sr.top + (y - vb.y) * scale];
  const crosses = ([px, py], [qx, qy], b) => {   // the segment clipped to the box (Liang-Barsky) is not empty
    const dx = qx - px, dy = qy - py; let t0 = 0, t1 = 1;
    for (const [p, q] of [[-dx, px - b.x0], [dx, b.x1 - px], [-dy, py - b.y0], [dy, b.y1 - py]]) {
      if (p === 0) { if (q < 0) return false; } else if (p < 0) t0 = Math.max(t0, q / p); else t1 = Math.min(t1, q / p);
      if (t0 > t1) return false;
    }
    return true;
  };
  const segments = [];
  for (const el of svg.querySelectorAll('polyline, line.now')) {
    const ps = el.tagName === 'line'
      ? [[el.x1, el.y1], [el.x2, el.y2]].map(([x, y]) => ({ x: x.baseVal.value, y: y.baseVal.value })) : [...el.points];
    const name = el.getAttribute('class');
    for (let k = 1; k < ps.length; k++) segments.push([pt(ps[k - 1].x, ps[k - 1].y), pt(ps[k].x, ps[k].y), name]);
  }
  const labels = [...svg.querySelectorAll('text.val')].map((el) => ({
    name: `${el.getAttribute('class')} ${el.firstChild.textContent}`, box: rect(el.getBoundingClientRect()),
    px: parseFloat(getComputedStyle(el).fontSize) * scale }));
  const dots = [...svg.querySelectorAll('circle.dot')];
  const problems = [];
  labels.forEach((a, i) => {
    for (const b of labels.slice(i + 1)) if (meet(a.box, b.box)) problems.push(`${a.name} meets ${b.name}`);
    for (const [p, q, c] of segments) if (crosses(p, q, a.box)) problems.push(`${a.name} crossed by ${c}`);
    for (const d of dots) if (meet(a.box, rect(d.getBoundingClientRect()))) problems.push(`${a.name} on a mark`);
    const inside = (o) => a.box.x0 >= o.left - 0.5 && a.box.x1 <= o.right + 0.5
      && a.box.y0 >= o.top - 0.5 && a.box.y1 <= o.bottom + 0.5;
    if (!inside(sr) || !inside(clip)) problems.push(`${a.name} cut by the chart's box`);
  });
  for (const d of dots) {
    const cx = sr.left + d.cx.baseVal.value * scale, cy = sr.top + d.cy.baseVal.value * scale;
    const r = (d.r.baseVal.value - 0.3) * scale;
    if (![[r, 0], [-r, 0], [0, r], [0, -r]].some(([dx, dy]) => document.elementFromPoint(cx + dx, cy + dy) === d)) {
      problems.push(`the mark ${d.querySelector('title').textContent} is hidden`);
    }
  }
  return { problems, labels: labels.map((l) => l.name), px: labels.map((l) => l.px) };
}"""


def at_step(page, i, steps):
    """Wait for step i of steps, in either language ("Step 2 of 5", "第 2 步，共 5 步")."""
    page.wait_for_function("n => (document.querySelector('[data-player=status]').textContent.match(/\\d+/g) || [])"
                           ".join('/') === n", arg=f"{i}/{steps}")


@pytest.mark.parametrize("path, steps", [("/lstm", 5), ("/lstm?preset=lstm-gates-sigmoid", 5),
                                         ("/lstm?cell=gru&preset=gru-small", 4)])
@pytest.mark.parametrize("screen, lang, smallest", [("web", "en", 12), ("phone", "zh-TW", 11)])
def test_the_c_and_h_chart_s_values_are_crossed_by_nothing_and_no_mark_hides_another(request, path, steps, screen,
                                                                                      lang, smallest):
    """A tester saw the current step's dotted line run through the values, and at step 4 of the gate example
    (c = h = 7) h's orange mark and value hide c's blue ones. At every step: no value meets another or a line
    (c, h, the dotted step line) or a mark, none is cut by the chart's box, each is ≥ 12 px (≥ 11 on a phone),
    and every mark shows (where c and h meet, c's is a ring around h's)."""
    watch = request.getfixturevalue(screen)
    page = watch.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    for i in range(1, steps + 1):
        if i > 1:
            page.click("#player [data-player=forward]")
        at_step(page, i, steps)
        page.locator("#plot").scroll_into_view_if_needed()
        got = page.evaluate(PLOT_PROBLEMS)
        assert got["problems"] == [], (i, got)
        # every value found a place in the lecture's example; elsewhere at least the current step's (its values
        # are placed first: where long numbers leave no room, an earlier step's give way)
        per_step = 1 if "gru" in path else 2
        assert len(got["labels"]) == per_step * i if path == "/lstm" else len(got["labels"]) >= per_step, (i, got)
        assert page.locator(f"#plot text.val[data-t='{i - 1}']").count() == per_step, (i, got)
        assert min(got["px"]) >= smallest, (i, got)
        if path == "/lstm" and i == 4:  # c = h = 7: c's value over the marks, h's under them
            c, h = (page.eval_on_selector(f"#plot text.val.{n}[data-t='3']", "t => [t.firstChild.textContent, "
                                          "t.getBBox().y]") for n in "ch")
            assert c[0] == h[0] == "7" and c[1] < h[1], (c, h)
    watch.assert_clean()


SUBSCRIPT_DIGITS = set("₀₁₂₃₄₅₆₇₈₉")


@pytest.mark.parametrize("lang, step", [("en", "Step {}:"), ("zh-TW", "第 {} 步：")])
@pytest.mark.parametrize("path, steps", [("/rnn", 3), ("/lstm", 5), ("/lstm?cell=gru&preset=gru-small", 4)])
def test_screen_readers_hear_plain_digits(web, path, steps, lang, step):
    """The hidden live region said "Step ₁: …" and "第 ₁ 步": it says "Step 1", "第 1 步", and no subscript digit
    at any step, nor do the pictures' names (aria-label); the visible notation keeps its subscripts (c₁, h₁)."""
    page = web.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    said = []
    for i in range(1, steps + 1):
        if i > 1:
            page.click("#player [data-player=forward]")
        at_step(page, i, steps)
        page.wait_for_function("prev => ![prev, ''].includes(document.getElementById('live').textContent)",
                               arg=said[-1] if said else "")
        said.append(page.inner_text("#live"))
    assert not [s for s in said if SUBSCRIPT_DIGITS & set(s)], said
    assert [s[:len(step.format(i + 1))] for i, s in enumerate(said)] == [step.format(i + 1) for i in range(steps)], said
    names = page.eval_on_selector_all("#app [role=img][aria-label]", "es => es.map(e => e.getAttribute('aria-label'))")
    assert names and not [n for n in names if SUBSCRIPT_DIGITS & set(n)], names
    visible = page.inner_text("#unroll" if path == "/rnn" else "#hidden-label")
    assert f"h{'₁₂₃₄₅'[steps - 1]}" in visible, visible
    web.assert_clean()


def test_gru_plot_legend_has_no_swatch_without_words(web):
    """A newcomer review: on GRU's "h_t over time" the memory c's words were hidden but not its colour square, an
    empty legend entry beside "h (output)". Every legend swatch shown now has words beside it, for LSTM and GRU."""
    for path, steps, keys in (("/lstm", 5, 2), ("/lstm?cell=gru&preset=gru-small", 4, 1)):
        page = web.goto(path)
        ready(page, steps)
        shown = page.evaluate("() => [...document.querySelectorAll('#plot ~ .legend .key')].filter((k) => "
                              "k.getClientRects().length).map((k) => k.textContent.trim())")
        assert len(shown) == keys and all(shown), (path, shown)
    web.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_on_a_phone_no_two_chart_labels_of_an_axis_overlap(phone, lang):
    """The 20-step demo charts labelled every third step and the last: "19" and "20" ran together as "1920"."""
    page = phone.goto(f"/lstm?lang={lang}")
    page.wait_for_function("() => document.querySelectorAll('#demo-rnn text.tick, #demo-lstm text.tick').length > 8"
                           " && document.querySelector('#sens-chart text.tick')")
    overlaps = page.evaluate("""() => [...document.querySelectorAll('svg')].flatMap((svg) => {
        const ticks = [...svg.querySelectorAll('text.tick')].map((t) => [t.textContent, t.getBoundingClientRect()])
          .filter(([, b]) => b.width);
        return ticks.flatMap(([a, p], i) => ticks.slice(i + 1).filter(([, q]) => Math.abs(p.top - q.top) < 2
          && p.left < q.right && q.left < p.right).map(([b]) => `${svg.closest('[id]').id}: ${a} / ${b}`));
      })""")
    assert not overlaps, overlaps
    labels = page.eval_on_selector_all("#demo-rnn text.tick", "ts => ts.map(t => t.textContent)")
    assert "20" in labels and "1" in labels                                   # the first and the last step shown
    phone.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_tab_title_names_the_cell_shown(web, lang):
    """GRU's view kept the LSTM's tab title."""
    page = web.goto(f"/lstm?cell=gru&lang={lang}")
    assert page.title().startswith("GRU · ")                                 # rendered by the server
    page.wait_for_function("() => /4/.test(document.querySelector('[data-player=status]').textContent)")
    page.click("[data-cell-button=lstm]")
    page.wait_for_function("() => document.title.startsWith('LSTM · ')")
    page.click("[data-cell-button=gru]")
    page.wait_for_function("() => document.title.startsWith('GRU · ')")
    page.click("#lang-toggle")                                                # and after a language switch
    page.wait_for_function("(l) => document.documentElement.lang !== l", arg=lang)
    assert page.title().startswith("GRU · ")
    for query, title in (('cell="gru"', "GRU · "), ("cell=GRU", "LSTM · ")):  # the server reads ?cell= as the page
        page = web.goto(f"/lstm?{query}&lang={lang}")                         # does (JSON or plain, exact)
        assert page.title().startswith(title), (query, page.title())
        page.wait_for_function("(t) => document.title.startsWith(t)", arg=title)
    web.assert_clean()
