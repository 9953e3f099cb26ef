"""to_list and rows_to_lists: nested lists for JSON, whole numbers as ints, -0.0 as 0; as_array's checks."""

import numpy as np
import pytest

from app.engine.arrays import as_array, rows_to_lists, to_list
from app.engine.errors import EngineError


@pytest.mark.parametrize("seed", range(20))
def test_rows_to_lists_is_to_list_row_by_row(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-5, 6, (int(rng.integers(1, 9)), int(rng.integers(1, 80)))).astype(float)
    a[rng.random(a.shape[0]) < 0.4] *= 0.5        # some rows with halves, some whole
    a[0, 0] = -0.0
    if seed % 3 == 0:
        a[-1, -1] = 2.0**60                          # whole but beyond 2**53: stays a float
    got, want = rows_to_lists(a), [to_list(row) for row in a]
    assert got == want
    assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in want]


@pytest.mark.parametrize("n", [3, 64, 65, 200])
def test_to_list_short_and_long_paths_agree(n):
    whole = np.arange(n, dtype=float) - n // 2
    assert to_list(whole) == whole.astype(int).tolist() and all(type(v) is int for v in to_list(whole))
    halves = whole / 2
    assert all(type(v) is float for v in to_list(halves))
    assert to_list(np.array([-0.0] * n)) == [0] * n
    big = np.full(n, 2.0**60)
    assert all(type(v) is float for v in to_list(big))


@pytest.mark.parametrize("value,field,rule", [
    ([[1, 2], [3]], "x.1", "ragged: shape [1] differs from [2] of item 0"),
    ([[1, "a"]], "x.0.1", "must be a number or a list of numbers"),
    ([[1, True]], "x.0.1", "must be a number or a list of numbers"),
    ([[1], [[2]]], "x", "has more than 2 dimensions"),
    ([[1], []], "x.1", "must not be empty"),
    ([1, [2]], "x.1", "ragged: shape [1] differs from [] of item 0"),
    ([[[1]]], "x", "has more than 2 dimensions"),
])
def test_a_bad_nested_list_is_named_down_to_the_item(value, field, rule):
    with pytest.raises(EngineError) as e:
        as_array(value, "x", (1, 2))
    assert (e.value.field, e.value.rule) == (field, rule)


def test_too_many_dimensions_names_the_top_field():
    with pytest.raises(EngineError) as e:
        as_array([[[1, 2]]], "output_layer.kernel", (2,))
    assert e.value.field == "output_layer"


def test_rows_of_numbers_take_the_fast_path_and_give_the_slow_paths_shape():
    rows = [[0.5] * 28 for _ in range(28)]
    assert as_array(rows, "pixels", (2,)).shape == (28, 28)
    assert as_array([[1, 2.5], [3, 4]], "x", (2,)).tolist() == [[1, 2.5], [3, 4]]
    assert as_array([(1, 2), (3, 4)], "x", (2,)).shape == (2, 2)  # tuples: the item-by-item path
