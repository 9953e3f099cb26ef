"""Image filter speed: a 512×512 grey picture through a 3×3 kernel, step by step, beside references.

Run: .venv/bin/python bench/bench_image_filter.py [--repeat N]
Goal (issue 16): POST /api/image/filter for a 512×512 grey picture and a 3×3 kernel within 150 ms of server
time; the engine part (filter_image) should be a small fraction of that.

Printed: median and min of each stage (scaling a decoded picture, the convolution, the colouring, the
trace of one cell, PNG + base64), then the references measured in the same run: the same convolution as
a NumPy sum of 9 shifted multiply-adds, conv2d in one pass without bands, and the naive Python loop
(timed on a 64×64 crop and scaled by the pixel count). Timings drift with the machine's load: compare the
ratios, not the milliseconds.
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
from app.engine.image_filter import correlate, correlate_naive, filter_image, preset_kernel
from app.engine.padding import resolve_padding
from app.imaging.png import encode_png, filter_png, png_data_url
from app.imaging.resize import to_array

PHOTO = Path(__file__).resolve().parent.parent / "static" / "img" / "photos" / "astronaut.jpg"


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm up
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out), min(out)


def taps(xp: np.ndarray, K: np.ndarray) -> np.ndarray:
    """The reference: Σ over the kernel's cells of the shifted picture times the weight."""
    kh, kw = K.shape
    oh, ow = xp.shape[0] - kh + 1, xp.shape[1] - kw + 1
    y = np.zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            y += xp[a:a + oh, b:b + ow] * K[a, b]
    return y


def row(label: str, t: tuple[float, float], ref: float | None = None) -> None:
    ratio = f"  ×{t[0] / ref:.2f} of the reference" if ref else ""
    print(f"  {label:<52} median {t[0]:7.2f} ms  min {t[1]:7.2f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    n = parser.parse_args().repeat

    photo = Image.open(PHOTO)
    photo.load()
    big = photo.resize((4096, 4096), Image.Resampling.BICUBIC)  # what a 16-megapixel upload decodes to
    x = to_array(photo, "gray", 512)
    K = preset_kernel("sobel_x")
    pads = resolve_padding("same", x.shape, K.shape, (1, 1))
    xp = pad_input(x[:, :, None], pads)
    W = K[:, :, None, None]

    print(f"512×512 grey picture ({PHOTO.name}), sobel_x 3×3, padding 'same'; {n} runs each")
    reference = timed(lambda: taps(xp[:, :, 0], K), n)
    row("reference: NumPy sum of 9 shifted multiply-adds", reference)
    one_pass = timed(lambda: conv2d(xp, W), n)
    row("conv2d in one pass (im2col of all 262,144 windows)", one_pass, reference[0])
    banded = timed(lambda: correlate(xp, W, (1, 1)), n)
    row("correlate: conv2d band by band (the engine's path)", banded, reference[0])
    crop = xp[:66, :66]
    naive = timed(lambda: correlate_naive(crop, W, (1, 1)), max(1, n // 10))
    scale = (512 * 512) / (64 * 64)
    print(f"  {'naive Python loop (64×64 crop, ×64 for 512×512)':<52} ~{naive[0] * scale:7.0f} ms "
          f"           ×{naive[0] * scale / banded[0]:.0f} of the engine's path")
    assert np.allclose(correlate(xp, W, (1, 1))[:, :, 0], taps(xp[:, :, 0], K), atol=1e-12)

    y = correlate(xp, W, (1, 1))[:, :, 0]
    row("colorize, diverging (sobel)", timed(lambda: colorize(y, "diverging"), n))
    row("colorize, grey (blur)", timed(lambda: colorize(np.clip(y, 0, 1), "gray"), n))
    engine = timed(lambda: filter_image(x, preset="sobel_x"), n)
    row("filter_image: the whole engine part", engine, reference[0])
    traced = timed(lambda: filter_image(x, preset="sobel_x", at=[200, 300]), n)
    row("filter_image with at: [200, 300] (one step)", traced, reference[0])
    blur = timed(lambda: filter_image(x, preset="gaussian_blur"), n)
    row("filter_image, gaussian_blur (grey mapping)", blur, reference[0])

    edges, blurred = filter_image(x, preset="sobel_x"), filter_image(x, preset="gaussian_blur")
    rgb_png = timed(lambda: png_data_url(edges["visual"]), n)
    row("PNG data URL, diverging as 24-bit RGB (reference)", rgb_png)
    row("filter_png, diverging as an 8-bit palette PNG", timed(lambda: filter_png(edges), n), rgb_png[0])
    row("filter_png, grey as an 8-bit grey PNG", timed(lambda: filter_png(blurred), n), rgb_png[0])
    print(f"  PNG sizes: diverging {len(encode_png(edges['visual'])):,} bytes as RGB, "
          f"{len(encode_png(edges['visual'], edges['visual_index'], edges['visual_palette'])):,} with a palette; "
          f"grey {len(encode_png(blurred['visual'])):,} bytes")
    row("to_array: decoded 512×512 JPEG -> grey floats", timed(lambda: to_array(photo, "gray", 512), n))
    row("to_array: decoded 4096×4096 -> 512×512 grey", timed(lambda: to_array(big, "gray", 512), max(3, n // 4)))
    row("to_array: decoded 4096×4096 -> 512×512 rgb", timed(lambda: to_array(big, "rgb", 512), max(3, n // 4)))

    def whole():
        pic = to_array(photo, "gray", 512)
        return filter_png(filter_image(pic, preset="sobel_x", at=[200, 300]))

    total = timed(whole, n)
    row("512×512 JPEG already decoded -> PNG data URL", total)
    print(f"  goal: 150 ms of server time for the whole request (decoding and HTTP not counted here); "
          f"the engine part took {traced[0] / total[0]:.0%} of this pipeline")

    print("\nthe largest request the caps allow: 512×512 rgb, an 11×11×3×3 kernel, 'same'")
    rgb = to_array(photo, "rgb", 512)
    K4 = np.random.default_rng(0).normal(size=(11, 11, 3, 3))
    row("filter_image", timed(lambda: filter_image(rgb, kernel=K4.tolist()), max(2, n // 10)))


if __name__ == "__main__":
    main()
