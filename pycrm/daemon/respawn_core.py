"""When to (re)start each ``respawn`` program: heartbeat 3.0.6's rules, no I/O.

heartbeat (`heartbeat.c`, ``ManagedChildDied`` / ``start_a_child_client``):

* every respawn/failfast child is started when heartbeat starts;
* when one dies and heartbeat is not shutting down, it is started again
  unless it exited with status **100**;
* a child that dies less than **30 s** after it was started counts a short
  run; any longer run resets the count. After more than **10** short runs in a
  row it is not started again ("respawning too fast") - for good;
* after a short run the new child waits **1 s** before it runs its program;
* a program that cannot be started (no such user, not executable) is not
  retried;
* ``failfast`` children: a death by a signal, or a non-zero exit outside a
  shutdown, made heartbeat reboot the node. Here the core only reports it
  (`RespawnCore.failfast`); the daemon decides what to do. Unlike heartbeat,
  a death by a signal during shutdown is not reported: it is the supervisor's
  own SIGTERM.

The shell (`pycrm.daemon.respawn`) feeds the core with the clock and the
children's exits, and runs what `due` returns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pycrm.daemon.config_model import RespawnEntry

SHORT_RUN_S = 30.0
MAX_SHORT_RUNS = 10
SHORT_RUN_DELAY_S = 1.0
EXIT_NO_RESPAWN = 100

State = Literal["waiting", "running", "stopped", "given up"]


@dataclass
class ChildStatus:
    """One program's state (for logs and `pycrm status`).

    state     waiting (to be started at `due`), running (`pid`), stopped (exit 100
              or shutdown) or given up (too many short runs, cannot be started)
    restarts  how many times it was started again after a death
    """

    entry: RespawnEntry
    state: State = "waiting"
    pid: int | None = None
    started: float | None = None
    due: float | None = None
    short_runs: int = 0
    restarts: int = 0


class RespawnCore:
    """The decisions for a list of respawn entries (indexes follow the list).

    Outputs are read and cleared by the shell: `events` (level, text) to log in
    heartbeat's words, `failfast` (index, reason) for failfast children that
    died abnormally.
    """

    def __init__(self, entries: Sequence[RespawnEntry]) -> None:
        self.children = [ChildStatus(entry) for entry in entries]
        self.events: list[tuple[int, str]] = []
        self.failfast: list[tuple[int, str]] = []
        self.stopping = False

    def start(self, now: float) -> None:
        """Schedule every program to start now."""
        for child in self.children:
            child.state, child.due = "waiting", now

    def due(self, now: float) -> list[int]:
        """Indexes of the programs to start now (each is reported once)."""
        if self.stopping:
            return []
        ready = [
            i
            for i, c in enumerate(self.children)
            if c.state == "waiting" and c.due is not None and c.due <= now
        ]
        for i in ready:
            self.children[i].due = None
        return ready

    def next_wakeup(self) -> float | None:
        times = [c.due for c in self.children if c.state == "waiting" and c.due is not None]
        return None if self.stopping or not times else min(times)

    def started(self, index: int, pid: int, now: float) -> None:
        child = self.children[index]
        child.state, child.pid, child.started = "running", pid, now
        self.events.append(
            (
                logging.INFO,
                f'Starting child client "{child.entry.command}" as {child.entry.user} (pid {pid})',
            )
        )

    def spawn_failed(self, index: int, reason: str) -> None:
        """The program could not be started: heartbeat does not retry."""
        child = self.children[index]
        child.state, child.pid = "given up", None
        self.events.append(
            (logging.ERROR, f'Cannot start client "{child.entry.command}": {reason}')
        )

    def exited(self, index: int, now: float, *, exit_code: int | None, signal: int | None) -> None:
        """The program ended: `exit_code` when it exited, `signal` when it was killed."""
        child = self.children[index]
        command = child.entry.command
        pid = child.pid
        child.pid = None
        level = logging.DEBUG if self.stopping else logging.ERROR
        if signal is not None:
            self.events.append((level, f"Client {command} (pid={pid}) killed by signal {signal}."))
        elif exit_code:
            self.events.append((level, f"Client {command} exited with return code {exit_code}."))
        if child.entry.failfast and not self.stopping and (signal is not None or exit_code):
            how = f"signal {signal}" if signal is not None else f"exit code {exit_code}"
            self.failfast.append((index, f'failfast client "{command}" died ({how})'))
        if self.stopping:
            child.state = "stopped"
            return
        if exit_code == EXIT_NO_RESPAWN:
            child.state = "stopped"
            self.events.append((logging.INFO, f'Client "{command}" exited with 100: not respawned'))
            return
        started = child.started if child.started is not None else now
        child.short_runs = child.short_runs + 1 if now - started < SHORT_RUN_S else 0
        if child.short_runs > MAX_SHORT_RUNS:
            child.state, child.short_runs = "given up", 0
            self.events.append(
                (logging.ERROR, f'Client "{command}" respawning too fast: not started again')
            )
            return
        child.restarts += 1
        child.state = "waiting"
        child.due = now + (SHORT_RUN_DELAY_S if child.short_runs > 0 else 0.0)
        self.events.append((logging.WARNING, f'Respawning client "{command}"'))

    def stop(self) -> list[int]:
        """Shutdown: nothing starts any more; the running ones, last entry first
        (heartbeat stops its clients in reverse order)."""
        self.stopping = True
        for child in self.children:
            if child.state == "waiting":
                child.state, child.due = "stopped", None
        return [i for i in reversed(range(len(self.children))) if self.children[i].pid]
