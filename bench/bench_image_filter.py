"""Image filter speed: a 512×512 grey picture through a 3×3 kernel, stage by stage, beside references.

Run: .venv/bin/python bench/bench_image_filter.py [--repeat N]
Goal (issue 16): POST /api/image/filter for a 512×512 grey picture and a 3×3 kernel within 150 ms of server
time; the engine part (filter_image) should be a small fraction of that.

Every stage runs once per round, round after round, so a change in the machine's load touches all of them
alike; medians and minima over the rounds are printed, with ratios to the reference measured in the same
rounds: the same convolution as a NumPy sum of 9 shifted multiply-adds. The naive Python loop is timed on a
64×64 crop and scaled by the pixel count. Compare ratios, not milliseconds, across runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image

from app.engine.colormap import colorize
from app.engine.conv import conv2d, pad_input
from app.engine.conv import conv2d_naive as correlate_naive  # noqa: E402
from app.engine.image_filter import correlate, filter_image, preset_kernel
from app.engine.padding import resolve_padding
from app.imaging.png import encode_png, filter_png, png_data_url
from app.imaging.resize import to_array

PHOTO = Path(__file__).resolve().parent.parent / "static" / "img" / "photos" / "astronaut.jpg"


def taps(xp: np.ndarray, K: np.ndarray) -> np.ndarray:
    """The reference: Σ over the kernel's cells of the shifted picture times the weight."""
    kh, kw = K.shape
    oh, ow = xp.shape[0] - kh + 1, xp.shape[1] - kw + 1
    y = np.zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            y += xp[a:a + oh, b:b + ow] * K[a, b]
    return y


def rounds(stages: dict, n: int) -> dict[str, list[float]]:
    for fn in stages.values():
        fn()  # warm up
    times: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(n):
        for name, fn in stages.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    n = parser.parse_args().repeat

    photo = Image.open(PHOTO)
    photo.load()
    big = photo.resize((4096, 4096), Image.Resampling.BICUBIC)  # what a 16-megapixel upload decodes to
    x = to_array(photo, "gray", 512)
    K = preset_kernel("sobel_x")
    xp = pad_input(x[:, :, None], resolve_padding("same", x.shape, K.shape, (1, 1)))
    W = K[:, :, None, None]
    assert np.allclose(correlate(xp, W, (1, 1))[:, :, 0], taps(xp[:, :, 0], K), atol=1e-12)
    y = correlate(xp, W, (1, 1))[:, :, 0]
    edges, blurred = filter_image(x, preset="sobel_x"), filter_image(x, preset="gaussian_blur")

    def pipeline():
        return filter_png(filter_image(to_array(photo, "gray", 512), preset="sobel_x", at=[200, 300]))

    stages = {
        "reference: NumPy sum of 9 shifted multiply-adds": lambda: taps(xp[:, :, 0], K),
        "conv2d in one pass (im2col of all 262,144 windows)": lambda: conv2d(xp, W),
        "correlate: the engine's tap sum": lambda: correlate(xp, W, (1, 1)),
        "colorize, diverging (sobel)": lambda: colorize(y, "diverging"),
        "colorize, grey (blur)": lambda: colorize(np.clip(y, 0, 1), "gray"),
        "filter_image sobel_x: the whole engine part": lambda: filter_image(x, preset="sobel_x"),
        "filter_image sobel_x with at: [200, 300]": lambda: filter_image(x, preset="sobel_x", at=[200, 300]),
        "filter_image gaussian_blur (grey mapping)": lambda: filter_image(x, preset="gaussian_blur"),
        "PNG data URL, diverging as 24-bit RGB": lambda: png_data_url(edges["visual"]),
        "filter_png, diverging as an 8-bit palette PNG": lambda: filter_png(edges),
        "filter_png, grey as an 8-bit grey PNG": lambda: filter_png(blurred),
        "to_array: decoded 512×512 JPEG -> grey floats": lambda: to_array(photo, "gray", 512),
        "to_array: decoded 4096×4096 -> 512×512 grey": lambda: to_array(big, "gray", 512),
        "to_array: decoded 4096×4096 -> 512×512 rgb": lambda: to_array(big, "rgb", 512),
        "pipeline: decoded 512² JPEG -> to_array -> filter (at) -> PNG data URL": pipeline,
    }
    print(f"512×512 grey picture ({PHOTO.name}), sobel_x 3×3, padding 'same'; {n} rounds")
    times = rounds(stages, n)
    ref = statistics.median(times["reference: NumPy sum of 9 shifted multiply-adds"])
    for name, t in times.items():
        med = statistics.median(t)
        print(f"  {name:<72} median {med:7.2f} ms  min {min(t):7.2f} ms  ×{med / ref:5.1f} of the reference")
    crop = xp[:66, :66]
    t0 = time.perf_counter()
    correlate_naive(crop, W, (1, 1))
    naive = (time.perf_counter() - t0) * 1000 * (512 * 512) / (64 * 64)
    print(f"  {'naive Python loop (64×64 crop, ×64 for 512×512)':<72} ~{naive:7.0f} ms"
          f"                 ×{naive / ref:5.0f} of the reference")
    print(f"  PNG sizes: diverging {len(encode_png(edges['visual'])):,} bytes as RGB, "
          f"{len(encode_png(edges['visual'], edges['visual_index'], edges['visual_palette'])):,} with a palette; "
          f"grey {len(encode_png(blurred['visual'])):,} bytes")
    engine = statistics.median(times["filter_image sobel_x with at: [200, 300]"])
    whole = statistics.median(times["pipeline: decoded 512² JPEG -> to_array -> filter (at) -> PNG data URL"])
    print(f"  goal: 150 ms of server time for the whole request (decoding, JSON and HTTP not counted here): "
          f"pipeline {whole:.0f} ms, of which the engine {engine:.0f} ms")

    print("\nthe largest request the multiply-add cap allows: 296×296 rgb, an 11×11×3×3 kernel, 'same'")
    rgb = to_array(photo, "rgb", 296)
    K4 = np.random.default_rng(0).normal(size=(11, 11, 3, 3)).tolist()
    worst = rounds({"filter_image": lambda: filter_image(rgb, kernel=K4)}, max(2, n // 10))["filter_image"]
    print(f"  filter_image median {statistics.median(worst):.0f} ms, min {min(worst):.0f} ms")


if __name__ == "__main__":
    main()
