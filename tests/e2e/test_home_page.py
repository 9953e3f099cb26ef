"""The home page: the CNN vs RNN map, a card per explainer, live previews computed by the API."""

import httpx
import pytest

from app.engine.numbers import fmt
from tests.e2e.audit import describe, fit_problems, label_sizes

pytestmark = pytest.mark.browser

PAGES = ["/conv", "/pool", "/backprop", "/rnn", "/lstm", "/draw", "/architectures", "/activations", "/model"]


def test_map_cards_and_live_previews(web, server_url):
    web.page.emulate_media(reduced_motion="reduce")  # previews show their last step, no timer
    page = web.goto("/")
    assert page.inner_text("h1") == "How CNNs and RNNs compute, number by number"
    assert "No time" in page.inner_text(".map-side.cnn")
    assert "stock prices, speech recognition, translation" in page.inner_text(".map-side.rnn")
    links = page.eval_on_selector_all(".card h3 a", "as => as.map(a => a.getAttribute('href'))")
    assert links == PAGES
    examples = {e["id"]: e for e in httpx.get(server_url + "/api/examples").json()["examples"]}
    for box, example in (("#conv-preview", "conv-theano"), ("#pool-preview", "pool-max-valid")):
        expected = httpx.post(server_url + examples[example]["endpoint"], json=examples[example]["request"]).json()
        page.wait_for_function("b => document.querySelector(b).dataset.step !== undefined", arg=box)
        cells = page.eval_on_selector_all(f"{box} > div:last-child .mrow",
                                          "rs => rs.map(r => [...r.children].map(c => c.textContent))")
        assert cells == [[fmt(v, 2) for v in row] for row in expected["output"]], example
    assert "a₂₂ = 14" in page.inner_text("#conv-live")
    page.click(".start-link")
    page.wait_for_url("**/conv")
    web.assert_clean()


def test_language_toggle_and_phone_width(phone):
    page = phone.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.wait_for_function("() => document.querySelector('#conv-preview').dataset.step !== undefined")
    page.tap("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-TW'")
    assert page.inner_text("h1") == "CNN 與 RNN 怎麼計算，一個數字一個數字看"
    assert "無時間性" in page.inner_text(".map-side.cnn") and "有時間性" in page.inner_text(".map-side.rnn")
    assert "輸入閘" in page.inner_text(".gates") and "遺忘閘" in page.inner_text(".gates")
    assert "即時由 API 計算" in page.inner_text("#conv-live")
    assert page.get_attribute("#card-conv .preview", "aria-label") == "卷積預覽：3×3 濾鏡掃過 5×5 輸入"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.assert_clean()


# the cards' tags and the labels of their pictures (the /architectures card's bar chart, the LSTM gates and
# their subscripts): diagram and label text is at least 12 CSS px at 1280 px and 11 px at 360 px
LABELS = [".card h3 .tag", ".bars .bar", ".gates .gate", ".map-art .blk"]


@pytest.mark.parametrize("width,smallest", [(1280, 12), (360, 11)])
def test_tags_and_card_labels_are_readable(browser, server_url, width, smallest):
    context = browser.new_context(viewport={"width": width, "height": 800 if width > 600 else 740}, locale="en-US",
                                  has_touch=width < 600, is_mobile=width < 600, reduced_motion="reduce")
    try:
        page = context.new_page()
        for lang in ("en", "zh-TW"):
            page.goto(f"{server_url}/?lang={lang}")
            page.wait_for_load_state("networkidle")
            sizes = label_sizes(page, LABELS)
            found = [k for k in ("span.tag", "span.bar", "span.gate", "sub") if any(k in s["where"] for s in sizes)]
            assert len(found) == 4, found                                        # the measure found them all
            small = [s for s in sizes if s["px"] < smallest - 0.01]
            assert not small, f"{lang} at {width} px:\n{describe(small)}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            two_lines = page.eval_on_selector_all(
                ".card h3 .tag", "ts => ts.filter(t => t.getBoundingClientRect().height"
                " > 2 * parseFloat(getComputedStyle(t).fontSize)).map(t => t.textContent)")
            assert not two_lines, two_lines                                   # a tag is a pill: one line
            cut = [p for p in fit_problems(page) if any(k in p.get("where", "") for k in ("tag", "bar", "gate"))]
            assert not cut, describe(cut)
    finally:
        context.close()
