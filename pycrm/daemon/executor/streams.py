"""Bounded capture of an agent's output, and the cookies the executor reads from it.

The executor keeps only a tail of each stream (agents can be chatty, and a stuck one must
not grow the daemon), but scans every complete line of stderr as it arrives, so the
cookies are found wherever they are:

* the exit reason: the text after the LAST ``ocf-exit-reason:`` on stderr, up to the end of
  its line, at most 128 characters (an empty last one means no reason) -- Pacemaker's
  ``parse_exit_reason_from_stderr``;
* the main PID: the last line ``ocf-main-pid:<pid>`` (docs/daemon.md, "Service-level
  watching");
* the last error a fence agent logged: the text after `` ERROR: `` of the last such line
  (fence-agents log ``<time> ERROR: <message>``), "Please use '-h' for usage" skipped, at
  most 128 characters -- the exit reason of a failed fence agent run.
"""

from __future__ import annotations

from pycrm.daemon.executor.environment import EXIT_REASON_PREFIX, MAIN_PID_PREFIX
from pycrm.daemon.executor.request import PID_MAX

TAIL_BYTES = 65_536
MAX_LINE = 8192
EXIT_REASON_MAX = 128
FENCE_ERROR = "ERROR: "
FENCE_USAGE = "Please use '-h' for usage"


class Tail:
    """The last ``limit`` bytes written to a stream."""

    def __init__(self, limit: int = TAIL_BYTES) -> None:
        self.limit = limit
        self._buf = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        self._buf += data
        if len(self._buf) > self.limit:
            del self._buf[: len(self._buf) - self.limit]

    def text(self) -> str:
        return self._buf.decode("utf-8", "replace")


class LineScanner:
    """Splits a byte stream into lines (overlong ones cut at ``MAX_LINE``) and keeps the
    exit reason and main-PID cookies."""

    def __init__(self) -> None:
        self._partial = bytearray()
        self._skipping = False  # inside the unread rest of an overlong line
        self._reason: str | None = None
        self.main_pid: int | None = None
        self.error_reason = ""

    @property
    def exit_reason(self) -> str:
        return self._reason or ""

    def feed(self, data: bytes) -> None:
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                self._add(data[start:])
                return
            self._add(data[start:end])
            self._finish_line()
            start = end + 1

    def close(self) -> None:
        """End of stream: a last line without a newline still counts."""
        if self._partial or self._skipping:
            self._finish_line()

    def _add(self, chunk: bytes) -> None:
        if self._skipping:
            return
        room = MAX_LINE - len(self._partial)
        self._partial += chunk[:room]
        if len(chunk) > room:
            self._finish_line()
            self._skipping = True

    def _finish_line(self) -> None:
        if not self._skipping:
            self._line(self._partial.decode("utf-8", "replace"))
        self._partial.clear()
        self._skipping = False

    def _line(self, line: str) -> None:
        at = line.rfind(EXIT_REASON_PREFIX)
        if at >= 0:
            self._reason = line[at + len(EXIT_REASON_PREFIX) :][:EXIT_REASON_MAX]
        err = line.find(FENCE_ERROR)
        if err >= 0:
            text = line[err + len(FENCE_ERROR) :].strip()
            if text and text != FENCE_USAGE:
                self.error_reason = text[:EXIT_REASON_MAX]
        if line.startswith(MAIN_PID_PREFIX):
            value = line[len(MAIN_PID_PREFIX) :].strip()
            if value.isascii() and value.isdigit() and 0 < int(value) <= PID_MAX:
                self.main_pid = int(value)
