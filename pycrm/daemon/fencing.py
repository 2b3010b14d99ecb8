"""The DC's side of fencing: the scheduler's ``stonith`` actions become fencer requests,
their outcomes become CIB records and a shared history (no I/O).

Pacemaker 2.1.5's controller (``controld_fencing.c``), reduced to one fencer: the DC's.

* **Request** (:meth:`FenceCoordinator.request`): a ``stonith`` action of the running
  transition asks the DC's fencer (:class:`pycrm.fencing.fencer.Fencer`, run by the node
  shell on its executor) to fence the target, with ``stonith-timeout`` and the
  ``priority-fencing-delay`` the CIB asks for that target
  (:func:`pycrm.fencing.priority.requested_delay`).  The DC never fences itself.
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

Not modelled: asking other nodes' fencers (the DC uses the devices it registers itself:
a device banned from the DC cannot be used), fencing topology (levels).
"""

from __future__ import annotations

from collections.abc import Iterable
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
    """A fencing request this DC made: which transition action waits for it."""

    request: FenceRequest
    tid: int
    action_id: str


@dataclass(frozen=True)
class Finished:
    """What the controller does with an outcome."""

    tid: int
    action_id: str
    ok: bool
    changes: list[patch.Change]  # the CIB record (empty on failure)
    text: str  # the log line


class FenceCoordinator:
    def __init__(self, me: str) -> None:
        self.me = me
        self.history = FenceHistory()
        self.orders: list[FenceRequest] = []  # for the node's fencer
        self.announce: list[FenceEvent] = []  # for every node's history
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
    def request(self, cib: Cib, action: Action, *, tid: int, term: int, origin: str) -> str | None:
        """Ask the fencer to carry out a ``stonith`` action; the refusal's text, else None."""
        target = action.node
        if target is None:
            return "fencing without a target"
        if target == self.me:
            return f"{self.me} will not fence itself"
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
        self._running[req.op_id] = Running(req, tid, action.id)
        self.orders.append(req)
        event = self.history.pending(req.op_id, target, req.action, origin, CLIENT)
        self.announce.append(event)
        return None

    def outcome(self, outcome: FenceOutcome) -> Finished | None:
        """The fencer's answer; None when it is not for a request of ours."""
        run = self._running.pop(outcome.request.op_id, None)
        if run is None:
            return None
        req = run.request
        event = outcome.event()
        self.history.record(event)
        self.announce.append(event)
        if outcome.ok:
            self.forget(req.target)
            text = f"{req.target} was fenced ({req.action}) by {outcome.device}"
            changes = fenced_changes(req.target, req.action)
        else:
            self._failures[req.target] = self._failures.get(req.target, 0) + 1
            why = outcome.agent_error or outcome.exit_reason or "no capable device"
            if outcome.device is None:
                why = "no fence device can fence it"
            text = (
                f"fencing of {req.target} ({req.action}) failed"
                f" (attempt {self._failures[req.target]}): {why}"
            )
            changes = []
        return Finished(run.tid, run.action_id, outcome.ok, changes, text)

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

    def abandon(self) -> list[FenceRequest]:
        """No longer DC: the requests in flight are forgotten (their outcomes are ignored;
        the next DC decides again)."""
        running = [r.request for r in self._running.values()]
        self._running.clear()
        return running
