"""A bigger schemathesis campaign than CI runs: FUZZ_EXAMPLES per operation (default 1000).

Run: .venv/bin/python bench/fuzz.py [examples]
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    env = {**os.environ, "FUZZ_EXAMPLES": sys.argv[1] if len(sys.argv) > 1 else "1000"}
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-s", "-p", "no:cacheprovider",
                              "tests/api/test_fuzz.py"], cwd=ROOT, env=env))
