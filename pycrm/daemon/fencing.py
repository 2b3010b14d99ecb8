"""The DC's side of fencing: the scheduler's ``stonith`` actions become fencer requests,
their outcomes become CIB records and a shared history (no I/O).

Pacemaker 2.1.5's controller (``controld_fencing.c``), reduced to one fencer: the DC's.

* **Request** (:meth:`FenceCoordinator.request`): a ``stonith`` action of the running
  transition asks the DC's fencer (:class:`pycrm.fencing.fencer.Fencer`, run by the node
  shell on its executor) to fence the target, with ``stonith-timeout`` and the
  ``priority-fencing-delay`` the CIB asks for that target
  (:func:`pycrm.fencing.priority.requested_delay`).  When the DC itself must be fenced (a
  stop failed there, say) it delegates: another member's fencer runs the request
  (``fence_req``) and reports back (``fence_result``) -- as Pacemaker's fencer lets a peer
  fence the node that asked.  On success the DC is gone and the next DC takes over.
* **Outcome** (:meth:`FenceCoordinator.outcome`): success is recorded in the CIB as
  Pacemaker records it (:func:`pycrm.fencing.record.fenced_changes`: the node is down and
  clean, its history and attributes are gone), so the scheduler recovers its resources;
  a failure changes nothing in the CIB (the node stays UNCLEAN) and counts against the
  target.
* **Giving up**: after ``stonith-max-attempts`` (default 10) failures to fence a target
  the controller logs Pacemaker's "Too many failures (N) to fence X, giving up" and starts
  no transition that would fence it again, so nothing moves.  The count is forgotten when
  the target is fenced, when it comes back into the membership, or when the configuration
  changes (an administrator fixed the device).
* **History**: every request and outcome is an event (:class:`FenceEvent`) that the DC
  broadcasts; each node keeps the events it hears, so ``pycrm status`` anywhere shows the
  fencing history as ``crm_mon`` shows the fencer's.

Not modelled: asking other nodes' fencers which can fence a target (the DC uses the devices
it registers itself, so a device banned from the DC cannot be used unless the DC is the
target), fencing topology (levels).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cib import patch
from cib.model import Cib
from cib.nvsets import cluster_options
from pycrm.fencing.device import seconds
from pycrm.fencing.fencer import CLIENT, FenceOutcome, FenceRequest
from pycrm.fencing.history import FenceEvent, FenceHistory
from pycrm.fencing.priority import requested_delay
from pycrm.fencing.record import fenced_changes
from pycrm.scheduler import Action

FENCE_EVENT = "fence_event"
FENCE_REQ = "fence_req"
FENCE_RESULT = "fence_result"
DEFAULT_TIMEOUT_S = 60
DEFAULT_MAX_ATTEMPTS = 10


def stonith_timeout(cib: Cib) -> int:
    value = seconds(cluster_options(cib.crm_config).get("stonith-timeout"))
    return value if value > 0 else DEFAULT_TIMEOUT_S


def max_attempts(cib: Cib) -> int:
    text = cluster_options(cib.crm_config).get("stonith-max-attempts", "")
    try:
        value = int(text)
    except ValueError:
        return DEFAULT_MAX_ATTEMPTS
    return value if value > 0 else 1  # Pacemaker: a value below 1 counts as 1


@dataclass(frozen=True)
class Running:
    """A fencing request in flight: the transition action that waits for it (as DC), or
    the DC it is carried out for (as the member a DC delegated to)."""

    request: FenceRequest
    tid: int = -1
    action_id: str = ""
    delegate: str | None = None  # as DC: the member that runs it
    for_dc: str | None = None  # as member: the DC that asked


@dataclass(frozen=True)
class Finished:
    """What the controller does with an outcome."""

    tid: int
    action_id: str
    ok: bool
    changes: list[patch.Change]  # the CIB record (empty on failure)
    text: str  # the log line
    report_to: str | None = None  # a delegated request: the DC to tell
    event: FenceEvent | None = None


class FenceCoordinator:
    def __init__(self, me: str) -> None:
        self.me = me
        self.history = FenceHistory()
        self.orders: list[FenceRequest] = []  # for the node's fencer
        self.announce: list[FenceEvent] = []  # for every node's history
        self.delegated: list[tuple[str, FenceRequest]] = []  # (member, request) to send
        self._running: dict[str, Running] = {}
        self._failures: dict[str, int] = {}
        self._gave_up: set[str] = set()
        self._seq = 0

    # ------------------------------------------------------------------ queries
    def failures(self, target: str) -> int:
        return self._failures.get(target, 0)

    def blocked(self, cib: Cib, targets: Iterable[str]) -> list[tuple[str, int]]:
        """The targets this DC gave up fencing, with their failure counts."""
        limit = max_attempts(cib)
        return [(t, self._failures[t]) for t in targets if self._failures.get(t, 0) >= limit]

    def give_up_text(self, target: str, count: int) -> str | None:
        """Pacemaker's notice, once per target until its count is forgotten."""
        if target in self._gave_up:
            return None
        self._gave_up.add(target)
        return f"Too many failures ({count}) to fence {target}, giving up"

    def timeout_for(self, action_id: str) -> float | None:
        """How long the transition waits for a fencing: the requested delay, then a run per
        try within ``stonith-timeout`` (the fencer reports every outcome itself; this is a
        backstop)."""
        for run in self._running.values():
            if run.action_id == action_id:
                return run.request.delay_s + 3 * run.request.timeout_s
        return None

    # ------------------------------------------------------------------- inputs
    def request(
        self,
        cib: Cib,
        action: Action,
        *,
        tid: int,
        term: int,
        origin: str,
        members: Sequence[str] = (),
    ) -> str | None:
        """Ask the fencer to carry out a ``stonith`` action; the refusal's text, else None."""
        target = action.node
        if target is None:
            return "fencing without a target"
        fence_action = action.meta.get("stonith_action", "reboot")
        self._seq += 1
        req = FenceRequest(
            op_id=f"{term}:{tid}:{self._seq}:{target}",
            target=target,
            action=fence_action if fence_action in ("reboot", "off", "on") else "reboot",
            timeout_s=stonith_timeout(cib),
            delay_s=requested_delay(cib, target),
            origin=origin,
            client=CLIENT,
        )
        delegate = None
        if target == self.me:
            others = [m for m in members if m != self.me]
            if not others:
                return f"{self.me} must be fenced and no other node can do it"
            delegate = others[0]
        self._running[req.op_id] = Running(req, tid, action.id, delegate=delegate)
        if delegate is None:
            self.orders.append(req)
        else:
            self.delegated.append((delegate, req))
        event = self.history.pending(req.op_id, target, req.action, origin, CLIENT)
        self.announce.append(event)
        return None

    def accept(self, req: FenceRequest, dc: str) -> None:
        """As a member: the DC asks this node's fencer to carry out ``req``."""
        if req.op_id in self._running:
            return  # a repeated request
        self._running[req.op_id] = Running(req, for_dc=dc)
        self.orders.append(req)

    def remote_outcome(self, op_id: str, event: FenceEvent) -> Finished | None:
        """As DC: the member we delegated ``op_id`` to reports its end."""
        run = self._running.get(op_id)
        if run is None or run.delegate is None:
            return None
        del self._running[op_id]
        return self._finished(run, event.state == "done", event, event.device, "")

    def outcome(self, outcome: FenceOutcome) -> Finished | None:
        """The fencer's answer; None when it is not for a request of ours."""
        event = outcome.event()
        run = self._running.pop(outcome.request.op_id, None)
        if run is None:  # no longer DC: the history still tells
            self.history.record(event)
            self.announce.append(event)
            return None
        why = outcome.agent_error or outcome.exit_reason
        return self._finished(run, outcome.ok, event, outcome.device, why)

    def _finished(
        self, run: Running, ok: bool, event: FenceEvent, device: str | None, why: str
    ) -> Finished:
        req = run.request
        self.history.record(event)
        self.announce.append(event)
        if run.for_dc is not None:  # carried out for the DC: it records and decides
            text = f"fencing of {req.target} for {run.for_dc}: " + ("done" if ok else "failed")
            return Finished(-1, "", ok, [], text, report_to=run.for_dc, event=event)
        if ok:
            self.forget(req.target)
            text = f"{req.target} was fenced ({req.action}) by {device}"
            changes = fenced_changes(req.target, req.action)
        else:
            self._failures[req.target] = self._failures.get(req.target, 0) + 1
            if device is None:
                why = "no fence device can fence it"
            text = (
                f"fencing of {req.target} ({req.action}) failed"
                f" (attempt {self._failures[req.target]}): {why or 'the agent failed'}"
            )
            changes = []
        return Finished(run.tid, run.action_id, ok, changes, text, event=event)

    def heard(self, event: FenceEvent) -> None:
        """An event another node's DC announced."""
        self.history.record(event)

    def forget(self, target: str | None = None) -> None:
        """Forget the failure count of ``target`` (None: every target)."""
        if target is None:
            self._failures.clear()
            self._gave_up.clear()
        else:
            self._failures.pop(target, None)
            self._gave_up.discard(target)

    def abandon(self) -> None:
        """No longer DC: the requests this DC made are forgotten (outcomes only reach the
        history; the next DC decides again).  Requests run for another DC stay."""
        mine = [op for op, r in self._running.items() if r.for_dc is None]
        for op in mine:
            del self._running[op]
        self.delegated.clear()
