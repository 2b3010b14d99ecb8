"""Utilization and ``placement-strategy`` (utilization, minimal, balanced) as in Pacemaker 2.1.5.

With a strategy other than ``default``, every node starts with the capacity of its
``<utilization>`` attributes and each resource placed there consumes its own; a resource may
only go where enough capacity remains -- for itself and the not yet placed resources that
must run with it (INFINITY colocations, e.g. the rest of its group), or, when no node has
that much, for itself alone ("insufficient capacity" shows as a ``utilization``
contribution in ``--show-scores``).  Resources are placed by priority, then by their score
on their current node, then by their scores on the nodes.  Among nodes of equal score,
``minimal`` takes the first by name, ``balanced`` the one with more free capacity (then the
one with fewer resources), ``utilization`` the one with fewer resources.
"""

from __future__ import annotations

from functools import cmp_to_key

from cib.scores import SCORE_MINUS_INF
from pycrm.scheduler import colocation
from pycrm.scheduler.constraints import add_score
from pycrm.scheduler.state import WNode, World, WRsc


def active(world: World) -> bool:
    return world.placement_strategy != "default"


def compare_capacities(node1: WNode, node2: WNode) -> int:
    """Negative when ``node1`` has more free capacity (attribute by attribute)."""
    result = 0
    for name, value in node1.capacity.items():
        other = node2.capacity.get(name, 0)
        result += -1 if value > other else 1 if value < other else 0
    for name, value in node2.capacity.items():
        if name in node1.capacity:
            continue
        result += -1 if value < 0 else 1 if value > 0 else 0
    return result


def _enough(node: WNode, needed: dict[str, int]) -> bool:
    return all(amount <= node.capacity.get(name, 0) for name, amount in needed.items())


def _colocated(rsc: WRsc, orig: WRsc, out: list[WRsc]) -> None:
    """Pacemaker's colocated_resources: rsc and what must run with it (INFINITY)."""
    if rsc in out:
        return
    out.append(rsc)
    for coloc in rsc.this_with:
        if coloc.primary is not orig and coloc.score >= 1_000_000 and not coloc.dependent_role:
            _colocated(coloc.primary, orig, out)
    for coloc in rsc.with_this:
        dependent = coloc.dependent
        if dependent is orig or coloc.score < 1_000_000 or coloc.primary_role:
            continue
        if rsc.variant == "clone" and dependent.variant != "clone":
            continue
        _colocated(dependent, orig, out)


def _unassigned_need(rscs: list[WRsc]) -> dict[str, int]:
    need: dict[str, int] = {}
    for rsc in rscs:
        members = rsc.primitives() if rsc.variant != "clone" else rsc.children[:1]
        for member in members:
            for prim in member.primitives():
                if not prim.provisional:
                    continue
                for name, amount in prim.utilization.items():
                    need[name] = need.get(name, 0) + amount
    return need


def ban_insufficient_capacity(world: World, rsc: WRsc) -> str | None:
    """Ban ``rsc`` from usable nodes lacking capacity; the most capable node when no node
    fits ``rsc`` with its colocated resources (a preference for the caller)."""
    group: list[WRsc] = []
    _colocated(rsc, rsc, group)
    need = _unassigned_need(group)
    usable = [n for n, score in rsc.allowed.items() if score >= 0 and world.nodes[n].available]
    any_capable = any(_enough(world.nodes[n], need) for n in usable)
    most: str | None = None
    for name in usable:
        if most is None or compare_capacities(world.nodes[name], world.nodes[most]) < 0:
            most = name
    own = need if any_capable else rsc.utilization
    what = "it and its colocated resources" if any_capable else "it"
    for name in usable:
        if not _enough(world.nodes[name], own):
            add_score(
                rsc, name, SCORE_MINUS_INF, "utilization", f"insufficient capacity for {what}"
            )
    return None if any_capable else most


def consume(world: World, rsc: WRsc, node: str) -> None:
    capacity = world.nodes[node].capacity
    for name, amount in rsc.utilization.items():
        capacity[name] = capacity.get(name, 0) - amount


def release(world: World, rsc: WRsc, node: str) -> None:
    capacity = world.nodes[node].capacity
    for name, amount in rsc.utilization.items():
        capacity[name] = capacity.get(name, 0) + amount


def allocation_order(world: World) -> list[WRsc]:
    """Top-level resources in Pacemaker's order for utilization strategies."""

    def cmp_nodes(a: str, b: str) -> int:
        return _cmp_plain_nodes(world, a, b)

    nodes = sorted(world.node_order, key=cmp_to_key(cmp_nodes))
    merged = {
        id(r): colocation.merge_scores(world, r, dict(_table(r)), "#uname", 1.0)
        for r in world.resources
    }

    def cmp(a: WRsc, b: WRsc) -> int:
        if a.priority != b.priority:
            return -1 if a.priority > b.priority else 1
        ta, tb = merged[id(a)], merged[id(b)]
        sa = ta.get(a.running_on[0], SCORE_MINUS_INF) if a.running_on else SCORE_MINUS_INF
        sb = tb.get(b.running_on[0], SCORE_MINUS_INF) if b.running_on else SCORE_MINUS_INF
        if sa != sb:
            return -1 if sa > sb else 1
        for node in nodes:
            if node in ta and node in tb and ta[node] != tb[node]:
                return -1 if ta[node] > tb[node] else 1
        return 0

    return sorted(world.resources, key=cmp_to_key(cmp))


def _table(rsc: WRsc) -> dict[str, int]:
    if rsc.variant == "group" and rsc.children:
        return rsc.children[0].allowed
    return rsc.allowed


def _cmp_plain_nodes(world: World, a: str, b: str) -> int:
    na, nb = world.nodes[a], world.nodes[b]
    sa = na.base_score if na.available else SCORE_MINUS_INF
    sb = nb.base_score if nb.available else SCORE_MINUS_INF
    if sa != sb:
        return -1 if sa > sb else 1
    return cmp_nodes_tail(world, a, b, None)


def cmp_nodes_tail(world: World, a: str, b: str, preferred: str | None) -> int:
    """Pacemaker's compare_nodes after the score: strategy, resources, current, name."""
    strategy = world.placement_strategy
    if strategy != "minimal":
        if strategy == "balanced":
            result = compare_capacities(world.nodes[a], world.nodes[b])
            if result:
                return -1 if result < 0 else 1
        ra, rb = world.nodes[a].num_resources, world.nodes[b].num_resources
        if ra != rb:
            return -1 if ra < rb else 1
        if preferred is not None and a != b and preferred in (a, b):
            return -1 if a == preferred else 1
    return (a > b) - (a < b)
