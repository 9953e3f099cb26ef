"""What a frame shows, read from the engine's answer (/api/conv2d or /api/pool): the padded input, the output's
shape, the steps. Nothing is computed here; the steps carry every number and text the frames draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Scene:
    kind: str                 # "conv", "max" or "average"
    grid: np.ndarray          # (Hp, Wp, C) the padded input; NaN where pooling's padding takes no part
    pad: np.ndarray           # (Hp, Wp) True on padding cells
    out_shape: tuple          # (oh, ow, n): n filters (conv) or channels (pool)
    out_max: float            # the largest |output|, for the output's colours (as the pages: maxAbsOf(output))
    steps: list[dict]
    total: int                # steps of the whole trace (steps_total)
    window_hw: tuple          # (kh, kw) cells of a window
    all_channels: bool        # conv: the window meets every channel; pool: one channel per step

    @property
    def channels(self) -> int:
        return self.grid.shape[2]

    def plane(self, step: dict) -> int:
        """The output plane of a step: its filter (conv) or channel (pool)."""
        return step["index"][2] if len(step["index"]) == 3 else 0


def _window_hw(steps: list[dict]) -> tuple[int, int]:
    window = steps[0]["window"]
    kw = sum(1 for r, _ in window if r == window[0][0])
    return len(window) // kw, kw


def _as_hwc(values) -> np.ndarray:
    a = np.array([[np.nan if v is None else v for v in row] for row in values] if _depth(values) == 2 else
                 [[[np.nan if v is None else v for v in cell] for cell in row] for row in values], dtype=float)
    return a[:, :, None] if a.ndim == 2 else a


def _depth(values) -> int:
    depth = 0
    while isinstance(values, list):
        depth, values = depth + 1, values[0]
    return depth


def from_conv(result: dict) -> Scene:
    grid = _as_hwc(result["padded_input"])
    p = result["padding"]
    pad = np.ones(grid.shape[:2], bool)
    pad[p["top"]:grid.shape[0] - p["bottom"], p["left"]:grid.shape[1] - p["right"]] = False
    shape = result["output_shape"]
    out = np.asarray(result["output"], dtype=float)
    return Scene("conv", grid, pad, (shape[0], shape[1], shape[2] if len(shape) == 3 else 1),
                 float(np.abs(out).max()), result["steps"], result["steps_total"], _window_hw(result["steps"]),
                 all_channels=True)


def from_pool(result: dict, mode: str) -> Scene:
    grid = _as_hwc(result["padded_input"])
    shape = result["output_shape"]
    out = np.asarray(result["output"], dtype=float)
    return Scene(mode, grid, np.isnan(grid[:, :, 0]), (shape[0], shape[1], shape[2] if len(shape) == 3 else 1),
                 float(np.abs(out).max()), result["steps"], result["steps_total"], _window_hw(result["steps"]),
                 all_channels=False)
