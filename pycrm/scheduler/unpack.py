"""Map the status section onto the working set: where each resource runs, in which role,
whether it failed, and which history entries are orphans.

Clone history entries are matched like Pacemaker does: a globally-unique clone's entry
``child:N`` is instance N (an orphan when N >= clone-max); an anonymous clone's entries on a
node take the first instance not yet active anywhere, and a second entry for the same node
becomes an orphan instance (numbered from clone-max up).
"""

from __future__ import annotations

from collections.abc import Callable

from cib.history import (
    ROLE_STOPPED,
    NodeHistory,
    fail_count,
    judge,
    unpack_node_history,
)
from cib.model import Cib, Clone, LrmResource, NodeStatus, OpRecord, Primitive
from cib.nvsets import resolve
from pycrm.scheduler import remote
from pycrm.scheduler.build import build_remote_node, make_instance
from pycrm.scheduler.migration import unpack_migrations
from pycrm.scheduler.state import Location, WNode, World, WRsc


def on_fail_resolver(cib: Cib, world: World, rsc: WRsc) -> Callable[[str, int], str]:
    prim = cib.find(rsc.config_id)
    ops = prim.ops if isinstance(prim, Primitive) else []
    defaults = resolve(cib.op_defaults)

    def resolver(task: str, interval_ms: int) -> str:
        value: str | None = None
        for op in ops:
            if op.name == task and op.interval_ms == interval_ms:
                value = op.on_fail or resolve(op.meta_sets).get("on-fail")
                break
        if value is None:
            value = defaults.get("on-fail")
        if value is None and rsc.container_id is not None and rsc.remote_node is None:
            return "restart-container"
        if (
            (value is None or not rsc.managed)
            and rsc.remote_node is not None
            and world.nodes[rsc.remote_node].kind == "remote"
            and not (task == "monitor" and interval_ms == 0)
            and task != "start"
        ):
            # a dropped connection to a remote node gets the node fenced
            if not rsc.managed:
                return "stop"
            return "reset-remote-wait" if rsc.reconnect_s else "reset-remote"
        if value is None:
            if task == "stop":
                return "fence" if world.stonith_enabled else "block"
            return "restart"
        value = value.lower()
        if value == "fence" and not world.stonith_enabled:
            return "block"
        return value

    return resolver


def unpack_status(cib: Cib, world: World) -> None:
    """Read every node's resource history, in Pacemaker's order (unpack_node_history):
    cluster nodes in status order, a remote or guest node only once its connection (and
    container) are known to be up -- passes repeat while one adds something -- then, with
    fencing enabled, the remaining nodes."""
    anon_seen: dict[tuple[str, str], int] = {}
    done: set[str] = set()
    first = True
    while True:
        progress = False
        for uname, status in cib.status.items():
            if uname in done:
                continue
            wnode = world.nodes.get(uname)
            if wnode is None:
                continue
            if wnode.kind != "cluster":
                if not remote.connection_up(world, wnode):
                    continue
            elif not first or (not wnode.online and not world.stonith_enabled):
                # Without fencing Pacemaker never reads an offline node's history (with
                # fencing it does: what is thought active there gets the node fenced).
                continue
            _unpack_node(cib, world, wnode, status, anon_seen)
            done.add(uname)
            progress = True
        first = False
        if not progress:
            break
    if world.stonith_enabled:
        for uname, status in cib.status.items():
            wnode = world.nodes.get(uname)
            if uname not in done and wnode is not None and wnode.kind != "cluster":
                _unpack_node(cib, world, wnode, status, anon_seen)
                done.add(uname)
    for wnode in world.nodes.values():
        if wnode.kind == "cluster":
            continue
        if wnode.shutdown and wnode.remote_rsc is not None:
            conn = world.by_id.get(wnode.remote_rsc)
            if conn is not None:
                conn.on_fail_stop = True  # remote shutdown: the connection stops
        if wnode.name not in done:
            remote.determine_online(world, wnode)
    unpack_migrations(cib, world)
    _multiply_active(world)
    _drop_inactive_orphans(world)
    world.freeze_primitives()


def _clean(node: WNode) -> bool:
    return node.online and not node.unclean


