"""Make tests/data/robustness_digits.npz: digits drawn by a script, not taken from MNIST.

    .venv/bin/python bench/make_robustness_set.py [--per-digit 60] [--seed 17] [--out tests/data/robustness_digits.npz]

Each digit has a few stroke templates (a 1 plain, with a flag, with a flag and a foot; a 7 plain, crossed
or with a hooked top; open and closed 4s; 9s with straight and curved tails; ...) in a unit box. Every
sample jitters the template's points, slants it (shear), rotates it a little, changes its width, size
and place on a 280×280 canvas, and picks a pen: the drawing pad's default, a thin mouse-like line, or a
thick finger-like one. The strokes then go through the drawing pad's own pipeline:
app.mnist.preprocess.rasterize_strokes, then preprocess (crop, 20-px box, centre of mass, 28×28).

The file holds `images` (N, 28, 28) uint8 (white digit on black, as MNIST), `labels` (N,) uint8,
`pen` (N,) uint8 (0 default, 1 thin, 2 thick) and `template` (N,) uint8 (index into the digit's list).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.mnist.preprocess import preprocess, rasterize_strokes  # noqa: E402

CANVAS = 280


def arc(cx, cy, rx, ry, a0, a1, n=16):
    """Points on an ellipse from angle a0 to a1 (degrees; y points down, 270° is the top)."""
    a = np.deg2rad(np.linspace(a0, a1, n))
    return list(zip(cx + rx * np.cos(a), cy + ry * np.sin(a), strict=True))


def line(*points):
    return [tuple(p) for p in points]


# Strokes in a unit box: x to the right, y down, the digit's height 0..1.
TEMPLATES = {
    0: [[arc(0.5, 0.5, 0.32, 0.49, 270, 630, 24)],
        [arc(0.5, 0.5, 0.25, 0.49, 250, 620, 24)]],
    1: [[line((0.5, 0.0), (0.5, 1.0))],
        [line((0.25, 0.25), (0.5, 0.0), (0.5, 1.0))],
        [line((0.25, 0.25), (0.5, 0.0), (0.5, 1.0)), line((0.25, 1.0), (0.75, 1.0))]],
    2: [[arc(0.5, 0.3, 0.33, 0.28, 190, 390, 14) + line((0.12, 1.0), (0.92, 1.0))],
        [arc(0.5, 0.28, 0.3, 0.27, 200, 400, 14) + line((0.2, 0.85), (0.12, 1.0), (0.9, 0.98))]],
    3: [[arc(0.47, 0.26, 0.3, 0.25, 200, 450, 14) + arc(0.47, 0.75, 0.35, 0.26, 270, 520, 14)[1:]],
        [line((0.15, 0.0), (0.85, 0.0), (0.45, 0.42)) + arc(0.47, 0.72, 0.36, 0.29, 260, 520, 14)[1:]]],
    4: [[line((0.6, 0.0), (0.08, 0.66), (0.95, 0.66)), line((0.72, 0.25), (0.72, 1.0))],
        [line((0.2, 0.0), (0.15, 0.6), (0.9, 0.6)), line((0.75, 0.0), (0.75, 1.0))],
        [line((0.62, 0.0), (0.1, 0.65), (0.9, 0.65)), line((0.62, 0.0), (0.62, 1.0))]],
    5: [[line((0.85, 0.0), (0.25, 0.0), (0.2, 0.45)) + arc(0.48, 0.7, 0.36, 0.3, 215, 510, 16)],
        [line((0.25, 0.0), (0.2, 0.45)) + arc(0.48, 0.7, 0.36, 0.3, 215, 510, 16), line((0.25, 0.0), (0.85, 0.0))]],
    6: [[line((0.75, 0.0), (0.45, 0.2), (0.24, 0.55)) + arc(0.5, 0.73, 0.27, 0.27, 180, 540, 20)],
        [arc(0.9, 0.55, 0.65, 0.55, 250, 180, 8) + arc(0.52, 0.74, 0.27, 0.26, 180, 530, 20)]],
    7: [[line((0.08, 0.0), (0.92, 0.0), (0.4, 1.0))],
        [line((0.08, 0.0), (0.92, 0.0), (0.4, 1.0)), line((0.4, 0.52), (0.88, 0.52))],
        [line((0.08, 0.18), (0.1, 0.0), (0.92, 0.0), (0.5, 1.0))]],
    8: [[arc(0.5, 0.25, 0.26, 0.25, 90, 450, 18), arc(0.5, 0.74, 0.32, 0.26, 270, 630, 18)],
        [arc(0.5, 0.25, 0.25, 0.25, 90, -270, 18) + arc(0.5, 0.74, 0.32, 0.26, 270, 630, 18)[1:]]],
    9: [[arc(0.45, 0.28, 0.3, 0.28, 0, 360, 18), line((0.75, 0.28), (0.72, 1.0))],
        [arc(0.45, 0.28, 0.3, 0.28, 0, 360, 18) + line((0.75, 0.6), (0.55, 0.92), (0.35, 1.0))],
        [arc(0.5, 0.27, 0.28, 0.26, 20, 380, 18) + line((0.76, 0.35), (0.6, 1.0))]],
}


def sample(strokes, rng):
    """One drawing of a template: jitter, slant, rotation, aspect, size, place and pen."""
    pts = [np.array(s, dtype=np.float64) for s in strokes]
    pts = [p + rng.normal(0, 0.035, p.shape) for p in pts]  # each point a little off
    slant = rng.uniform(-0.45, 0.45)
    theta = np.deg2rad(rng.uniform(-12, 12))
    width = rng.uniform(0.5, 1.15)
    out = []
    for p in pts:
        x, y = (p[:, 0] - 0.5) * width, p[:, 1] - 0.5
        x = x - slant * y  # positive slant leans the top to the right
        x, y = x * np.cos(theta) - y * np.sin(theta), x * np.sin(theta) + y * np.cos(theta)
        out.append(np.stack([x, y], axis=1))
    small = rng.random() < 0.15
    height = rng.uniform(50, 100) if small else rng.uniform(140, 230)
    allp = np.concatenate(out)
    lo, hi = allp.min(axis=0) * height, allp.max(axis=0) * height
    margin = 8
    cx = rng.uniform(margin - lo[0], CANVAS - margin - hi[0]) if hi[0] - lo[0] < CANVAS - 2 * margin else CANVAS / 2
    cy = rng.uniform(margin - lo[1], CANVAS - margin - hi[1]) if hi[1] - lo[1] < CANVAS - 2 * margin else CANVAS / 2
    strokes_px = [[[float(cx + x * height), float(cy + y * height)] for x, y in p] for p in out]
    pen = int(rng.choice(3, p=[0.4, 0.3, 0.3]))  # default, thin, thick
    line_width = None if pen == 0 else (rng.uniform(3, 9) if pen == 1 else rng.uniform(0.14, 0.2) * height)
    return strokes_px, pen, line_width


def make(per_digit, seed):
    rng = np.random.default_rng(seed)
    images, labels, pens, templates = [], [], [], []
    for digit in range(10):
        made = 0
        while made < per_digit:
            t = made % len(TEMPLATES[digit])
            strokes, pen, width = sample(TEMPLATES[digit][t], rng)
            steps = preprocess(rasterize_strokes(strokes, CANVAS, CANVAS, line_width=width))
            if steps is None:
                continue
            images.append(np.round(steps["pixels"] * 255).astype(np.uint8))
            labels.append(digit)
            pens.append(pen)
            templates.append(t)
            made += 1
    return (np.stack(images), np.array(labels, np.uint8), np.array(pens, np.uint8), np.array(templates, np.uint8))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-digit", type=int, default=60)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--out", default=str(ROOT / "tests" / "data" / "robustness_digits.npz"))
    ap.add_argument("--preview", help="also write a PNG of every digit, one row per label")
    args = ap.parse_args()
    images, labels, pens, templates = make(args.per_digit, args.seed)
    np.savez_compressed(args.out, images=images, labels=labels, pen=pens, template=templates)
    print(f"{len(labels)} digits -> {args.out} ({Path(args.out).stat().st_size} bytes)")
    if args.preview:
        from PIL import Image
        rows = [np.concatenate(list(images[labels == d]), axis=1) for d in range(10)]
        Image.fromarray(np.concatenate(rows, axis=0)).save(args.preview)


if __name__ == "__main__":
    main()
