"""The daemon's side of the metrics: what the loop tells them, and ``/metrics`` served from it.

`NodeMetrics` is fed by `pycrm.daemon.node.CrmNode` once per loop cycle (`observe`) and for
every operation result of this node (`op_result`); it owns the counters
(`pycrm.metrics.failover`) and, when ``[metrics] port`` is set, the HTTP endpoint
(`pycrm.metrics.http`) answering from `pycrm.metrics.export`.
"""

from __future__ import annotations

import logging
import selectors
from collections.abc import Callable, Iterable, Sequence

from cib.live import LiveCib
from heartbeat_compat.membership.events import Event
from heartbeat_compat.membership.nodes import LINK_UP, NodeInfo
from pycrm.daemon.controller import Controller
from pycrm.daemon.transition import TransitionRunner
from pycrm.metrics.failover import (
    NODE,
    RESOURCE,
    DaemonCounters,
    FailureKey,
    failure_records,
    recovers,
)
from pycrm.metrics.http import MetricsServer
from pycrm.metrics.model import Ring, Scrape

ALIVE = frozenset({"up", "active"})
log = logging.getLogger(__name__)


def rings(links: Sequence[str], peers: Iterable[NodeInfo], me: str) -> tuple[Ring, ...]:
    """Heartbeat's links as rings: per link, the alive peers and those heard on it."""
    alive = [n for n in peers if n.name != me and n.status in ALIVE]
    return tuple(
        Ring(
            number,
            name,
            len(alive),
            sum(1 for n in alive if (s := n.links.get(name)) is not None and s.status == LINK_UP),
        )
        for number, name in enumerate(links)
    )


class NodeMetrics:
    def __init__(
        self,
        nodes: Iterable[str],
        port: int | None,
        scrape: Callable[[], Scrape],
        *,
        clock: Callable[[], float],
        wall: Callable[[], float],
    ) -> None:
        self.nodes = frozenset(nodes)
        self.scrape = scrape
        self.clock = clock
        self.wall = wall
        self.counters = DaemonCounters()
        self.server: MetricsServer | None = None
        if port is not None:
            from pycrm.metrics.export import Exporter

            exporter = Exporter(scrape, self.counters, clock)
            self.server = MetricsServer(port, exporter.render, clock=clock)
        self._runner: TransitionRunner | None = None
        self._version: object = None
        self._failures: frozenset[FailureKey] | None = None

    # ------------------------------------------------------------- loop
    def open(self, selector: selectors.BaseSelector) -> None:
        """Serve /metrics (when a port is set). Raises IpcError."""
        if self.server is not None:
            self.server.open(selector)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    def next_wakeup(self) -> float | None:
        return None if self.server is None else self.server.next_wakeup()

    def tick(self, now: float) -> None:
        if self.server is not None:
            self.server.tick(now)

    # ------------------------------------------------------------- events
    def observe(
        self, events: Iterable[Event], controller: Controller, live: LiveCib, now: float
    ) -> None:
        """After a loop cycle: node deaths, new failed operations in the CIB, and the
        transitions the DC runs (see `pycrm.metrics.failover`)."""
        tracker = self.counters.failovers
        for event in events:
            if event.kind == "node-dead" and event.node in self.nodes:
                tracker.detected(NODE, event.node, now)
        if live.version != self._version:
            self._version = live.version
            found = failure_records(live.root)
            if self._failures is not None:
                for node, op_id, _ in sorted(found - self._failures):
                    tracker.detected(RESOURCE, f"{op_id} on {node}", now)
            self._failures = found
        plan = controller.plan
        runner = None if plan is None or plan.local else plan.runner  # a local safety stop
        if runner is not self._runner:  # is not a recovery
            if self._runner is not None:
                done = self._runner
                ok = done.finished and done.aborted is None and not done.failures
                recovered = recovers(a.task for a in done.transition.actions)
                tracker.transition_finished(ok=ok, recovered=recovered, now=now, wall=self.wall())
            self._runner = runner
            if runner is not None:
                tracker.transition_started(now)
        if controller.is_dc:
            if runner is None and controller.settled():
                tracker.idle()
        elif controller.dc is not None:
            tracker.not_dc()

    def op_result(self, rsc: str, action: str, interval_ms: int, rc: int, target_rc: int) -> None:
        if action == "monitor" and interval_ms > 0 and rc != target_rc:
            self.counters.monitor_failed(rsc)
