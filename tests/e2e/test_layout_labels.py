"""Readable diagrams: every label in a diagram (SVG text after the SVG's scaling, text drawn on canvases,
numbers and notes in grids, the unrolled RNN, gate meters and readouts) renders at least 12 CSS px high at
1280 px and 11 px at 360 px, on every page and state of tests/e2e/walk.py, in both languages
(tests/e2e/js/text_size.js)."""

import pytest

from tests.e2e import walk
from tests.e2e.audit import describe, label_sizes, watch_canvas

pytestmark = pytest.mark.browser
NAMES = sorted({"home", "conv", "pool", "backprop", "rnn", "lstm", "activations", "draw", "architectures",
                "conv-theano", "conv-odd",
                "pool-odd", "rnn-odd", "lstm-odd", "gru", "draw-trace", "architectures-resnet",
                "model", "model-mnist", "model-lstm"})
SMALLEST = {1280: 12, 360: 11}


@pytest.mark.parametrize("width", sorted(walk.WIDTHS))
@pytest.mark.parametrize("name", NAMES)
def test_diagram_labels_are_readable(browser, server_url, name, width):
    states = walk.all_states(server_url)
    if name not in states:
        pytest.skip(f"no page {name} on this server")
    context = browser.new_context(viewport={"width": width, "height": walk.WIDTHS[width]}, reduced_motion="reduce",
                                  has_touch=width < 600, is_mobile=width < 600, locale="en-US")
    watch_canvas(context)
    try:
        page = context.new_page()
        failures = []
        for lang in walk.LANGS:
            walk.open_state(page, server_url, states[name], lang)
            sizes = label_sizes(page)
            small = [s for s in sizes if s["px"] < SMALLEST[width] - 0.01]
            if small:
                failures.append(f"{lang}:\n{describe(small)}")
            if name in ("conv", "conv-theano", "rnn", "lstm", "gru"):
                assert sizes, f"{name}: no diagram labels found (the measure is broken)"
        assert not failures, f"{name} at {width} px, labels under {SMALLEST[width]} px:\n" + "\n".join(failures)
    finally:
        context.close()
