"""Presenter mode and the keyboard shortcuts in Chromium at a projector's 1280×720, in English and zh-TW:
text of at least 20 px, the player kept on screen, the settings folded, the main animation of every explainer
within the screen; the toggle, the P key and the remembered choice; the `?` list (a dialog: focus in, Escape,
focus back, both languages; keys in fields stay in the fields)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from tests.e2e.audit import describe, fit_problems, label_sizes, watch_canvas
from tests.e2e.conftest import PageWatch

pytestmark = pytest.mark.browser

W, H = 1280, 720
PHONE = {"width": 360, "height": 740}
I18N = Path(__file__).resolve().parents[2] / "static/i18n"
STRINGS = {lang: json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("en", "zh-TW")}

# /backprop's animation: the step's formula and fact, the forward pass and the backward pass (the legend and the
# click hint under them may scroll)
BACKPROP = ["#formula", "#facts", "#pane-fwd", "#pane-bwd"]

# page -> (URL, what shows once the page has drawn its answer, the main animation's parts or None)
EXPLAINERS = {
    "conv": ("/conv", "#facts:not(:empty)", [".stage"]),                       # window, detail and output
    "pool": ("/pool", "#facts:not(:empty)", [".stage"]),
    "rnn": ("/rnn", ".ucol.current", [".unrolled", "#formulas"]),              # the unrolled net and its formulas
    "lstm": ("/lstm", "#memory-now:not(:empty)", ["#cell", "#meters"]),        # the cell and its gate meters
    "activations": ("/activations?fn=tanh", "#readout .rx .num", [".plot-fig", "#readout"]),  # the plot, f and f′
    "picture": ("/conv?mode=picture", "#pic-formula-0", ["#pic-in-frame", "#pic-out-frame", "#pic-pixel"]),
    "backprop": ("/backprop", "#formula:not(:empty)", BACKPROP),                # convolution, dL/dx: nine grids
    "backprop-max": ("/backprop?op=max", "#formula:not(:empty)", BACKPROP),
    "backprop-average": ("/backprop?op=average", "#formula:not(:empty)", BACKPROP),
    "backprop-transpose": ("/backprop?op=transpose", "#formula:not(:empty)", BACKPROP),   # the scatter
    "backprop-relu": ("/backprop?activation=relu", "#formula:not(:empty)", BACKPROP),     # + act′(z), dL/dz
    "draw": ("/draw?sample=7", ".answer-panel[aria-busy=false] #bars li", ["#pad", ".answer-panel"]),
    "architectures": ("/architectures", "#layers [role=option]", ["[data-panel=diagram]"]),
}

# Text the size rule does not cover: drawings (SVG, canvas), the number grids (each cell's number is sized to
# its cell; the diagram-text test measures them), and pictures hidden from assistive technology.
SMALL_TEXT = """() => {
  const drawings = "svg, canvas, .mgrid, [aria-hidden=true]";
  const small = [];
  for (const el of document.querySelectorAll("main *, .player *")) {
    if (el.closest(drawings) || el.closest("dialog")) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === "hidden") continue;
    const size = parseFloat(style.fontSize);
    const name = `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
    if (size < 19.95) small.push(`${name} ${size}px: ${el.textContent.trim().slice(0, 30)}`);
  }
  return small;
}"""

UNION = """(selectors) => {
  const boxes = selectors.flatMap((s) => [...document.querySelectorAll(s)]).map((e) => e.getBoundingClientRect());
  const top = Math.min(...boxes.map((b) => b.top)), bottom = Math.max(...boxes.map((b) => b.bottom));
  const left = Math.min(...boxes.map((b) => b.left)), right = Math.max(...boxes.map((b) => b.right));
  return {top, bottom, left, right, width: right - left, height: bottom - top, n: boxes.length};
}"""

# Number grids in the given parts that their box cuts (a scroll box smaller than the grid).
GRIDS_CUT = """(selectors) => selectors.flatMap((s) => [...document.querySelectorAll(`${s} .mgrid`)])
  .filter((g) => g.getBoundingClientRect().width)
  .filter((g) => { const box = g.parentElement;
    return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1; })
  .map((g) => g.getAttribute("aria-label"))"""


@pytest.fixture
def screen(browser, server_url):
    """A projector: 1280×720."""
    context = browser.new_context(viewport={"width": W, "height": H}, locale="en-US")
    watch = PageWatch(context.new_page(), server_url)
    yield watch
    context.close()


def open_page(watch, name, lang, extra="present=1"):
    path, ready, _ = EXPLAINERS[name]
    page = watch.goto(f"{path}{'&' if '?' in path else '?'}{extra}&lang={lang}")
    page.wait_for_selector(ready, timeout=20000)
    return page


def player_box(page):
    return page.evaluate("() => { const b = document.querySelector('.player')?.getBoundingClientRect();"
                         " return b?.height ? {top: b.top, bottom: b.bottom, height: b.height} : null; }")  # shown


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("name", list(EXPLAINERS))
def test_presenter_mode_text_player_settings_and_the_animation_on_one_screen(screen, name, lang):
    page = open_page(screen, name, lang)
    assert page.evaluate("document.documentElement.classList.contains('present')")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "20px"
    assert page.evaluate(SMALL_TEXT) == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= W           # nothing wider than the screen

    bar = player_box(page)
    room = H - (bar["height"] if bar else 0)                                     # what the fixed player leaves
    parts = EXPLAINERS[name][2]
    if parts:
        main = page.evaluate(UNION, parts)
        assert main["n"] >= len(parts) and main["width"] <= W and main["height"] <= room, main
        page.evaluate("(y) => window.scrollTo(0, y)", page.evaluate("scrollY") + main["top"] - 2)
        shown = page.evaluate(UNION, parts)
        assert shown["top"] >= 0 and shown["bottom"] <= room and shown["left"] >= 0 and shown["right"] <= W, shown
        assert page.evaluate(GRIDS_CUT, parts) == []                             # its grids whole, not scrolled
        small = [s for s in label_sizes(page, [f"{p} .mgrid .cell" for p in parts]) if s["px"] < 11.99]
        assert not small, describe(small)                                        # and their numbers >= 12 px

    if bar:   # the player stays on screen wherever the page is scrolled
        assert page.evaluate("getComputedStyle(document.querySelector('.player')).position") == "fixed"
        for y in ("document.scrollingElement.scrollHeight", "0"):
            page.evaluate(f"window.scrollTo(0, {y})")
            box = player_box(page)
            assert box["top"] >= 0 and box["bottom"] <= H, (y, box)
            if y != "0":   # and the end of the page can be scrolled out from under it
                end = page.evaluate("document.querySelector('.site-footer').getBoundingClientRect().bottom")
                assert end <= box["top"] + 1, (end, box)
        before = page.inner_text("[data-player=status]")
        page.click("[data-player=forward]")                                      # and it works from there
        page.wait_for_function("s => document.querySelector('[data-player=status]').textContent !== s", arg=before)

    settings = page.locator("[data-panel=settings]:visible")
    if settings.count():   # folded to its heading and a Show button (/conv's picture mode has none)
        toggle = settings.locator(".fold-toggle")
        field = settings.locator("select, input").first
        assert toggle.get_attribute("aria-expanded") == "false" and not field.is_visible()
        assert toggle.inner_text() == STRINGS[lang]["present.show"]
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true" and field.is_visible()
        assert toggle.inner_text() == STRINGS[lang]["present.hide"]
    screen.assert_clean()


# What the player brings into view: the test above's parts, but the stage's figures rather than its whole panel.
STEPPERS = [("conv", "en"), ("pool", "zh-TW"), ("rnn", "en"), ("lstm", "zh-TW"), ("backprop", "en"),
            ("backprop", "zh-TW"), ("backprop-transpose", "en"), ("backprop-relu", "en")]


@pytest.mark.parametrize(("name", "lang"), STEPPERS)
def test_moving_the_player_brings_the_whole_animation_above_it(browser, server_url, name, lang):
    """Presenter mode: at the top of the page the animation is partly under the fixed player (or below it); a key
    or a player button scrolls it, whole, into the room above the player, and the step's own numbers with it.
    Scrolled within the parts, the reader is left there; outside presenter mode the page never moves."""
    context = browser.new_context(viewport={"width": W, "height": H}, locale="en-US", reduced_motion="reduce")
    watch = PageWatch(context.new_page(), server_url)
    page = open_page(watch, name, lang)
    parts = EXPLAINERS[name][2] if name not in ("conv", "pool") else ["#formula", "#facts", "#stage-grids"]
    room = H - player_box(page)["height"]

    def shown():
        box = page.evaluate(UNION, parts)
        return box["top"] >= 0 and box["bottom"] <= room, box

    page.evaluate("window.scrollTo(0, 0)")
    assert not shown()[0]                                              # under the player at first: the case in hand
    page.keyboard.press("ArrowRight")
    assert shown()[0], shown()[1]
    assert page.evaluate(UNION, [".player"])["top"] == room            # the player itself stayed put
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    assert not shown()[0]
    page.click("[data-player=back]")
    assert shown()[0], shown()[1]
    y = page.evaluate("scrollY")
    page.keyboard.press("ArrowRight")                                  # already in view: nothing moves
    assert page.evaluate("scrollY") == y

    page = open_page(watch, name, lang, extra="present=0")             # not presenting: the page stays where it is
    page.evaluate("window.scrollTo(0, 0)")
    page.keyboard.press("ArrowRight")
    page.click("[data-player=forward]")
    assert page.evaluate("scrollY") == 0
    watch.assert_clean()
    context.close()


def test_the_toggle_and_the_p_key_switch_it_remember_it_and_the_url_wins(screen):
    page = screen.goto("/conv")
    page.wait_for_selector("#facts:not(:empty)")
    html_present = "document.documentElement.classList.contains('present')"
    assert not page.evaluate(html_present) and page.locator(".fold-toggle").is_hidden()
    assert page.locator("#preset").is_visible()
    page.click("#present-toggle")
    assert page.evaluate(html_present) and page.get_attribute("#present-toggle", "aria-pressed") == "true"
    assert page.inner_text("#live") == "Presenter mode on"
    assert not page.locator("#preset").is_visible()                               # the settings folded
    assert page.evaluate("localStorage.getItem('present')") == "1"

    page = screen.goto("/pool")                                            # remembered (the cookie told the server)
    assert page.evaluate(html_present)
    page.locator("[data-panel=settings] .fold-toggle").click()
    page.focus("#pool-r")
    page.keyboard.press("p")                                                     # typed in a field: stays there
    assert page.evaluate(html_present)
    page.focus("[data-player=play]")
    page.keyboard.press("p")
    assert not page.evaluate(html_present) and page.inner_text("#live") == "Presenter mode off"
    assert page.locator("#pool-r").is_visible() and page.locator(".fold-toggle").is_hidden()
    assert page.evaluate("localStorage.getItem('present')") == "0"

    page = screen.goto("/rnn?present=1")                                          # the URL wins over the memory
    assert page.evaluate(html_present)
    page.wait_for_selector(".ucol.current")
    page.keyboard.press("Shift+P")
    assert not page.evaluate(html_present) and "present=0" in page.evaluate("location.href")  # follows the switch
    page = screen.goto("/rnn")
    assert not page.evaluate(html_present)
    screen.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_question_mark_lists_the_shortcuts_escape_closes_and_focus_returns(screen, lang):
    s = STRINGS[lang]
    page = open_page(screen, "conv", lang, extra="step=2&present=0")  # the editor is folded in presenter mode, and
    page.focus("[data-player=forward]")                                # an earlier test's cookie may have asked for it
    page.keyboard.press("?")
    dialog = page.locator("dialog.keys-dialog")
    assert dialog.is_visible() and page.evaluate("document.querySelector('dialog.keys-dialog').open")
    assert page.evaluate("document.querySelector('dialog.keys-dialog').contains(document.activeElement)")
    assert dialog.get_attribute("aria-labelledby") == "keys-h" and page.inner_text("#keys-h") == s["keys.title"]
    keys = dialog.locator("kbd").all_inner_texts()
    for key in (s["keys.space"], "←", "→", "Home", "End", "?", "P", "Esc", "Enter"):
        assert key in keys, (key, keys)
    text = dialog.inner_text()
    for key in ("keys.play", "keys.step", "keys.ends", "keys.grid", "keys.grid_open", "keys.editor", "keys.help",
                "keys.present", "keys.escape", "keys.player_h", "keys.page_h", "keys.any_h"):
        assert s[key] in text, key
    status = page.inner_text("[data-player=status]")
    page.keyboard.press("ArrowRight")                                             # no step behind the dialog
    page.keyboard.press("p")                                                      # no switch either
    assert page.inner_text("[data-player=status]") == status
    assert not page.evaluate("document.documentElement.classList.contains('present')")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.dataset.player") == "forward"    # focus went back

    page.click("#keys-open")                                                      # the header's button, and Close
    assert dialog.is_visible()
    dialog.locator("button").click()
    assert not dialog.is_visible() and page.evaluate("document.activeElement.id") == "keys-open"

    page.locator("#in-editor input").first.focus()                                # "?" typed in a field stays there
    assert page.evaluate("document.activeElement.matches('#in-editor input')")
    page.keyboard.press("?")
    assert page.evaluate("document.activeElement.matches('#in-editor input')")
    assert not dialog.is_visible()
    screen.assert_clean()


@pytest.mark.parametrize("name, own", [("draw", ["keys.maps", "keys.maps_turn", "keys.maps_open"]),
                                       ("architectures", ["keys.layers", "keys.layers_ten", "keys.layers_ends"]),
                                       ("activations", ["keys.point", "keys.point_far", "keys.point_ends"]),
                                       ("lstm", ["keys.play", "keys.editor"])])
def test_every_page_lists_its_own_keys(screen, name, own):
    page = open_page(screen, name, "zh-TW", extra="present=0")
    page.keyboard.press("?")
    text = page.inner_text("dialog.keys-dialog")
    assert all(STRINGS["zh-TW"][k] in text for k in own), text
    assert (STRINGS["zh-TW"]["keys.player_h"] in text) == (name == "lstm")        # the player's keys where it is
    page.keyboard.press("Escape")
    screen.assert_clean()


def audit():
    """The accessibility audit's helpers (tests/e2e/audit.py, issue 13's audit part), once merged from main."""
    try:
        return importlib.import_module("tests.e2e.audit")
    except ModuleNotFoundError:
        pytest.skip("tests/e2e/audit.py (axe-core) is not on this branch yet: see notes/issue13-present.md")


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("name", list(EXPLAINERS))
def test_presenter_mode_passes_the_accessibility_audit(screen, name, lang):
    """axe-core: no serious or critical violation in presenter mode, with the settings folded and opened and
    with the shortcuts' dialog open; and nothing cut by its box (the number-display rule's fit check)."""
    helpers = audit()
    page = open_page(screen, name, lang)
    found = helpers.axe_violations(page)
    assert not found, found
    assert not helpers.fit_problems(page), helpers.describe(helpers.fit_problems(page))
    if page.locator("[data-panel=settings]:visible .fold-toggle").count():
        page.click("[data-panel=settings] .fold-toggle")
        found = helpers.axe_violations(page)
        assert not found, found
    page.keyboard.press("?")
    page.locator("dialog.keys-dialog").wait_for()
    found = helpers.axe_violations(page)
    assert not found, found


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("path", ["/", "/model"])
def test_the_other_pages_in_presenter_mode_stay_within_the_screen(screen, path, lang):
    """The home page's cards (picture above text: beside it, 20 px text made a word-wide column that spilled
    off the screen) and /model: nothing wider than the projector's 1280 px, nothing cut by its box."""
    page = screen.goto(f"{path}?present=1&lang={lang}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= W
    problems = audit().fit_problems(page)
    assert not problems, audit().describe(problems)
    screen.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("name", [*EXPLAINERS, "home", "model"])
def test_a_presenter_link_opened_on_a_phone_shows_the_phone_layout(phone, name, lang):
    """Presenter mode is for a projector: a ?present=1 link opened at 360 px (or the remembered mode) leaves
    the page as a phone shows it: nothing wider than the screen, nothing cut, diagram text of at least 11 px,
    the player in the page rather than over a third of the screen."""
    watch_canvas(phone.page.context)                                             # (conftest's 360×740 phone)
    path, ready, _ = EXPLAINERS.get(name, ("/" if name == "home" else "/model", None, None))
    page = phone.goto(f"{path}{'&' if '?' in path else '?'}present=1&lang={lang}")
    if ready:
        page.wait_for_selector(ready, state="attached", timeout=20000)          # (on a phone it may be folded)
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    problems = fit_problems(page)
    assert not problems, describe(problems)
    small = [s for s in label_sizes(page) if s["px"] < 11]
    assert not small, describe(small)
    fixed = "[...document.querySelectorAll('.player')].some(p => getComputedStyle(p).position === 'fixed')"
    assert not page.evaluate(fixed)
    phone.assert_clean()


def test_on_a_phone_the_p_key_says_why_and_a_wide_screen_gets_the_mode_back(phone):
    page = phone.goto("/rnn?present=1")
    page.wait_for_selector(".ucol.current")
    html_present = "document.documentElement.classList.contains('present')"
    assert not page.evaluate(html_present) and page.locator("#present-toggle").is_hidden()
    assert page.locator("#preset").is_visible()                                   # the settings not folded
    page.focus("[data-player=play]")
    page.keyboard.press("p")
    assert not page.evaluate(html_present)
    said = STRINGS["en"]["present.narrow"]
    page.wait_for_function("s => document.getElementById('live').textContent === s", arg=said)
    assert "present=1" in page.evaluate("location.href")                         # the link's wish is kept...
    page.set_viewport_size({"width": W, "height": H})                            # ...for a wide screen
    page.wait_for_function(f"() => {html_present}")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "20px"
    assert page.get_attribute("#present-toggle", "aria-pressed") == "true" and not page.locator("#preset").is_visible()
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"() => !{html_present}")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px" and page.locator("#preset").is_visible()
    phone.assert_clean()


HTML_PRESENT = "document.documentElement.classList.contains('present')"


def backprop_ready(page, steps):
    page.wait_for_function("t => !document.getElementById('app').hasAttribute('aria-busy') && document"
                           ".querySelector('[data-player=status]').textContent.endsWith(t)", arg=f"of {steps}")


def present_in_url(page):
    return page.evaluate("new URLSearchParams(location.search).get('present')")


def choose_and_come_back(page):
    """A choice (a trace of its own: a history entry), a step there (an edit of that entry), then Back."""
    page.click("#views [data-view=grad_kernel]")
    page.wait_for_function("() => location.search.includes('view=')")
    backprop_ready(page, 9)
    page.click("[data-player=forward]")
    page.wait_for_function("() => location.search.includes('step=1')")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('view=')")
    backprop_ready(page, 36)


def test_a_presenter_link_on_a_phone_keeps_present_1_through_back_and_forward(phone):
    """lib/url.js keeps the reader's presenter choice in the URL after Back and Forward: on a phone the mode is not
    applied (no `present` class) but the link's present=1 is still the choice, so it must not become present=0;
    on a screen of 700 px or more the mode is on again after Back."""
    page = phone.goto("/backprop?present=1")
    backprop_ready(page, 36)
    assert not page.evaluate(HTML_PRESENT) and present_in_url(page) == "1"
    page.click("[data-player=forward]")                                          # a step: the entry is edited
    page.wait_for_function("() => location.search.includes('step=1')")
    assert present_in_url(page) == "1"
    choose_and_come_back(page)
    assert present_in_url(page) == "1" and not page.evaluate(HTML_PRESENT)
    page.go_forward()
    page.wait_for_function("() => location.search.includes('view=grad_kernel')")
    backprop_ready(page, 9)
    assert present_in_url(page) == "1"
    page.click("[data-player=forward]")                                          # a step after Forward
    page.wait_for_function("() => location.search.includes('step=2')")
    assert present_in_url(page) == "1"
    page.go_back()
    backprop_ready(page, 36)
    assert present_in_url(page) == "1"
    page.set_viewport_size({"width": W, "height": H})                            # a projector: the mode is on
    page.wait_for_function(f"() => {HTML_PRESENT}")
    choose_and_come_back(page)
    assert page.evaluate(HTML_PRESENT) and present_in_url(page) == "1"
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(HTML_PRESENT)
    phone.assert_clean()


def test_back_keeps_the_presenter_choice_on_screen_and_in_the_url(screen):
    """Switched off (P) after a choice, the mode stays off through Back and Forward, and the entries' URLs say
    present=0, so a reload or a shared link after Back does not switch it on again."""
    page = screen.goto("/backprop?present=1")
    backprop_ready(page, 36)
    assert page.evaluate(HTML_PRESENT)
    choose_and_come_back(page)
    assert page.evaluate(HTML_PRESENT) and present_in_url(page) == "1"           # on after Back
    page.go_forward()
    page.wait_for_function("() => location.search.includes('view=grad_kernel')")
    backprop_ready(page, 9)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("p")
    assert not page.evaluate(HTML_PRESENT) and present_in_url(page) == "0"
    page.go_back()
    page.wait_for_function("() => !location.search.includes('view=')")
    backprop_ready(page, 36)
    assert not page.evaluate(HTML_PRESENT) and present_in_url(page) == "0"
    page.go_forward()
    page.wait_for_function("() => location.search.includes('view=grad_kernel')")
    assert present_in_url(page) == "0"
    page.go_back()
    page.wait_for_function("() => !location.search.includes('view=')")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert not page.evaluate(HTML_PRESENT)
    screen.assert_clean()


def test_space_plays_after_a_click_but_a_tabbed_to_button_keeps_its_space(screen):
    """Clicked with the pointer, a button kept the focus and Space pressed it again: after "Step forward" Space
    stepped (it never played), after 中文 it switched the language back. Reached with Tab, a button's Space is its
    own, as everywhere."""
    page = open_page(screen, "conv", "en")
    status = "document.querySelector('[data-player=status]').textContent"
    page.click("[data-player=forward]")
    page.keyboard.press(" ")
    assert page.get_attribute("[data-player=play]", "aria-label") == STRINGS["en"]["player.pause"]
    page.keyboard.press(" ")
    assert page.get_attribute("[data-player=play]", "aria-label") == STRINGS["en"]["player.play"]
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    page.keyboard.press(" ")
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.lang") == "zh-TW"      # not switched back
    assert page.get_attribute("[data-player=play]", "aria-label") == STRINGS["zh-TW"]["player.pause"]
    page.keyboard.press(" ")
    page.focus("[data-player=back]")                                      # a keyboard user's focus: Space is the
    page.keyboard.press("Tab")                                            # button's own
    assert page.evaluate("document.activeElement.dataset.player") == "play"
    page.keyboard.press("Shift+Tab")
    at = page.evaluate(status)
    page.keyboard.press(" ")
    page.wait_for_function(f"(s) => {status} !== s", arg=at)              # "Step back" pressed
    assert page.get_attribute("[data-player=play]", "aria-label") == STRINGS["zh-TW"]["player.play"]
    screen.assert_clean()


@pytest.mark.parametrize("path", ["/lstm?present=1", "/rnn?present=1"])
def test_tabbing_never_leaves_the_focus_under_the_fixed_player(screen, path):
    """Settings unfolded, Tab reached "+ step" on /lstm at 658-703 px, under the player from 659: only a sliver of
    its focus ring showed. The page keeps the player's height free of focus (scroll-padding-bottom)."""
    page = screen.goto(path)
    page.wait_for_selector(".ucol.current, #memory-now:not(:empty)")
    page.locator("[data-panel=settings] .fold-toggle").click()
    room = H - player_box(page)["height"]
    under = []
    for _ in range(120):
        page.keyboard.press("Tab")
        box = page.evaluate("() => { const e = document.activeElement; if (!e || e === document.body ||"
                            " e.closest('.player, .site-header')) return null; const b = e.getBoundingClientRect();"
                            " return {top: b.top, bottom: b.bottom, name: e.id || e.textContent.slice(0, 20)}; }")
        if box and box["bottom"] > room + 1:
            under.append(box)
    assert not under, under[:5]
    screen.assert_clean()
