"""fmt_array / term_array write a whole array of numbers as fmt / term would, one by one."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.numbers import fmt, fmt_array, term, term_array, words

EDGES = [0.0, -0.0, 1e-4, -1e-4, 0.00005, -0.00005, 4.99999e-5, 9999999.99995, -9999999.99996, 1e7, -1e7, 0.99995,
         1.00005, 2.5, 1e-5, 123.45675, 0.00015, 0.12345, 2.0**53, -(2.0**60), 1e300, -1e-300, 3.0, -7.0]


def test_fmt_array_is_fmt_on_seeded_values_and_edges():
    rng = np.random.default_rng(0)
    values = np.concatenate([EDGES, rng.uniform(-1, 1, 5000), rng.uniform(-1e7, 1e7, 2000), rng.integers(-99, 99, 500),
                             np.round(rng.uniform(-10, 10, 3000), 4), np.round(rng.uniform(-10, 10, 3000), 5),
                             rng.uniform(-2e-4, 2e-4, 1000)])
    assert fmt_array(values).tolist() == [fmt.__wrapped__(v) for v in values.tolist()]
    assert term_array(values).tolist() == [term.__wrapped__(v) for v in values.tolist()]
    assert term_array(np.array([-3.0, 2.0, -0.00001])).tolist() == ["(-3)", "2", "(-1e-05)"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=30))
def test_fmt_array_is_fmt_on_any_floats(values):
    assert fmt_array(np.array(values)).tolist() == [fmt.__wrapped__(v) for v in values]
    assert term_array(np.array(values)).tolist() == [term.__wrapped__(v) for v in values]


def test_words_keeps_the_shape_and_the_prefix():
    a = np.array([[1.5, -2.0], [1.5, 0.0]])
    assert words(a).tolist() == [["1.5", "(-2)"], ["1.5", "0"]]
    assert words(a, prefix="×").tolist() == [["×1.5", "×(-2)"], ["×1.5", "×0"]]
    assert words(a, fmt).tolist() == [["1.5", "-2"], ["1.5", "0"]]
