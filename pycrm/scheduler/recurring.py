"""Recurring operations (monitors) and their cancellation, as Pacemaker 2.1.5 schedules them.

For each configured operation with an interval (enabled, not start/stop/promote/demote/
reload-agent/migrate_*, and not defined twice with the same name and interval):

* for the role the resource will have on its node: scheduled unless the resource keeps
  running there without a start and the history shows the operation already active there
  (recorded since the last start); an active one configured for another role (no role
  means any role but Promoted) is cancelled instead;
* ``role="Stopped"`` (primitives and unique clone instances only): scheduled on every other
  node where it is not active yet, and cancelled where the resource will run.

Recurring operations in the history that are no longer configured are cancelled
(``stop-orphan-actions``), as are all of them in maintenance mode.  Blocked resources and
resources in maintenance get no new recurring operations.
"""

from __future__ import annotations

from types import MappingProxyType

from cib.history import ROLE_PROMOTED, ROLE_STOPPED, ROLE_UNKNOWN
from cib.model import Cib, Op, Primitive
from pycrm.scheduler.build import role_of
from pycrm.scheduler.state import World, WRsc
from pycrm.scheduler.types import Action

CANNOT_RECUR = frozenset(
    {"stop", "start", "demote", "promote", "reload-agent", "migrate_to", "migrate_from"}
)


def aid(rsc: str, task: str, node: str | None, interval: int = 0) -> str:
    return f"{rsc}_{task}_{interval}" + (f"@{node}" if node else "")


def configured_recurring(prim: Primitive) -> list[Op]:
    """The primitive's recurring operations Pacemaker schedules at all."""
    return _configured(prim.ops)


_CONFIGURED: dict[int, tuple[list[Op], list[Op]]] = {}


def _configured(ops: list[Op]) -> list[Op]:
    """(cached per ops list: the model is immutable)"""
    found = _CONFIGURED.get(id(ops))
    if found is not None and found[0] is ops:
        return found[1]
    result = _compute_configured(ops)
    if len(_CONFIGURED) > 100_000:
        _CONFIGURED.clear()
    _CONFIGURED[id(ops)] = (ops, result)
    return result


def _compute_configured(prim_ops: list[Op]) -> list[Op]:
    if not any(op.interval_ms for op in prim_ops):
        return []
    out: list[Op] = []
    for op in prim_ops:
        if op.interval_ms <= 0 or not op.enabled or op.name in CANNOT_RECUR:
            continue
        if sum(1 for o in prim_ops if o.name == op.name and o.interval_ms == op.interval_ms) > 1:
            continue  # duplicated name+interval: Pacemaker schedules neither
        out.append(op)
    return out


def _active_keys(world: World, rsc: WRsc, node: str) -> dict[tuple[str, int], str]:
    """(task, interval) -> call-id of the recurring operations active on ``node``."""
    lrm = rsc.history.get(node)
    if lrm is None:
        return {}
    return {(op.operation, op.interval_ms): str(op.call_id) for op in world.active_ops(lrm)[1]}


def cancel_action(rsc: str, task: str, interval: int, node: str, call_id: str = "") -> Action:
    meta = {"operation": task, "interval": str(interval)}
    if call_id:
        meta["call-id"] = call_id
    return Action(
        aid(rsc, "cancel", node, interval),
        rsc,
        "cancel",
        node,
        interval_ms=interval,
        meta=MappingProxyType(meta),
    )


class RecurringPlan:
    """Recurring actions of one primitive: ``monitors`` on its target node (ordered after
    its start/promote by the caller), ``stopped_monitors`` (node, Action) for the Stopped
    role, ``cancels``."""

    __slots__ = ("cancels", "monitors", "stopped_monitors")

    def __init__(self) -> None:
        self.monitors: list[Action] = []
        self.stopped_monitors: list[Action] = []
        self.cancels: list[Action] = []


