"""Resource definition changes, found by comparing recorded operation digests.

Pacemaker 2.1.5 (``pcmk__handle_rsc_config_changes``) looks at every active resource on
every usable node (or node in maintenance): for the operations recorded since the last start
-- recurring ones, and probes, starts, promotes and migrate_froms -- it recomputes the
digests (:mod:`pycrm.scheduler.digests`, :func:`cib.digest.operation_digests`) and
compares them with the recorded ones:

* the restart digest differs (a parameter a reload cannot change), or an operation with its
  own instance attributes changed: the resource restarts, reason "resource definition
  change";
* otherwise, if ``op-digest`` differs or is missing: a recurring operation is rescheduled; a
  start (or probe, promote, migrate_from) is reloaded (``reload-agent``) when the agent
  supports it (the record has a restart digest), else restarted;
* a recurring operation no longer configured is cancelled (see
  :mod:`pycrm.scheduler.recurring`);
* when any of that applies and the resource has failures on the node, its fail count is
  cleared there (a ``clear_failcount`` cluster action).
"""

from __future__ import annotations

from datetime import UTC, datetime

from cib.digest import filter_for_digest, params_digest
from cib.history import fail_count, judge
from cib.model import Cib, LrmResource, OpRecord, Primitive
from pycrm.scheduler.bundles import bundle_connection_address
from pycrm.scheduler.digests import (
    expected_digests,
    find_op,
    only_private_changed,
    op_parameters,
    resource_parameters,
    timeout_ms,
)
from pycrm.scheduler.state import World, WRsc

REASON = "resource definition change"
_CHECKED = frozenset({"monitor", "start", "promote", "migrate_from"})


class ConfigChanges:
    """What the comparison asks for: ``restarts`` (resource ids), ``reloads`` and
    ``clear_failcounts`` ((resource id, node)), ``reschedule`` ((resource id, node, task,
    interval))."""

    __slots__ = ("clear_failcounts", "reloads", "reschedule", "restarts")

    def __init__(self) -> None:
        self.restarts: set[str] = set()
        self.reloads: set[tuple[str, str]] = set()
        self.reschedule: set[tuple[str, str, str, int]] = set()
        self.clear_failcounts: list[tuple[str, str]] = []


def check_config_changes(cib: Cib, world: World, *, sanitized: bool = False) -> ConfigChanges:
    out = ConfigChanges()
    now = datetime.fromtimestamp(world.now_epoch, UTC)
    checked = {
        name
        for name, wnode in world.nodes.items()
        if wnode.maintenance
        or (wnode.online and not wnode.shutdown and not wnode.unclean and not wnode.standby)
    }
    timeouts: dict[int, str] = {}  # id(op) -> timeout, when no rule can change it
    rules_in_op_defaults = any(s.rule is not None for s in cib.op_defaults)
    _inactive_agent_changes(cib, world, checked)
    for rsc in world.all_primitives():
        if rsc.orphan or not rsc.running_on:
            continue
        prim = cib.find(rsc.config_id)
        if not isinstance(prim, Primitive):
            continue
        if rsc.bundle_part == "remote":
            prim = bundle_connection_address(world, rsc, prim)
        for node in rsc.running_on:
            lrm = rsc.history.get(node)
            if lrm is None or node not in checked:
                continue
            wnode = world.nodes[node]
            if _agent_changed(lrm, prim):
                # the agent changed (pcmk__rsc_agent_changed): restart, clean up its history
                out.restarts.add(rsc.id)
                world.cleanups.append((rsc.id, node))
                continue
            changed = False
            base: dict[str, str] | None = None
            plain: str | None = None  # digest without op parameters or timeout
            for op in world.active_ops(lrm)[0]:
                interval = op.interval_ms
                if interval and (rsc.maintenance or wnode.maintenance):
                    continue  # cancelled (recurring.history_cancels)
                if not interval and op.operation not in _CHECKED:
                    continue
                configured = find_op(prim, op.operation, interval)
                if interval and configured is None:
                    changed = True  # orphaned recurring operation: cancelled
                    continue
                if base is None:
                    base = resource_parameters(cib, prim, wnode.attrs, now)
                if op.op_digest is not None and op.op_restart_digest is None:
                    # the usual case first: only the main digest to compare
                    if not interval and (configured is None or not configured.instance_sets):
                        if plain is None:
                            plain = params_digest(filter_for_digest(base, 0))
                        if plain == op.op_digest:
                            continue
                    params = dict(base)
                    if configured is not None and configured.instance_sets:
                        params = op_parameters(
                            cib,
                            prim,
                            op.operation,
                            interval,
                            wnode.attrs,
                            now,
                            world.options,
                            base,
                        )
                    elif interval:
                        timeout = timeouts.get(id(configured))
                        if timeout is None:
                            timeout = str(
                                timeout_ms(cib, prim, configured, wnode.attrs, now, world.options)
                            )
                            meta_sets = configured.meta_sets if configured is not None else []
                            if not rules_in_op_defaults and not any(m.rule for m in meta_sets):
                                timeouts[id(configured)] = timeout
                        params["CRM_meta_timeout"] = timeout
                    if params_digest(filter_for_digest(params, interval)) == op.op_digest:
                        continue
                if _compare(cib, world, rsc, prim, node, op, now, out, sanitized, base):
                    changed = True
            if changed and _failures(world, rsc, node):
                out.clear_failcounts.append((rsc.id, node))
    _last_failures(cib, world, out, now, sanitized)
    return out


