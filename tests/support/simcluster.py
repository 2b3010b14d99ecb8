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
from pycrm.scheduler import Action

CALLS = itertools.count(1)


def build_request(model: Cib, action: Action, node: str, key: str, rc: int) -> dict[str, Any]:
    rsc = action.rsc.split(":", 1)[0]
    return {
        "rsc": rsc,
        "task": action.task,
        "interval_ms": action.interval_ms,
        "timeout_ms": 20000,
        "key": key,
        "rc": rc,
    }


@dataclass
class FakeNode:
    """One node's agents and its own history (what the real lrm.py keeps)."""

    name: str
    running: set[str] = field(default_factory=set)  # what really runs here
    history: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    fail: dict[tuple[str, str], int] = field(default_factory=dict)  # (rsc, task) -> rc once
    peers: list[FakeNode] = field(default_factory=list)  # every fake node (self included)
    doubled: list[tuple[str, str, list[str]]] = field(default_factory=list)  # starts elsewhere

    def run(self, order: ExecOrder) -> tuple[int, list[patch.Change]]:
        req = order.request
        rsc, task, interval = req["rsc"], req["task"], req["interval_ms"]
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
        return rc, self.record(rsc, task, interval, rc, req["key"])

    def record(self, rsc: str, task: str, interval: int, rc: int, key: str) -> list[patch.Change]:
        ops = self.history.setdefault(rsc, {})
        call = str(next(CALLS))
        op_id = f"{rsc}_monitor_{interval}" if interval else f"{rsc}_last_0"
        if task == "stop":
            for name in [n for n in ops if n.startswith(f"{rsc}_monitor_")]:
                del ops[name]
        expected = key.split(":")[2] if key.count(":") >= 3 else "0"
        ops[op_id] = {
            "id": op_id,
            "operation_key": f"{rsc}_{task}_{interval}",
            "operation": task,
            "transition-key": key,
            "transition-magic": f"0:{rc};{key}",
            "call-id": call,
            "rc-code": str(rc),
            "op-status": "0",
            "interval": str(interval),
            "on_node": self.name,
        }
        changes: list[patch.Change] = []
        if str(rc) != expected and not (task == "monitor" and interval == 0 and rc in (0, 7)):
            ops[f"{rsc}_last_failure_0"] = dict(ops[op_id], id=f"{rsc}_last_failure_0")
            name = f"fail-count-{rsc}#{task}_{interval}"
            count = int(self.attrs.get(name, "0")) + 1
            value = "INFINITY" if task == "start" else str(count)
            self.attrs[name] = value
            changes.append(patch.SetTransientAttr(self.name, name, value))
            self.attrs[f"last-failure-{rsc}#{task}_{interval}"] = "1700000000"
            changes.append(
                patch.SetTransientAttr(
                    self.name, f"last-failure-{rsc}#{task}_{interval}", "1700000000"
                )
            )
        changes.insert(0, patch.SetLrmResource(self.name, self.lrm_resource(rsc)))
        return changes

    def lrm_resource(self, rsc: str) -> str:
        ops = "".join(
            "<lrm_rsc_op " + " ".join(f'{k}="{v}"' for k, v in op.items()) + "/>"
            for op in self.history.get(rsc, {}).values()
        )
        return (
            f'<lrm_resource id="{rsc}" class="ocf" provider="heartbeat" type="Dummy">'
            f"{ops}</lrm_resource>"
        )

    def report(self) -> LocalReport:
        body = "".join(self.lrm_resource(r) for r in self.history)
        return LocalReport(f"<lrm><lrm_resources>{body}</lrm_resources></lrm>", dict(self.attrs))

    def restart(self) -> None:
        """The daemon restarts: history and attributes are gone, agents keep running."""
        self.history = {}
        self.attrs = {}


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
            wall=lambda: 1_700_000_000 + self.now,
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
        op = fake.history.get(rsc, {}).get(f"{rsc}_monitor_{interval}")
        key = op["transition-key"] if op is not None else "0:0:0:none"
        changes = fake.record(rsc, "monitor", interval, 7, key)
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
                        self.ctl[dst].receive(Delivered(src, kind, payload, dest), self.now)
                        moved = True
                orders, ctl.to_execute = ctl.to_execute, []
                for order in orders:
                    rc, changes = self.fake[src].run(order)
                    ctl.local_result(order.ref, rc, changes, self.now)
                    moved = True
                self.log.extend(ctl.verdicts)
                ctl.verdicts.clear()
                ctl.applied.clear()
            if not moved:
                return
        raise AssertionError("the cluster did not settle")

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
