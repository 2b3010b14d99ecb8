"""Node scores and primitive placement.

Scores start at each node's base score (symmetric cluster) or empty (opt-in cluster), then
receive location constraints, stickiness (managed resource active on exactly one node) and
failure bans (fail count reached ``migration-threshold``; anonymous clone instances ban the
whole clone).  A primitive is placed on its best node: highest score, then fewest resources
already placed there, then its current node, then node name; with a positive best score it
stays on its current node when that ties.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cmp_to_key
from typing import Any

from cib.history import ROLE_STOPPED, fail_count
from cib.scores import SCORE_INF, SCORE_MINUS_INF, add_scores
from pycrm.scheduler import colocation, utilization
from pycrm.scheduler.constraints import add_score, apply_location
from pycrm.scheduler.state import Coloc, World, WRsc


# --------------------------------------------------------------------------- initial scores
def init_scores(world: World) -> None:
    for rsc in world.by_id.values():
        rsc.allowed = {}
        if world.symmetric:
            for name in world.node_order:
                node = world.nodes[name]
                rsc.allowed[name] = node.base_score
                if node.base_score:
                    add_score(rsc, name, 0, "node-score", f"node {name} score")
                    rsc.explain[name][-1].value = node.base_score
    for loc in world.locations:
        if loc.role >= 4:  # Promoted: promotion only
            continue
        apply_location(loc.rsc, loc)
    _apply_exclusive_discovery(world)
    for rsc in world.all_primitives():
        _apply_stickiness(world, rsc)
    fillers: dict[str, list[WRsc]] = {}
    for rsc in world.all_primitives():
        if rsc.container_id is not None and rsc.container_id != rsc.id:
            fillers.setdefault(rsc.container_id, []).append(rsc)
    for rsc in world.all_primitives():
        _apply_failures(world, rsc, fillers.get(rsc.id, ()))


def _apply_exclusive_discovery(world: World) -> None:
    """resource-discovery=exclusive: the resource may only run where such a location applies."""
    for rsc in list(world.by_id.values()):
        exclusive = [loc for loc in rsc.locations if loc.discovery == "exclusive"]
        if not exclusive:
            continue
        covered = {node for loc in exclusive for node in loc.scores}
        targets = [rsc, *rsc.primitives()] if rsc.variant != "primitive" else [rsc]
        for target in targets:
            for node in world.node_order:
                if node not in covered:
                    add_score(target, node, SCORE_MINUS_INF, "location", "resource-discovery")


def _apply_stickiness(world: World, rsc: WRsc) -> None:
    if not rsc.managed and not rsc.orphan:
        for node in rsc.running_on:
            add_score(rsc, node, SCORE_INF, "unmanaged", "active and unmanaged")
        return
    if not rsc.managed or rsc.stickiness == 0 or len(rsc.running_on) != 1:
        return
    node = rsc.running_on[0]
    if node in rsc.allowed or world.symmetric:
        add_score(rsc, node, rsc.stickiness, "stickiness", "resource-stickiness")


def anonymous_instance(rsc: WRsc) -> bool:
    """An instance of an anonymous clone: its fail counts go by any instance number."""
    return not rsc.unique and rsc.clone_parent is not None


def _names(rsc: WRsc) -> tuple[str, ...]:
    return tuple({rsc.id, rsc.base_id if not rsc.unique else rsc.id, rsc.history_name or rsc.id})


def _apply_failures(world: World, rsc: WRsc, fillers: Iterable[WRsc] = ()) -> None:
    """Ban ``rsc`` from nodes where its fail count (with its fillers' when it is their
    container) reached its migration-threshold."""
    if rsc.migration_threshold <= 0 or rsc.failure_ignored:
        return
    names = _names(rsc)
    for name in world.node_order:
        node = world.nodes[name]
        if not node.has_fail_counts:
            continue
        count = fail_count(
            node.transient,
            names,
            now_epoch=world.now_epoch,
            failure_timeout_s=rsc.failure_timeout_s,
            per_op=world.per_op_fail_counts,
            any_instance=anonymous_instance(rsc),
        )
        for filler in fillers:
            count = add_scores(
                count,
                fail_count(
                    node.transient,
                    _names(filler),
                    now_epoch=world.now_epoch,
                    failure_timeout_s=filler.failure_timeout_s,
                    per_op=world.per_op_fail_counts,
                ),
            )
        if count <= 0 or rsc.migration_threshold - count > 0:
            continue
        target = rsc
        if not rsc.unique and rsc.clone_parent is not None:
            target = rsc.clone_parent
        _ban(
            target,
            name,
            f"fail-count {count} reached migration-threshold {rsc.migration_threshold}:",
        )


def _ban(rsc: WRsc, node: str, why: str) -> None:
    add_score(rsc, node, SCORE_MINUS_INF, "failure", why)
    for child in rsc.children:
        _ban(child, node, why)


# --------------------------------------------------------------------------- node choice
def node_score(world: World, rsc: WRsc, node: str) -> int:
    if not world.nodes[node].available:
        return SCORE_MINUS_INF
    return rsc.allowed.get(node, SCORE_MINUS_INF)


def _node_key(world: World, rsc: WRsc, preferred: str | None) -> Callable[[str], Any]:
    """Sort key of Pacemaker's compare_nodes order (best first) over ``rsc``'s table."""
    nodes = world.nodes
    allowed = rsc.allowed
    if utilization.active(world):

        def cmp(a: str, b: str) -> int:
            sa = allowed[a] if nodes[a].available else SCORE_MINUS_INF
            sb = allowed[b] if nodes[b].available else SCORE_MINUS_INF
            if sa != sb:
                return -1 if sa > sb else 1
            return utilization.cmp_nodes_tail(world, a, b, preferred)

        return cmp_to_key(cmp)

    def key(name: str) -> tuple[int, int, int, str]:
        node = nodes[name]
        score = allowed[name] if node.available else SCORE_MINUS_INF
        return (-score, node.num_resources, 0 if name == preferred else 1, name)

    return key


def sorted_nodes(world: World, rsc: WRsc, preferred: str | None) -> list[str]:
    """Nodes of ``rsc``'s table, best first (Pacemaker's compare_nodes order)."""
    return sorted(rsc.allowed, key=_node_key(world, rsc, preferred))


def assign_to(world: World, rsc: WRsc, node: str | None) -> None:
    rsc.assigned = node
    rsc.provisional = False
    if node is not None:
        world.nodes[node].num_resources += 1
        if utilization.active(world):
            utilization.consume(world, rsc, node)


def unassign(world: World, rsc: WRsc) -> None:
    if rsc.assigned is not None:
        world.nodes[rsc.assigned].num_resources -= 1
        if utilization.active(world):
            utilization.release(world, rsc, rsc.assigned)
    rsc.assigned = None
    rsc.provisional = True


def assign_best_node(world: World, rsc: WRsc, prefer: str | None) -> str | None:
    current = rsc.current_node
    if not rsc.allowed:
        return None
    best = min(rsc.allowed, key=_node_key(world, rsc, current))
    chosen: str | None = None
    if prefer is not None and prefer in rsc.allowed:
        score = node_score(world, rsc, prefer)
        if score >= 0 and score >= node_score(world, rsc, best):
            chosen = prefer
    if chosen is None:
        chosen = best
        best_score = node_score(world, rsc, best)
        unique_instance = rsc.clone_parent is not None and rsc.unique
        if (
            not unique_instance
            and best_score > 0
            and current is not None
            and world.nodes[current].available
            and current in rsc.allowed
            and node_score(world, rsc, current) == best_score
        ):
            chosen = current  # it ties with the best
    if node_score(world, rsc, chosen) < 0:
        return None
    return chosen


# --------------------------------------------------------------------------- dispatch
def assign(world: World, rsc: WRsc, prefer: str | None = None) -> str | None:
    from pycrm.scheduler.clones import assign_clone
    from pycrm.scheduler.groups import assign_group

    if rsc.variant == "group":
        return assign_group(world, rsc, prefer)
    if rsc.variant == "clone":
        assign_clone(world, rsc)
        return None
    if rsc.variant == "bundle":
        from pycrm.scheduler.bundles import assign_bundle

        assign_bundle(world, rsc)
        return None
    return assign_primitive(world, rsc, prefer)


def apply_coloc(world: World, dependent: WRsc, primary: WRsc, coloc: Coloc) -> None:
    """Apply ``coloc`` to ``dependent`` now that ``primary`` is placed (any variant)."""
    from pycrm.scheduler.clones import apply_clone_coloc

    if primary.variant in ("clone", "bundle"):
        apply_clone_coloc(world, dependent, primary, coloc)
        return
    if primary.variant == "group":
        if primary.provisional or not primary.children:
            return
        member = primary.children[-1] if coloc.score >= 1_000_000 else primary.children[0]
        apply_coloc(world, dependent, member, coloc)
        return
    if primary.provisional:
        return
    if not dependent.provisional:
        return
    if not colocation.roles_match(dependent, primary, coloc):
        return
    colocation.apply_to_weights(world, dependent, primary, coloc)


def this_with_sorted(rsc: WRsc) -> list[Coloc]:
    """``rsc``'s colocations as dependent, in the order Pacemaker considers them: the list is
    kept sorted (coloc_order), also when a group's own are merged into its first member's."""
    return list(rsc.this_with)


def assign_primitive(world: World, rsc: WRsc, prefer: str | None) -> str | None:
    if not rsc.provisional:
        return rsc.assigned
    if rsc.allocating:
        return None
    rsc.allocating = True
    for coloc in this_with_sorted(rsc):
        assign(world, coloc.primary, None)
        apply_coloc(world, rsc, coloc.primary, coloc)
    for coloc in list(rsc.with_this):
        if not coloc.influence:
            continue
        before = rsc.allowed
        rsc.allowed = colocation.merge_scores(
            world,
            coloc.dependent,
            dict(rsc.allowed),
            coloc.node_attribute,
            coloc.score / 1_000_000,
            rollback=True,
        )
        colocation.record_changes(rsc, before, coloc.id, "colocation-dependent")
    if rsc.target_role == ROLE_STOPPED or rsc.on_fail_stop:
        for node in rsc.allowed:
            rsc.allowed[node] = SCORE_MINUS_INF
        rsc.next_role = ROLE_STOPPED
    if not rsc.managed:
        current = rsc.current_node
        assign_to(world, rsc, current)
    elif world.stop_all:
        assign_to(world, rsc, None)
    else:
        if utilization.active(world):
            most_capable = utilization.ban_insufficient_capacity(world, rsc)
            prefer = prefer or most_capable
        assign_to(world, rsc, assign_best_node(world, rsc, prefer))
    rsc.allocating = False
    return rsc.assigned
