"""Everything a status shows, gathered once from a CIB and a `DaemonSnapshot` (pure).

The three renderers (text, XML, JSON) only format a `ClusterStatus`; every decision about
what the cluster looks like is taken here, the way Pacemaker 2.1.5's crm_mon takes it:

* resources: the scheduler's own unpacking -- ``schedule(cib).current`` for the state of
  every primitive and clone instance, arranged by `pycrm.simulate.view.build_tree` -- and its
  working set (`build_world` + `unpack_status` + `build_locations`) for cluster options,
  migration thresholds and the placement constraints behind the bans. What `pycrm status`
  shows is therefore what the daemon decides on.
* nodes: online / pending / unclean / standby / maintenance / shutdown from each node's
  ``node_state`` and attributes, with Pacemaker's rules (with and without fencing);
  ``standby (on-fail)`` and ``UNCLEAN (online)`` from the failures the scheduler unpacked.
* failures: every failed operation (`cib.history.judge`) on an online node, the first one
  per operation key, in call order -- ignored failures included, probe results that only say
  "not installed" / "invalid parameter" left out -- as crm_mon's "Failed Resource Actions".
* fail counts and operation history per online node (crm_mon's node_history / "Migration
  Summary"), with the scheduler's fail-count arithmetic (`cib.history.fail_count`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

from cib._record import FrozenRecord, setattr_
from cib.history import EXEC_CANCELLED, EXEC_PENDING, fail_count, judge
from cib.model import Cib, LrmResource, NodeStatus, OpRecord, Primitive
from cib.nodeattrs import node_attributes
from cib.nvsets import resolve
from cib.scores import SCORE_INF, parse_score
from cib.timespec import parse_timeout_ms
from pycrm.scheduler import NodeInfo, ResourceState, schedule
from pycrm.scheduler.build import build_world
from pycrm.scheduler.constraints import build_locations
from pycrm.scheduler.state import World, WRsc
from pycrm.scheduler.unpack import unpack_status
from pycrm.simulate.view import (
    GroupItem,
    Item,
    PrimitiveItem,
    build_tree,
    iter_states,
    node_sort_key,
    running_count,
)
from pycrm.status.snapshot import DaemonSnapshot, LastChange
from pycrm.status.words import rc_text

_TRUE = frozenset({"true", "on", "yes", "y", "1"})
OLD_FEATURE_SET = "<3.15.1"  # what crm_mon shows for a node without #feature-set
# node attributes crm_mon never lists (prefixes)
_HIDDEN_ATTRS = ("fail-count-", "last-failure-", "shutdown", "terminate", "standby", "#")
_ROLE_PROMOTED = 4  # cib.history.ROLE_PROMOTED


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE


# --------------------------------------------------------------------------- records
class NodeRow(FrozenRecord):
    name: str
    id: str
    online: bool
    standby: bool
    standby_onfail: bool
    maintenance: bool
    pending: bool
    unclean: bool
    health: str  # green | yellow | red
    feature_set: str | None  # None unless the node is online and expected up
    shutdown: bool
    expected_up: bool
    is_dc: bool
    resources_running: int
    membership: str | None  # the daemon's membership view (None: unknown / from a file)

    __slots__ = (
        "expected_up",
        "feature_set",
        "health",
        "id",
        "is_dc",
        "maintenance",
        "membership",
        "name",
        "online",
        "pending",
        "resources_running",
        "shutdown",
        "standby",
        "standby_onfail",
        "unclean",
    )
    __match_args__ = (
        "name",
        "id",
        "online",
        "standby",
        "standby_onfail",
        "maintenance",
        "pending",
        "unclean",
        "health",
        "feature_set",
        "shutdown",
        "expected_up",
        "is_dc",
        "resources_running",
        "membership",
    )

    def __init__(
        self,
        name: str,
        id: str,
        online: bool,
        standby: bool,
        standby_onfail: bool,
        maintenance: bool,
        pending: bool,
        unclean: bool,
        health: str,
        feature_set: str | None,
        shutdown: bool,
        expected_up: bool,
        is_dc: bool,
        resources_running: int,
        membership: str | None,
    ) -> None:
        setattr_(self, "name", name)
        setattr_(self, "id", id)
        setattr_(self, "online", online)
        setattr_(self, "standby", standby)
        setattr_(self, "standby_onfail", standby_onfail)
        setattr_(self, "maintenance", maintenance)
        setattr_(self, "pending", pending)
        setattr_(self, "unclean", unclean)
        setattr_(self, "health", health)
        setattr_(self, "feature_set", feature_set)
        setattr_(self, "shutdown", shutdown)
        setattr_(self, "expected_up", expected_up)
        setattr_(self, "is_dc", is_dc)
        setattr_(self, "resources_running", resources_running)
        setattr_(self, "membership", membership)

    @property
    def text_state(self) -> str:
        """crm_mon's word for the node in "Node List"."""
        if self.unclean:
            if self.online:
                return "UNCLEAN (online)"
            return "UNCLEAN (pending)" if self.pending else "UNCLEAN (offline)"
        if self.pending:
            return "pending"
        if self.standby_onfail and self.online:
            return "standby (on-fail)"
        if self.standby:
            if not self.online:
                return "OFFLINE (standby)"
            return "standby (with active resources)" if self.resources_running else "standby"
        if self.maintenance:
            return "maintenance" if self.online else "OFFLINE (maintenance)"
        return "online" if self.online else "OFFLINE"

    @property
    def listed_alone(self) -> bool:
        """Shown on its own line rather than in the Online/OFFLINE lists."""
        return (
            self.unclean
            or self.pending
            or (self.standby_onfail and self.online)
            or self.standby
            or self.maintenance
            or self.health != "green"
        )


