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
