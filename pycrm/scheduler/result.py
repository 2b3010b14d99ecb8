"""Current and target (revised) resource states and the Transition Summary lines.

The target is what crm_simulate prints under "Revised Cluster Status": every action is
assumed to succeed, so a placed resource whose start can run ends up on its node in its next
role (failures cleared); unmanaged and blocked resources stay exactly as they are; orphans
and resources that cannot start end up stopped.
"""

from __future__ import annotations

from cib._record import ValueRecord, replace
from cib.history import (
    ROLE_NAMES,
    ROLE_PROMOTED,
    ROLE_STARTED,
    ROLE_STOPPED,
    ROLE_UNPROMOTED,
    judge,
)
from pycrm.scheduler.build import is_true
from pycrm.scheduler.ordering import Runnability
from pycrm.scheduler.state import OrderDef, World, WRsc
from pycrm.scheduler.types import ResourceState, SummaryLine


class Plan(ValueRecord):
    """What happens to one primitive."""

    rsc: WRsc
    target_node: str | None
    target_role: int
    restart: bool
    restart_reason: str
    stop_reason: str
    blocked_start: bool
    frozen: bool  # must change but cannot be stopped: stays exactly as it is
    silent: bool  # frozen on an unclean node (no fencing device): no summary line
    monitors_run: bool  # recurring monitors get scheduled (not without quorum)
    migrate: bool
    reload: bool
    promote_blocked: str  # why the promotion this placement wants cannot run

    __slots__ = (
        "blocked_start",
        "frozen",
        "migrate",
        "monitors_run",
        "promote_blocked",
        "reload",
        "restart",
        "restart_reason",
        "rsc",
        "silent",
        "stop_reason",
        "target_node",
        "target_role",
    )
    __match_args__ = (
        "rsc",
        "target_node",
        "target_role",
        "restart",
        "restart_reason",
        "stop_reason",
        "blocked_start",
        "frozen",
        "silent",
        "monitors_run",
        "migrate",
        "reload",
        "promote_blocked",
    )

    def __init__(
        self,
        rsc: WRsc,
        target_node: str | None,
        target_role: int,
        restart: bool = False,
        restart_reason: str = "",
        stop_reason: str = "",
        blocked_start: bool = False,
        frozen: bool = False,
        silent: bool = False,
        monitors_run: bool = True,
        migrate: bool = False,
        reload: bool = False,
        promote_blocked: str = "",
    ) -> None:
        self.rsc = rsc
        self.target_node = target_node
        self.target_role = target_role
        self.restart = restart
        self.restart_reason = restart_reason
        self.stop_reason = stop_reason
        self.blocked_start = blocked_start
        self.frozen = frozen
        self.silent = silent
        self.monitors_run = monitors_run
        self.migrate = migrate
        self.reload = reload
        self.promote_blocked = promote_blocked


def _role_name(rsc: WRsc, role: int) -> str:
    if rsc.orphan and rsc.unique and role == ROLE_UNPROMOTED:
        return "Started"  # orphaned instances are not treated as promotable
    if role == ROLE_STARTED and _promotable(rsc):
        return "Unpromoted"
    return ROLE_NAMES[role]


def _promotable(rsc: WRsc) -> bool:
    parent = rsc.clone_parent
    return parent is not None and parent.promotable


def _containers(rsc: WRsc) -> tuple[str | None, str | None]:
    group = rsc.parent.id if rsc.parent is not None and rsc.parent.variant == "group" else None
    clone = rsc.clone_parent
    return group, clone.id if clone is not None else None


def _state(
    rsc: WRsc, role: int, nodes: tuple[str, ...], failed: bool, *, revised: bool
) -> ResourceState:
    group, clone = _containers(rsc)
    blocked = rsc.blocked and not rsc.ticket_frozen
    unmanaged = not rsc.managed and not rsc.managed_shown and not rsc.ticket_frozen
    return ResourceState(
        id=rsc.id,
        base_id=rsc.base_id,
        role=_role_name(rsc, role) if nodes else "Stopped",
        nodes=nodes,
        agent=rsc.agent,
        failed=failed,
        blocked=blocked,
        unmanaged=unmanaged,
        orphaned=rsc.orphan and not revised,
        failure_ignored=rsc.failure_ignored,
        disabled=rsc.target_role == ROLE_STOPPED,
        group=group,
        clone=clone,
        promotable=_promotable(rsc),
        unique=rsc.unique and clone is not None,
    )