class OpRow(FrozenRecord):
    """One entry of a resource's operation history (probes as ``probe``)."""

    call: int
    task: str
    interval_ms: int
    rc: int
    last_rc_change: int | None
    exec_time: int | None
    queue_time: int | None

    __slots__ = (
        "call",
        "exec_time",
        "interval_ms",
        "last_rc_change",
        "queue_time",
        "rc",
        "task",
    )
    __match_args__ = (
        "call",
        "task",
        "interval_ms",
        "rc",
        "last_rc_change",
        "exec_time",
        "queue_time",
    )

    def __init__(
        self,
        call: int,
        task: str,
        interval_ms: int,
        rc: int,
        last_rc_change: int | None,
        exec_time: int | None,
        queue_time: int | None,
    ) -> None:
        setattr_(self, "call", call)
        setattr_(self, "task", task)
        setattr_(self, "interval_ms", interval_ms)
        setattr_(self, "rc", rc)
        setattr_(self, "last_rc_change", last_rc_change)
        setattr_(self, "exec_time", exec_time)
        setattr_(self, "queue_time", queue_time)


class ResourceHistory(FrozenRecord):
    id: str
    migration_threshold: int
    fail_count: int
    last_failure: int | None  # epoch seconds
    ops: tuple[OpRow, ...]

    __slots__ = (
        "fail_count",
        "id",
        "last_failure",
        "migration_threshold",
        "ops",
    )
    __match_args__ = (
        "id",
        "migration_threshold",
        "fail_count",
        "last_failure",
        "ops",
    )

    def __init__(
        self,
        id: str,
        migration_threshold: int,
        fail_count: int,
        last_failure: int | None,
        ops: tuple[OpRow, ...],
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "migration_threshold", migration_threshold)
        setattr_(self, "fail_count", fail_count)
        setattr_(self, "last_failure", last_failure)
        setattr_(self, "ops", ops)


class NodeHistory(FrozenRecord):
    node: str
    resources: tuple[ResourceHistory, ...]

    __slots__ = (
        "node",
        "resources",
    )
    __match_args__ = (
        "node",
        "resources",
    )

    def __init__(
        self,
        node: str,
        resources: tuple[ResourceHistory, ...],
    ) -> None:
        setattr_(self, "node", node)
        setattr_(self, "resources", resources)


