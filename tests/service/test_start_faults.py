"""A promoted model that fails its checks at start stops the service, with one line that
names the version, the file and the reason, and says what to do.

Through real gunicorn (the master stops: "Worker failed to boot", exit non-zero, within
seconds) and through create_app. A worker that gunicorn starts later, in place of one that
died, starts unready instead and leaves the server up; with no CURRENT at all the service
starts unready, as before (test_health.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bench.served import Gunicorn
from service import create_app
from service.db import upgrade
from service.serving import LATE_WORKER, StartRefused

from .test_hot_reload import copy_registry
from .test_verdict_loop import readiness, workers_that_logged

MODEL_FILES = ("pipeline.skops", "scorer.npz")   # the pipeline, and its compiled form if any


def flip_a_byte(folder: Path) -> None:
    path = folder / "pipeline.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def edit_sums(folder: Path) -> None:
    """One digit of card.json's sha256 changed in SHA256SUMS; every file is as saved."""
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    for n, line in enumerate(lines):
        if line.endswith("  card.json"):
            lines[n] = ("0" if line[0] != "0" else "1") + line[1:]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def truncate(folder: Path) -> None:
    """The pipeline cut to half its length, as a full disk leaves a copy."""
    path = folder / "pipeline.skops"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def rehash(folder: Path) -> None:
    """SHA256SUMS rewritten to match the files as they are now."""
    lines = []
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        name = line.split("  ", 1)[1]
        lines.append(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}")
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def truncate_and_rehash(folder: Path) -> None:
    """Every model file cut to its first 4 kB, with sums that match: the hashes pass, reading
    fails."""
    for name in MODEL_FILES:
        if (folder / name).exists():
            (folder / name).write_bytes((folder / name).read_bytes()[:4096])
    rehash(folder)


