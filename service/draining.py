"""gunicorn's sync worker, which on a graceful stop (SIGTERM) also answers the requests
already waiting for it.

gunicorn's own sync worker finishes the request it holds and exits; connections that the
kernel had accepted into the listen queue but no worker had taken yet are then reset,
though their clients had sent their requests (benoitc/gunicorn#3397). A replica stopped
under load would lose them, and a proxy does not retry a reset POST. This worker notes
how many connections wait when the signal comes and takes that many more before it exits
(its siblings share the queue, so together they answer at least those); connections made
after the signal are left to be refused, as before. gunicorn.conf.py names it.
"""
from __future__ import annotations

import socket
import struct
import time

from gunicorn.workers.sync import SyncWorker

# struct tcp_info of a listening socket (Linux): tcpi_unacked, at this offset, holds the
# length of its accept queue.
_TCP_INFO_SIZE, _UNACKED_OFFSET, _LISTEN = 104, 24, 10


def waiting_connections(listener) -> int:
    """Connections in `listener`'s accept queue; 0 where the kernel does not say (not Linux,
    not TCP)."""
    try:
        info = listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
    except (AttributeError, OSError):
        return 0
    if len(info) < _UNACKED_OFFSET + 4 or info[0] != _LISTEN:
        return 0
    return struct.unpack_from("I", info, _UNACKED_OFFSET)[0]


class DrainingSyncWorker(SyncWorker):
    """The sync worker; after a graceful stop it answers the connections that were
    waiting when the stop came."""

    waiting = 0
    take_until = 0.0

    def handle_exit(self, sig, frame):
        # In the signal handler: the queue as it is now, before more clients connect.
        self.waiting = sum(waiting_connections(listener) for listener in self.sockets)
        # Half the grace period at most, so that the last one taken ends before the master
        # kills what is left at graceful_timeout.
        self.take_until = time.monotonic() + self.cfg.graceful_timeout / 2
        super().handle_exit(sig, frame)

    def run(self):
        super().run()
        if self.waiting:
            self.drain(self.waiting)

    def drain(self, at_most: int) -> None:
        """Answer up to `at_most` waiting connections, stopping when none is left or the
        time to take one is over."""
        taken = 0
        for listener in self.sockets:
            listener.setblocking(False)
            while taken < at_most and time.monotonic() < self.take_until:
                self.notify()  # the master kills a worker that looks stuck
                try:
                    self.accept(listener)   # reads the request and answers it
                except ConnectionAbortedError:   # its client gave up while it waited
                    pass
                except (BlockingIOError, InterruptedError):   # none left
                    break
                taken += 1
        if taken:
            self.log.info("answered %d request(s) that were waiting at the stop", taken)
