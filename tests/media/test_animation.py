"""Animations of a trace (app/media): one frame per step (or the documented sampling), the window, the winner and the
current output cell at the right pixels in the pages' colours, the frames exactly as drawn after GIF encoding,
the fonts' coverage, the caps."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFont

from app.engine.conv import run_conv2d
from app.engine.errors import EngineError
from app.engine.limits import ANIM_MAX_FRAMES, ANIM_STRIP_FRAMES
from app.engine.pool import run_pool
from app.media.animation import animate, sample
from app.media.frames import Painter, cell_name, measure, wrap
from app.media.palette import COLORS, DIVERGING0, INDEX, LEVELS, NEGATIVE, PADDING, POSITIVE, PURPLE, ZERO
from app.media.scene import from_conv, from_pool
from app.media.strings import STRINGS
from app.media.text import FONTS, fit_number, width

PADDING_EXAMPLE = {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
                   "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"}
THEANO = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
BLACK_OUTLINE = (17, 17, 17)


def frames_of(data: bytes) -> list[Image.Image]:
    image = Image.open(io.BytesIO(data))
    out = []
    for k in range(image.n_frames):
        image.seek(k)
        out.append(image.convert("RGB"))
    return out


def layout_of(kind, request, lang="en"):
    scene = from_conv(run_conv2d(**request)) if kind == "conv" else from_pool(run_pool(**request), request["mode"])
    shown = sample(len(scene.steps), ANIM_MAX_FRAMES)
    from app.engine.limits import ANIM_MAX_PIXELS
    return scene, measure(scene, lang, len(shown) < len(scene.steps), len(shown), ANIM_MAX_PIXELS)


def border(frame, origin, cell, r, c):
    """The colour of a cell's left and top border (where an outline is drawn) and of its inside corner."""
    x, y = origin[0] + c * cell, origin[1] + r * cell
    return frame.getpixel((x, y + cell // 2)), frame.getpixel((x + cell // 2, y)), frame.getpixel((x + 4, y + 4))


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_conv_padding_example_one_frame_a_step_window_at_the_right_cells(lang):
    data, media_type, facts = animate("conv", PADDING_EXAMPLE, "gif", lang)
    assert media_type == "image/gif" and data[:6] == b"GIF89a"
    frames = frames_of(data)
    assert len(frames) == facts["frames"] == 16 and facts["shown"] == list(range(16))
    scene, lay = layout_of("conv", PADDING_EXAMPLE, lang)
    assert frames[0].size == (lay.width, lay.height) and lay.cell == 48
    for k, (r0, c0) in ((0, (0, 0)), (5, (1, 1)), (15, (3, 3))):
        window = {(r0 + a, c0 + b) for a in range(3) for b in range(3)}
        for r in range(6):
            for c in range(6):
                left, top, inside = border(frames[k], lay.inputs[0], lay.cell, r, c)
                if (r, c) in window:
                    assert left == PURPLE and top == PURPLE, (k, r, c)
                else:
                    assert PURPLE not in (left, top), (k, r, c)
        # the current output cell outlined, the ones before it filled, the ones after it empty (white)
        i, j = divmod(k, 4)
        assert border(frames[k], lay.output, lay.cell, i, j)[0] == PURPLE
        if k < 15:
            after = divmod(k + 1, 4)
            assert border(frames[k], lay.output, lay.cell, *after)[2] == (255, 255, 255)
    # padding cells grey, the 6 (the input's largest) full orange, a₁₁ = 19 filled in orange on frame 5
    assert border(frames[0], lay.inputs[0], lay.cell, 0, 0)[2] == PADDING
    assert border(frames[0], lay.inputs[0], lay.cell, 2, 3)[2] == POSITIVE
    assert border(frames[5], lay.output, lay.cell, 1, 1)[2] == COLORS[DIVERGING0 + round(19 / 30 * LEVELS)]
    assert border(frames[15], lay.output, lay.cell, 2, 1)[2] == POSITIVE        # 30, the output's largest


def test_gif_frames_are_exactly_the_drawn_frames():
    scene, lay = layout_of("conv", PADDING_EXAMPLE)
    painter = Painter(scene, lay, "en", None)
    drawn = [painter.frame(k).convert("RGB") for k in range(16)]
    decoded = frames_of(animate("conv", PADDING_EXAMPLE, "gif", "en")[0])
    for k, (a, b) in enumerate(zip(drawn, decoded, strict=True)):
        assert np.array_equal(np.asarray(a), np.asarray(b)), f"frame {k} changed in the GIF"


def test_signed_values_use_blue_white_orange():
    req = {"input": [[-4, 0, 4], [1, -1, 2], [0, 0, 0]], "kernel": [[1]], "padding": "valid"}
    frames = frames_of(animate("conv", req, "gif", "en")[0])
    _, lay = layout_of("conv", req)
    assert border(frames[0], lay.inputs[0], lay.cell, 0, 0)[2] == NEGATIVE
    assert border(frames[0], lay.inputs[0], lay.cell, 0, 1)[2] == ZERO
    assert border(frames[0], lay.inputs[0], lay.cell, 0, 2)[2] == POSITIVE


def test_pool_max_window_and_winner():
    req = {"input": THEANO, "mode": "max", "pool_size": 2, "padding": "same"}
    data, _, facts = animate("pool", req, "gif", "zh-TW")
    frames = frames_of(data)
    assert len(frames) == 9
    scene, lay = layout_of("pool", req)
    # step 3 (a₀₂ = max(0, 1) = 1): window rows 0-1, columns 4-5 (5 is padding); the winner is [1, 4]
    step = scene.steps[2]
    assert step["window"] == [[0, 4], [0, 5], [1, 4], [1, 5]] and step["argmax"] == [1, 4]
    assert border(frames[2], lay.inputs[0], lay.cell, 0, 4)[0] == PURPLE
    assert border(frames[2], lay.inputs[0], lay.cell, 1, 4)[0] == BLACK_OUTLINE    # the winner, drawn last
    assert border(frames[2], lay.inputs[0], lay.cell, 0, 5)[2] == PADDING
    assert scene.steps[8]["argmax"] == [4, 4]                                     # the last window: the corner
    assert border(frames[8], lay.inputs[0], lay.cell, 4, 4)[0] == BLACK_OUTLINE
    assert border(frames[8], lay.inputs[0], lay.cell, 5, 5)[0] == PURPLE
    assert border(frames[8], lay.inputs[0], lay.cell, 3, 3)[0] != PURPLE


def test_average_pool_and_channels_change_the_output_plane():
    x = np.arange(2 * 4 * 4).reshape(4, 4, 2).tolist()
    data, _, facts = animate("pool", {"input": x, "mode": "average", "pool_size": 2}, "gif", "en")
    assert facts["frames"] == 8 and facts["steps"] == 8
    c = np.random.default_rng(0)
    req = {"input": c.integers(-3, 4, (5, 5, 2)).tolist(), "kernel": c.integers(-2, 3, (3, 3, 2, 3)).tolist()}
    data, _, facts = animate("conv", req, "gif", "en")
    assert facts["frames"] == 27 == len(frames_of(data))


def test_long_traces_are_sampled_every_kth_step_and_say_so():
    assert sample(16, 80) == list(range(16))
    for n in (81, 100, 576, 784, 10_000):
        shown = sample(n, ANIM_MAX_FRAMES)
        k = shown[1]
        assert len(shown) <= ANIM_MAX_FRAMES and shown[0] == 0 and shown[-1] == n - 1
        assert shown[:-1] == list(range(0, n, k))[:len(shown) - 1] or shown == list(range(0, n, k))
    assert sample(784, ANIM_MAX_FRAMES)[:3] == [0, 10, 20] and len(sample(784, ANIM_MAX_FRAMES)) == 80
    assert sample(16, ANIM_STRIP_FRAMES) == [0, 3, 6, 9, 12, 15]
    rng = np.random.default_rng(2)
    x = (rng.random((28, 28)) * (rng.random((28, 28)) > 0.6)).round(3).tolist()
    data, _, facts = animate("conv", {"input": x, "kernel": [[1, 0, -1]] * 3, "padding": "same"}, "gif", "en")
    frames = frames_of(data)
    assert facts["steps"] == 784 and len(frames) == facts["frames"] == 80 and facts["shown"][1] == 10
    assert len(data) < 2_000_000
    note = STRINGS["en"]["sampled"].format(every=10, frames=80, n=784)
    assert "One frame every 10 steps: 80 frames for 784 steps" in note
    # the last frame: the window on the padded input's bottom-right corner, the whole output filled
    scene, lay = layout_of("conv", {"input": x, "kernel": [[1, 0, -1]] * 3, "padding": "same"})
    assert border(frames[-1], lay.inputs[0], lay.cell, 29, 29)[0] == PURPLE
    assert border(frames[-1], lay.inputs[0], lay.cell, 27, 27)[0] == PURPLE
    assert border(frames[-1], lay.inputs[0], lay.cell, 26, 29)[0] != PURPLE
    assert border(frames[0], lay.inputs[0], lay.cell, 0, 0)[0] == PURPLE
    assert border(frames[-1], lay.output, lay.cell, 27, 27)[0] == PURPLE


def test_png_strip_of_key_frames():
    data, media_type, facts = animate("conv", PADDING_EXAMPLE, "png", "zh-TW")
    strip = Image.open(io.BytesIO(data))
    assert media_type == "image/png" and data[:8] == b"\x89PNG\r\n\x1a\n" and facts["shown"] == [0, 3, 6, 9, 12, 15]
    assert strip.size == (facts["width"], 6 * facts["height"] + 5 * 8)


def test_truncated_traces_are_drawn_as_far_as_they_go():
    x = np.ones((20, 20, 8)).tolist()
    W = np.ones((11, 11, 8, 1)).tolist()           # 968 products a step: the engine keeps 51 steps of 100
    data, _, facts = animate("conv", {"input": x, "kernel": W}, "png", "en")
    assert facts["steps"] < facts["steps_total"] == 100


@pytest.mark.parametrize("body, field", [
    ({"input": np.ones((64, 64, 8)).tolist(), "kernel": np.ones((3, 3, 8, 16)).tolist(), "padding": "same"},
     "input"),
    ({"input": [[1, 2], [3, 4]], "kernel": [[1, 2, 3]]}, "kernel"),            # the engine's own refusal
])
def test_refusals(body, field):
    with pytest.raises(EngineError) as err:
        animate("conv", body, "gif", "en")
    assert err.value.field == field
    with pytest.raises(EngineError):
        animate("conv", PADDING_EXAMPLE, "webp", "en")
    with pytest.raises(EngineError):
        animate("conv", PADDING_EXAMPLE, "gif", "fr")


def test_numbers_fit_their_cells_and_never_turn_whole():
    assert fit_number(19.0, 40, 14) == "19"
    assert fit_number(0.9999, 20, 9) is None or "." in fit_number(0.9999, 20, 9) or "e" in fit_number(0.9999, 20, 9)
    assert fit_number(0.5412, 44, 14) in ("0.5412", "0.541", "0.54")
    assert fit_number(-0.0135, 60, 14) == "-0.0135"
    text = fit_number(123456.789, 40, 12)
    assert text is None or width(text, 12) <= 40
    assert cell_name(1, 1) == "a₁₁" and cell_name(10, 3) == "a₁₀,₃"


def test_long_formulas_wrap_and_end_with_the_result():
    formula = " + ".join(f"{k}×{k}" for k in range(400)) + " = 21253400"
    lines = wrap(formula, 17, 800, 3)
    assert len(lines) == 3 and lines[-1].endswith("… = 21253400")
    assert all(width(line, 17) <= 800 for line in lines)
    assert wrap("max(3, 3, 0, 0) = 3", 17, 800, 3) == ["max(3, 3, 0, 0) = 3"]


def _missing(font: ImageFont.FreeTypeFont, ch: str) -> bool:
    """A character the font has no glyph for is drawn as its .notdef box, like an unassigned code point."""
    def bitmap(text):
        mask = font.getmask(text)
        return mask.size, bytes(mask)

    return ch.strip() != "" and bitmap(ch) == bitmap("\ue000")


def test_bundled_fonts_cover_every_string_and_the_formulas():
    latin = ImageFont.truetype(str(FONTS / "latin.ttf"), 16)
    cjk = ImageFont.truetype(str(FONTS / "cjk.otf"), 16)
    chars = {ch for table in STRINGS.values() for s in table.values() for ch in s}
    chars |= set("0123456789.-+=×()…,e maxrelusigmodtanh/ ₀₁₂₃₄₅₆₇₈₉")
    missing = [ch for ch in sorted(chars) if _missing(cjk if ord(ch) >= 0x2E80 else latin, ch)]
    assert not missing, f"run tools/make_font_subset.py: no glyph for {missing}"
    assert _missing(cjk, "鬱")                                            # the check can fail
    sizes = {p.name: p.stat().st_size for p in FONTS.iterdir() if p.suffix in (".ttf", ".otf")}
    assert sum(sizes.values()) < 120_000, sizes
    assert (FONTS / "LICENSES.md").read_text().count("SIL OPEN FONT LICENSE Version 1.1") == 1


def test_palette_matches_the_pages_colours():
    assert COLORS[INDEX["purple"]] == (123, 50, 148) and COLORS[INDEX["padding"]] == (232, 232, 232)
    assert COLORS[DIVERGING0] == (247, 247, 247)
    assert COLORS[DIVERGING0 - LEVELS] == (33, 102, 172) and COLORS[DIVERGING0 + LEVELS] == (230, 97, 1)
    # colors.js mixes channel by channel with Math.round: half way to orange is (239, 172, 124)
    assert COLORS[DIVERGING0 + LEVELS // 2] == (239, 172, 124)
    assert len(COLORS) < 255