def current_state(rsc: WRsc) -> ResourceState:
    role = rsc.role if rsc.running_on else ROLE_STOPPED
    nodes = tuple(rsc.running_on)
    if rsc.left_on:
        nodes = tuple(n for n in rsc.node_roles if n in rsc.running_on or n in rsc.left_on)
    return _state(rsc, role, nodes, rsc.failed, revised=False)


def plan_for(world: World, rsc: WRsc, run: Runnability) -> Plan:
    plan = _plan(world, rsc, run)
    plan.monitors_run = world.have_quorum or world.no_quorum_policy == "ignore"
    if not rsc.managed or not rsc.running_on:
        return plan
    if any(world.nodes[n].unclean and not world.nodes[n].fenced for n in rsc.running_on):
        # Recovery needs fencing first, and the node cannot be fenced: it stays put (its
        # stop there is blocked).
        reason = plan.stop_reason or "node availability"
        # a stop that failed there because the agent is not installed leaves it blocked:
        # nothing to say about it
        failed_there = any(
            op.operation == "stop" and op.rc_code == 5 and judge(op) == "failed"
            for n in rsc.running_on
            if world.nodes[n].unclean
            for op in (rsc.history[n].ops if n in rsc.history else ())
        )
        return Plan(
            rsc, rsc.current_node, rsc.role, stop_reason=reason, frozen=True, silent=failed_there
        )
    needs_stop = (
        plan.target_node is None
        or plan.target_node != rsc.current_node
        or rsc.failed
        or len(rsc.running_on) > 1
    )
    if needs_stop:
        ok, reason = run.stop_ok(rsc)
        if not ok:
            return Plan(rsc, rsc.current_node, rsc.role, stop_reason=reason, frozen=True)
    return plan


def _plan(world: World, rsc: WRsc, run: Runnability) -> Plan:
    if not rsc.managed:
        return Plan(rsc, rsc.current_node, rsc.role)
    if rsc.orphan:
        return Plan(rsc, None, ROLE_STOPPED, stop_reason="node availability")
    if rsc.assigned is not None and run.start_ok(rsc):
        role = rsc.next_role
        if role in (0, ROLE_STOPPED):
            role = ROLE_UNPROMOTED if _promotable(rsc) else ROLE_STARTED
        if _promotable(rsc) and role == ROLE_STARTED:
            role = ROLE_UNPROMOTED
        if role == ROLE_PROMOTED and rsc.node_roles.get(rsc.assigned, 0) != ROLE_PROMOTED:
            ok, why = run.promote_ok(rsc)
            if not ok:  # started, but its promotion is blocked
                return Plan(rsc, rsc.assigned, ROLE_UNPROMOTED, promote_blocked=why)
        return Plan(rsc, rsc.assigned, role)
    reason = run.reasons.get(id(rsc), "node availability")
    return Plan(
        rsc,
        None,
        ROLE_STOPPED,
        stop_reason=reason,
        blocked_start=rsc.assigned is not None,
    )


def _failure_cleared_by_monitor(rsc: WRsc) -> bool:
    """An unmanaged (not maintenance) resource whose only failures are configured recurring
    monitors gets those monitors re-run, which succeed in a simulation."""
    if rsc.blocked or rsc.maintenance or not rsc.failed_ops or len(rsc.running_on) != 1:
        return False
    return all(
        task == "monitor" and interval in rsc.monitor_intervals for task, interval in rsc.failed_ops
    )


def target_state(plan: Plan) -> ResourceState:
    rsc = plan.rsc
    if plan.frozen:
        return _state(rsc, rsc.role, tuple(rsc.running_on), rsc.failed, revised=True)
    if not rsc.managed:
        failed = rsc.failed and not (plan.monitors_run and _failure_cleared_by_monitor(rsc))
        return _state(rsc, rsc.role, tuple(rsc.running_on), failed, revised=True)
    nodes = (plan.target_node,) if plan.target_node is not None else ()
    return _state(rsc, plan.target_role, nodes, False, revised=True)


# --------------------------------------------------------------------------- summary
def summary_lines(plan: Plan) -> list[SummaryLine]:
    """crm_simulate's Transition Summary lines for one primitive (several when it is active
    on more than one node and must stop), with its roles before and after."""
    lines = _summary_lines(plan)
    if not lines:
        return lines
    before, after = _roles(plan)
    return [
        replace(line, from_role=line.from_role or before, to_role=line.to_role or after)
        for line in lines
    ]


