"""The parameters an operation runs with, for :func:`cib.digest.operation_digests`.

Like Pacemaker 2.1.5 (``pe__calculate_digests``): the resource's instance attributes (its
own, then its group's and clone's), evaluated for the node; then the instance attributes of
the configured operation of that name and interval (they win); and the operation's
``CRM_meta_timeout`` in milliseconds -- the ``timeout`` of the ``<op>`` element, else of its
meta attributes, else of ``op_defaults``, else the cluster's ``default-action-timeout``,
else 20 seconds (an unreadable value means the default).  The executor passes the same map
to the agent (plus other ``CRM_meta_*``), so the digests it records with
:func:`op_parameters` are the ones the scheduler expects.
"""

from __future__ import annotations

from datetime import datetime

from cib.digest import OpDigests, operation_digests, secure_digest
from cib.model import Cib, Op, OpRecord, Primitive
from cib.nvsets import resolve
from cib.rules import RuleContext
from cib.timespec import parse_timeout_ms

DEFAULT_TIMEOUT_MS = 20_000


def find_op(prim: Primitive, task: str, interval_ms: int) -> Op | None:
    """The enabled configured operation of that name and interval (Pacemaker's
    find_rsc_op_entry)."""
    for op in prim.ops:
        if op.name == task and op.interval_ms == interval_ms and op.enabled:
            return op
    return None


def _timeout_ms(
    cib: Cib, op: Op | None, options: dict[str, str], ctx: RuleContext, op_ctx: RuleContext
) -> int:
    candidates: list[str | None] = []
    if op is not None:
        raw = op.extra.get("timeout")
        candidates.append(str(op.timeout_ms) + "ms" if op.timeout_ms is not None else raw)
        candidates.append(resolve(op.meta_sets, ctx).get("timeout"))
    candidates.append(resolve(cib.op_defaults, op_ctx).get("timeout"))
    candidates.append(options.get("default-action-timeout"))
    for text in candidates:
        if text is None:
            continue
        try:
            return parse_timeout_ms(text)
        except ValueError:
            return DEFAULT_TIMEOUT_MS
    return DEFAULT_TIMEOUT_MS


def resource_parameters(
    cib: Cib, prim: Primitive, node_attrs: dict[str, str], now: datetime | None = None
) -> dict[str, str]:
    """The resource's instance attributes for a node (its own, then its parents')."""
    ctx = RuleContext(node_attrs=node_attrs, now=now)
    params = resolve(prim.instance_sets, ctx)
    for parent in cib.parents(prim.id):
        resolve(parent.instance_sets, ctx, into=params)
    return params


def op_parameters(
    cib: Cib,
    prim: Primitive,
    task: str,
    interval_ms: int,
    node_attrs: dict[str, str],
    now: datetime | None = None,
    options: dict[str, str] | None = None,
) -> dict[str, str]:
    """What an operation's digests are computed from (``CRM_meta_timeout`` included)."""
    ctx = RuleContext(node_attrs=node_attrs, now=now)
    params = resource_parameters(cib, prim, node_attrs, now)
    op = find_op(prim, task, interval_ms)
    if op is not None:
        params.update(resolve(op.instance_sets, ctx))
    op_ctx = RuleContext(
        node_attrs=node_attrs,
        now=now,
        rsc_standard=prim.standard,
        rsc_provider=prim.provider,
        rsc_agent=prim.type,
        op_name=task,
        op_interval_ms=interval_ms,
    )
    params["CRM_meta_timeout"] = str(_timeout_ms(cib, op, options or {}, ctx, op_ctx))
    return params


def expected_digests(
    cib: Cib,
    prim: Primitive,
    record: OpRecord,
    node_attrs: dict[str, str],
    now: datetime | None = None,
    options: dict[str, str] | None = None,
) -> OpDigests:
    """The digests the current configuration gives ``record``'s operation (restart digest
    over the parameters the record says a reload cannot change)."""
    params = op_parameters(
        cib, prim, record.operation, record.interval_ms, node_attrs, now, options
    )
    restart = None
    if record.op_restart_digest is not None:
        restart = (record.op_force_restart or "").split()
    names = list(params) if restart is None else restart
    return operation_digests(
        params,
        record.interval_ms,
        agent_params=names,
        restart_params=restart,
    )


def only_private_changed(
    cib: Cib,
    prim: Primitive,
    record: OpRecord,
    node_attrs: dict[str, str],
    now: datetime | None = None,
    options: dict[str, str] | None = None,
) -> bool:
    """Whether ``record``'s digests differ only in private parameters (its secure digest
    still matches): a simulation of a sanitized CIB (crm_simulate -x) ignores that."""
    if record.op_secure_digest is None or record.op_secure_params is None:
        return False
    params = op_parameters(
        cib, prim, record.operation, record.interval_ms, node_attrs, now, options
    )
    version = record.crm_feature_set or cib.attrs.get("crm_feature_set") or "3.16.1"
    calc = secure_digest(
        params,
        record.interval_ms,
        record.op_secure_params,
        op_version=version,
        resource_params=resource_parameters(cib, prim, node_attrs, now),
        fence_device=prim.standard == "stonith",
    )
    return calc == record.op_secure_digest
