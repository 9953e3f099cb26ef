"""The scatter picture: numbers added into a grid one after another, with every running total.

A transposed convolution stamps x·W onto the output, input cell after input cell; a pooling layer's backward pass
sends each dL/dy back into its window. Both are additions into cells that several steps touch, and a trace shows,
for every addition, the total before, the product added and the total after:

    0 + 6×2 = 12, 3 + 6×1 = 9, ...

`running_totals` computes them for all steps at once, adding in the step order (so every partial sum is the slow
loop's, bit for bit); `running_totals_naive` is that loop. `update_formulas` writes the texts and their terms.
"""

from __future__ import annotations

import numpy as np

from .numbers import fmt, words


def running_totals(targets: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Add values[k] into cell targets[k] of a zeroed grid of `size` cells, k = 0, 1, 2, ... in order.

    targets (n,) ints in [0, size), values (n,) -> before (n,), after (n,): the cell's total before and after
    addition k. The additions are grouped by rank (the k-th addition into its cell): one rank touches each cell
    at most once, so a rank is one fancy-indexed add, and each cell still adds in step order.
    """
    targets = np.asarray(targets, dtype=np.int64).ravel()
    values = np.asarray(values, dtype=np.float64).ravel()
    n = targets.size
    before = np.zeros(n)
    if n == 0:
        return before, before.copy()
    order = np.argsort(targets, kind="stable")             # by cell, step order kept inside a cell
    t_sorted = targets[order]
    first = np.ones(n, dtype=bool)
    first[1:] = t_sorted[1:] != t_sorted[:-1]
    starts = np.flatnonzero(first)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[np.cumsum(first) - 1]   # how many earlier additions hit the same cell
    by_rank = np.argsort(rank, kind="stable")
    grid = np.zeros(size)
    pos = 0
    for count in np.bincount(rank).tolist():
        k = by_rank[pos:pos + count]                        # distinct cells
        pos += count
        before[k] = grid[targets[k]]
        grid[targets[k]] = before[k] + values[k]
    return before, before + values


def running_totals_naive(targets, values, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The obvious loop `running_totals` is tested against."""
    grid = np.zeros(size)
    before, after = [], []
    for t, v in zip(np.ravel(targets).tolist(), np.ravel(values).tolist(), strict=True):
        before.append(grid[t])
        grid[t] = grid[t] + v
        after.append(grid[t])
    return np.array(before), np.array(after)


def update_formulas(before: np.ndarray, a: np.ndarray, w: np.ndarray, after: np.ndarray,
                    real: np.ndarray | None = None) -> tuple[list[str], list[list[str]]]:
    """The text of every step: each window cell's update "before + a×w = after", joined by ", ".

    before, w, after (S, T): per step and window cell; a (S,): the number the step sends (an input value, a
    gradient); real (S, T) bool: cells that take part (None: all). Returns S formulas and their terms, cut right
    after each product: ["0 + 6×2", " = 12, 3 + 6×1", " = 9"] for "0 + 6×2 = 12, 3 + 6×1 = 9".
    """
    s, t = before.shape
    lhs = words(before, fmt) + " + " + words(a).reshape(s, 1) + words(w, prefix="×")   # (S, T) "0 + 6×2"
    rhs = " = " + words(after, fmt)                                                      # (S, T) " = 12"
    parts = np.empty((s, t + 1), dtype=object)                                          # every cell taking part
    parts[:, 0] = lhs[:, 0]
    parts[:, 1:t] = rhs[:, :-1] + ", " + lhs[:, 1:]
    parts[:, t] = rhs[:, -1]
    terms = parts.tolist()
    if real is not None:                                                                 # steps with cells left out
        lhs_rows, rhs_rows = lhs.tolist(), rhs.tolist()
        for k in np.flatnonzero(~real.all(axis=1)).tolist():
            cells = np.flatnonzero(real[k]).tolist()
            row = [lhs_rows[k][cells[0]]] if cells else []
            row += [rhs_rows[k][a] + ", " + lhs_rows[k][b] for a, b in zip(cells, cells[1:], strict=False)]
            row.append(rhs_rows[k][cells[-1]] if cells else "")
            terms[k] = row
    return ["".join(row) for row in terms], terms
