"""Nothing is cut: every page (the navigation's, read from the server) and the states of tests/e2e/walk.py
(the lecture's examples; decimals, negatives, 123456.789, 0.0001, -0.0026, 5e-39, tanh(5)) at 1280×800 and
360×740, in English and Traditional Chinese: no text or input value is wider than its box, none sticks out of
a box that clips it, no number breaks over two lines, and the page is never wider than the viewport
(tests/e2e/js/fit_check.js)."""

import pytest

from tests.e2e import walk
from tests.e2e.audit import describe, fit_problems

pytestmark = pytest.mark.browser
# the navigation's pages (those main has gained since are named too: a name not served here is skipped)
NAMES = sorted({"home", "conv", "pool", "backprop", "rnn", "lstm", "activations", "draw", "architectures", "model",
                *walk.EXTRA})


@pytest.fixture(scope="module")
def states(server_url):
    found = walk.all_states(server_url)
    missing = set(found) - set(NAMES)
    assert not missing, f"pages not walked by this file yet (add them to NAMES): {missing}"
    return found


@pytest.mark.parametrize("width", sorted(walk.WIDTHS))
@pytest.mark.parametrize("name", NAMES)
def test_nothing_is_cut(browser, server_url, states, name, width):
    if name not in states:
        pytest.skip(f"no page {name} on this server")
    context = browser.new_context(viewport={"width": width, "height": walk.WIDTHS[width]}, reduced_motion="reduce",
                                  has_touch=width < 600, is_mobile=width < 600, locale="en-US")
    try:
        page = context.new_page()
        failures = []
        for lang in walk.LANGS:
            walk.open_state(page, server_url, states[name], lang)
            problems = fit_problems(page)
            if problems:
                failures.append(f"{lang}:\n{describe(problems)}")
        assert not failures, f"{name} at {width} px:\n" + "\n".join(failures)
    finally:
        context.close()


# A closed <select> cannot wrap, and the browser cuts the chosen option's text at the box (fit_check.js reads text
# boxes, not the inside of a select): every example title is measured as laid out in a span with the picker's font,
# against the picker's box less its padding and what the browser adds for the arrow, measured on a copy of the picker
# at its natural width holding one known text.
MEASURE_OPTIONS = """() => {
  const s = document.getElementById('preset'), cs = getComputedStyle(s);
  const span = document.createElement('span');
  span.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font:${cs.font}`;
  document.body.append(span);
  const width = (text) => { span.textContent = text; return span.getBoundingClientRect().width; };
  const probe = document.createElement('select');
  probe.className = s.className;
  probe.style.cssText = `position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none;font:${cs.font}`;
  probe.append(new Option('0123456789'));
  s.after(probe);
  const pads = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
  const arrow = probe.getBoundingClientRect().width - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth)
    - pads - width('0123456789');
  probe.remove();
  const room = s.clientWidth - pads - arrow;
  const out = [...s.options].map((o) => [o.textContent, width(o.textContent)]);
  span.remove();
  return {room, px: parseFloat(cs.fontSize), options: out};
}"""


@pytest.mark.parametrize("width", sorted(walk.WIDTHS))
@pytest.mark.parametrize("name", ["conv", "pool", "backprop", "rnn", "lstm"])
def test_every_example_title_fits_its_picker(browser, server_url, name, width):
    context = browser.new_context(viewport={"width": width, "height": walk.WIDTHS[width]}, has_touch=width < 600,
                                  is_mobile=width < 600, locale="en-US")
    try:
        page = context.new_page()
        cut = []
        for lang in walk.LANGS:
            page.goto(f"{server_url}/{name}?lang={lang}")
            page.wait_for_function("() => document.getElementById('preset').options.length > 2")
            page.wait_for_timeout(100)  # the resize observer's fit
            got = page.evaluate(MEASURE_OPTIONS)
            assert got["px"] >= 12, (lang, got["px"])
            cut += [(lang, text, round(w, 1), round(got["room"], 1))
                    for text, w in got["options"] if w > got["room"] + 0.5]
        assert not cut, f"/{name} at {width} px: titles wider than the picker: {cut}"
    finally:
        context.close()
