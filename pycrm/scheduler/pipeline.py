"""The scheduler pipeline: CIB -> working set -> placement -> runnability -> transition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cib.history import judge
from cib.model import Cib, LrmResource
from pycrm.scheduler.actions import build_graph, probe_plan
from pycrm.scheduler.build import build_world
from pycrm.scheduler.bundles import expand_bundles, replica_states
from pycrm.scheduler.bundles import internal_constraints as bundle_internal_constraints
from pycrm.scheduler.clones import inhibit_unpaired_instances
from pycrm.scheduler.confchange import check_config_changes
from pycrm.scheduler.constraints import build_colocations, build_locations, build_orders
from pycrm.scheduler.fencing import (
    disable_start_up,
    needs_unfencing,
    plan_unfencing,
    schedule_fencing,
    start_up_disabled,
)
from pycrm.scheduler.health import apply_node_health
from pycrm.scheduler.ordering import Runnability
from pycrm.scheduler.placement import assign, init_scores
from pycrm.scheduler.remote import (
    connection_assigned,
    expand_guests,
    fence_unrecoverable,
)
from pycrm.scheduler.remote import internal_constraints as remote_internal_constraints
from pycrm.scheduler.result import (
    Plan,
    block_unstoppable_restarts,
    current_state,
    mark_definition_changes,
    mark_migrations,
    mark_required_stops,
    mark_restarts,
    plan_for,
    recheck_restarts,
    starts_fresh,
    summary_lines,
    target_state,
)
from pycrm.scheduler.state import WNode, World, WRsc
from pycrm.scheduler.tickets import build_tickets
from pycrm.scheduler.types import (
    NodeInfo,
    ResourceState,
    ScoreContribution,
    ScoreDetail,
    SummaryLine,
    Transition,
)
from pycrm.scheduler.unpack import unpack_status
from pycrm.scheduler.utilization import allocation_order


def _summarize_containers(rsc: WRsc) -> None:
    if rsc.variant == "primitive":
        return
    nodes: list[str] = []
    role = 1
    for child in rsc.children:
        _summarize_containers(child)
        for node in child.running_on:
            if node not in nodes:
                nodes.append(node)
        role = max(role, child.role)
    rsc.running_on = nodes
    rsc.role = role
    rsc.failed = any(c.failed for c in rsc.children)


def _allocation_order(world: World) -> list[WRsc]:
    """Top-level resources by priority (highest first), CIB order otherwise.

    This is the order with the default placement strategy (Pacemaker sorts by score only
    for utilization-based strategies).
    """
    return sorted(world.resources, key=lambda rsc: -rsc.priority)


def _unfence(
    world: World, plans: dict[int, Plan], probes: dict[int, list[str]], restarts: set[str]
) -> None:
    """Unfencing: which nodes get a fencing "on", and the restarts it implies for the
    resources that need it where they stay."""
    prims = world.all_primitives()
    starts = [
        (rsc, plans[id(rsc)].target_node or "")
        for rsc in prims
        if rsc.managed and not plans[id(rsc)].frozen and plans[id(rsc)].target_node is not None
    ]
    changed = [
        (rsc, node)
        for rsc in prims
        if rsc.fence_device and rsc.id in restarts
        for node in rsc.running_on
    ]
    plan_unfencing(world, probes, starts, changed)
    for rsc, node in starts:
        plan = plans[id(rsc)]
        staying = node == rsc.current_node and not starts_fresh(plan)
        if node in world.unfence and needs_unfencing(world, rsc) and staying:
            plan.restart = True
            plan.restart_reason = "required stonith"


def _shown(
    world: World, prims: list[WRsc], state_of: Callable[[WRsc], ResourceState], revised: bool
) -> tuple[ResourceState, ...]:
    """The resource states crm_mon lists: no guest connection, a bundle's replicas one
    line each."""
    out = [state_of(r) for r in prims if not r.internal and r.top.variant != "bundle"]
    if world.bundles:
        out.extend(replica_states(world, state_of, revised))
    return tuple(out)


_ACTIVE_WHEN_PENDING = frozenset({"start", "promote", "migrate_to", "migrate_from"})


def _known(lrm: LrmResource) -> bool:
    """The history says something about the resource there (Pacemaker's known_on): an
    operation completed, or a start or promotion is in progress -- not a probe still
    pending, which gets the resource probed again."""
    for op in lrm.ops:
        verdict = judge(op)
        if verdict in ("done", "failed"):
            return True
        if verdict == "pending" and op.operation in _ACTIVE_WHEN_PENDING:
            return True
    return False


def fence_word(world: World, node: WNode, plans: dict[int, Plan]) -> str:
    """``stonith-action`` for a real fencing; for a guest node "reboot" when its
    container starts again, else "off"."""
    if node.kind != "guest":
        return world.stonith_action
    container = world.by_id.get(node.container) if node.container else None
    plan = plans.get(id(container)) if container is not None else None
    return "reboot" if plan is not None and plan.target_node is not None else "off"


def revised_state(world: World, node: WNode, plans: dict[int, Plan]) -> str:
    """A remote or guest node after the transition: up when its connection (and a
    guest's container) end up started."""
    if node.unclean and not node.fenced:
        return "UNCLEAN"
    conn = world.by_id.get(node.remote_rsc) if node.remote_rsc else None
    if (
        conn is not None
        and conn.failed
        and conn.reconnect_s
        and world.stonith_enabled
        and not node.remote_was_fenced
    ):
        return "UNCLEAN"  # the connection's failure stays until its reconnect interval
    for rsc_id in (node.remote_rsc, node.container):
        if rsc_id is None:
            continue
        rsc = world.by_id.get(rsc_id)
        plan = plans.get(id(rsc)) if rsc is not None else None
        if plan is None or target_state(plan).role == "Stopped":
            return "OFFLINE"
    if node.remote_rsc is None:
        return "OFFLINE"
    if node.standby:
        return "standby"
    if node.maintenance:
        return "maintenance"
    return "online"


def _scores(world: World) -> list[ScoreDetail]:
    out: list[ScoreDetail] = []
    for rsc in world.by_id.values():
        for node in world.node_order:
            if node not in rsc.allowed:
                continue
            contributions = tuple(
                ScoreContribution(c.kind, c.source, c.value) for c in rsc.explain.get(node, [])
            )
            out.append(ScoreDetail(rsc.id, node, rsc.allowed[node], contributions))
    return out


def schedule(cib: Cib, *, now: datetime | None = None, sanitized: bool = False) -> Transition:
    cib = expand_guests(cib)
    cib, layouts = expand_bundles(cib)
    world = build_world(cib, now, layouts)
    unpack_status(cib, world)
    for rsc in world.resources:
        _summarize_containers(rsc)
    build_locations(cib, world)
    apply_node_health(world)
    build_colocations(cib, world)
    build_orders(cib, world)
    build_tickets(cib, world)
    shown = {name: (node.state, node.online) for name, node in world.nodes.items()}
    have_managed = any(rsc.managed for rsc in world.all_primitives())
    if start_up_disabled(world):
        disable_start_up(world)
    init_scores(world)
    remote_internal_constraints(world)
    if world.bundles:
        bundle_internal_constraints(world)
    order = allocation_order(world) if world.placement_strategy != "default" else None
    order = order or _allocation_order(world)
    for rsc in order:
        if rsc.remote_node is not None:  # connections first: they bring their nodes up
            assign(world, rsc)
            connection_assigned(world, rsc)
    for rsc in order:
        if rsc.remote_node is None:
            assign(world, rsc)
    inhibit_unpaired_instances(world)
    fence_unrecoverable(world)
    schedule_fencing(world, have_managed)
    changes = check_config_changes(cib, world, sanitized=sanitized)
    for clear in world.expired_clears:
        if clear not in changes.clear_failcounts:
            changes.clear_failcounts.append(clear)
    changes.reschedule.update(world.expired_reschedule)
    run = Runnability(world)
    prims = world.all_primitives()
    plans: dict[int, Plan] = {id(r): plan_for(world, r, run) for r in prims}
    mark_definition_changes(world, plans, changes.restarts, changes.reloads)
    mark_required_stops(world, plans)
    history_nodes: dict[str, set[str]] = {}
    for uname, status in cib.status.items():
        for lrm_id, lrm in status.resources.items():
            if (lrm_id, uname) not in world.forgotten and _known(lrm):
                history_nodes.setdefault(lrm_id, set()).add(uname)
    probes = probe_plan(world, history_nodes, plans)
    if world.enable_unfencing:
        _unfence(world, plans, probes, changes.restarts)
    mark_restarts(world, plans)
    mark_migrations(world, plans)
    recheck_restarts(world, plans)
    block_unstoppable_restarts(plans, run)
    for name in world.fence_actions:
        world.nodes[name].fence_action = fence_word(world, world.nodes[name], plans)
    graph = build_graph(cib, world, plans, history_nodes, changes, probes)
    actions = graph.sorted_actions()
    summary: list[SummaryLine] = [
        SummaryLine(
            "Fence",
            name,
            to_node=name,
            reason=world.nodes[name].fence_reason,
            fence_action=world.nodes[name].fence_action,
            container=world.nodes[name].container,
        )
        for name in world.fence_actions
    ]
    summary.extend(
        SummaryLine("Fence", name, to_node=name, reason=reason, fence_action="on")
        for name, reason in world.unfence.items()
    )
    for rsc in prims:
        summary.extend(summary_lines(plans[id(rsc)]))
    # pcmk__order_stops_before_shutdown: a managed resource's stop that cannot run keeps
    # its node's shutdown from running
    stuck = {node for r in prims if r.managed and plans[id(r)].frozen for node in r.running_on}
    nodes = tuple(
        NodeInfo(
            name=n.name,
            state=shown[n.name][0],
            id=n.id,
            shutdown=n.shutdown and n.kind == "cluster",
            fenced=n.fenced,
            online=shown[n.name][1],
            fence_reason=n.fence_reason,
            kind=n.kind,
            revised=revised_state(world, n, plans) if n.kind != "cluster" else None,
            health=n.health,
            shutdown_blocked=n.shutdown and n.name in stuck,
        )
        for n in sorted(world.nodes.values(), key=lambda n: n.index)
    )
    return Transition(
        nodes=nodes,
        current=_shown(world, prims, current_state, False),
        target=_shown(world, prims, lambda r: target_state(plans[id(r)]), True),
        actions=tuple(actions),
        edges=tuple(graph.edges),
        summary=tuple(summary),
        score_source=lambda: tuple(_scores(world)),
        promotion_scores={
            inst.id: inst.sort_index
            for top in world.clones()
            if top.promotable
            for inst in top.children
        },
        have_quorum=world.have_quorum,
    )
