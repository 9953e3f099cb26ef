"""The README's API examples, pasted as written into bash against a running server (`python -m app`, its port in
place of the README's 8000), in a fresh folder that holds what a fresh clone holds (static/, README.md, .venv).

Each example must exit 0 with nothing on stderr, and print what its `# -> ` comments say: every piece of an
expected line between `...` must appear, in order, in what the example printed (whitespace ignored; numbers with
more than 7 decimals compared at 6 significant digits, so the BLAS kernels' last bits do not count). A comment line
continues the expectation while it starts with `#` and two or more spaces; text after two spaces and a `(` is a
remark. So a retrained model, a renamed field or a changed formula makes this fail until the README says it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import app_server

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [b for b in re.findall(r"^```(?:sh|bash)\n(.*?)^```", README, re.S | re.M) if "localhost:8000" in b]


def expectations(block: str) -> list[str]:
    """The lines a block's `# -> ` comments expect, remarks cut off."""
    found, inside = [], False
    for line in block.splitlines():
        if m := re.match(r"\s*# -> ?(.*)", line):
            inside = True
            found.append(m.group(1))
        elif inside and (m := re.match(r"\s*#\s{2,}(.*)", line)):
            found.append(m.group(1))
        else:
            inside = False
    return [re.split(r"\s{2,}\(", line)[0] for line in found]


def squash(text: str) -> str:
    text = re.sub(r"-?\d+\.\d{8,}(?:e-?\d+)?", lambda m: f"{float(m.group()):.6g}", text)
    return re.sub(r"\s+", "", text)


def missing(expected: str, printed: str) -> str | None:
    """The first piece of `expected` (split at `...`) not found, in order, in `printed`; None when all are."""
    at = 0
    for piece in (squash(p) for p in expected.split("...")):
        found = printed.find(piece, at)
        if found < 0:
            return piece
        at = found + len(piece)
    return None


def test_the_readme_has_api_examples_with_expected_output():
    assert len(BLOCKS) >= 10
    assert sum(len(expectations(b)) for b in BLOCKS) >= 30
    block = "curl x\n# -> 404  (a remark)\n#    [1, 2]\n# not output\n#    (not output either)"
    assert expectations(block) == ["404", "[1, 2]"]
    assert missing("a ... c", squash("a b c")) is None and missing("a ... d", squash("a b c")) == "d"
    assert missing("[0.3231]", squash("[0.32308322191238403]")) == "[0.3231]"      # no rounding under 8 decimals
    assert missing("0.32308322191238403", squash("0.3230832219123")) is None


@pytest.fixture(scope="module")
def server_port():
    with app_server() as (url, _):
        yield url.rsplit(":", 1)[1]


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A folder like a fresh clone for the examples: static/ and README.md, and .venv (this Python's environment;
    the files the examples write land here, not in the repository)."""
    home = tmp_path_factory.mktemp("clone")
    (home / "static").symlink_to(ROOT / "static")
    (home / "README.md").symlink_to(ROOT / "README.md")
    (home / ".venv").symlink_to(sys.prefix)
    return home


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's examples use curl (.ci/run installs it)")
@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_each_readme_example_runs_as_written_and_prints_what_it_says(n, server_port, clone):
    block = BLOCKS[n]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(["bash", "-c", block.replace("localhost:8000", f"localhost:{server_port}")], cwd=clone,
                          capture_output=True, text=True, timeout=120, env=env)
    head = block.strip().splitlines()[0]
    assert done.returncode == 0 and not done.stderr, (head, done.returncode, done.stderr[-2000:])
    printed = squash(done.stdout)
    wrong = {line: piece for line in expectations(block) if (piece := missing(line, printed)) is not None}
    assert not wrong, (head, wrong, done.stdout[-3000:])
