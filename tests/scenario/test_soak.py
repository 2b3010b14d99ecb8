"""The randomized soak (bench/soak.py, pycrm.demo.soak) in CI: a short fixed-seed set in the
fast profile, every fault type at least once, every audit passing.

The seeds are fixed so that a CI failure replays (`bench/soak.py --seed S --iterations 1
--faults F`, printed in the failure).  Two daemon bugs the soak found have their own
tests, expected failures until they are fixed (then they join the main set):

* HEAL_BUG, every partition: strict -- it fails every time;
* REJOIN_BUG, a restart of node1 (the first node, which stands for election when it comes
  back): a race, about one restart of node1 in three, so not strict; the main set restarts
  only the other nodes for that reason.
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
PARTITION_SEED = 4  # the partition isolates the group's node
CRASH_SEED = 4  # the crash hits the group's node (node1)
HEAL_BUG = (
    "daemon: when a partition heals, the former minority's DC regains quorum from the"
    " heartbeat membership, completes a join round nobody answered and starts the group"
    " that the majority runs (double holding), or the majority DC takes the minority's"
    " 'newer' CIB and loses its own resources' status"
)
REJOIN_BUG = (
    "daemon: a restarted node1 stands for election; the DC moves to that term without an"
    " election event (election._on_vote_request), so its cibsync keeps the old term and"
    " drops node1's join_req: node1 never joins"
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


@pytest.mark.xfail(strict=True, reason=HEAL_BUG)
def test_a_partition_of_the_group_node_heals_to_one_holder(tmp_path: Path) -> None:
    lines: list[str] = []
    soak = _soak(tmp_path, lines)
    try:
        outcomes = soak.run(1, PARTITION_SEED, ["partition"])
    finally:
        soak.close()
    assert outcomes[0].role == "holder"
    assert outcomes[0].ok, "\n".join(lines)


@pytest.mark.xfail(strict=False, reason=REJOIN_BUG)
def test_a_crash_of_the_group_node_and_its_restart(tmp_path: Path) -> None:
    lines: list[str] = []
    soak = _soak(tmp_path, lines)
    try:
        outcomes = soak.run(1, CRASH_SEED, ["crash"])
    finally:
        soak.close()
    assert outcomes[0].role == "holder"
    assert outcomes[0].ok, "\n".join(lines)