def _roles(plan: Plan) -> tuple[str, str]:
    """The role names current_state and target_state give (without building them)."""
    rsc = plan.rsc
    before = _role_name(rsc, rsc.role) if rsc.running_on else "Stopped"
    if plan.frozen or not rsc.managed:
        return before, before
    after = _role_name(rsc, plan.target_role) if plan.target_node is not None else "Stopped"
    return before, after


def _summary_lines(plan: Plan) -> list[SummaryLine]:
    rsc = plan.rsc
    if (
        rsc.managed
        and not plan.frozen
        and plan.target_node is None
        and (not plan.blocked_start or rsc.clone_parent is not None)
        and len(rsc.running_on) > 1
    ):
        return [
            SummaryLine("Stop", rsc.id, from_node=node, reason=plan.stop_reason)
            for node in rsc.running_on
        ]
    line = summary_line(plan)
    return [] if line is None else [line]


def summary_line(plan: Plan) -> SummaryLine | None:
    rsc = plan.rsc
    if not rsc.managed:
        return None
    if plan.frozen and plan.silent:
        return None
    if plan.frozen:
        return SummaryLine(
            "Stop", rsc.id, from_node=rsc.current_node, reason=plan.stop_reason, blocked=True
        )
    current = rsc.current_node
    target = plan.target_node
    if current is None and target is None:
        if plan.blocked_start and rsc.assigned is not None:
            if rsc.next_role == ROLE_PROMOTED:
                return SummaryLine(
                    "Promote",
                    rsc.id,
                    to_node=rsc.assigned,
                    from_role="Stopped",
                    to_role="Promoted",
                    blocked=True,
                )
            return SummaryLine(
                "Start", rsc.id, to_node=rsc.assigned, reason=plan.stop_reason, blocked=True
            )
        return None
    if target is None:
        return SummaryLine("Stop", rsc.id, from_node=current, reason=plan.stop_reason)
    cur_role = rsc.role if current is not None else ROLE_STOPPED
    tgt_role = plan.target_role
    if plan.promote_blocked and (current is None or current == target):
        return SummaryLine(
            "Promote",
            rsc.id,
            to_node=target,
            from_role=_role_name(rsc, cur_role),
            to_role="Promoted",
            reason=plan.promote_blocked,
            blocked=True,
        )
    if current is None:
        if tgt_role == ROLE_PROMOTED:
            return SummaryLine(
                "Promote", rsc.id, to_node=target, from_role="Stopped", to_role="Promoted"
            )
        return SummaryLine("Start", rsc.id, to_node=target)
    if plan.migrate and rsc.partial_migration is not None:
        return SummaryLine("Migrate", rsc.id, from_node=rsc.partial_migration[0], to_node=target)
    if len(rsc.running_on) > 1 and target == current:
        verb = "Recover" if rsc.failed else "Restart"
        return SummaryLine(verb, rsc.id, from_node=target, to_node=target)
    if current != target or len(rsc.running_on) > 1:
        verb = "Recover" if rsc.failed else "Migrate" if plan.migrate else "Move"
        return SummaryLine(verb, rsc.id, from_node=current, to_node=target)
    if recovers_by_demotion(plan) and cur_role == tgt_role == ROLE_PROMOTED:
        return SummaryLine(
            "Re-promote",
            rsc.id,
            from_node=target,
            to_node=target,
            from_role="Promoted",
            to_role="Promoted",
        )
    if recovers_by_demotion(plan) and cur_role == ROLE_PROMOTED:
        return SummaryLine(
            "Demote", rsc.id, to_node=target, from_role="Promoted", to_role="Unpromoted"
        )
    if rsc.failed:
        return SummaryLine("Recover", rsc.id, from_node=current, to_node=target)
    if plan.restart:  # a restart that also changes the role is a Restart with both roles
        return SummaryLine(
            "Restart", rsc.id, from_node=current, to_node=target, reason=plan.restart_reason
        )
    if tgt_role == ROLE_PROMOTED and cur_role < ROLE_PROMOTED:
        return SummaryLine(
            "Promote",
            rsc.id,
            to_node=target,
            from_role=_role_name(rsc, cur_role),
            to_role="Promoted",
        )
    if tgt_role < ROLE_PROMOTED and cur_role == ROLE_PROMOTED:
        return SummaryLine(
            "Demote", rsc.id, to_node=target, from_role="Promoted", to_role="Unpromoted"
        )
    if plan.reload:
        return SummaryLine("Reload", rsc.id, from_node=current, to_node=target)
    return None


