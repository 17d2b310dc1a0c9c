"""bench/soak.py for a few seconds on PostgreSQL: no error, and the database holds exactly
what was answered (the script checks; this keeps it from rotting). Needs TEST_DATABASE_URL."""
import os
import subprocess
import sys

import pytest

from .test_gunicorn import ROOT

DATABASE = os.environ.get("TEST_DATABASE_URL")


@pytest.mark.skipif(not DATABASE,
                    reason="set TEST_DATABASE_URL to a PostgreSQL database (.ci/run does)")
def test_a_short_soak_passes():
    done = subprocess.run([sys.executable, "bench/soak.py", "--seconds", "4",
                           "--database-url", DATABASE],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    # One row per kind: label, requests, errors, p50, p99; every kind was sent, none failed.
    kinds = [line.split()[-4:-2] for line in done.stdout.splitlines()
             if line.startswith(("POST /v1/", "GET /v1/"))]
    assert len(kinds) == 4 and all(int(n.replace(",", "")) > 0 and errors == "0"
                                   for n, errors in kinds), done.stdout
    assert done.stdout.count("\nok  ") == 4 and "MISMATCH" not in done.stdout, done.stdout