class Failure(FrozenRecord):
    op_key: str
    key_is_id: bool  # no operation_key in the record: crm_mon labels it by its id
    node: str
    rsc: str
    task: str
    interval_ms: int
    rc: int
    exit_reason: str
    call: int
    exec_status: int
    last_rc_change: int | None
    queue_time: int | None
    exec_time: int | None
    masked: bool  # a probe that only found the agent unusable: not listed

    __slots__ = (
        "call",
        "exec_status",
        "exec_time",
        "exit_reason",
        "interval_ms",
        "key_is_id",
        "last_rc_change",
        "masked",
        "node",
        "op_key",
        "queue_time",
        "rc",
        "rsc",
        "task",
    )
    __match_args__ = (
        "op_key",
        "key_is_id",
        "node",
        "rsc",
        "task",
        "interval_ms",
        "rc",
        "exit_reason",
        "call",
        "exec_status",
        "last_rc_change",
        "queue_time",
        "exec_time",
        "masked",
    )

    def __init__(
        self,
        op_key: str,
        key_is_id: bool,
        node: str,
        rsc: str,
        task: str,
        interval_ms: int,
        rc: int,
        exit_reason: str,
        call: int,
        exec_status: int,
        last_rc_change: int | None,
        queue_time: int | None,
        exec_time: int | None,
        masked: bool = False,
    ) -> None:
        setattr_(self, "op_key", op_key)
        setattr_(self, "key_is_id", key_is_id)
        setattr_(self, "node", node)
        setattr_(self, "rsc", rsc)
        setattr_(self, "task", task)
        setattr_(self, "interval_ms", interval_ms)
        setattr_(self, "rc", rc)
        setattr_(self, "exit_reason", exit_reason)
        setattr_(self, "call", call)
        setattr_(self, "exec_status", exec_status)
        setattr_(self, "last_rc_change", last_rc_change)
        setattr_(self, "queue_time", queue_time)
        setattr_(self, "exec_time", exec_time)
        setattr_(self, "masked", masked)


class Attribute(FrozenRecord):
    name: str
    value: str
    expected: int | None  # a ping attribute: the value full connectivity gives

    __slots__ = (
        "expected",
        "name",
        "value",
    )
    __match_args__ = (
        "name",
        "value",
        "expected",
    )

    def __init__(
        self,
        name: str,
        value: str,
        expected: int | None = None,
    ) -> None:
        setattr_(self, "name", name)
        setattr_(self, "value", value)
        setattr_(self, "expected", expected)


class NodeAttributes(FrozenRecord):
    node: str
    attributes: tuple[Attribute, ...]

    __slots__ = (
        "attributes",
        "node",
    )
    __match_args__ = (
        "node",
        "attributes",
    )

    def __init__(
        self,
        node: str,
        attributes: tuple[Attribute, ...],
    ) -> None:
        setattr_(self, "node", node)
        setattr_(self, "attributes", attributes)


class Ban(FrozenRecord):
    id: str
    resource: str
    node: str
    weight: int
    promoted_only: bool

    __slots__ = (
        "id",
        "node",
        "promoted_only",
        "resource",
        "weight",
    )
    __match_args__ = (
        "id",
        "resource",
        "node",
        "weight",
        "promoted_only",
    )

    def __init__(
        self,
        id: str,
        resource: str,
        node: str,
        weight: int,
        promoted_only: bool,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "resource", resource)
        setattr_(self, "node", node)
        setattr_(self, "weight", weight)
        setattr_(self, "promoted_only", promoted_only)


class Options(FrozenRecord):
    stonith_enabled: bool
    symmetric_cluster: bool
    no_quorum_policy: str
    maintenance_mode: bool
    stop_all_resources: bool
    stonith_timeout_ms: int
    priority_fencing_delay_ms: int

    __slots__ = (
        "maintenance_mode",
        "no_quorum_policy",
        "priority_fencing_delay_ms",
        "stonith_enabled",
        "stonith_timeout_ms",
        "stop_all_resources",
        "symmetric_cluster",
    )
    __match_args__ = (
        "stonith_enabled",
        "symmetric_cluster",
        "no_quorum_policy",
        "maintenance_mode",
        "stop_all_resources",
        "stonith_timeout_ms",
        "priority_fencing_delay_ms",
    )

    def __init__(
        self,
        stonith_enabled: bool,
        symmetric_cluster: bool,
        no_quorum_policy: str,
        maintenance_mode: bool,
        stop_all_resources: bool,
        stonith_timeout_ms: int,
        priority_fencing_delay_ms: int,
    ) -> None:
        setattr_(self, "stonith_enabled", stonith_enabled)
        setattr_(self, "symmetric_cluster", symmetric_cluster)
        setattr_(self, "no_quorum_policy", no_quorum_policy)
        setattr_(self, "maintenance_mode", maintenance_mode)
        setattr_(self, "stop_all_resources", stop_all_resources)
        setattr_(self, "stonith_timeout_ms", stonith_timeout_ms)
        setattr_(self, "priority_fencing_delay_ms", priority_fencing_delay_ms)


