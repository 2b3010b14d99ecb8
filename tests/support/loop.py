"""A minimal daemon-style selectors loop for tests of socket servers.

It follows docs/daemon.md's convention exactly as a daemon does: ``key.data.on_ready(mask)``
for every ready descriptor, ``next_wakeup()`` / ``tick(now)`` for deadlines. It runs in a
thread so that a blocking client can talk to it from the test.
"""

from __future__ import annotations

import selectors
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Served(Protocol):
    clock: Callable[[], float]

    def open(self, selector: selectors.BaseSelector) -> None: ...
    def close(self) -> None: ...
    def next_wakeup(self) -> float | None: ...
    def tick(self, now: float) -> None: ...


class Loop:
    def __init__(self, server: Served) -> None:
        self.server = server
        self.selector = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.cycles = 0
        self.errors: list[BaseException] = []
        # work the loop does between waits (e.g. a deferred answer), run in the loop thread
        self.calls: list[Callable[[], Any]] = []

    def run(self) -> None:
        try:
            clock = self.server.clock  # deadlines run on the server's (injectable) clock
            while not self.stop.is_set():
                wake = self.server.next_wakeup()
                timeout = 0.05 if wake is None else min(max(wake - clock(), 0.0), 0.05)
                for key, mask in self.selector.select(timeout):
                    key.data.on_ready(mask)
                self.server.tick(clock())
                while self.calls:
                    self.calls.pop(0)()
                self.cycles += 1
        except BaseException as exc:  # surfaced by the test through .errors
            self.errors.append(exc)
            raise


@contextmanager
def serving(server: Served) -> Iterator[Loop]:
    """Open `server` in a fresh loop running in a thread; stop and close it afterwards."""
    loop = Loop(server)
    server.open(loop.selector)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.stop.set()
        thread.join(5)
        server.close()
        loop.selector.close()
    assert not loop.errors, loop.errors


def wait_for(cond: Callable[[], bool], limit: float = 5.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)
