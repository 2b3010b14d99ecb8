"""`pycrm run` scenarios in Pacemaker's CTS style: real daemons in network namespaces, a
loop-mounted ext4 shared disk, real apache2; audits after every step (one VIP holder at
every sample, CIB versions converged, no orphan processes)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable

import pytest

from pycrm.control.client import call
from pycrm.demo.lab import dummy
from tests.fixtures.clusterlab import LabHarness
from tests.fixtures.tools import require_tool

pytestmark = [pytest.mark.root, pytest.mark.fault, pytest.mark.slow]

Make = Callable[..., LabHarness]


def _up(lab: LabHarness, *, stickiness: int = 0, monitor: str = "10s") -> LabHarness:
    cib = lab.group_cib(stickiness=stickiness, monitor=monitor)
    for member in lab.members:
        lab.write_config(member, cib)
    for member in lab.members:
        lab.start(member.name)
    lab.start_sampling()
    lab.audit(vip_holder="node1", timeout=60)
    assert lab.http() == 200
    return lab


def test_node_crash_moves_the_group_and_it_returns(cluster_lab: Make) -> None:
    lab = _up(cluster_lab(nodes=3))
    lab.crash("node1")
    took = lab.wait_http(timeout=30)
    lab.audit(vip_holder=True)
    assert lab.vip_holders() in (["node2"], ["node3"])
    assert lab.disk_holders() == lab.vip_holders()
    assert took < 20  # a generous bound: the measured figure lives in bench/
    lab.power_on("node1")
    lab.start("node1")
    lab.audit(vip_holder="node1")  # no stickiness: back to the preferred node
    assert lab.http() == 200
    assert lab.disk_holders() == ["node1"]


def test_apache_kill_is_recovered_in_place(cluster_lab: Make) -> None:
    lab = _up(cluster_lab(nodes=2))
    pid_file = lab.disk.site / "run" / "httpd.pid"  # type: ignore[union-attr]
    holder = lab.node("node1")
    # the site lives on the disk mounted in node1's mount namespace
    daemon = lab.daemon_pids("node1")[0]
    pid = int((pathlib_in_ns(daemon, pid_file)).strip())
    os.kill(pid, signal.SIGKILL)
    start = time.monotonic()
    lab.wait_for(lambda: lab.http(timeout=0.5) != 200, 10, "apache to be down")
    lab.wait_http(timeout=30)
    recovered = time.monotonic() - start
    lab.audit(vip_holder="node1")
    assert lab.http() == 200
    assert recovered < 9, "recovered by the pidfd watch, not the 10 s monitor"
    del holder


def pathlib_in_ns(pid: int, path: os.PathLike[str]) -> str:
    """Read a file as the process ``pid`` sees it (its mount namespace)."""
    with open(f"/proc/{pid}/root{os.fspath(path)}") as fh:
        return fh.read()


def test_daemon_kill_and_restart_adopts_without_starting_twice(cluster_lab: Make) -> None:
    lab = _up(cluster_lab(nodes=3))
    lab.kill_daemon("node1")
    lab.start("node1")  # as systemd would (Restart=on-failure), within the dead time
    time.sleep(0)  # nothing to wait for: the audit waits for convergence
    lab.audit(vip_holder="node1")
    assert lab.disk_holders() == ["node1"]


def test_losing_one_of_two_links_does_not_fail_over(cluster_lab: Make) -> None:
    lab = _up(cluster_lab(nodes=2, links=2))
    lab.cut("node1", links=[1])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        assert lab.vip_holders() == ["node1"]
        time.sleep(0.1)
    lab.heal("node1", links=[1])
    lab.audit(vip_holder="node1")


def _start(lab: LabHarness, cib: bytes) -> None:
    lab.install_dummy()
    for member in lab.members:
        lab.write_config(member, cib)
    for member in lab.members:
        lab.start(member.name)
    lab.start_sampling()


def test_cascade_through_three_nodes_and_back(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3)
    prefs = (
        '<rsc_location id="web-then-node2" rsc="web" node="node2" score="50"/>'
        '<rsc_location id="web-then-node3" rsc="web" node="node3" score="25"/>'
    )
    # the last node standing keeps the service: no-quorum-policy=ignore (heartbeat's way)
    cib = lab.group_cib(options={"no-quorum-policy": "ignore"}, extra_constraints=prefs)
    _start(lab, cib)
    lab.audit(vip_holder="node1", timeout=60)
    lab.crash("node1")
    lab.audit(vip_holder="node2")
    lab.crash("node2")
    lab.audit(vip_holder="node3")
    assert lab.http() == 200
    for name in ("node1", "node2"):
        lab.power_on(name)
        lab.start(name)
    lab.audit(vip_holder="node1")
    assert lab.http() == 200 and lab.disk_holders() == ["node1"]


def test_start_failure_threshold_and_failure_timeout(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=2, disk=False)
    worker = dummy("worker")
    loc = '<rsc_location id="worker-prefers-node1" rsc="worker" node="node1" score="100"/>'
    cib = lab.group_cib(
        defaults={"migration-threshold": "2", "failure-timeout": "20s"},
        extra_resources=worker,
        extra_constraints=loc,
    )
    lab.install_dummy()
    lab.inject("node1", "start")  # the first start on node1 fails
    _start(lab, cib)
    # start failure -> moves (start-failure-is-fatal: INFINITY on node1)
    lab.wait_for(lambda: lab.dummy_holders("worker") == ["node2"], 60, "worker on node2")
    lab.audit(vip_holder="node1")
    # failure-timeout -> the ban expires and it goes home
    lab.wait_for(lambda: lab.dummy_holders("worker") == ["node1"], 60, "worker back on node1")
    lab.audit(vip_holder="node1")
    # the service dies twice on node1: restart in place, then migration-threshold 2 -> move
    state = lab.node("node1").home / "dummy-worker.state"
    state.unlink()
    lab.wait_for(state.exists, 30, "worker restarted in place")
    lab.wait_settled()
    state.unlink()
    lab.wait_for(lambda: lab.dummy_holders("worker") == ["node2"], 30, "worker banned from node1")
    lab.audit(vip_holder="node1")


def test_partition_minority_stops_majority_takes_healing_has_one_dc(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3, disk=False)
    solo = dummy("solo")
    loc = '<rsc_location id="solo-prefers-node3" rsc="solo" node="node3" score="100"/>'
    _start(lab, lab.group_cib(extra_resources=solo, extra_constraints=loc))
    lab.audit(vip_holder="node1", timeout=60)
    assert lab.dummy_holders("solo") == ["node3"]
    lab.cut("node3")  # node3 alone: no quorum (1/3)
    lab.wait_for(
        lambda: "node3" not in lab.dummy_holders("solo"), 20, "node3 to stop solo (no quorum)"
    )
    lab.wait_for(lambda: len(lab.dummy_holders("solo")) == 1, 20, "the majority to run solo")
    assert lab.vip_holders() == ["node1"]  # the majority kept the group
    lab.heal("node3")
    lab.audit(vip_holder="node1")
    assert len(lab.dcs()) == 1
    lab.wait_for(lambda: lab.dummy_holders("solo") == ["node3"], 30, "solo back on node3")


def test_cib_change_on_a_member_and_a_stale_node_rejoining(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=3, disk=False)
    _start(lab, lab.group_cib())
    lab.audit(vip_holder="node1", timeout=60)
    dc = lab.dcs().pop()
    member = next(m.name for m in lab.members if m.name != dc)
    # node3 leaves, the configuration changes without it, then it comes back older
    lab.stop("node3")
    change = {"kind": "node-attr", "node": "node1", "name": "standby", "value": "on"}
    call(lab.node(member).run_dir, "cib_update", {"changes": [change]}, timeout=10)
    lab.audit(vip_holder="node2")
    lab.start("node3")
    lab.audit(vip_holder="node2")
    versions = lab.versions()
    assert set(versions) == {"node1", "node2", "node3"} and len(set(versions.values())) == 1


@pytest.mark.parametrize("auto_failback", ["on", "off"])
def test_unchanged_legacy_ha_d_with_auto_failback(cluster_lab: Make, auto_failback: str) -> None:
    """A 2-node heartbeat v1 configuration run as is: VIP, shared disk, a resource.d script
    and apache; node1 fails and comes back, with heartbeat's auto_failback on and off."""
    lab = cluster_lab(nodes=2)
    for member in lab.members:
        lab.write_ha_d(member, auto_failback=auto_failback)
    for member in lab.members:
        lab.start(member.name, ha_d=True)
    lab.start_sampling()
    lab.audit(vip_holder="node1", timeout=60)
    assert lab.http() == 200
    assert lab.script_holders() == ["node1"]
    lab.crash("node1")
    lab.audit(vip_holder="node2")
    assert lab.http() == 200 and lab.disk_holders() == ["node2"]
    lab.power_on("node1")
    (lab.node("node1").home / "labscript.state").unlink(missing_ok=True)  # a reboot
    lab.start("node1", ha_d=True)
    home = "node1" if auto_failback == "on" else "node2"
    lab.audit(vip_holder=home)
    assert lab.http() == 200 and lab.disk_holders() == [home]
    assert lab.script_holders() == [home]
    log = (lab.node("node2").home / "ha-log").read_text()
    assert "heartbeat" in log or "pycrm" in log  # heartbeat's logfile is written


