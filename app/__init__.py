"""CNN & RNN, number by number: a NumPy engine, a JSON API and animated pages."""

import os

# The server runs many small matrix products at once (one per request thread, one process per worker):
# a single BLAS thread per product avoids oversubscribing the cores. Set before NumPy is first imported.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
