"""One POST to a receiver: to the checked address, briefly, without following redirects,
reading at most a little of the answer."""
from __future__ import annotations

import http.client
import socket
import ssl
import threading

from .addresses import Target

ANSWER_BYTES = 1024      # of the receiver's answer, read and kept for the attempts list
_TLS = ssl.create_default_context()


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the checked address; speaks TLS to the URL's host name for https."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self):
        sock = socket.create_connection((self.target.address, self.target.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.target.scheme == "https":
            sock = _TLS.wrap_socket(sock, server_hostname=self.target.host)
        self.sock = sock


def post(target: Target, body: bytes, headers: dict, timeout: float) -> tuple[int, str]:
    """The answer's status and the start of its body; OSError (timeouts included) or
    http.client.HTTPException when there is no answer. The whole exchange, however
    slowly the receiver trickles, ends after `timeout` seconds."""
    connection = _PinnedConnection(target, timeout)
    # Socket timeouts bound each read, not the sum of them: a watchdog ends the exchange.
    watchdog = threading.Timer(timeout, _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read(ANSWER_BYTES).decode("utf-8", "replace")
        return answer.status, text
    finally:
        watchdog.cancel()
        connection.close()


def _cut(connection) -> None:
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
