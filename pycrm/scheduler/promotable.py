"""Promotable clones: promotion scores and the choice of promoted instances.

* Before placement, each instance's positive promotion score on a node (node attribute
  ``master-<instance>``, for anonymous clones also ``master-<base id>``) is added to its node
  score.
* After placement, each placed instance gets a priority: its promotion score on its node
  (-1 when there is none, so only constraints can make it eligible) plus ``rsc_location``
  scores with ``role="Promoted"``.  Priorities of instances sharing a node are summed into
  the clone's node table together with colocations that involve the promoted role; a
  currently promoted instance sorts first.  Instances are promoted in that order while
  ``promoted-max`` and ``promoted-node-max`` allow and the priority is not negative.
"""

from __future__ import annotations

from cib.history import ROLE_PROMOTED, ROLE_STARTED, ROLE_STOPPED, ROLE_UNPROMOTED
from cib.scores import SCORE_INF, SCORE_MINUS_INF, add_scores
from pycrm.scheduler import colocation
from pycrm.scheduler.constraints import add_score, promoted_locations
from pycrm.scheduler.state import World, WRsc


def _score_applies(world: World, inst: WRsc, node: str) -> bool:
    """Pacemaker's promotion_score_applies: only count scores where the status is known."""
    clone = inst.clone_parent
    allowed = inst.allowed.get(node)
    if allowed is None or allowed < 0:
        return False
    if clone is not None and not inst.unique:
        key = (id(clone), inst.base_id)
        siblings = world.sibling_cache.get(key)
        if siblings is None:
            siblings = [
                p for i in clone.children for p in i.primitives() if p.base_id == inst.base_id
            ]
            world.sibling_cache[key] = siblings
        active = next((p for p in siblings if node in p.running_on), None)
        if active is inst:
            return True
        if active is None and any(node in p.known_on for p in siblings):
            return True
    if not inst.running_on and not inst.known_on:
        return True
    return node in inst.known_on or node in inst.running_on


def _attributes(world: World, inst: WRsc, node: str) -> dict[str, str]:
    """The node attributes a resource sees (Pacemaker's pe_node_attribute_calculated): on
    a bundle's node with ``container-attribute-target=host``, those of the node its
    container runs on."""
    wnode = world.nodes[node]
    target = inst.meta.get("container-attribute-target", "")
    if target.lower() != "host" or not wnode.bundle or wnode.container is None:
        return wnode.attrs
    container = world.by_id.get(wnode.container)
    if container is None or not container.running_on:
        return {}
    return world.nodes[container.running_on[0]].attrs


def promotion_score(world: World, inst: WRsc, node: str) -> int | None:
    if inst.variant == "primitive" and not _score_applies(world, inst, node):
        return None
    attrs = _attributes(world, inst, node)
    names = [inst.history_name or inst.id]
    if not inst.unique:
        names.append(inst.base_id)
    if inst.variant == "group":
        total: int | None = None
        for member in inst.children:
            score = promotion_score(world, member, node)
            if score is not None:
                total = add_scores(total or 0, score)
        return total
    for name in names:
        value = attrs.get(f"master-{name}")
        if value is not None:
            try:
                return int(value)
            except ValueError:
                return SCORE_INF if value.strip().upper().lstrip("+") == "INFINITY" else 0
    return None


def add_promotion_scores(world: World, clone: WRsc) -> None:
    for inst in clone.children:
        for node in list(inst.allowed):
            if not world.nodes[node].available:
                continue
            score = promotion_score(world, inst, node)
            if score is not None and score > 0:
                add_score(inst, node, score, "promotion", f"master-{inst.history_name or inst.id}")
                # Pacemaker also raises the instance's priority (used to order instances)
                inst.priority = max(inst.priority, score)


def _priority(world: World, inst: WRsc) -> int:
    if not inst.managed:  # pinned to its current role
        return SCORE_INF if inst.role == ROLE_PROMOTED else SCORE_MINUS_INF
    node = inst.assigned
    if node is None or inst.target_role in (ROLE_UNPROMOTED, ROLE_STOPPED):
        return SCORE_MINUS_INF
    score = promotion_score(world, inst, node)
    priority = -1 if score is None else score
    for loc in promoted_locations(inst):
        if node in loc.scores:
            priority = add_scores(priority, loc.scores[node])
    return priority