def plan_recurring(
    cib: Cib,
    world: World,
    rsc: WRsc,
    target: str | None,
    next_role: int,
    start_optional: bool,
    start_runnable: bool,
    reschedule: set[tuple[str, str, str, int]] | frozenset[tuple[str, str, str, int]] = frozenset(),
) -> RecurringPlan:
    out = RecurringPlan()
    if rsc.orphan or rsc.blocked or rsc.maintenance:
        return out
    prim = cib.find(rsc.config_id)
    if not isinstance(prim, Primitive) or not prim.ops:
        return out
    node = world.nodes.get(target) if target is not None else None
    active_role = (
        node is not None and not node.maintenance and (next_role != ROLE_STOPPED or not rsc.managed)
    )
    ops = configured_recurring(prim)
    if not ops:
        return out
    active_here = _active_keys(world, rsc, target) if target is not None else {}
    for op in ops:
        role = role_of(op.role) if op.role else ROLE_UNKNOWN
        if role == ROLE_STOPPED:
            _stopped_role(world, rsc, op, target, out)
            continue
        if not active_role or target is None:
            continue
        optional = (
            start_optional
            and (op.name, op.interval_ms) in active_here
            and (rsc.id, target, op.name, op.interval_ms) not in reschedule
        )
        mismatch = role not in (ROLE_UNKNOWN, next_role) or (
            role == ROLE_UNKNOWN and next_role == ROLE_PROMOTED
        )
        if mismatch:
            if optional:
                out.cancels.append(cancel_action(rsc.id, op.name, op.interval_ms, target))
            continue
        if optional or not start_runnable:
            continue
        wnode = world.nodes[target]
        if not wnode.online or wnode.unclean:
            continue
        out.monitors.append(_recurring_action(rsc, op, target))
    return out


def _recurring_action(rsc: WRsc, op: Op, node: str) -> Action:
    return Action(
        aid(rsc.id, op.name, node, op.interval_ms),
        rsc.id,
        op.name,
        node,
        interval_ms=op.interval_ms,
    )


def _stopped_role(world: World, rsc: WRsc, op: Op, target: str | None, out: RecurringPlan) -> None:
    if not rsc.unique:
        return  # not supported for anonymous clones (Pacemaker ignores them too)
    for name in world.node_order:
        active = _active_keys(world, rsc, name)
        if name == target:
            if (op.name, op.interval_ms) in active:
                out.cancels.append(cancel_action(rsc.id, op.name, op.interval_ms, name))
            continue
        stopping = rsc.managed and name in rsc.running_on  # scheduled again after its stop
        if (op.name, op.interval_ms) in active and not stopping:
            continue
        wnode = world.nodes[name]
        if not wnode.online or wnode.unclean:
            continue
        out.stopped_monitors.append(_recurring_action(rsc, op, name))


def history_cancels(cib: Cib, world: World, rsc: WRsc) -> list[Action]:
    """Cancels of recurring operations in the history of an active resource that are no
    longer configured (``stop-orphan-actions``) or that maintenance mode ends."""
    if not rsc.running_on or not rsc.history or rsc.orphan:
        return []
    prim = cib.find(rsc.config_id)
    if not isinstance(prim, Primitive):
        return []
    stop_orphan_actions = world.stop_orphan_actions
    configured: set[tuple[str, int]] | None = None
    out: list[Action] = []
    for name in rsc.running_on:
        node = world.nodes[name]
        usable = (
            node.online
            and not node.shutdown
            and not node.unclean
            and not node.standby
            and not node.maintenance
        )
        if not (usable or node.maintenance) or name not in rsc.history:
            continue
        for op in world.active_ops(rsc.history[name])[1]:
            if rsc.maintenance or node.maintenance:
                out.append(cancel_action(rsc.id, op.operation, op.interval_ms, name))
                continue
            if configured is None:
                configured = {
                    (o.name, o.interval_ms) for o in prim.ops if o.enabled and o.interval_ms
                }
            if (op.operation, op.interval_ms) not in configured and stop_orphan_actions:
                out.append(
                    cancel_action(rsc.id, op.operation, op.interval_ms, name, str(op.call_id))
                )
    return out
