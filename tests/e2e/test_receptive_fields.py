"""Receptive fields on the pages, in Chromium: the explorer's RF and jump columns and its drawing of what one
neuron sees (VGG16's block5_pool: 212, the published figure), and /draw's outline on the 28×28 input beside a
trace, at the place the API's answer gives."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from app.mnist.inference import WEIGHTS

pytestmark = pytest.mark.browser

I18N = Path(__file__).resolve().parents[2] / "static/i18n"
ARCH_ZH = json.loads((I18N / "architectures.zh-TW.json").read_text(encoding="utf-8"))
needs_model = pytest.mark.skipif(not (WEIGHTS.is_file() or os.environ.get("MNIST_WEIGHTS")),
                                 reason="no trained model: app/weights/mnist_cnn.npz is missing")


def rf_text(v):
    return "–" if v is None else "×".join(map(str, v)) if isinstance(v, list) else str(v)


def cell_value(page, index, cls):
    """The number of a row's RF or jump cell (its labels are for people, not for this comparison)."""
    return page.locator(f"#layer-{index} .{cls}").evaluate("e => e.lastChild.textContent.trim()")


def open_net(web, query):
    page = web.goto(f"/architectures?{query}")
    expect(page.locator("#rf-panel")).to_be_visible()
    return page


def box_in(svg_box, rect_box, data_box, picture, view):
    """Where a [top, left, bottom, right) box must sit in the drawing: the SVG's viewBox maps pixels linearly."""
    vx, vy, vw, vh = view
    k = svg_box["width"] / vw
    top, left, bottom, right = data_box
    want = {"x": svg_box["x"] + (left - vx) * k, "y": svg_box["y"] + (top - vy) * k,
            "width": (right - left) * k, "height": (bottom - top) * k}
    for key, v in want.items():
        assert abs(rect_box[key] - v) <= 2.5, f"{picture} {key}: drawn {rect_box[key]:.1f}, expected {v:.1f}"


def test_vgg16_columns_equal_the_api_and_block5_pool_sees_212(web, server_url):
    page = open_net(web, "net=vgg16&layer=17")
    rows = httpx.get(server_url + "/api/architectures/vgg16", timeout=30).json()["layers"]
    for row in rows:
        assert cell_value(page, row["index"], "rf") == rf_text(row["receptive_field"]), row["name"]
        flat = row["rf_region"] and row["rf_region"]["cell"] is None   # one position: no neighbours, no jump
        assert cell_value(page, row["index"], "jump") == ("–" if flat else rf_text(row["jump"])), row["name"]
    assert cell_value(page, 17, "rf") == "212" and cell_value(page, 17, "jump") == "32"
    assert page.locator("#layers-head").inner_text().split() == ["#", "Layer,", "type", "Parameters,", "output", "RF",
                                                                "jump"]
    text = page.locator("#rf-text").inner_text()
    assert text.startswith("A neuron of block5_pool sees 212×212 of the 224×224 input.")
    assert "Neighbouring neurons look 32 pixels apart." in text
    assert "depends on input rows 6–217 and columns 6–217" in text
    # the drawing: the 224×224 input, the region [6, 6, 218, 218) inside it, no dashed box (it is all inside)
    region = page.locator("#rf-panel rect.rf-region")
    assert region.get_attribute("data-box") == "6,6,218,218"
    assert page.locator("#rf-panel rect.rf-unclipped").count() == 0
    svg = page.locator("#rf-panel svg")
    view = [float(v) for v in svg.get_attribute("viewBox").split()]
    box_in(svg.bounding_box(), region.bounding_box(), [6, 6, 218, 218], "region", view)
    box_in(svg.bounding_box(), page.locator("#rf-panel rect.rf-input").bounding_box(), [0, 0, 224, 224], "input", view)
    # picking another layer redraws: block1_conv2 sees 5×5
    page.locator("#layer-1").click()
    expect(page.locator("#rf-text")).to_contain_text("A neuron of block1_conv2 sees 5×5 of the 224×224 input.")
    assert page.locator("#rf-panel rect.rf-region").get_attribute("data-box") == "109,109,114,114"
    web.assert_clean()


def test_a_field_reaching_outside_the_picture_is_dashed_and_said_in_chinese(web, server_url):
    rows = httpx.get(server_url + "/api/architectures/resnet50", timeout=30).json()["layers"]
    row = next(r for r in rows if r["name"] == "conv5_block3_out")
    page = open_net(web, f"net=resnet50&layer={row['index']}&lang=zh-TW")
    assert row["receptive_field"] == 483 and row["rf_region"]["unclipped"] == [-145, -145, 338, 338]
    dashed = page.locator("#rf-panel rect.rf-unclipped")
    assert dashed.get_attribute("data-box") == "-145,-145,338,338"
    assert page.locator("#rf-panel rect.rf-region").get_attribute("data-box") == "0,0,224,224"
    assert page.evaluate("getComputedStyle(document.querySelector('#rf-panel rect.rf-unclipped')).strokeDasharray") \
        not in ("none", "")
    svg = page.locator("#rf-panel svg")
    view = [float(v) for v in svg.get_attribute("viewBox").split()]
    box_in(svg.bounding_box(), dashed.bounding_box(), [-145, -145, 338, 338], "unclipped", view)
    text = page.locator("#rf-text").inner_text()
    assert text.startswith(ARCH_ZH["arch.rf_sees"].format(name="conv5_block3_out", rf="483×483", input="224×224"))
    assert "虛線框：第 -145 到 337 列" in text
    # a flat layer after it: the whole picture, and the field's reach past the edges
    page.locator("#layers").focus()
    page.keyboard.press("End")
    expect(page.locator("#rf-text")).to_contain_text("predictions 的一個神經元看到 224×224 輸入中的 675×675")
    web.assert_clean()


