"""Recurrent examples from the lecture (遞迴神經網路, 長短期記憶), ready to post to /api/rnn, /api/lstm, /api/gru."""

ONES_2x2 = [[1, 1], [1, 1]]

# The lecture's RNN example: 2 inputs, 2 memory cells, 2 outputs, every weight 1, no bias, linear.
LECTURE_RNN = {"units": 2, "kernel": ONES_2x2, "recurrent_kernel": ONES_2x2, "use_bias": False,
               "activation": "linear", "output_layer": {"kernel": ONES_2x2, "use_bias": False}}

# The classic LSTM gate example: x = (x1 value, x2 write/erase, x3 read); kernel columns i, f, c, o.
GATE_KERNEL = [[0, 0, 1, 0], [100, 100, 0, 0], [0, 0, 0, 100]]
GATE_LSTM = {"units": 1, "kernel": GATE_KERNEL, "recurrent_kernel": [[0, 0, 0, 0]], "bias": [-10, 10, 0, -10],
             "activation": "linear"}
GATE_INPUTS = [[3, 1, 0], [4, 1, 0], [2, 0, 0], [1, 0, 1], [3, -1, 0]]

# Long-term memory: write 1 at step 1, then 18 distracting values, then ask for it at step 20.
DISTRACTORS = [-0.4, -0.3, 0.3, 0.1, -0.4, -0.1, 0, -0.3, 0.2, -0.4, -0.1, 0, -0.1, 0.1, 0.2, 0.5, -0.2, 0.1]
MEMORY_INPUTS = [[1, 1, 0], *([v, 0, 0] for v in DISTRACTORS), [0, 0, 1]]


def _ex(id, endpoint, en, zh, den, dzh, request, expected):
    return {"id": id, "endpoint": endpoint, "title": {"en": en, "zh-TW": zh},
            "description": {"en": den, "zh-TW": dzh}, "request": request, "expected": expected}


