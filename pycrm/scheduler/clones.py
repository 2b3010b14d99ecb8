"""Clone placement: instances are sorted (active ones first, then by their best scores,
then by number), pre-placed on their current nodes up to an even share, and the rest
placed like primitives with per-node limits (``clone-node-max``) and an overall limit
(``clone-max``).  Colocation with a clone as primary allows the nodes where instances run
(mandatory), pairs instances (``interleave``), or adds per-instance preferences.
"""

from __future__ import annotations

from functools import cmp_to_key

from cib.history import ROLE_PROMOTED
from cib.scores import SCORE_INF, SCORE_MINUS_INF
from pycrm.scheduler import colocation
from pycrm.scheduler.placement import assign, assign_to, sorted_nodes, this_with_sorted, unassign
from pycrm.scheduler.promotable import add_promotion_scores, set_instance_roles
from pycrm.scheduler.state import Coloc, World, WRsc


def _active_node(inst: WRsc) -> tuple[str | None, int]:
    nodes: list[str] = []
    for prim in inst.primitives():
        for node in prim.running_on:
            if node not in nodes:
                nodes.append(node)
    return (nodes[0] if nodes else None), len(nodes)


def _cmp_instances(world: World, clone: WRsc, a: WRsc, b: WRsc) -> int:
    """Pacemaker's assignment order of clone instances (pcmk__cmp_instance)."""
    node_a, count_a = _active_node(a)
    node_b, count_b = _active_node(b)
    if count_a and count_b and count_a != count_b:
        return -1 if count_a < count_b else 1
    # an instance active on a node it may no longer use ranks last
    if node_a is not None and a.allowed.get(node_a, SCORE_MINUS_INF) < 0:
        node_a = None
        ok_a = False
    else:
        ok_a = True
    if node_b is not None and b.allowed.get(node_b, SCORE_MINUS_INF) < 0:
        node_b = None
        ok_b = False
    else:
        ok_b = True
    if ok_a != ok_b:
        return -1 if ok_a else 1
    if a.priority != b.priority:
        return -1 if a.priority > b.priority else 1
    if node_a is None and node_b is None:
        return 0
    if node_a is None or node_b is None:
        return 1 if node_a is None else -1
    avail_a, avail_b = world.nodes[node_a].available, world.nodes[node_b].available
    if avail_a != avail_b:
        return -1 if avail_a else 1
    in_a, in_b = node_a in clone.allowed, node_b in clone.allowed
    if in_a != in_b:
        return -1 if in_a else 1
    failed_a = any(p.failed for p in a.primitives())
    failed_b = any(p.failed for p in b.primitives())
    if failed_a != failed_b:
        return 1 if failed_a else -1
    score_a = a.allowed.get(node_a, SCORE_MINUS_INF)
    score_b = b.allowed.get(node_b, SCORE_MINUS_INF)
    if score_a != score_b:
        return -1 if score_a > score_b else 1
    num_a, num_b = _number(a), _number(b)
    return (num_a > num_b) - (num_a < num_b)


def _number(inst: WRsc) -> int:
    suffix = inst.id.rpartition(":")[2]
    return int(suffix) if suffix.isdigit() else 0


def assign_clone(world: World, clone: WRsc) -> None:
    if not clone.provisional or clone.allocating:
        return
    clone.allocating = True
    if clone.promotable:
        add_promotion_scores(world, clone)
    for coloc in this_with_sorted(clone):
        assign(world, coloc.primary, None)
    for coloc in list(clone.with_this):
        if not coloc.influence:
            continue
        before = clone.allowed
        clone.allowed = colocation.merge_scores(
            world,
            coloc.dependent,
            dict(clone.allowed),
            coloc.node_attribute,
            coloc.score / SCORE_INF,
            rollback=True,
            positive=True,
        )
        colocation.record_changes(clone, before, coloc.id, "colocation-dependent")

    def order(a: WRsc, b: WRsc) -> int:
        return _cmp_instances(world, clone, a, b)

    instances = sorted(clone.children, key=cmp_to_key(order))
    clone.children = instances
    _distribute(world, clone, instances)
    if clone.promotable:
        set_instance_roles(world, clone)
    clone.provisional = False
    clone.allocating = False


