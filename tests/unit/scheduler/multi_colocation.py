"""One dependent colocated with several primaries: placements Pacemaker 2.1.5 computes.

Each expected result was checked with ``crm_simulate -S`` (2.1.5) on the same CIB text;
test_scenarios.py runs these with the other scenarios and re-checks them against the installed
crm_simulate.
"""

from __future__ import annotations

from typing import Any

from tests.unit.scheduler.cibtext import node_state, prim, running
from tests.unit.scheduler.scenarios import Placement


def _group(gid: str, *members: str) -> str:
    return f'<group id="{gid}">' + "".join(prim(m) for m in members) + "</group>"


def _coloc(cid: str, rsc: str, with_rsc: str, score: str) -> str:
    return f'<rsc_colocation id="{cid}" rsc="{rsc}" with-rsc="{with_rsc}" score="{score}"/>'


def _loc(lid: str, rsc: str, node: str, score: str) -> str:
    return f'<rsc_location id="{lid}" rsc="{rsc}" node="{node}" score="{score}"/>'


MULTI_COLOCATION: dict[str, tuple[dict[str, Any], list[Placement]]] = {
    # The dependent's primaries are placed in resource-id order ("pa" before "pz"), not in
    # configuration order: pa takes n1 and pz, balancing, takes n2 (configuration order would
    # swap them).
    "primaries-placed-in-id-order": (
        {
            "resources": prim("d") + prim("pz") + prim("pa"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": _coloc("c1", "d", "pz", "-100") + _coloc("c2", "d", "pa", "-100"),
        },
        [("d", "Started", "n2", ()), ("pa", "Started", "n1", ()), ("pz", "Started", "n2", ())],
    ),
    # A group's own colocations join its first member's list in sorted place: ga considers
    # "g with pa" before its own "ga with pz", so pa takes n1 and pz n2.
    "group-colocations-merged-sorted": (
        {
            "resources": _group("g", "ga", "gb") + prim("pz") + prim("pa"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": _coloc("c1", "ga", "pz", "-100") + _coloc("c2", "g", "pa", "-100"),
        },
        [
            ("ga", "Started", "n2", ()),
            ("gb", "Started", "n2", ()),
            ("pa", "Started", "n1", ()),
            ("pz", "Started", "n2", ()),
        ],
    ),
    # g1's first member folds in g3 (INFINITY with g1) and g4 (-100 with g1).  g4 is not placed
    # yet, so "g3 with g4" (still held by the group g4, not its last member) is not followed and
    # g3's stickiness on n4 draws g1 there; g3 and then g4 follow.
    "unplaced-group-dependents-not-followed": (
        {
            "resources": _group("g1", "g1a", "g1b")
            + _group("g3", "g3a", "g3b")
            + _group("g4", "g4a", "g4b"),
            "status": node_state("n1")
            + node_state("n2")
            + node_state("n3", running("g4a"))
            + node_state("n4", running("g3a")),
            "nodes": ("n1", "n2", "n3", "n4"),
            "constraints": _coloc("c0", "g4", "g1", "-100")
            + _coloc("c1", "g3", "g1", "INFINITY")
            + _coloc("c2", "g3", "g4", "INFINITY"),
            "defaults": {"resource-stickiness": "100"},
        },
        [
            ("g1a", "Started", "n4", ()),
            ("g1b", "Started", "n4", ()),
            ("g3a", "Started", "n4", ()),
            ("g3b", "Started", "n4", ()),
            ("g4a", "Started", "n4", ()),
            ("g4b", "Started", "n4", ()),
        ],
    ),
    # Placing r first places g5, which places g6 first (g5 with g6 -INFINITY).  g6's last
    # member folds in g5 at -1: every node would be banned, so that is rolled back; then the
    # colocations on g5's last member (r with g5, -100) count at -1 * -100: r's -INFINITY on
    # n1 becomes -100 there, so g6 goes to n2 and g5 stays on n1 (ours used to flip them).
    "group-dependents-through-last-member": (
        {
            "resources": prim("r") + _group("g5", "g5a", "g5b") + _group("g6", "g6a", "g6b"),
            "status": node_state("n1", running("g5a")) + node_state("n2", running("r")),
            "constraints": _loc("l0", "r", "n1", "-INFINITY")
            + _loc("l1", "g5", "n2", "INFINITY")
            + _coloc("c0", "g5", "g6", "-INFINITY")
            + _coloc("c1", "r", "g6", "-100")
            + _coloc("c2", "r", "g5", "-100"),
            "defaults": {"resource-stickiness": "INFINITY"},
        },
        [
            ("g5a", "Started", "n1", ()),
            ("g5b", "Started", "n1", ()),
            ("g6a", "Started", "n2", ()),
            ("g6b", "Started", "n2", ()),
            ("r", "Started", "n2", ()),
        ],
    ),
}
