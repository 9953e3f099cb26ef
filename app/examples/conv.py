"""Convolution and pooling examples from the lecture (卷積層, 填補, 池化層)."""

THEANO_INPUT = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
PADDING_INPUT = [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]]
# The slide's filter read row by row. The lecture text lists [[2,2,1],[1,0,3],[3,0,2]], which is
# its transpose (the slide was read column by column); only this form reproduces the slide's output.
PADDING_KERNEL = [[2, 1, 3], [2, 0, 0], [1, 3, 2]]

EXAMPLES = [
    {
        "id": "conv-theano",
        "endpoint": "/api/conv2d",
        "title": {"en": "Convolution, no padding (the Theano example)",
                  "zh-TW": "卷積層：不填補 (Theano 範例)"},
        "description": {"en": "A 3×3 filter slides over a 5×5 input with padding 'valid': the output is 3×3.",
                        "zh-TW": "3×3 濾鏡在 5×5 輸入上滑動，padding='valid'，輸出為 3×3。"},
        "request": {"input": THEANO_INPUT, "kernel": [[0, 1, 2], [2, 2, 0], [0, 1, 2]], "padding": "valid"},
        "expected": {"output": [[12, 12, 17], [10, 17, 19], [9, 6, 14]]},
    },
    {
        "id": "conv-padding",
        "endpoint": "/api/conv2d",
        "title": {"en": "Padding keeps the size (a₁₁ = 19)", "zh-TW": "填補 (Padding)：輸出大小不變 (a₁₁ = 19)"},
        "description": {"en": "Zero padding of 1 ('same') around a 4×4 input keeps the output 4×4.",
                        "zh-TW": "在 4×4 輸入外圍補一圈 0 (padding='same')，使經過濾鏡後的矩陣不會越來越小。"},
        "request": {"input": PADDING_INPUT, "kernel": PADDING_KERNEL, "padding": "same"},
        "expected": {"output": [[2, 15, 19, 8], [15, 19, 15, 17], [6, 30, 22, 21], [12, 17, 8, 8]],
                     "formula_at": [1, 1],
                     "formula": "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"},
    },
    {
        "id": "pool-max-valid",
        "endpoint": "/api/pool",
        "title": {"en": "Max pooling 2×2 (valid)", "zh-TW": "最大池化 Max-Pooling (2 x 2)，valid"},
        "description": {"en": "Each 2×2 window keeps its largest value; the last row and column do not fit.",
                        "zh-TW": "每個 2×2 區塊取最大值；最後一列與一行放不下，捨去。"},
        "request": {"input": THEANO_INPUT, "mode": "max", "pool_size": 2, "padding": "valid"},
        "expected": {"output": [[3, 3], [3, 2]]},
    },
    {
        "id": "pool-max-same",
        "endpoint": "/api/pool",
        "title": {"en": "Max pooling 2×2 (same)", "zh-TW": "最大池化 Max-Pooling (2 x 2)，same"},
        "description": {"en": "'same' pads at the bottom/right; padded cells never win.",
                        "zh-TW": "'same' 在下方與右方填補；填補的格子不參與取最大值。"},
        "request": {"input": THEANO_INPUT, "mode": "max", "pool_size": 2, "padding": "same"},
        "expected": {"output": [[3, 3, 1], [3, 2, 3], [2, 0, 1]]},
    },
    {
        "id": "pool-average-valid",
        "endpoint": "/api/pool",
        "title": {"en": "Average pooling 2×2 (valid)", "zh-TW": "平均池化 Average-Pooling (2 x 2)，valid"},
        "description": {"en": "Each 2×2 window is replaced by its mean.", "zh-TW": "每個 2×2 區塊取平均值。"},
        "request": {"input": THEANO_INPUT, "mode": "average", "pool_size": 2, "padding": "valid"},
        "expected": {"output": [[1.5, 1.75], [1.5, 1.5]]},
    },
    {
        "id": "pool-average-same",
        "endpoint": "/api/pool",
        "title": {"en": "Average pooling 2×2 (same)", "zh-TW": "平均池化 Average-Pooling (2 x 2)，same"},
        "description": {"en": "Padded cells are not counted: the edge windows divide by fewer cells.",
                        "zh-TW": "填補的格子不計入平均：邊緣區塊除以較少的格數。"},
        "request": {"input": THEANO_INPUT, "mode": "average", "pool_size": 2, "padding": "same"},
        "expected": {"output": [[1.5, 1.75, 0.5], [1.5, 1.5, 2.5], [1.0, 0.0, 1.0]]},
    },
]

# What an example picker shows (a closed <select> cannot wrap: lib/presets.js); `title` says it whole.
SHORT_TITLES = {
    "conv-theano": {"en": "No padding (Theano)", "zh-TW": "不填補 (Theano 範例)"},
    "conv-padding": {"en": "Padding keeps the size", "zh-TW": "填補：輸出大小不變"},
    "pool-max-valid": {"en": "Max pooling 2×2, valid", "zh-TW": "最大池化 2×2，valid"},
    "pool-max-same": {"en": "Max pooling 2×2, same", "zh-TW": "最大池化 2×2，same"},
    "pool-average-valid": {"en": "Average pooling 2×2, valid", "zh-TW": "平均池化 2×2，valid"},
    "pool-average-same": {"en": "Average pooling 2×2, same", "zh-TW": "平均池化 2×2，same"},
}