def _colocated_priority(world: World, clone: WRsc, inst: WRsc, priority: int) -> int:
    """Pacemaker's pcmk__apply_coloc_to_priority: a role colocation of the clone with a
    placed primitive or group adds its score to the priority of the instance placed with
    it (subtracts it for the Unpromoted role); a mandatory one for the Promoted role keeps
    an instance placed elsewhere from being promoted."""
    node = inst.assigned
    if node is None:
        return priority
    for coloc in clone.this_with:
        if coloc.dependent_role < ROLE_UNPROMOTED or coloc.primary.variant == "clone":
            continue
        primary = coloc.primary
        where = primary.assigned
        if where is None:
            continue
        attr = coloc.node_attribute
        if colocation.node_value(world, node, attr) != colocation.node_value(world, where, attr):
            if coloc.score >= SCORE_INF and coloc.dependent_role == ROLE_PROMOTED:
                priority = SCORE_MINUS_INF
            continue
        if coloc.primary_role and coloc.primary_role != primary.next_role:
            continue
        sign = -1 if coloc.dependent_role == ROLE_UNPROMOTED else 1
        priority = add_scores(sign * coloc.score, priority)
    return priority


def set_instance_roles(world: World, clone: WRsc) -> None:
    for inst in clone.children:
        inst.promotion_priority = _colocated_priority(world, clone, inst, _priority(world, inst))
        inst.sort_index = inst.promotion_priority
        if not inst.managed and inst.role == ROLE_PROMOTED and inst.assigned is not None:
            inst.sort_index = SCORE_INF  # unmanaged: keeps its current (promoted) role
        if inst.target_role == ROLE_PROMOTED and inst.assigned is not None:
            inst.sort_index = max(inst.sort_index, 0)
    work = dict(clone.allowed)
    for inst in clone.children:
        if inst.assigned is not None and inst.sort_index >= 0:
            work[inst.assigned] = add_scores(work.get(inst.assigned, 0), inst.sort_index)
    for coloc in clone.this_with:
        if coloc.dependent_role == ROLE_PROMOTED:
            work = colocation.merge_scores(
                world,
                coloc.primary,
                work,
                coloc.node_attribute,
                coloc.score / SCORE_INF,
                rollback=coloc.score < SCORE_INF,
            )
    for coloc in clone.with_this:
        if coloc.influence and coloc.primary_role == ROLE_PROMOTED:
            work = colocation.merge_scores(
                world,
                coloc.dependent,
                work,
                coloc.node_attribute,
                coloc.score / SCORE_INF,
                rollback=True,
                positive=True,
            )
    if clone.promotion_tickets:  # a ticket for the Promoted role is missing
        work = dict.fromkeys(work, SCORE_MINUS_INF)
    for inst in clone.children:
        if not inst.managed and inst.role == ROLE_PROMOTED and inst.assigned is not None:
            continue
        if inst.managed and inst.promotion_priority < 0:
            inst.sort_index = SCORE_MINUS_INF
        elif inst.assigned is None or inst.sort_index < 0:
            continue
        else:
            inst.sort_index = work.get(inst.assigned, 0)
    ordered = sorted(
        clone.children,
        key=lambda i: (-i.sort_index, -i.role, -i.promotion_priority),
    )
    per_node: dict[str, int] = {}
    promoted = 0
    for inst in ordered:
        node = inst.assigned
        can = (
            node is not None
            and inst.sort_index >= 0
            and (promoted < clone.promoted_max or not clone.managed)
            and per_node.get(node, 0) < clone.promoted_node_max
        )
        freeze = not world.have_quorum and (
            world.no_quorum_policy == "demote"
            or (world.no_quorum_policy == "freeze" and inst.role < ROLE_PROMOTED)
        )
        if not can or freeze or node is None:
            _set_role(inst, ROLE_UNPROMOTED if node is not None else ROLE_STOPPED)
            continue
        per_node[node] = per_node.get(node, 0) + 1
        promoted += 1
        _set_role(inst, ROLE_PROMOTED)


def _set_role(inst: WRsc, role: int) -> None:
    inst.next_role = role
    for prim in inst.primitives():
        prim.next_role = role if role != ROLE_STARTED else ROLE_UNPROMOTED
