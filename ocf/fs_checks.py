"""The Filesystem monitor's deeper checks, bounded by the action's deadline.

I/O on a failing disk or a dead server can block in the kernel; each check
runs in a daemon thread so the monitor still returns (with an error) before
Pacemaker's timeout, and the stuck thread dies with the process.
"""

from __future__ import annotations

import mmap
import os
import stat
import threading
import time
from collections.abc import Callable

from ocf.rc import RC, OCFError

_BLOCK = 4096


def _bounded(what: str, fn: Callable[[], None], budget: float) -> None:
    errors: list[BaseException] = []

    def body() -> None:
        try:
            fn()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    worker = threading.Thread(target=body, name=what, daemon=True)
    worker.start()
    worker.join(max(budget, 0.1))
    if worker.is_alive():
        raise OCFError(RC.ERR_GENERIC, f"{what} did not complete within {budget:.1f}s")
    if errors:
        exc = errors[0]
        if isinstance(exc, OCFError):
            raise exc
        raise OCFError(RC.ERR_GENERIC, f"{what} failed: {exc}")


def read_test(device: str, budget: float) -> None:
    """OCF_CHECK_LEVEL=10: read one block of the device, bypassing the page cache."""
    try:
        is_block = stat.S_ISBLK(os.stat(device).st_mode)
    except OSError:
        is_block = False
    if not is_block:
        return  # network and pseudo filesystems: nothing to read, as the shell agent

    def body() -> None:
        buf = mmap.mmap(-1, _BLOCK)  # page aligned, as O_DIRECT requires
        fd = os.open(device, os.O_RDONLY | getattr(os, "O_DIRECT", 0))
        try:
            if os.readv(fd, [buf]) <= 0:
                raise OCFError(RC.ERR_GENERIC, f"read test of {device} returned no data")
        finally:
            os.close(fd)
            buf.close()

    _bounded(f"read test of {device}", body, budget)


def write_read_test(path: str, budget: float) -> None:
    """OCF_CHECK_LEVEL=20: write a status file synchronously and read it back."""

    def body() -> None:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        payload = f"{time.time():.6f} {os.getpid()}\n".encode().ljust(_BLOCK, b"\0")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_SYNC, 0o600)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        with open(path, "rb") as fh:
            if fh.read(_BLOCK) != payload:
                raise OCFError(RC.ERR_GENERIC, f"status file {path} read back different data")

    _bounded(f"write test of {path}", body, budget)