def _multiply_active(world: World) -> None:
    """Pacemaker's native_add_running: a primitive active on several nodes is recovered
    as its ``multiple-active`` says -- ``stop_only``: it may run nowhere (stopped
    everywhere); ``block``: left alone, unmanaged and blocked (with its whole group when
    the group says ``block`` too); ``stop_start`` (the default): stopped everywhere and
    started once, and ``stop_unexpected``: stopped where it is not to stay, which the
    planning and the actions do.  A resource that needs no fencing counts only clean nodes
    (pe__find_active_requires)."""
    for rsc in world.all_primitives():
        if len(rsc.running_on) < 2 or rsc.partial_migration is not None:
            continue
        if rsc.requires not in ("fencing", "unfencing"):
            # pe__find_active_requires: only clean nodes count for a resource that does
            # not need fencing; active on one, it is there (its copies on nodes to be
            # fenced go with the fencing)
            clean = [n for n in rsc.running_on if _clean(world.nodes[n])]
            if len(clean) == 1:
                rsc.left_on = [n for n in rsc.running_on if n not in clean]
                rsc.running_on = clean
                continue
        recovery = rsc.meta.get("multiple-active", "stop_start").strip().lower()
        if recovery == "stop_only":
            loc = Location(
                "multiple-active=stop_only", rsc, 0, dict.fromkeys(world.nodes, -1_000_000)
            )
            rsc.locations.append(loc)
            world.locations.append(loc)
        elif recovery == "block":
            blocked = [rsc]
            group = rsc.parent
            if (
                group is not None
                and group.variant == "group"
                and group.meta.get("multiple-active", "").strip().lower() == "block"
            ):
                blocked = group.primitives()
            for member in blocked:
                member.managed = False
                member.blocked = True


def _unpack_node(
    cib: Cib,
    world: World,
    wnode: WNode,
    status: NodeStatus,
    anon_seen: dict[tuple[str, str], int],
) -> None:
    uname = wnode.name
    if wnode.kind != "cluster":
        remote.determine_online(world, wnode)
        if not wnode.remote_requires_reset:
            wnode.unclean = wnode.unseen = False
            wnode.fence_reason = ""
    for lrm_id, lrm in status.resources.items():
        rsc = _resolve_entry(cib, world, uname, lrm_id, lrm, anon_seen)
        if rsc is None:
            continue
        promotable = bool(rsc.clone_parent and rsc.clone_parent.promotable)
        if rsc.failure_timeout_s > 0 and _block_failure(cib, rsc, lrm):
            # "Ignoring failure timeout ... because it conflicts with on-fail=block"
            rsc.failure_timeout_s = 0
        hist = unpack_node_history(
            lrm,
            uname,
            on_fail_resolver(cib, world, rsc),
            promotable=promotable,
            managed=rsc.managed,
            expired=_expiry(world, rsc, wnode) if rsc.failure_timeout_s > 0 else None,
        )
        _record(world, rsc, hist, lrm_id, lrm)
        if not hist.seen and hist.expired_ops:
            world.forgotten.add((lrm_id, uname))  # only expired failures: probe again
        if wnode.online and not wnode.unclean and hist.expired_ops:
            since_start = world.active_ops(lrm)[0]
            for op in hist.expired_ops:
                if op.interval_ms and op in since_start:  # the monitor is scheduled again
                    world.expired_reschedule.add((rsc.id, uname, op.operation, op.interval_ms))


def _block_failure(cib: Cib, rsc: WRsc, lrm: LrmResource) -> bool:
    """A failure recorded for an operation configured with ``on-fail=block``."""
    prim = cib.find(rsc.config_id)
    if not isinstance(prim, Primitive):
        return False
    blocking = {
        (op.name, op.interval_ms) for op in prim.ops if (op.on_fail or "").lower() == "block"
    }
    return bool(blocking) and any(
        (op.operation, op.interval_ms) in blocking and judge(op) == "failed" for op in lrm.ops
    )


