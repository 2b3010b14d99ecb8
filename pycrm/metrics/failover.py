"""pycrm's own counters: failovers and how long the last one took, fencing, monitor failures
(pure, on the loop's clock).

A **failover** is an unplanned recovery.  It starts when this node *detects* a failure -- its
membership declares a cluster node dead, or the CIB gains a failed operation (a resource
failure found by any node's monitor, start or stop) -- and ends when the first transition
that started after that detection **completes** (nothing aborted, nothing failed) having
started or promoted something.  Its duration is the time between the two on this node's
monotonic clock.  Detections that lead to nothing to recover (a node that ran nothing died,
a failure whose resource is ignored) are dropped when the DC is idle again, uncounted.

Only the DC runs transitions, so only the DC counts failovers; a node that is not the DC
drops its detections as long as another node is DC.  When the DC itself dies, the survivors
keep the detection of its death through the election, and the new DC counts the recovery
from that moment.  Summed over the nodes (``sum(pycrm_failovers_total)``), every failover is
counted once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

NODE = "node"  # a cluster node was declared dead
RESOURCE = "resource"  # an operation failed
CAUSES = (NODE, RESOURCE)
FENCE_RESULTS = ("success", "failure")
RECOVERY_TASKS = frozenset({"start", "promote", "migrate_from"})

FailureKey = tuple[str, str, str]  # node, operation record id, call id


@dataclass(frozen=True)
class Detection:
    cause: str
    what: str  # the node, or "rsc on node"
    at: float  # monotonic seconds


@dataclass(frozen=True)
class Failover:
    cause: str  # of the first detection it recovered from
    what: tuple[str, ...]
    detected: float  # monotonic seconds
    recovered: float
    recovered_wall: float  # epoch seconds

    @property
    def duration(self) -> float:
        return self.recovered - self.detected


@dataclass
class FailoverTracker:
    """Detections in, transitions observed, failovers out (see the module docstring)."""

    pending: list[Detection] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CAUSES, 0))
    last: Failover | None = None
    _started: float | None = None  # when the running transition was first seen

    def detected(self, cause: str, what: str, now: float) -> None:
        self.pending.append(Detection(cause, what, now))

    def transition_started(self, now: float) -> None:
        self._started = now

    def transition_finished(self, *, ok: bool, recovered: bool, now: float, wall: float) -> None:
        """The transition seen last ended (``ok``: completed; ``recovered``: it started or
        promoted something)."""
        started, self._started = self._started, None
        if not ok or not recovered or started is None:
            return
        covered = [d for d in self.pending if d.at <= started]
        if not covered:
            return
        self.pending = [d for d in self.pending if d.at > started]
        first = min(covered, key=lambda d: d.at)
        failover = Failover(
            first.cause, tuple(dict.fromkeys(d.what for d in covered)), first.at, now, wall
        )
        self.counts[first.cause] = self.counts.get(first.cause, 0) + 1
        self.last = failover

    def idle(self) -> None:
        """As DC, settled with nothing to do: what was detected needed no recovery."""
        self.pending.clear()

    def not_dc(self) -> None:
        """Another node is DC: it counts the recoveries."""
        self.pending.clear()
        self._started = None


@dataclass
class DaemonCounters:
    """Everything pycrm counts for /metrics beyond the CIB."""

    failovers: FailoverTracker = field(default_factory=FailoverTracker)
    fences: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FENCE_RESULTS, 0))
    monitor_failures: dict[str, int] = field(default_factory=dict)

    def fenced(self, ok: bool) -> None:
        """The hook for the fencer: one fencing action of this node ended."""
        key = FENCE_RESULTS[0] if ok else FENCE_RESULTS[1]
        self.fences[key] += 1

    def monitor_failed(self, rsc: str) -> None:
        self.monitor_failures[rsc] = self.monitor_failures.get(rsc, 0) + 1


def failure_records(root: etree._Element) -> frozenset[FailureKey]:
    """The failed operations a CIB's status section records (``*_last_failure_0``): a key
    that was not there before is a failure detected since."""
    out = set()
    for state in root.iterfind("status/node_state"):
        node = state.get("uname") or state.get("id") or ""
        for op in state.iterfind("lrm/lrm_resources/lrm_resource/lrm_rsc_op"):
            op_id = op.get("id", "")
            if "_last_failure_" in op_id:
                out.add((node, op_id, op.get("call-id", "")))
    return frozenset(out)


def recovers(tasks: Iterable[str]) -> bool:
    """Whether a transition with these tasks brings something (back) up."""
    return any(task in RECOVERY_TASKS for task in tasks)