def test_ha_d_ping_node_lost_gives_the_resources_up(cluster_lab: Make) -> None:
    """ha.cf `ping`: the node that cannot reach its ping node any more gives up its
    resources (what heartbeat needed ipfail for)."""
    lab = cluster_lab(nodes=2, disk=False)
    for member in lab.members:
        lab.write_ha_d(member, auto_failback="off", ping=True)
    for member in lab.members:
        lab.start(member.name, ha_d=True)
    lab.start_sampling()
    lab.audit(vip_holder="node1", timeout=60)
    ns = lab.node("node1").ns
    rule = ["OUTPUT", "-p", "icmp", "-d", lab.client_addr, "-j", "DROP"]
    subprocess.run(["ip", "netns", "exec", ns, "iptables", "-A", *rule], check=True)
    lab.wait_for(lambda: lab.vip_holders() == ["node2"], 30, "the group to leave node1")
    lab.audit(vip_holder="node2")
    assert lab.script_holders() == ["node2"]


def test_ha_d_respawn_restarts_a_program_unless_it_exits_100(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=2, disk=False)
    prog = lab.root / "watcher.sh"
    prog.write_text(
        "#!/bin/sh\n"
        'echo $$ >> "$1/pids"\n'
        'if [ -e "$1/exit100" ]; then exit 100; fi\n'
        "exec sleep 300\n"
    )
    prog.chmod(0o755)
    for member in lab.members:
        lab.write_ha_d(member, respawn=f"{prog} {member.home}")
    for member in lab.members:
        lab.start(member.name, ha_d=True)
    pids = lab.node("node1").home / "pids"
    lab.wait_for(pids.exists, 30, "the respawned program to start")
    first = int(pids.read_text().split()[0])
    os.kill(first, signal.SIGKILL)
    lab.wait_for(lambda: len(pids.read_text().split()) == 2, 30, "a restart after SIGKILL")
    (lab.node("node1").home / "exit100").touch()
    second = int(pids.read_text().split()[1])
    os.kill(second, signal.SIGKILL)  # restarted once more; this run exits 100
    lab.wait_for(lambda: len(pids.read_text().split()) == 3, 30, "the run that exits 100")
    lab.audit(vip_holder="node1", timeout=60)
    assert len(pids.read_text().split()) == 3  # exit 100: not restarted


