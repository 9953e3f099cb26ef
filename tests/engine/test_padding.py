import pytest

from app.engine.errors import EngineError
from app.engine.padding import Pads, output_size, resolve_padding, same_pads_1d


@pytest.mark.parametrize(("n", "k", "s", "d", "expected"), [
    (5, 3, 1, 1, (1, 1)),
    (4, 2, 1, 1, (0, 1)),   # TF puts the extra cell at the bottom/right
    (5, 2, 2, 1, (0, 1)),
    (6, 3, 2, 1, (0, 1)),
    (7, 3, 2, 1, (1, 1)),
    (5, 3, 1, 2, (2, 2)),
    (4, 4, 3, 1, (1, 2)),   # out = 2, total = (2 - 1)·3 + 4 - 4 = 3: one on top, two at the bottom
    (10, 1, 3, 1, (0, 0)),
])
def test_same_padding_follows_tensorflow(n, k, s, d, expected):
    top, bottom = same_pads_1d(n, k, s, d)
    out = -(-n // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    assert (top, bottom) == (total // 2, total - total // 2)
    assert (top, bottom) == expected
    assert output_size(n + top + bottom, k, s, d) == out


def test_full_and_explicit_padding():
    assert resolve_padding("full", (5, 5), (3, 2), (1, 1), (2, 1)) == Pads(4, 4, 1, 1)
    assert resolve_padding(2, (5, 5), (3, 3), (1, 1)) == Pads(2, 2, 2, 2)
    assert resolve_padding([[1, 0], [2, 3]], (5, 5), (3, 3), (1, 1)) == Pads(1, 0, 2, 3)
    assert resolve_padding("VALID", (5, 5), (3, 3), (1, 1)) == Pads(0, 0, 0, 0)


@pytest.mark.parametrize("bad", ["middle", -1, [[1, 2]], [[1, -1], [0, 0]], 1.5, True, [[1, 2], [3]]])
def test_bad_padding_names_the_field(bad):
    with pytest.raises(EngineError) as info:
        resolve_padding(bad, (5, 5), (3, 3), (1, 1))
    assert info.value.field == "padding"


def test_pool_padding_accepts_only_valid_and_same():
    with pytest.raises(EngineError, match="'valid', 'same'$"):
        resolve_padding("full", (5, 5), (2, 2), (2, 2), allowed=("valid", "same"))
