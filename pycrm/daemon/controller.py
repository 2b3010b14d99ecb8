"""The CRM controller of one node: election, CIB sync, policy and execution (no I/O).

Inputs (from the node shell):

* :meth:`membership` -- the partition heartbeat shows (this node included), once its start-up
  phase is over;
* :meth:`receive` -- a CRM message (channel-delivered, authenticated);
* :meth:`stream_broken` -- messages from a node were lost;
* :meth:`local_result` -- the local executor finished an operation; the caller already
  recorded it in this node's history and passes the resulting CIB changes;
* :meth:`submit` -- other changes this node wants (its transient attributes, admin commands);
* :meth:`request_shutdown`, :meth:`tick`.

Outputs (drained by the shell): ``outbox`` (CRM messages), ``to_execute`` (operations for the
local executor), ``fencing.orders`` (fencing requests for the DC's fencer, whose outcomes
come back through :meth:`fence_outcome`), ``log`` (level, text) and ``verdicts`` (one line
per decision, Patroni style); ``sync.applied`` tells what changed in the local CIB copy
(for persistence).

As DC the controller plans with :func:`pycrm.scheduler.schedule` on the live CIB whenever
something changed that it did not expect, runs the transition, and plans again when it ends.
A node that lost quorum under ``no-quorum-policy=stop`` stops its own resources at once from
its local copy, without waiting for a DC.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cib import patch
from cib.live import LiveCib
from cib.model import Cib, Primitive
from cib.nvsets import cluster_options
from cib.parse import from_element
from pycrm.cluster import election as el
from pycrm.cluster import protocol as p
from pycrm.cluster.channel import Delivered
from pycrm.cluster.election import Election
from pycrm.cluster.quorum import Quorum, QuorumState
from pycrm.daemon.cibsync import KINDS as SYNC_KINDS
from pycrm.daemon.cibsync import Applied, CibSync, LocalReport
from pycrm.daemon.failures import next_expiry
from pycrm.daemon.fencing import (
    FENCE_EVENT,
    FENCE_REQ,
    FENCE_RESULT,
    FenceCoordinator,
    Finished,
)
from pycrm.daemon.transition import TransitionRunner
from pycrm.daemon.verdict import describe_transition
from pycrm.fencing.fencer import FenceOutcome, FenceRequest
from pycrm.fencing.history import FenceEvent
from pycrm.scheduler import Action, Transition, schedule
from pycrm.scheduler.digests import find_op

EXEC = "exec"
EXEC_RESULT = "exec_result"

# Pacemaker's target rc for each kind of action
RC_OK = 0
RC_NOT_RUNNING = 7
RC_PROMOTED = 8

DEFAULT_TIMEOUT = 20.0
RESULT_MARGIN = 10.0  # how long after an op's own timeout the DC gives up on its result

RequestBuilder = Callable[[Cib, Action, str, str, int], dict[str, Any]]


@dataclass(frozen=True)
class ExecRef:
    """Where an operation came from: a DC's transition action, or this node's own stop."""

    dc: str
    term: int
    tid: int
    action: str
    target_rc: int
    local: bool = False


@dataclass(frozen=True)
class ExecOrder:
    ref: ExecRef
    request: dict[str, Any]
    timeout: float


@dataclass
class ControllerConfig:
    me: str
    nodes: tuple[str, ...]
    two_node: bool
    wait_for_all: bool
    election_timeout: float
    join_timeout: float
    settle: float = 0.0


# Actions the node carries out itself (no agent): cancel a recurring operation, forget an
# orphan's history, clear a fail count.  Fencing (``stonith``) goes to the DC's fencer.
CONTROL_TASKS = frozenset({"cancel", "delete", "clear_failcount"})


def target_rc(model: Cib | None, action: Action) -> int:
    """The rc Pacemaker expects: 7 for a probe or a ``role="Stopped"`` monitor, 8 for a
    ``role="Promoted"`` monitor, else 0."""
    if action.task != "monitor":
        return RC_OK
    if action.interval_ms == 0:
        return RC_NOT_RUNNING
    prim = model.find(action.rsc.split(":", 1)[0]) if model is not None else None
    op = find_op(prim, "monitor", action.interval_ms) if isinstance(prim, Primitive) else None
    role = op.role if op is not None else None
    if role in ("Promoted", "Master"):
        return RC_PROMOTED
    if role == "Stopped":
        return RC_NOT_RUNNING
    return RC_OK


def control_request(action: Action) -> dict[str, Any]:
    """What a node needs to carry out a control action."""
    interval = action.meta.get("interval", str(action.interval_ms))
    return {
        "control": action.task,
        "rsc": action.rsc,
        "operation": action.meta.get("operation", "monitor"),
        "interval_ms": int(interval) if interval.isdigit() else action.interval_ms,
        "timeout_ms": 20000,
    }


@dataclass
class _Plan:
    runner: TransitionRunner
    model: Cib
    reasons: list[str] = field(default_factory=list)
    local: bool = False


class Controller:
    def __init__(
        self,
        cfg: ControllerConfig,
        live: LiveCib,
        *,
        report: Callable[[], LocalReport],
        build_request: RequestBuilder,
        wall: Callable[[], float],
        term: int = 0,
    ) -> None:
        self.cfg = cfg
        self.me = cfg.me
        self.live = live
        self.wall = wall
        self.build_request = build_request
        self.election = Election(
            cfg.me, cfg.nodes, timeout=cfg.election_timeout, term=term, settle=cfg.settle
        )
        self.quorum = Quorum(cfg.nodes, two_node=cfg.two_node, wait_for_all=cfg.wait_for_all)
        self.sync = CibSync(
            cfg.me, cfg.nodes, live, report=report, join_timeout=cfg.join_timeout, clock_wall=wall
        )
        self.members: tuple[str, ...] = ()
        self.started = False
        self.outbox: list[tuple[str, dict[str, Any], str | None]] = []
        self.to_execute: list[ExecOrder] = []
        self.log: list[tuple[int, str]] = []
        self.verdicts: list[str] = []
        self.counters: dict[str, int] = {}
        self.plan: _Plan | None = None
        self._tid = 0
        self._dirty = False
        self._reasons: list[str] = []
        self._recheck_at: float | None = None
        self.shutting_down = False
        self.last_transition: Transition | None = None
        self.applied: list[Applied] = []  # changes to the local copy, for persistence
        self.fencing = FenceCoordinator(cfg.me)

    # ------------------------------------------------------------------ queries
    @property
    def is_dc(self) -> bool:
        return self.election.is_dc

    @property
    def dc(self) -> str | None:
        return self.election.dc

    @property
    def quorum_state(self) -> QuorumState:
        return self.quorum.state

    def options(self) -> dict[str, str]:
        return cluster_options(self.live.model().crm_config)

    def no_quorum_policy(self) -> str:
        return self.options().get("no-quorum-policy", "stop")

    def _info(self, text: str) -> None:
        self.log.append((logging.INFO, text))

    def _warn(self, text: str) -> None:
        self.log.append((logging.WARNING, text))

    def _count(self, key: str) -> None:
        self.counters[key] = self.counters.get(key, 0) + 1

    def dirty(self, reason: str | None) -> None:
        """Something changed that the running plan did not expect (``reason`` None: a change
        whose cause the caller already named)."""
        self._dirty = True
        if reason is not None and reason not in self._reasons:
            self._reasons.append(reason)
        if self.plan is not None and not self.plan.local:
            self.plan.runner.abort(reason or "the CIB changed")

    # ------------------------------------------------------------------- inputs
    def membership(self, members: Sequence[str], now: float) -> None:
        ordered = tuple(n for n in self.cfg.nodes if n in set(members) | {self.me})
        left = [n for n in self.members if n not in ordered]
        joined = [n for n in ordered if n not in self.members]
        first = not self.started
        self.started = True
        self.members = ordered
        before = self.quorum.state
        state = self.quorum.update(ordered)
        for node in joined:
            self.fencing.forget(node)  # back in the cluster: its fencing failures are past
        if not first:
            if left:
                self.dirty(f"{', '.join(left)} left")
            if joined:
                self.dirty(f"{', '.join(joined)} joined")
        if state.quorate != before.quorate or first:
            self._info(f"partition {', '.join(ordered)}: {state.text()}")
            if not first:
                self.dirty("quorum " + ("gained" if state.quorate else "lost"))
        self.election.membership(ordered, now)
        self._after_election(now)
        if self.is_dc:
            self.sync.membership(ordered, state.quorate, now)
        self._local_safety(now)
        self._drain(now)

    def receive(self, msg: Delivered, now: float) -> None:
        if msg.src not in self.members and msg.src != self.me:
            self._count("dropped_not_member")
            return
        kind = msg.kind
        if kind in el.KINDS:
            self.election.receive(msg.src, kind, msg.payload, now)
            self._after_election(now)
        elif kind in SYNC_KINDS:
            self._check_dc_term(msg)
            self.sync.receive(msg, now)
        elif kind == EXEC:
            self._on_exec(msg, now)
        elif kind == EXEC_RESULT:
            self._on_exec_result(msg, now)
        elif kind == FENCE_EVENT:
            self._on_fence_event(msg)
        elif kind == FENCE_REQ:
            self._on_fence_request(msg)
        elif kind == FENCE_RESULT:
            self._on_fence_result(msg, now)
        else:
            self._count("dropped_unknown_kind")
        self._drain(now)

    def _check_dc_term(self, msg: Delivered) -> None:
        term = msg.payload.get("term")
        if isinstance(term, int) and term < self.election.term:
            self.election.stale_dc(msg.src, term)

    def stream_broken(self, src: str, now: float) -> None:
        self._warn(f"messages from {src} were lost: resynchronising")
        self.sync.stream_broken(src)
        self._drain(now)

    def submit(self, changes: Sequence[patch.Change], now: float, ref: int | None = None) -> bool:
        """Changes this node wants made (through the DC).  False without a DC; CibError when
        this node is the DC and the change is invalid; with ``ref`` the DC's answer arrives
        in ``sync.acks``."""
        try:
            ok = self.sync.submit(changes, ref)
        finally:
            self._drain(now)
        return ok

    def local_result(
        self, ref: ExecRef | None, rc: int, changes: Sequence[patch.Change], now: float
    ) -> None:
        """This node's executor finished an operation (``ref`` None: a recurring monitor
        whose result changed).  ``changes`` record it (history, fail counts)."""
        if ref is None or ref.local:
            self.sync.submit(changes)
            if ref is not None and self.plan is not None and self.plan.local:
                self.plan.runner.completed(ref.action, rc == ref.target_rc, now)
        elif ref.dc == self.me and self.is_dc:
            self._apply_result(self.me, ref, rc, changes, now)
        else:
            self.outbox.append(
                (
                    EXEC_RESULT,
                    {
                        "term": ref.term,
                        "tid": ref.tid,
                        "action": ref.action,
                        "rc": rc,
                        "changes": p.changes_value(list(changes)),
                    },
                    ref.dc,
                )
            )
        self._drain(now)

    def request_shutdown(self, now: float) -> None:
        """SIGTERM: ask the DC to move this node's resources away (Pacemaker's way: a
        ``shutdown`` transient attribute), then leave once nothing runs here."""
        if self.shutting_down:
            return
        self.shutting_down = True
        self._info("shutdown requested: moving resources away")
        stamp = str(int(self.wall()))
        if not self.sync.submit([patch.SetTransientAttr(self.me, "shutdown", stamp)]):
            self._local_stop_all(now, "shutting down without a DC", no_quorum=False)
        self._drain(now)

    def settled(self) -> bool:
        """As DC: joined, nothing planned or running, nothing changed since the last plan
        (Pacemaker's "stable state" that ``crm_resource --wait`` waits for)."""
        return (
            self.is_dc
            and self.sync.synced
            and not self.sync.joining
            and self.plan is None
            and not self._dirty
        )

    def shutdown_ready(self) -> bool:
        """Shutting down and, as DC, no transition left to run (the caller also checks that
        nothing is active or executing on this node)."""
        if not self.shutting_down:
            return False
        return not self.is_dc or (self.plan is None and not self._dirty)

    # ------------------------------------------------------------------ election
    def _after_election(self, now: float) -> None:
        for event in self.election.events:
            level = logging.WARNING if event.kind in ("deposed", "lost-dc") else logging.INFO
            self.log.append((level, f"election: {event.text}"))
        changed = bool(self.election.events)
        self.election.events.clear()
        self.outbox.extend(self.election.outbox)
        self.election.outbox.clear()
        if not changed:
            return
        self.sync.follow(self.election.dc, self.election.term)
        if not self.is_dc:
            self.fencing.abandon()
        if self.plan is not None and not self.plan.local:
            self.plan.runner.abort("the DC changed")
            if not self.is_dc:
                self.plan = None
        if self.is_dc:
            self.sync.start(self.members, self.quorum.state.quorate, now)
            self.dirty("elected DC")

    # ----------------------------------------------------------------- execution
    def _on_exec(self, msg: Delivered, now: float) -> None:
        payload = msg.payload
        try:
            term = p.integer(payload, "term")
            tid = p.integer(payload, "tid")
            action = p.text(payload, "action", limit=1024)
            rc = p.integer(payload, "target_rc")
            timeout = float(p.integer(payload, "timeout_ms")) / 1000
            request = payload.get("request")
            if not isinstance(request, dict):
                raise p.ProtocolError("field 'request' must be an object")
        except p.ProtocolError as exc:
            self._count("dropped_malformed")
            self._warn(f"dropped exec from {msg.src}: {exc}")
            return
        if term < self.election.term:
            self.election.stale_dc(msg.src, term)
            self._count("dropped_stale_exec")
            return
        if msg.src != self.dc:
            self._count("dropped_exec_not_from_dc")
            return
        ref = ExecRef(msg.src, term, tid, action, rc)
        self.to_execute.append(ExecOrder(ref, request, timeout))

    def _on_exec_result(self, msg: Delivered, now: float) -> None:
        if not self.is_dc:
            return
        payload = msg.payload
        try:
            term = p.integer(payload, "term")
            tid = p.integer(payload, "tid")
            action = p.text(payload, "action", limit=1024)
            rc = p.integer(payload, "rc", minimum=-1)
            changes = p.changes(payload)
        except p.ProtocolError as exc:
            self._count("dropped_malformed")
            self._warn(f"dropped exec_result from {msg.src}: {exc}")
            return
        ref = ExecRef(self.me, term, tid, action, -1)
        self._apply_result(msg.src, ref, rc, changes, now)

    def _apply_result(
        self, node: str, ref: ExecRef, rc: int, changes: Sequence[patch.Change], now: float
    ) -> None:
        plan = self.plan
        runner = plan.runner if plan is not None and not plan.local else None
        expected = False
        if runner is not None and runner.tid == ref.tid:
            action = runner.action(ref.action)
            if action is not None:
                expected = rc == target_rc(plan.model if plan is not None else None, action)
        if self.sync.synced:
            try:
                self.sync.apply(changes, source="expected" if expected else node)
            except Exception as exc:  # a result that does not apply must not stop the DC
                self._warn(f"result of {ref.action} on {node} does not apply: {exc}")
        if runner is not None and runner.tid == ref.tid:
            runner.completed(ref.action, expected, now, f"returned rc {rc}")

    def _dispatch(self, action: Action) -> bool:
        node = action.node
        plan = self.plan
        if plan is None or node is None:
            return False
        if action.task == "stonith":
            return self._fence(action, plan)
        if node not in self.members:
            return False
        rc = target_rc(plan.model, action)
        key = f"{plan.runner.number(action.id)}:{plan.runner.tid}:{rc}:{self._dc_uuid()}"
        if action.task in CONTROL_TASKS:
            request = control_request(action)
        else:
            try:
                request = self.build_request(plan.model, action, node, key, rc)
            except Exception as exc:
                self._warn(f"cannot build {action.id}: {exc}")
                return False
        timeout_ms = request.get("timeout_ms")
        timeout = timeout_ms / 1000 if isinstance(timeout_ms, int) else DEFAULT_TIMEOUT
        if plan.local:
            ref = ExecRef(self.me, self.election.term, plan.runner.tid, action.id, rc, local=True)
            self.to_execute.append(ExecOrder(ref, request, timeout))
            return True
        payload = {
            "term": self.election.term,
            "tid": plan.runner.tid,
            "action": action.id,
            "target_rc": rc,
            "timeout_ms": int(timeout * 1000),
            "request": request,
        }
        if node == self.me:
            ref = ExecRef(self.me, self.election.term, plan.runner.tid, action.id, rc)
            self.to_execute.append(ExecOrder(ref, request, timeout))
        else:
            self.outbox.append((EXEC, payload, node))
        return True

    def _dc_uuid(self) -> str:
        return f"{self.me}-{self.election.term}"

    def _timeout_for(self, action: Action) -> float:
        fencing = self.fencing.timeout_for(action.id) if action.task == "stonith" else None
        return (DEFAULT_TIMEOUT if fencing is None else fencing) + RESULT_MARGIN

    # ------------------------------------------------------------------- fencing
    def _fence(self, action: Action, plan: _Plan) -> bool:
        refusal = self.fencing.request(
            plan.model,
            action,
            tid=plan.runner.tid,
            term=self.election.term,
            origin=self.me,
            members=self.members,
        )
        if refusal is not None:
            self._warn(f"cannot fence: {refusal} ({action.id})")
            return False
        for member, req in self.fencing.delegated:
            self._warn(f"this node ({req.target}) must be fenced: {member} will do it")
            payload = {
                "term": self.election.term,
                "op": req.op_id,
                "target": req.target,
                "action": req.action,
                "timeout_s": req.timeout_s,
                "delay_s": req.delay_s,
            }
            self.outbox.append((FENCE_REQ, payload, member))
        if self.fencing.delegated:
            self.fencing.delegated.clear()
            return True
        req = self.fencing.orders[-1]
        delay = f" after {req.delay_s} s (priority-fencing-delay)" if req.delay_s > 0 else ""
        self._warn(f"requesting fencing ({req.action}) of node {req.target}{delay}")
        return True

    def fence_outcome(self, outcome: FenceOutcome, now: float) -> None:
        """This node's fencer finished a request (see :mod:`pycrm.daemon.fencing`)."""
        finished = self.fencing.outcome(outcome)
        if finished is not None:
            self._fence_finished(finished, now)
        self._drain(now)

    def _fence_finished(self, finished: Finished, now: float) -> None:
        self.log.append((logging.WARNING if not finished.ok else logging.INFO, finished.text))
        if finished.report_to is not None and finished.event is not None:
            payload = {"term": self.election.term, "event": finished.event.to_dict()}
            self.outbox.append((FENCE_RESULT, payload, finished.report_to))
            return
        if finished.changes and self.sync.synced:
            try:
                self.sync.apply(finished.changes, source="expected")
            except Exception as exc:  # the record must not take the DC down
                self._warn(f"cannot record a fencing ({finished.text}): {exc}")
        plan = self.plan
        if plan is not None and not plan.local and plan.runner.tid == finished.tid:
            plan.runner.completed(finished.action_id, finished.ok, now, "fencing failed")

    def _on_fence_request(self, msg: Delivered) -> None:
        """The DC must be fenced and asks this node's fencer to do it."""
        payload = msg.payload
        try:
            if msg.src != self.dc or p.integer(payload, "term") != self.election.term:
                raise p.ProtocolError("not from the current DC")
            req = FenceRequest(
                op_id=p.text(payload, "op", limit=256),
                target=p.text(payload, "target", limit=256),
                action=p.text(payload, "action", limit=16),
                timeout_s=p.integer(payload, "timeout_s", minimum=1),
                delay_s=p.integer(payload, "delay_s", minimum=-1),
                origin=msg.src,
            )
        except (p.ProtocolError, ValueError) as exc:
            self._count("dropped_malformed")
            self._warn(f"dropped fence_req from {msg.src}: {exc}")
            return
        self._warn(f"fencing {req.target} ({req.action}) for the DC {msg.src}")
        self.fencing.accept(req, msg.src)

    def _fence_event_of(self, msg: Delivered) -> FenceEvent | None:
        """The fencing event a message carries; None (counted, logged) when malformed."""
        data = msg.payload.get("event")
        try:
            if not isinstance(data, dict):
                raise ValueError("field 'event' must be an object")
            return FenceEvent.from_dict(data)
        except ValueError as exc:
            self._count("dropped_malformed")
            self._warn(f"dropped {msg.kind} from {msg.src}: {exc}")
            return None

    def _on_fence_result(self, msg: Delivered, now: float) -> None:
        event = self._fence_event_of(msg)
        if event is None:
            return
        finished = self.fencing.remote_outcome(event.op_id, event)
        if finished is not None:
            self._fence_finished(finished, now)

    def _on_fence_event(self, msg: Delivered) -> None:
        if msg.src == self.me:
            return
        event = self._fence_event_of(msg)
        if event is not None:
            self.fencing.heard(event)

    def _blocked_fencing(self, transition: Transition, model: Cib) -> str | None:
        """Pacemaker stops retrying a fencing after ``stonith-max-attempts`` failures: no
        transition that would fence that target starts (nothing moves)."""
        targets = [a.node for a in transition.actions if a.task == "stonith" and a.node]
        blocked = self.fencing.blocked(model, targets)
        if not blocked:
            return None
        for target, count in blocked:
            notice = self.fencing.give_up_text(target, count)
            if notice is not None:
                self._warn(notice)
        return ", ".join(
            f"fencing of {t} failed {n} times (stonith-max-attempts)" for t, n in blocked
        )

    # -------------------------------------------------------------------- policy
    def _plan_now(self, now: float) -> None:
        reasons, self._reasons, self._dirty = self._reasons, [], False
        model = self.live.model()
        try:
            wall = self.wall()  # one clock reading for the plan and the next recheck
            transition = schedule(model, now=datetime.fromtimestamp(wall, UTC))
        except Exception as exc:  # the scheduler must never take the DC down
            self._warn(f"scheduler failed: {exc!r}; will retry")
            self._dirty, self._reasons = True, reasons
            self._recheck_at = now + 5.0
            return
        self.last_transition = transition
        blocked = self._blocked_fencing(transition, model)
        if blocked is not None:
            self.verdicts.append(f"no action: {blocked}; nothing moves until it is fixed")
            return
        self._tid += 1
        runner = TransitionRunner(
            self._tid, transition, dispatch=self._dispatch, timeout_for=self._timeout_for
        )
        if not runner.real_actions:
            self.verdicts.append(
                "no action: "
                + describe_state(self.me, self.members, self.quorum.state, transition, reasons)
            )
            self._schedule_recheck(model, now, wall)
            return
        self.plan = _Plan(runner, model, reasons)
        self.verdicts.append(describe_transition(transition, reasons, self.quorum.state.text()))
        runner.start(now)
        self._count("transitions")

    def _schedule_recheck(self, model: Cib, now: float, wall: float) -> None:
        """Plan again when the next failure-timeout expires (a second after it: the
        scheduler counts a failure as expired once ``last-failure + timeout <= now``)."""
        expiry = next_expiry(model, wall)
        self._recheck_at = None if expiry is None else now + max(expiry - wall, 0.0) + 1.0

    def _policy(self, now: float) -> None:
        plan = self.plan
        if plan is not None and plan.runner.finished:
            runner = plan.runner
            if runner.aborted is not None:
                self._info(f"transition {runner.tid} aborted: {runner.aborted}")
                for failure in runner.failures:
                    self._warn(f"transition {runner.tid}: {failure}")
            else:
                self._info(f"transition {runner.tid} complete")
            self.plan = None
            if not plan.local:
                self.dirty("transition finished")
        if self.plan is not None:
            return
        if not self.is_dc or not self.sync.synced or self.sync.joining:
            return  # a DC plans only once every member told it what runs where
        if self._dirty or (self._recheck_at is not None and now >= self._recheck_at):
            if not self._dirty:
                self._reasons.append("recheck")
            self._recheck_at = None
            self._plan_now(now)

    # --------------------------------------------------------------- local safety
    def _local_safety(self, now: float) -> None:
        """Without quorum under no-quorum-policy=stop, stop what runs here at once."""
        if self.quorum.state.quorate or self.is_dc:
            return
        if self.no_quorum_policy() != "stop":
            return
        if self.plan is not None and self.plan.local:
            return
        self._local_stop_all(now, f"lost quorum ({self.quorum.state.text()})")

    def _local_stop_all(self, now: float, why: str, *, no_quorum: bool = True) -> None:
        model = self._local_model(no_quorum=no_quorum)
        transition = schedule(model, now=datetime.fromtimestamp(self.wall(), UTC))
        local_transition = _only_node(transition, self.me, ("stop", "demote"))
        if not local_transition.actions:
            return
        self._tid += 1
        runner = TransitionRunner(
            self._tid, local_transition, dispatch=self._dispatch, timeout_for=self._timeout_for
        )
        self.plan = _Plan(runner, model, [why], local=True)
        self.verdicts.append(f"stopping local resources: {why}")
        runner.start(now)

    def _local_model(self, *, no_quorum: bool) -> Cib:
        """The local copy as this node alone sees it: peers gone, and either no quorum or
        this node shutting down (a ``shutdown`` attribute, as the DC would see it)."""
        root = copy.deepcopy(self.live.root)
        if no_quorum:
            root.set("have-quorum", "0")
        for state in root.iterfind("status/node_state"):
            if state.get("uname") != self.me:
                for name, value in {"in_ccm": "false", "crmd": "offline", "join": "down"}.items():
                    state.set(name, value)
        if self.shutting_down:
            patch.SetTransientAttr(self.me, "shutdown", str(int(self.wall()))).apply(root)
        return from_element(root, self.live.source)

    # ------------------------------------------------------------------- timers
    def tick(self, now: float) -> None:
        self.election.tick(now)
        self._after_election(now)
        self.sync.tick(now)
        if self.plan is not None:
            self.plan.runner.tick(now)
        self._drain(now)

    def next_wakeup(self) -> float | None:
        times = [
            t
            for t in (
                self.election.next_wakeup(),
                self.sync.next_wakeup(),
                self.plan.runner.next_wakeup() if self.plan is not None else None,
                self._recheck_at,
            )
            if t is not None
        ]
        return min(times) if times else None

    # ------------------------------------------------------------------- drain
    def _collect_sync(self) -> None:
        self.outbox.extend(self.sync.outbox)
        self.sync.outbox.clear()
        for line in self.sync.log:
            self._info(line)
        self.sync.log.clear()
        for applied in self.sync.applied:
            if applied.source == "expected":
                pass  # the result the running transition waited for
            elif applied.source == "join":
                self.dirty("join complete")
            elif applied.scope == "configuration":
                self.fencing.forget()  # maybe the device was fixed: try fencing again
                self.dirty("configuration changed")
            elif self.is_dc and applied.scope == "status" and applied.source != "local":
                self.dirty(f"status changed by {applied.source}")
            elif self.is_dc:
                self.dirty(None)  # our own change: the caller named the reason
        self.applied.extend(self.sync.applied)
        self.sync.applied.clear()

    def _drain(self, now: float) -> None:
        self._collect_sync()
        self._policy(now)
        self._collect_sync()
        for event in self.fencing.announce:
            self.outbox.append((FENCE_EVENT, {"event": event.to_dict()}, None))
        self.fencing.announce.clear()


def _only_node(transition: Transition, node: str, tasks: tuple[str, ...]) -> Transition:
    keep = {a.id for a in transition.actions if a.node == node and a.task in tasks}
    actions = tuple(a for a in transition.actions if a.id in keep)
    edges = tuple(e for e in transition.edges if e.before in keep and e.after in keep)
    return Transition(
        nodes=transition.nodes,
        current=transition.current,
        target=transition.target,
        actions=actions,
        edges=edges,
        summary=transition.summary,
        have_quorum=transition.have_quorum,
    )


def describe_state(
    me: str,
    members: Sequence[str],
    quorum: QuorumState,
    transition: Transition,
    reasons: Sequence[str],
) -> str:
    running = sum(1 for r in transition.target if r.active)
    why = f" ({', '.join(reasons)})" if reasons else ""
    return f"{running} resources active, {len(members)} members, {quorum.text()}{why}"
