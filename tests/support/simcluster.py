"""A whole pycrm cluster without I/O: controllers, a message network and fake agents.

Each node runs the real :class:`pycrm.daemon.controller.Controller` (election, CIB sync,
scheduler, transition runner).  The network delivers CRM messages between nodes in the same
partition, in order.  Agents are a dictionary of what "really" runs on each node, so that a
test can check safety (never two holders of a resource) after every step, as CTS audits do.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cib import patch
from cib.live import LiveCib
from cib.model import Cib
from pycrm.cluster.channel import Delivered
from pycrm.daemon.cibsync import LocalReport
from pycrm.daemon.controller import Controller, ControllerConfig, ExecOrder
from pycrm.daemon.executor import OpRequest, OpResult
from pycrm.daemon.executor import build_request as real_build_request
from pycrm.daemon.executor.codes import EXEC_DONE, EXEC_NO_FENCE_DEVICE
from pycrm.daemon.local import LocalNode
from pycrm.fencing.fencer import FenceOutcome, FenceRequest
from pycrm.scheduler import Action

CALLS = itertools.count(1)


def build_request(model: Cib, action: Action, node: str, key: str, rc: int) -> dict[str, Any]:
    """The daemon's own request builder (digests, timeouts and parameters as it sends them)."""
    return real_build_request(model, action, node, transition_key=key, target_rc=rc).to_dict()


@dataclass
class FakeNode:
    """One node's agents (a dictionary of what really runs) and its real local history."""

    name: str
    running: set[str] = field(default_factory=set)  # what really runs here
    fail: dict[tuple[str, str], int] = field(default_factory=dict)  # (rsc, task) -> rc once
    peers: list[FakeNode] = field(default_factory=list)  # every fake node (self included)
    doubled: list[tuple[str, str, list[str]]] = field(default_factory=list)  # starts elsewhere
    local: LocalNode = field(init=False)
    wall: float = 1_700_000_000.0

    def __post_init__(self) -> None:
        self.local = LocalNode(self.name, self.name[-1])

    def run(self, order: ExecOrder) -> tuple[int, list[patch.Change]]:
        if "control" in order.request:
            return 0, self.control(order.request)
        req = OpRequest.from_dict(order.request)
        rsc, task = req.rsc_id, req.action
        rc = self.fail.pop((rsc, task), None)
        if rc is None:
            if task == "start":
                others = [n.name for n in self.peers if n is not self and rsc in n.running]
                if others and rsc not in self.running:
                    self.doubled.append((rsc, self.name, others))
                self.running.add(rsc)
                rc = 0
            elif task == "stop":
                self.running.discard(rsc)
                rc = 0
            elif task == "monitor":
                rc = 0 if rsc in self.running else 7
            else:
                rc = 0
        elif task == "start":
            self.running.add(rsc)  # a failed start may leave something behind
        call_id = next(CALLS)
        self.local.submitted(call_id, order.ref)
        return rc, self.record(req, rc, call_id)

    def record(self, req: OpRequest, rc: int, call_id: int, first: bool = True) -> list[Any]:
        result = OpResult(
            request=req,
            call_id=call_id,
            rc=rc,
            op_status=EXEC_DONE,
            run_at=self.wall,
            rc_changed_at=self.wall,
            first_report=first,
        )
        return self.local.on_result(result, self.wall).changes

    def control(self, request: dict[str, Any]) -> list[patch.Change]:
        rsc = self.local.history_id(str(request["rsc"]))
        if request["control"] == "cancel":
            return self.local.forget_op(rsc, str(request["operation"]), int(request["interval_ms"]))
        if request["control"] == "delete":
            return self.local.forget(rsc)
        return self.local.clear_failcounts(rsc)

    def report(self) -> LocalReport:
        return self.local.report()

    def restart(self) -> None:
        """The daemon restarts: history and attributes are gone, agents keep running."""
        self.local = LocalNode(self.name, self.name[-1])