EXAMPLES = [
    _ex("rnn-lecture", "/api/rnn", "RNN example: all weights 1, no bias", "RNN example：權重皆為1，沒有bias項",
        "Inputs (1,1), (2,1), (1,3): the memory cells carry 2, then 7, then 18, so the outputs are 4, 14, 36.",
        "輸入 (1,1)、(2,1)、(1,3)：記憶單元依序存下 2、7、18，輸出為 4、14、36。",
        {"inputs": [[1, 1], [2, 1], [1, 3]], **LECTURE_RNN},
        {"hidden": [[2, 2], [7, 7], [18, 18]], "outputs": [[4, 4], [14, 14], [36, 36]]}),
    _ex("rnn-lecture-order", "/api/rnn", "RNN example: the order matters", "RNN example：順序不同，輸出不同",
        "Inputs (1,1), (1,1), (2,2): the same first input gives 4, then 12 and 32, because the memory adds up.",
        "輸入 (1,1)、(1,1)、(2,2)：同樣的輸入因為記憶不同，輸出依序為 4、12、32。",
        {"inputs": [[1, 1], [1, 1], [2, 2]], **LECTURE_RNN},
        {"hidden": [[2, 2], [6, 6], [16, 16]], "outputs": [[4, 4], [12, 12], [32, 32]]}),
    _ex("lstm-gates", "/api/lstm", "LSTM gates: write, keep, read, erase (Keras 2 hard_sigmoid)",
        "LSTM 的閘：寫入、保留、讀出、遺忘 (Keras 2 的 hard_sigmoid)",
        "x2 = 1 opens the input gate, x3 = 1 opens the output gate, x2 = −1 closes the forget gate: "
        "memory 3, 7, 7, 7, 0 and output 0, 0, 0, 7, 0.",
        "x2 = 1 打開輸入閘，x3 = 1 打開輸出閘，x2 = −1 讓遺忘閘清除記憶：記憶 3、7、7、7、0，輸出 0、0、0、7、0。",
        {"inputs": GATE_INPUTS, **GATE_LSTM, "recurrent_activation": "hard_sigmoid"},
        {"cell": [[3], [7], [7], [7], [0]], "hidden": [[0], [0], [0], [7], [0]]}),
    _ex("lstm-gates-sigmoid", "/api/lstm", "LSTM gates with sigmoid (Keras ≥ 2.3 default)",
        "LSTM 的閘，改用 sigmoid (Keras 2.3 之後的預設)",
        "The same weights with a smooth sigmoid: gates are almost, not exactly, 0 and 1; the output at step 4 "
        "is 6.9995.",
        "同樣的權重改用 sigmoid：閘幾乎是 0 與 1 但不完全是；第 4 步的輸出為 6.9995。",
        {"inputs": GATE_INPUTS, **GATE_LSTM, "recurrent_activation": "sigmoid"},
        {"hidden_rounded_4": [[0.0001], [0.0003], [0.0003], [6.9995], [0]]}),
    _ex("memory-rnn", "/api/rnn", "Long-term memory: SimpleRNN forgets", "長期記憶：SimpleRNN 記憶力差",
        "A 1 is shown at step 1 and asked for at step 20. Even with memory weight 1, tanh squeezes the "
        "memory every step: h₂₀ keeps little of it and ‖∂h₂₀/∂x₁‖ is small.",
        "第 1 步給 1，第 20 步才問。即使記憶權重為 1，tanh 每一步都壓縮記憶：h₂₀ 幾乎不記得，‖∂h₂₀/∂x₁‖ 很小"
        "（記憶力差，無法回溯到較久遠的input）。",
        {"inputs": MEMORY_INPUTS, "units": 1, "kernel": [[1], [0], [0]], "recurrent_kernel": [[1]],
         "use_bias": False, "activation": "tanh"},
        {"sensitivity_first_below": 0.1}),
    _ex("memory-lstm", "/api/lstm", "Long-term memory: LSTM remembers", "長期記憶：LSTM 記得",
        "The same sequence: the input gate writes the 1, the forget gate keeps it for 18 steps, the output gate "
        "reads it at step 20.",
        "同樣的序列：輸入閘寫入 1，遺忘閘保留 18 步，輸出閘在第 20 步讀出。",
        {"inputs": MEMORY_INPUTS, **GATE_LSTM, "recurrent_activation": "sigmoid"},
        {"sensitivity_first_above": 0.9, "hidden_last_rounded_3": 0.999}),
    _ex("gru-small", "/api/gru", "GRU with Keras' initial weights (seed 0)", "GRU：Keras 的初始權重 (seed 0)",
        "Two units, weights from glorot_uniform and orthogonal (seed 0): watch the update and reset gates.",
        "兩個單元，權重由 glorot_uniform 與 orthogonal 初始化 (seed 0)：觀察更新閘與重置閘。",
        {"inputs": [[1, 0], [0, 1], [1, 1], [0, 0]], "units": 2, "seed": 0}, {}),
]

# What an example picker shows (a closed <select> cannot wrap: lib/presets.js); `title` says it whole.
SHORT_TITLES = {
    "rnn-lecture": {"en": "All weights 1, no bias", "zh-TW": "權重皆為 1，沒有 bias"},
    "rnn-lecture-order": {"en": "The order matters", "zh-TW": "順序不同，輸出不同"},
    "lstm-gates": {"en": "Gates, hard_sigmoid", "zh-TW": "閘：hard_sigmoid"},
    "lstm-gates-sigmoid": {"en": "Gates, sigmoid", "zh-TW": "閘：sigmoid"},
    "memory-rnn": {"en": "Memory: SimpleRNN forgets", "zh-TW": "長期記憶：SimpleRNN 忘記"},
    "memory-lstm": {"en": "Memory: LSTM remembers", "zh-TW": "長期記憶：LSTM 記得"},
    "gru-small": {"en": "GRU, initial weights", "zh-TW": "GRU：初始權重"},
}
