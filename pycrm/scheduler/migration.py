"""Where an interrupted live migration left a resource (Pacemaker 2.1.5's unpack of
``migrate_to`` and ``migrate_from`` results), from the histories of both nodes.

A live migration is ``migrate_to`` on the source, ``migrate_from`` on the target, then a
stop on the source.  Each node's history alone says the resource is active there after a
``migrate_to`` (and after a ``migrate_from``); the other node's history decides the rest:

* ``migrate_to`` succeeded, no ``migrate_from`` yet (or pending): a *partial* migration --
  active on both nodes; the migration may continue where it was going (unless newer
  results on the target say otherwise; if the source has nothing newer either, the
  resource counts as failed and may not migrate again);
* ``migrate_to`` and ``migrate_from`` succeeded but no stop on the source: a *dangling*
  migration -- the source gets a stop;
* ``migrate_from`` failed: active (and failed) on the target too;
* ``migrate_to`` failed: active on the target too unless the target knows better, else a
  dangling migration on the source;
* a failed ``migrate_from``: active (and failed) on the source too unless it knows better.

"Newer" compares call ids on the same node, else the time of the last result change.
"""

from __future__ import annotations

from cib.history import EXEC_DONE, EXEC_PENDING, RC_NOT_RUNNING, RC_OK, ROLE_STARTED, judge
from cib.model import Cib, OpRecord
from pycrm.scheduler.state import World, WRsc

_NON_MONITOR = frozenset({"start", "stop", "migrate_to", "migrate_from"})


def _newer(a: OpRecord, b: OpRecord, same_node: bool) -> bool:
    if same_node:
        return a.call_id > b.call_id
    if a.last_rc_change is not None and b.last_rc_change is not None:
        return a.last_rc_change > b.last_rc_change
    return False


class _Histories:
    """Every node's recorded operations of one resource, from the status section."""

    def __init__(self, cib: Cib, rsc_id: str) -> None:
        self.ops: dict[str, list[OpRecord]] = {}
        for uname, status in cib.status.items():
            lrm = status.resources.get(rsc_id)
            if lrm is not None:
                self.ops[uname] = lrm.ops

    def find(
        self, task: str, node: str, source: str, target: str, rc: int | None = None
    ) -> OpRecord | None:
        """The latest ``task`` on ``node`` for that source and target (Pacemaker's
        find_lrm_op)."""
        found: OpRecord | None = None
        for op in self.ops.get(node, ()):
            if op.operation != task or op.migrate_source != source or op.migrate_target != target:
                continue
            if rc is not None and (op.rc_code != rc or op.op_status != EXEC_DONE):
                continue
            if found is None or op.call_id > found.call_id:
                found = op
        return found

    def unknown_on(self, node: str) -> bool:
        """No completed result at all on ``node``."""
        return not any(op.rc_code != 193 for op in self.ops.get(node, ()))

    def non_monitor_after(self, node: str, ref: OpRecord, same_node: bool) -> bool:
        return any(
            op is not ref and op.operation in _NON_MONITOR and _newer(op, ref, same_node)
            for op in self.ops.get(node, ())
        )

    def not_running_after(self, node: str, ref: OpRecord, same_node: bool) -> bool:
        return any(
            op is not ref
            and op.operation == "monitor"
            and op.rc_code == RC_NOT_RUNNING
            and _newer(op, ref, same_node)
            for op in self.ops.get(node, ())
        )

    def newer_state(
        self, node: str, migrate_to: OpRecord | None, migrate_from: OpRecord | None
    ) -> bool:
        """Pacemaker's newer_state_after_migrate: ``node`` has results newer than the
        migration's (compared with the migration result on that node when there is one)."""
        ref = migrate_from or migrate_to
        if ref is None:
            return False
        same_node = False
        if node == ref.migrate_target:
            if migrate_from is not None:
                ref, same_node = migrate_from, True
            elif migrate_to is not None:
                ref = migrate_to
        elif node == ref.migrate_source:
            if migrate_to is not None:
                ref, same_node = migrate_to, True
            elif migrate_from is not None:
                ref = migrate_from
        return self.non_monitor_after(node, ref, same_node) or self.not_running_after(
            node, ref, same_node
        )


def _last(ops: list[OpRecord], task: str) -> OpRecord | None:
    found: OpRecord | None = None
    for op in ops:
        done = op.operation == task and op.op_status != EXEC_PENDING and op.call_id >= 0
        if done and (found is None or op.call_id > found.call_id):
            found = op
    return found


