"""POST /api/activations' contract: an activation and its derivative at given points.

`run_activation(name, x, keras=2)` checks the request (caps from limits.py) and returns

    {"name": "hard_sigmoid", "keras": 2, "x": [...], "y": [...], "dy": [...], "jacobian": None,
     "formula": "clip(0.2x + 0.5, 0, 1)", "derivative": "0.2 if -2.5 <= x <= 2.5, else 0",
     "kinks": [-2.5, 2.5]}

`keras` is the hard_sigmoid form (2 or 3) and null for the other functions, which did not change. For softmax,
x is one vector, `dy` is the Jacobian's diagonal ∂yᵢ/∂xᵢ and `jacobian` the whole (K, K) matrix ∂yᵢ/∂xⱼ
(app/engine/activations.py says why, and which one-sided derivative each kink takes).
"""

from __future__ import annotations

from .activations import KERAS_VERSIONS, KINKS, NAMES, derivative, forward, softmax_jacobian
from .arrays import as_array, check_int, to_list
from .errors import EngineError
from .limits import ACT_MAX_SOFTMAX, ACT_MAX_X

FORMULAS = {  # (y, dy), written with x as the API's field is named
    "linear": ("x", "1"),
    "relu": ("max(x, 0)", "1 if x > 0, else 0"),
    "sigmoid": ("1 / (1 + exp(-x))", "sigmoid(x)·(1 - sigmoid(x))"),
    "tanh": ("(exp(x) - exp(-x)) / (exp(x) + exp(-x))", "1 - tanh(x)²"),
    ("hard_sigmoid", 2): ("clip(0.2x + 0.5, 0, 1)", "0.2 if -2.5 <= x <= 2.5, else 0"),
    ("hard_sigmoid", 3): ("clip(x/6 + 0.5, 0, 1) = relu6(x + 3) / 6", "1/6 if -3 < x < 3, else 0"),
    "softmax": ("exp(xᵢ) / Σⱼ exp(xⱼ)", "∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ - yⱼ); dy is the diagonal yᵢ(1 - yᵢ)"),
}


def run_activation(name, x, keras=2) -> dict:
    if not isinstance(name, str) or name not in NAMES:
        raise EngineError("name", "must be one of " + ", ".join(repr(n) for n in NAMES))
    if keras not in KERAS_VERSIONS or isinstance(keras, bool):
        check_int(keras, "keras", 2, 3)
    cap = ACT_MAX_SOFTMAX if name == "softmax" else ACT_MAX_X
    z = as_array(x, "x", (1,), (cap,), "(a list of numbers)")     # finite, within ±MAX_ABS, 1..cap numbers
    form = keras if name == "hard_sigmoid" else None
    y_formula, dy_formula = FORMULAS[(name, keras) if form else name]
    kinks = KINKS.get(name, ())
    return {
        "name": name,
        "keras": form,
        "x": to_list(z),
        "y": to_list(forward(name, z, keras)),
        "dy": to_list(derivative(name, z, keras)),
        "jacobian": to_list(softmax_jacobian(z)) if name == "softmax" else None,
        "formula": y_formula,
        "derivative": dy_formula,
        "kinks": list(kinks[keras] if isinstance(kinks, dict) else kinks),
    }