def _expiry(world: World, rsc: WRsc, wnode: WNode) -> Callable[[OpRecord], bool]:
    """Pacemaker's check_operation_expiry: an operation older than the failure timeout
    (a connection's reconnect interval) has expired -- unless the resource still has an
    unexpired fail count there, or it is a remote connection's monitor failure whose node
    was not fenced yet; when it expires with a fail count (or a connection's last failure)
    the fail count is cleared."""
    timeout = rsc.failure_timeout_s
    names = tuple({rsc.id, rsc.base_id, rsc.history_name or rsc.id})
    per_op = world.per_op_fail_counts
    anonymous = not rsc.unique and rsc.clone_parent is not None

    def expired(op: OpRecord) -> bool:
        last = op.last_rc_change
        if last is None or world.now_epoch < last + timeout:
            return False
        if (
            rsc.reconnect_s
            and world.stonith_enabled
            and op.interval_ms
            and (op.operation == "monitor")
        ):
            node = world.nodes.get(rsc.remote_node or "")
            if node is not None and not node.remote_was_fenced:
                return False
        counted = fail_count(wnode.transient, names, per_op=per_op, any_instance=anonymous)
        if counted:
            left = fail_count(
                wnode.transient,
                names,
                now_epoch=world.now_epoch,
                failure_timeout_s=timeout,
                per_op=per_op,
                any_instance=anonymous,
            )
            if left:
                return False
            world.expired_clears.append((rsc.id, wnode.name))
        elif rsc.reconnect_s and op.id.endswith("_last_failure_0"):
            world.expired_clears.append((rsc.id, wnode.name))
        probe = op.operation == "monitor" and not op.interval_ms
        return not (probe and op.rc_code in (0, 7, 8, 190, 191))

    return expired


def _record(world: World, rsc: WRsc, hist: NodeHistory, lrm_id: str, lrm: LrmResource) -> None:
    """Pacemaker's process_rsc_state for one resource's history on one node."""
    node = hist.node
    wnode = world.nodes[node]
    rsc.history[node] = lrm
    if rsc.history_name is None:
        rsc.history_name = lrm_id
    if hist.seen:
        rsc.known_on.add(node)
    if hist.failure_ignored:
        rsc.failure_ignored = True
    if hist.stop_failed:
        loc = Location(id="__stop_fail__", rsc=rsc, role=0, scores={node: -1_000_000})
        rsc.locations.append(loc)
        world.locations.append(loc)
    if hist.banned:
        _ban_after_hard_failure(world, rsc, node, hist.banned)
    if hist.active and not wnode.online and not wnode.maintenance and rsc.managed:
        _active_on_offline_node(world, wnode, rsc)
    on_fail = hist.on_fail
    if wnode.unclean:
        on_fail = "ignore"  # fencing the node recovers it: nothing more to do
    if on_fail == "standby":
        wnode.standby = wnode.standby_onfail = True
    if on_fail == "fence":
        remote.fence_node(world, wnode, f"{rsc.id} failed there")
    if on_fail == "reset-remote-wait":
        rsc.on_fail_stop = True  # no reconnection before the reconnect interval
    if (
        on_fail in ("reset-remote", "reset-remote-wait")
        and world.stonith_enabled
        and rsc.remote_node is not None
    ):
        conn_node = world.nodes[rsc.remote_node]
        if conn_node.kind == "remote" and not conn_node.remote_was_fenced:
            remote.fence_node(world, conn_node, "remote connection is unrecoverable")
    if on_fail == "restart-container" and rsc.container_id is not None and not hist.active:
        container = world.by_id.get(rsc.container_id)
        if container is not None:
            container.stop_nodes.add(node)  # its failed stop restarts its container
    if not hist.active:
        return
    if world.nodes[node].maintenance:
        rsc.managed = False
        rsc.maintenance = True
    if node not in rsc.running_on:
        rsc.running_on.append(node)
    rsc.node_roles[node] = max(rsc.node_roles.get(node, ROLE_STOPPED), hist.role)
    rsc.role = max(rsc.role, hist.role)
    if on_fail not in ("none", "ignore"):
        rsc.failed = True
        rsc.failed_ops.extend((op.operation, op.interval_ms) for op in hist.failed_ops)
    if on_fail == "block":
        rsc.blocked = True
        rsc.managed = False
    if on_fail == "stop":
        rsc.on_fail_stop = True
    if on_fail == "demote":
        rsc.on_fail_demote = True
    if on_fail == "restart-container" and rsc.container_id is not None:
        container = world.by_id.get(rsc.container_id)
        if container is not None:
            container.stop_nodes.add(node)
    if rsc.failed and rsc.remote_node is not None:
        conn_node = world.nodes[rsc.remote_node]
        if conn_node.unclean:
            conn_node.unseen = False


