"""Wall time and peak memory of training the default model, in this one run.

    flock /tmp/heavy.lock .venv/bin/python bench/training.py [--data SPEC ...]

Runs ``python -m training.train`` on the default model's data (``config.TRAINING_DATA``:
LIAR train, LIAR2-later valid, AVeriTeC train, Russia-Ukraine) into a temporary registry
as a child process and reports its wall time and the peak resident memory of it and its
worker processes (RUSAGE_CHILDREN, the largest single process). Targets: <= 180 s and
<= 2 GB.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the repo, not bench/: bench/http.py must not hide the standard http

from training import config  # noqa: E402


TARGET_SECONDS = 180


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append",
                        help="training data specs (default: config.TRAINING_DATA)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as registry:
        started = time.perf_counter()
        data = [part for spec in (args.data or config.TRAINING_DATA)
                for part in ("--data", spec)]
        done = subprocess.run([sys.executable, "-m", "training.train", *data, "--registry",
                               registry], cwd=ROOT,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return done.returncode
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'training the default model':32}{'seconds':>10}{'peak MB':>10}")
    print(f"{'measured':32}{seconds:10.1f}{peak_mb:10.0f}")
    print(f"{'target':32}{TARGET_SECONDS:10.1f}{2048:10.0f}")
    print(f"{'ratio to target':32}{seconds / TARGET_SECONDS:10.2f}{peak_mb / 2048:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
