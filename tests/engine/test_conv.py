import numpy as np
import pytest

from app.engine.conv import conv2d, conv2d_naive, conv2d_steps, pad_input, run_conv2d
from app.engine.errors import EngineError
from app.engine.padding import resolve_padding
from app.examples.conv import PADDING_INPUT, PADDING_KERNEL, THEANO_INPUT

A11 = "(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 = 19"


def test_theano_example():
    r = run_conv2d(THEANO_INPUT, [[0, 1, 2], [2, 2, 0], [0, 1, 2]])
    assert r["output"] == [[12, 12, 17], [10, 17, 19], [9, 6, 14]]
    assert r["output_shape"] == [3, 3]
    assert r["steps"][0]["formula"] == "(3×0 + 3×1 + 2×2) + (0×2 + 0×2 + 1×0) + (3×0 + 1×1 + 2×2) = 7 + 0 + 5 = 12"


def test_padding_example_and_a11_formula():
    r = run_conv2d(PADDING_INPUT, PADDING_KERNEL, padding="same")
    assert r["output"] == [[2, 15, 19, 8], [15, 19, 15, 17], [6, 30, 22, 21], [12, 17, 8, 8]]
    assert r["padding"] == {"top": 1, "bottom": 1, "left": 1, "right": 1}
    assert r["padded_input"][0] == [0, 0, 0, 0, 0, 0] and r["padded_input"][2] == [0, 0, 1, 6, 0, 0]
    step = next(s for s in r["steps"] if s["index"] == [1, 1])
    assert step["formula"] == A11
    assert step["window"] == [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3], [3, 1], [3, 2], [3, 3]]
    assert step["inputs"] == [[0, 0, 1], [0, 1, 6], [3, 3, 2]]
    assert step["products"] == [[0, 0, 3], [0, 0, 0], [3, 9, 4]]
    assert "group_sums" not in step  # they are in the formula; the MNIST trace asks for them separately
    assert step["sum"] == 19 and step["value"] == 19
    # padding=1 is the same as 'same' here
    assert run_conv2d(PADDING_INPUT, PADDING_KERNEL, padding=1)["output"] == r["output"]


def test_group_sums_on_request():
    x = np.array(PADDING_INPUT, dtype=float)[:, :, None]
    W = np.array(PADDING_KERNEL, dtype=float)[:, :, None, None]
    xp = pad_input(x, resolve_padding("same", (4, 4), (3, 3), (1, 1)))
    z = conv2d(xp, W)
    steps = conv2d_steps(xp, W, None, z, z, (1, 1), (1, 1), flat_channels=True, with_filter_index=False,
                         activation_name="linear", limit=16, group_sums=True)
    assert steps[5]["index"] == [1, 1] and steps[5]["group_sums"] == [3, 0, 16] and steps[5]["formula"] == A11


def test_the_lecture_text_filter_is_the_transpose():
    """The lecture text lists the filter column by column; only the transposed form gives the slide's output."""
    as_text = [[2, 2, 1], [1, 0, 3], [3, 0, 2]]
    assert np.array_equal(np.array(as_text).T, PADDING_KERNEL)
    assert run_conv2d(PADDING_INPUT, as_text, padding="same")["output"][1][1] != 19