def library_skew(folder: Path) -> None:
    """The card says an older numpy made it (and the sums agree)."""
    card = json.loads((folder / "card.json").read_text())
    card["library_versions"]["numpy"] = "1.26.4"
    (folder / "card.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    rehash(folder)


THROUGH_GUNICORN = [
    pytest.param(flip_a_byte, r"file pipeline\.skops does not match its sha256", id="flipped"),
    pytest.param(edit_sums, r"file card\.json does not match its sha256", id="sums-edited"),
    pytest.param(truncate, r"file pipeline\.skops does not match its sha256", id="truncated"),
]
THROUGH_CREATE_APP = THROUGH_GUNICORN + [
    pytest.param(truncate_and_rehash, r"(pipeline\.skops|scorer\.npz) could not be",
                 id="unreadable"),
    pytest.param(library_skew, r"was saved with numpy 1\.26\.4 \(its card\.json says so\)",
                 id="library-skew"),
]


@pytest.fixture
def registry(tmp_path, model_registry_dir):
    return copy_registry(model_registry_dir, tmp_path / "registry")


def promoted(registry: Path) -> str:
    return (registry / "CURRENT").read_text().strip()


def assert_clear(message: str, registry: Path, version: str | None, reason: str) -> None:
    assert "\n" not in message and message.startswith("Not starting: "), message
    if version:
        assert f"model {version} ({registry / version})" in message, message
    assert re.search(reason, message), message
    assert f"`python -m training.promote --registry {registry} --version VERSION`" in message


@pytest.mark.parametrize("tamper, reason", THROUGH_GUNICORN)
def test_gunicorn_does_not_start_on_a_bad_model(registry, tmp_path, tamper, reason):
    version = promoted(registry)
    tamper(registry / version)
    server = Gunicorn("refused", tmp_path, {
        "MODEL_REGISTRY": str(registry), "GUNICORN_WORKERS": "2",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'service.db'}"})
    started = time.monotonic()
    with server:
        try:
            code = server.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"gunicorn still runs 60 s after start:\n{server.log_tail()}")
    took = time.monotonic() - started
    output = server.log_path.read_text()
    # "Reason: Worker failed to boot." (exit 3); or, when the second worker's failure is
    # reaped while the master halts on the first, gunicorn's HaltServer traceback (exit 1).
    assert code != 0 and "Worker failed to boot." in output, output[-3000:]
    assert took < 30, f"gunicorn took {took:.1f} s to stop"
    said = [line for line in output.splitlines() if line.startswith("Not starting: ")]
    assert said, output[-3000:]           # a plain line on stderr, besides the JSON log
    assert_clear(said[0], registry, version, reason)


@pytest.mark.parametrize("tamper, reason", THROUGH_CREATE_APP)
def test_create_app_refuses_a_bad_model(settings, registry, tamper, reason):
    version = promoted(registry)
    tamper(registry / version)
    with pytest.raises(StartRefused) as refused:
        create_app({**settings, "MODEL_REGISTRY": str(registry)})
    assert_clear(str(refused.value), registry, version, reason)


def test_create_app_refuses_a_model_that_does_not_score(settings, registry, monkeypatch):
    from model.scoring import Scorer

    monkeypatch.setattr(Scorer, "assess", lambda self, *args, **kwargs: {"score": float("nan")})
    with pytest.raises(StartRefused) as refused:
        create_app({**settings, "MODEL_REGISTRY": str(registry)})
    assert_clear(str(refused.value), registry, promoted(registry),
                 r"scores a test claim nan, not a probability")


@pytest.mark.parametrize("current, reason", [
    ("../elsewhere", r"the CURRENT file of .*: ArtifactError: invalid version name in CURRENT"),
    ("no-such-version", r"model version no-such-version not found"),
])
def test_create_app_refuses_a_current_that_names_no_good_version(settings, registry,
                                                                 current, reason):
    (registry / "CURRENT").write_text(current + "\n")
    with pytest.raises(StartRefused) as refused:
        create_app({**settings, "MODEL_REGISTRY": str(registry)})
    assert_clear(str(refused.value), registry, None, reason)
    assert "versions there: " in str(refused.value)   # the good one, to promote


def test_a_late_worker_starts_unready_instead(settings, registry, monkeypatch):
    monkeypatch.setenv(LATE_WORKER, "1")
    flip_a_byte(registry / promoted(registry))
    app = create_app({**settings, "MODEL_REGISTRY": str(registry)})
    try:
        ready = app.test_client().get("/readyz")
    finally:
        app.extensions["db"]["engine"].dispose()
    assert ready.status_code == 503
    assert "pipeline.skops does not match its sha256" in ready.json["detail"]


def test_a_worker_replacing_a_dead_one_leaves_the_server_up(registry, tmp_path):
    version = promoted(registry)
    database = f"sqlite:///{tmp_path / 'service.db'}"
    upgrade(database)      # ready needs the newest migration too
    server = Gunicorn("late", tmp_path, {
        "MODEL_REGISTRY": str(registry), "GUNICORN_WORKERS": "2", "LOG_LEVEL": "info",
        "DATABASE_URL": database})
    with server:
        server.wait_ready("/healthz")
        deadline = time.monotonic() + 60
        while len(first := server.worker_pids()) < 2 or not set(first) <= workers_that_logged(
                server.log_path, f"serves model {version}"):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.05)
        flip_a_byte(registry / version)        # the served version goes bad on disk
        os.kill(first[0], signal.SIGKILL)      # and a worker dies: gunicorn starts another
        while not (late := set(server.worker_pids()) - set(first)) or not late <= \
                workers_that_logged(server.log_path, f"refused model {version}"):
            assert server.process.poll() is None, server.log_tail()
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.05)
        answers = readiness(server.base)
        assert server.process.poll() is None, server.log_tail()
        assert late <= set(server.worker_pids())     # the newcomer runs, unready
    # The survivor serves on (test_a_late_worker_starts_unready_instead: the newcomer's 503).
    assert 200 in {status for status, _ in answers}, answers
    assert all(answer["model_version"] == version for status, answer in answers
               if status == 200)
