"""Animations of a window trace for slides: POST /api/conv2d/animation and /api/pool/animation.

`animate(kind, request, format, lang) -> (bytes, media type, facts)`: the engine computes the trace (run_conv2d or
run_pool, the very answer the pages show); the frames draw it, one per step. A trace longer than
ANIM_MAX_FRAMES steps is sampled: every k-th step from the first, and the last one, which every frame's note says
("One frame every 7 steps: 113 frames for 784 steps"). A trace the engine cut (steps_truncated) is drawn as far
as it goes, and the note says that too.

    format "gif"  an animated GIF, looping; a frame a step, the last one held 2.5 s
    format "png"  one PNG of ANIM_STRIP_FRAMES key frames (the same sampling) one below the other

The cost is bounded before anything is drawn: the frame's size from the layout (cells shrink to fit a slide,
down to 4 pixels), then frames × pixels (limits.ANIM_*); beyond them the request is refused (422,
code "animation_too_large").
"""

from __future__ import annotations

import io
import math

from PIL import Image

from app.engine.conv import run_conv2d
from app.engine.errors import EngineError
from app.engine.limits import ANIM_MAX_FRAMES, ANIM_MAX_PIXELS, ANIM_MAX_STRIP_PIXELS, ANIM_STRIP_FRAMES
from app.engine.pool import run_pool

from .frames import Painter, measure
from .scene import Scene, from_conv, from_pool
from .strings import LANGS
from .strings import text as say

FORMATS = {"gif": "image/gif", "png": "image/png"}
STRIP_GAP = 8
HOLD_MS = 2500
TRANSPARENT = 255   # a palette index no colour uses: unchanged pixels of a frame (app/media/palette.py)


def sample(n: int, cap: int) -> list[int]:
    """The steps shown: all of them when n ≤ cap, else every k-th from the first (k as small as keeps the count
    within cap) and the last one."""
    if n <= cap:
        return list(range(n))
    k = math.ceil((n - 1) / (cap - 1))
    shown = list(range(0, n, k))
    if shown[-1] != n - 1:
        shown.append(n - 1)
    return shown


def frame_ms(frames: int) -> int:
    """A step's time on screen: 0.8 s for short traces, shorter for long ones (the whole about 25 s), ≥ 0.15 s."""
    return max(150, min(800, 25_000 // max(1, frames)))


def animate(kind: str, request: dict, format: str = "gif", lang: str = "en") -> tuple[bytes, str, dict]:
    if format not in FORMATS:
        raise EngineError("format", "must be 'gif' or 'png'")
    if lang not in LANGS:
        raise EngineError("lang", "must be 'en' or 'zh-TW'")
    body = {k: v for k, v in request.items() if k != "trace"}
    if kind == "conv":
        scene = from_conv(run_conv2d(**body, trace=True))
    else:
        result = run_pool(**body, trace=True)
        scene = from_pool(result, str(body.get("mode", "max")).lower())
    return render(scene, format, lang)


def render(scene: Scene, format: str, lang: str) -> tuple[bytes, str, dict]:
    n = len(scene.steps)
    shown = sample(n, ANIM_MAX_FRAMES if format == "gif" else ANIM_STRIP_FRAMES)
    notes = []
    if len(shown) < n:
        every = shown[1] - shown[0]
        notes.append(say(lang, "sampled", every=every, frames=len(shown), n=n))
    if scene.total > n:
        notes.append(say(lang, "truncated", m=n, total=scene.total))
    note = "  ·  ".join(notes) or None
    budget = ANIM_MAX_PIXELS if format == "gif" else ANIM_MAX_STRIP_PIXELS
    layout = measure(scene, lang, note is not None, len(shown), budget)
    w, h = layout.width, layout.height
    if format == "gif" and w * h * len(shown) > ANIM_MAX_PIXELS:
        raise EngineError("input", f"too large to animate: {len(shown)} frames of {w}×{h} pixels; the cap is "
                          f"{ANIM_MAX_PIXELS:,} pixels in all", code="animation_too_large")
    strip_h = len(shown) * h + (len(shown) - 1) * STRIP_GAP
    if format == "png" and w * strip_h > ANIM_MAX_STRIP_PIXELS:
        raise EngineError("input", f"too large to draw: a strip of {w}×{strip_h} pixels; the cap is "
                          f"{ANIM_MAX_STRIP_PIXELS:,} pixels", code="animation_too_large")
    painter = Painter(scene, layout, lang, note)
    frames = [painter.frame(k) for k in shown]
    facts = {"frames": len(frames), "steps": n, "steps_total": scene.total, "shown": shown, "width": w, "height": h,
             "cell": layout.cell}
    out = io.BytesIO()
    if format == "gif":
        ms = frame_ms(len(frames))
        durations = [ms] * (len(frames) - 1) + [HOLD_MS]
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                       optimize=True, disposal=1, transparency=TRANSPARENT)
    else:
        strip = Image.new("P", (w, strip_h), 0)
        strip.putpalette(frames[0].getpalette())
        for k, frame in enumerate(frames):
            strip.paste(frame, (0, k * (h + STRIP_GAP)))
        strip.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue(), FORMATS[format], facts
