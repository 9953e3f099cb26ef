"""/conv's "Your picture" mode in Chromium: every number on screen is the API's, for a bundled photo, an
uploaded file, a dropped file and a webcam frame; the window box sits where the API's step says; keys and taps
pick pixels; 360 px; the camera is asked for on a click only and stopped when the mode is left."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

I18N = Path(__file__).resolve().parents[2] / "static/i18n"
EN = json.loads((I18N / "conv.en.json").read_text(encoding="utf-8"))
ZH = json.loads((I18N / "conv.zh-TW.json").read_text(encoding="utf-8"))
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# tests/e2e/conftest.py's flags, plus Chromium's fake camera (a test pattern) granted without asking
CAMERA_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
               "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
DEFAULTS = {"preset": "sobel_x", "max_side": 128, "channels": "gray", "padding": "same", "strides": 1}


def settled(page):
    """Every call of the mode is answered (#picture is aria-busy from a change until its answer is drawn)."""
    expect(page.locator("#picture")).not_to_have_attribute("aria-busy", "true", timeout=15000)


def api(server_url, body):
    r = httpx.post(server_url + "/api/image/filter", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def upload(server_url, name, raw, **fields):
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    r = httpx.post(server_url + "/api/image/filter/upload", files={"file": (name, raw, "image/png")}, data=data,
                   timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def open_picture(web, query=""):
    page = web.goto("/conv?mode=picture" + query)
    settled(page)
    expect(page.locator("#pic-formula-0")).to_be_visible()
    return page


def window_of(step, padding):
    """[top, left, bottom, right) of the step's window in picture pixels (the API's window is in padded ones)."""
    rows = [p[0] for p in step["window"]]
    cols = [p[1] for p in step["window"]]
    return [min(rows) - padding["top"], min(cols) - padding["left"],
            max(rows) - padding["top"] + 1, max(cols) - padding["left"] + 1]


def assert_box_on_input(page, box, shape):
    """#pic-window says box and sits over those pixels of the input picture (±1.5 px)."""
    win = page.locator("#pic-window")
    expect(win).to_be_visible()
    assert [int(win.get_attribute(f"data-{k}")) for k in ("top", "left", "bottom", "right")] == box
    pic, got = page.locator("#pic-in").bounding_box(), win.bounding_box()
    h, w = shape[0], shape[1]
    want = {"x": pic["x"] + box[1] / w * pic["width"], "y": pic["y"] + box[0] / h * pic["height"],
            "width": (box[3] - box[1]) / w * pic["width"], "height": (box[2] - box[0]) / h * pic["height"]}
    for k, v in want.items():
        assert abs(got[k] - v) <= 1.5, f"window box {k}: page {got[k]:.1f} vs API's place {v:.1f}"


def point_at(page, i, j, shape):
    """Page coordinates of the centre of output pixel (i, j)."""
    r = page.locator("#pic-out").bounding_box()
    return r["x"] + (j + 0.5) / shape[1] * r["width"], r["y"] + (i + 0.5) / shape[0] * r["height"]


def fmt4(v: float) -> str:
    """The pages' fmt(v) (lib/i18n.js) for numbers between 1e-4 and 1e7: up to 4 decimals, no trailing zeros."""
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def png(width, height, fn) -> bytes:
    img = Image.new("L", (width, height))
    img.putdata([fn(x, y) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_bundled_photo_output_legend_and_the_pixel_under_the_mouse(web, server_url):
    page = open_picture(web)
    # the picture used (the identity preset shown as grey levels) and the output are the API's, byte for byte
    used = api(server_url, {"photo": "astronaut", "preset": "identity", "display": "gray", "max_side": 128,
                            "channels": "gray"})
    assert page.locator("#pic-in").get_attribute("src") == used["output_png"]
    shape = used["input_shape"]
    assert shape == [128, 128]
    centre = api(server_url, {"photo": "astronaut", **DEFAULTS, "at": [63, 63]})
    assert page.locator("#pic-out").get_attribute("src") == centre["output_png"]
    expect(page.locator("#pic-formula-0")).to_have_text(centre["step"]["formula"])
    assert_box_on_input(page, window_of(centre["step"], centre["padding"]), shape)
    # the legend states the API's mapping: its ends, and the rule in words
    ticks = page.locator("#pic-legend .legend-ticks span").all_inner_texts()
    lo, hi = centre["mapping"]["domain"]
    assert ticks == [f"{lo:.3f}".rstrip("0").rstrip("."), "0", f"{hi:.3f}".rstrip("0").rstrip(".")]
    assert page.locator("#pic-legend").get_attribute("data-name") == centre["mapping"]["name"] == "diverging"
    assert "99th percentile" in page.locator("#pic-legend .legend-text").inner_text()
    # the credit of the photo and the link to the licences
    assert "NASA, public domain" in page.locator("#pic-credit").inner_text()
    assert page.locator("#pic-credit a").get_attribute("href") == "/static/img/photos/LICENSES.md"
    # hover another pixel: its formula and its window
    page.mouse.move(*point_at(page, 20, 30, shape))
    step = api(server_url, {"photo": "astronaut", **DEFAULTS, "at": [20, 30]})["step"]
    expect(page.locator("#pic-formula-0")).to_have_text(step["formula"])
    settled(page)
    assert window_of(step, centre["padding"]) == [19, 29, 22, 32]
    assert_box_on_input(page, [19, 29, 22, 32], shape)
    assert page.locator("#pic-pixel-h").inner_text() == "Output pixel, row 20, column 30"
    cells = page.locator(".pic-step table").first.locator("td").all_inner_texts()
    assert len(cells) == 9 and cells[4] == f"{step['inputs'][1][1]:.4f}".rstrip("0").rstrip(".")
    # an edge pixel: its window reaches into the padding, and the page says so
    page.mouse.move(*point_at(page, 0, 0, shape))
    step = api(server_url, {"photo": "astronaut", **DEFAULTS, "at": [0, 0]})["step"]
    expect(page.locator("#pic-formula-0")).to_have_text(step["formula"])
    settled(page)
    assert_box_on_input(page, [-1, -1, 2, 2], shape)
    assert "padding" in page.locator(".pic-where").inner_text()
    assert page.locator(".pic-step td.pad").count() == 5
    assert "px=[0,0]" in page.evaluate("location.href")
    web.assert_clean()


def test_presets_kernel_editor_colours_and_options_reach_the_api(web, server_url):
    page = open_picture(web, "&photo=%22chelsea%22")
    shape = api(server_url, {"photo": "chelsea", "preset": "identity", "max_side": 128})["input_shape"]
    assert shape == [85, 128]
    page.select_option("#pic-preset", "box_blur")
    settled(page)
    blur = api(server_url, {"photo": "chelsea", **DEFAULTS, "preset": "box_blur", "at": [42, 63]})
    expect(page.locator("#pic-formula-0")).to_have_text(blur["step"]["formula"])
    # the preset's numbers, as the API used them, are in the editor
    values = page.eval_on_selector_all("#pic-k-editor input", "xs => xs.map(x => x.value)")
    assert values == ["0.1111"] * 9
    assert "1/9" in page.locator("#pic-about").inner_text()
    # edit one weight: the kernel is now the user's numbers
    field = page.locator("#pic-k-editor input").nth(4)
    field.fill("1")
    field.press("Enter")
    settled(page)
    kernel = [[1 / 9] * 3, [1 / 9, 1, 1 / 9], [1 / 9] * 3]
    mine = api(server_url, {"photo": "chelsea", **{k: v for k, v in DEFAULTS.items() if k != "preset"},
                            "kernel": kernel, "at": [42, 63]})
    expect(page.locator("#pic-formula-0")).to_have_text(mine["step"]["formula"])
    assert page.locator("#pic-preset").input_value() == ""
    assert "filter=custom" in page.evaluate("location.href")
    # colours: one step per channel, each the API's
    page.select_option("#pic-preset", "sobel_y")
    page.select_option("#pic-color", "rgb")
    settled(page)
    rgb = api(server_url, {"photo": "chelsea", **DEFAULTS, "preset": "sobel_y", "channels": "rgb", "at": [42, 63]})
    for k in range(3):
        expect(page.locator(f"#pic-formula-{k}")).to_have_text(rgb["steps"][k]["formula"])
    assert page.locator(".pic-step h5").all_inner_texts() == ["Red channel", "Green channel", "Blue channel"]
    assert page.locator("#pic-in-cap").inner_text() == "128×85 pixels, 3 colour channels (0 … 1)"
    # 'valid' padding, stride 2, a smaller picture: the output shrinks and the centre pixel moves with it
    page.select_option("#pic-color", "gray")
    page.select_option("#pic-padding", "valid")
    page.select_option("#pic-stride", "2")
    page.select_option("#pic-side", "64")
    settled(page)
    opts = {"photo": "chelsea", **DEFAULTS, "preset": "sobel_y", "padding": "valid", "strides": 2, "max_side": 64}
    first = api(server_url, opts)
    (h, w), (oh, ow) = first["input_shape"], first["output_shape"]
    assert (oh, ow) == ((h - 3) // 2 + 1, (w - 3) // 2 + 1) and w == 64  # 'valid', stride 2
    small = api(server_url, {**opts, "at": [(oh - 1) // 2, (ow - 1) // 2]})
    expect(page.locator("#pic-formula-0")).to_have_text(small["step"]["formula"])
    assert page.locator("#pic-out-cap").inner_text() == f"{ow}×{oh} pixels"
    assert_box_on_input(page, window_of(small["step"], small["padding"]), small["input_shape"])
    web.assert_clean()


def test_an_uploaded_png_crosses_the_network_once_and_gives_the_upload_routes_numbers(web, server_url):
    # 300×200: a dark left half, a bright right half with a ramp, so Sobel x has an edge to find
    raw = png(300, 200, lambda x, y: 30 if x < 150 else 120 + (x + 2 * y) % 130)
    page = open_picture(web)
    posts = []
    page.on("request", lambda r: posts.append(r.url.split("/api/")[-1]) if "/api/image/" in r.url else None)
    page.set_input_files("#pic-file", files=[{"name": "edge.png", "mimeType": "image/png", "buffer": raw}])
    expect(page.locator("#pic-source")).to_have_text("Your file: edge.png.")
    settled(page)
    assert page.locator("#pic-in-cap").inner_text() == "128×85 pixels, grey (0 black … 1 white)"
    direct = upload(server_url, "edge.png", raw, preset="sobel_x", max_side="128", channels="gray", at=[42, 63])
    expect(page.locator("#pic-formula-0")).to_have_text(direct["step"]["formula"])
    assert page.locator("#pic-out").get_attribute("src") == direct["output_png"]
    # move along the edge with the mouse: JSON calls only, the file was sent once
    page.mouse.move(*point_at(page, 10, 64, [85, 128]))
    settled(page)
    direct = upload(server_url, "edge.png", raw, preset="sobel_x", max_side="128", channels="gray", at=[10, 64])
    expect(page.locator("#pic-formula-0")).to_have_text(direct["step"]["formula"])
    assert direct["step"]["value"] != 0  # the edge
    assert posts.count("image/filter/upload") == 1, posts
    # a file that is not a picture is refused in words, before any call
    page.set_input_files("#pic-file", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    expect(page.locator("#pic-file-msg")).to_have_text("notes.txt is not a picture this browser can open.")
    web.assert_clean()


def shown_input(page) -> Image.Image:
    """The input picture on the page: the API's own PNG of the picture it computes on (grey levels)."""
    src = page.locator("#pic-in").get_attribute("src")
    assert src.startswith("data:image/png;base64,"), src[:40]
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_a_picture_over_the_api_caps_is_shrunk_and_a_gif_converted_by_the_page(web, server_url, lang):
    """Before, a photo over 4096 px a side (or 8 MB) was sent and refused, and a GIF or BMP was refused as "not a PNG,
    JPEG or WebP": now the browser shrinks the one to 1024 px and converts the other to PNG (as /draw and /model
    do), the note says so with both sizes, and the numbers are the API's for what was sent."""
    page = open_picture(web, f"&lang={lang}")
    uploads = []
    page.on("request", lambda r: uploads.append(r.url) if r.url.endswith("/filter/upload") else None)
    wide = png(5000, 400, lambda x, y: 30 if x < 2500 else 220)
    page.set_input_files("#pic-file", files=[{"name": "wide.png", "mimeType": "image/png", "buffer": wide}])
    note = page.locator("#pic-file-msg")
    expect(note).to_contain_text("5000×400")
    expect(note).to_contain_text("1024×82")
    settled(page)
    expect(page.locator("#pic-in-cap")).to_contain_text("128×10")   # the API's 128 px of the 1024×82 sent
    shown = np.asarray(shown_input(page).convert("L"), dtype=int)
    assert shown.shape == (10, 128) and abs(shown[:, :60].mean() - 30) < 3 and abs(shown[:, 68:].mean() - 220) < 3
    before = httpx.post(server_url + "/api/image/filter/upload", files={"file": ("wide.png", wide, "image/png")},
                        data={"preset": "sobel_x"})   # what the page used to send
    assert before.status_code == 422 and "4096" in before.json()["error"]["rule"], before.text
    # a GIF: converted to PNG, the same pixels
    gif = io.BytesIO()
    Image.open(io.BytesIO(png(90, 60, lambda x, y: 0 if (x // 15 + y // 15) % 2 else 255))).save(gif, "GIF")
    page.set_input_files("#pic-file", files=[{"name": "board.gif", "mimeType": "image/gif", "buffer": gif.getvalue()}])
    expect(note).to_contain_text("PNG")
    expect(note).to_contain_text("90×60")
    settled(page)
    expect(page.locator("#pic-in-cap")).to_contain_text("90×60")
    want = np.asarray(Image.open(io.BytesIO(gif.getvalue())).convert("L"))
    assert np.array_equal(np.asarray(shown_input(page).convert("L")), want)
    assert len(uploads) == 2, uploads
    expect(page.locator("#pic-source")).to_contain_text("board.gif")
    web.assert_clean()


def test_a_big_webp_is_shrunk_and_a_huge_file_is_not_opened(web, server_url, tmp_path):
    """The API decodes WebP only up to 2048×2048 pixels (it answered 422 to the page's 2100×2100 WebP); files over
    64 MB are refused unopened, in words that do not call 64 MB the API's cap (8 MB)."""
    page = open_picture(web)
    webp = io.BytesIO()
    Image.new("L", (2100, 2100), 200).save(webp, "WEBP")
    before = httpx.post(server_url + "/api/image/filter/upload", data={"preset": "identity"},
                        files={"file": ("big.webp", webp.getvalue(), "image/webp")})
    assert before.status_code == 422 and "WebP" in before.json()["error"]["rule"]
    page.set_input_files("#pic-file", files=[{"name": "big.webp", "mimeType": "image/webp", "buffer": webp.getvalue()}])
    note = page.locator("#pic-file-msg")
    expect(note).to_contain_text("2100×2100")
    expect(note).to_contain_text("1024×1024")
    settled(page)
    expect(page.locator("#pic-in-cap")).to_contain_text("128×128")
    expect(page.locator("#pic-error")).to_be_hidden()
    huge = tmp_path / "huge.png"
    with open(huge, "wb") as f:
        f.truncate(65 * 1024 * 1024)
    page.set_input_files("#pic-file", str(huge))
    expect(note).to_have_text("huge.png is 65.0 MB: too large to open here (at most 64.0 MB).")
    web.assert_clean()


def test_a_16_bit_png_over_the_decode_cap_is_redrawn_with_8_bit_samples(web, server_url):
    """A 2900×2900 PNG of 16-bit RGBA samples is within 4096 px and 8 MB but inflates to 67.3 MB, over the API's
    decode cap (4 bytes a pixel of 4096²): the page sent it and showed the API's 422. Now it is redrawn with 8-bit
    samples (1024 px) and the note says so."""
    from tests.e2e.pictures import png16_bar

    raw = png16_bar(2900, 2900)
    before = httpx.post(server_url + "/api/image/filter/upload", data={"preset": "identity"},
                        files={"file": ("scan16.png", raw, "image/png")}, timeout=30)
    assert before.status_code == 422 and "16-bit" in before.json()["error"]["rule"], before.text
    page = open_picture(web)
    page.set_input_files("#pic-file", files=[{"name": "scan16.png", "mimeType": "image/png", "buffer": raw}])
    note = page.locator("#pic-file-msg")
    expect(note).to_have_text("scan16.png is a PNG of 16-bit samples, 2900×2900 px, more than the API decodes at "
                              "this size, so this page redrew it with 8-bit samples (1024×1024 px) before sending it.")
    settled(page)
    expect(page.locator("#pic-in-cap")).to_contain_text("128×128")
    expect(page.locator("#pic-error")).to_be_hidden()
    shown = np.asarray(shown_input(page).convert("L"), dtype=int)
    assert shown[64, 64] < 30 and shown[64, 10] > 225   # the bar and the paper
    web.assert_clean()


def test_a_bundled_photo_chosen_while_a_file_is_shrunk_stays(web):
    """Before, a file still being converted replaced a bundled photo chosen after it (and stopped the webcam)."""
    web.page.add_init_script("""{ const slow = window.createImageBitmap.bind(window);
      window.createImageBitmap = (...a) => new Promise((done) => setTimeout(() => done(slow(...a)), 1200)); }""")
    page = open_picture(web)
    uploads = []
    page.on("request", lambda r: uploads.append(r.url) if r.url.endswith("/filter/upload") else None)
    gif = io.BytesIO()
    Image.new("L", (60, 40), 90).save(gif, "GIF")
    page.set_input_files("#pic-file", files=[{"name": "late.gif", "mimeType": "image/gif", "buffer": gif.getvalue()}])
    page.click("[data-photo=camera]")
    expect(page.locator("#pic-source")).to_have_text("Bundled photo: Camera.")
    page.wait_for_timeout(2500)   # the conversion has long finished
    settled(page)
    expect(page.locator("#pic-source")).to_have_text("Bundled photo: Camera.")
    assert uploads == [] and page.locator("[data-photo=camera]").get_attribute("aria-pressed") == "true"
    web.assert_clean()


def test_a_dropped_picture_is_used(web, server_url):
    raw = png(40, 30, lambda x, y: 255 if (x // 10 + y // 10) % 2 else 0)  # a checkerboard
    page = open_picture(web)
    b64 = base64.b64encode(raw).decode()
    page.evaluate("""b64 => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], "board.png", { type: "image/png" }));
        const zone = document.getElementById("pic-drop");
        zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    }""", b64)
    expect(page.locator("#pic-source")).to_have_text("Your file: board.png.")
    settled(page)
    assert page.locator("#pic-in-cap").inner_text() == "40×30 pixels, grey (0 black … 1 white)"
    direct = upload(server_url, "board.png", raw, preset="sobel_x", max_side="128", channels="gray", at=[14, 19])
    expect(page.locator("#pic-formula-0")).to_have_text(direct["step"]["formula"])
    web.assert_clean()


def test_an_answer_that_comes_after_the_next_key_does_not_move_the_pixel_back(web, server_url):
    """Before, the answer for → (read before ↓'s call could cancel it) put the selection back on →'s pixel, so the next
    key moved from there: a CI run ended on row 62 instead of 72. Here every answer is read whole before a cancel can
    stop it, →'s 400 ms late and the later ones 2.5 s late."""
    web.page.add_init_script("""{ const real = window.fetch.bind(window);
      window.fetch = (url, init = {}) => {
        if (!String(url).endsWith("/api/image/filter")) return real(url, init);
        const { signal, ...rest } = init;   // a cancel comes too late: the answer is already read
        return real(url, rest).then((r) => r.text().then((body) => new Promise((done) => setTimeout(
          () => done(new Response(body, { status: r.status, headers: r.headers })), window.lateBy || 0))));
      }; }""")
    page = open_picture(web)
    page.locator("#pic-out-frame").focus()
    page.evaluate("window.lateBy = 400")
    page.keyboard.press("ArrowRight")              # (63, 64)
    page.wait_for_timeout(100)
    page.evaluate("window.lateBy = 2500")
    page.keyboard.press("Shift+ArrowDown")         # (73, 64), while →'s answer is on its way
    page.wait_for_timeout(600)                     # →'s answer is in, ↓'s is not
    page.keyboard.press("ArrowUp")                 # (72, 64)
    settled(page)
    step = api(server_url, {"photo": "astronaut", **DEFAULTS, "at": [72, 64]})["step"]
    expect(page.locator("#pic-formula-0")).to_have_text(step["formula"], timeout=15000)
    assert "px=[72,64]" in page.evaluate("location.href")
    expect(page.locator("#pic-pixel-h")).to_have_text("Output pixel, row 72, column 64")
    web.assert_clean()


def test_arrow_keys_move_the_pixel_and_leave_the_hidden_player_alone(web, server_url):
    page = open_picture(web)
    page.locator("#pic-out-frame").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("ArrowUp")
    settled(page)
    step = api(server_url, {"photo": "astronaut", **DEFAULTS, "at": [72, 64]})["step"]
    # as long as settled() allows: the keys' request may not have set aria-busy yet when settled() looked
    expect(page.locator("#pic-formula-0")).to_have_text(step["formula"], timeout=15000)
    assert_box_on_input(page, [71, 63, 74, 66], [128, 128])
    assert "row 72, column 64" in page.locator("#pic-out-frame").get_attribute("aria-label")
    assert "px=[72,64]" in page.evaluate("location.href")
    expect(page.locator("#live")).to_have_text(f"Row 72, column 64: {fmt4(step['value'])}")
    # the link keeps the pixel
    page.reload()
    settled(page)
    expect(page.locator("#pic-pixel-h")).to_have_text("Output pixel, row 72, column 64")
    # keys outside the picture do not step the numbers mode's (hidden) player
    page.locator(".pic-lead").click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    assert "step=" not in page.evaluate("location.href")
    # back to the numbers: the trace page is there as it was, and its keys work again
    page.click("#mode-switch [data-mode='numbers']")
    expect(page.locator("#picture")).to_be_hidden()
    expect(page.locator("#stage-grids")).to_be_visible()
    assert "mode=" not in page.evaluate("location.href")
    before = page.locator("[data-player=status]").inner_text()
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-player=status]")).not_to_have_text(before)
    web.assert_clean()


def test_phone_360_stacked_without_overflow_and_a_tap_picks_a_pixel(phone, server_url):
    page = phone.goto("/conv?mode=picture")
    settled(page)
    expect(page.locator("#pic-formula-0")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    inp, out = page.locator("#pic-in").bounding_box(), page.locator("#pic-out").bounding_box()
    assert out["y"] >= inp["y"] + inp["height"]  # stacked
    assert inp["x"] >= 0 and inp["x"] + inp["width"] <= 360
    page.locator("#pic-out").scroll_into_view_if_needed()
    page.touchscreen.tap(*point_at(page, 100, 20, [128, 128]))
    settled(page)
    step = api(server_url, {"photo": "astronaut", **DEFAULTS, "at": [100, 20]})["step"]
    expect(page.locator("#pic-formula-0")).to_have_text(step["formula"])
    assert_box_on_input(page, [99, 19, 102, 22], [128, 128])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # text stays readable: nothing in the mode under 11 px
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('#picture *')]
        .filter((e) => e.offsetParent && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .map((e) => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= 11
    phone.assert_clean()


def test_chinese_labels_and_the_switch_without_script_state(web, server_url):
    page = web.goto("/conv?mode=picture&lang=zh-TW")
    settled(page)
    expect(page.locator("#pic-pixel-h")).to_have_text("輸出像素，第 63 列，第 63 行")
    assert page.locator("#mode-switch [aria-current='true']").inner_text() == ZH["pic.mode_picture"]
    assert page.locator("#pic-stage-h").inner_text() == ZH["pic.stage_h"]
    assert "公有領域" in page.locator("#pic-credit").inner_text()
    # switching the language relabels what the page wrote itself
    page.click("#lang-toggle")
    expect(page.locator("#pic-pixel-h")).to_have_text("Output pixel, row 63, column 63")
    assert page.locator("#pic-source").inner_text() == "Bundled photo: Astronaut."
    # every bundled photo named by the page is one the API takes, and each has its credit in both languages
    schema = httpx.get(server_url + "/openapi.json", timeout=10).json()["components"]["schemas"]["FilterRequest"]
    photos = next(o for o in schema["properties"]["photo"]["anyOf"] if "enum" in o)["enum"]
    shown = page.eval_on_selector_all("[data-photo]", "bs => bs.map(b => b.dataset.photo)")
    assert sorted(shown) == sorted(photos)
    presets = next(o for o in schema["properties"]["preset"]["anyOf"] if "enum" in o)["enum"]
    offered = page.eval_on_selector_all("#pic-preset option", "os => os.map(o => o.value).filter(Boolean)")
    assert offered == presets
    for table in (EN, ZH):
        assert all(f"pic.credit.{p}" in table and f"pic.photo.{p}" in table for p in photos)
        assert all(f"pic.preset.{p}" in table and f"pic.about.{p}" in table for p in presets)
    web.assert_clean()


def test_the_camera_is_asked_for_on_a_click_refused_in_words(web):
    """A browser that refuses the camera (here: getUserMedia rejected as a refused prompt does)."""
    web.page.add_init_script("""navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException("Permission denied", "NotAllowedError"));""")
    page = open_picture(web)
    expect(page.locator("#pic-cam-msg")).to_have_text("")
    page.click("#pic-cam-start")
    expect(page.locator("#pic-cam-msg")).to_have_text(EN["pic.cam_denied"])
    expect(page.locator("#pic-video")).to_be_hidden()
    web.assert_clean()


@pytest.fixture(scope="module")
def camera_browser(browser):
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CAMERA_ARGS)
    yield b
    b.close()


def test_the_fake_webcam_frame_is_captured_sent_and_the_camera_stops(camera_browser, server_url):
    context = camera_browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    asked = []
    page.add_init_script("""{ const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (c) => { window.__asked = (window.__asked || 0) + 1;
            return ask(c).then((s) => { window.__stream = s; return s; }); }; }""")
    page.goto(server_url + "/conv?mode=picture")
    settled(page)
    asked.append(page.evaluate("window.__asked || 0"))
    assert asked == [0]  # nothing asked before the click
    page.click("#pic-cam-start")
    expect(page.locator("#pic-cam-msg")).to_have_text(EN["pic.cam_on"])
    expect(page.locator("#pic-video")).to_be_visible()
    expect(page.locator("#pic-cam-take")).to_be_visible()
    identity = lambda r: r.url.endswith("/api/image/filter") and "identity" in (r.post_data or "")  # noqa: E731
    with page.expect_request(identity) as req:
        page.click("#pic-cam-take")
    frame = req.value.post_data_json["image"]
    assert frame.startswith("data:image/jpeg;base64,")
    expect(page.locator("#pic-source")).to_contain_text("Webcam picture taken at")
    settled(page)
    assert page.locator("#pic-in-cap").inner_text() == "128×96 pixels, grey (0 black … 1 white)"  # 640×480 scaled
    step = api(server_url, {"image": frame, **DEFAULTS, "at": [47, 63]})["step"]
    expect(page.locator("#pic-formula-0")).to_have_text(step["formula"])
    # leaving the mode stops the camera
    page.click("#mode-switch [data-mode='numbers']")
    assert page.evaluate("window.__stream.getTracks().every((t) => t.readyState === 'ended')")
    assert page.evaluate("document.getElementById('pic-video').srcObject") is None
    page.click("#mode-switch [data-mode='picture']")
    expect(page.locator("#pic-cam-start")).to_be_visible()
    expect(page.locator("#pic-video")).to_be_hidden()
    assert not errors, errors
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_on_a_phone_an_uploaded_file_is_named_where_it_was_picked(phone, lang):
    """On a phone the pictures are about 1,200 px below the upload button, and nothing near the button changed: the
    note under it now names the file and says where its pictures are (a bundled photo chosen after clears it)."""
    strings = json.loads((Path(__file__).resolve().parents[2] / f"static/i18n/conv.{lang}.json").read_text("utf-8"))
    page = phone.goto(f"/conv?mode=picture&lang={lang}")
    settled(page)
    page.set_input_files("#pic-file", files=[{"name": "my-cat.png", "mimeType": "image/png",
                                               "buffer": png(64, 48, lambda x, y: 40 if x < 32 else 200)}])
    note = page.locator("#pic-file-msg")
    expect(note).to_have_text(strings["pic.taken"].format(name="my-cat.png"))
    settled(page)
    expect(page.locator("#pic-in-cap")).to_contain_text("64×48")
    page.locator("[data-photo=camera]").tap()
    expect(note).to_have_text("")
    phone.assert_clean()