def _ban_after_hard_failure(world: World, rsc: WRsc, node: str, scope: str) -> None:
    """Pacemaker's unpack_rsc_op: after a hard error the resource (its parent when it has
    one) may not run on that node again; after a fatal one, nowhere."""
    target = rsc.parent if rsc.parent is not None and rsc.parent.variant != "bundle" else rsc
    if scope == "everywhere":
        loc = Location("fatal-error", target, 0, dict.fromkeys(world.nodes, -1_000_000))
    else:
        loc = Location("hard-error", target, 0, {node: -1_000_000})
    target.locations.append(loc)
    world.locations.append(loc)


def _active_on_offline_node(world: World, wnode: WNode, rsc: WRsc) -> None:
    """A managed resource thought active on a node that is down: fence the node (a guest
    node by recovering its container, whether or not fencing is enabled)."""
    if wnode.kind == "guest":
        rsc.failed = True
        remote.fence_node(world, wnode, f"{rsc.id} is thought to be active there")
        return
    if not world.stonith_enabled:
        return
    reason = f"{rsc.id} is thought to be active there"
    conn = world.by_id.get(wnode.remote_rsc) if wnode.remote_rsc else None
    if wnode.kind == "remote" and conn is not None and not conn.failed:
        wnode.unseen = True
        reason = (
            f"{rsc.id} is active there (fencing will be revoked if remote connection can "
            "be re-established elsewhere)"
        )
    remote.fence_node(world, wnode, reason)


def _resolve_entry(
    cib: Cib,
    world: World,
    uname: str,
    lrm_id: str,
    lrm: LrmResource,
    anon_seen: dict[tuple[str, str], int],
) -> WRsc | None:
    direct = world.by_id.get(lrm_id)
    if direct is not None and direct.is_primitive and direct.clone_parent is None:
        return direct
    base, _, number = lrm_id.partition(":")
    config = cib.find(base)
    clone_cfg = _clone_of(cib, base)
    if isinstance(config, Primitive) and clone_cfg is not None:
        wclone = world.by_id[clone_cfg.id]
        if wclone.unique and number.isdigit():
            inst = world.by_id.get(lrm_id)
            if inst is None:
                inst = _add_orphan_instance(cib, world, wclone, clone_cfg, int(number))
                inst = world.by_id.get(lrm_id, inst)
            return inst
        return _anonymous_instance(cib, world, wclone, clone_cfg, base, uname)
    if config is None or not isinstance(config, Primitive):
        return _orphan_primitive(cib, world, lrm_id, lrm)
    return direct


def _clone_of(cib: Cib, rsc_id: str) -> Clone | None:
    for parent in cib.parents(rsc_id):
        if isinstance(parent, Clone):
            return parent
    return None


def _member(inst: WRsc, base: str) -> WRsc | None:
    for prim in inst.primitives():
        if prim.base_id == base:
            return prim
    return None


def _anonymous_instance(
    cib: Cib, world: World, wclone: WRsc, clone_cfg: Clone, base: str, uname: str
) -> WRsc:
    if wclone.parent is not None and wclone.parent.variant == "bundle":
        # a bundle's instance is the one of the replica whose node this is
        from pycrm.scheduler.bundles import replica_node

        for inst in wclone.children:
            if replica_node(world, inst) == uname:
                member = _member(inst, base)
                if member is not None:
                    return member
    skip_inactive = False
    inactive: WRsc | None = None
    found: WRsc | None = None
    for inst in wclone.children:
        located = [n for p in inst.primitives() for n in p.running_on]
        if located:
            if located[0] == uname:
                member = _member(inst, base)
                if member is not None and member.running_on:
                    skip_inactive = True
                elif member is not None:
                    found = member
                    break
        elif not skip_inactive and inactive is None and not inst.blocked and not inst.orphan:
            inactive = _member(inst, base)
    if found is None and not skip_inactive:
        found = inactive
    node = world.nodes[uname]
    if (
        found is not None
        and found.requires in ("nothing", "quorum")
        and (not node.online or node.unclean)
        and wclone.clone_max != len(world.nodes)
    ):
        # Without "requires=fencing" an instance on a node that is gone (or to be
        # fenced) does not hold an instance number: Pacemaker makes it an orphan.
        found = None
    if found is not None:
        return found
    number = len(wclone.children)
    inst = _add_orphan_instance(cib, world, wclone, clone_cfg, number)
    member = _member(inst, base)
    return member if member is not None else inst


