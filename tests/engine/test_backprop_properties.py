"""Hypothesis: any request to the backprop engine either computes finite numbers whose traces tell the truth, or
raises the engine's own EngineError naming a field, never anything else."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.conv_backward import run_conv2d_backward
from app.engine.errors import EngineError
from app.engine.pool_backward import run_pool_backward
from app.engine.transpose import run_conv2d_transpose

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
numbers = st.one_of(st.integers(-1000, 1000), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False))
junk = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.just(float("nan")), st.just([]),
                 st.just([[1, 2], [3]]), st.floats(1e10, 1e12))


@st.composite
def arrays(draw, ranks, max_side):
    rank = draw(st.sampled_from(ranks))
    shape = [draw(st.integers(1, max_side)) for _ in range(rank)]
    flat = draw(st.lists(numbers, min_size=math.prod(shape), max_size=math.prod(shape)))
    return np.array(flat, dtype=float).reshape(shape).tolist()


pairs = st.one_of(st.integers(-1, 9), st.lists(st.integers(-1, 9), min_size=1, max_size=3))
maybe_junk = st.one_of(st.none(), junk)


def all_finite(value) -> bool:
    return bool(np.all(np.isfinite(np.array(value, dtype=float))))


def check_terms(steps):
    for step in steps:
        assert "".join(step["terms"]) == step["formula"]


@FAST
@given(x=arrays((2, 3), 7), k=arrays((2, 4), 4), bias=st.none() | st.lists(numbers, min_size=1, max_size=4),
       strides=pairs, dilation=pairs, op=st.none() | pairs, padding=st.sampled_from(["valid", "same", "SAME", "full"]),
       activation=st.sampled_from(["linear", "relu", "sigmoid", "tanh", "gelu", None]), trace=st.booleans(),
       bad=st.one_of(st.none(), st.tuples(st.sampled_from(["input", "kernel", "bias", "strides", "trace"]), junk)))
def test_conv2d_transpose_never_raises_anything_else(x, k, bias, strides, dilation, op, padding, activation, trace,
                                                     bad):
    body = {"input": x, "kernel": k, "bias": bias, "strides": strides, "padding": padding, "output_padding": op,
            "dilation_rate": dilation, "activation": activation, "trace": trace}
    if bad:
        body[bad[0]] = bad[1]
    try:
        r = run_conv2d_transpose(**body)
    except EngineError as e:
        assert e.field and e.rule
        return
    assert all_finite(r["output"]) and list(np.shape(r["output"])) == r["output_shape"]
    for view in ("scatter", "gather"):
        check_terms(r[view]["steps"])
        assert len(r[view]["steps"]) <= r[view]["steps_total"]


@FAST
@given(x=arrays((2, 3), 7), k=arrays((2, 4), 4), bias=st.none() | st.lists(numbers, min_size=1, max_size=4),
       strides=pairs, dilation=pairs, padding=st.one_of(st.sampled_from(["valid", "same", "full", "x"]),
                                                          st.integers(-1, 3)),
       activation=st.sampled_from(["linear", "relu", "sigmoid", "tanh"]), trace=st.booleans(),
       grad=st.one_of(st.none(), st.just("ones-shaped"), junk, arrays((2, 3), 5)))
def test_conv2d_backward_never_raises_anything_else(x, k, bias, strides, dilation, padding, activation, trace, grad):
    if grad == "ones-shaped":
        grad = None
    try:
        r = run_conv2d_backward(x, k, bias, strides, padding, dilation, activation, trace, grad)
    except EngineError as e:
        assert e.field and e.rule
        return
    for key in ("grad_input", "grad_kernel", "grad_bias"):
        assert all_finite(r[key])
    assert np.shape(r["grad_input"]) == np.shape(x) and np.shape(r["grad_kernel"]) == np.shape(k)
    for name in ("grad_input_trace", "grad_kernel_trace", "grad_bias_trace"):
        check_terms(r[name]["steps"])


@FAST
@given(x=arrays((2, 3), 8), mode=st.sampled_from(["max", "average", "MAX", "min"]), pool=pairs,
       strides=st.none() | pairs, padding=st.sampled_from(["valid", "same", "full"]), trace=st.booleans(),
       grad=st.one_of(st.none(), junk, arrays((2, 3), 4)))
def test_pool_backward_never_raises_anything_else(x, mode, pool, strides, padding, trace, grad):
    try:
        r = run_pool_backward(x, mode, pool, strides, padding, trace, grad)
    except EngineError as e:
        assert e.field and e.rule
        return
    assert all_finite(r["grad_input"]) and np.shape(r["grad_input"]) == np.shape(x)
    # the gradient that arrives is the gradient that leaves: every dL/dy lands somewhere in dL/dx
    assert np.sum(r["grad_input"]) == np.sum(r["grad_output"]) or math.isclose(
        float(np.sum(r["grad_input"])), float(np.sum(r["grad_output"])), rel_tol=1e-9,
        abs_tol=1e-6 * (1 + float(np.max(np.abs(r["grad_output"])))))
    check_terms(r["steps"])
