"""A simulated cluster whose nodes answer on real control sockets, for the CLI's tests.

Each node of a :class:`tests.support.simcluster.SimCluster` (real controllers, real local
histories, fake agents) gets a control socket under ``<root>/<node>``, served from one
selectors loop (tests.support.loop) the way `pycrm run` serves it: ``status``, ``settled``,
``cib_update`` as pycrm/daemon/node.py answers them, and the daemon's real
:class:`pycrm.daemon.commands.NodeCommands` (``node_attr``, ``cleanup``, ``history``,
``cluster_settled``), whose node-to-node messages travel through the simulated network.
Time is frozen (``wall`` is fixed), so that what the commands print is the same at every run.

    with sim_daemons(tmp_path, cib_xml, ("node1", "node2", "node3")) as lab:
        CliRunner().invoke(main, ["resource", "move", "web", "node2", "--run-dir",
                                  str(lab.run_dir("node1"))])
        lab.do(lambda: lab.sim.service_died("node2", "www"))   # in the loop thread
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from heartbeat_compat.ipc import CommandError, JsonLineServer, Reply, Request
from heartbeat_compat.membership.statusd import SOCKET_NAME, status_server
from pycrm.cluster import protocol
from pycrm.cluster.channel import Delivered
from pycrm.control.server import control_server
from pycrm.daemon.commands import NodeCommands
from pycrm.daemon.controller import Controller
from pycrm.daemon.local import LocalNode
from pycrm.status.payload import STATUS_COMMAND, status_payload
from pycrm.status.snapshot import DaemonSnapshot
from tests.support.loop import serving
from tests.support.simcluster import SimCluster

WALL = 1_700_000_000.0
VERSION = "pycrm-run 0.1"
T = TypeVar("T")


class _Host:
    """What NodeCommands needs of one simulated node (its controller may be replaced)."""

    def __init__(self, daemons: SimDaemons, node: str) -> None:
        self.daemons = daemons
        self.node = node

    @property
    def controller(self) -> Controller:
        return self.daemons.sim.ctl[self.node]

    @property
    def local(self) -> LocalNode:
        return self.daemons.sim.fake[self.node].local

    def clock(self) -> float:
        return self.daemons.sim.now

    def new_ref(self) -> int:
        return self.daemons.new_ref()


class HookedSim(SimCluster):
    """SimCluster whose message delivery and outputs go through the daemons' hooks, as
    pycrm/daemon/node.py routes them."""

    daemons: SimDaemons | None = None

    def deliver(self, dst: str, msg: Delivered) -> None:
        if self.daemons is None or not self.daemons.commands[dst].receive(msg, self.now):
            super().deliver(dst, msg)

    def drain_outputs(self, src: str) -> bool:
        ctl = self.ctl[src]
        acked = False
        if self.daemons is not None:
            self.daemons.commands[src].observe(ctl.log, ctl.verdicts)
            acked = self.daemons.acks(src)
        ctl.log.clear()
        return super().drain_outputs(src) or acked


class SimDaemons:
    def __init__(self, root: Path, cib_xml: bytes, nodes: tuple[str, ...]) -> None:
        self.root = root
        self.sim = HookedSim(cib_xml, nodes)
        for fake in self.sim.fake.values():
            fake.wall = WALL
        self.commands: dict[str, NodeCommands] = {}
        self.servers: dict[str, JsonLineServer] = {}
        self.statusd: dict[str, JsonLineServer] = {}
        self.replies: dict[int, Reply] = {}
        self._ref = 0
        self.clock = lambda: self.sim.now  # the Served protocol (deadlines)
        self.lock = threading.Lock()
        for node in nodes:
            self.commands[node] = NodeCommands(_Host(self, node), wall=lambda: WALL)
            server = control_server(root / node, clock=time.monotonic)
            self._register(server, node)
            self.commands[node].register(server)
            self.servers[node] = server
            self.statusd[node] = status_server(
                root / node / SOCKET_NAME, self._membership(node), time.monotonic
            )
        self.sim.daemons = self
        self.sim.membership()

    def run_dir(self, node: str) -> Path:
        return self.root / node

    def new_ref(self) -> int:
        self._ref += 1
        return self._ref

    # ------------------------------------------------------------ the loop protocol
    def open(self, selector: Any) -> None:
        for server in [*self.servers.values(), *self.statusd.values()]:
            server.open(selector)

    def close(self) -> None:
        for server in [*self.servers.values(), *self.statusd.values()]:
            server.close()

    def next_wakeup(self) -> float | None:
        return None

    def tick(self, now: float) -> None:
        wall = time.monotonic()
        with self.lock:
            for server in [*self.servers.values(), *self.statusd.values()]:
                server.tick(wall)
            self.sim.settle()

    def do(self, action: Callable[[], T]) -> T:
        """Run ``action`` on the simulated cluster, between two loop cycles."""
        with self.lock:
            result = action()
            self.sim.settle()
            return result

    # ------------------------------------------------------------ what node.py serves
    def acks(self, node: str) -> bool:
        ctl = self.sim.ctl[node]
        acks, ctl.sync.acks = ctl.sync.acks, []
        for ack in acks:
            reply = self.replies.pop(ack.ref, None)
            if reply is None:
                self.commands[node].acked(ack)
            elif ack.ok:
                reply.result({"version": str(ctl.live.version)})
            else:
                reply.error("invalid", ack.error or "the DC refused the change")
        return bool(acks)

    def _membership(self, node: str) -> Callable[[], dict[str, Any]]:
        """What heartbeat's status socket (cl_status) answers for ``node``."""

        def snapshot() -> dict[str, Any]:
            members = self.sim.group_of(node)
            return {
                "running": True,
                "nodes": [
                    {
                        "name": n,
                        "type": "normal",
                        "status": "active" if n in members else "dead",
                        "links": {"eth0": "up" if n in members else "dead"},
                    }
                    for n in self.sim.nodes
                ],
                "parameters": {"keepalive": "1", "deadtime": "10", "udpport": "694"},
            }

        return snapshot

    def snapshot(self, node: str) -> DaemonSnapshot:
        ctl = self.sim.ctl[node]
        members = set(self.sim.group_of(node))
        version = ctl.live.version
        return DaemonSnapshot(
            cluster_name="lab",
            stack="pycrm (heartbeat v1 wire)",
            local_node=node,
            dc=ctl.dc,
            dc_version=VERSION,
            have_quorum=ctl.quorum_state.quorate,
            last_updated=WALL,
            membership={n: "member" if n in members else "lost" for n in self.sim.nodes},
            cib_version=(version.admin_epoch, version.epoch, version.num_updates),
        )

    def _register(self, server: JsonLineServer, node: str) -> None:
        def status(request: Request) -> object:
            return status_payload(self.sim.ctl[node].live.to_bytes(), self.snapshot(node))

        def settled(request: Request) -> object:
            ctl = self.sim.ctl[node]
            return {
                "node": node,
                "dc": ctl.dc,
                "settled": ctl.settled() if ctl.is_dc else None,
                "executor_idle": True,
                "version": str(ctl.live.version),
            }

        def cib_update(request: Request) -> object:
            from cib.errors import CibError

            try:
                changes = protocol.changes(request.args)
            except protocol.ProtocolError as exc:
                raise CommandError("bad-request", str(exc)) from None
            ref = self.new_ref()
            try:
                accepted = self.sim.ctl[node].submit(changes, self.sim.now, ref=ref)
            except CibError as exc:
                raise CommandError("invalid", str(exc)) from None
            if not accepted:
                raise CommandError("no-dc", "no DC is elected yet: nothing was changed")
            self.replies[ref] = request.defer()
            return None

        server.register(STATUS_COMMAND, status)
        server.register("settled", settled)
        server.register("cib_update", cib_update)


@contextmanager
def sim_daemons(root: Path, cib_xml: bytes, nodes: tuple[str, ...]) -> Iterator[SimDaemons]:
    daemons = SimDaemons(root, cib_xml, nodes)
    with serving(daemons):
        yield daemons
