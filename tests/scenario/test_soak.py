"""The randomized soak (bench/soak.py, pycrm.demo.soak) in CI: a short fixed-seed set in the
fast profile, with fencing (the default), every audit passing.

The seeds are fixed so that a CI failure replays (`bench/soak.py --seed S --iterations 1
--faults F`, printed in the failure).  Two more sequences guard what the soak found in the
election once fencing was on, both about a node that comes back with an election term
newer than the DC's (it followed the DC's term, or made itself DC of its own minority
before it was fenced, and the term is persisted):

* node1 (the first node, which stands for election when it comes back) crashes while
  node2 is DC: the DC moved to node1's newer term without telling its CIB sync, which then
  dropped node1's join request, and node1 never joined;
* node3 is partitioned away while node2 is DC, fenced, and comes back: the DC it told
  about its newer term stepped down, node1 still followed it, and nobody stood: no DC.

A third guards the membership: node2, the DC, is partitioned away; it lost its peers one
at a time (each has its own last heartbeat) and, still counting the other toward quorum,
fenced a majority node before its membership had lost both.

The partitions also guard the CIB store: the node alone writes its CIB as it loses quorum,
just when the majority fences it, and a write cut off between ``cib.xml`` and its
signature once left it unable to start.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pycrm.demo.soak import Outcome, Soak
from tests.fixtures.tools import require_path, require_root, require_tool

pytestmark = [pytest.mark.root, pytest.mark.fault, pytest.mark.slow]

# seed 24 with the faults in turn: crash of a node that runs nothing, daemon kill of another,
# apache kill, loss of the heartbeat-only link of the group's node, standby of the group's
# node
CI_SEED = 24
CI_FAULTS = ["crash", "daemon-kill", "service-kill", "link-loss", "standby"]
CRASH_SEED = 3  # a crash of the DC (node1: node2 becomes DC), then of the group's node (node1)
PARTITION_SEED = 9  # with the faults in turn: a crash of the DC (node1; node2 becomes DC),
# then a partition of node3
DC_PARTITION_SEED = 10  # a crash of the DC (node1; node2 becomes DC), then a partition of
# the DC (node2)
GROUP_PARTITION_SEED = 4  # the partition of the group's node (node1, the DC)


def _run(
    tmp_path: Path, iterations: int, seed: int, faults: list[str], *, cycle: bool = False
) -> tuple[list[Outcome], str]:
    """A fast-profile soak with fencing: its outcomes and what it printed."""
    require_root()
    require_tool("ip", "unshare", "mkfs.ext4", "losetup", "curl")
    require_path("/usr/sbin/apache2", "apache2")
    lines: list[str] = []
    soak = Soak(profile="fast", results=tmp_path, echo=lines.append)
    try:
        outcomes = soak.run(iterations, seed, faults, cycle=cycle)
    finally:
        soak.close()
    assert all(line.startswith(("iteration ", "    ")) for line in lines), lines
    return outcomes, "\n".join(lines)


def test_a_fixed_seed_soak_passes_every_audit(tmp_path: Path) -> None:
    outcomes, printed = _run(tmp_path, len(CI_FAULTS), CI_SEED, CI_FAULTS, cycle=True)
    assert [o.plan.fault for o in outcomes] == CI_FAULTS
    assert [o.role for o in outcomes] == ["other", "other", "holder", "holder", "holder"]
    assert all(o.ok for o in outcomes), printed


def test_a_partition_of_the_group_node_is_fenced_and_heals(tmp_path: Path) -> None:
    outcomes, printed = _run(tmp_path, 1, GROUP_PARTITION_SEED, ["partition"])
    assert (outcomes[0].role, outcomes[0].target) == ("holder", "node1")
    assert outcomes[0].ok, printed
    # the minority was fenced, as crm_mon's fencing history shows it
    notes = outcomes[0].steps[0].notes
    assert any(n.startswith("fencing: reboot of node1 by ") for n in notes), printed


def test_node1_crashes_while_node2_is_dc_and_rejoins(tmp_path: Path) -> None:
    outcomes, printed = _run(tmp_path, 2, CRASH_SEED, ["crash"])
    assert [(o.role, o.target) for o in outcomes] == [("dc", "node1"), ("holder", "node1")]
    assert all(o.ok for o in outcomes), printed


def test_a_partition_of_another_node_while_node2_is_dc_heals(tmp_path: Path) -> None:
    outcomes, printed = _run(tmp_path, 2, PARTITION_SEED, ["crash", "partition"], cycle=True)
    assert [(o.plan.fault, o.role) for o in outcomes] == [("crash", "dc"), ("partition", "other")]
    assert all(o.ok for o in outcomes), printed


def test_a_partition_of_the_dc_while_node2_is_dc(tmp_path: Path) -> None:
    outcomes, printed = _run(tmp_path, 2, DC_PARTITION_SEED, ["crash", "partition"], cycle=True)
    assert [(o.plan.fault, o.role) for o in outcomes] == [("crash", "dc"), ("partition", "dc")]
    assert all(o.ok for o in outcomes), printed
