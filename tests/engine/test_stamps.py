"""The scatter picture's running totals and the formula parts (`terms`) of the backprop traces."""

import numpy as np
import pytest

from app.engine.conv import conv2d, conv2d_steps
from app.engine.formulas import sum_formula
from app.engine.numbers import fmt, term
from app.engine.stamps import running_totals, running_totals_naive, update_formulas


@pytest.mark.parametrize("seed", range(10))
def test_running_totals_match_the_loop_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 20))
    n = int(rng.integers(0, 200))
    targets = rng.integers(0, size, size=n)
    values = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4, size=n)
    before, after = running_totals(targets, values, size)
    ref_before, ref_after = running_totals_naive(targets, values, size)
    assert np.array_equal(before, ref_before), f"mine vs reference, seed {seed}"
    assert np.array_equal(after, ref_after), f"mine vs reference, seed {seed}"


def test_running_totals_small_case():
    before, after = running_totals(np.array([2, 0, 2, 2]), np.array([1.0, 5.0, 2.0, -4.0]), 3)
    assert before.tolist() == [0, 0, 1, 3] and after.tolist() == [1, 5, 3, -1]


def test_update_formulas_text_and_terms():
    before = np.array([[3.0, 0.0], [1.5, -2.0]])
    w = np.array([[2.0, -1.0], [0.5, 3.0]])
    a = np.array([6.0, -2.0])
    after = before + a[:, None] * w
    formulas, terms = update_formulas(before, a, w, after)
    assert formulas == ["3 + 6×2 = 15, 0 + 6×(-1) = -6", "1.5 + (-2)×0.5 = 0.5, -2 + (-2)×3 = -8"]
    assert terms[0] == ["3 + 6×2", " = 15, 0 + 6×(-1)", " = -6"]
    assert all("".join(t) == f for t, f in zip(terms, formulas, strict=True))
    real = np.array([[True, False], [False, True]])
    formulas, terms = update_formulas(before, a, w, after, real)
    assert formulas == ["3 + 6×2 = 15", "-2 + (-2)×3 = -8"] and terms[1] == ["-2 + (-2)×3", " = -8"]


def test_sum_formula():
    assert sum_formula(np.array([[1.0, 1.0], [-2.0, 0.25]]), 0.25) == (
        "1 + 1 + (-2) + 0.25 = 0.25", ["1", " + 1", " + (-2)", " + 0.25", " = 0.25"])


@pytest.mark.parametrize("seed", range(8))
def test_conv_terms_cut_after_each_product(seed):
    rng = np.random.default_rng(seed)
    c, f = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    xp = np.round(rng.normal(size=(7, 8, c)) * 3, int(rng.integers(0, 3)))
    W = np.round(rng.normal(size=(kh, kw, c, f)) * 2, 1)
    b = np.round(rng.normal(size=f), 2) if seed % 2 else None
    s, d = [((1, 1), (2, 1)), ((2, 3), (1, 1)), ((1, 1), (1, 1)), ((3, 1), (1, 1))][seed % 4]
    z = conv2d(xp, W, s, d) + (0 if b is None else b)
    limit = int(rng.integers(1, z.size + 1))                        # cut anywhere, also inside a filter
    steps = conv2d_steps(xp, W, b, z, z, s, d, flat_channels=c == 1, with_filter_index=True,
                         activation_name="linear", limit=limit)
    assert len(steps) == limit
    for step in steps:
        x = np.asarray(step["inputs"], float).reshape(kh, kw, c)
        w = np.asarray(step["weights"], float).reshape(kh, kw, c)
        products = [term(x[a, q, ch]) + "×" + term(w[a, q, ch])
                    for ch in range(c) for a in range(kh) for q in range(kw)]
        assert len(step["terms"]) == len(products) + 1
        assert "".join(step["terms"]) == step["formula"]
        for part, product in zip(step["terms"], products, strict=False):
            assert part.endswith(product), (part, product)
        assert step["terms"][-1].endswith(" = " + fmt(step["pre_activation"]))


def test_conv_terms_of_the_lecture_cell():
    xp = np.array([[0, 0, 1], [0, 1, 6], [3, 3, 2]], float)[:, :, None]
    W = np.array([[2, 1, 3], [2, 0, 0], [1, 3, 2]], float)[:, :, None, None]
    z = conv2d(xp, W)
    step = conv2d_steps(xp, W, None, z, z, (1, 1), (1, 1), flat_channels=True,
                        with_filter_index=False, activation_name="linear", limit=1)[0]
    assert step["terms"] == ["(0×2", " + 0×1", " + 1×3", ") + (0×2", " + 1×0", " + 6×0", ") + (3×1", " + 3×3",
                             " + 2×2", ") = 3 + 0 + 16 = 19"]
