import numpy as np
import pytest

from app.engine.errors import EngineError
from app.engine.padding import resolve_padding
from app.engine.pool import pool2d, pool2d_naive, run_pool
from app.examples.conv import THEANO_INPUT


@pytest.mark.parametrize(("mode", "padding", "expected"), [
    ("max", "valid", [[3, 3], [3, 2]]),
    ("max", "same", [[3, 3, 1], [3, 2, 3], [2, 0, 1]]),
    ("average", "valid", [[1.5, 1.75], [1.5, 1.5]]),
    ("average", "same", [[1.5, 1.75, 0.5], [1.5, 1.5, 2.5], [1.0, 0.0, 1.0]]),
])
def test_lecture_pooling(mode, padding, expected):
    r = run_pool(THEANO_INPUT, mode=mode, pool_size=2, padding=padding)
    assert r["output"] == expected


def test_max_step_argmax_and_formula():
    r = run_pool(THEANO_INPUT, mode="max")
    first = r["steps"][0]
    assert first["formula"] == "max(3, 3, 0, 0) = 3"
    assert first["argmax"] == [0, 0]  # ties: the first maximum in row-major order
    assert first["window"] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert r["steps"][3]["argmax"] == [2, 2] and r["steps"][3]["value"] == 2


def test_average_formula_and_padded_cells_not_counted():
    r = run_pool(THEANO_INPUT, mode="average", padding="same")
    assert r["steps"][0]["formula"] == "(3 + 3 + 0 + 0) / 4 = 1.5"
    corner = r["steps"][-1]  # window over row 4..5, col 4..5: one real cell
    assert corner["inputs"] == [1, None, None, None] and corner["count"] == 1
    assert corner["formula"] == "(1) / 1 = 1"
    assert r["padding"] == {"top": 0, "bottom": 1, "left": 0, "right": 1}


def test_negative_values_never_lose_to_padding():
    r = run_pool([[-1, -2, -3]], mode="max", pool_size=2, padding="same")
    assert r["output"] == [[-1, -3]]


@pytest.mark.parametrize("seed", range(30))
def test_vectorised_matches_naive_loop(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rng.integers(1, 9), rng.integers(1, 9), rng.integers(1, 4)))
    p = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    padding = ["valid", "same"][seed % 2]
    mode = ["max", "average"][(seed // 2) % 2]
    pads = resolve_padding(padding, x.shape[:2], p, s)
    if x.shape[0] + pads.top + pads.bottom < p[0] or x.shape[1] + pads.left + pads.right < p[1]:
        with pytest.raises(EngineError):
            run_pool(x.tolist(), mode, list(p), list(s), padding)
        return
    mine, ref = pool2d(x, mode, p, s, pads), pool2d_naive(x, mode, p, s, pads)
    np.testing.assert_allclose(mine, ref, atol=1e-12, err_msg=f"mine vs reference, seed {seed}")
    r = run_pool(x.tolist(), mode, list(p), list(s), padding)
    np.testing.assert_allclose(r["output"], ref, atol=1e-12)
    for step in r["steps"]:
        i, j, c = step["index"]
        real = [v for v in step["inputs"] if v is not None]
        assert step["count"] == len(real)
        expected = max(real) if mode == "max" else sum(real) / len(real)
        assert step["value"] == pytest.approx(expected) == pytest.approx(ref[i, j, c])


def test_strides_default_to_pool_size_and_can_differ():
    x = np.arange(16).reshape(4, 4).tolist()
    assert run_pool(x, "max", 2)["output"] == [[5, 7], [13, 15]]
    assert run_pool(x, "max", 2, strides=1)["output_shape"] == [3, 3]
    assert run_pool(x, "average", [1, 2])["output"][0] == [0.5, 2.5]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"input": [[1]], "mode": "min"}, "mode"),
    ({"input": [[1]], "pool_size": 0}, "pool_size"),
    ({"input": [[1]], "pool_size": 2}, "pool_size"),
    ({"input": [[1]], "strides": [1]}, "strides"),
    ({"input": [[1]], "padding": "full"}, "padding"),
    ({"input": [[[[1]]]]}, "input"),
])
def test_bad_pool_input(kwargs, field):
    with pytest.raises(EngineError) as info:
        run_pool(**kwargs)
    assert info.value.field == field
