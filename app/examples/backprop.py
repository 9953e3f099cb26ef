"""Backward-pass examples on the lecture's numbers (served with the others at GET /api/examples).

The padding example (a 4×4 input, the slide's 3×3 filter, 'same') run backwards: with dL/dy all ones every input
cell collects the filter weights that touched it (dL/dx), and dL/dW is the sum of the padded input's windows;
a one-hot gradient stamps the filter onto the input; the transposed convolution of ones gives that same dL/dx;
max pooling hands each window's gradient to its maximum.
"""

from .conv import PADDING_INPUT, PADDING_KERNEL, THEANO_INPUT

ONES_DX = [[5, 8, 8, 4], [9, 14, 14, 9], [9, 14, 14, 9], [6, 8, 8, 5]]

EXAMPLES = [
    {
        "id": "backprop-conv-ones",
        "endpoint": "/api/conv2d/backward",
        "title": {"en": "Convolution backwards: dL/dy all ones (the padding example)",
                  "zh-TW": "卷積的反向傳播：dL/dy 全為 1 (填補範例)"},
        "description": {"en": "Each input cell collects the weights of every window it sat in (dL/dx); dL/dW is "
                              "the sum of the padded input's 16 windows; dL/db counts the outputs.",
                        "zh-TW": "每個輸入格子收集所有經過它的濾鏡權重 (dL/dx)；dL/dW 是補零後輸入 16 個視窗的總和；"
                                 "dL/db 是輸出的個數。"},
        "request": {"input": PADDING_INPUT, "kernel": PADDING_KERNEL, "padding": "same",
                    "grad_output": [[1, 1, 1, 1]] * 4},  # the default, written out
        "expected": {"grad_input": ONES_DX, "grad_kernel": [[16, 17, 14], [19, 21, 17], [18, 19, 15]],
                     "grad_bias": [16]},
    },
    {
        "id": "backprop-conv-one-hot",
        "endpoint": "/api/conv2d/backward",
        "title": {"en": "A one-hot gradient stamps the filter (a₁₁)", "zh-TW": "只有 a₁₁ 的梯度：把濾鏡蓋回輸入上"},
        "description": {"en": "dL/dy is 1 at a₁₁ only: dL/dx is the filter placed over a₁₁'s window, and dL/dW is "
                              "that window of the padded input.",
                        "zh-TW": "dL/dy 只有 a₁₁ 為 1：dL/dx 就是把濾鏡放回 a₁₁ 的視窗，"
                                 "dL/dW 就是補零後輸入的那個視窗。"},
        "request": {"input": PADDING_INPUT, "kernel": PADDING_KERNEL, "padding": "same",
                    "grad_output": [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]},
        "expected": {"grad_input": [[2, 1, 3, 0], [2, 0, 0, 0], [1, 3, 2, 0], [0, 0, 0, 0]],
                     "grad_kernel": [[0, 0, 1], [0, 1, 6], [3, 3, 2]], "grad_bias": [1]},
    },
    {
        "id": "transpose-ones",
        "endpoint": "/api/conv2d_transpose",
        "title": {"en": "Transposed convolution of ones = dL/dx", "zh-TW": "轉置卷積：全為 1 的輸入得到 dL/dx"},
        "description": {"en": "Conv2DTranspose with the same filter and padding maps a 4×4 of ones to the "
                              "backward pass's dL/dx: the filter turned by 180° slides over the padded ones.",
                        "zh-TW": "同一個濾鏡與填補的 Conv2DTranspose 把 4×4 的 1 變成反向傳播的 dL/dx："
                                 "旋轉 180° 的濾鏡在補零後的 1 上滑動。"},
        "request": {"input": [[1, 1, 1, 1]] * 4, "kernel": PADDING_KERNEL, "padding": "same"},
        "expected": {"output": ONES_DX},
    },
    {
        "id": "transpose-strides",
        "endpoint": "/api/conv2d_transpose",
        "title": {"en": "Transposed convolution with strides 2 (upsampling)", "zh-TW": "步幅 2 的轉置卷積 (上採樣)"},
        "description": {"en": "Strides 2 insert a zero between input cells: a 2×2 of ones filter turns 2×2 into 4×4.",
                        "zh-TW": "步幅 2 在輸入格子之間插入 0：2×2 的全 1 濾鏡把 2×2 放大成 4×4。"},
        "request": {"input": [[1, 2], [3, 4]], "kernel": [[1, 1], [1, 1]], "strides": 2},
        "expected": {"output": [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]},
    },
    {
        "id": "backprop-pool-max",
        "endpoint": "/api/pool/backward",
        "title": {"en": "Max pooling backwards: the winner takes the gradient",
                  "zh-TW": "最大池化的反向傳播：梯度只給最大值"},
        "description": {"en": "2×2 windows with strides 1 over the Theano input, dL/dy all ones: each window's "
                              "gradient goes to its first maximum, so a cell that wins 4 windows gets 4.",
                        "zh-TW": "在 Theano 範例輸入上以 2×2、步幅 1 池化，dL/dy 全為 1：每個視窗的梯度交給它的"
                                 "(第一個) 最大值，贏了 4 個視窗的格子得到 4。"},
        "request": {"input": THEANO_INPUT, "mode": "max", "strides": 1},
        "expected": {"grad_input": [[1, 1, 0, 0, 0], [0, 0, 0, 4, 0], [2, 0, 3, 0, 1], [1, 1, 0, 2, 0],
                                    [0, 0, 0, 0, 0]]},
    },
]

# What an example picker shows (a closed <select> cannot wrap: lib/presets.js); `title` says it whole.
SHORT_TITLES = {
    "backprop-conv-ones": {"en": "Conv backward: all ones", "zh-TW": "卷積反向：dL/dy 全為 1"},
    "backprop-conv-one-hot": {"en": "Conv backward: only a₁₁", "zh-TW": "卷積反向：只有 a₁₁"},
    "transpose-ones": {"en": "Transposed conv of ones", "zh-TW": "轉置卷積：全為 1"},
    "transpose-strides": {"en": "Transposed conv, strides 2", "zh-TW": "轉置卷積：步幅 2"},
    "backprop-pool-max": {"en": "Max pooling backward", "zh-TW": "最大池化的反向傳播"},
}
