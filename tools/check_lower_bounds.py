"""Install the oldest versions pyproject.toml allows (every `>=` bound as `==`) in a fresh venv and run the
API, engine and MNIST tests with them: the lower bounds are the versions that really work.

    python3 tools/check_lower_bounds.py [--venv /tmp/lower-bounds]

Downloads from PyPI; takes a few minutes. Warnings are not errors here (old libraries deprecate things).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/api/test_conv_api.py", "tests/api/test_mnist_api.py", "tests/api/test_hardening.py",
         "tests/api/test_rnn_api.py", "tests/api/test_site.py", "tests/api/test_image_api.py",
         "tests/api/test_architectures_api.py", "tests/api/test_edge.py", "tests/engine", "tests/mnist"]


def pinned() -> list[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    out = []
    for dep in deps:
        spec, _, marker = dep.partition(";")
        spec = re.sub(r">=\s*", "==", spec.strip())
        out.append(spec + (f"; {marker.strip()}" if marker else ""))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", default="/tmp/lower-bounds")
    venv = Path(ap.parse_args().venv)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, *pinned(), "pytest", "httpx", "hypothesis"], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    print("installed:", subprocess.run([str(venv / "bin/python"), "-m", "pip", "freeze"], capture_output=True,
                                       text=True).stdout.replace("\n", " "))
    return subprocess.run([str(venv / "bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                           "-o", "filterwarnings=ignore", *TESTS], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
