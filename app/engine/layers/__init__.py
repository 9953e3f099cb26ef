"""Keras layers in NumPy, for models people upload: a chain of layers built from Keras configs, run on one
sample in float64 and traced value by value with the engine's own conv, pool and recurrent code.

Importing this package registers every supported layer kind (conv, pooling, dense, elementwise, reshape,
recurrent) in `spec.KINDS`.
"""

from . import conv, dense, elementwise, pooling, recurrent, reshape  # noqa: F401  (they register their kinds)
from .model import (
    SUPPORTED,
    Checked,
    Model,
    build,
    check_input,
    forward,
    plan,
    refuse_class,
    run,
    summary,
    trace,
    traceable,
)

__all__ = ["Checked", "Model", "SUPPORTED", "build", "check_input", "forward", "plan", "refuse_class", "run",
           "summary", "trace", "traceable"]