def starts_fresh(plan: Plan) -> bool:
    """The plan runs a start for this resource (start, move, recover or restart)."""
    rsc = plan.rsc
    if plan.target_node is None or not rsc.managed or plan.frozen:
        return False
    return (
        rsc.current_node != plan.target_node
        or (rsc.failed and not rsc.on_fail_demote)
        or plan.restart
        or len(rsc.running_on) > 1
    )


def recovers_by_demotion(plan: Plan) -> bool:
    """A promoted failure handled by on-fail=demote, where it stays: demoted (and promoted
    again when it keeps the role), never stopped."""
    rsc = plan.rsc
    return (
        rsc.failed
        and rsc.on_fail_demote
        and plan.target_node is not None
        and plan.target_node == rsc.current_node
        and not starts_fresh(plan)
    )


def mark_definition_changes(
    world: World, plans: dict[int, Plan], restarts: set[str], reloads: set[tuple[str, str]]
) -> None:
    """Restart (or reload) resources whose definition changed, where they stay."""
    if not restarts and not reloads:
        return
    for rsc in world.all_primitives():
        plan = plans[id(rsc)]
        staying = (
            rsc.managed
            and not plan.frozen
            and plan.target_node is not None
            and plan.target_node == rsc.current_node
            and not starts_fresh(plan)
        )
        if not staying:
            continue
        if rsc.id in restarts:
            plan.restart = True
            plan.restart_reason = "resource definition change"
        elif (rsc.id, plan.target_node) in reloads and not rsc.failed:
            plan.reload = True


def mark_required_stops(world: World, plans: dict[int, Plan]) -> None:
    """A container whose filler failed (on-fail restart-container) restarts where it stays."""
    for rsc in world.all_primitives():
        if not rsc.stop_nodes:
            continue
        plan = plans[id(rsc)]
        if (
            rsc.managed
            and not plan.frozen
            and plan.target_node is not None
            and plan.target_node == rsc.current_node
            and plan.target_node in rsc.stop_nodes
            and not starts_fresh(plan)
        ):
            plan.restart = True


def mark_restarts(world: World, plans: dict[int, Plan]) -> None:
    """Running resources that must restart because something they depend on (re)starts."""
    prims = world.all_primitives()
    for _ in range(len(prims) + 1):
        changed = False
        for rsc in prims:
            plan = plans[id(rsc)]
            if plan.restart or plan.frozen or plan.target_node is None:
                continue
            if rsc.current_node != plan.target_node:
                continue
            if rsc.failed or not rsc.managed:
                continue
            reason = _restart_cause(world, rsc, plans)
            if reason:
                plan.restart = True
                plan.restart_reason = reason
                changed = True
        if not changed:
            return


def _orders_by_then(world: World) -> dict[int, list[OrderDef]]:
    if world.orders_by_then is None:
        index: dict[int, list[OrderDef]] = {}
        for order in world.orders:
            index.setdefault(id(order.then), []).append(order)
        world.orders_by_then = index
    return world.orders_by_then


def _implies(plan: Plan) -> bool:
    """A start that restarts what is ordered after it: a real start (the pseudo start of a
    live migration does not)."""
    return starts_fresh(plan) and not plan.migrate


def block_unstoppable_restarts(plans: dict[int, Plan], run: Runnability) -> None:
    """A restart whose stop cannot run (a later group member or a "then" that is blocked)
    leaves the resource as it is, its stop blocked."""
    for plan in plans.values():
        if not plan.restart or plan.frozen:
            continue
        ok, why = run.stop_ok(plan.rsc)
        if not ok:
            rsc = plan.rsc
            plan.restart = False
            plan.frozen = True
            plan.target_node = rsc.current_node
            plan.target_role = rsc.role
            plan.stop_reason = why


def recheck_restarts(world: World, plans: dict[int, Plan]) -> None:
    """Once migrations are known, redo the restarts implied by orderings (a migrating
    resource's start implies none)."""
    if not any(plan.migrate for plan in plans.values()):
        return
    for plan in plans.values():
        if plan.restart and plan.restart_reason.startswith("required "):
            plan.restart = False
            plan.restart_reason = ""
    mark_restarts(world, plans)


