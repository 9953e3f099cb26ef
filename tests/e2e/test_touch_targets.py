"""On a phone (360×740, touch) every control of every page and of the states of tests/e2e/walk.py is at least
24×24 CSS px (WCAG 2.5.8), or its label is (tests/e2e/js/small_targets.js). A review found /rnn's time-step
labels ("t = 1", 38×19) and /model's layer names in model.summary() ("out", 21×19) too small to tap."""

from pathlib import Path

import pytest

from tests.e2e import walk

pytestmark = pytest.mark.browser
SMALL = (Path(__file__).parent / "js" / "small_targets.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def states(server_url):
    return walk.all_states(server_url)


@pytest.mark.parametrize("lang", walk.LANGS)
def test_every_control_is_big_enough_for_a_finger(browser, server_url, states, lang):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True,
                                  reduced_motion="reduce", locale="en-US")
    try:
        page = context.new_page()
        small = {}
        for name, path in sorted(states.items()):
            walk.open_state(page, server_url, path, lang)
            if found := page.evaluate(SMALL):
                small[name] = found
        assert not small, small
    finally:
        context.close()