def _add_orphan_instance(
    cib: Cib, world: World, wclone: WRsc, clone_cfg: Clone, number: int
) -> WRsc:
    from datetime import UTC, datetime

    when = datetime.fromtimestamp(world.now_epoch, UTC)
    while any(c.id.endswith(f":{number}") for c in wclone.children):
        number += 1
    inst = make_instance(cib, world, wclone, clone_cfg, number, when)
    for prim in [inst, *inst.primitives()]:
        prim.orphan = True
        if wclone.unique:
            # A numbered orphan of a unique clone is not bound by the clone's is-managed.
            prim.managed = not world.maintenance_mode
    wclone.children.append(inst)
    return inst.primitives()[0] if inst.variant == "group" else inst


_ORPHAN_KEY = "\x00orphan:"  # by_id key of an orphan whose id a configured resource has


def _orphan_primitive(cib: Cib, world: World, lrm_id: str, lrm: LrmResource) -> WRsc:
    """The orphan a history entry of no configured primitive stands for (one that names a
    group, clone or bundle is orphaned too: "no longer primitive")."""
    key = lrm_id
    existing = world.by_id.get(key)
    if existing is not None and not existing.is_primitive:
        key = _ORPHAN_KEY + lrm_id  # the configured collective keeps its id
        existing = world.by_id.get(key)
    if existing is not None:
        return existing
    agent_parts = [p for p in (lrm.standard, lrm.provider, lrm.type) if p]
    wr = WRsc(
        id=lrm_id,
        variant="primitive",
        base_id=lrm_id,
        config_id=lrm_id,
        agent=":".join(agent_parts),
        orphan=True,
        order_index=10_000_000 + len(world.resources),
    )
    world.by_id[key] = wr
    world.resources.append(wr)
    if (lrm.standard, lrm.provider, lrm.type) == ("ocf", "pacemaker", "remote"):
        # an orphaned connection: its node shuts down
        from datetime import UTC, datetime

        if lrm_id not in world.nodes:
            when = datetime.fromtimestamp(world.now_epoch, UTC)
            build_remote_node(cib, world, lrm_id, len(world.nodes), when, None, {lrm_id: None})
            world.node_order = sorted(world.nodes)
        node = world.nodes[lrm_id]
        if node.remote_rsc is None:
            node.remote_rsc = lrm_id
        node.shutdown = True
        wr.remote_node = lrm_id
    return wr


def _drop_inactive_orphans(world: World) -> None:
    keep: list[WRsc] = []
    for rsc in world.resources:
        if rsc.orphan and rsc.is_primitive and not rsc.failed and world.stop_orphans:
            # Pacemaker cleans an orphan's history up (a "delete") where it can
            for node in rsc.history:
                wnode = world.nodes[node]
                usable = wnode.online and not wnode.unclean and not wnode.shutdown
                if usable and (not wnode.standby or wnode.maintenance):
                    world.cleanups.append((rsc.id, node))
        if rsc.orphan and not rsc.running_on:
            for key in (rsc.id, _ORPHAN_KEY + rsc.id):
                if world.by_id.get(key) is rsc:
                    del world.by_id[key]
            continue
        if rsc.variant == "clone":
            kept: list[WRsc] = []
            for inst in rsc.children:
                if inst.orphan and not any(p.running_on for p in inst.primitives()):
                    for prim in [inst, *inst.primitives()]:
                        world.by_id.pop(prim.id, None)
                        rsc.known_on.update(prim.history)  # still counts as probed there
                    continue
                kept.append(inst)
            rsc.children = kept
        keep.append(rsc)
    world.resources = keep
    if not world.stop_orphans:
        for rsc in world.all_primitives():
            if rsc.orphan:
                rsc.managed = False
