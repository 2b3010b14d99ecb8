"""systemd's readiness notification (sd_notify(3)), without a dependency.

The protocol is one datagram of `KEY=value` lines on the unix socket named by
$NOTIFY_SOCKET (a path, or an abstract name starting with "@"). Outside
systemd the variable is unset and every call is a no-op. `Notifier` is what
`pycrm run`'s loop drives: READY/MAINPID, STATUS, STOPPING and the watchdog
($WATCHDOG_USEC, $WATCHDOG_PID).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping, MutableMapping

STATUS_MAX = 200  # characters of STATUS=: `systemctl status` shows one line


def notify(state: Mapping[str, str], environ: Mapping[str, str] | None = None) -> bool:
    """Send e.g. {"READY": "1", "STATUS": "..."}; return whether a socket was there."""
    env = os.environ if environ is None else environ
    target = env.get("NOTIFY_SOCKET", "")
    if not target:
        return False
    address = "\0" + target[1:] if target.startswith("@") else target
    payload = "\n".join(f"{key}={value}" for key, value in state.items()).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        sock.connect(address)
        sock.sendall(payload)
    return True


ENVIRONMENT = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")


def watchdog_interval(environ: Mapping[str, str], pid: int) -> float | None:
    """How often to send WATCHDOG=1 (seconds): half of $WATCHDOG_USEC, as sd_watchdog_enabled
    advises; None without a watchdog, or when $WATCHDOG_PID names another process."""
    try:
        usec = int(environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = environ.get("WATCHDOG_PID")
    if owner is not None:
        try:
            if int(owner) != pid:
                return None
        except ValueError:
            return None
    return usec / 2_000_000


class Notifier:
    """The daemon's side of ``Type=notify``, driven by its loop (no threads, no timers of its
    own): `ready` once, `status` when the verdict changes, `stopping` once, and `tick` sends
    WATCHDOG=1 every half watchdog interval while the loop turns.  A socket that went away
    is logged once and never stops the daemon."""

    def __init__(
        self,
        environ: Mapping[str, str],
        *,
        pid: int,
        send: Callable[[Mapping[str, str], Mapping[str, str]], bool] = notify,
        log: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.socket = environ.get("NOTIFY_SOCKET", "")
        self.pid = pid
        self.interval = watchdog_interval(environ, pid) if self.socket else None
        self._send = send
        self._log = log
        self._next_ping: float | None = None
        self._status = ""
        self._failed = False
        self.stopped = False

    @classmethod
    def from_environment(
        cls, environ: MutableMapping[str, str], *, pid: int, log: Callable[[str], None]
    ) -> Notifier:
        """Take the notification variables out of `environ`, as sd_notify(unset_environment)
        does: no child (agents, respawned programs) can then speak for the daemon."""
        notifier = cls(dict(environ), pid=pid, log=log)
        for name in ENVIRONMENT:
            environ.pop(name, None)
        return notifier

    @property
    def enabled(self) -> bool:
        return bool(self.socket)

    def ready(self, status: str, now: float) -> None:
        self._status = status = _one_line(status)
        self._notify({"READY": "1", "STATUS": status, "MAINPID": str(self.pid)})
        if self.interval is not None:
            self._next_ping = now

    def status(self, text: str) -> None:
        text = _one_line(text)
        if text != self._status and not self.stopped:
            self._status = text
            self._notify({"STATUS": text})

    def stopping(self, status: str) -> None:
        if not self.stopped:
            self.stopped = True
            self._status = status = _one_line(status)
            self._notify({"STOPPING": "1", "STATUS": status})

    def next_wakeup(self) -> float | None:
        return self._next_ping

    def tick(self, now: float) -> None:
        if self._next_ping is None or now < self._next_ping or self.interval is None:
            return
        self._notify({"WATCHDOG": "1"})
        self._next_ping = now + self.interval

    def _notify(self, state: Mapping[str, str]) -> None:
        if not self.socket:
            return
        try:
            self._send(state, {"NOTIFY_SOCKET": self.socket})
        except OSError as exc:
            if not self._failed:
                self._failed = True
                self._log(f"cannot notify systemd at {self.socket}: {exc.strerror or exc}")
            return
        self._failed = False


def _one_line(text: str) -> str:
    """A STATUS= value: one line (a newline would end the field), at most STATUS_MAX."""
    return " ".join(text.split())[:STATUS_MAX]
