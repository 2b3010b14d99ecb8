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

from collections.abc import Callable
from datetime import datetime

from cib.digest import OpDigests, operation_digests, secure_digest
from cib.model import Cib, NvSet, Op, OpRecord, Primitive
from cib.nvsets import resolve
from cib.rules import RuleContext
from cib.timespec import parse_timeout_ms

DEFAULT_TIMEOUT_MS = 20_000


def find_op(prim: Primitive, task: str, interval_ms: int) -> Op | None:
    """The enabled configured operation of that name and interval (Pacemaker's
    find_rsc_op_entry)."""
    for op in prim.ops:
        if op.interval_ms == interval_ms and op.name == task and op.enabled:
            return op
    return None


def _timeout_ms(cib: Cib, op: Op | None, options: dict[str, str], ctx: _Contexts) -> int:
    candidates: list[str | None] = []
    if op is not None:
        raw = op.extra.get("timeout")
        candidates.append(str(op.timeout_ms) + "ms" if op.timeout_ms is not None else raw)
        candidates.append(_resolve(op.meta_sets, ctx.node).get("timeout"))
    candidates.append(_resolve(cib.op_defaults, ctx.op).get("timeout"))
    candidates.append(options.get("default-action-timeout"))
    for text in candidates:
        if text is None:
            continue
        try:
            return parse_timeout_ms(text)
        except ValueError:
            return DEFAULT_TIMEOUT_MS
    return DEFAULT_TIMEOUT_MS


class _Contexts:
    """Rule contexts for one operation, made only when a set has a rule (they cost)."""

    __slots__ = ("_node", "_op", "interval_ms", "node_attrs", "now", "prim", "task")

    def __init__(
        self,
        prim: Primitive,
        task: str,
        interval_ms: int,
        node_attrs: dict[str, str],
        now: datetime | None,
    ) -> None:
        self.prim, self.task, self.interval_ms = prim, task, interval_ms
        self.node_attrs, self.now = node_attrs, now
        self._node: RuleContext | None = None
        self._op: RuleContext | None = None

    @property
    def node(self) -> Callable[[], RuleContext]:
        def make() -> RuleContext:
            if self._node is None:
                self._node = RuleContext(node_attrs=self.node_attrs, now=self.now)
            return self._node

        return make

    @property
    def op(self) -> Callable[[], RuleContext]:
        def make() -> RuleContext:
            if self._op is None:
                prim = self.prim
                self._op = RuleContext(
                    node_attrs=self.node_attrs,
                    now=self.now,
                    rsc_standard=prim.standard,
                    rsc_provider=prim.provider,
                    rsc_agent=prim.type,
                    op_name=self.task,
                    op_interval_ms=self.interval_ms,
                )
            return self._op

        return make


def _resolve(
    sets: list[NvSet], ctx: Callable[[], RuleContext], into: dict[str, str] | None = None
) -> dict[str, str]:
    if not sets:
        return {} if into is None else into
    if any(s.rule is not None for s in sets):
        return resolve(sets, ctx(), into=into)
    return resolve(sets, None, into=into)


def resource_parameters(
    cib: Cib, prim: Primitive, node_attrs: dict[str, str], now: datetime | None = None
) -> dict[str, str]:
    """The resource's instance attributes for a node (its own, then its parents')."""
    return _resource_parameters(cib, prim, _Contexts(prim, "", 0, node_attrs, now))


def _resource_parameters(cib: Cib, prim: Primitive, ctx: _Contexts) -> dict[str, str]:
    params = _resolve(prim.instance_sets, ctx.node)
    for parent in cib.parents(prim.id):
        _resolve(parent.instance_sets, ctx.node, into=params)
    return params


def timeout_ms(
    cib: Cib,
    prim: Primitive,
    op: Op | None,
    node_attrs: dict[str, str],
    now: datetime | None = None,
    options: dict[str, str] | None = None,
) -> int:
    """The timeout (ms) of ``op`` (a configured operation of ``prim``, or None)."""
    task = op.name if op is not None else "monitor"
    interval = op.interval_ms if op is not None else 0
    return _timeout_ms(cib, op, options or {}, _Contexts(prim, task, interval, node_attrs, now))


def op_parameters(
    cib: Cib,
    prim: Primitive,
    task: str,
    interval_ms: int,
    node_attrs: dict[str, str],
    now: datetime | None = None,
    options: dict[str, str] | None = None,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """What an operation's digests are computed from (``CRM_meta_timeout`` for a recurring
    operation included).

    ``base`` (the resource's parameters on that node, from :func:`resource_parameters`)
    saves recomputing them for each operation."""
    ctx = _Contexts(prim, task, interval_ms, node_attrs, now)
    params = dict(base) if base is not None else _resource_parameters(cib, prim, ctx)
    op = find_op(prim, task, interval_ms)
    if op is not None and op.instance_sets:
        params.update(_resolve(op.instance_sets, ctx.node))
    if interval_ms:  # a non-recurring operation's digest has no timeout
        params["CRM_meta_timeout"] = str(_timeout_ms(cib, op, options or {}, ctx))
    return params


def expected_digests(
    cib: Cib,
    prim: Primitive,
    record: OpRecord,
    node_attrs: dict[str, str],
    now: datetime | None = None,
    options: dict[str, str] | None = None,
    base: dict[str, str] | None = None,
) -> OpDigests:
    """The digests the current configuration gives ``record``'s operation (restart digest
    over the parameters the record says a reload cannot change)."""
    params = op_parameters(
        cib, prim, record.operation, record.interval_ms, node_attrs, now, options, base
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
