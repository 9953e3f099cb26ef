"""Screenshots of the pages for the README: `.venv/bin/python tests/e2e/make_screenshots.py [--out DIR]`.

Starts the app on a free port, opens each entry of SHOTS in Debian's Chromium at 1280 px and 360 px,
in English and Traditional Chinese, and saves the first viewport as <name>-<lang>-<width>.png
(default: static/img/screenshots/). Another page is one more entry in SHOTS.
Not a test: pytest does not collect it (no test_ prefix).
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

# (name, URL with its state, selector to wait for or None, element to scroll to on a phone or None[, {width: height}
#  instead of WIDTHS])
SHOTS = [
    ("home", "/", "#conv-preview[data-step]", None),
    ("conv", "/conv?step=5", "#facts:not(:empty)", "#stage-h"),  # the padding example at a₁₁ = 19
    ("pool", '/pool?mode="average"&padding="same"&step=2', "#facts:not(:empty)", "#stage-h"),
    ("backprop", "/backprop?step=15", "#facts:not(:empty)", "#stage-h"),  # dL/dx at the 6: the flipped filter, 14
    ("rnn", "/rnn?step=1", ".ucol.current", "#stage-h"),               # lecture RNN at step 2: h₂ = 7, y₂ = 14
    ("lstm", "/lstm?step=3", "#memory-now:not(:empty)", "#stage-h"),   # gate example at the read step: h₄ = 7
    ("architectures", "/architectures?net=resnet50&layer=7", "#layers [role=option]", None),
    ("draw", '/draw?sample=7&layer="conv2"', ".answer-panel[aria-busy=false] #bars li", None),
    # the app's CNN opened as a sample (uploaded to a temporary MODELS_DIR), a conv1 value traced
    ("model", "/model?sample=mnist&layer=conv1&cell=[11,11,3]", "#trace-formula:not(:empty)", "#layers-h"),
    ("activations", "/activations?fn=hard_sigmoid&x=1", "#readout:not(:empty)", "#plot-h"),
    ("picture", "/conv?mode=picture", "#pic-formula-0:not(:empty)", "#pic-figs"),  # a photo through sobel_x
    # presenter mode on a 1280×720 projector (?present=1): 20 px text, the player fixed at the bottom
    ("conv-present", "/conv?present=1", "#facts:not(:empty)", None, {1280: 720}),
    ("lstm-present", "/lstm?present=1&step=3", "#memory-now:not(:empty)", None, {1280: 720}),
    ("backprop-present", "/backprop?present=1&step=15", "#facts:not(:empty)", None, {1280: 720}),
]
WIDTHS = {1280: 800, 360: 740}
LANGS = ("en", "zh-TW")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve():
    port = free_port()
    models = tempfile.mkdtemp(prefix="screenshots-models-")    # /model's uploads, not the user's cache
    atexit.register(shutil.rmtree, models, True)
    proc = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "MODELS_DIR": models},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/api/examples", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def shrink(png: bytes, target: Path) -> None:
    """Save as a 256-colour PNG: a third of the size, text still crisp."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(target, optimize=True)


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "static/img/screenshots")
    parser.add_argument("--only", nargs="*", help="names from SHOTS (default: all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    proc, base = serve()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for name, path, wait, anchor, *sizes in SHOTS:
                if args.only and name not in args.only:
                    continue
                for width, height in (sizes[0] if sizes else WIDTHS).items():
                    for lang in LANGS:
                        context = browser.new_context(viewport={"width": width, "height": height},
                                                      reduced_motion="reduce", has_touch=width < 600)
                        page = context.new_page()
                        page.goto(base + with_lang(path, lang))
                        page.wait_for_load_state("networkidle")
                        if wait:
                            page.wait_for_selector(wait)
                        if anchor and width < 600:
                            page.locator(anchor).evaluate("el => el.scrollIntoView({block: 'start'})")
                        target = args.out / f"{name}-{lang}-{width}.png"
                        shrink(page.screenshot(), target)
                        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                              f"  {target.stat().st_size // 1024} KB")
                        context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
