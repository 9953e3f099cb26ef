"""A newcomer's review of the pages (a learner on a phone, a teacher at a projector), the defects it found, each
checked in Chromium:

- a legend's swatch stays on the line of its own words: on a 360 px phone the RNN's "output y_t" box ended one
  line and its words began the next, and the LSTM's blue-orange candidate scale sat at the end of the gates' line,
  read as the gates' colours (every swatch and its words were separate flex items of one wrapping row);
- the activation picker's radio buttons sit centred on their function names (Chromium's default radio margins,
  3 px above and 0 below, set each circle 1.5 px low in its pill).
"""

from __future__ import annotations

import pytest

from tests.e2e import walk

pytestmark = pytest.mark.browser

# Every swatch of a legend whose words (the next element) do not start on the swatch's line: the swatch's middle is
# more than its own height away from the middle of the words' first line box.
ORPHANED_SWATCHES = """() => [...document.querySelectorAll('.legend :is(.sw, .scale)')]
  .filter((s) => s.getBoundingClientRect().width && s.nextElementSibling?.getClientRects().length)
  .map((s) => {
    const a = s.getBoundingClientRect(), words = s.nextElementSibling, line = words.getClientRects()[0];
    return {words: words.textContent.trim(), swatch: (a.top + a.bottom) / 2, line: (line.top + line.bottom) / 2,
            height: a.height};
  })
  .filter((p) => Math.abs(p.swatch - p.line) > p.height)"""

SWATCH_COUNT = "() => document.querySelectorAll('.legend :is(.sw, .scale)').length"


@pytest.mark.parametrize("lang", walk.LANGS)
@pytest.mark.parametrize("path", ["/rnn", "/lstm", '/lstm?cell="gru"'])
def test_a_legend_swatch_stays_on_the_line_of_its_words_on_a_phone(phone, server_url, path, lang):
    page = walk.open_state(phone.page, server_url, path, lang)
    assert page.evaluate(SWATCH_COUNT) >= 3                              # the legends are there
    assert page.evaluate(ORPHANED_SWATCHES) == []
    phone.assert_clean()


# Each radio of the function picker: how far its middle is from the middle of its function name's line.
RADIO_OFFSETS = """() => [...document.querySelectorAll('.fn-choice')].map((label) => {
  const radio = label.querySelector('input').getBoundingClientRect();
  const name = label.querySelector('span').getClientRects()[0];
  return [label.textContent.trim(), (radio.top + radio.bottom) / 2 - (name.top + name.bottom) / 2];
})"""


@pytest.mark.parametrize("lang", walk.LANGS)
def test_the_function_radios_are_centred_on_their_names(web, server_url, lang):
    page = walk.open_state(web.page, server_url, "/activations", lang)
    offsets = page.evaluate(RADIO_OFFSETS)
    assert len(offsets) >= 6
    off = [(name, round(dy, 2)) for name, dy in offsets if abs(dy) > 0.75]
    assert not off, f"radios off their names' middle (px): {off}"
    web.assert_clean()
