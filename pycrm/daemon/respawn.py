"""The ``respawn`` supervisor's shell: spawn, watch with pidfds, stop.

    sup = RespawnSupervisor(cfg.respawn, selector, logger=log, on_failfast=...)
    sup.start()                        # schedules every program now
    ... in the loop: key.data.on_ready(mask) for ready keys;
        sup.next_wakeup() / sup.tick(now) with the other timers
    sup.stop()                         # at shutdown (blocks up to the grace time)

Each program runs as its ``respawn`` user (uid, primary gid and the user's
supplementary groups, as heartbeat's setuid/setgid/initgroups), without a
shell, in its own process group, with stdin/stdout/stderr on /dev/null and
``/`` as its directory, in the daemon's environment plus the entry's
(``HA_CURHOST``, ``HA_<name>`` of ha.cf ``env``). Its pidfd is registered in
the caller's selector with a handler whose ``on_ready(mask)`` reaps it; the
supervisor reaps only its own children (never ``waitpid(-1)``).

When a program exits, what is left of its process group gets SIGTERM before
the program is reaped (while its pid, still a zombie, keeps the group id
reserved), so a restarted program does not meet its predecessor's children.
heartbeat left them running. At shutdown each group gets SIGTERM, last entry
first, and SIGKILL after the grace time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import select
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pycrm.daemon.config_model import RespawnEntry
from pycrm.daemon.respawn_core import ChildStatus, RespawnCore

FailfastHandler = Callable[[RespawnEntry, str], None]
STOP_GRACE_S = 5.0


class _Watch:
    """The selector handler of one running program (its pidfd)."""

    def __init__(
        self, owner: RespawnSupervisor, index: int, proc: subprocess.Popen[bytes], pidfd: int
    ) -> None:
        self.owner = owner
        self.index = index
        self.proc = proc
        self.pidfd = pidfd

    def fileno(self) -> int:
        return self.pidfd

    def on_ready(self, mask: int) -> None:
        self.owner.child_exited(self)


class RespawnSupervisor:
    """Runs `RespawnCore`'s decisions (see the module docstring)."""

    def __init__(
        self,
        entries: Sequence[RespawnEntry],
        selector: selectors.BaseSelector,
        *,
        logger: logging.Logger,
        on_failfast: FailfastHandler,
        clock: Callable[[], float] = time.monotonic,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.core = RespawnCore(entries)
        self.selector = selector
        self.log = logger
        self.on_failfast = on_failfast
        self.clock = clock
        self.environ = dict(os.environ if environ is None else environ)
        self._watches: dict[int, _Watch] = {}

    # --------------------------------------------------------------- timers
    def start(self) -> None:
        now = self.clock()
        self.core.start(now)
        self.tick(now)

    def next_wakeup(self) -> float | None:
        return self.core.next_wakeup()

    def tick(self, now: float) -> None:
        for index in self.core.due(now):
            self._spawn(index, now)
        self._flush()

    def children(self) -> tuple[ChildStatus, ...]:
        return tuple(self.core.children)

    # ---------------------------------------------------------------- spawn
    def _spawn(self, index: int, now: float) -> None:
        entry = self.core.children[index].entry
        try:
            proc = subprocess.Popen(
                list(entry.argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=True,
                cwd="/",
                env={**self.environ, **entry.env},
                process_group=0,
                **_credentials(entry.user),
            )
        except (OSError, subprocess.SubprocessError, KeyError) as exc:
            self.core.spawn_failed(index, _reason(exc))
            return
        try:
            pidfd = os.pidfd_open(proc.pid)
        except OSError as exc:  # cannot watch it (out of descriptors): do not leave it
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
            self.core.spawn_failed(index, f"cannot watch the process: {exc.strerror}")
            return
        watch = _Watch(self, index, proc, pidfd)
        self._watches[index] = watch
        self.selector.register(pidfd, selectors.EVENT_READ, watch)
        self.core.started(index, proc.pid, now)

    # ----------------------------------------------------------------- exit
    def child_exited(self, watch: _Watch) -> None:
        """The pidfd is readable: the program ended (a zombie until reaped here)."""
        _signal_group(watch.proc.pid, signal.SIGTERM)
        returncode = watch.proc.poll()
        if returncode is None:  # not reapable yet: wait for the next readiness
            return
        self._forget(watch)
        self._exited(watch.index, returncode)
        self._flush()

    def _exited(self, index: int, returncode: int) -> None:
        if returncode < 0:
            self.core.exited(index, self.clock(), exit_code=None, signal=-returncode)
        else:
            self.core.exited(index, self.clock(), exit_code=returncode, signal=None)

    def _forget(self, watch: _Watch) -> None:
        self._watches.pop(watch.index, None)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(watch.pidfd)
        os.close(watch.pidfd)

    def _flush(self) -> None:
        for level, text in self.core.events:
            self.log.log(level, "%s", text)
        self.core.events.clear()
        failed, self.core.failfast = self.core.failfast, []
        for index, reason in failed:
            self.on_failfast(self.core.children[index].entry, reason)

    # ----------------------------------------------------------------- stop
    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """Stop every program, last entry first: SIGTERM to its process group,
        SIGKILL after `grace` seconds. Blocks until all are reaped."""
        for index in self.core.stop():
            watch = self._watches.get(index)
            if watch is None:
                continue
            _signal_group(watch.proc.pid, signal.SIGTERM)
            if not _wait_readable(watch.pidfd, grace):
                _signal_group(watch.proc.pid, signal.SIGKILL)
                _wait_readable(watch.pidfd, None)
            _signal_group(watch.proc.pid, signal.SIGKILL)  # what is left of the group
            returncode = watch.proc.wait()
            self._forget(watch)
            self._exited(index, returncode)
        self._flush()


def _credentials(user: str) -> dict[str, Any]:
    """Popen arguments to run as `user`: uid, primary gid, initgroups' list.

    As root they are always applied; otherwise only another user needs them
    (and the start fails as heartbeat's would without the privilege).
    """
    pw = pwd.getpwnam(user)
    if os.geteuid() != 0 and (pw.pw_uid, pw.pw_gid) == (os.geteuid(), os.getegid()):
        return {}
    return {
        "user": pw.pw_uid,
        "group": pw.pw_gid,
        "extra_groups": os.getgrouplist(pw.pw_name, pw.pw_gid),
    }


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "no such user"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _signal_group(pid: int, signum: int) -> None:
    """Signal the process group `pid` leads. Only called while `pid` is not yet
    reaped, so the group id cannot belong to anyone else."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def _wait_readable(fd: int, timeout: float | None) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        if poller.poll(None if left is None else left * 1000):
            return True
        if left is not None and left <= 0:
            return False
