"""The states the layout tests walk: every page of the navigation (read from the served home page, so a page
added later is walked too) in its default state, plus the lecture's examples and hostile numbers (decimals,
negatives, large and tiny magnitudes) on the pages that show numbers. `open_state` opens one and waits until
it is drawn."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import httpx

WIDTHS = {1280: 800, 360: 740}
LANGS = ("en", "zh-TW")
ODD = [0.0001, 123456.789, -0.0026, 5e-39, -7.25, 0.333333, 0.999909204262595]  # the last: tanh(5)


def q(value) -> str:
    return quote(json.dumps(value, separators=(",", ":")), safe="[],:-.")


def _grid(rows, cols, values=ODD):
    return [[values[(r * cols + c) % len(values)] for c in range(cols)] for r in range(rows)]


# name -> path with its state in the URL (or a path and a script run once the page is ready)
EXTRA = {
    "conv-theano": "/conv?input=[[3,3,2,1,0],[0,0,1,3,1],[3,1,2,2,3],[2,0,0,2,2],[2,0,0,0,1]]"
                   "&kernel=[[0,1,2],[2,2,0],[0,1,2]]&step=0",
    "conv-odd": f"/conv?input={q(_grid(4, 4))}&kernel={q([[1, -0.0135], [0.5, 2e-5]])}&bias={q([-1e-7])}"
                "&padding=\"same\"&activation=\"tanh\"&step=5",
    "conv-from-draw": f"/conv?input={q([[round((r * 28 + c) % 97 / 97, 4) for c in range(28)] for r in range(28)])}"
                      f"&kernel={q([[0.1234, -0.5678, 0.0012], [0.9, -1.25, 0.3333], [0.05, 0.0001, -0.77]])}"
                      "&bias=[0.0123]&padding=[[2,2],[2,2]]&activation=\"relu\"&step=40",
    "pool-average-same": "/pool?mode=\"average\"&padding=\"same\"&step=2",
    "pool-odd": f"/pool?input={q(_grid(5, 5))}&mode=\"average\"&padding=\"same\"&step=4",
    "rnn-odd": f"/rnn?preset=\"\"&req={q({'inputs': _grid(4, 2), 'units': 2, 'seed': 3})}&step=3",
    "lstm-sigmoid": "/lstm?preset=\"lstm-gates-sigmoid\"&step=3",
    "lstm-odd": f"/lstm?preset=\"\"&req={q({'inputs': _grid(3, 3), 'units': 2, 'seed': 1})}&step=2",
    "gru": "/lstm?cell=\"gru\"&step=2",
    "gru-odd": f"/lstm?cell=\"gru\"&preset=\"\"&req={q({'inputs': _grid(3, 2), 'units': 3, 'seed': 2})}&step=1",
    "draw-trace": "/draw?sample=7&layer=\"conv1\"&cell=[5,6,3]",
    "draw-trace-pool": "/draw?sample=3&layer=\"pool1\"&cell=[4,4,1]",
    "activations-hard-sigmoid": '/activations?fn="hard_sigmoid"&x=1.5',
    "architectures-resnet": "/architectures?net=resnet50&layer=7",
    "architectures-padding": "/architectures?net=alexnet&layer=0",
    "model-mnist": '/model?sample="mnist"&layer="conv1"',
    "model-lstm": '/model?sample="lstm"',
}


def nav_pages(server_url: str) -> dict[str, str]:
    """name -> path of every page the site's navigation links to (and the home page)."""
    html = httpx.get(server_url + "/", timeout=10).text
    nav = html[html.index('class="nav-links"'):html.index("</ul>", html.index('class="nav-links"'))]
    paths = ["/"] + [p for p in re.findall(r'href="(/[^"]*)"', nav) if not p.startswith("/docs")]
    return {(p.strip("/") or "home"): p for p in paths}


def all_states(server_url: str) -> dict[str, str]:
    return {**nav_pages(server_url), **EXTRA}


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


READY = """() => {
  const app = document.getElementById('app');
  if (app && app.hasAttribute('aria-busy')) return false;
  if (document.body.classList.contains('busy')) return false;
  const panel = document.querySelector('.answer-panel');
  if (panel && panel.getAttribute('aria-busy') === 'true') return false;
  const trace = document.getElementById('trace');
  if (trace && !trace.hidden && !document.querySelector('#trace-body > *')) return false;
  return true; // (after the network is idle: every answer has come back)
}"""


def open_state(page, base: str, path: str, lang: str):
    page.goto(base + with_lang(path, lang))
    page.wait_for_load_state("networkidle")
    page.wait_for_function(READY, timeout=20000)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return page
