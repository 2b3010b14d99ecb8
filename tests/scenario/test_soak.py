"""The randomized soak (bench/soak.py, pycrm.demo.soak) in CI: a short fixed-seed set in the
fast profile, with fencing (the default), every fault type at least once, every audit
passing.

The seeds are fixed so that a CI failure replays (`bench/soak.py --seed S --iterations 1
--faults F`, printed in the failure).  Two daemon bugs the soak finds have their own
tests, expected failures until they are fixed (then they join the main set).  Both hit a
node that comes back with a newer election term than the DC's (it made itself DC of its
own minority before it was fenced, and the term is persisted):

* REJOIN_BUG: node1 (the first node, which stands for election when it comes back) after
  a crash while node2 is DC (it followed node2's term, and stands in the next one); it
  failed every time in the fast profile here, but it is a race in principle (a node1 that
  hears the DC before it stands follows it);
* NO_DC_BUG: another node, back after a partition (it made itself DC of its minority),
  when the DC is not node1: a race (the node may be fenced before it stands).

So neither is strict.  The partition of the group's node on a fresh cluster (node1, the
DC: it keeps its term in its minority) passes.  The main set neither partitions a node
nor restarts node1, for these reasons.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pycrm.demo.soak import FAULTS, Soak
from tests.fixtures.tools import require_path, require_root, require_tool

pytestmark = [pytest.mark.root, pytest.mark.fault, pytest.mark.slow]

# seed 24 with the faults in turn: crash of a node that runs nothing, daemon kill of another,
# apache kill, loss of the heartbeat-only link of the group's node, standby of the group's
# node
CI_SEED = 24
CI_FAULTS = ["crash", "daemon-kill", "service-kill", "link-loss", "standby"]
PARTITION_SEED = 4  # the partition isolates the group's node (node1)
CRASH_SEED = 3  # a crash of the DC (node1: node2 becomes DC), then of the group's node (node1)
NO_DC_SEED = 9  # with the faults in turn: a crash of the DC (node1; node2 becomes DC), then a
# partition of node3
REJOIN_BUG = (
    "daemon: a restarted node1 stands for election in a term newer than the DC's; the DC"
    " moves to that term without an election event (election._on_vote_request), and a"
    " member that follows the same DC in a newer term emits none either (_follow), so"
    " their CIB sync keeps the old term and drops node1's join_req (and the DC's offers):"
    " node1 never joins"
)
NO_DC_BUG = (
    "daemon: a restarted node with a newer term than the DC's sends not_dc; the DC steps"
    " down, but it is not the first member, so it only asks who the DC is; the first member"
    " still follows the old DC (nobody told it) and never stands: no DC, for ever"
)


def _soak(tmp_path: Path, lines: list[str]) -> Soak:
    require_root()
    require_tool("ip", "unshare", "mkfs.ext4", "losetup", "curl")
    require_path("/usr/sbin/apache2", "apache2")
    return Soak(profile="fast", results=tmp_path, echo=lines.append)


def test_a_fixed_seed_soak_passes_every_audit(tmp_path: Path) -> None:
    lines: list[str] = []
    soak = _soak(tmp_path, lines)
    try:
        outcomes = soak.run(len(CI_FAULTS), CI_SEED, CI_FAULTS, cycle=True)
    finally:
        soak.close()
    assert [o.plan.fault for o in outcomes] == CI_FAULTS
    assert [o.role for o in outcomes] == ["other", "other", "holder", "holder", "holder"]
    assert set(CI_FAULTS) | {"partition"} == set(FAULTS)
    assert all(o.ok for o in outcomes), "\n".join(lines)
    assert all(line.startswith("iteration ") and " seed " in line for line in lines)


def test_a_partition_of_the_group_node_heals_to_one_holder(tmp_path: Path) -> None:
    lines: list[str] = []
    soak = _soak(tmp_path, lines)
    try:
        outcomes = soak.run(1, PARTITION_SEED, ["partition"])
    finally:
        soak.close()
    assert (outcomes[0].role, outcomes[0].target) == ("holder", "node1")
    assert outcomes[0].ok, "\n".join(lines)
    partition = outcomes[0].steps[0]
    assert any(n.startswith("fencing: reboot of node1 by ") for n in partition.notes)


@pytest.mark.xfail(strict=False, reason=REJOIN_BUG)
def test_node1_crashes_while_node2_is_dc_and_rejoins(tmp_path: Path) -> None:
    lines: list[str] = []
    soak = _soak(tmp_path, lines)
    try:
        outcomes = soak.run(2, CRASH_SEED, ["crash"])
    finally:
        soak.close()
    assert [(o.role, o.target) for o in outcomes] == [("dc", "node1"), ("holder", "node1")]
    assert all(o.ok for o in outcomes), "\n".join(lines)


@pytest.mark.xfail(strict=False, reason=NO_DC_BUG)
def test_a_partition_of_another_node_while_node2_is_dc_heals(tmp_path: Path) -> None:
    lines: list[str] = []
    soak = _soak(tmp_path, lines)
    try:
        outcomes = soak.run(2, NO_DC_SEED, ["crash", "partition"], cycle=True)
    finally:
        soak.close()
    assert [(o.plan.fault, o.role) for o in outcomes] == [("crash", "dc"), ("partition", "other")]
    assert all(o.ok for o in outcomes), "\n".join(lines)
