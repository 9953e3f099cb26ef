"""The recurrent layers' activations by their Keras names, from app/engine/activations.py (one place).

hard_sigmoid here is Keras 2's `clip(0.2·x + 0.5, 0, 1)` (the lecture's Keras); Keras 3 changed it to
`clip(x / 6 + 0.5, 0, 1)`. The lecture's numbers need the Keras 2 form. An uploaded Keras 3 model's hard_sigmoid
reaches the cells as "hard_sigmoid_keras3" (app/engine/layers/activations.resolve names it so), and so does a
request's with `keras: 3`; responses and formulas write it hard_sigmoid (`shown`).
"""

from __future__ import annotations

import numpy as np

from ..activations import ELEMENTWISE, KERAS3_HARD_SIGMOID, derivative, forward, scalar

NAMES = ("tanh", "sigmoid", "relu", "linear", "hard_sigmoid")   # what /api/rnn, /api/lstm and /api/gru take
CELL_NAMES = (*NAMES, KERAS3_HARD_SIGMOID)                     # what an uploaded model's cells may use
assert set(NAMES) <= set(ELEMENTWISE)


def _form(name: str) -> tuple[str, int]:
    """A cell activation's name -> (app/engine/activations.py's name, its Keras form)."""
    return ("hard_sigmoid", 3) if name == KERAS3_HARD_SIGMOID else (name, 2)


def in_form(name: str, keras: int) -> str:
    """A checked activation name in the hard_sigmoid form asked for (keras 2 or 3: /api/rnn's `keras`)."""
    return KERAS3_HARD_SIGMOID if keras == 3 and name == "hard_sigmoid" else name


def shown(name: str) -> str:
    """The name a formula writes: Keras' own (the Keras 3 form is still called hard_sigmoid)."""
    return _form(name)[0]


def act(name: str, z: np.ndarray) -> np.ndarray:
    base, keras = _form(name)
    return forward(base, z, keras=keras)


def dact(name: str, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """d act(z) / dz at the pre-activation z (y = act(z) is not needed: the derivatives are written in z)."""
    base, keras = _form(name)
    return derivative(base, z, keras=keras)


def scalar_act(name: str, v: float) -> float:
    """One number at a time, written independently of `act` (the naive references use it)."""
    base, keras = _form(name)
    return scalar(base, v, keras=keras)
