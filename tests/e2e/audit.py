"""Checks any browser test can run on a page it has opened (Playwright sync API):

- `fit_problems(page)`: every text or input value wider than its box, sticking out of a box that clips it,
  a number broken over two lines, or a page wider than the viewport (tests/e2e/js/fit_check.js);
- `label_sizes(page)`: the rendered size in CSS px of every label in a diagram: SVG text (after the SVG's
  scaling), canvas labels (needs `watch_canvas(context)` before the page loads), text in grids and
  diagrams (tests/e2e/js/text_size.js);
- `axe_violations(page, impacts)`: axe-core's violations of those impacts. axe-core comes from npm, not from
  the repository: `AXE_CORE` (a path to axe.min.js), or tests/e2e/.axe/node_modules/axe-core (made by
  `npm install --prefix tests/e2e/.axe axe-core@4`, which .ci/run does, and `axe_source()` does when
  npm is there and the file is missing).

Presenter mode or any other view: open it, then call the same functions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
JS = HERE / "js"
AXE_DIR = HERE / ".axe"
AXE_FILE = AXE_DIR / "node_modules/axe-core/axe.min.js"


def _js(name: str) -> str:
    return (JS / name).read_text(encoding="utf-8")


def watch_canvas(context) -> None:
    """Record canvas labels in every page of this browser context (call before opening pages)."""
    context.add_init_script(_js("canvas_hook.js"))


def fit_problems(page) -> list[dict]:
    return page.evaluate(_js("fit_check.js"))


def label_sizes(page, selectors: list[str] | None = None) -> list[dict]:
    return page.evaluate(_js("text_size.js"), {"selectors": selectors} if selectors else None)


@cache
def axe_source() -> str:
    """axe-core's script; installed with npm into tests/e2e/.axe when missing (never committed)."""
    path = Path(os.environ["AXE_CORE"]) if os.environ.get("AXE_CORE") else AXE_FILE
    if not path.exists() and not os.environ.get("AXE_CORE") and shutil.which("npm"):
        AXE_DIR.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(AXE_DIR), "--no-save", "--no-audit", "--no-fund",
                        "axe-core@4"], check=False, capture_output=True, timeout=300)
    if not path.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"axe-core is missing at {path} (npm install --prefix {AXE_DIR} axe-core@4)")
        pytest.skip("axe-core is not installed")
    return path.read_text(encoding="utf-8")


def axe_violations(page, impacts=("serious", "critical"), exclude: list[str] = ()) -> list[dict]:
    """axe-core run on the page as it is now: [{id, impact, help, nodes: [target, ...]}] of those impacts."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # served from the page's own origin, so the app's Content-Security-Policy (script-src 'self') allows it
        source = axe_source()
        page.route("**/__axe-core.js", lambda route: route.fulfill(body=source, content_type="text/javascript"))
        page.add_script_tag(url="/__axe-core.js")
    result = page.evaluate(
        """async (exclude) => {
          const r = await axe.run({ include: [document], exclude: exclude.map((s) => [s]) },
                                  { resultTypes: ['violations'] });
          return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' ') + ' :: '
              + (n.failureSummary || '').split('\\n').slice(1, 2).join('')) }));
        }""", list(exclude))
    return [v for v in result if v["impact"] in impacts]


def describe(problems: list[dict], limit: int = 12) -> str:
    lines = [f"{p.get('kind', '')} {p.get('where', '')} «{p.get('text', '')}» {p.get('detail', p.get('px', ''))}"
             for p in problems[:limit]]
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(lines) + more
