"""The bench/ and tools/ scripts are run by hand, not by the tests, so a rename in app/ can leave one calling what
is gone (bench_mnist_http.py called app.api.mnist.load_model after it moved to app.mnist.inference). Checked here
without running them: every attribute a script reads from an app module it imports exists."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted([*(ROOT / "bench").glob("*.py"), *(ROOT / "tools").glob("*.py")])


def app_modules(tree: ast.Module) -> dict[str, str]:
    """local name -> app module, for `import app.x as n`, `from app import x as n`, `from app.x import y as n`
    where y is a module."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("app.") and a.asname:
                    names[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "app":
            for a in node.names:
                full = f"{node.module}.{a.name}"
                try:
                    importlib.import_module(full)
                except ImportError:
                    continue
                names[a.asname or a.name] = full
    return names


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_a_bench_script_reads_only_what_the_app_modules_have(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    modules = app_modules(tree)
    missing = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            if not hasattr(importlib.import_module(modules[node.value.id]), node.attr):
                missing.add(f"{modules[node.value.id]}.{node.attr}")
    assert not missing, f"{script.name} reads what is gone: {sorted(missing)}"
