"""Fencing with real agents: pycrm's fence_netns against real namespaces, and Debian's
fence-agents (fence_dummy, fence_docker against a stand-in Docker API on loopback) run
unchanged, directly and through the fencer and the executor."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import cib
from ocf.install import install_fence
from pycrm.daemon.executor import OpRequest
from pycrm.daemon.executor.codes import EXEC_DONE, EXEC_ERROR, EXEC_NO_FENCE_DEVICE
from pycrm.fencing.config import stonith_devices
from pycrm.fencing.device import AgentInfo, FenceDevice
from pycrm.fencing.fencer import FenceRequest
from pycrm.fencing.history import FenceHistory
from tests.fixtures.netns import Netns, NetnsLab, wait_for
from tests.fixtures.tools import Spawned, require_path, require_tool
from tests.support.fencebench import FenceBench

pytestmark = [pytest.mark.realproc]

REPO = Path(__file__).resolve().parents[2]
CSTAMPS = """
import sys
from ocf.net import netns, rtnl
netns.enter(sys.argv[1])
with rtnl.Rtnl() as rt:
    for a in rt.addrs(2):
        print(a.ifindex, a.created, ".".join(str(b) for b in a.ip))
"""


def stonith_op(
    rsc: str,
    agent: str,
    action: str,
    node: str,
    *,
    params: Mapping[str, str] | None = None,
    meta: Mapping[str, str] | None = None,
    interval_ms: int = 0,
) -> OpRequest:
    """An executor request of class stonith (a resource operation or a fencer-style run)."""
    return OpRequest(
        rsc_id=rsc,
        rsc_class="stonith",
        agent=agent,
        action=action,
        node=node,
        interval_ms=interval_ms,
        params=params or {},
        meta=meta or {},
    )


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="pycrm-fence-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        subprocess.run(["rm", "-rf", str(path)], check=False)


class Pair:
    """Two namespaces joined by a veth: ``a`` (the one we fence) and ``b``."""

    def __init__(self, lab: NetnsLab) -> None:
        self.lab = lab
        self.a, self.b = lab.add_ns("a"), lab.add_ns("b")
        lab.veth(
            self.a, self.b, a_name="eth0", b_name="eth0", a_addrs=[lab.v4(1)], b_addrs=[lab.v4(2)]
        )
        self.vip = lab.v4(100)
        self.add_vip()
        self.procs = [
            self.a.popen(["sleep", "300"]),
            self.a.popen(["sh", "-c", "sleep 300 & sleep 300"]),
        ]
        self.bystander = self.b.popen(["sleep", "300"])
        wait_for(lambda: len(self.pids(self.a)) >= 3, what="processes in a")

    def cstamps(self) -> dict[str, int]:
        res = subprocess.run(
            [sys.executable, "-c", CSTAMPS, self.a.name],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        rows = (line.split() for line in res.stdout.splitlines())
        return {ip: int(created) for _index, created, ip in rows}

    def add_vip(self) -> None:
        """The floating address, created strictly after the interface's own one."""
        own, vip = self.lab.v4(1).split("/")[0], self.vip.split("/")[0]

        def added_later() -> bool:
            self.a.ip("addr", "add", self.vip, "dev", "eth0")
            stamps = self.cstamps()
            if stamps[vip] > stamps[own]:
                return True
            self.a.ip("addr", "del", self.vip, "dev", "eth0")
            return False

        wait_for(added_later, what="a later creation time for the floating address")

    def pids(self, ns: Netns) -> list[int]:
        out = subprocess.run(
            ["ip", "netns", "pids", ns.name], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]

    def eth0_up(self) -> bool:
        return ",UP" in self.a.link_show("eth0")

    def reachable(self) -> bool:
        ping = self.b.run(["ping", "-c1", "-W1", self.lab.v4(1).split("/")[0]], check=False)
        return ping.returncode == 0