class ChangeInfo(FrozenRecord):
    """The "Last change" line: the snapshot's, else the CIB's own attributes."""

    time: str  # as shown (ctime-like, or the raw cib-last-written)
    epoch: float | None
    user: str | None
    client: str | None
    origin: str | None

    __slots__ = (
        "client",
        "epoch",
        "origin",
        "time",
        "user",
    )
    __match_args__ = (
        "time",
        "epoch",
        "user",
        "client",
        "origin",
    )

    def __init__(
        self,
        time: str,
        epoch: float | None,
        user: str | None,
        client: str | None,
        origin: str | None,
    ) -> None:
        setattr_(self, "time", time)
        setattr_(self, "epoch", epoch)
        setattr_(self, "user", user)
        setattr_(self, "client", client)
        setattr_(self, "origin", origin)


class ClusterStatus(FrozenRecord):
    snapshot: DaemonSnapshot
    dc_id: str | None
    mixed_version: bool
    last_change: ChangeInfo
    options: Options
    nodes: tuple[NodeRow, ...]  # sorted like crm_mon (by name, digits as numbers)
    resources: list[Item]  # the resource tree (pycrm.simulate.view)
    instances: int  # "N resource instances configured"
    disabled: int
    blocked: int
    attributes: tuple[NodeAttributes, ...]  # online nodes with shown attributes
    history: tuple[NodeHistory, ...]  # every online node, status-section order
    failures: tuple[Failure, ...]
    bans: tuple[Ban, ...]

    __slots__ = (
        "attributes",
        "bans",
        "blocked",
        "dc_id",
        "disabled",
        "failures",
        "history",
        "instances",
        "last_change",
        "mixed_version",
        "nodes",
        "options",
        "resources",
        "snapshot",
    )
    __match_args__ = (
        "snapshot",
        "dc_id",
        "mixed_version",
        "last_change",
        "options",
        "nodes",
        "resources",
        "instances",
        "disabled",
        "blocked",
        "attributes",
        "history",
        "failures",
        "bans",
    )

    def __init__(
        self,
        snapshot: DaemonSnapshot,
        dc_id: str | None,
        mixed_version: bool,
        last_change: ChangeInfo,
        options: Options,
        nodes: tuple[NodeRow, ...],
        resources: list[Item],
        instances: int,
        disabled: int,
        blocked: int,
        attributes: tuple[NodeAttributes, ...],
        history: tuple[NodeHistory, ...],
        failures: tuple[Failure, ...],
        bans: tuple[Ban, ...],
    ) -> None:
        setattr_(self, "snapshot", snapshot)
        setattr_(self, "dc_id", dc_id)
        setattr_(self, "mixed_version", mixed_version)
        setattr_(self, "last_change", last_change)
        setattr_(self, "options", options)
        setattr_(self, "nodes", nodes)
        setattr_(self, "resources", resources)
        setattr_(self, "instances", instances)
        setattr_(self, "disabled", disabled)
        setattr_(self, "blocked", blocked)
        setattr_(self, "attributes", attributes)
        setattr_(self, "history", history)
        setattr_(self, "failures", failures)
        setattr_(self, "bans", bans)

    @property
    def fail_counts(self) -> tuple[NodeHistory, ...]:
        """crm_mon -f's "Migration Summary": per node, the resources with a fail count."""
        out = []
        for hist in self.history:
            failed = tuple(r for r in hist.resources if r.fail_count > 0)
            if failed:
                out.append(NodeHistory(hist.node, failed))
        return tuple(out)


def format_time(epoch: float) -> str:
    """Pacemaker's human time: local time like ctime(3), ``Mon Dec  7 14:29:55 2026``."""
    return time.ctime(epoch)


