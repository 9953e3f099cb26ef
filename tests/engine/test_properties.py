"""Hypothesis: any request within the caps either computes finite numbers or raises the engine's own
EngineError (naming a field), never anything else."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.conv import run_conv2d
from app.engine.errors import EngineError
from app.engine.pool import run_pool
from app.engine.recurrent import gru, lstm, simple_rnn

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
numbers = st.one_of(st.integers(-1000, 1000), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False))


@st.composite
def arrays(draw, ranks, max_side):
    rank = draw(st.sampled_from(ranks))
    shape = [draw(st.integers(1, max_side)) for _ in range(rank)]
    flat = draw(st.lists(numbers, min_size=math.prod(shape), max_size=math.prod(shape)))
    return np.array(flat, dtype=float).reshape(shape).tolist()


pairs = st.one_of(st.integers(-1, 9), st.lists(st.integers(-1, 9), min_size=1, max_size=3))
paddings = st.one_of(st.sampled_from(["valid", "same", "full", "weird"]), st.integers(-1, 4),
                     st.lists(st.lists(st.integers(-1, 3), min_size=2, max_size=2), min_size=2, max_size=2))


def all_finite(value) -> bool:
    return bool(np.all(np.isfinite(np.array(value, dtype=float))))


@FAST
@given(x=arrays((2, 3), 9), k=arrays((2, 4), 4), bias=st.none() | st.lists(numbers, min_size=1, max_size=4),
       strides=pairs, dilation=pairs, padding=paddings,
       activation=st.sampled_from(["linear", "relu", "sigmoid", "tanh", "gelu", None]), trace=st.booleans())
def test_conv2d_never_raises_anything_else(x, k, bias, strides, dilation, padding, activation, trace):
    try:
        r = run_conv2d(x, k, bias, strides, padding, dilation, activation, trace)
    except EngineError as e:
        assert e.field and e.rule
        return
    assert all_finite(r["output"])
    assert list(np.array(r["output"]).shape) == r["output_shape"]
    if trace:
        assert r["steps"] and len(r["steps"]) <= r["steps_total"]
        assert all(isinstance(s["formula"], str) and "=" in s["formula"] for s in r["steps"])


@FAST
@given(x=arrays((2, 3), 9), mode=st.sampled_from(["max", "average", "min"]), pool=pairs,
       strides=st.none() | pairs, padding=st.sampled_from(["valid", "same", "full"]), trace=st.booleans())
def test_pool_never_raises_anything_else(x, mode, pool, strides, padding, trace):
    try:
        r = run_pool(x, mode, pool, strides, padding, trace)
    except EngineError as e:
        assert e.field and e.rule
        return
    assert all_finite(r["output"])
    out = np.array(r["output"], dtype=float)
    xs = np.array(x, dtype=float)
    assert out.min() >= xs.min() - 1e-6 * (1 + abs(xs.min())) and out.max() <= xs.max() + 1e-6 * (1 + abs(xs.max()))


# --- recurrent cells -------------------------------------------------------------------------------------


ACTS = st.sampled_from(["tanh", "sigmoid", "relu", "linear", "hard_sigmoid", "softplus"])


@st.composite
def recurrent_case(draw, blocks):
    T, d, u = draw(st.integers(1, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    small = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
    given_weights = draw(st.booleans())
    case = {"inputs": draw(arrays((2,), 1)) if draw(st.booleans()) else
            np.array(draw(st.lists(small, min_size=T * d, max_size=T * d))).reshape(T, d).tolist(),
            "units": draw(st.none() | st.integers(-1, 5)), "activation": draw(ACTS),
            "seed": draw(st.integers(0, 2**31)), "use_bias": draw(st.booleans())}
    if given_weights:
        k_cols = blocks * u + draw(st.sampled_from([0, 0, 0, 1]))  # sometimes the wrong shape
        case["kernel"] = np.array(draw(st.lists(small, min_size=d * k_cols, max_size=d * k_cols))).reshape(
            d, k_cols).tolist()
        case["recurrent_kernel"] = np.array(draw(st.lists(small, min_size=u * blocks * u,
                                                          max_size=u * blocks * u))).reshape(u, blocks * u).tolist()
    return case


def _check_recurrent(run, case, **extra):
    try:
        r = run(**case, **extra)
    except EngineError as e:
        assert e.field and e.rule
        return
    assert all_finite(r["hidden"]) and all_finite(r["sensitivity"])
    assert len(r["hidden"]) == len(case["inputs"])


@FAST
@given(case=recurrent_case(1))
def test_simple_rnn_never_raises_anything_else(case):
    _check_recurrent(simple_rnn.run_rnn, case)


@FAST
@given(case=recurrent_case(4), rec=ACTS)
def test_lstm_never_raises_anything_else(case, rec):
    _check_recurrent(lstm.run_lstm, case, recurrent_activation=rec)


@FAST
@given(case=recurrent_case(3), rec=ACTS, after=st.booleans())
def test_gru_never_raises_anything_else(case, rec, after):
    _check_recurrent(gru.run_gru, case, recurrent_activation=rec, reset_after=after)
