"""The DC side: turn a scheduler action into the :class:`OpRequest` a node executes (pure).

What goes into the request is what Pacemaker 2.1.5's scheduler puts into a transition
graph action and its controller hands to the executor:

* the resource: a clone instance id (``rsc:N``) names the base primitive; the executor id
  keeps the ``:N`` only for globally-unique clones (anonymous instances are known by the
  primitive's id, and their number goes into ``CRM_meta_clone``);
* instance attributes evaluated for the target node (rules see that node's attributes):
  the primitive's sets, then its group's and clone's; the operation's own instance
  attributes (``OCF_CHECK_LEVEL`` ...) are added where the resource does not set the name;
* the operation definition: the first enabled ``<op>`` with the action's name and interval.
  Its meta attributes, in increasing precedence: ``op_defaults``, for a probe the timeout of
  the resource's shortest-interval monitor, the op's ``meta_attributes``, the op's own XML
  attributes.  The timeout is that value in ms, 20 s when absent or unreadable (an ISO 8601
  timeout is unreadable for Pacemaker 2.1.5); ``start-delay`` becomes a typed field;
* clone meta attributes: ``clone`` (instance number), ``clone_max`` (default: the number of
  nodes), ``clone_node_max`` (1 for anonymous clones), ``globally_unique``, ``notify``, and
  for promotable clones ``promoted_max``/``promoted_node_max`` plus the legacy
  ``master_max``/``master_node_max``;
* the action's own meta (``action.meta``, notify and fencing variables), when the scheduler
  provides it, last.

Meta names are written as Pacemaker writes them (``-`` becomes ``_``; names containing
``#`` or ``:`` are left out).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cib.model import Cib, Clone, Group, Op, Primitive
from cib.nodeattrs import node_attributes
from cib.nvsets import resolve
from cib.rules import RuleContext
from cib.timespec import parse_timeout_ms
from pycrm.daemon.executor.request import (
    CRM_FEATURE_SET,
    DEFAULT_TIMEOUT_MS,
    INT_MAX,
    RESERVED_META,
    OpRequest,
)
from pycrm.scheduler.build import is_true, score_of
from pycrm.scheduler.types import Action

_META_PREFIX = "CRM_meta_"
_TIMEOUT = "timeout"
_START_DELAY = "start-delay"
_MEMBER_NODE_TYPES = ("member", "normal", "")


class BuildError(ValueError):
    """The action does not describe a resource operation this CIB can run."""


def build_request(
    cib: Cib,
    action: Action,
    node: str,
    *,
    transition_key: str,
    target_rc: int,
    now: datetime | None = None,
    node_uuid: str | None = None,
    feature_set: str = CRM_FEATURE_SET,
) -> OpRequest:
    """The request for ``action`` on ``node`` (``now`` for date rules; default: now)."""
    if action.pseudo:
        raise BuildError(f"{action.id}: pseudo actions are not executed")
    base, _, number = action.rsc.partition(":")
    prim = cib.find(base)
    if not isinstance(prim, Primitive):
        raise BuildError(f"{action.id}: no primitive resource {base!r}")
    parents = cib.parents(base)
    clone = next((p for p in parents if isinstance(p, Clone)), None)
    node_ctx = RuleContext(node_attrs=node_attributes(cib, node, now=now), now=now)

    op = find_op(prim, action.task, action.interval_ms)
    params = _instance_attributes(prim, parents, node_ctx)
    if op is not None:
        for name, value in resolve(op.instance_sets, node_ctx).items():
            params.setdefault(name, value)

    raw = _op_meta(cib, prim, op, action.task, action.interval_ms, now)
    timeout_ms = _ms(raw.pop(_TIMEOUT, None), DEFAULT_TIMEOUT_MS)
    start_delay_ms = _ms(raw.pop(_START_DELAY, None), 0)
    meta = _meta_names(raw)
    rsc_id = base
    if clone is not None:
        clone_meta = _clone_meta(cib, clone, now)
        if number.isdigit():
            meta["clone"] = number
            if clone_meta["globally_unique"] == "true":
                rsc_id = action.rsc
        meta.update(clone_meta)
    extra = getattr(action, "meta", None)
    if isinstance(extra, Mapping):
        for name, value in extra.items():
            short = str(name).removeprefix(_META_PREFIX)
            if short not in RESERVED_META:
                meta[short] = str(value)
    for name in RESERVED_META:
        meta.pop(name, None)
    return OpRequest(
        rsc_id=rsc_id,
        rsc_class=prim.standard,
        provider=prim.provider,
        agent=prim.type,
        action=action.task,
        node=node,
        node_uuid=node_uuid or _node_uuid(cib, node),
        interval_ms=action.interval_ms,
        timeout_ms=timeout_ms,
        start_delay_ms=start_delay_ms,
        params=params,
        meta=meta,
        transition_key=transition_key,
        target_rc=target_rc,
        feature_set=feature_set,
    )


def find_op(prim: Primitive, task: str, interval_ms: int) -> Op | None:
    """The first enabled ``<op>`` with this name and interval (Pacemaker's lookup)."""
    for op in prim.ops:
        if op.enabled and op.name == task and op.interval_ms == interval_ms:
            return op
    return None


def _instance_attributes(
    prim: Primitive, parents: list[Group | Clone], ctx: RuleContext
) -> dict[str, str]:
    params = resolve(prim.instance_sets, ctx)
    for parent in parents:
        resolve(parent.instance_sets, ctx, into=params)
    return params


def _op_meta(
    cib: Cib,
    prim: Primitive,
    op: Op | None,
    task: str,
    interval_ms: int,
    now: datetime | None,
) -> dict[str, str]:
    """Meta attributes of the operation by their XML names (later sources win)."""
    ctx = RuleContext(
        now=now,
        rsc_standard=prim.standard,
        rsc_provider=prim.provider,
        rsc_agent=prim.type,
        op_name=task,
        op_interval_ms=interval_ms,
    )
    meta = resolve(cib.op_defaults, ctx)
    if task == "monitor" and interval_ms == 0:
        shortest = _shortest_monitor(prim)
        if shortest is not None and _xml_timeout(shortest) is not None:
            meta[_TIMEOUT] = str(_xml_timeout(shortest))
    if op is None:
        return meta
    meta.update(resolve(op.meta_sets, ctx))
    meta["name"] = op.name
    timeout = _xml_timeout(op)
    if timeout is not None:
        meta[_TIMEOUT] = timeout
    if op.role is not None:
        meta["role"] = op.role
    if op.on_fail is not None:
        meta["on-fail"] = op.on_fail
    meta.update({k: v for k, v in op.extra.items() if k != _TIMEOUT})
    meta.pop("id", None)
    meta.pop("interval", None)  # a typed field of the request
    return meta


def _xml_timeout(op: Op) -> str | None:
    if op.timeout_ms is not None:
        return f"{op.timeout_ms}ms"
    return op.extra.get(_TIMEOUT)  # kept as text when Pacemaker cannot read it


def _shortest_monitor(prim: Primitive) -> Op | None:
    monitors = [op for op in prim.ops if op.enabled and op.name == "monitor" and op.interval_ms]
    return min(monitors, key=lambda op: op.interval_ms) if monitors else None


def _ms(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        value = parse_timeout_ms(text)
    except ValueError:
        return default
    return min(value, INT_MAX)


def _meta_names(raw: Mapping[str, str]) -> dict[str, str]:
    return {
        name.replace("-", "_"): value
        for name, value in raw.items()
        if "#" not in name and ":" not in name
    }


def _clone_meta(cib: Cib, clone: Clone, now: datetime | None) -> dict[str, str]:
    ctx = RuleContext(now=now)
    meta = resolve(clone.meta_sets, ctx)
    resolve(cib.rsc_defaults, ctx, into=meta)
    unique = is_true(meta.get("globally-unique"))
    nodes = sum(1 for n in cib.nodes if n.type in _MEMBER_NODE_TYPES)
    clone_node_max = score_of(meta.get("clone-node-max"), 1) if unique else 1
    out = {
        "clone_max": str(score_of(meta.get("clone-max"), max(1, nodes))),
        "clone_node_max": str(clone_node_max),
        "globally_unique": "true" if unique else "false",
        "notify": "true" if is_true(meta.get("notify")) else "false",
    }
    if clone.promotable or is_true(meta.get("promotable")):
        promoted_max = score_of(meta.get("promoted-max", meta.get("master-max")), 1)
        promoted_node_max = score_of(meta.get("promoted-node-max", meta.get("master-node-max")), 1)
        out["promoted_max"] = out["master_max"] = str(promoted_max)
        out["promoted_node_max"] = out["master_node_max"] = str(promoted_node_max)
    return out


def _node_uuid(cib: Cib, node: str) -> str:
    configured = cib.node_by_uname(node)
    if configured is not None:
        return configured.id
    state = cib.status.get(node)
    return state.id if state is not None else node
