"""Fault scenarios on the classic Heartbeat stack: floating IP, Filesystem, apache.

The three agents run as a cluster manager would run them (exec per action,
inside the service's network namespace). A scripted sequence injects one
fault at a time; after every step `audit()` checks the whole stack against
what must be true — every monitor's verdict, the address on the link, the
mount table, the httpd processes of this instance and the bystanders that
must survive — so a step that breaks something unrelated is caught where it
happens.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from tests.fixtures.apache import write_apache_config
from tests.fixtures.loopfs import LoopFs
from tests.fixtures.netns import Netns, NetnsLab
from tests.fixtures.tools import InstalledAgents, Spawned, require_path

RUNNING, STOPPED = 0, 7


@dataclass
class Stack:
    agents: InstalledAgents
    ns: Netns
    lab: NetnsLab
    fs: LoopFs
    vip: str
    config: Path
    up: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(("vip", "fs", "web"), False))
    bystanders: list[int] = field(default_factory=list)

    @property
    def params(self) -> dict[str, dict[str, str]]:
        return {
            "vip": {"ip": self.vip, "cidr_netmask": "24", "nic": "eth0", "arp_count": "1"},
            "fs": {"device": self.fs.device, "directory": str(self.fs.directory), "fstype": "ext4"},
            "web": {
                "configfile": str(self.config),
                "httpd": "/usr/sbin/apache2",
                "envfiles": "",
                "statusurl": f"http://{self.vip}/server-status",
            },
        }

    def agent(self, rsc: str, action: str, **kw: object) -> int:
        name = {"vip": "IPaddr2", "fs": "Filesystem", "web": "apache"}[rsc]
        # `ip netns exec` runs in a throw-away mount namespace: a mount made there
        # would vanish, so the Filesystem agent runs in the host's namespaces.
        netns = None if rsc == "fs" else self.ns.name
        res = self.agents.run(name, action, self.params[rsc], instance=rsc, netns=netns, **kw)  # type: ignore[arg-type]
        return res.rc

    def start(self, rsc: str) -> None:
        assert self.agent(rsc, "start") == 0, f"start {rsc}"
        self.up[rsc] = True

    def stop(self, rsc: str) -> None:
        assert self.agent(rsc, "stop") == 0, f"stop {rsc}"
        self.up[rsc] = False

    def httpd_pids(self) -> list[int]:
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            if str(self.config) in " ".join(proc.info["cmdline"] or []):
                found.append(proc.pid)
        return found

    def audit(self, step: str) -> None:
        """Everything that must hold after `step`."""
        for rsc in ("vip", "fs", "web"):
            rc = self.agent(rsc, "monitor", interval_ms=10000)
            want = RUNNING if self.up[rsc] else STOPPED
            assert rc == want, f"after {step}: {rsc} monitor {rc}, expected {want}"
        assert (self.vip + "/24" in self.ns.addrs("eth0")) == self.up["vip"], (
            f"after {step}: address"
        )
        assert (self.fs.mounted_here() == [self.fs.device]) == self.up["fs"], f"after {step}: mount"
        assert bool(self.httpd_pids()) == self.up["web"], f"after {step}: httpd processes"
        for pid in self.bystanders:
            assert psutil.pid_exists(pid), f"after {step}: bystander {pid} was killed"


@pytest.fixture
def stack(
    loopfs: LoopFs, netns_lab: NetnsLab, installed_agents: InstalledAgents, spawned: Spawned
) -> Iterator[Stack]:
    require_path("/usr/sbin/apache2", "apache2")
    ns, peer = netns_lab.add_ns("svc"), netns_lab.add_ns("peer")
    netns_lab.veth(ns, peer, a_name="eth0", a_addrs=[netns_lab.v4(1)], b_addrs=[netns_lab.v4(2)])
    vip = netns_lab.v4(100).split("/")[0]
    subprocess.run(["mount", loopfs.device, str(loopfs.directory)], check=True)
    (loopfs.directory / "www").mkdir()
    (loopfs.directory / "www" / "index.html").write_text("<html>ok</html>\n")
    subprocess.run(["umount", str(loopfs.directory)], check=True)
    confdir = Path(tempfile.mkdtemp(prefix="pycrm-fault-"))
    confdir.chmod(0o755)
    config = write_apache_config(
        confdir, listen=f"{vip}:80", docroot=loopfs.directory / "www", status_require="local"
    )
    bystander = spawned.popen(["sleep", "600"], cwd="/")
    st = Stack(installed_agents, ns, netns_lab, loopfs, vip, config, bystanders=[bystander.pid])
    try:
        yield st
    finally:
        for rsc in ("web", "fs", "vip"):
            st.agent(rsc, "stop")
        shutil.rmtree(confdir, ignore_errors=True)


def test_fault_sequence(stack: Stack, spawned: Spawned) -> None:
    stack.audit("nothing started")
    for rsc in ("vip", "fs", "web"):
        stack.start(rsc)
    stack.audit("group start")

    # 1. httpd killed outright: the monitor must not call it running; recovery restores it.
    main = int((stack.config.parent / "run" / "httpd.pid").read_text())
    os.kill(main, signal.SIGKILL)
    assert stack.agent("web", "monitor", interval_ms=10000) in (1, 7)
    stack.stop("web")
    stack.start("web")
    stack.audit("httpd SIGKILL and recovery")

    # 2. a filesystem mounted over the document root: the Filesystem monitor must fail.
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(stack.fs.directory)], check=True)
    assert stack.agent("fs", "monitor", interval_ms=10000) == 1
    subprocess.run(["umount", str(stack.fs.directory)], check=True)
    stack.audit("tmpfs over the mount point, removed")

    # 3. the link under the floating IP goes down: the IPaddr2 monitor must fail.
    stack.lab.link_down(stack.ns, "eth0")
    assert stack.agent("vip", "monitor", interval_ms=10000) == 1
    stack.lab.link_up(stack.ns, "eth0")
    stack.audit("link down and up")

    # 4. stop with a shell sitting in the mount: only that user is killed.
    user = spawned.popen(["sleep", "600"], cwd=stack.fs.directory / "www")
    for rsc in ("web", "fs", "vip"):
        stack.stop(rsc)
    assert user.wait(timeout=10) is not None
    stack.audit("group stop with a busy mount")

    # 5. a stale pid file naming an unrelated process: not running, and stop spares it.
    stale = spawned.popen(["sleep", "600"])
    stack.bystanders.append(stale.pid)
    (stack.config.parent / "run" / "httpd.pid").write_text(f"{stale.pid}\n")
    stack.audit("stale pid file pointing at an unrelated process")
    stack.stop("web")
    stack.audit("stop with a stale pid file")

    # 6. start again from scratch: everything comes back.
    for rsc in ("vip", "fs", "web"):
        stack.start(rsc)
    stack.audit("second start")
