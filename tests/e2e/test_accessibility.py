"""axe-core on every page of the navigation and on /draw with a trace open, in English and Traditional
Chinese, at 1280 and 360 px: no serious or critical violation. /conv and /pool also have no minor
aria-allowed-role. axe-core is installed from npm by tests/e2e/audit.py or .ci/run, never committed.
Another view (presenter mode) calls `audit.axe_violations(page)` the same way."""

import pytest

from tests.e2e import walk
from tests.e2e.audit import axe_violations

pytestmark = pytest.mark.browser
NAMES = ["home", "conv", "conv-theano", "pool", "backprop", "rnn", "lstm", "gru", "activations",
         "activations-hard-sigmoid", "draw", "draw-trace", "architectures", "model", "model-mnist", "model-lstm"]


def _show(violations):
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}): {v['nodes'][:3]}" for v in violations)


@pytest.mark.parametrize("width", sorted(walk.WIDTHS))
@pytest.mark.parametrize("name", NAMES)
def test_no_serious_violations(browser, server_url, name, width):
    states = walk.all_states(server_url)
    if name not in states:
        pytest.skip(f"no page {name} on this server")
    context = browser.new_context(viewport={"width": width, "height": walk.WIDTHS[width]}, reduced_motion="reduce",
                                  has_touch=width < 600, is_mobile=width < 600, locale="en-US")
    try:
        page = context.new_page()
        for lang in walk.LANGS:
            walk.open_state(page, server_url, states[name], lang)
            found = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
            serious = [v for v in found if v["impact"] in ("serious", "critical")]
            assert not serious, f"{name} {lang} {width}px:\n{_show(serious)}"
            if name in ("conv", "pool"):
                roles = [v for v in found if v["id"] == "aria-allowed-role"]
                assert not roles, f"{name} {lang}:\n{_show(roles)}"
    finally:
        context.close()


def test_every_navigation_page_is_audited(server_url):
    assert set(walk.nav_pages(server_url)) <= set(NAMES), "a new page: add it to NAMES"
