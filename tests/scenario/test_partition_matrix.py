"""Split brain, prevented: partitions with fencing (``fence_netns`` really powers a
namespace off), CTS-style audits after every step.

At every sample of the run (the sampler looks every 20 ms) at most one node holds the
floating IP or the shared disk; after healing the CIBs converge and nothing is left running
on a node whose daemon is gone.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from pycrm.control.client import call
from pycrm.demo.lab import dummy
from tests.fixtures.clusterlab import LabHarness

pytestmark = [pytest.mark.root, pytest.mark.fault, pytest.mark.slow]

Make = Callable[..., LabHarness]


def _fencing_cib(lab: LabHarness, *, options: dict[str, str] | None = None, **device: str) -> bytes:
    props = {"stonith-enabled": "true", **(options or {})}
    return bytes(lab.group_cib(options=props, extra_resources=lab.stonith_xml(**device)))


def _start(lab: LabHarness, cib: bytes) -> None:
    lab.install_dummy()
    for member in lab.members:
        lab.write_config(member, cib)
    for member in lab.members:
        lab.start(member.name)
    lab.start_sampling()


def _daemon_dead(lab: LabHarness, name: str) -> bool:
    proc = lab.node(name).proc
    return proc is not None and proc.poll() is not None


def _status(lab: LabHarness, name: str, *args: str) -> str:
    argv = [sys.executable, "-m", "pycrm.cli.main", "status", "--run-dir"]
    out = subprocess.run(
        [*argv, str(lab.node(name).run_dir), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return out.stdout + out.stderr


def _boot(lab: LabHarness, name: str) -> None:
    """The fenced node comes back: cables in, interfaces up, its daemon starts."""
    lab.heal(name)
    lab.power_on(name)
    lab.start(name)


def test_three_nodes_one_against_two_the_majority_fences_the_minority(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3)
    _start(lab, _fencing_cib(lab))
    lab.audit(vip_holder="node1", timeout=60)
    lab.cut("node1")  # node1 alone: the other two have quorum and fence it
    lab.wait_for(lambda: _daemon_dead(lab, "node1"), 30, "node1 to be fenced")
    lab.audit(vip_holder="node2")
    assert lab.http() == 200 and lab.disk_holders() == ["node2"]
    history = _status(lab, "node3", "-m", "2")
    assert "reboot of node1 by node2 for pycrm-controld@node2 successful" in history, history
    _boot(lab, "node1")  # it rejoins cleanly and, preferred, gets the group back
    lab.audit(vip_holder="node1")
    assert lab.http() == 200 and lab.disk_holders() == ["node1"]


@pytest.mark.parametrize(
    ("device", "options", "survivor"),
    [
        ({"pcmk_delay_base": "node1:4s;node2:0s"}, {}, "node1"),
        ({}, {"priority-fencing-delay": "4s"}, "node1"),
    ],
    ids=["pcmk_delay_base", "priority-fencing-delay"],
)
def test_two_nodes_split_exactly_one_survives_the_same_every_time(
    cluster_lab: Make, device: dict[str, str], options: dict[str, str], survivor: str
) -> None:
    """Both halves keep quorum (two_node) and race to fence each other; the delay protects
    node1 (fencing it waits), which holds the group (and so has the higher priority)."""
    lab = cluster_lab(nodes=2)
    defaults = {"priority": "10"} if "priority-fencing-delay" in options else None
    cib = lab.group_cib(
        options={"stonith-enabled": "true", **options},
        defaults=defaults,
        extra_resources=lab.stonith_xml(**device),
    )
    _start(lab, cib)
    lab.audit(vip_holder="node1", timeout=60)
    loser = "node2" if survivor == "node1" else "node1"
    for _ in range(2):  # the same survivor on every run
        lab.cut("node2")
        lab.wait_for(lambda: _daemon_dead(lab, loser), 30, f"{loser} to be fenced")
        assert not _daemon_dead(lab, survivor)
        lab.audit(vip_holder=survivor)
        _boot(lab, loser)
        lab.audit(vip_holder="node1")


def test_a_failed_stop_is_fenced_then_the_resource_moves(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3, disk=False)
    worker = dummy("worker")
    loc = '<rsc_location id="worker-on-node3" rsc="worker" node="node3" score="100"/>'
    cib = lab.group_cib(
        options={"stonith-enabled": "true"},
        extra_resources=worker + lab.stonith_xml(),
        extra_constraints=loc,
    )
    _start(lab, cib)
    lab.audit(vip_holder="node1", timeout=60)
    assert lab.dummy_holders("worker") == ["node3"]
    lab.inject("node3", "stop")  # its stop fails: on-fail=fence (the default with fencing)
    change = {"kind": "node-attr", "node": "node3", "name": "standby", "value": "on"}
    call(lab.node("node1").run_dir, "cib_update", {"changes": [change]}, timeout=10)
    lab.wait_for(lambda: _daemon_dead(lab, "node3"), 30, "node3 to be fenced")
    lab.wait_for(lambda: lab.dummy_holders("worker") == ["node2"], 30, "worker on node2")
    lab.audit(vip_holder="node1")


def test_a_cib_change_in_the_majority_wins_after_healing(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3, disk=False)
    _start(lab, _fencing_cib(lab))
    lab.audit(vip_holder="node1", timeout=60)
    lab.cut("node3")
    lab.wait_for(lambda: _daemon_dead(lab, "node3"), 30, "node3 to be fenced")
    change = {"kind": "node-attr", "node": "node1", "name": "standby", "value": "on"}
    call(lab.node("node2").run_dir, "cib_update", {"changes": [change]}, timeout=10)
    lab.audit(vip_holder="node2")
    _boot(lab, "node3")
    lab.audit(vip_holder="node2")
    versions = lab.versions()
    assert set(versions) == {"node1", "node2", "node3"} and len(set(versions.values())) == 1


def test_a_broken_fencing_device_moves_nothing_and_status_says_why(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3, disk=False)
    # the device cannot reach node1's "power switch": its plug does not exist
    bad_map = "node1:nosuchns-x;" + ";".join(f"{m.name}:{m.ns}" for m in lab.members[1:])
    cib = _fencing_cib(lab, options={"stonith-max-attempts": "2"}, pcmk_host_map=bad_map)
    _start(lab, cib)
    lab.audit(vip_holder="node1", timeout=60)
    lab.crash("node1")
    lab.wait_settled(60)  # the DC gave up fencing node1: nothing planned
    assert lab.vip_holders() == []  # node1's copy died with it; nobody took over
    status = _status(lab, "node2", "-m", "3")
    assert "UNCLEAN" in status and "node1" in status, status
    failed = [line for line in status.splitlines() if "reboot of node1" in line]
    assert failed and all("failed" in line for line in failed), status
    log = lab.node("node2").log.read_text() + lab.node("node3").log.read_text()
    assert "Too many failures (2) to fence node1, giving up" in log