def _restart_cause(world: World, rsc: WRsc, plans: dict[int, Plan]) -> str:
    node = world.nodes.get(rsc.current_node or "")
    if node is not None and node.container is not None:
        # a resource on a guest node restarts with the guest's container
        container = world.by_id.get(node.container)
        cplan = plans.get(id(container)) if container is not None else None
        if cplan is not None and starts_fresh(cplan):
            return f"required {node.container} start"
    parent = rsc.parent
    if parent is not None and parent.variant == "group":
        index = parent.children.index(rsc)
        if index > 0:
            prev = parent.children[index - 1]
            if starts_fresh(plans[id(prev)]):
                return f"required {prev.id} start"
    chain: list[WRsc] = [rsc]
    cur = rsc.parent
    while cur is not None:
        chain.append(cur)
        cur = cur.parent
    for order in (o for member in chain for o in _orders_by_then(world).get(id(member), ())):
        if order.then_action != "start" or order.first_action != "start":
            continue
        if order.then.variant == "clone" and order.kind != "Mandatory":
            continue  # optional orderings do not restart clone instances
        first = order.first
        firsts = first.primitives()
        if order.then.variant == "clone" and first.variant == "clone":
            if not order.then.interleave:
                continue  # the clone's start is required, not its instances'
            # interleaved: only the instance of the first clone on the same node counts
            instance = next(m for m in chain if m.parent is order.then)
            firsts = [
                p
                for inst in first.children
                if inst.assigned is not None and inst.assigned == instance.assigned
                for p in inst.primitives()
            ]
            if any(_implies(plans[id(p)]) for p in firsts if id(p) in plans):
                return f"required {firsts[0].id} start"
            continue
        if not any(_implies(plans[id(p)]) for p in firsts if id(p) in plans):
            continue
        if first.variant == "primitive" and order.kind == "Mandatory":
            return f"required {first.id} start"
        if first.variant == "clone":
            # a clone's start implies the "then" only through its instance on the same node
            where = plans[id(rsc)].target_node
            firsts = [p for p in firsts if p.assigned is not None and p.assigned == where]
            if not any(_implies(plans[id(p)]) for p in firsts if id(p) in plans):
                continue
        if first.variant != "primitive" and (
            order.kind == "Mandatory" or (order.kind == "Optional" and first.running_on)
        ):
            return f"required {first.id} running"
    return ""


def _can_migrate(world: World, rsc: WRsc, plan: Plan) -> bool:
    """Pacemaker's pcmk__rsc_can_migrate for a resource that moves."""
    current, target = rsc.current_node, plan.target_node
    if rsc.partial_migration is not None:
        # a migration half done continues only to where it was going
        return (
            is_true(rsc.meta.get("allow-migrate"))
            and rsc.managed
            and not rsc.failed
            and not rsc.no_migrate
            and plan.target_node == rsc.partial_migration[1]
            and plan.target_role == ROLE_STARTED
            and not plan.frozen
        )
    return (
        is_true(rsc.meta.get("allow-migrate"))
        and rsc.managed
        and not rsc.failed
        and not rsc.no_migrate
        and not rsc.dangling  # its last migration still needs its stop
        and rsc.clone_parent is None
        and len(rsc.running_on) == 1
        and current is not None
        and target is not None
        and current != target
        and not world.nodes[current].unclean
        and not world.nodes[target].unclean
        and plan.target_role == ROLE_STARTED
        and not plan.frozen
    )


def mark_migrations(world: World, plans: dict[int, Plan]) -> None:
    """Live migration (migrate_to + migrate_from instead of stop + start) for resources
    with ``allow-migrate`` that move; a start it must wait for that is a real start (not
    itself a migration) makes it move the ordinary way, as in Pacemaker."""
    candidates = [
        r
        for r in world.all_primitives()
        if "allow-migrate" in r.meta and _can_migrate(world, r, plans[id(r)])
    ]
    if not candidates:
        return
    for rsc in candidates:
        plans[id(rsc)].migrate = True
    changed = True
    while changed:
        changed = False
        for rsc in candidates:
            plan = plans[id(rsc)]
            if plan.migrate and _waits_for_real_start(world, rsc, plans):
                plan.migrate = False
                changed = True


def _waits_for_real_start(world: World, rsc: WRsc, plans: dict[int, Plan]) -> bool:
    firsts: list[WRsc] = []
    parent = rsc.parent
    if parent is not None and parent.variant == "group":
        index = parent.children.index(rsc)
        if index > 0:
            firsts.append(parent.children[index - 1])
    chain: list[WRsc] = [rsc]
    cur = rsc.parent
    while cur is not None:
        chain.append(cur)
        cur = cur.parent
    for member in chain:
        for order in _orders_by_then(world).get(id(member), ()):
            if order.kind == "Mandatory" and order.first_action == order.then_action == "start":
                firsts.extend(order.first.primitives())
    for first in firsts:
        fplan = plans.get(id(first))
        if fplan is not None and starts_fresh(fplan) and not fplan.migrate:
            return True
    return False
