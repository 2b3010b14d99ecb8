"""Deterministic synthetic clusters for benchmarks: N primitives on M nodes.

The mix resembles a real configuration: mostly standalone primitives, groups
of three, some anonymous clones and a promotable clone, location preferences,
colocations and orders, a default stickiness, and a status section in which
most resources already run somewhere (so the scheduler has both placement and
"keep it where it is" work). The same (resources, nodes, seed) always gives
the same CIB.
"""

from __future__ import annotations

import random

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
    to_xml,
)


def synthetic_spec(n_resources: int, n_nodes: int, seed: int = 1) -> ClusterSpec:
    """A cluster with `n_resources` configured primitives on `n_nodes` nodes."""
    # not for security: a reproducible layout
    rnd = random.Random(seed * 1_000_003 + n_resources * 101 + n_nodes)  # noqa: S311
    nodes = [NodeSpec(name=f"node{i + 1}") for i in range(n_nodes)]
    names = [n.name for n in nodes]
    resources: list[Resource] = []
    tops: list[str] = []  # ids usable in constraints (primitives and groups)
    constraints: list[Constraint] = []
    history: list[HistorySpec] = []
    count = 0
    index = 0

    def running_on(rid: str) -> None:
        if rnd.random() < 0.7:
            history.append(HistorySpec(rsc=rid, node=rnd.choice(names), state="Started"))

    while count < n_resources:
        index += 1
        left = n_resources - count
        pick = rnd.random()
        if pick < 0.04 and left >= 1 and index > 1:
            prim = PrimSpec(id=f"clone{index}-child")
            resources.append(CloneSpec(id=f"clone{index}", child=prim))
            for name in names:
                if rnd.random() < 0.8:
                    history.append(HistorySpec(rsc=prim.id, node=name, state="Started"))
            count += 1
        elif pick < 0.05 and left >= 1 and n_nodes >= 2:
            prim = PrimSpec(id=f"ms{index}-child")
            resources.append(CloneSpec(id=f"ms{index}", child=prim, meta={"promotable": "true"}))
            promoted = rnd.choice(names)
            for name in names:
                state = "Promoted" if name == promoted else "Unpromoted"
                history.append(HistorySpec(rsc=prim.id, node=name, state=state))
            count += 1
        elif pick < 0.30 and left >= 3:
            gid = f"grp{index}"
            members = [PrimSpec(id=f"{gid}-r{k}") for k in range(3)]
            resources.append(GroupSpec(id=gid, members=members))
            if rnd.random() < 0.7:
                node = rnd.choice(names)
                for m in members:
                    history.append(HistorySpec(rsc=m.id, node=node, state="Started"))
            tops.append(gid)
            count += 3
        else:
            rid = f"rsc{index}"
            resources.append(PrimSpec(id=rid))
            running_on(rid)
            tops.append(rid)
            count += 1

    for i, rid in enumerate(tops):
        roll = rnd.random()
        if roll < 0.3:
            score = rnd.choice(["50", "100", "200", "INFINITY"])
            constraints.append(
                LocationSpec(id=f"loc-{rid}", rsc=rid, node=rnd.choice(names), score=score)
            )
        elif roll < 0.35:
            constraints.append(
                LocationSpec(id=f"ban-{rid}", rsc=rid, node=rnd.choice(names), score="-INFINITY")
            )
        if i > 0 and rnd.random() < 0.1:
            other = tops[rnd.randrange(i)]
            score = rnd.choice(["INFINITY", "100", "-100"])
            constraints.append(
                ColocationSpec(id=f"col-{rid}-{other}", rsc=rid, with_rsc=other, score=score)
            )
        if i > 0 and rnd.random() < 0.1:
            other = tops[rnd.randrange(i)]
            kind = rnd.choice(["Mandatory", "Optional"])
            constraints.append(OrderSpec(id=f"ord-{other}-{rid}", first=other, then=rid, kind=kind))

    return ClusterSpec(
        nodes=nodes,
        resources=resources,
        constraints=constraints,
        history=history,
        properties={
            "no-quorum-policy": "stop",
            "symmetric-cluster": "true",
            # A steady-state cluster has probed everything already; saying so
            # keeps the status section small (no N x M probe records).
            "enable-startup-probes": "false",
        },
        rsc_defaults={"resource-stickiness": "100"},
    )


def synthetic_cib(n_resources: int, n_nodes: int, seed: int = 1) -> str:
    """CIB XML text of `synthetic_spec()`."""
    return to_xml(synthetic_spec(n_resources, n_nodes, seed))
