"""to_list and rows_to_lists: nested lists for JSON, whole numbers as ints, -0.0 as 0."""

import numpy as np
import pytest

from app.engine.arrays import rows_to_lists, to_list


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