def _last_failures(
    cib: Cib, world: World, out: ConfigChanges, now: datetime, sanitized: bool
) -> None:
    """Pacemaker's check_operation_expiry: a resource's last failure (a start or monitor,
    not expired) recorded with other parameters than its definition has now gets its fail
    count cleared on that node ("resource parameters have changed"), active or not."""
    for rsc in world.all_primitives():
        if rsc.orphan or not rsc.history:
            continue
        prim = cib.find(rsc.config_id)
        if not isinstance(prim, Primitive) or rsc.bundle_part is not None:
            continue
        for node, lrm in rsc.history.items():
            if (rsc.id, node) in out.clear_failcounts:
                continue
            for op in lrm.ops:
                if not op.id.endswith("_last_failure_0") or op.operation not in (
                    "start",
                    "monitor",
                ):
                    continue
                if op.op_digest is None or _expired(world, rsc, op):
                    continue  # nothing to compare; an expired failure is cleared anyway
                attrs = world.nodes[node].attrs
                digests = expected_digests(cib, prim, op, attrs, now, world.options)
                restart = op.op_restart_digest
                if (restart is None or digests.op_restart_digest == restart) and (
                    digests.op_digest == op.op_digest
                ):
                    continue
                if sanitized and only_private_changed(cib, prim, op, attrs, now, world.options):
                    continue
                out.clear_failcounts.append((rsc.id, node))


def _compare(
    cib: Cib,
    world: World,
    rsc: WRsc,
    prim: Primitive,
    node: str,
    op: OpRecord,
    now: datetime,
    out: ConfigChanges,
    sanitized: bool,
    base: dict[str, str],
) -> bool:
    attrs = world.nodes[node].attrs
    digests = expected_digests(cib, prim, op, attrs, now, world.options, base)
    own_params = False
    configured = find_op(prim, op.operation, op.interval_ms)
    if configured is not None and not op.interval_ms:
        own_params = any(s.values for s in configured.instance_sets)
    if op.op_restart_digest is not None and digests.op_restart_digest != op.op_restart_digest:
        out.restarts.add(rsc.id)
        return True
    if op.op_digest is not None and op.op_digest == digests.op_digest:
        return False
    if sanitized and only_private_changed(cib, prim, op, attrs, now, world.options):
        return False  # a sanitized CIB: only masked private parameters differ
    if op.interval_ms:
        out.reschedule.add((rsc.id, node, op.operation, op.interval_ms))
    elif op.op_restart_digest is not None and not own_params and not _start_pending(rsc):
        out.reloads.add((rsc.id, node))
    else:
        out.restarts.add(rsc.id)
    return True


def _inactive_agent_changes(cib: Cib, world: World, checked: set[str]) -> None:
    """Pacemaker's process_node_history: each history entry goes to the primitives whose
    id (or history name) it bears; one not active on that node whose agent changed since
    gets that history cleaned up (process_rsc_history)."""
    named: dict[str, list[tuple[WRsc, tuple[str | None, ...]]]] = {}
    for rsc in world.all_primitives():
        prim = cib.find(rsc.config_id)
        if rsc.orphan or not isinstance(prim, Primitive):
            continue
        configured: tuple[str | None, ...] = (prim.standard, prim.provider or None, prim.type)
        named.setdefault(rsc.id, []).append((rsc, configured))
        if rsc.history_name and rsc.history_name != rsc.id:
            named.setdefault(rsc.history_name, []).append((rsc, configured))
    for uname in [n for n in world.node_order if n in checked]:
        status = cib.status.get(uname)
        if status is None:
            continue
        for lrm_id, lrm in status.resources.items():
            found = named.get(lrm_id)
            if not found or not lrm.ops:
                continue
            recorded = (lrm.standard, lrm.provider or None, lrm.type)
            for rsc, wanted in found:
                if recorded == wanted or uname in rsc.running_on:
                    continue
                if (rsc.id, uname) not in world.cleanups:
                    world.cleanups.append((rsc.id, uname))


def _agent_changed(lrm: LrmResource, prim: Primitive) -> bool:
    """pcmk__rsc_agent_changed: the history was recorded for another class, provider or
    type than the resource has now."""
    return (lrm.standard, lrm.provider or None, lrm.type) != (
        prim.standard,
        prim.provider or None,
        prim.type,
    )


def _start_pending(rsc: WRsc) -> bool:
    """A start still in progress somewhere (pe_rsc_start_pending): Pacemaker restarts
    rather than reloads ("preventing agent reload because start pending")."""
    return any(
        op.operation == "start" and judge(op) == "pending"
        for lrm in rsc.history.values()
        for op in lrm.ops
    )


def _expired(world: World, rsc: WRsc, op: OpRecord) -> bool:
    timeout = rsc.failure_timeout_s
    last = op.last_rc_change
    return bool(timeout) and last is not None and world.now_epoch >= last + timeout


def _failures(world: World, rsc: WRsc, node: str) -> bool:
    names = (rsc.id, rsc.base_id, rsc.history_name or rsc.id)
    count = fail_count(
        world.nodes[node].transient,
        names,
        now_epoch=world.now_epoch,
        failure_timeout_s=rsc.failure_timeout_s,
        per_op=world.per_op_fail_counts,
        any_instance=not rsc.unique and rsc.clone_parent is not None,
    )
    return count != 0
