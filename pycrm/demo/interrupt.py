"""End a lab run through its clean-up on SIGINT, SIGTERM and SIGHUP."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


@contextlib.contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """SIGINT (also where a shell started us with it ignored), SIGTERM and SIGHUP raise
    KeyboardInterrupt, so that the ``finally`` that removes the lab runs."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    wanted = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    old = {s: signal.signal(s, handler) for s in wanted}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
