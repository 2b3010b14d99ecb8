"""Build the working set (:class:`World`) from a parsed CIB: options, nodes, resources.

Resource meta attributes are layered like Pacemaker: the resource's own meta sets, then its
parents' (inherited), then ``rsc_defaults``.  Clones get one instance per ``clone-max``
(``<child>:<n>``); the status section is mapped onto them by :mod:`pycrm.scheduler.unpack`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cib.history import (
    ROLE_PROMOTED,
    ROLE_STARTED,
    ROLE_STOPPED,
    ROLE_UNKNOWN,
    ROLE_UNPROMOTED,
    per_op_fail_counts,
)
from cib.model import (
    Bundle,
    Cib,
    Clone,
    Group,
    Node,
    NodeStatus,
    NvSet,
    Primitive,
    Resource,
    iter_primitives,
    iter_resources,
)
from cib.nvsets import cluster_options, resolve
from cib.rules import RuleContext
from cib.scores import SCORE_INF, SCORE_MINUS_INF, parse_score
from cib.timespec import parse_ms
from pycrm.scheduler import bundles, remote
from pycrm.scheduler.bundles import BundleLayout
from pycrm.scheduler.state import WNode, World, WRsc

TRUE_WORDS = frozenset({"true", "on", "yes", "y", "1"})

ROLE_BY_NAME = {
    "stopped": ROLE_STOPPED,
    "started": ROLE_STARTED,
    "unpromoted": ROLE_UNPROMOTED,
    "slave": ROLE_UNPROMOTED,
    "promoted": ROLE_PROMOTED,
    "master": ROLE_PROMOTED,
}


def utilization_values(values: dict[str, str]) -> dict[str, int]:
    """Utilization as integers (Pacemaker reads an invalid value as 0)."""
    out: dict[str, int] = {}
    for name, text in values.items():
        try:
            out[name] = int(text.strip())
        except ValueError:
            out[name] = 0
    return out


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in TRUE_WORDS


def role_of(name: str | None) -> int:
    if name is None:
        return ROLE_UNKNOWN
    return ROLE_BY_NAME.get(name.strip().lower(), ROLE_UNKNOWN)


def score_of(text: str | None, default: int = 0) -> int:
    if text is None:
        return default
    try:
        return parse_score(text)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            return default


def seconds_of(text: str | None) -> int:
    if not text:
        return 0
    try:
        return parse_ms(text) // 1000
    except (ValueError, TypeError):
        return 0


def build_world(cib: Cib, now: datetime | None, layouts: list[BundleLayout] | None = None) -> World:
    when = now or _execution_date(cib) or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    options = cluster_options(cib.crm_config, RuleContext(now=when))
    quorum_attr = cib.attrs.get("have-quorum", "false")
    world = World(
        nodes={},
        node_order=[],
        options=options,
        have_quorum=is_true(quorum_attr),
        no_quorum_policy=options.get("no-quorum-policy", "stop").lower(),
        symmetric=not (
            "symmetric-cluster" in options and not is_true(options["symmetric-cluster"])
        ),
        stonith_enabled=options.get("stonith-enabled") is None
        or is_true(options["stonith-enabled"]),
        stop_all=is_true(options.get("stop-all-resources")),
        maintenance_mode=is_true(options.get("maintenance-mode")),
        start_failure_fatal=options.get("start-failure-is-fatal") is None
        or is_true(options["start-failure-is-fatal"]),
        stop_orphans=options.get("stop-orphan-resources") is None
        or is_true(options["stop-orphan-resources"]),
        resources=[],
        now_epoch=when.timestamp(),
        per_op_fail_counts=per_op_fail_counts(cib.attrs.get("crm_feature_set")),
    )
    world.enable_unfencing = _unfencing_configured(cib)
    world.stop_orphan_actions = "stop-orphan-actions" not in options or is_true(
        options["stop-orphan-actions"]
    )
    strategy = options.get("placement-strategy", "default").lower()
    world.placement_strategy = (
        strategy if strategy in ("utilization", "minimal", "balanced") else "default"
    )
    world.have_stonith = is_true(options.get("have-watchdog")) or any(
        prim.standard == "stonith" for prim in iter_primitives(cib.resources)
    )
    action = options.get("stonith-action", "reboot")
    world.stonith_action = "off" if action == "poweroff" else action
    if world.no_quorum_policy == "suicide":
        # Pacemaker resets it to "stop" without fencing, or when the cluster never had
        # quorum (unless no-quorum-panic says otherwise)
        panic = score_of(cib.attrs.get("no-quorum-panic"))
        if not world.stonith_enabled or not (panic or world.have_quorum):
            world.no_quorum_policy = "stop"
    elif world.no_quorum_policy not in ("ignore", "freeze", "demote"):
        world.no_quorum_policy = "stop"
    if layouts is None:  # a caller that did not expand the bundles itself
        cib, layouts = bundles.expand_bundles(cib)
    for layout in layouts:
        world.bundles[layout.bundle.id] = layout
    _build_nodes(cib, world, when)
    for index, rsc in enumerate(cib.resources):
        world.resources.append(_build_resource(cib, world, rsc, None, index, when))
    return world


def _unfencing_configured(cib: Cib) -> bool:
    """A meta attribute ``requires`` or ``provides`` set to ``unfencing`` on any resource
    or in rsc_defaults (Pacemaker's pe_flag_enable_unfencing)."""

    def has(sets: list[NvSet]) -> bool:
        return any(
            s.values.get(name) == "unfencing" for s in sets for name in ("requires", "provides")
        )

    return has(cib.rsc_defaults) or any(has(r.meta_sets) for r in iter_resources(cib.resources))


def _execution_date(cib: Cib) -> datetime | None:
    raw = cib.attrs.get("execution-date")
    if raw and raw.isdigit():
        return datetime.fromtimestamp(int(raw), UTC)
    return None


# --------------------------------------------------------------------------- nodes
def _build_nodes(cib: Cib, world: World, when: datetime) -> None:
    dc_uuid = cib.attrs.get("dc-uuid")
    startup_fencing = world.stonith_enabled and (
        "startup-fencing" not in world.options or is_true(world.options["startup-fencing"])
    )
    connections = {prim.id: container for prim, container in remote.connections(cib)}
    bundle_nodes = set()
    for prim, container in bundles.connections(list(world.bundles.values()), cib):
        connections[prim.id] = container
        bundle_nodes.add(prim.id)
    for index, node in enumerate(cib.nodes):
        if node.type == "remote":
            build_remote_node(cib, world, node.uname, index, when, node, connections)
            continue
        if node.type not in ("member", "normal", "", "ping"):
            continue
        status = cib.status.get(node.uname)
        if status is not None and status.id != node.id and status.uname != node.uname:
            status = None
        wnode = _build_node(node, status, index, when, dc_uuid, world.options.get("cluster-name"))
        if node.type == "ping":
            wnode.online = wnode.unclean = False
        elif status is None:
            wnode.unclean = startup_fencing  # unseen: unclean until its status is seen
            if wnode.unclean:
                wnode.fence_reason = "node is unclean"
        else:
            _online_status(world, wnode, status)
        world.nodes[node.uname] = wnode
        if node.id == dc_uuid:
            world.dc_name = node.uname
    for name in connections:
        if name not in world.nodes:
            build_remote_node(cib, world, name, len(world.nodes), when, None, connections)
    for name in bundle_nodes:
        # only the bundle's own instance runs on a bundle node
        world.nodes[name].base_score = SCORE_MINUS_INF
        world.nodes[name].bundle = True
    world.node_order = sorted(world.nodes)


def build_remote_node(
    cib: Cib,
    world: World,
    name: str,
    index: int,
    when: datetime,
    node: Node | None,
    connections: dict[str, str | None],
) -> None:
    """A Pacemaker Remote or guest node: offline until its connection is known to run
    (:mod:`pycrm.scheduler.remote`); a remote node never seen is unclean, like a cluster
    node, as long as its connection does not start."""
    status = cib.status.get(name)
    config = node or Node(id=name, uname=name, type="remote")
    wnode = _build_node(config, status, index, when, None, world.options.get("cluster-name"))
    wnode.kind = "remote"
    if name in connections:
        wnode.remote_rsc = name
        container = connections[name]
        if container:
            wnode.kind = "guest"
            wnode.container = container
            wnode.attrs["#kind"] = "container"
        else:
            wnode.attrs["#kind"] = "remote"
            if (
                status is None
                and world.stonith_enabled
                and (
                    "startup-fencing" not in world.options
                    or is_true(world.options["startup-fencing"])
                )
            ):
                wnode.unclean = wnode.unseen = True
                wnode.fence_reason = "node is unclean"
    if status is not None:
        wnode.remote_was_fenced = score_of(status.attrs.get("node_fenced")) != 0
        if score_of(status.attrs.get("node_in_maintenance")) != 0:
            wnode.maintenance = True
        wnode.shutdown = wnode.attrs.get("shutdown") not in (None, "0")
    world.nodes[name] = wnode


def _build_node(
    node: Node,
    status: NodeStatus | None,
    index: int,
    when: datetime,
    dc_uuid: str | None,
    cluster_name: str | None = None,
) -> WNode:
    wnode = WNode(name=node.uname, id=node.id, index=index)
    wnode.base_score = score_of(node.score)
    permanent = resolve(node.attr_sets, RuleContext(now=when))
    transient = dict(status.transient) if status is not None else {}
    attrs: dict[str, str] = {}
    attrs.update(permanent)
    attrs.update(transient)
    attrs["#uname"] = node.uname
    attrs["#id"] = node.id
    attrs["#kind"] = "cluster"
    attrs["#is_dc"] = "true" if node.id == dc_uuid else "false"
    if cluster_name:
        attrs["#cluster-name"] = cluster_name
    if "#site-name" not in attrs:
        site = attrs.get("site-name") or cluster_name
        if site:
            attrs["#site-name"] = site
    wnode.attrs = attrs
    if node.utilization_sets:
        wnode.capacity = utilization_values(
            resolve(node.utilization_sets, RuleContext(node_attrs=attrs, now=when))
        )
    wnode.transient = transient
    wnode.has_fail_counts = any(name.startswith("fail-count-") for name in transient)
    wnode.standby = is_true(attrs.get("standby"))
    wnode.maintenance = is_true(attrs.get("maintenance"))
    return wnode


def _online_status(world: World, wnode: WNode, status: NodeStatus) -> None:
    """Pacemaker 2.1.5's determine_online_status: online, pending, shutting down or unclean
    (with the reason it will be fenced for) from a node_state entry."""
    raw = status.attrs
    in_cluster_raw = raw.get("in_ccm")
    in_cluster = is_true(in_cluster_raw)
    crmd_online = (status.crmd or "").lower() == "online"
    join = (status.join or "").lower()
    expected = (status.expected or "down").lower()
    shutdown_attr = wnode.attrs.get("shutdown")
    wnode.shutdown = shutdown_attr is not None and shutdown_attr != "0"
    expected_up = not wnode.shutdown and expected == "member"
    online = False
    if not world.stonith_enabled:
        if not in_cluster:
            pass
        elif crmd_online:
            online = join == "member"
        elif expected_up:
            wnode.mark_unclean("peer is unexpectedly down")
    else:
        terminate = wnode.attrs.get("terminate")
        do_terminate = is_true(terminate) or (
            bool(terminate)
            and terminate is not None
            and terminate[0].isdigit()
            and terminate[0] != "0"
        )
        online = in_cluster
        if wnode.shutdown:
            online = crmd_online
        elif in_cluster_raw is None:
            wnode.mark_unclean("peer has not been seen by the cluster")
        elif join == "banned":
            wnode.mark_unclean("peer failed Pacemaker membership criteria")
        elif not do_terminate and expected == "down":
            if in_cluster or crmd_online:
                wnode.standby = wnode.pending = True
        elif do_terminate and join == "down" and not in_cluster and not crmd_online:
            online = False  # was just shot
        elif not in_cluster:
            wnode.mark_unclean("peer is no longer part of the cluster")
        elif not crmd_online:
            wnode.mark_unclean("peer process is no longer available")
        elif do_terminate:
            wnode.mark_unclean("termination was requested")
        elif join == "member":
            pass
        elif join in ("pending", "down"):
            wnode.standby = wnode.pending = True
        else:
            wnode.mark_unclean("peer was in an unknown state")
    wnode.online = online
    if not world.have_quorum and online and world.no_quorum_policy == "suicide":
        wnode.mark_unclean("cluster does not have quorum")


# --------------------------------------------------------------------------- resources
def _meta_for(
    cib: Cib,
    world: World,
    sets: list[NvSet],
    parent: WRsc | None,
    when: datetime,
    prim: Primitive | None = None,
) -> dict[str, str]:
    meta: dict[str, str] = {}
    ctx = RuleContext(now=when)
    if sets:
        resolve(sets, ctx, into=meta)
    if parent is not None:
        for key, value in parent.meta.items():
            meta.setdefault(key, value)
        return meta
    if any(s.rule is not None for s in cib.rsc_defaults):
        rctx = RuleContext(
            now=when,
            rsc_standard=prim.standard if prim else None,
            rsc_provider=prim.provider if prim else None,
            rsc_agent=prim.type if prim else None,
        )
        resolve(cib.rsc_defaults, rctx, into=meta)
        return meta
    defaults = world.rsc_defaults
    if defaults is None:
        defaults = world.rsc_defaults = resolve(cib.rsc_defaults, ctx)
    for key, value in defaults.items():
        meta.setdefault(key, value)
    return meta


def _apply_common_meta(world: World, rsc: WRsc) -> None:
    meta = rsc.meta
    rsc.priority = score_of(meta.get("priority"))
    rsc.managed = not (meta.get("is-managed") is not None and not is_true(meta.get("is-managed")))
    if is_true(meta.get("maintenance")) or world.maintenance_mode:
        rsc.managed = False
        rsc.maintenance = True
    rsc.target_role = role_of(meta.get("target-role"))
    sticky = meta.get("resource-stickiness", meta.get("resource_stickiness"))
    if sticky is not None and sticky != "default":
        rsc.stickiness = score_of(sticky)
    threshold = meta.get("migration-threshold")
    rsc.migration_threshold = SCORE_INF if threshold is None else score_of(threshold, SCORE_INF)
    rsc.failure_timeout_s = seconds_of(meta.get("failure-timeout"))


def _requires(world: World, value: str | None, fence_device: bool) -> str:
    """What a start needs (Pacemaker's unpack_requires): nothing, quorum, fencing or
    unfencing; the default depends on fencing and the no-quorum policy."""
    value = (value or "").lower()
    if value in ("nothing", "quorum", "fencing"):
        return value
    if value == "unfencing":
        return "quorum" if fence_device or not world.stonith_enabled else "unfencing"
    if fence_device:
        return "quorum"
    if world.stonith_enabled:
        return "unfencing" if world.enable_unfencing else "fencing"
    return "nothing" if world.no_quorum_policy == "ignore" else "quorum"


def _build_resource(
    cib: Cib, world: World, rsc: Resource, parent: WRsc | None, index: int, when: datetime
) -> WRsc:
    if isinstance(rsc, Primitive):
        return _build_primitive(cib, world, rsc, parent, index, when, suffix="")
    if isinstance(rsc, Group):
        return _build_group(cib, world, rsc, parent, index, when, suffix="")
    if isinstance(rsc, Bundle):
        return _build_bundle(cib, world, world.bundles[rsc.id], index, when)
    return _build_clone(cib, world, rsc, parent, index, when)


def _build_bundle(cib: Cib, world: World, layout: BundleLayout, index: int, when: datetime) -> WRsc:
    """A bundle: its replicas' containers (placed like clone instances), addresses and
    connections, then the clone of its primitive (:mod:`pycrm.scheduler.bundles`)."""
    bundle = layout.bundle
    wb = WRsc(id=bundle.id, variant="bundle", base_id=bundle.id, config_id=bundle.id)
    wb.order_index = index
    wb.meta = _meta_for(cib, world, bundle.meta_sets, None, when)
    _apply_common_meta(world, wb)
    wb.clone_max = bundle.replicas
    wb.clone_node_max = bundle.replicas_per_host
    wb.unique = bundle.replicas_per_host > 1
    world.by_id[wb.id] = wb
    parts: list[WRsc] = []
    for kind in ("container", "ip", "remote"):
        for replica in layout.replicas:
            rid = getattr(replica, kind)
            prim = cib.find(rid) if rid is not None else None
            if isinstance(prim, Primitive):
                member = _build_primitive(cib, world, prim, wb, index, when, suffix="")
                member.sort_index = replica.number
                member.bundle_part = kind
                parts.append(member)
    wb.children = parts
    if layout.child_clone is not None:
        child = _build_clone(cib, world, layout.child_clone, wb, index, when)
        wb.children.append(child)
    return wb


def _build_primitive(
    cib: Cib,
    world: World,
    prim: Primitive,
    parent: WRsc | None,
    index: int,
    when: datetime,
    suffix: str,
) -> WRsc:
    wr = WRsc(
        id=prim.id + suffix,
        variant="primitive",
        base_id=prim.id,
        config_id=prim.id,
        parent=parent,
        agent=prim.agent,
        order_index=index,
    )
    wr.meta = _meta_for(cib, world, prim.meta_sets, parent, when, prim)
    wr.monitor_intervals = {
        op.interval_ms
        for op in prim.ops
        if op.name == "monitor" and op.interval_ms > 0 and op.enabled
    }
    _apply_common_meta(world, wr)
    if prim.utilization_sets:
        wr.utilization = utilization_values(resolve(prim.utilization_sets, RuleContext(now=when)))
    wr.fence_device = prim.standard == "stonith"
    node = world.nodes.get(prim.id)
    if node is not None and node.remote_rsc == prim.id and not suffix:
        wr.remote_node = prim.id
    if remote.is_connection(prim):
        if "allow-migrate" not in wr.meta:
            wr.meta["allow-migrate"] = "true"  # connections migrate unless told not to
        reconnect = resolve(prim.instance_sets, RuleContext(now=when)).get("reconnect_interval")
        if reconnect:
            # the connection waits that long after a failure: its failure timeout
            wr.reconnect_s = wr.failure_timeout_s = seconds_of(reconnect)
    container = wr.meta.get("container")
    # setup_container: never its own container (a group's "container" reaches it too)
    wr.container_id = container if container != prim.id else None
    wr.internal = is_true(wr.meta.get("internal_rsc"))
    wr.requires = _requires(world, wr.meta.get("requires"), wr.fence_device)
    clone = wr.clone_parent
    if clone is not None:
        wr.unique = clone.unique
        if "resource-stickiness" not in wr.meta and "resource_stickiness" not in wr.meta:
            wr.stickiness = 1
    world.by_id[wr.id] = wr
    return wr


def _build_group(
    cib: Cib,
    world: World,
    group: Group,
    parent: WRsc | None,
    index: int,
    when: datetime,
    suffix: str,
) -> WRsc:
    wg = WRsc(
        id=group.id + suffix,
        variant="group",
        base_id=group.id,
        config_id=group.id,
        parent=parent,
        order_index=index,
    )
    wg.meta = _meta_for(cib, world, group.meta_sets, parent, when)
    _apply_common_meta(world, wg)
    clone = wg.clone_parent
    if clone is not None:
        wg.unique = clone.unique
    world.by_id[wg.id] = wg
    for pos, member in enumerate(group.children):
        wg.children.append(
            _build_primitive(cib, world, member, wg, index * 1000 + pos, when, suffix)
        )
    return wg


def _build_clone(
    cib: Cib, world: World, clone: Clone, parent: WRsc | None, index: int, when: datetime
) -> WRsc:
    wc = WRsc(id=clone.id, variant="clone", base_id=clone.id, config_id=clone.id, order_index=index)
    wc.parent = parent
    wc.meta = _meta_for(cib, world, clone.meta_sets, parent, when)
    _apply_common_meta(world, wc)
    meta = wc.meta
    wc.promotable = clone.promotable or is_true(meta.get("promotable"))
    wc.unique = is_true(meta.get("globally-unique"))
    wc.interleave = is_true(meta.get("interleave"))
    node_count = max(1, len(world.nodes))
    wc.clone_max = score_of(meta.get("clone-max"), node_count)
    wc.clone_node_max = score_of(meta.get("clone-node-max"), 1)
    if wc.unique and any(p.standard == "lsb" for p in iter_primitives([clone.child])):
        # force_non_unique_clone: a clone with an LSB resource can only be anonymous (at
        # most one instance per node)
        wc.unique = False
        wc.clone_max = min(wc.clone_max, node_count)
    if not wc.unique:
        wc.clone_node_max = 1  # anonymous instances are indistinguishable: one per node
    wc.promoted_max = score_of(meta.get("promoted-max", meta.get("master-max")), 1)
    wc.promoted_node_max = score_of(meta.get("promoted-node-max", meta.get("master-node-max")), 1)
    if "resource-stickiness" not in meta and "resource_stickiness" not in meta:
        wc.stickiness = 1
    world.by_id[wc.id] = wc
    for n in range(max(0, wc.clone_max)):
        wc.children.append(make_instance(cib, world, wc, clone, n, when))
    return wc


def make_instance(
    cib: Cib, world: World, wc: WRsc, clone: Clone, number: int, when: datetime
) -> WRsc:
    """Create clone instance ``number`` (a primitive, or a group of primitives)."""
    suffix = f":{number}"
    child = clone.child
    if isinstance(child, Primitive):
        inst = _build_primitive(cib, world, child, wc, wc.order_index, when, suffix)
    else:
        inst = _build_group(cib, world, child, wc, wc.order_index, when, suffix)
    inst.sort_index = number
    return inst