def test_a_one_megabyte_cib_replicates_and_pacemaker_reads_it_the_same(cluster_lab: Make) -> None:
    """1000 resources (about 1 MB of CIB) reach a node that starts with an empty CIB, in
    fragments; then Pacemaker's own tools read the daemon's file: crm_verify accepts it and
    crm_simulate decides what the daemon decided (nothing to do)."""
    require_tool("crm_verify", "crm_simulate")
    lab = cluster_lab(nodes=2, disk=False)
    filler = "x" * 720  # parameters make each resource ~1 KiB, like real ones
    extra = "".join(
        f'<primitive id="r{i}" class="ocf" provider="pycrmlab" type="Dummy">'
        f'<instance_attributes id="r{i}-ia"><nvpair id="r{i}-ia-note" name="note"'
        f' value="{filler}"/></instance_attributes>'
        f'<meta_attributes id="r{i}-meta"><nvpair id="r{i}-meta-tr" name="target-role"'
        ' value="Stopped"/></meta_attributes></primitive>'
        for i in range(1000)
    )
    big = lab.group_cib(options={"enable-startup-probes": "false"}, extra_resources=extra).replace(
        b'epoch="1"', b'epoch="5"'
    )
    assert len(big) > 1_000_000
    lab.install_dummy()
    lab.write_config(lab.node("node1"), big)
    lab.write_config(lab.node("node2"))  # no CIB: starts from the empty one
    for member in lab.members:
        lab.start(member.name)
    lab.start_sampling()
    lab.audit(vip_holder="node1", timeout=120)
    snap1, snap2 = lab.snapshot("node1"), lab.snapshot("node2")
    assert snap1 is not None and snap2 is not None
    assert snap1[0] == snap2[0] and len(snap2[0]) > 1_000_000
    cib_file = lab.node("node2").cib
    # status changes reach the file coalesced: wait for the version the node holds in memory
    want = _version(snap2[0])
    lab.wait_for(lambda: _version(cib_file.read_bytes()) >= want, 10, f"node2 to write {want}")
    verify = subprocess.run(
        ["crm_verify", "-x", str(cib_file)], capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    sim = subprocess.run(
        ["crm_simulate", "-x", str(cib_file), "-S"], capture_output=True, text=True, check=False
    )
    summary = sim.stdout.split("Transition Summary:")[1].split("Executing")[0]
    assert summary.strip() == "", sim.stdout


def _version(xml: bytes) -> tuple[int, ...]:
    """The version triple on a CIB's root element (-1 where it cannot be read)."""
    root = re.search(rb"<cib\b[^>]*>", xml)
    text = root.group(0).decode() if root else ""
    return tuple(
        int(m.group(1)) if (m := re.search(rf'\b{name}="(\d+)"', text)) else -1
        for name in ("admin_epoch", "epoch", "num_updates")
    )
