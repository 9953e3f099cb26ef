"""The "Download GIF" button of /conv and /pool: the page's request goes to the animation endpoint and the answer
is saved as a GIF, in English and Chinese."""

import io

import pytest
from PIL import Image

pytestmark = pytest.mark.browser


def ready(page):
    page.wait_for_function("() => !document.getElementById('app').hasAttribute('aria-busy')"
                           " && document.querySelector('[data-player=status]').textContent.length > 0")


@pytest.mark.parametrize("path, name, frames, lang, label", [
    ("/conv", "conv2d.gif", 16, "en", "Download GIF"),
    ("/pool", "pool.gif", 4, "zh-TW", "下載 GIF"),
])
def test_download_saves_the_pages_trace_as_a_gif(web, tmp_path, path, name, frames, lang, label):
    page = web.goto(f"{path}?lang={lang}")
    ready(page)
    button = page.locator("#download-gif")
    assert button.inner_text() == label
    steps = int(page.locator("[data-player=status]").inner_text().split()[-1]) if lang == "en" else frames
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == name
    target = tmp_path / name
    download.save_as(target)
    data = target.read_bytes()
    assert data[:6] == b"GIF89a"
    image = Image.open(io.BytesIO(data))
    assert image.n_frames == frames == steps
    page.wait_for_function("() => document.getElementById('download-status').textContent.includes('.gif')")
    assert f"{frames}" in page.locator("#download-status").inner_text()
    web.assert_clean()


def test_download_follows_edits_and_explains_refusals(web, tmp_path):
    page = web.goto("/conv")
    ready(page)
    page.select_option("#padding", "valid")
    page.wait_for_function("() => document.querySelector('[data-player=status]').textContent.endsWith('of 4')")
    with page.expect_download() as info:
        page.click("#download-gif")
    info.value.save_as(tmp_path / "a.gif")
    assert Image.open(tmp_path / "a.gif").n_frames == 4          # the edited request, not the preset
    page.route("**/api/conv2d/animation", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body='{"error": {"status": 422, "code": "animation_too_large", "field": "input", "rule": "zzz too big",'
             ' "message": "input: zzz too big"}}'))
    page.click("#download-gif")
    page.wait_for_function("() => document.getElementById('download-status').textContent.includes('zzz')")
    assert page.locator("#download-status").inner_text() == "No animation: zzz too big"