def agent(fence_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(fence_dir / "fence_netns"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_fence_netns_switches_a_namespace_off_and_on(netns_lab: NetnsLab, workdir: Path) -> None:
    require_tool("ping")
    install_fence(workdir)
    pair = Pair(netns_lab)
    a = pair.a.name
    assert pair.reachable()
    res = agent(workdir, "-o", "status", "-n", a)
    assert (res.returncode, res.stdout) == (0, "Status: ON\n")
    # off as Pacemaker's fencer asks: no arguments, key=value lines on stdin
    res = agent(workdir, stdin=f"action=off\nnodename=node1\nport={a}\n")
    assert (res.returncode, res.stdout) == (0, "Success: Powered OFF\n"), res.stderr
    assert pair.pids(pair.a) == []
    assert all(p.wait(timeout=10) is not None for p in pair.procs)
    assert pair.bystander.poll() is None  # only processes inside that namespace
    assert not pair.eth0_up() and not pair.reachable()
    addrs = pair.a.addrs("eth0")
    assert netns_lab.v4(1) in addrs and pair.vip not in addrs  # the floating address is gone
    res = agent(workdir, "-o", "status", "-n", a)
    assert (res.returncode, res.stdout) == (2, "Status: OFF\n")
    assert agent(workdir, "-o", "off", "-n", a).stdout == "Success: Already OFF\n"
    res = agent(workdir, "--action=on", f"--plug={a}")
    assert (res.returncode, res.stdout) == (0, "Success: Powered ON\n")
    assert pair.eth0_up()
    wait_for(pair.reachable, timeout=20, what="the namespace reachable again")
    res = agent(workdir, "-o", "reboot", "-n", a)
    assert (res.returncode, res.stdout) == (0, "Success: Rebooted\n")
    assert agent(workdir, "-o", "status", "-n", a).returncode == 0
    listed = agent(workdir, "-o", "list").stdout.splitlines()
    assert f"{a}," in listed and f"{pair.b.name}," in listed
    assert f"{a},,ON" in agent(workdir, "-o", "list-status").stdout.splitlines()
    assert agent(workdir, "-o", "monitor").returncode == 0
    missing = f"{netns_lab.prefix}-gone"
    res = agent(workdir, "-o", "status", "-n", missing)
    assert res.returncode == 1 and "plug is not available" in res.stderr
    assert agent(workdir, "-o", "off", "-n", missing, "--missing-as-off").returncode == 0


def test_fencer_and_executor_fence_a_namespace(netns_lab: NetnsLab, workdir: Path) -> None:
    pair = Pair(netns_lab)
    empty = workdir / "sbin"
    empty.mkdir()
    bench = FenceBench("node9", str(workdir), fence_dir=str(empty))  # builtin fence_netns
    try:
        mapped = FenceDevice("fence-map", "fence_netns", {"pcmk_host_map": f"node1:{pair.a.name}"})
        bench.fencer.set_devices([mapped])

        def rsc_op(action: str, interval_ms: int = 0) -> tuple[int, int]:
            r = bench.op(
                stonith_op(
                    "fence-map",
                    "fence_netns",
                    action,
                    "node9",
                    interval_ms=interval_ms,
                    params=mapped.params,
                )
            )
            return r.rc, r.op_status

        # the stonith resource itself, as Pacemaker's executor runs it
        assert rsc_op("monitor") == (7, EXEC_DONE)  # probe: not started here
        assert rsc_op("start") == (0, EXEC_DONE)  # the agent's monitor
        assert rsc_op("monitor") == (0, EXEC_DONE)
        assert rsc_op("stop") == (0, EXEC_DONE)
        assert rsc_op("monitor") == (7, EXEC_DONE)
        meta = bench.op(stonith_op("fence-map", "fence_netns", "meta-data", "node9"))
        assert AgentInfo.from_metadata(meta.output).host_arg == "port"

        history = FenceHistory()
        out = bench.fence(FenceRequest("op1", "node1", "off", origin="node9"))
        assert out.ok and out.device == "fence-map", out
        history.record(out.event())
        assert pair.pids(pair.a) == [] and not pair.eth0_up()
        out = bench.fence(FenceRequest("op2", "node1", "reboot", origin="node9"))
        assert out.ok and pair.eth0_up()
        # dynamic-list: a device without a map fences nodes named like namespaces
        dynamic = FenceDevice("fence-dyn", "fence_netns", {})
        bench.fencer.set_devices([dynamic])
        out = bench.fence(FenceRequest("op3", pair.b.name, "off"))
        assert out.ok and out.device == "fence-dyn"
        assert pair.bystander.wait(timeout=10) is not None
        out = bench.fence(FenceRequest("op4", "node7", "off"))
        assert not out.ok and out.exec_status == EXEC_NO_FENCE_DEVICE
        # a device that fails: retried once, then the failure with the agent's words
        broken = FenceDevice(
            "fence-broken", "fence_netns", {"pcmk_host_map": f"node1:{netns_lab.prefix}-gone"}
        )
        bench.fencer.set_devices([broken])
        out = bench.fence(FenceRequest("op5", "node1", "off"))
        assert not out.ok and out.exec_status == EXEC_ERROR
        assert "plug is not available" in out.agent_error and out.exit_reason == ""
        history.record(out.event())
        assert [e.state for e in history.events()] == ["failed", "done"]
    finally:
        bench.close()


def test_packaged_fence_dummy_runs_unchanged(workdir: Path) -> None:
    require_path("/usr/sbin/fence_dummy", "fence-agents' fence_dummy")
    status = workdir / "dummy.status"
    status.write_text("on")
    bench = FenceBench("node1", str(workdir))
    try:
        meta = bench.op(stonith_op("fd", "fence_dummy", "meta-data", "node1"))
        assert meta.rc == 0 and '<resource-agent name="fence_dummy"' in meta.output
        info = AgentInfo.from_metadata(meta.output)
        assert info.supports_status and not info.supports_list and info.host_arg is None
        device = FenceDevice("fd", "fence_dummy", {"status_file": str(status)})
        start = bench.op(stonith_op("fd", "fence_dummy", "start", "node1", params=device.params))
        assert (start.rc, start.op_status) == (0, EXEC_DONE)
        bench.fencer.set_devices([device])
        out = bench.fence(FenceRequest("op1", "node2", "off"))
        assert out.ok, out
        assert status.read_text() == "off"
        out = bench.fence(FenceRequest("op2", "node2", "on"))
        assert out.ok and status.read_text() == "on"
    finally:
        bench.close()


@pytest.fixture
def docker_api(spawned: Spawned, workdir: Path) -> str:
    require_tool("openssl")
    require_path("/usr/sbin/fence_docker", "fence-agents' fence_docker")
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    proc = spawned.popen(
        [sys.executable, "-m", "tests.support.fake_docker", str(cert), str(key), "node2", "node3"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    assert port.isdigit(), port
    return port


def test_packaged_fence_docker_lists_and_fences(docker_api: str, workdir: Path) -> None:
    params = {"ipaddr": "127.0.0.1", "ipport": docker_api, "ssl_insecure": "1"}
    bench = FenceBench("node1", str(workdir))
    try:
        listed = bench.op(stonith_op("fdock", "fence_docker", "list", "node1", params=params))
        assert (listed.rc, listed.op_status) == (0, EXEC_DONE), listed
        assert listed.output.splitlines() == ["id-node2,node2", "id-node3,node3"]
        device = FenceDevice("fdock", "fence_docker", params)
        bench.fencer.set_devices([device])
        out = bench.fence(FenceRequest("op1", "node3", "off"))  # dynamic-list: "node3" listed
        assert out.ok, out
        listed = bench.op(
            stonith_op(
                "fdock",
                "fence_docker",
                "status",
                "node1",
                params=params,
                meta={"stonith_target": "node3", "stonith_host_arg": "port"},
            )
        )
        assert listed.rc == 2  # Status: OFF
        out = bench.fence(FenceRequest("op2", "node4", "off"))
        assert not out.ok and out.exec_status == EXEC_NO_FENCE_DEVICE
    finally:
        bench.close()


def test_install_writes_a_launcher_per_fence_agent(workdir: Path) -> None:
    [item] = install_fence(workdir / "sbin")
    assert item.name == "fence_netns" and os.access(item.path, os.X_OK)


def test_the_lab_fences_its_nodes(cluster_lab: Callable[..., Any], workdir: Path) -> None:
    """The lab's stonith primitive, read from a CIB, fences a lab node through the fencer;
    the node is off until it boots again (power_on)."""
    lab = cluster_lab(nodes=2, disk=False).lab
    victim = lab.node("node1")
    proc = subprocess.Popen(["ip", "netns", "exec", victim.ns, "sleep", "300"],
                            start_new_session=True)  # fmt: skip
    model = cib.loads(
        lab.group_cib(
            extra_resources=lab.stonith_xml(pcmk_delay_base="node1:1s"),
            options={"stonith-enabled": "true"},
        )
    )
    devices = stonith_devices(model, "node2")
    assert [d.id for d in devices] == ["fence-lab"]
    empty = workdir / "sbin"
    empty.mkdir()
    bench = FenceBench("node2", str(workdir), fence_dir=str(empty))
    try:
        bench.fencer.set_devices(devices)
        out = bench.fence(FenceRequest("op1", "node1", "reboot", origin="node2"))
        assert out.ok and out.device == "fence-lab", out
        assert proc.wait(timeout=10) is not None
        assert lab.fence_agent("node1", "off").stdout == "Success: Powered OFF\n"
        assert lab.fence_agent("node1", "status").returncode == 2
        lab.power_on("node1")
        assert lab.fence_agent("node1", "status").returncode == 0
        assert lab.vip_holders() == []
    finally:
        bench.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
