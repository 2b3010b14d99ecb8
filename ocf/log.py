"""Logging the way resource-agents does: syslog, HA_LOGFILE, HA_DEBUGLOG, stderr.

Deliberately not the `logging` module: agents are exec'd per action and its
import cost shows on every monitor.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

_FACILITIES = {
    "kern": 0,
    "user": 8,
    "mail": 16,
    "daemon": 24,
    "auth": 32,
    "syslog": 40,
    "lpr": 48,
    "news": 56,
    "uucp": 64,
    "cron": 72,
    "authpriv": 80,
    "ftp": 88,
    **{f"local{i}": 128 + 8 * i for i in range(8)},
}
_PRIORITY = {"ERROR": 3, "WARNING": 4, "INFO": 6, "DEBUG": 7}


class AgentLog:
    """Writes `<type>(<instance>)[pid]: LEVEL: message` lines.

    - syslog at HA_LOGFACILITY (default daemon; "none" disables it);
    - HA_LOGFILE gets every non-debug line, HA_DEBUGLOG the debug lines;
    - stderr gets warnings and errors (Pacemaker's execd logs agent stderr);
    - debug lines are produced only with HA_debug=1 or tracing on.
    """

    def __init__(
        self, agent_type: str, instance: str, environ: Mapping[str, str], *, trace: bool = False
    ) -> None:
        self.tag = f"{agent_type}({instance})[{os.getpid()}]"
        self.facility = environ.get("HA_LOGFACILITY", "daemon")
        self.logfile = environ.get("HA_LOGFILE") or None
        self.debuglog = environ.get("HA_DEBUGLOG") or None
        self.debug_on = trace or environ.get("HA_debug", "0") not in ("", "0")
        self.trace_file: str | None = None
        self.quiet_errors = False  # probes must not log errors

    def debug(self, msg: str) -> None:
        if self.debug_on:
            self._emit("DEBUG", msg)

    def info(self, msg: str) -> None:
        self._emit("INFO", msg)

    def warning(self, msg: str) -> None:
        self._emit("WARNING", msg)

    def error(self, msg: str) -> None:
        self._emit("INFO" if self.quiet_errors else "ERROR", msg)

    def _emit(self, level: str, msg: str) -> None:
        line = f"{self.tag}: {level}: {msg}"
        if level in ("ERROR", "WARNING"):
            print(line, file=sys.stderr, flush=True)
        self._syslog(level, line)
        stamp = time.strftime("%b %d %H:%M:%S")
        target = self.debuglog if level == "DEBUG" else self.logfile
        for path in (target, self.trace_file if level == "DEBUG" else None):
            if path:
                _append(path, f"{stamp} {line}\n")

    def _syslog(self, level: str, line: str) -> None:
        if self.facility == "none" or (level == "DEBUG" and not self.debug_on):
            return
        facility = _FACILITIES.get(self.facility, _FACILITIES["daemon"])
        try:
            import syslog  # cheap C module, only loaded when logging

            syslog.syslog(facility | _PRIORITY[level], line)
        except OSError:
            pass


def _append(path: str, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    except OSError:
        return
    try:
        os.write(fd, text.encode("utf-8", "replace"))
    finally:
        os.close(fd)
