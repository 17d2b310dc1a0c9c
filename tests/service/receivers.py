"""A webhook receiver for tests: a real HTTP server on loopback, in a thread.

It answers each POST with the next status of `answers` (then 200), records what came,
and, like a receiver should, verifies the signature and drops event ids it has seen.
"""
from __future__ import annotations

import contextlib
import http.server
import json
import threading

from client import verify_signature


class Receiver:
    def __init__(self, answers=(), hold: threading.Event | None = None):
        self.answers = list(answers)
        self.hold = hold              # set: the first POST waits until released (or killed)
        self.received: list[dict] = []     # every POST: headers, body, event, valid
        self.events: dict[str, dict] = {}  # event id -> event, first copy only
        self.duplicates = 0
        self.secret: str | None = None
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def _handler(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.take(self, body)

            def log_message(self, *_):
                pass

        return Handler

    def take(self, handler, body: bytes) -> None:
        headers = {name: value for name, value in handler.headers.items()}
        valid = self.secret is not None and verify_signature(self.secret, headers, body)
        event = json.loads(body)
        with self.lock:
            first = len(self.received) == 0
            status = self.answers.pop(0) if self.answers else 200
            self.received.append({"headers": headers, "body": body, "event": event,
                                  "valid": valid, "status": status})
            if status == 200:
                if event["id"] in self.events:
                    self.duplicates += 1
                else:
                    self.events[event["id"]] = event
            self.arrived.notify_all()
        if first and self.hold is not None:
            self.hold.wait(60)
            return           # the sender was killed meanwhile: nobody to answer
        handler.send_response(status)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")

    def wait_for(self, predicate, timeout: float = 30) -> bool:
        with self.lock:
            return self.arrived.wait_for(lambda: predicate(self), timeout)

    def of_type(self, event_type: str) -> list[dict]:
        with self.lock:
            return [event for event in self.events.values() if event["type"] == event_type]


@contextlib.contextmanager
def receiving(answers=(), hold=None):
    receiver = Receiver(answers, hold)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(10)
