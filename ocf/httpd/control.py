"""Starting and stopping httpd: configtest, launch, signals. Imports subprocess.

Only start, stop and validate-all import this module; the monitor does not.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence

from ocf.httpd.procs import Identity

_POLL = 0.05
_LEVELS = (":emerg]", ":alert]", ":crit]", ":error]")


def first_error(text: str) -> str:
    """httpd's first error as one line ("AH00526: Syntax error on line 3 of f: Invalid ...")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if line != "Syntax OK"]
    if not lines:
        return ""
    first = lines[0]
    if first.endswith(":") and len(lines) > 1:
        first = f"{first} {lines[1]}"
    return first


def configtest(argv: Sequence[str], env: Mapping[str, str], timeout: float) -> str | None:
    """Run `httpd -t ...`; None when the syntax is OK, else its first error line."""
    try:
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            env=dict(env),
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return f"configtest did not finish within {timeout:.1f}s"
    except OSError as exc:
        return f"cannot run {argv[0]}: {exc.strerror}"
    if proc.returncode == 0:
        return None
    return first_error(proc.stderr + "\n" + proc.stdout) or f"exit status {proc.returncode}"


class Launch:
    """The `httpd ...` command that daemonizes; its output goes to a private file."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        # A file, not a pipe: the daemon may inherit the descriptor and a
        # pipe would then never reach EOF.
        self._out = tempfile.TemporaryFile(prefix="pycrm-httpd-")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env=dict(env),
        )

    def poll(self) -> int | None:
        return self.proc.poll()

    def output(self) -> str:
        self._out.seek(0)
        return self._out.read(16384).decode("utf-8", "replace")

    def close(self) -> None:
        self._out.close()


class LogTail:
    """Remember where the error log ended; later read what was appended."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.offset = 0
        if path is not None:
            with contextlib.suppress(OSError):
                self.offset = os.path.getsize(path)

    def first_error(self) -> str:
        if self.path is None:
            return ""
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                text = fh.read(65536).decode("utf-8", "replace")
        except OSError:
            return ""
        for line in text.splitlines():
            if any(level in line for level in _LEVELS):
                return _strip_prefixes(line)
        return ""


def _strip_prefixes(line: str) -> str:
    """Drop error_log's "[date] [module:level] [pid N:tid N] " prefixes."""
    while line.startswith("["):
        end = line.find("] ")
        if end < 0:
            break
        line = line[end + 2 :]
    return line.strip()


def signal_instance(identity: Identity, pid: int, sig: int) -> bool:
    """Send `sig` to `pid` only if it is (still) this instance; True if sent.

    The identity check is made on a pidfd, and the signal goes to that
    pidfd: even if the PID is recycled in between, nothing else is hit.
    """
    try:
        fd = os.pidfd_open(pid)
    except OSError as exc:
        if exc.errno != errno.ENOSYS:
            return False  # gone
        # Kernel before 5.3: check, then signal by PID (a tiny reuse window).
        if not identity.alive(pid):
            return False
        try:
            os.kill(pid, sig)
        except OSError:
            return False
        return True
    try:
        if not identity.alive(pid):
            return False
        signal.pidfd_send_signal(fd, sig)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def wait_gone(identity: Identity, pids: Sequence[int], until: float) -> list[int]:
    """Poll until none of `pids` runs as this instance or `until`; return survivors."""
    alive = [pid for pid in pids if identity.alive(pid)]
    while alive and time.monotonic() < until:
        time.sleep(_POLL)
        alive = [pid for pid in alive if identity.alive(pid)]
    return alive