def _distribute(world: World, clone: WRsc, instances: list[WRsc]) -> None:
    counts = dict.fromkeys(world.nodes, 0)
    available = sum(1 for n in world.nodes.values() if n.available)
    limit = clone.clone_max
    per_node = clone.clone_node_max
    all_coloc = limit < available
    loop_max = max(1, limit // available) if available else 1
    placed = 0
    for inst in instances:
        if placed >= limit:
            break
        running = [n for p in inst.primitives() for n in p.running_on]
        if not running or not inst.provisional or any(p.failed for p in inst.primitives()):
            continue
        node = running[0]
        if not world.nodes[node].available:
            continue
        if node in clone.allowed and counts[node] >= loop_max:
            continue
        if _place_instance(world, clone, inst, node, all_coloc, per_node, counts):
            placed += 1
    for inst in instances:
        if not inst.provisional:
            continue
        if placed >= limit:
            for prim in [inst, *inst.primitives()]:
                for node in prim.allowed:
                    prim.allowed[node] = SCORE_MINUS_INF
                assign_to(world, prim, None)
            continue
        if _place_instance(world, clone, inst, None, all_coloc, per_node, counts):
            placed += 1


def _append_parent_colocations(clone: WRsc, inst: WRsc, all_coloc: bool) -> None:
    for coloc in clone.this_with:
        if (
            all_coloc or coloc.score < 0 or coloc.score >= SCORE_INF
        ) and coloc not in inst.this_with:
            inst.this_with.append(coloc)
    for coloc in clone.with_this:
        if coloc.influence and (all_coloc or coloc.score < 0) and coloc not in inst.with_this:
            inst.with_this.append(coloc)


def _restrict(world: World, clone: WRsc, inst: WRsc, per_node: int, counts: dict[str, int]) -> None:
    for prim in [inst, *inst.primitives()]:
        for node in list(prim.allowed):
            parent_score = clone.allowed.get(node)
            if prim.orphan or parent_score is None:
                prim.allowed[node] = SCORE_MINUS_INF
            elif parent_score < 0:
                prim.allowed[node] = parent_score
            elif counts.get(node, 0) >= per_node:
                prim.allowed[node] = SCORE_MINUS_INF


def _place_instance(
    world: World,
    clone: WRsc,
    inst: WRsc,
    prefer: str | None,
    all_coloc: bool,
    per_node: int,
    counts: dict[str, int],
) -> bool:
    if not inst.provisional:
        return inst.assigned is not None
    if inst.allocating:
        return False
    target = inst if inst.variant == "primitive" else inst.children[0]
    _append_parent_colocations(clone, target, all_coloc)
    if prefer is not None:
        score = inst.allowed.get(prefer)
        if score is None or score < 0:
            return False
    _restrict(world, clone, inst, per_node, counts)
    backups = {id(p): dict(p.allowed) for p in [inst, *inst.primitives()]}
    explains = {
        id(p): {n: list(c) for n, c in p.explain.items()} for p in [inst, *inst.primitives()]
    }
    chosen = assign(world, inst, prefer)
    if chosen is not None and prefer is not None and chosen != prefer:
        for prim in inst.primitives():
            unassign(world, prim)
        inst.assigned = None
        inst.provisional = True
        for prim in [inst, *inst.primitives()]:
            prim.allowed = backups[id(prim)]
            prim.explain = explains[id(prim)]
        chosen = None
    if chosen is not None:
        counts[chosen] = counts.get(chosen, 0) + 1
    return chosen is not None


# --------------------------------------------------------------------------- colocation
def _compatible_instance(world: World, dependent: WRsc, primary: WRsc) -> WRsc | None:
    def find_on(node: str) -> WRsc | None:
        for inst in primary.children:
            if inst.assigned == node:
                return inst
        return None

    if dependent.assigned is not None:
        return find_on(dependent.assigned)
    for node in sorted_nodes(world, dependent, None):
        found = find_on(node)
        if found is not None:
            return found
    return None


def apply_clone_coloc(world: World, dependent: WRsc, primary: WRsc, coloc: Coloc) -> None:
    from pycrm.scheduler.placement import apply_coloc

    if primary.provisional:
        return
    if primary.promotable and coloc.primary_role:
        if dependent.provisional:
            keep: list[str] = []
            for inst in primary.children:
                node = inst.assigned
                if node is None or inst.next_role != coloc.primary_role:
                    continue
                keep.append(node)
                if coloc.score < SCORE_INF:
                    for n in dependent.allowed:
                        attr = coloc.node_attribute
                        if colocation.node_value(world, n, attr) == colocation.node_value(
                            world, node, attr
                        ):
                            from cib.scores import add_scores

                            dependent.allowed[n] = add_scores(dependent.allowed[n], coloc.score)
            if coloc.score >= SCORE_INF and not (
                coloc.dependent_role == ROLE_PROMOTED and coloc.primary_role == ROLE_PROMOTED
            ):
                colocation.exclude_nodes(dependent, keep, coloc.id)
            return
        if coloc.dependent_role == ROLE_PROMOTED:
            return
    dep_clone = coloc.dependent if coloc.dependent.variant == "clone" else None
    if (
        dep_clone is not None
        and dep_clone.interleave
        and dep_clone.clone_node_max == primary.clone_node_max
    ):
        match = _compatible_instance(world, dependent, primary)
        if match is not None:
            apply_coloc(world, dependent, match, coloc)
        elif coloc.score >= SCORE_INF:
            for prim in [dependent, *dependent.primitives()]:
                for node in prim.allowed:
                    prim.allowed[node] = SCORE_MINUS_INF
        return
    if coloc.score >= SCORE_INF:
        keep = [i.assigned for i in primary.children if i.assigned is not None and not i.blocked]
        colocation.exclude_nodes(dependent, keep, coloc.id)
        return
    for inst in primary.children:
        apply_coloc(world, dependent, inst, coloc)


def inhibit_unpaired_instances(world: World) -> None:
    """Pacemaker's multi_update_interleave_actions: for a mandatory ordering between two
    clones where the "then" clone interleaves, an instance of it with no instance of the
    first clone assigned to its node may not be active ("Inhibiting ... from being
    active"): it is left unassigned, which can leave another clone's instances unpaired
    in turn."""
    orders = [
        o
        for o in world.orders
        if o.kind == "Mandatory"
        and not o.firsts
        and not o.min_first  # clone-min: ordered through a one-or-more pseudo action
        and o.first.variant == "clone"
        and o.then.variant == "clone"
        and o.first is not o.then
        and o.then.interleave
        and o.first_action in ("start", "promote")
        and o.then_action in ("start", "promote")
    ]
    changed = bool(orders)
    while changed:
        changed = False
        for order in orders:
            paired = {i.assigned for i in order.first.children} - {None}
            for inst in order.then.children:
                node = inst.assigned
                if node is not None and node not in paired:
                    for prim in inst.primitives():
                        prim.assigned = None
                    inst.assigned = None
                    changed = True