# --------------------------------------------------------------------------- collect
def collect(cib: Cib, snapshot: DaemonSnapshot) -> ClusterStatus:
    """Gather what a status shows (see the module docstring)."""
    now = datetime.fromtimestamp(snapshot.last_updated, UTC)
    transition = schedule(cib, now=now)
    world = build_world(cib, now)
    unpack_status(cib, world)
    # bans are the configured constraints only: a failed stop's "__stop_fail__" ban is
    # a score on the node, not a constraint (crm_mon does not list it either)
    configured = len(world.locations)
    build_locations(cib, world)
    items = build_tree(cib, transition.current)
    states = iter_states(items)
    nodes = _nodes(cib, world, transition.nodes, states, snapshot)
    online = {n.name for n in nodes if n.online}
    listed = [s for s in transition.current if not s.orphaned or s.active]
    failures: list[Failure] = []
    probes: dict[str, str] = {}
    for failure in _failures(cib, transition.current, online):
        if not failure.masked:
            failures.append(failure)
        else:
            probes.setdefault(_base(failure.rsc), rc_text(failure.rc))
    _mark_failed_probes(items, probes)
    return ClusterStatus(
        snapshot=snapshot,
        dc_id=next((n.id for n in nodes if n.is_dc), None),
        mixed_version=len({n.feature_set for n in nodes if n.feature_set is not None}) > 1,
        last_change=_last_change(cib, snapshot.last_change),
        options=_options(world),
        nodes=tuple(nodes),
        resources=items,
        instances=len(listed),
        disabled=sum(1 for s in listed if s.disabled),
        blocked=sum(1 for s in listed if s.blocked),
        attributes=_attributes(cib, nodes, states, now),
        history=tuple(_history(cib, world, online)),
        failures=tuple(failures),
        bans=tuple(_bans(cib, world, configured)),
    )


def _last_change(cib: Cib, change: LastChange | None) -> ChangeInfo:
    if change is None:
        return ChangeInfo(
            time=cib.attrs.get("cib-last-written", ""),
            epoch=None,
            user=cib.attrs.get("update-user"),
            client=cib.attrs.get("update-client"),
            origin=cib.attrs.get("update-origin"),
        )
    shown = "" if change.time is None else format_time(change.time)
    return ChangeInfo(shown, change.time, change.user, change.client, change.origin)


def _options(world: World) -> Options:
    opts = world.options

    def ms(name: str, default: int) -> int:
        try:
            return parse_timeout_ms(opts[name]) if name in opts else default
        except ValueError:
            return default

    return Options(
        stonith_enabled=world.stonith_enabled,
        symmetric_cluster=world.symmetric,
        no_quorum_policy=world.no_quorum_policy,
        maintenance_mode=world.maintenance_mode,
        stop_all_resources=world.stop_all,
        stonith_timeout_ms=ms("stonith-timeout", 60_000),
        priority_fencing_delay_ms=ms("priority-fencing-delay", 0),
    )


# --------------------------------------------------------------------------- nodes
class _Membership(FrozenRecord):
    online: bool
    pending: bool
    unclean: bool
    shutdown: bool
    expected_up: bool

    __slots__ = (
        "expected_up",
        "online",
        "pending",
        "shutdown",
        "unclean",
    )
    __match_args__ = (
        "online",
        "pending",
        "unclean",
        "shutdown",
        "expected_up",
    )

    def __init__(
        self,
        online: bool = False,
        pending: bool = False,
        unclean: bool = False,
        shutdown: bool = False,
        expected_up: bool = False,
    ) -> None:
        setattr_(self, "online", online)
        setattr_(self, "pending", pending)
        setattr_(self, "unclean", unclean)
        setattr_(self, "shutdown", shutdown)
        setattr_(self, "expected_up", expected_up)


