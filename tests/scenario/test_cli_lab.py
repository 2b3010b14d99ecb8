"""The operator commands against a real three-node `pycrm run` lab (network namespaces, the
shared disk, apache): each command is run as a new process, on one node, and its effect is
checked on every node, with the CTS-style audits (one VIP holder at every sample, CIB
versions converged, no orphans) after each step."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from pycrm.demo.lab import dummy
from tests.fixtures.clusterlab import LabHarness

pytestmark = [pytest.mark.root, pytest.mark.fault, pytest.mark.slow]

Make = Callable[..., LabHarness]


def pycrm(lab: LabHarness, node: str, *args: str, code: int = 0) -> str:
    """``pycrm ARGS --config <node's config>`` in a new process; its stdout."""
    argv = [sys.executable, "-m", "pycrm.cli.main", *args, "--config", str(lab.node(node).config)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == code, f"{argv}: {done.returncode}\n{done.stdout}{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def cl_status(lab: LabHarness, node: str, *args: str) -> str:
    argv = [sys.executable, "-m", "pycrm.cli.main", "cl_status", "--config"]
    argv += [str(lab.node(node).config), *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def everywhere(lab: LabHarness, check: Callable[[str], bool], what: str) -> None:
    for member in lab.members:
        lab.wait_for(lambda m=member.name: check(m), 30, f"{what} on {member.name}")


def test_operator_commands_change_the_cluster_seen_from_every_node(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3)
    lab.install_dummy()
    cib = lab.group_cib(monitor="10s", extra_resources=dummy("tick"))
    for member in lab.members:
        lab.write_config(member, cib)
    for member in lab.members:
        lab.start(member.name)
    lab.start_sampling()
    lab.audit(vip_holder="node1", timeout=90)

    # move -> cli-prefer-web, the group moves, every node shows it
    pycrm(lab, "node3", "resource", "move", "web", "node2", "--wait", "90")
    lab.audit(vip_holder="node2")
    assert lab.disk_holders() == ["node2"]
    everywhere(
        lab,
        lambda n: "web-ip\t(ocf:pycrm:IPaddr2):\t Started node2" in pycrm(lab, n, "status"),
        "the group on node2 in pycrm status",
    )
    for member in lab.members:
        shown = pycrm(lab, member.name, "cib", "show", "--scope", "constraints")
        assert 'id="cli-prefer-web" rsc="web" role="Started" node="node2"' in shown
    assert lab.http() == 200
    out = pycrm(lab, "node1", "resource", "clear", "web", "--wait", "90")
    assert "Removing constraint: cli-prefer-web" in out
    lab.audit(vip_holder="node1")

    # standby -> the resources leave the node; online -> they come back (no stickiness)
    pycrm(lab, "node2", "node", "standby", "node1", "--wait", "90")
    lab.audit(vip_holder=True)
    assert lab.vip_holders() != ["node1"]
    assert "* Node node1: standby" in pycrm(lab, "node3", "status")
    pycrm(lab, "node3", "node", "online", "node1", "--wait", "90")
    lab.audit(vip_holder="node1")

    # a transient attribute is set by its node, seen by every node
    pycrm(lab, "node1", "node", "attribute", "node3", "rack", "r7", "--lifetime", "reboot")
    for member in lab.members:
        shown = pycrm(
            lab, member.name, "node", "attribute", "node3", "rack", "--lifetime", "reboot"
        )
        assert shown == "scope=status  name=rack value=r7\n"

    # a monitor failure counts; cleanup forgets it on every node
    holder = lab.wait_for(lambda: lab.dummy_holders("tick"), 30, "tick running")[0]
    lab.inject(holder, "monitor")
    lab.wait_for(
        lambda: (
            "Failcounts for resource 'tick'" in pycrm(lab, "node1", "resource", "failcount", "show")
        ),
        60,
        "a fail count for tick",
    )
    lab.audit(vip_holder="node1")
    out = pycrm(lab, "node2", "resource", "cleanup", "tick", "--wait", "90")
    assert f"Cleaned up tick on {holder}" in out
    lab.audit(vip_holder="node1")
    for member in lab.members:
        assert pycrm(lab, member.name, "resource", "failcount", "show") == "No failcounts\n"
        assert "Failed Resource Actions" not in pycrm(lab, member.name, "status")
    assert len(lab.dummy_holders("tick")) == 1

    # why things are where they are
    explained = pycrm(lab, "node3", "explain", "web")
    assert explained.startswith("web on node1: ") and "node1 score" in explained

    # heartbeat's commands on the same operations
    assert cl_status(lab, "node1", "rscstatus") == "local"
    assert cl_status(lab, "node2", "nodestatus", "node1") == "active"
    assert cl_status(lab, "node2", "hbparameter", "-p", "udpport") == "694"
    out = pycrm(lab, "node1", "hb_standby", "--wait", "90")
    assert out.startswith("Going standby [all].\n  web: leaves node1 (cli-ban-web-on-node1)")
    lab.audit(vip_holder=True)
    assert lab.vip_holders() != ["node1"]
    assert cl_status(lab, "node1", "rscstatus") == "none"
    pycrm(lab, "node1", "hb_takeover", "local", "--wait", "90")
    lab.audit(vip_holder="node1")
    assert lab.http() == 200
    out = pycrm(lab, "node2", "resource", "clear", "web", "--wait", "90")
    assert out.startswith("Removing constraint: cli-prefer-web\n")  # what hb_takeover left
    lab.audit(vip_holder="node1")

    # restart: stopped, then started again where it was
    out = pycrm(lab, "node2", "resource", "restart", "web", "--wait", "90")
    assert out == "resource web is running on: node1\n"
    lab.audit(vip_holder="node1")
    assert lab.http() == 200

    # a configuration loaded on one node applies everywhere; an older one is refused
    original = pycrm(lab, "node2", "cib", "show")
    moved = original.replace(
        '<rsc_location id="web-prefers-node1" rsc="web" node="node1"',
        '<rsc_location id="web-prefers-node1" rsc="web" node="node3"',
    )
    assert moved != original
    new_file, old_file = lab.root / "new-cib.xml", lab.root / "old-cib.xml"
    new_file.write_text(moved)
    old_file.write_text(original)
    assert pycrm(lab, "node2", "cib", "load", str(new_file), "--wait", "90") == "CIB updated\n"
    lab.audit(vip_holder="node3")
    assert lab.disk_holders() == ["node3"]
    for member in lab.members:
        assert 'rsc="web" node="node3"' in pycrm(lab, member.name, "cib", "show")
    pycrm(lab, "node1", "cib", "load", str(old_file), code=103)
    pycrm(lab, "node1", "cib", "load", str(old_file), "--force", "--wait", "90")
    lab.audit(vip_holder="node1")
    assert pycrm(lab, "node3", "cib", "verify") == ""

    # bad input changes nothing
    before = lab.versions()
    pycrm(lab, "node2", "resource", "move", "nosuch", "node1", code=105)
    pycrm(lab, "node2", "resource", "ban", "web", "node9", code=105)
    assert lab.versions() == before
