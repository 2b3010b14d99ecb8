"""Resource operations other than placement: enable, disable, restart, cleanup, fail counts
and where a resource runs (crm_resource / pcs semantics).

* enable / disable: the ``target-role`` meta attribute, ``Started`` / ``Stopped``, on the named
  resource (crm_resource --meta, pcs resource enable/disable); enable also drops a
  ``target-role`` its members set for themselves, so that the whole resource starts.
* restart (``crm_resource --restart``): :func:`restart_plan` gives the two steps -- stop
  (target-role Stopped), then, once the stop settled, the original target-role back.
* cleanup: :func:`cleanup_scope` -- the primitives whose failures are forgotten (a group
  member or clone child means the whole collective, as crm_resource does, unless forced).
* fail counts: :func:`failcounts` -- per node, resource and operation, from the nodes'
  ``fail-count-<rsc>#<op>_<interval>`` transient attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cib import patch
from cib.model import Cib, Clone, Group, Resource
from cib.scores import SCORE_INF, add_scores, format_score, parse_score
from pycrm.ops import errors, find

TARGET_ROLE = "target-role"
FAIL_COUNT = "fail-count-"
LAST_FAILURE = "last-failure-"


def own_meta(rsc: Resource, name: str) -> str | None:
    """The value a resource sets for itself (its first set naming it), without defaults."""
    for nvset in rsc.meta_sets:
        if name in nvset.values:
            return nvset.values[name]
    return None


def _descendants(rsc: Resource) -> list[Resource]:
    if isinstance(rsc, Clone):
        return [rsc.child, *_descendants(rsc.child)]
    if isinstance(rsc, Group):
        return list(rsc.children)
    return []


@dataclass(frozen=True)
class RoleChange:
    changes: list[patch.Change]
    notes: list[str]  # what the operator should know (a parent keeps it stopped, ...)


def enable(model: Cib, rsc_id: str) -> RoleChange:
    rsc = find.resource(model, rsc_id)
    changes: list[patch.Change] = [patch.SetResourceMeta(rsc_id, TARGET_ROLE, "Started")]
    for inner in _descendants(rsc):
        if own_meta(inner, TARGET_ROLE) is not None:
            changes.append(patch.SetResourceMeta(inner.id, TARGET_ROLE, None))
    notes = [
        f"{rsc_id} stays stopped while {parent.id} has target-role=Stopped: enable {parent.id} too"
        for parent in model.parents(rsc_id)
        if (own_meta(parent, TARGET_ROLE) or "").lower() == "stopped"
    ]
    return RoleChange(changes, notes)


def disable(model: Cib, rsc_id: str) -> RoleChange:
    find.resource(model, rsc_id)
    return RoleChange([patch.SetResourceMeta(rsc_id, TARGET_ROLE, "Stopped")], [])


@dataclass(frozen=True)
class RestartPlan:
    """Stop, wait for the stop to settle, then ``start`` (the original target-role back)."""

    rsc: str
    stop: list[patch.Change]
    start: list[patch.Change]


def restart_plan(model: Cib, rsc_id: str, active_on: Iterable[str]) -> RestartPlan:
    rsc = find.resource(model, rsc_id)
    if not list(active_on):
        raise errors.fail(errors.NOT_ACTIVE, f"Resource '{rsc_id}' is not running on any node")
    original = own_meta(rsc, TARGET_ROLE)
    return RestartPlan(
        rsc_id,
        [patch.SetResourceMeta(rsc_id, TARGET_ROLE, "Stopped")],
        [patch.SetResourceMeta(rsc_id, TARGET_ROLE, original)],
    )


def cleanup_scope(model: Cib, rsc_id: str | None, *, force: bool = False) -> list[str] | None:
    """The primitive ids whose failures a cleanup forgets (None: every resource).  A group
    member or a clone's child stands for its whole collective unless ``force``."""
    if rsc_id is None:
        return None
    rsc = find.resource(model, rsc_id)
    if not force:
        rsc = find.top(model, rsc_id)
    return find.primitive_ids(rsc)


# ----------------------------------------------------------------------------- fail counts
@dataclass(frozen=True)
class FailCount:
    node: str
    rsc: str  # the primitive (clone instance suffixes stripped)
    operation: str  # e.g. "monitor 10s", "start"
    count: int
    last_failure: int | None  # epoch seconds


def _strip_instance(rsc: str) -> str:
    head, sep, tail = rsc.rpartition(":")
    return head if sep and tail.isdigit() and head else rsc


def _operation(key: str) -> str:
    """``monitor_10000`` -> ``monitor 10s``; ``start_0`` -> ``start``."""
    task, sep, interval = key.rpartition("_")
    if not sep or not interval.isdigit():
        return key
    ms = int(interval)
    if ms == 0:
        return task
    seconds, rest = divmod(ms, 1000)
    return f"{task} {seconds}s" if not rest else f"{task} {ms}ms"


def failcounts(
    model: Cib, rsc_ids: Iterable[str] | None = None, node: str | None = None
) -> list[FailCount]:
    """Every fail count in the status section (of these primitives / this node), sorted by
    node, resource and operation."""
    wanted = None if rsc_ids is None else set(rsc_ids)
    if node is not None:
        find.node(model, node)
    out: list[FailCount] = []
    for uname, status in model.status.items():
        if node is not None and uname != node:
            continue
        for attr, value in status.transient.items():
            if not attr.startswith(FAIL_COUNT):
                continue
            rest = attr[len(FAIL_COUNT) :]
            rsc, _, op = rest.partition("#")
            base = _strip_instance(rsc)
            if wanted is not None and base not in wanted:
                continue
            try:
                count = parse_score(value)
            except ValueError:
                continue
            if count <= 0:
                continue
            stamp = status.transient.get(LAST_FAILURE + rest, "")
            last = int(stamp) if stamp.isdigit() else None
            out.append(FailCount(uname, base, _operation(op) if op else "", count, last))
    out.sort(key=lambda f: (f.node, f.rsc, f.operation))
    return out


def total(counts: Iterable[FailCount]) -> int:
    result = 0
    for fc in counts:
        result = add_scores(result, fc.count)
    return min(result, SCORE_INF)


def count_text(count: int) -> str:
    return format_score(count)