def node_membership(
    status: NodeStatus | None, attrs: dict[str, str], *, fencing: bool, startup_fencing: bool
) -> _Membership:
    """Pacemaker 2.1.5's reading of a node_state entry (determine_online_status)."""
    if status is None:
        # never seen: unclean until seen, when fencing is possible (startup-fencing)
        return _Membership(unclean=fencing and startup_fencing)
    raw = status.attrs
    shutdown_attr = attrs.get("shutdown")
    shutdown = shutdown_attr is not None and shutdown_attr not in ("", "0")
    expected = raw.get("expected")
    expected_up = not shutdown and expected == "member"
    in_cluster = raw.get("in_ccm")
    member = status.in_ccm
    crmd_online = (raw.get("crmd") or "").lower() == "online"
    join = (raw.get("join") or "").lower()
    if not fencing:
        if not member:
            return _Membership(shutdown=shutdown, expected_up=expected_up)
        if crmd_online:
            return _Membership(online=join == "member", shutdown=shutdown, expected_up=expected_up)
        return _Membership(unclean=expected_up, shutdown=shutdown, expected_up=expected_up)
    terminate = attrs.get("terminate", "")
    do_terminate = _true(terminate) or (terminate[:1].isdigit() and terminate[:1] != "0")
    online = member
    pending = unclean = False
    if shutdown:
        online = crmd_online
    elif in_cluster is None or join == "nack":
        unclean = True
    elif not do_terminate and (expected or "down") == "down":
        pending = member or crmd_online
    elif do_terminate and join == "down" and not member and not crmd_online:
        online = False
    elif not member or not crmd_online or do_terminate:
        unclean = True
    elif join in ("pending", "down"):
        pending = True
    elif join != "member":
        unclean = True
    return _Membership(online, pending, unclean, shutdown, expected_up)


def _health(attrs: dict[str, str], strategy: str) -> str:
    """Node health from ``#health*`` attributes (always green with the default strategy)."""
    if strategy in ("", "none"):
        return "green"
    colors = {v.strip().lower() for k, v in attrs.items() if k.startswith("#health")}
    if "red" in colors:
        return "red"
    return "yellow" if "yellow" in colors else "green"


def _nodes(
    cib: Cib,
    world: World,
    infos: tuple[NodeInfo, ...],
    states: list[ResourceState],
    snapshot: DaemonSnapshot,
) -> list[NodeRow]:
    running = running_count(states)
    fencing = world.stonith_enabled
    startup_fencing = not (
        "startup-fencing" in world.options and not _true(world.options["startup-fencing"])
    )
    strategy = world.options.get("node-health-strategy", "none").lower()
    rows: list[NodeRow] = []
    for info in infos:
        wnode = world.nodes[info.name]
        status = cib.status.get(info.name)
        attrs = wnode.attrs
        mem = node_membership(status, attrs, fencing=fencing, startup_fencing=startup_fencing)
        # node attributes count only for nodes with a status entry (as Pacemaker unpacks)
        standby_attr = status is not None and _true(attrs.get("standby"))
        # on-fail=standby / on-fail=fence failures, as the scheduler unpacked them
        onfail_standby = wnode.standby and not wnode.pending and not standby_attr and mem.online
        unclean = mem.unclean or (wnode.unclean and wnode.online)
        rows.append(
            NodeRow(
                name=info.name,
                id=info.id or info.name,
                online=mem.online,
                standby=standby_attr or mem.pending or onfail_standby,
                standby_onfail=onfail_standby,
                maintenance=status is not None and _true(attrs.get("maintenance")),
                pending=mem.pending,
                unclean=unclean,
                health=_health(attrs, strategy),
                feature_set=(attrs.get("#feature-set") or OLD_FEATURE_SET) if mem.online else None,
                shutdown=mem.shutdown,
                expected_up=mem.expected_up,
                is_dc=snapshot.dc is not None and info.name == snapshot.dc,
                resources_running=running.get(info.name, 0),
                membership=snapshot.membership.get(info.name),
            )
        )
    known = {r.name for r in rows}
    for name, state in snapshot.membership.items():
        if name not in known:  # configured in the daemon, not (yet) in the CIB
            rows.append(_unlisted(name, state, snapshot))
    rows.sort(key=lambda r: node_sort_key(r.name))
    return rows


