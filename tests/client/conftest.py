"""The real service in this process, on a free port, for the client to talk to."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

@dataclass
class LiveService:
    url: str
    app: object
    # (method, path, status) of every request the service answered, in order.
    requests: list[tuple[str, str, int]] = field(default_factory=list)

    def statuses(self, method: str, path: str) -> list[int]:
        return [status for m, p, status in self.requests if (m, p) == (method, path)]


def _recording(live: LiveService, wsgi_app):
    def recorded(environ, start_response):
        def start(status, headers, exc_info=None):
            live.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                  int(status.split()[0])))
            return start_response(status, headers, exc_info)
        return wsgi_app(environ, start)
    return recorded


@pytest.fixture
def live(scoring_app):
    """`scoring_app` (fresh migrated SQLite, default model) served over HTTP in a thread."""
    live = LiveService(url="", app=scoring_app)
    scoring_app.wsgi_app = _recording(live, scoring_app.wsgi_app)
    server = make_server("127.0.0.1", 0, scoring_app, threaded=True)
    live.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield live
    server.shutdown()
    server.server_close()
    thread.join(5)