def _random_case(rng):
    h, w, c, f = rng.integers(1, 9), rng.integers(1, 9), rng.integers(1, 4), rng.integers(1, 4)
    kh, kw = rng.integers(1, 4), rng.integers(1, 4)
    if rng.random() < 0.5:
        s, d = (int(rng.integers(1, 4)), int(rng.integers(1, 4))), (1, 1)
    else:
        s, d = (1, 1), (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    padding = ["valid", "same", "full", int(rng.integers(0, 3)),
               [[int(rng.integers(0, 3)), int(rng.integers(0, 3))], [int(rng.integers(0, 3)), int(rng.integers(0, 3))]]
               ][rng.integers(0, 5)]
    return (rng.normal(size=(h, w, c)), rng.normal(size=(kh, kw, c, f)), rng.normal(size=f), s, d, padding)


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_matches_naive_loop(seed):
    rng = np.random.default_rng(seed)
    x, W, b, s, d, padding = _random_case(rng)
    pads = resolve_padding(padding, x.shape[:2], W.shape[:2], s, d)
    xp = pad_input(x, pads)
    if xp.shape[0] < (W.shape[0] - 1) * d[0] + 1 or xp.shape[1] < (W.shape[1] - 1) * d[1] + 1:
        with pytest.raises(EngineError):
            run_conv2d(x.tolist(), W.tolist(), b.tolist(), s, padding, d)
        return
    mine, ref = conv2d(xp, W, s, d), conv2d_naive(xp, W, s, d)
    np.testing.assert_allclose(mine, ref, atol=1e-12, err_msg=f"mine vs reference, seed {seed}")
    for act, fn in [("linear", lambda z: z), ("relu", lambda z: np.maximum(z, 0)), ("tanh", np.tanh),
                    ("sigmoid", lambda z: 1 / (1 + np.exp(-z)))]:
        r = run_conv2d(x.tolist(), W.tolist(), b.tolist(), list(s), padding, list(d), activation=act)
        np.testing.assert_allclose(r["output"], fn(ref + b), atol=1e-12, err_msg=f"{act}, seed {seed}")
        # every trace step agrees with the output it explains
        out = np.array(r["output"])
        for step in r["steps"]:
            i, j, k = step["index"]
            assert step["value"] == pytest.approx(out[i, j, k], abs=1e-12)
            assert step["pre_activation"] == pytest.approx(step["sum"] + step["bias"], abs=1e-12)
            assert np.sum(step["products"]) == pytest.approx(step["sum"], abs=1e-9)
            assert np.allclose(np.array(step["inputs"]) * np.array(step["weights"]), step["products"])


def test_dilation_window_cells_in_padded_coordinates():
    x = np.arange(49).reshape(7, 7).tolist()
    r = run_conv2d(x, [[1, 0], [0, 1]], dilation_rate=2, padding=[[1, 0], [0, 0]])
    step = r["steps"][0]
    assert step["window"] == [[0, 0], [0, 2], [2, 0], [2, 2]]
    assert step["inputs"] == [[0, 0], [7, 9]]  # row 0 is padding
    assert r["output_shape"] == [6, 5]


def test_multichannel_step_and_formula_groups():
    x = np.arange(2 * 2 * 2).reshape(2, 2, 2).tolist()  # (H, W, C)
    W = np.ones((2, 2, 2, 3)).tolist()
    r = run_conv2d(x, W, bias=[1, 0, -1])
    assert r["output_shape"] == [1, 1, 3]
    assert r["output"] == [[[29, 28, 27]]]
    step = r["steps"][2]
    assert step["index"] == [0, 0, 2]
    assert step["formula"] == ("(0×1 + 2×1) + (4×1 + 6×1) + (1×1 + 3×1) + (5×1 + 7×1) + (-1)"
                               " = 2 + 10 + 4 + 12 + (-1) = 27")
    assert np.array(step["inputs"]).shape == (2, 2, 2)


def test_2d_input_with_keras_kernel_gives_filter_axis():
    r = run_conv2d([[1, 2], [3, 4]], [[[[1, -1]]]])
    assert r["output"] == [[[1, -1], [2, -2]], [[3, -3], [4, -4]]]
    assert r["steps"][4]["index"] == [0, 0, 1]


def test_negative_and_fractional_numbers_in_formula():
    r = run_conv2d([[-1.5, 2]], [[2, -0.25]])
    assert r["steps"][0]["formula"] == "((-1.5)×2 + 2×(-0.25)) = -3.5"


def test_relu_formula_and_strides():
    r = run_conv2d([[1, -2, 3, -4, 5]], [[1]], strides=[1, 2], activation="relu", bias=[-2])
    assert r["output"] == [[[0, 1, 3]]] or r["output"] == [[0, 1, 3]]
    assert r["steps"][1]["activation_formula"] == "relu(1) = 1"


def test_trace_false_and_cap():
    r = run_conv2d(np.ones((64, 64)).tolist(), np.ones((3, 3)).tolist(), trace=False)
    assert r["steps"] == [] and r["steps_total"] == 62 * 62 and r["steps_truncated"] is False
    big = run_conv2d(np.ones((64, 64, 8)).tolist(), np.ones((3, 3, 8, 16)).tolist(), padding="same")
    assert big["steps_total"] == 64 * 64 * 16
    assert big["steps_truncated"] is True and 0 < len(big["steps"]) <= 10_000


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"input": [], "kernel": [[1]]}, "input"),
    ({"input": [[1, 2], [3]], "kernel": [[1]]}, "input.1"),
    ({"input": [[1, "a"]], "kernel": [[1]]}, "input.0.1"),
    ({"input": [[1, True]], "kernel": [[1]]}, "input.0.1"),
    ({"input": [1, 2], "kernel": [[1]]}, "input"),
    ({"input": [[float("nan")]], "kernel": [[1]]}, "input"),
    ({"input": [[1e300]], "kernel": [[1]]}, "input"),
    ({"input": [[1]], "kernel": [[[1]]]}, "kernel"),
    ({"input": [[1, 1]], "kernel": [[1, 1, 1]]}, "kernel"),
    ({"input": np.ones((3, 3, 2)).tolist(), "kernel": [[1]]}, "kernel"),
    ({"input": [[1]], "kernel": [[1]], "bias": [1, 2]}, "bias"),
    ({"input": [[1]], "kernel": [[1]], "strides": 0}, "strides"),
    ({"input": [[1]], "kernel": [[1]], "strides": [1, 9]}, "strides.1"),
    ({"input": [[1]], "kernel": [[1]], "dilation_rate": -1}, "dilation_rate"),
    ({"input": [[1]], "kernel": [[1]], "strides": 2, "dilation_rate": 2}, "dilation_rate"),
    ({"input": [[1]], "kernel": [[1]], "padding": "middle"}, "padding"),
    ({"input": [[1]], "kernel": [[1]], "activation": "softmax"}, "activation"),
    ({"input": np.ones((65, 2)).tolist(), "kernel": [[1]]}, "input"),
    ({"input": np.ones((2, 2, 9)).tolist(), "kernel": [[1]]}, "input"),
    ({"input": [[1]], "kernel": np.ones((12, 1)).tolist()}, "kernel"),
    ({"input": [[1]], "kernel": np.ones((1, 1, 1, 17)).tolist()}, "kernel"),
])
def test_bad_input_is_an_engine_error_naming_the_field(kwargs, field):
    with pytest.raises(EngineError) as info:
        run_conv2d(**kwargs)
    assert info.value.field == field
    assert info.value.rule
