"""`pycrm run`: one node's process.  The thin shell around the cores.

It is `heartbeat_compat.daemon.HeartbeatNode` (media, membership engine, one selectors loop,
verdicts, fatal vs run-time errors) plus the CRM: every cycle it hands the engine's CRM
messages to the channel and the controller, the executor's results to the local history,
the controller's outputs to the channel, the executor and the disk.  Nothing here decides
anything; the cores do (docs/daemon.md).

SIGTERM (or SIGINT) starts a shutdown the Pacemaker way: the node asks the DC to move its
resources away, and the process exits once nothing runs here.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from cib import patch
from cib.atomic import atomic_write
from cib.errors import CibError
from cib.live import LiveCib, WritePolicy
from cib.store import CibStore
from heartbeat_compat.daemon import FatalError, HeartbeatNode, NodeParts
from heartbeat_compat.ipc import CommandError, IpcError, Reply, Request
from heartbeat_compat.membership.nodes import ST_PING
from pycrm.cluster import protocol
from pycrm.cluster.channel import MSG_TYPE, Channel, ChannelError, Delivered
from pycrm.control.server import control_server
from pycrm.daemon.cibsync import Applied
from pycrm.daemon.commands import NodeCommands, heartbeat_parameters, may_change
from pycrm.daemon.config import DaemonConfig
from pycrm.daemon.config_model import RespawnEntry
from pycrm.daemon.controller import Controller, ExecOrder
from pycrm.daemon.executor import AgentPaths, Executor, OpRequest
from pycrm.daemon.executor.request import OpResult
from pycrm.daemon.fence_runner import FenceRunner
from pycrm.daemon.local import LocalNode
from pycrm.daemon.respawn import RespawnSupervisor
from pycrm.daemon.settle import MembershipGate
from pycrm.daemon.watch import LinkWatcher, PidWatcher, WatchTable
from pycrm.metrics.daemon import NodeMetrics, rings
from pycrm.metrics.model import Membership, Scrape
from pycrm.sdnotify import Notifier
from pycrm.status.payload import STATUS_COMMAND, status_payload
from pycrm.status.snapshot import DaemonSnapshot

VERSION = "pycrm-run 0.1"
SETTLED_COMMAND = "settled"
CIB_UPDATE_COMMAND = "cib_update"
IPADDR_TYPES = frozenset({"IPaddr2", "IPaddr"})
# operations after which a resource no longer runs here: its watches end when they start
LEAVING = frozenset({"stop", "migrate_to"})


@dataclass
class CrmParts:
    cfg: DaemonConfig
    live: LiveCib
    store: CibStore
    channel: Channel
    local: LocalNode
    term_path: Path
    startup: list[tuple[int, str]] = field(default_factory=list)
    notifier: Notifier = field(default_factory=lambda: Notifier({}, pid=0))  # systemd


class CrmNode(HeartbeatNode):
    def __init__(self, parts: NodeParts, crm: CrmParts, controller: Controller) -> None:
        super().__init__(parts)
        self.crm = crm
        self.cfg = crm.cfg
        self.controller = controller
        self.channel = crm.channel
        self.local = crm.local
        self.live = crm.live
        self.write_policy = WritePolicy()
        self.crm_log = logging.getLogger("pycrm.crmd")
        self.executor = Executor(
            self.selector,
            paths=agent_paths(self.cfg),
            work_dir=str(self.cfg.state_dir),
            max_parallel=self.cfg.executor.max_parallel or 4,
        )
        self.fence_runner = FenceRunner(self.cfg.local_node, self.executor)
        self.respawn = RespawnSupervisor(
            self.cfg.respawn, self.selector, logger=self.crm_log, on_failfast=self._failfast
        )
        self._ping_values: dict[str, str] = {}
        self.watch_table = WatchTable()
        self.link_watcher = LinkWatcher(self.watch_table, self._trigger_monitor)
        self.pid_watcher = PidWatcher(self.selector, self._trigger_monitor)
        self.control = control_server(self.cfg.run_dir)
        self.control.register(STATUS_COMMAND, self._status)
        self.control.register(SETTLED_COMMAND, self._settled)
        self.control.register(CIB_UPDATE_COMMAND, self._cib_update)
        self.commands = NodeCommands(self)  # node_attr, cleanup, history, cluster_settled
        self.commands.register(self.control)
        self._replies: dict[int, Reply] = {}
        self._next_ref = 0
        timing = self.engine.timing
        self.gate = MembershipGate(timing.keepalive_ms / 1000, timing.deadtime_ms / 1000)
        self._shutdown_requested = False
        self._shutdown_started = False
        self._crm_due = 0.0  # earliest CRM timer (monotonic), set by next_deadline
        self._crm_due_stale = True
        self._again = True  # the last CRM pass did something: run the next one too
        self.notifier = crm.notifier
        self.metrics = NodeMetrics(
            self.cfg.nodes, self.cfg.metrics_port, self._scrape, clock=self.clock, wall=time.time
        )

    # ------------------------------------------------------------- lifecycle
    def open(self) -> None:
        super().open()
        try:
            self.control.open(self.selector)
        except IpcError as exc:
            super().close()
            raise FatalError(str(exc)) from exc
        try:
            self.link_watcher.open(self.selector)
        except OSError as exc:
            self.crm_log.warning("netlink events unavailable (%s): links are only monitored", exc)
        self.respawn.start()
        try:
            self.metrics.open(self.selector)
        except IpcError as exc:
            self.crm_log.error("%s: /metrics is not served", exc)

    def close(self) -> None:
        self.respawn.stop()
        self.control.close()
        self.metrics.close()
        self.link_watcher.close(self.selector)
        self.pid_watcher.close()
        self.executor.close()
        self._persist(force=True)
        super().close()

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        self._shutdown_requested = True

    def run(self) -> int:
        for level, text in self.crm.startup:
            self.crm_log.log(level, "%s", text)
        self.notifier.ready(f"{self.cfg.local_node}: started, joining the cluster", self.clock())
        return super().run()

    # ------------------------------------------------------------ loop hooks
    def next_deadline(self, now: float) -> float:
        if self._crm_due_stale:
            self._crm_due_stale = False
            self._crm_due = self._crm_wakeup(now)
        if self._again:
            return now
        return min(self._crm_due, super().next_deadline(now))

    def _crm_wakeup(self, now: float) -> float:
        """The CRM's earliest timer; its timers only move when a CRM pass runs."""
        times = []
        for source in (
            self.executor.next_wakeup(),
            self.controller.next_wakeup(),
            self.channel.next_wakeup(),
            self.control.next_wakeup(),
            self.respawn.next_wakeup(),
            self.metrics.next_wakeup(),
            self.notifier.next_wakeup(),
            self.gate.next_wakeup(),
        ):
            if source is not None:
                times.append(source)
        pending = self.write_policy.next_wakeup()
        if pending is not None:
            times.append(pending - time.time() + now)
        return min(times, default=math.inf)

    def after_io(self, now: float) -> None:
        """One cycle of the CRM, after the engine took what the media brought.

        Most cycles are a peer's heartbeat that changed nothing; they skip the CRM.  It
        runs when the engine has events or CRM messages, a descriptor of ours was served
        (control socket, agent or respawned child exited, netlink, pidfd), one of its
        timers is due, a stop was requested, or the previous pass did something (then it
        runs again at once, until a pass is quiet: what one pass queues, the next takes).
        Measured on the 3-node fast-profile lab: 3 of 4 cycles skip it.
        """
        if not (
            self._again
            or self.io_ready
            or self.engine.events
            or self.engine.app_inbox
            or now >= self._crm_due
            or self._shutdown_requested
        ):
            return
        ctl = self.controller
        acted = bool(self.engine.events or self.engine.app_inbox)
        self.control.tick(now)
        self.metrics.tick(now)
        self._engine_events(now)
        self._crm_messages(now)
        if self.engine.comm_up:
            members = tuple(self.engine.members())
            if members != self.gate.current:
                silent = self.engine.silent_peers(now, self.gate.quiet)
                settled = self.gate.offer(members, silent, now)
                for line in self.gate.log:
                    self.crm_log.info("%s", line)
                self.gate.log.clear()
                if settled is not None:
                    ctl.membership(settled, now)
        self.respawn.tick(now)
        self._update_pings(now)
        self.executor.tick(now)
        for result in self.executor.drain():
            acted = True
            if not self.fence_runner.route(result, now):
                self._on_result(result, now)
        for outcome in self.fence_runner.take_outcomes():
            acted = True
            self.metrics.counters.fenced(outcome.ok)
            if outcome.agent_error:
                self.crm_log.warning("fence agent: %s", outcome.agent_error)
            ctl.fence_outcome(outcome, now)
        ctl.tick(now)
        self._shutdown_step(now)
        self._again = self._outputs(now) or acted
        self.metrics.observe(self.engine.events, ctl, self.live, now)
        self.notifier.tick(now)
        self._crm_due_stale = True

    # ------------------------------------------------------------- messages
    def _engine_events(self, now: float) -> None:
        for event in self.engine.events:
            if event.kind == "restart" and event.node:
                # a peer's daemon restarted within deadtime: it lost its history and its
                # stream of CRM messages; it rejoins
                self.channel.forget(event.node)
                self.controller.stream_broken(event.node, now)
            elif event.kind == "node-dead" and event.node:
                self.channel.forget(event.node)

    def _crm_messages(self, now: float) -> None:
        inbox, self.engine.app_inbox = self.engine.app_inbox, []
        for src, generation, fields in inbox:
            try:
                delivered, broken = self.channel.receive(src, generation, fields, now)
            except ChannelError as exc:
                self._warn_limited(f"crm:{src}", f"bad CRM message from {src}: {exc}")
                continue
            for stream in broken:
                self.controller.stream_broken(stream.src, now)
            for msg in delivered:
                self._deliver(msg, now)
        delivered, broken = self.channel.tick(now)
        for stream in broken:
            self.controller.stream_broken(stream.src, now)
        for msg in delivered:
            self._deliver(msg, now)

    def _deliver(self, msg: Delivered, now: float) -> None:
        if not self.commands.receive(msg, now):
            self.controller.receive(msg, now)

    # ------------------------------------------------------------- execution
    def _execute(self, order: ExecOrder) -> None:
        if "control" in order.request:
            changes = self._control(order.request)
            self.controller.local_result(order.ref, 0, changes, self.clock())
            return
        try:
            request = OpRequest.from_dict(order.request)
        except ValueError as exc:
            self.crm_log.error("refused an operation from %s: %s", order.ref.dc, exc)
            self.controller.local_result(order.ref, 1, [], self.clock())
            return
        if request.action in LEAVING:  # its process exiting, its address going: no news
            self.pid_watcher.forget(request.rsc_id)
            self.watch_table.forget(request.rsc_id)
        call_id = self.executor.submit(request)
        self.local.submitted(call_id, order.ref)

    def _control(self, request: dict[str, Any]) -> list[patch.Change]:
        """A DC's control action on this node: no agent runs (see CONTROL_TASKS)."""
        task = str(request.get("control"))
        rsc = self.local.history_id(str(request.get("rsc", "")))
        interval = request.get("interval_ms")
        interval_ms = interval if isinstance(interval, int) else 0
        if task == "cancel":
            operation = str(request.get("operation", "monitor"))
            self.executor.cancel(rsc, interval_ms, operation)
            return self.local.forget_op(rsc, operation, interval_ms)
        if task == "delete":
            self.executor.forget(rsc)
            self.pid_watcher.forget(rsc)
            self.watch_table.forget(rsc)
            return self.local.forget(rsc)
        if task == "clear_failcount":
            return self.local.clear_failcounts(rsc)
        self.crm_log.warning("unknown control action %s for %s: ignored", task, rsc)
        return []

    def _on_result(self, result: OpResult, now: float) -> None:
        recorded = self.local.on_result(result, time.time())
        self._watch(result)
        req = result.request
        self.metrics.op_result(req.rsc_id, req.action, req.interval_ms, result.rc, req.target_rc)
        if result.op_status == 1:  # cancelled: nothing to report
            return
        self.controller.local_result(recorded.ref, recorded.rc, recorded.changes, now)

    def _watch(self, result: OpResult) -> None:
        req = result.request
        if req.action == "stop" and result.done:
            self.pid_watcher.forget(req.rsc_id)
            self.watch_table.forget(req.rsc_id)
            return
        running = result.done and result.rc in (0, 8)
        if not running:
            return
        if result.main_pid is not None:
            self.pid_watcher.watch(req.rsc_id, result.main_pid)
        if req.agent in IPADDR_TYPES and "ip" in req.params:
            nic = req.params.get("nic") or ""
            index = None
            if nic:
                try:
                    index = _if_index(nic.split(":", 1)[0])
                except OSError:
                    index = None
            self.watch_table.watch_address(req.rsc_id, req.params["ip"], index)

    def _update_pings(self, now: float) -> None:
        """ha.cf ``ping``/``ping_group`` (TOML ``[ping]``): this node's connectivity
        attributes, 1000 per ping address that answers (ipfail's job in heartbeat)."""
        if not self.cfg.ping_sets:
            return
        answering = {n.name for n in self.engine.nodes.pings() if n.status == ST_PING}
        changes: list[patch.Change] = []
        for ping in self.cfg.ping_sets:
            value = str(1000 * sum(1 for a in ping.addresses if a in answering))
            if self._ping_values.get(ping.attribute) == value:
                continue
            self._ping_values[ping.attribute] = value
            self.crm_log.info("%s = %s (ping nodes answering)", ping.attribute, value)
            changes += self.local.set_attr(ping.attribute, value)
        if changes:
            self.controller.submit(changes, now)

    def _failfast(self, entry: RespawnEntry, why: str) -> None:
        """heartbeat rebooted the node when a failfast child died abnormally; pycrm leaves
        the cluster instead (its resources move away first)."""
        self.crm_log.critical(
            "failfast program %s %s: this node leaves the cluster", entry.command, why
        )
        self._shutdown_requested = True

    def _trigger_monitor(self, rsc: str, reason: str) -> None:
        if self.executor.run_monitor_now(rsc, reason):
            self.crm_log.info("%s: %s: monitoring now", rsc, reason)

    # -------------------------------------------------------------- outputs
    def _outputs(self, now: float) -> bool:
        """Act on what the controller queued; True if there was anything."""
        ctl = self.controller
        acted = bool(
            ctl.to_execute or ctl.outbox or ctl.applied or ctl.verdicts or ctl.fencing.orders
        )
        if ctl.fencing.orders:
            self.fence_runner.start(ctl.fencing.orders, self.live.model(), ctl.last_transition, now)
            ctl.fencing.orders.clear()
        for order in ctl.to_execute:
            self._execute(order)
        ctl.to_execute.clear()
        for kind, payload, dest in ctl.outbox:
            try:
                bodies = self.channel.send(kind, payload, dest)
            except ValueError as exc:
                self.crm_log.error("cannot send %s: %s", kind, exc)
                continue
            for body in bodies:
                self.engine.send_app(body)
        ctl.outbox.clear()
        self.commands.observe(ctl.log, ctl.verdicts)
        for level, text in ctl.log:
            self.crm_log.log(level, "%s", text)
        ctl.log.clear()
        for verdict in ctl.verdicts:
            self.crm_log.info("verdict: %s", verdict)
            self.notifier.status(verdict)
        ctl.verdicts.clear()
        self._applied(ctl.applied)
        ctl.applied.clear()
        self._acks()
        if ctl.election.term_changed:
            self._save_term(ctl.election.term)
            ctl.election.term_changed = False
        self._persist()
        return acted

    def _applied(self, applied: list[Applied]) -> None:
        for change in applied:
            if change.scope in ("configuration", "full"):
                self._persist(force=True)
            else:
                self.write_policy.changed(time.time())

    def _persist(self, *, force: bool = False) -> None:
        wall = time.time()
        if not force and not self.write_policy.due(wall):
            return
        if force or self.write_policy.dirty_since is not None:
            try:
                self.crm.store.write(self.live.to_bytes(), validate=False)
            except OSError as exc:
                self._warn_limited("cib-write", f"cannot write {self.crm.store.path}: {exc}")
                return
            self.write_policy.written(wall)

    def _save_term(self, term: int) -> None:
        try:
            atomic_write(self.crm.term_path, f"{term}\n".encode())
        except OSError as exc:
            self._warn_limited("term", f"cannot save the election term: {exc}")

    # -------------------------------------------------------------- shutdown
    def _shutdown_step(self, now: float) -> None:
        if self._shutdown_requested and not self._shutdown_started:
            self._shutdown_started = True
            self.crm_log.info("shutdown requested: moving this node's resources away")
            self.notifier.stopping("shutting down: moving this node's resources away")
            self.controller.request_shutdown(now)
        if not self._shutdown_started or not self.controller.shutdown_ready():
            return
        if self.local.active() or not self.executor.idle():
            return
        self.crm_log.info("no resources left on this node: leaving the cluster")
        self._stop = True

    # ---------------------------------------------------------------- status
    def _settled(self, request: Request) -> dict[str, Any]:
        """Whether this node is the DC of a settled cluster, and whether its own executor
        has nothing running (a harness or `--wait` asks every node)."""
        ctl = self.controller
        return {
            "node": self.cfg.local_node,
            "dc": ctl.dc,
            "settled": ctl.settled() if ctl.is_dc else None,
            "executor_idle": self.executor.idle(),
            "version": str(self.live.version),
        }

    def _cib_update(self, request: Request) -> object:
        """Apply changes (``cib.patch`` wire form) through the DC; answers once the DC did,
        with the error when it refused them (nothing applied)."""
        try:
            changes = protocol.changes(request.args)
        except protocol.ProtocolError as exc:
            raise CommandError("bad-request", str(exc)) from None
        may_change(request, self.control)  # root, or the socket's group
        ref = self.new_ref()
        try:
            accepted = self.controller.submit(changes, self.clock(), ref=ref)
        except CibError as exc:
            raise CommandError("invalid", str(exc)) from None
        if not accepted:
            raise CommandError("no-dc", "no DC is elected yet: nothing was changed")
        reply = request.defer()
        self._replies[ref] = reply
        self._acks()
        return None

    def new_ref(self) -> int:
        """A reference for a change whose acknowledgement by the DC someone awaits."""
        self._next_ref += 1
        return self._next_ref

    def _acks(self) -> None:
        acks, self.controller.sync.acks = self.controller.sync.acks, []
        for ack in acks:
            reply = self._replies.pop(ack.ref, None)
            if reply is None:
                self.commands.acked(ack)
                continue
            if ack.ok:
                reply.result({"version": str(self.live.version)})
            else:
                reply.error("invalid", ack.error or "the DC refused the change")

    def _status(self, request: Request) -> dict[str, Any]:
        return status_payload(self.live.to_bytes(), self._snapshot())

    def _snapshot(self) -> DaemonSnapshot:
        ctl = self.controller
        members = set(self.gate.current or ())
        version = self.live.version
        return DaemonSnapshot(
            cluster_name=self.cfg.cluster_name,
            stack="pycrm (heartbeat v1 wire)",
            local_node=self.cfg.local_node,
            dc=ctl.dc,
            dc_version=VERSION,
            have_quorum=ctl.quorum_state.quorate,
            last_updated=time.time(),
            membership={n: "member" if n in members else "lost" for n in self.cfg.nodes},
            cib_version=(version.admin_epoch, version.epoch, version.num_updates),
            fence_history=tuple(ctl.fencing.history.events()),
        )

    def _scrape(self) -> Scrape:
        """What /metrics reports: the live CIB, the status snapshot, quorum and links."""
        ctl = self.controller
        membership = Membership(
            local_node=self.cfg.local_node,
            quorum=ctl.quorum_state,
            members=ctl.members,
            rings=rings(self.engine.cfg.links, self.engine.nodes.normal(), self.engine.me),
        )
        return Scrape(self.live.model(), self._snapshot(), membership)

    def snapshot(self) -> dict[str, Any]:
        snap = super().snapshot()
        snap["version"] = VERSION
        snap["dc"] = self.controller.dc
        snap["quorum"] = self.controller.quorum_state.text()
        snap.update(heartbeat_parameters(self.cfg))  # for cl_status hbparameter
        return snap


def agent_paths(cfg: DaemonConfig) -> AgentPaths:
    """Where this node's agents are: the configured OCF root, init.d and ha.d."""
    defaults = AgentPaths()
    extra = {}
    debug_log = os.environ.get("PYCRM_AGENT_DEBUGLOG")
    if debug_log:
        extra = {"HA_debug": "1", "HA_DEBUGLOG": debug_log, "HA_LOGFILE": debug_log}
    return AgentPaths(
        ocf_root=str(cfg.executor.ocf_root or defaults.ocf_root),
        init_dir=str(cfg.executor.init_d),
        ha_dir=str(cfg.ha_d or defaults.ha_dir),
        extra_env=extra,
    )


def _if_index(name: str) -> int:
    return socket.if_nametoindex(name)


def read_term(path: Path) -> int:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return 0
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"{path}: cannot read the election term: {exc}") from exc
    if not text.isdigit():
        raise FatalError(f"{path}: not an election term: {text[:40]!r}")
    return int(text)


__all__ = ["MSG_TYPE", "CrmNode", "CrmParts", "read_term"]
