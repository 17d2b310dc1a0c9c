"""gunicorn servers for the HTTP benchmarks, started on a free local port and always stopped,
the databases behind them, and the request bodies sent to them.

Used by bench/http.py, bench/memory.py, bench/soak.py and the tests that run real servers
(tests/service/test_gunicorn.py takes `call` and `free_port` from here, test_replicas.py,
test_shutdown.py and test_start_faults.py `Gunicorn`; tests/conftest.py makes its
PostgreSQL schemas here); not a command itself.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_on_sigterm() -> None:
    """A SIGTERM ends the benchmark like Ctrl-C does: through `finally`, stopping its servers."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def fresh_database(folder: Path) -> str:
    """A new SQLite database in `folder`, migrated with `alembic upgrade head`; its URL."""
    url = f"sqlite:///{folder / 'service.db'}"
    done = subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT,
                          env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"alembic upgrade head failed:\n{done.stderr[-2000:]}")
    return url


@contextlib.contextmanager
def postgres_schema(url: str, prefix: str = "svc_test_"):
    """A new, empty schema in the PostgreSQL database at `url`, dropped at the end; yields a
    URL whose connections use it (migrate it with service.db.upgrade)."""
    from sqlalchemy import create_engine, text

    schema = prefix + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in url else "?"
        try:
            yield f"{url}{separator}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def as_sent(request: dict) -> dict:
    """A LIAR row as a client sends it: blank fields left out and long ones cut to the API's
    200 characters (it refuses both; one LIAR row lists 14 topics)."""
    def fields(part: dict) -> dict:
        return {k: v[:200] if isinstance(v, str) else v for k, v in part.items() if v != ""}

    return {key: fields(value) if isinstance(value, dict) else value
            for key, value in request.items()}


def call(base: str, method: str, path: str, body=None, key: str | None = None,
         timeout: float = 60) -> tuple[int, dict, str]:
    """Status, headers and text of a request with a JSON body (and X-API-Key); error
    statuses are answers too, not exceptions."""
    request = urllib.request.Request(base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              **({"X-API-Key": key} if key else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


def post_json(url: str, body: bytes, timeout: float = 60) -> tuple[int, bytes]:
    """Status and body of a JSON POST; an error status raises urllib's HTTPError."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return answer.status, answer.read()


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py [app]` in the repository, its output in `folder`/name.log.

    With `app` unset it serves the project (`wsgi_app` of gunicorn.conf.py); any other app
    runs under exactly the same settings file.
    """

    def __init__(self, name: str, folder: Path, env: dict, app: str | None = None):
        self.name, self.app = name, app
        self.port = free_port()
        self.log_path = folder / f"{name}.log"
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port),
                    "PROMETHEUS_MULTIPROC_DIR": str(folder / f"{name}-metrics")}
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Gunicorn":
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"]
        command += [self.app] if self.app else []
        with open(self.log_path, "ab") as log:
            self.started = time.perf_counter()
            # Its own session: stopping it reaches the workers too, and Ctrl-C reaches us only.
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, path: str, timeout: float = 60) -> float:
        """Seconds from start to the first 200 on `path`; raises if it died or never answered."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # not listening yet, or 503 while the model loads
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} not ready on {path} within {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """The master's children, from /proc."""
        master, pids = self.process.pid, []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    # The command name may hold spaces and parentheses; fields follow the last ')'.
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                if int(fields[1]) == master:
                    pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers (utime + stime)."""
        ticks = 0
        for pid in [self.process.pid] + self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, quiet: float = 0.3, timeout: float = 60) -> None:
        """Until the workers stop burning CPU: requests left from the last load are done."""
        deadline = time.perf_counter() + timeout
        used = self.cpu_seconds()
        while time.perf_counter() < deadline:
            time.sleep(quiet)
            now = self.cpu_seconds()
            if now - used < 0.05 * quiet:
                return
            used = now

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn's graceful stop: workers finish their request
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # The master is not yet reaped, so its group id still names only its processes.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *_) -> None:
        self.stop()


def rss_kb(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak), RssAnon and RssFile of a process, in kB, from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            values[key] = int(rest.split()[0])
    return values
