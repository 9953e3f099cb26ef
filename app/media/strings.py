"""The words drawn in an animation's frames, in English and Traditional Chinese (the pages' wording).

Numbers and formulas are the engine's text; these are only the labels around them. The bundled CJK font is a
subset (app/media/fonts): a new character here needs `tools/make_font_subset.py` run again, and
tests/media/test_fonts.py says so when one is missing.
"""

from __future__ import annotations

STRINGS = {
    "en": {
        "conv": "Conv2D",
        "max": "MaxPooling2D",
        "average": "AveragePooling2D",
        "step": "Step {i} of {n}",
        "padded": "Padded input",
        "input": "Input",
        "channel": "channel {n}",
        "filter": "filter {n}",
        "products": "Window × kernel = products",
        "window": "Window values",
        "output": "Output",
        "sampled": "One frame every {every} steps: {frames} frames for {n} steps (the last one included)",
        "truncated": "The trace holds the first {m} of {total} steps",
        "legend_win": "window",
        "legend_pad": "padding",
        "legend_arg": "winner (max)",
        "real_cells": "{n} real cells of {k}",
    },
    "zh-TW": {
        "conv": "卷積層 Conv2D",
        "max": "最大池化 MaxPooling2D",
        "average": "平均池化 AveragePooling2D",
        "step": "第 {i} 步，共 {n} 步",
        "padded": "填補後的輸入",
        "input": "輸入",
        "channel": "通道 {n}",
        "filter": "濾鏡 {n}",
        "products": "視窗 × 濾鏡 = 乘積",
        "window": "視窗內的值",
        "output": "輸出",
        "sampled": "每 {every} 步畫一個影格：{n} 步共 {frames} 個影格 (含最後一步)",
        "truncated": "步驟記錄只保留前 {m} 步 (共 {total} 步)",
        "legend_win": "目前的視窗",
        "legend_pad": "填補",
        "legend_arg": "最大值 (勝出)",
        "real_cells": "{k} 格中有 {n} 個真實格子",
    },
}
LANGS = tuple(STRINGS)


def text(lang: str, key: str, **values) -> str:
    return STRINGS[lang][key].format(**values)
