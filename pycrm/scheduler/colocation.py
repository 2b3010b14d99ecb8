"""Colocation arithmetic: applying a placed primary to a dependent's node scores, and
merging colocated resources' preferences into a resource's node table before placing it.

``apply_to_weights`` is Pacemaker's pcmk__apply_coloc_to_weights; ``merge_scores`` is its
"merge weights" recursion over the colocation graph (factor = score / INFINITY, with
rollback when the merged table would leave no usable node).
"""

from __future__ import annotations

from cib.scores import SCORE_INF, SCORE_MINUS_INF, add_scores
from pycrm.scheduler.state import Coloc, Contribution, World, WRsc

# Marks a node that became unusable while merging positive-only preferences.
UNUSABLE = SCORE_INF * -100


def node_value(world: World, node: str, attr: str) -> str | None:
    return world.nodes[node].attrs.get(attr) if node in world.nodes else None


def record_changes(rsc: WRsc, before: dict[str, int], source: str, kind: str) -> None:
    for node, score in rsc.allowed.items():
        old = before.get(node, 0)
        if score != old:
            delta = score - old if SCORE_MINUS_INF < score < SCORE_INF else score
            rsc.explain.setdefault(node, []).append(Contribution(kind, source, delta))


def roles_match(dependent: WRsc, primary: WRsc, coloc: Coloc) -> bool:
    """Pacemaker's role filter of a colocation at placement time: a positive one with a
    role applies only when that side's next role is that role, a negative one only when it
    is not.  ``Started`` means any role (:func:`pycrm.scheduler.constraints.build_colocations`
    reads it as no filter, like pcmk__new_colocation)."""
    for role, rsc in ((coloc.dependent_role, dependent), (coloc.primary_role, primary)):
        if not role:
            continue
        if coloc.score > 0 and role != rsc.next_role:
            return False
        if coloc.score < 0 and role == rsc.next_role:
            return False
    return True


def apply_to_weights(world: World, dependent: WRsc, primary: WRsc, coloc: Coloc) -> None:
    """Adjust the dependent's scores for where the (placed) primary ended up."""
    attr = coloc.node_attribute
    value: str | None = None
    if primary.assigned is not None:
        value = node_value(world, primary.assigned, attr)
    elif coloc.score < 0:
        return
    work = dict(dependent.allowed)
    for node, weight in work.items():
        if primary.assigned is None:
            work[node] = add_scores(-coloc.score, weight)
        elif node_value(world, node, attr) == value and value is not None:
            if coloc.score < SCORE_INF:
                work[node] = add_scores(coloc.score, weight)
        elif coloc.score >= SCORE_INF:
            work[node] = add_scores(-coloc.score, weight)
    if coloc.score <= SCORE_MINUS_INF or coloc.score >= SCORE_INF or any_available(world, work):
        before = dependent.allowed
        dependent.allowed = work
        record_changes(dependent, before, coloc.id, "colocation")


def any_available(world: World, table: dict[str, int]) -> bool:
    return any(w >= 0 and world.nodes[n].available for n, w in table.items() if n in world.nodes)


def exclude_nodes(dependent: WRsc, keep: list[str], source: str) -> None:
    """Ban the dependent from every node not in ``keep`` (node_list_exclude)."""
    before = dict(dependent.allowed)
    for node in list(dependent.allowed):
        if node not in keep:
            dependent.allowed[node] = SCORE_MINUS_INF
    for node in keep:
        dependent.allowed.setdefault(node, SCORE_MINUS_INF)
    record_changes(dependent, before, source, "colocation")


def _best_by_value(world: World, rsc: WRsc, attr: str) -> dict[str | None, int]:
    """For each value of ``attr``: ``rsc``'s best score on an available node with it."""
    best: dict[str | None, int] = {}
    nodes = world.nodes
    for node, weight in rsc.allowed.items():
        wnode = nodes.get(node)
        if wnode is None or not wnode.available:
            continue
        value = node if attr == "#uname" else wnode.attrs.get(attr)
        if weight > best.get(value, SCORE_MINUS_INF):
            best[value] = weight
    return best


def _add_matching(
    world: World, work: dict[str, int], rsc: WRsc, attr: str, factor: float, positive: bool
) -> None:
    best = _best_by_value(world, rsc, attr)
    for node, weight in list(work.items()):
        value = node if attr == "#uname" else node_value(world, node, attr)
        score = best.get(value, SCORE_MINUS_INF)
        if factor < 0 and score < 0:
            continue
        if weight == UNUSABLE:
            continue
        product = factor * score
        delta = int(product - 0.5) if product < 0 else int(product + 0.5)
        if delta == 0 and score != 0:
            delta = 1 if factor > 0 else -1 if factor < 0 else 0
        new = add_scores(delta, weight)
        if positive and new < 0 and weight > 0:
            work[node] = UNUSABLE
            continue
        if positive and new < 0 and weight == 0:
            continue
        work[node] = new


def merge_scores(
    world: World,
    rsc: WRsc,
    nodes: dict[str, int],
    attr: str,
    factor: float,
    *,
    rollback: bool = False,
    positive: bool = False,
) -> dict[str, int]:
    """Fold ``rsc``'s (and, recursively, its dependents') preferences into ``nodes``.

    ``rsc``'s own table counts at ``factor`` (a group's: its first member's merge), then each
    resource colocated with it at the sign of ``factor`` times that colocation's strength; for
    a group those are the ones on its last member (where a group's own move when it is
    placed).  With ``rollback`` nothing changes when no usable node would be left.
    """
    if rsc.merging:
        return nodes
    rsc.merging = True
    try:
        group = rsc.variant == "group" and bool(rsc.children)
        if group:
            work = merge_scores(
                world,
                rsc.children[0],
                dict(nodes),  # never hand the caller's table to a step that may change it in place
                attr,
                factor,
                rollback=rollback,
                positive=positive,
            )
        else:
            work = dict(nodes)
            _add_matching(world, work, rsc, attr, factor, positive)
        if any_available(world, {n: w for n, w in work.items() if w != UNUSABLE}):
            multiplier = -1 if factor < 0 else 1
            source = rsc.children[-1] if group else rsc
            for coloc in source.with_this:
                if not coloc.influence:
                    continue
                work = merge_scores(
                    world,
                    coloc.dependent,
                    work,
                    coloc.node_attribute,
                    multiplier * coloc.score / SCORE_INF,
                    rollback=True,
                    positive=positive,
                )
        elif rollback:
            return nodes
        if positive:
            for node, weight in work.items():
                if weight == UNUSABLE:
                    work[node] = 1
        return work
    finally:
        rsc.merging = False
