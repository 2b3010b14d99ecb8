"""The executor as the daemon uses it: :class:`ExecutorCore` plus real processes in the
caller's selector loop.

Loop convention (docs/daemon.md): every descriptor the executor registers in ``selector``
has a handler with ``on_ready(mask)`` as ``key.data`` (two pipes and a pidfd per running
agent); timers are driven through :meth:`Executor.next_wakeup` and :meth:`Executor.tick`.
``clock`` is the loop's monotonic clock, ``wall`` the epoch clock used for the history's
time stamps.  The daemon must not ignore SIGCHLD (children are reaped through pidfds).

Public API::

    ex = Executor(selector, paths=AgentPaths(...), work_dir="/var/lib/pycrm", max_parallel=4)
    call_id = ex.submit(request)            # queue an OpRequest; returns its call id
    ex.cancel("rsc", interval_ms=10000)     # stop recurring ops -> cancelled results
    ex.forget("rsc")                        # drop an idle resource's state
    ex.run_monitor_now("rsc", "pid 123 exited")   # watchers: monitor at once
    for result in ex.drain(): ...           # OpResults ready so far
    ex.next_wakeup(); ex.tick(now)          # timers (timeouts, start delays, intervals)
    ex.idle()                               # nothing running or queued
    ex.close()                              # kill whatever still runs
"""

from __future__ import annotations

import logging
import os
import selectors
import time
from collections.abc import Callable, Mapping

from pycrm.daemon.executor.classes import (
    AgentClass,
    AgentPaths,
    Immediate,
    Invocation,
    Probe,
    resolve,
)
from pycrm.daemon.executor.codes import EXEC_NAMES
from pycrm.daemon.executor.core import ExecutorCore, Kill, Run, Spawn
from pycrm.daemon.executor.outcome import ProcessEnd
from pycrm.daemon.executor.process import AgentProcess
from pycrm.daemon.executor.request import OpRequest, OpResult

log = logging.getLogger("pycrm.executor")


