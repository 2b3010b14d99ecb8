"""Hypothesis strategies for small, valid random clusters (pycrm.simulate.cibspec).

2-5 nodes (some in standby or offline), up to 12 primitives as standalone
primitives, groups, anonymous clones and promotable clones; location,
colocation and order constraints; default stickiness and migration-threshold;
fail counts in transient attributes; a status history in which some resources
already run (or have failed) somewhere.  Everything the generator emits is a
CIB that ``crm_verify`` accepts.

`FEATURES` lists what may be generated; the differential test narrows it
when a feature shows a known scheduler mismatch (see the test module).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from pycrm.simulate.cibspec import (
    CloneSpec,
    ClusterSpec,
    ColocationSpec,
    Constraint,
    GroupSpec,
    HistorySpec,
    LocationSpec,
    NodeSpec,
    OrderSpec,
    PrimSpec,
    Resource,
)

SCORES = ["-INFINITY", "-100", "50", "100", "200", "INFINITY"]
COLOC_SCORES = ["INFINITY", "-INFINITY", "100", "-100"]
FINITE_COLOC_SCORES = ["100", "-100", "500", "-500"]


@dataclass(frozen=True)
class Features:
    groups: bool = True
    clones: bool = True
    promotable: bool = True
    colocations: bool = True
    mandatory_colocations: bool = True  # INFINITY / -INFINITY scores
    colocate_disabled: bool = True  # colocations may name target-role=Stopped primitives
    multi_colocation: bool = True  # one dependent may be colocated with several primaries
    orders: bool = True
    failures: bool = True
    standby: bool = True
    offline: bool = True
    node_fail: bool = True
    disabled: bool = True
    op_fail: bool = True


FEATURES = Features()


@dataclass(frozen=True)
class Generated:
    spec: ClusterSpec
    node_fail: tuple[str, ...] = ()
    op_fail: tuple[str, ...] = ()


@st.composite
def _nodes(draw: st.DrawFn, features: Features) -> list[NodeSpec]:
    count = draw(st.integers(2, 5))
    nodes = []
    for i in range(count):
        standby = features.standby and draw(st.integers(0, 5)) == 0
        online = not (features.offline and draw(st.integers(0, 6)) == 0)
        nodes.append(NodeSpec(name=f"node{i + 1}", online=online, standby=standby))
    if not any(n.online and not n.standby for n in nodes):
        nodes[0] = NodeSpec(name="node1")
    return nodes


@st.composite
def _resources(draw: st.DrawFn, features: Features) -> list[Resource]:
    budget = draw(st.integers(1, 12))
    kinds = ["prim"]
    if features.groups:
        kinds.append("group")
    if features.clones:
        kinds.append("clone")
    if features.promotable:
        kinds.append("promotable")
    out: list[Resource] = []
    n = 0
    while budget > 0:
        n += 1
        kind = draw(st.sampled_from(kinds))
        if kind == "group" and budget >= 2:
            size = draw(st.integers(2, min(3, budget)))
            gid = f"g{n}"
            out.append(GroupSpec(gid, [PrimSpec(f"{gid}m{k}") for k in range(size)]))
            budget -= size
        elif kind == "clone":
            out.append(CloneSpec(f"c{n}", PrimSpec(f"c{n}child")))
            budget -= 1
        elif kind == "promotable":
            meta = {"promotable": "true"}
            out.append(CloneSpec(f"ms{n}", PrimSpec(f"ms{n}child"), meta=meta))
            budget -= 1
        else:
            meta = {}
            if features.disabled and draw(st.integers(0, 7)) == 0:
                meta["target-role"] = "Stopped"
            out.append(PrimSpec(f"r{n}", meta=meta))
            budget -= 1
    return out


def _top_ids(resources: list[Resource]) -> list[str]:
    return [r.id for r in resources]


@st.composite
def _constraints(
    draw: st.DrawFn, resources: list[Resource], nodes: list[NodeSpec], features: Features
) -> list[Constraint]:
    tops = _top_ids(resources)
    names = [n.name for n in nodes]
    out: list[Constraint] = []
    for i in range(draw(st.integers(0, 6))):
        rsc = draw(st.sampled_from(resources))
        role = None
        if isinstance(rsc, CloneSpec) and rsc.promotable and draw(st.booleans()):
            role = "Promoted"
        out.append(
            LocationSpec(
                f"loc{i}", rsc.id, draw(st.sampled_from(names)), draw(st.sampled_from(SCORES)), role
            )
        )
    plain = [r.id for r in resources if not isinstance(r, CloneSpec)]
    if not features.colocate_disabled:
        plain = [
            r.id
            for r in resources
            if not isinstance(r, CloneSpec)
            and not (isinstance(r, PrimSpec) and r.meta.get("target-role") == "Stopped")
        ]
    pairs: set[frozenset[str]] = set()
    dependents: set[str] = set()
    if features.colocations and len(tops) >= 2:
        for i in range(draw(st.integers(0, 3))):
            if len(plain) < 2:
                break
            pool = plain
            a, b = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=2, unique=True))
            if frozenset((a, b)) in pairs:
                continue  # contradicting constraints on one pair say nothing useful
            if not features.multi_colocation and a in dependents:
                continue
            pairs.add(frozenset((a, b)))
            dependents.add(a)
            scores = COLOC_SCORES if features.mandatory_colocations else FINITE_COLOC_SCORES
            out.append(ColocationSpec(f"col{i}", a, b, draw(st.sampled_from(scores))))
    if features.orders and len(tops) >= 2:
        seen: set[tuple[int, int]] = set()
        for i in range(draw(st.integers(0, 3))):
            # first before then in configuration order: no ordering loops
            x, y = sorted(
                draw(st.lists(st.integers(0, len(tops) - 1), min_size=2, max_size=2, unique=True))
            )
            if (x, y) in seen:
                continue
            seen.add((x, y))
            kind = draw(st.sampled_from(["Mandatory", "Optional"]))
            out.append(OrderSpec(f"ord{i}", tops[x], tops[y], kind=kind))
    return out


@st.composite
def _history(
    draw: st.DrawFn, resources: list[Resource], nodes: list[NodeSpec], features: Features
) -> tuple[list[HistorySpec], dict[tuple[str, str], int]]:
    live = [n.name for n in nodes if n.online]
    hist: list[HistorySpec] = []
    fails: dict[tuple[str, str], int] = {}
    states = ["Started", "Started", "Started"]
    if features.failures:
        states += ["Failed", "StartFailed"]
    for rsc in resources:
        if isinstance(rsc, PrimSpec):
            if draw(st.booleans()):
                hist.append(
                    HistorySpec(rsc.id, draw(st.sampled_from(live)), draw(st.sampled_from(states)))
                )
        elif isinstance(rsc, GroupSpec):
            prefix = draw(st.integers(0, len(rsc.members)))
            node = draw(st.sampled_from(live))
            for member in rsc.members[:prefix]:
                hist.append(HistorySpec(member.id, node, "Started"))
        else:
            child = rsc.child
            assert isinstance(child, PrimSpec)
            promoted_done = False
            for node in live:
                if not draw(st.booleans()):
                    continue
                state = "Started"
                if rsc.promotable:
                    state = "Unpromoted"
                    if not promoted_done and draw(st.booleans()):
                        state = "Promoted"
                        promoted_done = True
                hist.append(HistorySpec(child.id, node, state))
    if features.failures:
        prims = [p for r in resources for p in _prims(r)]
        for _ in range(draw(st.integers(0, 3))):
            prim = draw(st.sampled_from(prims))
            fails[(prim.id, draw(st.sampled_from(live)))] = draw(st.integers(1, 3))
    return hist, fails


def _prims(rsc: Resource) -> list[PrimSpec]:
    if isinstance(rsc, PrimSpec):
        return [rsc]
    if isinstance(rsc, GroupSpec):
        return list(rsc.members)
    child = rsc.child
    return [child] if isinstance(child, PrimSpec) else list(child.members)


@st.composite
def clusters(draw: st.DrawFn, features: Features = FEATURES) -> Generated:
    """A random small cluster, plus optional injections (node failure, op failure)."""
    nodes = draw(_nodes(features))
    resources = draw(_resources(features))
    constraints = draw(_constraints(resources, nodes, features))
    history, fails = draw(_history(resources, nodes, features))
    rsc_defaults: dict[str, str] = {}
    stickiness = draw(st.sampled_from([None, "0", "50", "100", "INFINITY"]))
    if stickiness is not None:
        rsc_defaults["resource-stickiness"] = stickiness
    if features.failures and draw(st.booleans()):
        rsc_defaults["migration-threshold"] = str(draw(st.integers(1, 3)))
    spec = ClusterSpec(
        nodes=nodes,
        resources=resources,
        constraints=constraints,
        history=history,
        failcounts=fails,
        properties={"no-quorum-policy": "ignore"},
        rsc_defaults=rsc_defaults,
    )
    node_fail: tuple[str, ...] = ()
    op_fail: tuple[str, ...] = ()
    live = [n.name for n in nodes if n.online]
    if features.node_fail and draw(st.integers(0, 4)) == 0 and len(live) >= 2:
        node_fail = (draw(st.sampled_from(live)),)
    if features.op_fail and draw(st.integers(0, 3)) == 0:
        running = [h for h in history if h.state == "Started" and h.node in live]
        if running:
            h = draw(st.sampled_from(running))
            op_fail = (f"{h.rsc}_monitor_10000@{h.node}=7",)
    return Generated(spec, node_fail, op_fail)