def _add_running(world: World, rsc: WRsc, node: str, failed: bool, before: str) -> None:
    """Active on ``node`` too -- found while reading ``before``'s history, so listed ahead
    of it (Pacemaker adds a node once that node's whole history is read)."""
    wnode = world.nodes.get(node)
    if wnode is None or not wnode.online:
        return
    if node not in rsc.running_on:
        if before in rsc.running_on:
            rsc.running_on.insert(rsc.running_on.index(before), node)
        else:
            rsc.running_on.append(node)
    rsc.node_roles[node] = max(rsc.node_roles.get(node, 0), ROLE_STARTED)
    rsc.role = max(rsc.role, ROLE_STARTED)
    rsc.known_on.add(node)
    if failed:
        rsc.failed = True


def _migrate_to_done(world: World, rsc: WRsc, h: _Histories, source: str, op: OpRecord) -> None:
    target = op.migrate_target or ""
    source_newer = h.non_monitor_after(source, op, True)
    migrate_from = h.find("migrate_from", target, source, target)
    if source_newer and migrate_from is not None:
        return
    target_newer = h.newer_state(target, op, migrate_from)
    if source_newer and target_newer:
        return
    tnode = world.nodes.get(target)
    snode = world.nodes.get(source)
    if (
        migrate_from is not None
        and migrate_from.rc_code == RC_OK
        and (migrate_from.op_status == EXEC_DONE)
    ):
        # done but never stopped on the source: not active there, but stopped there
        if source in rsc.running_on:
            rsc.running_on.remove(source)
            rsc.node_roles.pop(source, None)
        if not target_newer and snode is not None and snode.online:
            rsc.dangling.add(source)
    elif migrate_from is not None and migrate_from.op_status != EXEC_PENDING:
        if not target_newer and tnode is not None and tnode.online:
            _add_running(world, rsc, target, True, source)
        else:
            rsc.failed = True
            rsc.no_migrate = True
    elif not target_newer and tnode is not None and tnode.online:
        _add_running(world, rsc, target, False, source)
        if snode is not None and snode.online:
            rsc.partial_migration = (source, target)
    elif not source_newer:
        rsc.failed = True
        rsc.no_migrate = True


def _migrate_to_failed(world: World, rsc: WRsc, h: _Histories, source: str, op: OpRecord) -> None:
    target = op.migrate_target or ""
    migrate_from = h.find("migrate_from", target, source, target, RC_OK)
    if not h.unknown_on(target) and not h.newer_state(target, op, migrate_from):
        _add_running(world, rsc, target, False, source)
    elif not h.non_monitor_after(source, op, True):
        rsc.dangling.add(source)


def _migrate_from_failed(world: World, rsc: WRsc, h: _Histories, target: str, op: OpRecord) -> None:
    source = op.migrate_source or ""
    migrate_to = h.find("migrate_to", source, source, target, RC_OK)
    if not h.unknown_on(source) and not h.newer_state(source, migrate_to, op):
        _add_running(world, rsc, source, True, target)


def unpack_migrations(cib: Cib, world: World) -> None:
    """Apply what interrupted migrations say across nodes to the resources' state."""
    for rsc in world.all_primitives():
        if not rsc.history or not any(
            op.operation in ("migrate_to", "migrate_from")
            for lrm in rsc.history.values()
            for op in lrm.ops
        ):
            continue
        h = _Histories(cib, rsc.history_name or rsc.id)
        for node, lrm in list(rsc.history.items()):
            migrate_to = _last(lrm.ops, "migrate_to")
            if (
                migrate_to is not None
                and migrate_to.migrate_target
                and (migrate_to.migrate_target != node)
            ):
                if judge(migrate_to) == "done":
                    _migrate_to_done(world, rsc, h, node, migrate_to)
                else:
                    _migrate_to_failed(world, rsc, h, node, migrate_to)
            if world.nodes[node].unclean:
                for op in lrm.ops:
                    # a migrate_to still running on a node to be fenced: its target gets a
                    # stop (unpack_rsc_op, pending migrate_to)
                    target = op.migrate_target
                    pending = op.operation == "migrate_to" and judge(op) == "pending"
                    if pending and target in world.nodes and target != node:
                        rsc.dangling.add(target or "")
            migrate_from = _last(lrm.ops, "migrate_from")
            if (
                migrate_from is not None
                and migrate_from.migrate_source
                and migrate_from.migrate_source != node
                and judge(migrate_from) == "failed"
            ):
                _migrate_from_failed(world, rsc, h, node, migrate_from)
