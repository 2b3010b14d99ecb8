"""Turn the CIB's constraints into working-set objects.

* Locations: each rule of an ``rsc_location`` is evaluated per node (node attributes include
  ``#uname``, ``#id``, ``#kind``, ``#is_dc``); a passing rule contributes its ``score`` or the
  node's ``score-attribute`` value.  ``role="Promoted"`` locations only feed promotion.
* Colocations: ``rsc`` (dependent) is placed relative to ``with-rsc`` (primary).  Groups add
  the implicit "member with previous member" INFINITY colocation.
* Orders: ``first`` / ``then`` with actions, kind and symmetry; sets are expanded into
  pairwise orders (sequential sets chain, consecutive sets chain last-to-first).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from cib.history import ROLE_PROMOTED, ROLE_STARTED
from cib.model import Cib, LocationConstraint, NvSet, ResourceSet, Rule
from cib.nvsets import resolve
from cib.rules import RuleContext, evaluate, rule_score
from cib.scores import SCORE_INF, add_scores
from pycrm.scheduler.build import is_true, role_of, score_of
from pycrm.scheduler.coloc_order import add_this_with, add_with_this
from pycrm.scheduler.state import Coloc, Contribution, Location, OrderDef, WNode, World, WRsc


def resolve_rsc(world: World, rsc_id: str | None) -> WRsc | None:
    """The working resource a constraint names (a clone's child id means the clone)."""
    if rsc_id is None:
        return None
    found = world.by_id.get(rsc_id)
    if found is not None:
        return found
    for rsc in world.resources:
        if rsc.variant == "clone" and rsc.children:
            first = rsc.children[0]
            if first.base_id == rsc_id:
                return rsc
            for member in first.children:
                if member.base_id == rsc_id:
                    return rsc
    return None


def expand_refs(cib: Cib, refs: Iterable[str]) -> list[str]:
    """Resource ids with each tag or template replaced by its members (Pacemaker expands
    them in place in resource sets)."""
    out: list[str] = []
    for ref in refs:
        members = cib.tags.get(ref)
        if members is None:
            out.append(ref)
        else:
            out.extend(m for m in members if m not in out)
    return out


def _expanded_sets(cib: Cib, sets: list[ResourceSet]) -> list[ResourceSet]:
    if not cib.tags or not any(r in cib.tags for rs in sets for r in rs.resources):
        return sets
    return [_replace_members(rs, expand_refs(cib, rs.resources)) for rs in sets]


def _replace_members(
    rset: ResourceSet, members: list[str], *, sequential: bool | None = None, **changes: str | None
) -> ResourceSet:
    return ResourceSet(
        id=rset.id,
        resources=members,
        sequential=rset.sequential if sequential is None else sequential,
        require_all=rset.require_all,
        role=changes.get("role", rset.role),
        action=changes.get("action", rset.action),
        score=rset.score,
        kind=rset.kind,
        line=rset.line,
    )


def _tag_set(cib: Cib, ref: str, **changes: str | None) -> ResourceSet:
    """The resource set Pacemaker makes of one end of a constraint naming a tag or template
    (not sequential), or naming a plain resource when the other end is a tag."""
    members = cib.tags.get(ref)
    if members is None:
        return ResourceSet(ref, [ref], role=changes.get("role"), action=changes.get("action"))
    return ResourceSet(
        ref, list(members), sequential=False, role=changes.get("role"), action=changes.get("action")
    )


# --------------------------------------------------------------------------- locations
def build_locations(cib: Cib, world: World) -> None:
    when = datetime.fromtimestamp(world.now_epoch, UTC)
    for cons in cib.locations:
        for rsc, submatches in _location_targets(cib, world, cons):
            for loc in _location_objects(cib, world, cons, rsc, submatches, when):
                world.locations.append(loc)
                rsc.locations.append(loc)


def _location_targets(
    cib: Cib, world: World, cons: LocationConstraint
) -> Iterable[tuple[WRsc, tuple[str, ...]]]:
    if cons.rsc is not None:
        for rid in expand_refs(cib, [cons.rsc]):
            rsc = resolve_rsc(world, rid)
            if rsc is not None:
                yield rsc, ()
    elif cons.rsc_pattern is not None:
        text = cons.rsc_pattern
        invert = text.startswith("!")  # "!regex": the resources it does not match
        pattern = re.compile(text[1:] if invert else text)
        for rsc in world.resources:
            match = pattern.search(rsc.id)
            if invert and match is None:
                yield rsc, ()
            elif not invert and match is not None:
                yield rsc, (match.group(0), *[g or "" for g in match.groups()])
    for rset in cons.resource_sets:
        for rid in expand_refs(cib, rset.resources):
            rsc = resolve_rsc(world, rid)
            if rsc is not None:
                yield rsc, ()


def _location_objects(
    cib: Cib,
    world: World,
    cons: LocationConstraint,
    rsc: WRsc,
    submatches: tuple[str, ...],
    when: datetime,
) -> Iterable[Location]:
    role = role_of(cons.role)
    if cons.node is not None and cons.score is not None:
        if cons.node in world.nodes:
            yield Location(cons.id, rsc, role, {cons.node: cons.score}, cons.resource_discovery)
        return
    params: Callable[[WNode], dict[str, str]] | None = None
    for rule in cons.rules:
        if params is None and _uses_value_source(rule):
            params = _instance_params(cib, rsc, when)
        yield Location(
            rule.id or cons.id,
            rsc,
            role_of(rule.role) if rule.role else role,
            _rule_scores(world, rule, submatches, when, params, rsc.meta),
            cons.resource_discovery,
        )


def _uses_value_source(rule: Rule) -> bool:
    for expr in rule.expressions:
        if isinstance(expr, Rule):
            if _uses_value_source(expr):
                return True
        elif getattr(expr, "value_source", "literal") != "literal":
            return True
    return False


def _instance_params(cib: Cib, rsc: WRsc, when: datetime) -> Callable[[WNode], dict[str, str]]:
    """The resource's instance attributes on a node (what ``value-source="param"``
    compares with; their sets may have node rules)."""
    config = cib.find(rsc.config_id)
    sets: list[NvSet] = getattr(config, "instance_sets", None) or []
    if not any(s.rule is not None for s in sets):
        fixed = resolve(sets, RuleContext(now=when)) if sets else {}
        return lambda node: fixed
    return lambda node: resolve(sets, RuleContext(node_attrs=node.attrs, now=when))


def _rule_scores(
    world: World,
    rule: Rule,
    submatches: tuple[str, ...],
    when: datetime,
    params: Callable[[WNode], dict[str, str]] | None = None,
    meta: dict[str, str] | None = None,
) -> dict[str, int]:
    scores: dict[str, int] = {}
    for name in world.node_order:
        node = world.nodes[name]
        ctx = RuleContext(
            node_attrs=node.attrs,
            now=when,
            submatches=submatches,
            rsc_params=params(node) if params is not None else None,
            rsc_meta=meta,
        )
        if evaluate(rule, ctx):
            scores[name] = rule_score(rule, node.attrs)
    return scores


def add_score(rsc: WRsc, node: str, value: int, kind: str, source: str) -> None:
    rsc.allowed[node] = add_scores(rsc.allowed.get(node, 0), value)
    rsc.explain.setdefault(node, []).append(Contribution(kind, source, value))


def apply_location(rsc: WRsc, loc: Location, *, zero: bool = False) -> None:
    """Add a location's scores to ``rsc`` and everything below it.

    In a colocated group only the first member gets the scores; later members only get
    the nodes (score 0), like Pacemaker 2.1.5 (they follow the first member anyway).
    """
    for node, score in loc.scores.items():
        add_score(rsc, node, 0 if zero else score, loc.kind, loc.id)
    collocated = rsc.variant == "group" and not (
        "collocated" in rsc.meta and not is_true(rsc.meta["collocated"])
    )
    for index, child in enumerate(rsc.children):
        apply_location(child, loc, zero=zero or (collocated and index > 0))


# --------------------------------------------------------------------------- colocations
def build_colocations(cib: Cib, world: World) -> None:
    for cons in cib.colocations:
        influence = True if cons.influence is None else cons.influence
        if cons.resource_sets:
            sets = _expanded_sets(cib, cons.resource_sets)
            _set_colocations(world, cons.id, cons.score, sets, influence)
            continue
        if cons.rsc in cib.tags and cons.with_rsc in cib.tags:
            continue  # "two templates or tags cannot be colocated": ignored
        if cons.rsc in cib.tags or cons.with_rsc in cib.tags:
            sets = [
                _tag_set(cib, cons.rsc or "", role=cons.rsc_role),
                _tag_set(cib, cons.with_rsc or "", role=cons.with_rsc_role),
            ]
            _set_colocations(world, cons.id, cons.score, sets, influence)
            continue
        dep = resolve_rsc(world, cons.rsc)
        pri = resolve_rsc(world, cons.with_rsc)
        if dep is None or pri is None or dep is pri:
            continue
        add_colocation(
            world,
            Coloc(
                id=cons.id,
                dependent=dep,
                primary=pri,
                score=cons.score,
                dependent_role=_coloc_role(cons.rsc_role),
                primary_role=_coloc_role(cons.with_rsc_role),
                node_attribute=cons.node_attribute or "#uname",
                influence=influence and not _not_critical(dep),
            ),
        )
    for rsc in list(world.by_id.values()):
        if rsc.variant == "group" and not (
            "collocated" in rsc.meta and not is_true(rsc.meta["collocated"])
        ):
            for prev, member in zip(rsc.children, rsc.children[1:], strict=False):
                add_colocation(
                    world,
                    Coloc(
                        id=f"{rsc.id}:internal_colocation",
                        dependent=member,
                        primary=prev,
                        score=SCORE_INF,
                        influence=not _not_critical(member),
                    ),
                )


def _coloc_role(name: str | None) -> int:
    """A colocation's role filter: "Started" means any role (Pacemaker's
    pcmk__new_colocation)."""
    role = role_of(name)
    return 0 if role == ROLE_STARTED else role


def _not_critical(rsc: WRsc) -> bool:
    value = rsc.meta.get("critical")
    return value is not None and not is_true(value)


def _set_colocations(
    world: World, cid: str, score: int, sets: list[ResourceSet], influence: bool
) -> None:
    """Pacemaker's set semantics: in a sequential set each member is placed with the previous
    one (negative scores: with every earlier member); of two consecutive sets, the earlier
    set (its first member when sequential, else all) is placed with the later set (its last
    member when sequential, else all)."""
    previous: tuple[list[WRsc], bool, int] | None = None
    for rset in sets:
        members = [r for r in (resolve_rsc(world, x) for x in rset.resources) if r is not None]
        set_score = rset.score if rset.score is not None else score
        role = _coloc_role(rset.role)
        sequential = rset.sequential is None or rset.sequential
        if set_score < 0:
            for index, member in enumerate(members):
                for earlier in members[:index]:
                    add_colocation(world, Coloc(cid, member, earlier, set_score, role, role))
        elif sequential:
            for prev, member in itertools.pairwise(members):
                add_colocation(world, Coloc(cid, member, prev, set_score, role, role))
        if previous is not None and members:
            prev_members, prev_sequential, prev_role = previous
            dependents = prev_members[:1] if prev_sequential else prev_members
            primaries = members[-1:] if sequential else members
            for dependent in dependents:
                for primary in primaries:
                    if dependent is not primary:
                        add_colocation(
                            world,
                            Coloc(cid, dependent, primary, score, prev_role, role),
                        )
        previous = (members, sequential, role)
    _ = influence


def add_colocation(world: World, coloc: Coloc) -> None:
    if coloc.score == 0:
        return  # Pacemaker ignores a colocation with score 0
    world.colocations.append(coloc)
    add_this_with(coloc.dependent, coloc)
    add_with_this(coloc.primary, coloc)


# --------------------------------------------------------------------------- orders
def build_orders(cib: Cib, world: World) -> None:
    for cons in cib.orders:
        symmetrical = cons.symmetrical
        if symmetrical is None:
            symmetrical = cons.kind != "Serialize"
        if cons.resource_sets:
            sets = _expanded_sets(cib, cons.resource_sets)
            _set_orders(world, cons.id, cons.kind, symmetrical, sets)
            continue
        if cons.first in cib.tags or cons.then in cib.tags:
            sets = [
                _tag_set(cib, cons.first or "", action=cons.first_action),
                _tag_set(cib, cons.then or "", action=cons.then_action),
            ]
            _set_orders(world, cons.id, cons.kind, symmetrical, sets)
            continue
        first = resolve_rsc(world, cons.first)
        then = resolve_rsc(world, cons.then)
        if first is None or then is None:
            continue
        clone_min = score_of(first.meta.get("clone-min")) if first.variant == "clone" else 0
        if first.variant == "clone" and cons.require_all is False:
            clone_min = max(clone_min, 1)  # one instance is enough (a one-or-more ordering)
        world.orders.append(
            OrderDef(
                cons.id,
                first,
                cons.first_action,
                then,
                cons.then_action,
                cons.kind,
                symmetrical,
                min_first=max(clone_min, 0),
            )
        )


def _set_orders(
    world: World, oid: str, kind: str, symmetrical: bool, sets: list[ResourceSet]
) -> None:
    """Sequential sets chain their members; consecutive sets are ordered last member (or
    every member of a non-sequential set) before first member (or every member)."""
    previous: tuple[list[tuple[WRsc, str]], bool, bool] | None = None
    for rset in sets:
        action = rset.action or "start"
        members = [
            (r, action) for r in (resolve_rsc(world, x) for x in rset.resources) if r is not None
        ]
        set_kind = rset.kind or kind
        sequential = rset.sequential is None or rset.sequential
        if sequential:
            for (a, act_a), (b, act_b) in itertools.pairwise(members):
                world.orders.append(OrderDef(oid, a, act_a, b, act_b, set_kind, symmetrical))
        if previous is not None and members:
            prev_members, prev_sequential, prev_all = previous
            firsts = prev_members[-1:] if prev_sequential else prev_members
            thens = members[:1] if sequential else members
            for b, act_b in thens:
                if not prev_all and firsts:
                    # require-all=false: any one of the set is enough
                    a, act_a = firsts[0]
                    world.orders.append(
                        OrderDef(
                            oid,
                            a,
                            act_a,
                            b,
                            act_b,
                            kind,
                            symmetrical,
                            min_first=1,
                            firsts=[r for r, _ in firsts],
                        )
                    )
                    continue
                for a, act_a in firsts:
                    world.orders.append(OrderDef(oid, a, act_a, b, act_b, kind, symmetrical))
        require_all = rset.require_all is None or rset.require_all
        previous = (members, sequential and require_all, require_all)


_DISCOVERY = {"always": 0, "never": 1, "exclusive": 2}


def discovery_allowed(rsc: WRsc, node: str) -> bool:
    """The ``resource-discovery`` of the location constraints on ``rsc`` and its parents
    allows probing it on ``node``: never where a constraint says ``never``; where one says
    ``exclusive``, only on the nodes such a constraint names."""
    mode = 0
    exclusive = False
    cur: WRsc | None = rsc
    while cur is not None:
        for loc in cur.locations:
            value = _DISCOVERY.get(loc.discovery, 0)
            if not value:
                continue
            exclusive = exclusive or value == 2
            if node in loc.scores:
                mode = max(mode, value)
        cur = cur.parent
    if exclusive and mode != 2:
        return False
    return mode != 1


def promoted_locations(rsc: WRsc) -> list[Location]:
    """Locations with role Promoted that apply to a promotable clone instance."""
    out: list[Location] = []
    cur: WRsc | None = rsc
    while cur is not None:
        out.extend(loc for loc in cur.locations if loc.role == ROLE_PROMOTED)
        cur = cur.parent
    return out
