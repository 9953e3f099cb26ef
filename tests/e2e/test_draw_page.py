"""/draw in a real Chromium: mouse and touch drawing, predictions, feature-map traces, keyboard, i18n, 360 px.

The predictions need a model: the shipped app/weights/mnist_cnn.npz (or another one named by
MNIST_WEIGHTS, which the test server inherits). Without either, those tests are skipped.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.mnist.inference import WEIGHTS
from tests.e2e.audit import label_sizes, watch_canvas

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (WEIGHTS.is_file() or os.environ.get("MNIST_WEIGHTS")),
                                 reason="no trained model: app/weights/mnist_cnn.npz is missing")]

ANSWER = "#answer-digit"


def wait_answer(page, digit: str | None):
    """Locator expectations poll without eval (the page's CSP forbids it, so no wait_for_function)."""
    expect(page.locator(ANSWER)).to_have_text("–" if digit is None else digit, timeout=10000)


def settled(page):
    """The last prediction is in (the answer panel is aria-busy while one is on its way). Not
    wait_for_load_state("networkidle"): once reached after loading, it returns at once."""
    expect(page.locator(".answer-panel")).to_have_attribute("aria-busy", "false")


def draw(page, strokes, size=280):
    """Mouse strokes given in the pad's own 0..size units."""
    box = page.locator("#pad").bounding_box()
    sx, sy = box["width"] / size, box["height"] / size
    for stroke in strokes:
        (x0, y0), rest = stroke[0], stroke[1:]
        page.mouse.move(box["x"] + x0 * sx, box["y"] + y0 * sy)
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(box["x"] + x * sx, box["y"] + y * sy, steps=12)
        page.mouse.up()


def test_draw_a_one_and_a_seven_with_the_mouse(web):
    page = web.goto("/draw")
    wait_answer(page, None)
    draw(page, [[(145, 40), (145, 240)]])
    wait_answer(page, "1")
    expect(page.locator("#pad-answer")).to_be_hidden()   # the answer panel is beside the pad: said once
    assert page.locator("#bars li.top").get_attribute("data-digit") == "1"
    assert int(page.locator("#timing").get_attribute("data-ms")) >= 0
    page.click("#clear")
    wait_answer(page, None)
    draw(page, [[(70, 50), (210, 50), (120, 240)]])
    wait_answer(page, "7")
    assert "7" in page.locator("#answer-text").inner_text()
    # the preprocessing steps are drawn from the API's numbers
    assert page.locator("#prep-steps > li").count() == 5
    assert "280×280" in page.locator("#prep-steps > li").first.inner_text()
    # undo takes the stroke away: nothing drawn again
    page.click("#undo")
    wait_answer(page, None)
    assert page.locator("#maps canvas").count() == 0
    web.assert_clean()


def test_feature_map_click_shows_the_trace_and_survives_reload(web):
    page = web.goto("/draw?sample=7")
    wait_answer(page, "7")
    settled(page)
    maps = page.locator("#maps canvas")
    assert maps.count() == 32  # conv1: 32 filters
    maps.nth(3).click(position={"x": 36, "y": 36})
    formula = page.locator("#trace .trace-formula")
    formula.wait_for()
    text = formula.inner_text()
    assert "×" in text and re.search(r"= [-\d.]+\nrelu\(", text), text
    assert page.locator("#trace-heading").inner_text().startswith("conv1, map 3, row ")
    assert page.locator("#trace table.numbers").count() == 3  # inputs × weights = products
    href = page.locator("#trace a.conv-link").get_attribute("href")  # conv1 fits the conv page's caps
    assert href.startswith("/conv?input=") and "activation=relu" in href and "step=" in href
    assert "cell=" in page.evaluate("location.href") and "sample=7" in page.evaluate("location.href")
    page.reload()
    page.locator("#trace .trace-formula").wait_for()
    assert page.locator("#trace-heading").inner_text().startswith("conv1, map 3, row ")
    # a pooling layer's cell shows its max
    page.click("#layer-buttons button[data-layer='pool1']")
    assert "layer=%22pool1%22" in page.evaluate("location.href") or "layer=pool1" in page.evaluate("location.href")
    page.locator("#maps canvas").first.click(position={"x": 30, "y": 30})
    expect(page.locator("#trace .trace-formula")).to_have_text(re.compile(r"^max\("))
    web.assert_clean()


def test_keyboard_only_sample_cell_and_trace(web):
    page = web.goto("/draw")
    page.locator("#samples button[data-sample='1']").focus()
    page.keyboard.press("Enter")
    wait_answer(page, "1")
    settled(page)
    page.click("#layer-buttons button[data-layer='conv2']")
    first = page.locator("#maps canvas[tabindex='0']")
    first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("]")
    page.keyboard.press("Enter")
    expect(page.locator("#trace-heading")).to_have_text("conv2, map 1, row 1, column 1")
    assert page.locator("#trace-channel option").count() == 32  # conv2 reads 32 channels
    assert page.locator("#trace a.conv-link").count() == 0  # 32 channels do not fit the conv page
    assert page.evaluate("document.activeElement.dataset.f") == "1"
    assert "Enter" in page.locator("#maps canvas[tabindex='0']").get_attribute("aria-label")
    page.click("#trace-close")
    assert page.locator("#trace").is_hidden()
    web.assert_clean()


def test_language_toggle_relabels_dynamic_text(web):
    page = web.goto("/draw?sample=7")
    wait_answer(page, "7")
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    assert page.locator("h1").inner_text() == "手寫數字辨識"
    expect(page.locator("#answer-text")).to_contain_text("辨識為 7")
    assert "準確率" in page.locator("#model-panel .lecture").inner_text()
    assert page.locator("#prep-steps h3").first.inner_text() == "1. 筆跡"
    web.assert_clean()


def test_model_section_and_a_misclassified_digit(web):
    page = web.goto("/draw")
    page.locator("#confusion tr").nth(10).wait_for()
    assert page.locator("#confusion tr").count() == 11  # header + 10 digits
    assert "%" in page.locator("#model-summary").inner_text()
    mistake = page.locator("#mistakes button").first
    label = mistake.text_content()  # caption and, for screen readers, "true 7, predicted 2" (issue 13: no aria-label)
    predicted = re.search(r"predicted (\d)", label).group(1)
    mistake.click()
    wait_answer(page, predicted)  # the same model says the same wrong thing
    assert "MNIST test digit #" in page.locator("#input-note").inner_text()
    web.assert_clean()


def test_phone_touch_drawing_without_horizontal_scroll(phone):
    page = phone.goto("/draw")
    box = page.locator("#pad").bounding_box()
    cdp = page.context.new_cdp_session(page)
    x = box["x"] + box["width"] * 0.52
    points = [(x, box["y"] + box["height"] * (0.15 + 0.7 * k / 20)) for k in range(21)]
    for kind, (px, py) in zip(["touchStart"] + ["touchMove"] * 20, points, strict=True):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": px, "y": py}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    wait_answer(page, "1")
    settled(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("getComputedStyle(document.getElementById('pad')).touchAction") == "none"
    # drawn where the page opens (the pad at y 400-680 of 740): the answer's digit is right under the pad, on the
    # screen (a newcomer review: it was under the Undo and Clear buttons, at y 737, below the screen)
    pad, digit = page.locator("#pad").bounding_box(), page.locator("#pad-answer b").bounding_box()
    assert digit["y"] - (pad["y"] + pad["height"]) < 16 and digit["y"] + digit["height"] <= 740, (pad, digit)
    # the answer panel is far below the pad here: the answer is repeated under the pad, on the same screen
    page.evaluate("window.scrollTo(0, scrollY + document.getElementById('pad').getBoundingClientRect().top)")
    said = page.locator("#pad-answer")
    expect(said).to_be_visible()
    assert said.inner_text().startswith("1") and page.inner_text("#answer-text") in said.inner_text()
    bottom = said.bounding_box()["y"] + said.bounding_box()["height"]
    assert bottom <= 740, bottom
    # Chromium swallows the first tap after a touch stroke sent through CDP, whatever it lands on (checked: a
    # tap on a heading first, and the canvas opens at once; it was so before the maps were repainted in
    # place too). That is the harness, not the page; so tap the heading, then one tap must open the trace.
    page.locator("#maps-heading").tap()
    page.locator("#maps canvas").nth(0).tap()
    page.locator("#trace .trace-formula").wait_for(timeout=8000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # conv2's trace has a channel picker whose longest option was wider than the phone (378 px)
    page.locator("#layer-buttons [data-layer]").nth(2).tap()
    page.locator("#maps canvas").nth(5).tap()
    expect(page.locator("#trace-channel")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.assert_clean()


def test_low_confidence_is_said_plainly(web):
    """The page words the API's low_confidence flag; the response is altered here to force the case."""
    def unsure(route):
        response = route.fetch()
        data = response.json()
        if data.get("digit") is not None:
            probs = [0.0] * 10
            probs[4], probs[9], probs[7] = 0.46, 0.38, 0.16
            data.update(digit=4, runner_up=9, confidence=0.46, low_confidence=True, probabilities=probs)
        route.fulfill(response=response, json=data)

    web.page.route("**/api/mnist/predict", unsure)
    page = web.goto("/draw?sample=4")
    wait_answer(page, "4")
    low = page.locator("#low-confidence")
    expect(low).to_be_visible()
    expect(low).to_contain_text("Not sure")
    assert "46.0%" in low.inner_text() and "9 gets 38.0%" in low.inner_text()
    web.assert_clean()


def test_feature_maps_are_repainted_in_place(web):
    """A new prediction repaints the same canvases and layer buttons (a tap during an update is not lost on
    an element that was just replaced); another layer builds its own."""
    page = web.goto("/draw")
    draw(page, [[(145, 40), (145, 240)]])
    wait_answer(page, "1")
    settled(page)
    page.evaluate("document.querySelector('#maps canvas').dataset.mark = 'kept';"
                  "document.querySelector('#layer-buttons [data-layer]').dataset.mark = 'kept'")
    before = page.evaluate("document.querySelector('#maps canvas').toDataURL()")
    with page.expect_response("**/api/mnist/predict"):
        draw(page, [[(60, 60), (230, 60)]])
    settled(page)
    assert page.evaluate("document.querySelector('#maps canvas').dataset.mark") == "kept"
    assert page.evaluate("document.querySelector('#layer-buttons [data-layer]').dataset.mark") == "kept"
    assert page.evaluate("document.querySelector('#maps canvas').toDataURL()") != before   # repainted
    page.locator("#layer-buttons [data-layer]").nth(1).click()
    expect(page.locator("#layer-buttons [data-layer]").nth(1)).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.querySelector('#maps canvas').dataset.mark") is None
    web.assert_clean()


def _photo(width, height, fmt, noise=0):
    """A photo of a 7 written on white paper, width × height px, as fmt bytes (noise: grain, which makes PNGs big)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (width, height), 236)
    d = ImageDraw.Draw(img)
    s = min(width, height) / 10
    cx, cy = width / 2, height / 2
    d.line([(cx - 2 * s, cy - 3 * s), (cx + 2 * s, cy - 3 * s), (cx - 0.5 * s, cy + 3.5 * s)], fill=25,
           width=int(s * 0.6))
    if noise:   # colour grain on each channel: a PNG that hardly compresses
        import numpy as np

        a = np.asarray(img, np.float64)[..., None] + np.random.default_rng(0).normal(0, noise, (height, width, 3))
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")
    buf = io.BytesIO()
    img.convert("RGB").save(buf, fmt, quality=90) if fmt == "JPEG" else img.save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize("name,width,height,fmt,noise", [("phone.jpg", 4032, 3024, "JPEG", 0),
                                                         ("scan.png", 2000, 1500, "PNG", 40)])
def test_a_phone_photo_is_shrunk_by_the_page_and_read(web, name, width, height, fmt, noise):
    """A phone's photo (4032×3024, over the API's 2048 px a side) or a big scan (a PNG file over what fits the JSON
    cap as a data URL) used to be refused; the page now shrinks it to 1024 px in the browser and sends that, and
    says so, in both languages."""
    from app.engine import limits

    raw = _photo(width, height, fmt, noise)
    too_big = width > limits.IMAGE_MAX_SIDE or len(raw) * 4 / 3 > limits.MNIST_JSON_BYTES
    assert too_big
    page = web.goto("/draw")
    wait_answer(page, None)
    page.set_input_files("#upload", files=[{"name": name, "mimeType": "image/png", "buffer": raw}])
    wait_answer(page, "7")
    note = page.locator("#input-note")
    expect(note).to_contain_text(f"{width}×{height}")
    expect(note).to_contain_text("1024×768")
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    expect(note).to_contain_text("1024×768")
    expect(note).to_contain_text("縮小")
    web.assert_clean()


def test_a_shrunk_picture_still_too_big_goes_smaller_and_a_broken_one_is_refused(web, tmp_path):
    """Found by a review: a grainy 3072² PNG shrunk to 1024² was still over the request cap as a PNG (the API said
    413); the page now tries 560 px, where it fits. A file with a PNG signature the browser cannot decode, too big to
    send as it is, is refused here with the file-size note instead of being posted."""
    import numpy as np
    from PIL import Image

    from app.engine import limits

    grain = np.random.default_rng(0).integers(0, 256, (3072, 3072, 3), dtype=np.uint8)
    grain[1000:2000, 1400:1700] //= 8                                             # a dark bar: a 1
    path = tmp_path / "grainy.png"
    Image.fromarray(grain).save(path, compress_level=1)
    page = web.goto("/draw")
    wait_answer(page, None)
    requests = []
    page.on("request", lambda r: requests.append(r) if "/api/mnist/predict" in r.url else None)
    page.set_input_files("#upload", str(path))
    note = page.locator("#input-note")
    expect(note).to_contain_text("560×560", timeout=20000)
    settled(page)
    assert requests and all(len(r.post_data_buffer or b"") <= limits.MNIST_JSON_BYTES for r in requests)
    broken = tmp_path / "broken.png"
    broken.write_bytes(bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + b"x" * (5 << 20))
    before = len(requests)
    page.set_input_files("#upload", str(broken))
    expect(note).to_contain_text("5.0 MB")
    assert len(requests) == before                                               # nothing was posted
    web.assert_clean()


def test_a_later_choice_wins_over_a_picture_still_being_shrunk(web, tmp_path):
    """Found by a review: choosing a big photo, then at once a small picture, ended with the big one shown and sent
    (its shrinking finished last). The latest choice wins."""
    path = tmp_path / "phone.jpg"
    path.write_bytes(_photo(4032, 3024, "JPEG"))
    small = tmp_path / "small.png"
    small.write_bytes(_photo(120, 90, "PNG"))
    page = web.goto("/draw")
    wait_answer(page, None)
    page.set_input_files("#upload", str(path))
    page.set_input_files("#upload", str(small))
    note = page.locator("#input-note")
    expect(note).to_contain_text("small.png")
    page.wait_for_timeout(1500)                                                  # the photo's shrinking is done
    expect(note).to_contain_text("small.png")
    expect(page.locator("#upload-name")).to_have_text("small.png")
    web.assert_clean()


def test_a_picture_the_browser_would_not_open_is_refused_in_plain_words(web, tmp_path):
    """Files over 64 MB are not opened (the browser would have to decode them to shrink them): the note says both
    sizes, in both languages."""
    page = web.goto("/draw")
    wait_answer(page, None)
    huge = tmp_path / "huge.png"
    with huge.open("wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)
    page.set_input_files("#upload", str(huge))
    note = page.locator("#input-note")
    expect(note).to_contain_text("64.0 MB")
    page.click("#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-TW")
    expect(note).to_contain_text("請選擇較小的圖片")
    web.assert_clean()


# ---- what a newcomer pass found (issue-free fixes): no stale answers, honest links, plain numbers ------------------
def bar_values(page):
    return page.locator("#bars li .value").all_inner_texts()


def test_nothing_drawn_shows_no_probabilities_and_a_refused_upload_leaves_no_old_answer(web, tmp_path):
    page = web.goto("/draw")
    wait_answer(page, None)
    assert bar_values(page) == ["–"] * 10                                    # not ten "<0.1%"
    draw(page, [[(70, 50), (210, 50), (120, 240)]])
    wait_answer(page, "7")
    settled(page)
    assert "–" not in bar_values(page) and page.locator("#timing").inner_text()
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"this is not a picture")  # a PNG's signature: the API is what refuses it
    page.set_input_files("#upload", str(bad))
    expect(page.locator("#error")).to_be_visible()
    wait_answer(page, None)                                                  # the 7 is gone with its bars
    assert bar_values(page) == ["–"] * 10 and page.locator("#timing").inner_text() == ""
    assert page.inner_text("#answer-text") == "No answer (see the message above)."
    page.click("#lang-toggle")                                               # the language switch keeps it so
    expect(page.locator("#answer-text")).to_have_text("沒有答案（見上方說明）。")
    page.click("#lang-toggle")
    assert page.locator("#maps canvas").count() == 0 and page.locator("#prep-steps > li").count() == 0
    page.click("#clear")
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#answer-text")).to_have_text("Nothing drawn yet. Draw a digit on the pad.")
    assert bar_values(page) == ["–"] * 10
    assert all("422" in e for e in web.errors), web.errors                  # the refused upload's own log line


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_copy_link_says_when_the_link_cannot_hold_the_drawing(browser, server_url, lang):
    strings = {}
    for name in ("", "draw."):
        path = f"static/i18n/{name}{lang}.json"
        strings.update(__import__("json").loads(open(path, encoding="utf-8").read()))
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{server_url}/draw?sample=3&lang={lang}")
        wait_answer(page, "3")
        settled(page)
        page.click("[data-copy-link] button")
        expect(page.locator(".copy-link-note")).to_have_text(strings["link.copied"])
        assert "sample=3" in page.evaluate("navigator.clipboard.readText()")  # a sample is in the link
        page.click("#clear")
        draw(page, [[(145, 40), (145, 240)]])
        wait_answer(page, "1")
        settled(page)
        page.click("[data-copy-link] button")
        expect(page.locator(".copy-link-note")).to_have_text(strings["draw.link.not_kept"])
        assert page.inner_text("#live") == strings["draw.link.not_kept"]
        note = page.locator(".copy-link-note").bounding_box()
        assert note["x"] >= 0 and note["x"] + note["width"] <= 1280
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_steps_of_a_drawing_say_strokes_and_write_plain_numbers(web, lang):
    page = web.goto(f"/draw?lang={lang}")
    wait_answer(page, None)
    draw(page, [[(70, 50), (210, 50), (120, 240)]])
    wait_answer(page, "7")
    settled(page)
    steps = page.locator("#prep-steps > li").all_inner_texts()
    assert ("Your strokes" if lang == "en" else "你畫的筆畫") in steps[0]
    assert not re.search(r"\de-?\d", " ".join(steps)), steps                  # "9.02", never "9.02e0"
    com = re.findall(r"\d+\.\d+", steps[3])
    assert len(com) == 2 and all(len(c.split(".")[1]) <= 3 for c in com), steps[3]
    web.assert_clean()


# ---- a tester's pass: the upload control, the first answer's timing line, the training-curve chart ----------------
ROOT = Path(__file__).resolve().parents[2]
WORDS = {  # the page's own sentences, read from its i18n files
    lang: {**json.loads((ROOT / f"static/i18n/{lang}.json").read_text(encoding="utf-8")),
           **json.loads((ROOT / f"static/i18n/draw.{lang}.json").read_text(encoding="utf-8"))}
    for lang in ("en", "zh-TW")}


def digit_png() -> bytes:
    """A black bar on white paper: a 1 as a picture."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(img).line([(60, 15), (60, 105)], fill=0, width=10)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_a_file_that_is_not_a_picture_is_named_as_such_before_it_is_sent(web, tmp_path, lang):
    """README.md went to the API as a data:text/markdown URL and came back as "must be a data URL:
    data:image/png;base64,…". The page reads the file's first bytes and says what is wrong with it instead;
    the pad keeps what it showed."""
    sent = []
    web.page.on("request", lambda r: r.method == "POST" and '"image":' in (r.post_data or "") and sent.append(r.url))
    page = web.goto(f"/draw?sample=7&lang={lang}")
    wait_answer(page, "7")
    settled(page)
    note = page.locator("#input-note")
    said = WORDS[lang]["draw.note.not_picture"]
    page.set_input_files("#upload", str(ROOT / "README.md"))
    expect(note).to_have_text(said.format(name="README.md"))
    assert "data URL" not in note.inner_text()
    assert note.evaluate("e => getComputedStyle(e).color") == "rgb(179, 38, 30)"    # said as a problem (--bad)
    expect(page.locator("#live")).to_have_text(said.format(name="README.md"))     # and aloud
    expect(page.locator("#error")).to_be_hidden()
    # a text file with a picture's name: the bytes decide, not the name
    fake = tmp_path / "digit.png"
    fake.write_text("this is not a picture", encoding="utf-8")
    page.set_input_files("#upload", str(fake))
    expect(note).to_have_text(said.format(name="digit.png"))
    expect(page.locator("#error")).to_be_hidden()
    assert page.inner_text(ANSWER) == "7" and page.inner_text("#upload-name") == ""
    assert not sent, sent
    web.assert_clean()


def read_a_one(web, path):
    """/draw given the picture file `path` of a 1, read as a 1: -> (page, the predict requests, the input note)."""
    requests = []
    web.page.on("request", lambda r: requests.append(r) if "/api/mnist/predict" in r.url else None)
    page = web.goto("/draw")
    wait_answer(page, None)
    page.set_input_files("#upload", str(path))
    wait_answer(page, "1")
    return page, requests, page.locator("#input-note")


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_a_picture_in_a_format_the_api_does_not_read_is_converted(web, tmp_path, fmt):
    """The API reads PNG, JPEG and WebP; a GIF or a BMP that the browser opens is converted to PNG here and sent, and
    the note says so in both languages (it used to be refused as not a picture)."""
    from PIL import Image

    path = tmp_path / f"one.{fmt.lower()}"
    Image.open(io.BytesIO(digit_png())).save(path, fmt)
    page, requests, note = read_a_one(web, path)
    expect(note).to_contain_text("PNG (120×120")
    assert json.loads(requests[-1].post_data)["image"].startswith("data:image/png;base64,")
    page.click("#lang-toggle")
    expect(note).to_contain_text("轉成 PNG")
    web.assert_clean()


def test_a_16_bit_png_over_the_decode_cap_is_redrawn_with_8_bit_samples(web, server_url, tmp_path):
    """A 1600×1600 PNG of 16-bit RGBA samples inflates to 20 MB, over the API's decode cap (4 bytes a pixel of
    2048²): it used to be sent as it was and refused with 422. The page now redraws it with 8-bit samples (1024 px)
    and says so, in both languages."""
    import base64

    import httpx
    from PIL import Image

    from tests.e2e.pictures import png16_bar

    raw = png16_bar(1600, 1600)
    body = {"image": "data:image/png;base64," + base64.b64encode(raw).decode()}
    before = httpx.post(server_url + "/api/mnist/predict", json=body, timeout=30)
    assert before.status_code == 422 and "16-bit" in before.json()["error"]["rule"], before.text
    path = tmp_path / "scan16.png"
    path.write_bytes(raw)
    page, requests, note = read_a_one(web, path)
    expect(note).to_contain_text("1600×1600 px: a PNG of 16-bit samples")
    expect(note).to_contain_text("8-bit samples (1024×1024 px)")
    sent = json.loads(requests[-1].post_data)["image"]
    assert sent.startswith("data:image/png;base64,")
    picture = Image.open(io.BytesIO(base64.b64decode(sent.split(",", 1)[1])))
    assert picture.size == (1024, 1024) and picture.mode in ("RGB", "RGBA")   # 8-bit samples
    expect(page.locator("#error")).to_be_hidden()
    page.click("#lang-toggle")
    expect(note).to_contain_text("16 位元取樣的 PNG")
    # an 8-bit RGBA PNG that inflates past the cap as well is over the side cap: shrunk, and said so (a review
    # found it called 16-bit)
    big = tmp_path / "big8.png"
    Image.new("RGBA", (2100, 2100), (255, 255, 255, 255)).save(big)
    page.set_input_files("#upload", str(big))
    expect(note).to_contain_text("縮小成 1024×1024")
    expect(note).not_to_contain_text("16")
    web.assert_clean()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_upload_button_is_in_the_page_language_and_works_from_the_keyboard(web, lang):
    """Not the browser's "Choose File / No file chosen" (English on the zh-TW page): a button of the page's
    words over an invisible file field, reached with Tab and opened with Enter or Space; the chosen file's
    name is shown beside it."""
    # Playwright intercepts file pickers only once a listener is there, switched on asynchronously: a listener
    # from the start, so that the first key press cannot open an unseen native picker
    web.page.on("filechooser", lambda _: None)
    page = web.goto(f"/draw?lang={lang}")
    wait_answer(page, None)
    words = WORDS[lang]
    button = page.locator(".upload-box label.file-button")
    expect(button).to_have_text(words["draw.upload.choose"])
    expect(page.get_by_label(words["draw.upload.choose"], exact=True)).to_have_id("upload")
    field = page.locator("#upload")
    assert field.evaluate("e => getComputedStyle(e).opacity") == "0"                # the native control is not seen
    f, b = field.bounding_box(), button.bounding_box()
    assert b["x"] <= f["x"] and f["x"] + f["width"] <= b["x"] + b["width"] + 0.5     # clicks on the button land on it
    assert b["y"] <= f["y"] and f["y"] + f["height"] <= b["y"] + b["height"] + 0.5
    expect(page.locator("#upload-name")).to_have_text("")
    page.locator("#samples button[data-sample='9']").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "upload"
    assert button.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"       # the focus is seen
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    # no extension, no type: the browser would have labelled its data URL application/octet-stream
    chooser.value.set_files(files=[{"name": "my digit", "mimeType": "", "buffer": digit_png()}])
    wait_answer(page, "1")
    expect(page.locator("#upload-name")).to_have_text("my digit")
    expect(page.locator("#input-note")).to_have_text(words["draw.note.image"].format(name="my digit"))
    expect(page.locator("#error")).to_be_hidden()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press(" ")
    chooser.value.set_files(files=[{"name": "seven.png", "mimeType": "image/png", "buffer": digit_png()}])
    expect(page.locator("#upload-name")).to_have_text("seven.png")
    page.click("#clear")                                       # back to drawing: no file is on the pad any more
    expect(page.locator("#upload-name")).to_have_text("")
    web.assert_clean()


def timing_line(lang):
    return re.compile("^" + re.escape(WORDS[lang]["draw.timing"]).replace(re.escape("{ms}"), r"\d+") + "$")


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_no_answer_time_is_claimed_before_the_user_changes_anything(web, lang):
    """The first load said "Answered in 199 ms after the last change." with nothing changed by anyone."""
    page = web.goto(f"/draw?lang={lang}")
    wait_answer(page, None)
    settled(page)
    expect(page.locator("#timing")).to_have_text("")
    page = web.goto(f"/draw?sample=7&lang={lang}")            # a sample from a link is not the user's change either
    wait_answer(page, "7")
    settled(page)
    expect(page.locator("#timing")).to_have_text("")
    page.click("#samples button[data-sample='3']")
    wait_answer(page, "3")
    expect(page.locator("#timing")).to_have_text(timing_line(lang))
    page.click("#lang-toggle")                                 # the switch says it again in the other language
    expect(page.locator("#timing")).to_have_text(timing_line("zh-TW" if lang == "en" else "en"))
    web.assert_clean()


# Records where every fillText of a canvas lands (its ink box from measureText, in the canvas' pixels).
CHART_BOXES = """(() => {
  const boxes = new Map();
  window.__chartBoxes = boxes;
  const d = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, "width");
  Object.defineProperty(HTMLCanvasElement.prototype, "width",
                        { ...d, set(v) { boxes.delete(this); d.set.call(this, v); } });
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
    const m = this.measureText(text), t = this.getTransform();
    if (!boxes.has(this.canvas)) boxes.set(this.canvas, []);
    boxes.get(this.canvas).push({ text: String(text),
      left: t.a * (x - m.actualBoundingBoxLeft) + t.e, right: t.a * (x + m.actualBoundingBoxRight) + t.e,
      top: t.d * (y - m.actualBoundingBoxAscent) + t.f, bottom: t.d * (y + m.actualBoundingBoxDescent) + t.f });
    return fill.call(this, text, x, y, ...rest);
  };
})()"""


def apart(a, b, gap):
    return (a["right"] + gap <= b["left"] or b["right"] + gap <= a["left"]
            or a["bottom"] + gap <= b["top"] or b["bottom"] + gap <= a["top"])


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_training_curves_give_the_epoch_title_room(browser, server_url, lang, width):
    """The "epoch" title sat beside the last epoch number and touched the chart's bottom edge. Now: no label
    of either chart comes within 3 CSS px of another or within 2 px of the edge, and each is at least 12 CSS
    px high at 1280 and 11 at 360."""
    context = browser.new_context(viewport={"width": width, "height": 800 if width > 600 else 740},
                                  has_touch=width < 600, is_mobile=width < 600, locale="en-US")
    watch_canvas(context)
    context.add_init_script(CHART_BOXES)
    try:
        page = context.new_page()
        page.goto(f"{server_url}/draw?lang={lang}")
        page.locator("#history tr").nth(1).wait_for(state="attached")
        title = WORDS[lang]["draw.model.epoch"]
        for chart in ("curve-loss", "curve-acc"):
            boxes = page.evaluate("""(id) => {
              const c = document.getElementById(id), css = c.getBoundingClientRect().width / c.width;
              return { w: c.width * css, h: c.height * css, labels: (window.__chartBoxes.get(c) || []).map((b) => ({
                text: b.text, left: b.left * css, right: b.right * css, top: b.top * css, bottom: b.bottom * css })) };
            }""", chart)
            labels = boxes["labels"]
            axis = [b for b in labels if b["text"] == title]
            assert len(axis) == 1, labels
            numbers = [b for b in labels if re.fullmatch(r"\d+", b["text"]) and b["top"] > boxes["h"] / 2
                       and b["left"] > 20]  # the epoch numbers (not the y axis' "0")
            assert len(numbers) >= 2, labels
            for b in numbers:
                assert apart(axis[0], b, 3), (chart, "the axis title crowds an epoch number", axis[0], b)
            if chart == "curve-loss":   # round ticks (0, 0.2, ... 0.8), not the largest loss × 1.1 as 7.48e-1
                ticks = [b["text"] for b in labels if b["left"] < 20 and b["top"] < boxes["h"] - 40]
                assert len(ticks) == 5 and all(re.fullmatch(r"\d+(\.\d{1,2})?", v) for v in ticks), ticks
            for k, a in enumerate(labels):
                for b in labels[k + 1:]:
                    assert apart(a, b, 3), (chart, "labels crowd each other", a, b)
            for b in labels:
                assert 2 <= b["left"] and b["right"] <= boxes["w"] - 2, (chart, "cut at a side", b)
                assert 2 <= b["top"] and b["bottom"] <= boxes["h"] - 2, (chart, "cut at the top or bottom", b)
        least = (12 if width > 600 else 11) - 0.01
        small = [s for s in label_sizes(page) if "curve-" in s["where"] and s["px"] < least]
        assert not small, small
    finally:
        context.close()


def shown_share(r: float) -> str:
    """static/js/draw/model.js recallText: one decimal, 100.0% only when every one was read right."""
    import math
    return "100.0%" if r >= 1 else f"{min(math.floor(r * 1000 + 0.5) / 10, 99.9):.1f}%"


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_model_section_shows_recall_the_robustness_set_and_how_it_was_trained(browser, server_url, lang, width):
    """Issue 17: /draw's model section shows the card's per-digit recall (test set and robustness set), the robustness
    set's accuracy and confusion matrix, the augmentation settings, the training time and the machine. Before, only
    the test accuracy, the curves and the test confusion matrix were there. Nothing is cut, in either language."""
    import httpx

    from tests.e2e.audit import describe, fit_problems

    card = httpx.get(server_url + "/api/mnist/model").json()
    robust = card["robustness"]
    context = browser.new_context(viewport={"width": width, "height": 800 if width > 600 else 740},
                                  has_touch=width < 600, is_mobile=width < 600, locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"{server_url}/draw?lang={lang}")
        page.locator("#recall tr").nth(10).wait_for(state="attached")
        page.evaluate("() => document.querySelectorAll('#model-panel details').forEach((d) => { d.open = true; })")
        rows = page.evaluate("() => [...document.querySelectorAll('#recall tr')].map((tr) => "
                             "[...tr.children].map((c) => c.textContent))")
        assert len(rows) == 11 and [row[0] for row in rows[1:]] == [str(d) for d in range(10)]   # a row per digit
        assert [row[1] for row in rows[1:]] == [shown_share(r) for r in card["test_recall_per_digit"]]
        assert [row[2] for row in rows[1:]] == [shown_share(r) for r in robust["recall_per_digit"]]
        box = page.evaluate("() => { const t = document.getElementById('recall'); "
                            "return [t.getBoundingClientRect().width, t.parentElement.clientWidth]; }")
        assert box[0] <= box[1] + 0.5, box   # it fits its box: no sideways scrolling, even on a phone
        # both confusion matrices, the history and the architecture too (at 360 px they scrolled sideways: 331 px
        # in a 307-px box, the English history 446 px), their numbers at 11 px or more, and the corner's words are
        # still there to be read out
        for table in ("confusion", "robust-confusion", "history", "architecture"):
            fit = page.evaluate("(id) => { const t = document.getElementById(id); return [t.scrollWidth, "
                                "t.parentElement.clientWidth, Math.min(...[...t.querySelectorAll('td, th')].map("
                                "(c) => parseFloat(getComputedStyle(c).fontSize))), "
                                "t.querySelector('th.corner')?.textContent]; }", table)
            assert fit[0] <= fit[1] and fit[2] >= 11, (table, fit)
            if "confusion" in table:
                assert fit[3] == {"en": "true \\ predicted", "zh-TW": "真實 \\ 預測"}[lang], fit[3]
        history = page.evaluate("() => [...document.querySelectorAll('#history tr')].slice(1).map((tr) => "
                                "[...tr.children].map((c) => c.textContent))")
        assert [row[1] for row in history] == [f"{h['loss']:.4f}" for h in card["history"]]
        last = card["history"][card["best_epoch"] - 1]
        assert history[card["best_epoch"] - 1][4] == f"{last['val_acc_ema'] * 100:.1f}%"   # the selected average's
        summary = page.locator("#robust-summary").inner_text()
        assert shown_share(robust["accuracy"]) in summary and str(robust["size"]) in summary
        cells = page.evaluate("() => [...document.querySelectorAll('#robust-confusion tr')].slice(1).map((tr) => "
                              "[...tr.querySelectorAll('td')].map((c) => Number(c.textContent)))")
        assert cells == robust["confusion_matrix"]
        trained = page.locator("#training").inner_text()
        aug = card["settings"]["augmentation"]
        js_round = lambda v: int(v + 0.5)   # noqa: E731 (Math.round, not Python's round half to even)
        for part in (f"{js_round(card['training_seconds'])}", f"{js_round(card['training_cpu_seconds'])}",
                     card["hardware"]["numpy"], f"±{aug['rotate_deg']:g}°", f"{aug['pen_thick'][1]:g}",
                     f"{card['settings']['epochs']}", f"{card['settings']['train_size']:,}"):
            assert part in trained, (part, trained)
        worded = {"rotate_deg", "shear", "scale", "aspect", "shift_px", "elastic_px", "small_p", "pen_p", "serif_p",
                  "cross_p", "blur_p", "lowres_p", "anneal"}   # (elastic_grid, lowres_px, pen_thick: in their words)
        assert worded <= set(aug)
        assert page.locator("#training dd").count() == 5 + len(worded)   # time, machine, data, optimizer, selection
        assert "draw.model" not in page.locator("#model-panel").inner_text()   # no key without words
        if lang == "zh-TW":
            assert "資料擴增" in trained and "穩健度" in summary
        problems = fit_problems(page)
        assert not problems, describe(problems)
    finally:
        context.close()


def test_the_training_charts_are_larger_and_sharp_in_presenter_mode(browser, server_url):
    """On a projector the charts stayed 320×200 with 12 px labels beside the page's 20 px words. In presenter mode they
    are shown up to 520 px wide and drawn at that size (not a 320-px bitmap stretched): labels ≥ 18 CSS px; switching
    presenter mode off draws them at 320 px and 12 px again."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US")
    watch_canvas(context)
    try:
        page = context.new_page()
        page.goto(f"{server_url}/draw?present=1")
        page.locator("#history tr").nth(1).wait_for(state="attached")
        size = """() => { const c = document.getElementById('curve-loss'); const r = c.getBoundingClientRect();
                          return [r.width, c.width / r.width]; }"""
        shown, density = page.evaluate(size)
        assert shown >= 500 and density >= 0.99, (shown, density)   # drawn at its size (a stretched 320 px: 0.62)
        least = min(s["px"] for s in label_sizes(page) if "curve-" in s["where"])
        assert least >= 18, least
        page.locator("#present-toggle").click()
        page.wait_for_function("() => document.getElementById('curve-loss').getBoundingClientRect().width <= 321")
        page.wait_for_function("() => { const c = document.getElementById('curve-loss');"
                               " return Math.abs(c.width / c.getBoundingClientRect().width - 1) < 0.05; }")
        assert 12 <= min(s["px"] for s in label_sizes(page) if "curve-" in s["where"]) < 14
    finally:
        context.close()