def _unlisted(name: str, state: str, snapshot: DaemonSnapshot) -> NodeRow:
    """A node the daemon is configured with that has not joined the CIB yet: pending while
    the membership layer sees it, offline otherwise."""
    seen = state == "member"
    return NodeRow(
        name=name,
        id=name,
        online=seen,
        standby=seen,
        standby_onfail=False,
        maintenance=False,
        pending=seen,
        unclean=False,
        health="green",
        feature_set=None,
        shutdown=False,
        expected_up=False,
        is_dc=name == snapshot.dc,
        resources_running=0,
        membership=state,
    )


def _attributes(
    cib: Cib, nodes: list[NodeRow], states: list[ResourceState], now: datetime
) -> tuple[NodeAttributes, ...]:
    """Each online node's user-visible attributes (crm_mon's "Node Attributes"), by name;
    a ping resource's attribute carries the value full connectivity would give."""
    out = []
    by_name = {n.uname for n in cib.nodes}
    for row in nodes:
        if not row.online or row.name not in by_name:
            continue
        attrs = node_attributes(cib, row.name, now=now)
        expected = _ping_expectations(cib, states, row.name)
        shown = tuple(
            Attribute(k, v, expected.get(k))
            for k, v in sorted(attrs.items())
            if not k.startswith(_HIDDEN_ATTRS)
        )
        if shown:
            out.append(NodeAttributes(row.name, shown))
    return tuple(out)


def _ping_expectations(cib: Cib, states: list[ResourceState], node: str) -> dict[str, int]:
    """attribute -> expected value, for the ping resources active on `node`: one point per
    host in ``host_list`` times ``multiplier`` (crm_mon's "Connectivity is lost" check)."""
    out: dict[str, int] = {}
    for st in states:
        prim = cib.find(st.base_id)
        if node not in st.nodes or not isinstance(prim, Primitive):
            continue
        if prim.type.lower() not in ("ping", "pingd"):
            continue
        params = resolve(prim.instance_sets)
        hosts = params.get("host_list", "")
        try:
            multiplier = int(params.get("multiplier", "1"))
        except ValueError:
            multiplier = 1
        out.setdefault(
            params.get("name", "pingd"), len(hosts.split(" ")) * multiplier if hosts else 0
        )
    return out


# --------------------------------------------------------------------------- history
def _base(lrm_id: str) -> str:
    """A history id without its clone instance suffix (Pacemaker's clone_strip)."""
    head, sep, tail = lrm_id.rpartition(":")
    return head if sep and tail.isdigit() and head else lrm_id


def _config_of(world: World, lrm_id: str) -> WRsc | None:
    """The working-set primitive a history entry belongs to (any instance of a clone)."""
    found = world.by_id.get(lrm_id)
    if found is not None:
        return found
    base = _base(lrm_id)
    for rsc in world.all_primitives():
        if rsc.base_id == base:
            return rsc
    return None


def _default_threshold(world: World) -> int:
    value = (world.rsc_defaults or {}).get("migration-threshold")
    if value is None:
        return SCORE_INF
    try:
        return parse_score(value)
    except ValueError:
        return SCORE_INF


def _online_states(cib: Cib, online: set[str]) -> Iterator[NodeStatus]:
    configured = {n.uname for n in cib.nodes}
    for uname, status in cib.status.items():
        if uname in online and uname in configured:
            yield status


def _history(cib: Cib, world: World, online: set[str]) -> Iterator[NodeHistory]:
    default_threshold = _default_threshold(world)
    for status in _online_states(cib, online):
        rows = []
        for lrm_id, lrm in status.resources.items():
            ops = _shown_ops(lrm)
            if not ops:
                continue
            rsc = _config_of(world, lrm_id)
            anonymous = rsc is not None and rsc.clone_parent is not None and not rsc.unique
            name = _base(lrm_id) if anonymous else lrm_id
            threshold = rsc.migration_threshold if rsc is not None else default_threshold
            # shown as recorded, expired or not (crm_mon shows it until it is cleared)
            count = fail_count(status.transient, (name,), per_op=world.per_op_fail_counts)
            rows.append(
                ResourceHistory(
                    id=name,
                    migration_threshold=max(0, threshold),
                    fail_count=count,
                    last_failure=_last_failure(status.transient, name),
                    ops=tuple(ops),
                )
            )
        yield NodeHistory(status.uname, tuple(rows))