class SimCluster:
    def __init__(self, cib_xml: bytes, nodes: Iterable[str], *, two_node: bool = False) -> None:
        self.nodes = tuple(nodes)
        self.cib_xml = cib_xml
        self.two_node = two_node
        self.now = 0.0
        self.fake = {n: FakeNode(n) for n in self.nodes}
        for fake in self.fake.values():
            fake.peers = list(self.fake.values())
        self.ctl: dict[str, Controller] = {}
        self.up: set[str] = set()
        self.groups: list[set[str]] = [set(self.nodes)]
        self.log: list[str] = []
        self.fence_ok = True  # whether a fencing request succeeds
        self.fenced: list[str] = []  # targets fenced, in order
        for n in self.nodes:
            self.start(n)

    # ------------------------------------------------------------------ topology
    def start(self, node: str, cib_xml: bytes | None = None) -> None:
        cfg = ControllerConfig(
            me=node,
            nodes=self.nodes,
            two_node=self.two_node,
            wait_for_all=self.two_node,
            election_timeout=1.0,
            join_timeout=1.0,
        )
        fake = self.fake[node]
        old = self.ctl.get(node)
        term = old.election.term if old is not None else 0
        self.ctl[node] = Controller(
            cfg,
            LiveCib.from_bytes(cib_xml or self.cib_xml),
            report=fake.report,
            build_request=build_request,
            wall=lambda: fake.wall + self.now,
            term=term,
        )
        self.up.add(node)

    def group_of(self, node: str) -> set[str]:
        for group in self.groups:
            if node in group:
                return group & self.up
        return {node} & self.up

    def membership(self) -> None:
        for node in sorted(self.up):
            self.ctl[node].membership(sorted(self.group_of(node)), self.now)
        self.settle()

    def crash(self, node: str) -> None:
        """Daemon and node gone (the node's agents stop with it)."""
        self.up.discard(node)
        self.fake[node].running.clear()
        self.fake[node].restart()
        self.membership()

    def kill_daemon(self, node: str) -> None:
        """Only the daemon dies: what it started keeps running."""
        self.up.discard(node)
        self.fake[node].restart()
        self.membership()

    def restart(self, node: str) -> None:
        self.start(node)
        self.membership()

    def service_died(self, node: str, rsc: str, interval: int = 10000) -> None:
        """The service dies under a running recurring monitor, which reports rc 7."""
        fake = self.fake[node]
        fake.running.discard(rsc)
        model = self.ctl[node].live.model()
        action = Action(f"{rsc}_monitor_{interval}@{node}", rsc, "monitor", node, interval)
        req = real_build_request(model, action, node, transition_key="9:9:0:sim", target_rc=0)
        changes = fake.record(req, 7, next(CALLS), first=False)
        self.ctl[node].local_result(None, 7, changes, self.now)
        self.settle()

    def partition(self, *groups: set[str]) -> None:
        self.groups = [set(g) for g in groups]
        self.membership()

    # ------------------------------------------------------------------ running
    def settle(self, rounds: int = 400) -> None:
        """Deliver messages and run operations until nothing moves (time frozen)."""
        for _ in range(rounds):
            moved = False
            for src in sorted(self.up):
                ctl = self.ctl[src]
                out, ctl.outbox = ctl.outbox, []
                for kind, payload, dest in out:
                    for dst in sorted(self.group_of(src)):
                        if dst == src or (dest is not None and dest != dst):
                            continue
                        self.deliver(dst, Delivered(src, kind, payload, dest))
                        moved = True
                orders, ctl.to_execute = ctl.to_execute, []
                for order in orders:
                    rc, changes = self.fake[src].run(order)
                    ctl.local_result(order.ref, rc, changes, self.now)
                    moved = True
                fencing, ctl.fencing.orders = ctl.fencing.orders, []
                for req in fencing:
                    ctl.fence_outcome(self._fence(src, req), self.now)
                    moved = True
                moved = self.drain_outputs(src) or moved
            if not moved:
                return
        raise AssertionError("the cluster did not settle")

    def deliver(self, dst: str, msg: Delivered) -> None:
        """A CRM message reaches node ``dst`` (a subclass may route some elsewhere)."""
        self.ctl[dst].receive(msg, self.now)

    def drain_outputs(self, src: str) -> bool:
        """What a node's shell does with the controller's other outputs after a cycle;
        True if that made something happen."""
        ctl = self.ctl[src]
        self.log.extend(ctl.verdicts)
        ctl.verdicts.clear()
        ctl.applied.clear()
        return False

    def _fence(self, executioner: str, req: FenceRequest) -> FenceOutcome:
        """A power switch: the target's daemon and everything it ran are gone."""
        wall = self.fake[executioner].wall + self.now
        if not self.fence_ok:
            return FenceOutcome(
                req, False, executioner, None, 1, EXEC_NO_FENCE_DEVICE, "", wall, wall
            )
        self.fenced.append(req.target)
        if req.action != "on":
            self.up.discard(req.target)
            self.fake[req.target].running.clear()
            self.fake[req.target].restart()
        return FenceOutcome(req, True, executioner, "fence-sim", 0, EXEC_DONE, "", wall, wall)

    def advance(self, seconds: float, step: float = 0.25) -> None:
        end = self.now + seconds
        while self.now < end:
            self.now += step
            for node in sorted(self.up):
                self.ctl[node].tick(self.now)
            self.settle()

    # ------------------------------------------------------------------ queries
    def doubled(self) -> list[tuple[str, str, list[str]]]:
        """Every start of a resource that was already running on another node."""
        return [d for fake in self.fake.values() for d in fake.doubled]

    def holders(self, rsc: str) -> set[str]:
        return {n for n in self.nodes if rsc in self.fake[n].running}

    def dcs(self) -> set[str]:
        return {n for n in self.up if self.ctl[n].is_dc}

    def versions(self, nodes: Iterable[str] | None = None) -> set[tuple[int, int, int]]:
        names = nodes if nodes is not None else self.up
        out = set()
        for n in names:
            v = self.ctl[n].live.version
            out.add((v.admin_epoch, v.epoch, v.num_updates))
        return out

    def digests(self, nodes: Iterable[str] | None = None) -> set[str]:
        names = nodes if nodes is not None else self.up
        return {self.ctl[n].live.digest() for n in names}