def test_a_network_without_a_picture_says_so_and_360_px_fits(phone):
    own = quote(json.dumps({"input_shape": [10], "layers": [{"type": "Dense", "units": 3}]}, separators=(",", ":")))
    page = phone.goto(f"/architectures?net=%22custom%22&own={own}")
    expect(page.locator("#rf-panel")).to_contain_text("No receptive field: this network's input is a flat vector")
    assert page.locator("#layer-0 .rf").evaluate("e => e.lastChild.textContent.trim()") == "–"
    page = phone.goto("/architectures?net=vgg16&layer=17")
    expect(page.locator("#rf-panel svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # on a phone the column heads give way to labels in each row
    assert page.locator("#layers-head").is_hidden()
    assert page.locator("#layer-17 .rf .lbl").inner_text() == "RF"
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('#layers *, #rf-panel *')]
        .filter((e) => e.offsetParent && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .map((e) => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= 11
    phone.assert_clean()


def outline_matches(page, region):
    """The solid outline says region and covers those pixels of the 28×28 picture (±1.5 px)."""
    outline = page.locator("#trace-field .field-outline:not(.dashed)")
    assert outline.get_attribute("data-region") == ",".join(map(str, region))
    frame, got = page.locator("#trace-field .frame").bounding_box(), outline.bounding_box()
    top, left, bottom, right = region
    want = {"x": frame["x"] + left / 28 * frame["width"], "y": frame["y"] + top / 28 * frame["height"],
            "width": (right - left) / 28 * frame["width"], "height": (bottom - top) / 28 * frame["height"]}
    for key, v in want.items():
        assert abs(got[key] - v) <= 1.5, f"outline {key}: drawn {got[key]:.1f}, API's place {v:.1f}"


@needs_model
def test_draw_outlines_what_a_tapped_cell_sees(web):
    page = web.goto("/draw")
    page.click("#samples button[data-sample='3']")
    expect(page.locator("#answer-digit")).to_have_text("3", timeout=10000)
    expect(page.locator(".answer-panel")).to_have_attribute("aria-busy", "false")
    page.click("#layer-buttons button[data-layer='pool2']")
    with page.expect_response("**/api/mnist/trace") as res:
        page.locator("#maps canvas").nth(5).click(position={"x": 30, "y": 18})  # 48 px for 4×4 cells: row 1, col 2
    answer = res.value.json()
    assert answer["index"] == [1, 2, 5]
    field = answer["receptive_field"]
    assert field["receptive_field"] == 16 and field["jump"] == 4
    expect(page.locator("#trace-field")).to_be_visible()
    outline_matches(page, field["region"])
    h, w = field["region"][2] - field["region"][0], field["region"][3] - field["region"][1]
    words = page.locator("#field-words").inner_text()
    assert words.startswith(f"This number depends on a {h}×{w} block of the 28×28 input: rows {field['region'][0]}")
    # the keyboard: Enter on a conv1 cell; conv1 sees 5×5 around it (cut at the picture's edge at row 0)
    page.click("#layer-buttons button[data-layer='conv1']")
    page.locator("#maps canvas[tabindex='0']").focus()
    with page.expect_response("**/api/mnist/trace") as res:
        page.keyboard.press("Enter")
    answer = res.value.json()
    expect(page.locator("#trace-heading")).to_have_text("conv1, map 0, row 0, column 0")
    region = answer["receptive_field"]["region"]
    expect(page.locator("#trace-field .field-outline:not(.dashed)")).to_have_attribute("data-region",
                                                                                        ",".join(map(str, region)))
    outline_matches(page, region)
    if region != answer["receptive_field"]["unclipped"]:
        assert page.locator("#trace-field .field-outline.dashed").count() == 1
        assert "the picture's edge cuts it" in page.locator("#field-words").inner_text()
    web.assert_clean()


@needs_model
def test_draw_outline_words_in_chinese(web):
    page = web.goto("/draw?lang=zh-TW&sample=3&layer=%22conv3%22&cell=[2,3,0]")
    expect(page.locator("#trace-field")).to_be_visible(timeout=10000)
    expect(page.locator("#field-words")).to_contain_text("這個數字依賴 28×28 輸入中的一塊")
    assert page.locator("#trace-field .field-h").inner_text() == "它看到 28×28 輸入的哪一部分"
    web.assert_clean()
