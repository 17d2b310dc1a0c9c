"""The Dockerfile passes hadolint, and the boot script migrates then hands over to gunicorn."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def hadolint() -> str:
    found = shutil.which("hadolint") or str(ROOT / ".venv" / "bin" / "hadolint")
    if not Path(found).exists():
        pytest.skip("hadolint is not installed (pip install -r requirements-dev.txt)")
    return found


def test_dockerfile_passes_hadolint():
    done = subprocess.run([hadolint(), str(ROOT / "Dockerfile")], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_runs_as_a_non_root_user_with_a_health_check():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert lines[-1].startswith("ENTRYPOINT") and "boot.sh" in lines[-1]


def test_boot_script_migrates_then_execs_gunicorn():
    commands = [line for line in (ROOT / "boot.sh").read_text().splitlines()
                if line and not line.startswith("#")]
    assert commands[0] == "set -e"
    assert commands[1] == "alembic upgrade head"
    assert commands[-1].startswith("exec gunicorn -c gunicorn.conf.py")


def _bind(tmp_path, **environ) -> str:
    """gunicorn.conf.py's `bind` under the environment without HOST and PORT, plus `environ`."""
    env = {key: value for key, value in os.environ.items() if key not in ("HOST", "PORT")}
    env.update(environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", "import runpy; "
                           "print(runpy.run_path('gunicorn.conf.py')['bind'])"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_gunicorn_listens_on_the_loopback_unless_host_says_otherwise(tmp_path):
    assert _bind(tmp_path) == "127.0.0.1:8000"
    assert _bind(tmp_path, HOST="0.0.0.0", PORT="8080") == "0.0.0.0:8080"


def test_the_container_listens_on_every_interface():
    # Inside a container the loopback is out of reach of `docker run -p`.
    text = (ROOT / "Dockerfile").read_text()
    env = [line for line in text.replace("\\\n", " ").splitlines() if line.startswith("ENV ")]
    assert any("HOST=0.0.0.0" in line.split() for line in env), env
