"""`pycrm run` scenarios in Pacemaker's CTS style: real daemons in network namespaces, a
loop-mounted ext4 shared disk, real apache2; audits after every step (one VIP holder at
every sample, CIB versions converged, no orphan processes)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest

from tests.fixtures.clusterlab import LabHarness

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