class Executor:
    def __init__(
        self,
        selector: selectors.BaseSelector,
        *,
        paths: AgentPaths | None = None,
        work_dir: str = "/",
        max_parallel: int = 4,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        first_call_id: int = 1,
        probe: Probe | None = None,
        classes: Mapping[str, AgentClass] | None = None,
    ) -> None:
        if not os.path.isdir(work_dir):
            raise ValueError(f"executor work directory {work_dir} does not exist")
        self.selector = selector
        self.paths = paths or AgentPaths()
        self.work_dir = work_dir
        self.clock = clock
        self._probe = probe or Probe()
        self._classes = classes
        self.core = ExecutorCore(
            self._resolve, max_parallel=max_parallel, first_call_id=first_call_id, wall=wall
        )
        self._procs: dict[int, AgentProcess] = {}  # id(run) -> process
        self._runs: dict[int, Run] = {}  # id(process) -> run
        self._logged = 0  # results in core.results already logged

    # -------------------------------------------------------------------- API
    def submit(self, req: OpRequest) -> int:
        """Queue ``req``; returns its call id (recurring results reuse it)."""
        call_id = self.core.submit(req, self.clock())
        log.debug("call %d: %s queued", call_id, req.key)
        self._flush()
        return call_id

    def cancel(
        self, rsc_id: str, interval_ms: int | None = None, action: str | None = None
    ) -> list[int]:
        """Stop ``rsc_id``'s recurring operations (all, or those matching ``interval_ms`` /
        ``action``).  Each one's cancelled result (op-status 1) follows in :meth:`drain`.
        Returns the call ids cancelled."""
        cancelled = self.core.cancel(rsc_id, interval_ms, action, self.clock())
        self._flush()
        return cancelled

    def run_monitor_now(self, rsc_id: str, reason: str) -> bool:
        """Run ``rsc_id``'s recurring monitor at once (a one-shot monitor when none is
        registered: a probe expecting what the last conclusive result said).  False when
        the executor never saw the resource."""
        kicked = self.core.kick_monitor(rsc_id, self.clock())
        if kicked:
            log.info("monitor of %s now: %s", rsc_id, reason)
        self._flush()
        return kicked

    def forget(self, rsc_id: str) -> bool:
        """Drop an idle resource's state (recurring ops cancelled, stop parameters and the
        last request forgotten), e.g. after it was deleted.  False if it is busy."""
        forgotten = self.core.forget(rsc_id, self.clock())
        self._flush()
        return forgotten

    def drain(self) -> list[OpResult]:
        """Results ready since the last call, in completion order."""
        self._log_results()
        self._logged = 0
        return self.core.take_results()

    def next_wakeup(self) -> float | None:
        return self.core.next_wakeup()

    def tick(self, now: float) -> None:
        self.core.tick(now)
        self._flush()

    def idle(self) -> bool:
        return self.core.idle()

    def running_pids(self) -> dict[str, int]:
        """rsc_id -> pid of its agent process running right now."""
        out: dict[str, int] = {}
        for run in self.core.running:
            proc = self._procs.get(id(run))
            if proc is not None:
                out[run.request.rsc_id] = proc.pid
        return out

    def close(self) -> None:
        """Kill (SIGKILL to the group) and reap every agent still running; no results."""
        for proc in list(self._procs.values()):
            proc.abandon()
        self._procs.clear()
        self._runs.clear()

    # -------------------------------------------------------------- internals
    def _resolve(self, req: OpRequest) -> Invocation | Immediate | None:
        return resolve(req, self.paths, self._probe, self._classes)

    def _flush(self) -> None:
        while True:
            commands = self.core.take_outbox()
            if not commands:
                self._log_results()
                return
            for cmd in commands:
                if isinstance(cmd, Spawn):
                    self._spawn(cmd.run, cmd.invocation)
                elif isinstance(cmd, Kill):
                    self._kill(cmd)

    def _spawn(self, run: Run, inv: Invocation) -> None:
        try:
            proc = AgentProcess(self.selector, inv, self.work_dir, self._exited)
        except OSError as exc:
            log.warning("call %d: cannot execute %s: %s", run.call_id, inv.argv[0], exc)
            self.core.finished(run, ProcessEnd("exec_error", exc.errno or 0), self.clock())
            return
        self._procs[id(run)] = proc
        self._runs[id(proc)] = run
        log.debug("call %d: %s running as pid %d", run.call_id, run.request.key, proc.pid)
        if proc.gone_early:
            proc.reap()

    def _kill(self, cmd: Kill) -> None:
        proc = self._procs.get(id(cmd.run))
        if proc is None:
            return
        log.warning(
            "call %d: %s %s, killing %s %d",
            cmd.run.call_id,
            cmd.run.request.key,
            "timed out" if cmd.run.stop_reason == "timeout" else "cancelled",
            "process group" if cmd.group else "process",
            proc.pid,
        )
        proc.kill(cmd.group)

    def _exited(self, proc: AgentProcess, end: ProcessEnd) -> None:
        run = self._runs.pop(id(proc), None)
        if run is None:
            return
        self._procs.pop(id(run), None)
        inv = run.invocation
        reason = proc.scanner.exit_reason
        if inv is not None and inv.stderr_reason:
            reason = proc.scanner.error_reason
        self.core.finished(
            run,
            end,
            self.clock(),
            stdout=proc.stdout.text(),
            exit_reason=reason,
            main_pid=proc.scanner.main_pid,
        )
        self._flush()

    def _log_results(self) -> None:
        for result in self.core.results[self._logged :]:
            log.info(
                "call %d: %s on %s: rc=%d (%s) %dms%s",
                result.call_id,
                result.key,
                result.request.node,
                result.rc,
                EXEC_NAMES.get(result.op_status, str(result.op_status)),
                result.exec_ms,
                f" reason={result.exit_reason!r}" if result.exit_reason else "",
            )
        self._logged = len(self.core.results)