def _last_failure(transient: dict[str, str], name: str) -> int | None:
    latest: int | None = None
    for attr, value in transient.items():
        if not attr.startswith("last-failure-"):
            continue
        rest = attr[len("last-failure-") :]
        if rest.split("#", 1)[0] != name or not value.lstrip("-").isdigit():
            continue
        stamp = int(value)
        if stamp > 0 and (latest is None or stamp > latest):
            latest = stamp
    return latest


def _by_call(ops: list[OpRecord]) -> list[OpRecord]:
    return sorted(ops, key=lambda op: (op.call_id < 0, op.call_id))


def _shown_ops(lrm: LrmResource) -> list[OpRow]:
    """The operations crm_mon lists: no notifies, no probes that found it stopped."""
    rows = []
    for op in _by_call(lrm.ops):
        task = op.operation
        if task == "monitor" and op.interval_ms == 0:
            task = "probe"
        if task == "notify" or (task == "probe" and op.rc_code == 7):
            continue
        rows.append(
            OpRow(
                call=op.call_id,
                task=task,
                interval_ms=op.interval_ms,
                rc=op.rc_code,
                last_rc_change=op.last_rc_change,
                exec_time=op.exec_time,
                queue_time=op.queue_time,
            )
        )
    return rows


# --------------------------------------------------------------------------- failures
def _masked_probe(op: OpRecord) -> bool:
    """A probe that failed only because the agent cannot run there (crm_mon hides it)."""
    if op.operation != "monitor" or op.interval_ms != 0:
        return False
    return op.rc_code in (2, 5) or op.op_status == 7  # invalid param, not installed


def _failures(cib: Cib, states: tuple[ResourceState, ...], online: set[str]) -> Iterator[Failure]:
    """Failed operations as Pacemaker records them: on online nodes, the first per
    operation key and node, in call order within each resource's history."""
    unmanaged = {s.base_id for s in states if s.unmanaged}
    for status in _online_states(cib, online):
        seen: set[str] = set()
        for lrm_id, lrm in status.resources.items():
            managed = _base(lrm_id) not in unmanaged and lrm_id not in unmanaged
            for op in _by_call(lrm.ops):
                if op.op_status in (EXEC_PENDING, EXEC_CANCELLED) or op.call_id < 0:
                    continue
                if judge(op, managed=managed) != "failed" or op.operation_key in seen:
                    continue
                seen.add(op.operation_key)
                yield Failure(
                    op_key=op.operation_key or op.id,
                    key_is_id=not op.operation_key,
                    node=status.uname,
                    rsc=lrm_id,
                    task=op.operation,
                    interval_ms=op.interval_ms,
                    rc=op.rc_code,
                    exit_reason=op.exit_reason,
                    call=op.call_id,
                    exec_status=op.op_status,
                    last_rc_change=op.last_rc_change,
                    queue_time=op.queue_time,
                    exec_time=op.exec_time,
                    masked=_masked_probe(op),
                )


def _mark_failed_probes(items: list[Item], probes: dict[str, str]) -> None:
    """A stopped primitive whose probe failed says why ("Stopped (not installed)")."""
    if not probes:
        return
    for item in _primitive_items(items):
        if not item.state.nodes and item.state.base_id in probes:
            item.probe_failed = probes[item.state.base_id]


def _primitive_items(items: list[Item]) -> Iterator[PrimitiveItem]:
    for item in items:
        if isinstance(item, PrimitiveItem):
            yield item
        elif isinstance(item, GroupItem):
            yield from item.members
        else:
            for inst in item.instances:
                yield from [inst] if isinstance(inst, PrimitiveItem) else inst.members


# --------------------------------------------------------------------------- bans
def _bans(cib: Cib, world: World, first: int) -> Iterator[Ban]:
    """Negative placement scores per (constraint, node). Pacemaker prepends as it unpacks:
    the last constraint comes first, and a rule's nodes come in reverse name order."""
    order = sorted((n.uname for n in cib.nodes), key=node_sort_key, reverse=True)
    for loc in reversed(world.locations[first:]):
        for node in order:
            score = loc.scores.get(node)
            if score is not None and score < 0:
                yield Ban(loc.id, loc.rsc.id, node, score, loc.role == _ROLE_PROMOTED)
