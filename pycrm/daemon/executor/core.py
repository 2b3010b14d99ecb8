"""The executor's bookkeeping, without I/O: queues, parallelism, timeouts, recurring ops.

Feed it with :meth:`ExecutorCore.submit`, :meth:`cancel`, :meth:`kick_monitor`,
:meth:`finished` (a process ended) and :meth:`tick` (time passed; call it when
:meth:`next_wakeup` is due); it answers with commands in :attr:`outbox`
(:class:`Spawn` a run, :class:`Kill` a run) and with results in :attr:`results`.
``now`` is monotonic seconds; wall-clock stamps come from the injected ``wall`` function.

Rules, as Pacemaker's executor and controller apply them:

* operations on one resource run one at a time, in submission order; different resources
  run in parallel, at most ``max_parallel`` processes at once (longest-waiting first);
* a non-recurring operation other than monitor/notify/meta-data/validate-all first cancels
  the resource's recurring operations (the controller does this before start, stop,
  promote, demote ...; the cancelled runs are reported with op-status cancelled);
* ``start_delay_ms`` holds an operation in its queue (and the operations queued behind
  it); for a recurring one only before its first run;
* a recurring operation runs at once (after its start delay), then ``interval_ms`` after
  each run ends; its results are reported only when rc or op-status differ from the last
  reported one (the first result always).  Submitting it again with the same action and
  interval replaces the registered one (new call id and transition key), runs it at once
  and reports its next result whatever it is;
* a stop runs with the instance attributes of the resource's last start, reload or
  monitor on this node (the newer meta attributes are kept), so that a changed parameter
  stops what was started;
* a request the agent class answers without running anything (:class:`Immediate`: a
  stonith ``stop`` or probe) completes as soon as it is its turn;
* at its timeout a run is killed (:class:`Kill`: the whole process group, or only the
  process itself when the operation's on-fail is ``block``, as Pacemaker's executor does)
  and its result is a timeout.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pycrm.daemon.executor.classes import Immediate, Invocation
from pycrm.daemon.executor.codes import (
    EXEC_CANCELLED,
    EXEC_DONE,
    OCF_NOT_RUNNING,
    OCF_OK,
    OCF_RUNNING_PROMOTED,
    RUNNING_RCS,
)
from pycrm.daemon.executor.outcome import Outcome, ProcessEnd, not_installed, outcome
from pycrm.daemon.executor.request import DEFAULT_TIMEOUT_MS, MAX_OUTPUT, OpRequest, OpResult

OUTPUT_TAIL = 4096  # characters of stdout kept in a result (meta-data: up to MAX_OUTPUT)

Resolver = Callable[[OpRequest], Invocation | Immediate | None]

# Operations that leave the resource's recurring operations running (the fencing runs of a
# stonith device included: fencing with a device does not stop its monitor).
_KEEPS_RECURRING = frozenset(
    {
        *("monitor", "status", "notify", "meta-data", "validate-all"),
        *("off", "on", "reboot", "list", "list-status"),
    }
)
# Operations that say nothing about the resource's state (not what a later one-shot
# monitor is built from): information actions and a stonith device's fencing runs.
_ONE_OFF = frozenset({"meta-data", "validate-all", "off", "on", "reboot", "list", "list-status"})
# Operations whose parameters a later stop uses (the controller's "stop parameters": a
# resource is stopped with the attributes it was started with, not the current ones).
_SETS_STOP_PARAMS = frozenset({"start", "reload", "reload-agent", "monitor"})
# Meta attributes of an earlier operation that do not describe a one-shot monitor.
_OP_SPECIFIC_META = ("name", "role", "on_fail", "record_pending", "description")


@dataclass(eq=False)
class Run:
    """One execution of a request (a recurring request has one per interval)."""

    call_id: int
    request: OpRequest
    queued_at: float
    not_before: float
    recurring: Recurring | None = None
    first_report: bool = True
    started_at: float = 0.0
    started_wall: float = 0.0
    deadline: float | None = None
    invocation: Invocation | None = None
    stop_reason: str | None = None  # "timeout" or "cancelled" once a kill was sent


@dataclass(eq=False)
class Recurring:
    request: OpRequest
    call_id: int
    next_due: float | None = None  # None while a run is queued or running
    run: Run | None = None
    first_pending: bool = True  # the next result is the first report of this request
    last_reported: tuple[int, int] | None = None
    last_rc: int | None = None
    rc_changed_at: float = 0.0


@dataclass(eq=False)
class Resource:
    rsc_id: str
    queue: deque[Run] = field(default_factory=deque)
    running: Run | None = None
    recurring: dict[tuple[str, int], Recurring] = field(default_factory=dict)
    last_request: OpRequest | None = None
    expected_rc: int = OCF_NOT_RUNNING  # what a one-shot monitor should find
    stop_params: dict[str, str] | None = None  # instance attributes a stop must use

    @property
    def busy(self) -> bool:
        return self.running is not None or bool(self.queue)


@dataclass(frozen=True)
class Spawn:
    run: Run
    invocation: Invocation


@dataclass(frozen=True)
class Kill:
    run: Run
    group: bool  # the whole process group (else only the process itself)


Command = Spawn | Kill


class ExecutorCore:
    def __init__(
        self,
        resolve: Resolver,
        *,
        max_parallel: int = 4,
        first_call_id: int = 1,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self._resolve = resolve
        self.max_parallel = max_parallel
        self._next_call_id = first_call_id
        self._wall = wall
        self.resources: dict[str, Resource] = {}
        self.running: list[Run] = []
        self.outbox: list[Command] = []
        self.results: list[OpResult] = []

    # ------------------------------------------------------------------ inputs
    def submit(self, req: OpRequest, now: float) -> int:
        rsc = self._resource(req.rsc_id)
        call_id = self._new_call_id()
        if req.action == "stop" and rsc.stop_params is not None:
            req = replace(req, params=rsc.stop_params)
        if req.action not in _ONE_OFF:
            rsc.last_request = req
        if req.interval_ms == 0 and req.action not in _KEEPS_RECURRING:
            self._cancel_recurring(rsc, None, None, now)
        if req.recurring:
            self._register_recurring(rsc, req, call_id, now)
        else:
            rsc.queue.append(Run(call_id, req, now, now + req.start_delay_ms / 1000))
        self._dispatch(now)
        return call_id

    def cancel(
        self, rsc_id: str, interval_ms: int | None, action: str | None, now: float
    ) -> list[int]:
        """Stop recurring operations of ``rsc_id`` (all, or those with this interval
        and/or action); their cancelled results follow.  Returns their call ids."""
        rsc = self.resources.get(rsc_id)
        if rsc is None:
            return []
        cancelled = self._cancel_recurring(rsc, interval_ms, action, now)
        self._dispatch(now)
        return cancelled

    def kick_monitor(self, rsc_id: str, now: float) -> bool:
        """Run the resource's recurring monitor now (the shortest-interval one), or a
        one-shot monitor when none is registered.  False if the resource is unknown."""
        rsc = self.resources.get(rsc_id)
        if rsc is None:
            return False
        monitors = [r for key, r in rsc.recurring.items() if key[0] == "monitor"]
        if monitors:
            rec = min(monitors, key=lambda r: r.request.interval_ms)
            if rec.run is None:
                rec.next_due = now
                self._due_recurring(now)
                self._dispatch(now)
            return True
        if rsc.last_request is None:
            return False
        if any(run.request.probe for run in self._pending_runs(rsc)):
            return True  # one is already on its way
        req = self._one_shot_monitor(rsc.last_request, rsc.expected_rc)
        rsc.queue.append(Run(self._new_call_id(), req, now, now))
        self._dispatch(now)
        return True

    def forget(self, rsc_id: str, now: float) -> bool:
        """Drop everything known about an idle resource (it was deleted): its recurring
        operations are cancelled.  False while an operation of it runs or waits."""
        rsc = self.resources.get(rsc_id)
        if rsc is None or rsc.busy:
            return False
        self._cancel_recurring(rsc, None, None, now)  # all idle: cancelled at once
        del self.resources[rsc_id]
        return True

    def finished(
        self,
        run: Run,
        end: ProcessEnd,
        now: float,
        *,
        stdout: str = "",
        exit_reason: str = "",
        main_pid: int | None = None,
    ) -> None:
        """The process of ``run`` ended (or could not be started)."""
        if run not in self.running:
            return
        self.running.remove(run)
        rsc = self.resources[run.request.rsc_id]
        if rsc.running is run:
            rsc.running = None
        if run.stop_reason == "cancelled":
            end = ProcessEnd("cancelled")  # however it ended, as Pacemaker's executor
        elif run.stop_reason == "timeout" and end.kind == "signaled":
            end = ProcessEnd("timeout")
        inv = run.invocation
        if inv is None:  # cannot happen: only started runs are in self.running
            return
        result = outcome(inv.agent_class, inv.action, end, stdout=stdout, exit_reason=exit_reason)
        self._complete(run, result, now, main_pid=main_pid, stdout=stdout)
        self._dispatch(now)

    def tick(self, now: float) -> None:
        for run in self.running:
            if run.stop_reason is None and run.deadline is not None and run.deadline <= now:
                run.stop_reason = "timeout"
                self.outbox.append(Kill(run, group=run.request.on_fail != "block"))
        self._due_recurring(now)
        self._dispatch(now)

    # ----------------------------------------------------------------- queries
    def next_wakeup(self) -> float | None:
        times: list[float] = []
        for run in self.running:
            if run.stop_reason is None and run.deadline is not None:
                times.append(run.deadline)
        for rsc in self.resources.values():
            if rsc.running is None and rsc.queue:
                times.append(rsc.queue[0].not_before)
            for rec in rsc.recurring.values():
                if rec.next_due is not None:
                    times.append(rec.next_due)
        return min(times) if times else None

    def idle(self) -> bool:
        """Nothing runs and nothing waits in a queue (recurring timers do not count)."""
        return not self.running and not any(r.queue for r in self.resources.values())

    def take_outbox(self) -> list[Command]:
        out, self.outbox = self.outbox, []
        return out

    def take_results(self) -> list[OpResult]:
        out, self.results = self.results, []
        return out

    # --------------------------------------------------------------- internals
    def _new_call_id(self) -> int:
        call_id = self._next_call_id
        self._next_call_id += 1
        return call_id

    def _resource(self, rsc_id: str) -> Resource:
        rsc = self.resources.get(rsc_id)
        if rsc is None:
            rsc = self.resources[rsc_id] = Resource(rsc_id)
        return rsc

    def _pending_runs(self, rsc: Resource) -> list[Run]:
        return [*([rsc.running] if rsc.running else []), *rsc.queue]

    def _register_recurring(self, rsc: Resource, req: OpRequest, call_id: int, now: float) -> None:
        key = (req.action, req.interval_ms)
        rec = rsc.recurring.get(key)
        if rec is not None:  # a duplicate replaces the registered one and runs now
            rec.request, rec.call_id, rec.first_pending = req, call_id, True
            if rec.run is not None:  # the pending run reports under the new identity
                rec.run.request, rec.run.call_id, rec.run.first_report = req, call_id, True
            else:
                rec.next_due = now
                self._due_recurring(now)
            return
        rec = rsc.recurring[key] = Recurring(req, call_id)
        self._enqueue_recurring(rsc, rec, now, now + req.start_delay_ms / 1000)

    def _enqueue_recurring(
        self, rsc: Resource, rec: Recurring, now: float, not_before: float
    ) -> None:
        run = Run(rec.call_id, rec.request, now, not_before, rec, rec.first_pending)
        rec.run, rec.next_due = run, None
        rsc.queue.append(run)

    def _due_recurring(self, now: float) -> None:
        for rsc in self.resources.values():
            for rec in rsc.recurring.values():
                if rec.run is None and rec.next_due is not None and rec.next_due <= now:
                    self._enqueue_recurring(rsc, rec, now, now)

    def _cancel_recurring(
        self, rsc: Resource, interval_ms: int | None, action: str | None, now: float
    ) -> list[int]:
        cancelled: list[int] = []
        for key, rec in list(rsc.recurring.items()):
            if (interval_ms is not None and key[1] != interval_ms) or (
                action is not None and key[0] != action
            ):
                continue
            del rsc.recurring[key]
            cancelled.append(rec.call_id)
            run = rec.run
            if run is not None and run is rsc.running:
                run.stop_reason = "cancelled"  # reported when the process is gone
                self.outbox.append(Kill(run, group=True))
                continue
            if run is not None:
                rsc.queue.remove(run)
            else:
                run = Run(rec.call_id, rec.request, now, now, rec, rec.first_pending)
                run.started_at, run.started_wall = now, self._wall()
            self._complete(run, Outcome(OCF_OK, EXEC_CANCELLED), now)
        return cancelled

    @staticmethod
    def _one_shot_monitor(base: OpRequest, expected_rc: int) -> OpRequest:
        meta = {k: v for k, v in base.meta.items() if k not in _OP_SPECIFIC_META}
        meta = {k: v for k, v in meta.items() if not k.startswith("notify_")}
        return replace(
            base,
            action="monitor",
            interval_ms=0,
            timeout_ms=DEFAULT_TIMEOUT_MS,
            start_delay_ms=0,
            meta=meta,
            transition_key=None,
            target_rc=expected_rc,
        )

    def _dispatch(self, now: float) -> None:
        free = self.max_parallel - len(self.running)
        if free <= 0:
            return
        ready = [
            rsc
            for rsc in self.resources.values()
            if rsc.running is None and rsc.queue and rsc.queue[0].not_before <= now
        ]
        ready.sort(key=lambda r: r.queue[0].queued_at)
        for rsc in ready[:free]:
            self._start(rsc, rsc.queue.popleft(), now)

    def _start(self, rsc: Resource, run: Run, now: float) -> None:
        run.started_at, run.started_wall = now, self._wall()
        inv = self._resolve(run.request)
        if inv is None:
            self._complete(run, not_installed(), now)
            return
        if isinstance(inv, Immediate):
            rc = inv.rc
            if rc is None:
                rc = OCF_OK if rsc.expected_rc == OCF_OK else OCF_NOT_RUNNING
            self._complete(run, Outcome(rc, inv.op_status, inv.exit_reason), now)
            return
        run.invocation = inv
        run.deadline = now + run.request.timeout_ms / 1000
        rsc.running = run
        self.running.append(run)
        self.outbox.append(Spawn(run, inv))

    def _complete(
        self,
        run: Run,
        result: Outcome,
        now: float,
        *,
        main_pid: int | None = None,
        stdout: str = "",
    ) -> None:
        req = run.request
        rsc = self.resources[req.rsc_id]
        if result.op_status != EXEC_DONE or result.rc not in RUNNING_RCS:
            main_pid = None
        self._learn_state(rsc, req, result)
        if result.op_status != EXEC_CANCELLED and req.action in _SETS_STOP_PARAMS:
            rsc.stop_params = dict(req.params)
        rc_changed_at = run.started_wall
        report = True
        rec = run.recurring
        if rec is not None and rsc.recurring.get((req.action, req.interval_ms)) is rec:
            if rec.last_rc is not None and rec.last_rc == result.rc:
                rc_changed_at = rec.rc_changed_at
            rec.last_rc, rec.rc_changed_at = result.rc, rc_changed_at
            now_reported = (result.rc, result.op_status)
            report = rec.first_pending or rec.last_reported != now_reported
            rec.first_pending = False
            rec.last_reported = now_reported
            rec.run, rec.next_due = None, now + req.interval_ms / 1000
        if not report:
            return
        self.results.append(
            OpResult(
                request=req,
                call_id=run.call_id,
                rc=result.rc,
                op_status=result.op_status,
                exit_reason=result.exit_reason,
                run_at=run.started_wall,
                rc_changed_at=rc_changed_at,
                exec_ms=max(0, round((now - run.started_at) * 1000)),
                queue_ms=max(0, round((run.started_at - run.queued_at) * 1000)),
                main_pid=main_pid,
                output=stdout[-(MAX_OUTPUT if req.action == "meta-data" else OUTPUT_TAIL) :],
                first_report=run.first_report,
            )
        )

    @staticmethod
    def _learn_state(rsc: Resource, req: OpRequest, result: Outcome) -> None:
        """What a one-shot monitor should expect, from the latest conclusive result."""
        if result.op_status != EXEC_DONE:
            return
        rc = result.rc
        if req.action == "stop" and rc == OCF_OK:
            rsc.expected_rc = OCF_NOT_RUNNING
        elif req.action in ("start", "demote", "migrate_from") and rc == OCF_OK:
            rsc.expected_rc = OCF_OK
        elif req.action == "promote" and rc == OCF_OK:
            rsc.expected_rc = OCF_RUNNING_PROMOTED
        elif req.action == "monitor" and rc in (OCF_OK, OCF_RUNNING_PROMOTED, OCF_NOT_RUNNING):
            rsc.expected_rc = rc
