"""pycrm's agents under real corosync + Pacemaker 2.1.5.

A group of ocf:pycrm:IPaddr2 (in the node's network namespace), Filesystem
(loop-mounted ext4) and apache, as a Heartbeat v1 haresources line would
have it. Pacemaker's own recurring monitor (our agent) must catch a killed
httpd and the group must recover; stopping the cluster must stop everything
and remove the address.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.fixtures.apache import write_apache_config
from tests.fixtures.loopfs import LoopFs
from tests.fixtures.netns import Netns, NetnsLab
from tests.fixtures.pacemaker import PacemakerNode

GROUP = """
<group id="web">
  <primitive id="vip" class="ocf" provider="pycrm" type="IPaddr2">
    <instance_attributes id="vip-ia">
      <nvpair id="vip-ip" name="ip" value="{vip}"/>
      <nvpair id="vip-mask" name="cidr_netmask" value="24"/>
      <nvpair id="vip-nic" name="nic" value="eth0"/>
      <nvpair id="vip-arp" name="arp_count" value="1"/>
    </instance_attributes>
    <operations>
      <op id="vip-mon" name="monitor" interval="5s" timeout="20s"/>
    </operations>
  </primitive>
  <primitive id="fs" class="ocf" provider="pycrm" type="Filesystem">
    <instance_attributes id="fs-ia">
      <nvpair id="fs-dev" name="device" value="{device}"/>
      <nvpair id="fs-dir" name="directory" value="{directory}"/>
      <nvpair id="fs-type" name="fstype" value="ext4"/>
    </instance_attributes>
    <operations>
      <op id="fs-mon" name="monitor" interval="10s" timeout="40s"/>
    </operations>
  </primitive>
  <primitive id="site" class="ocf" provider="pycrm" type="apache">
    <instance_attributes id="site-ia">
      <nvpair id="site-conf" name="configfile" value="{config}"/>
      <nvpair id="site-httpd" name="httpd" value="/usr/sbin/apache2"/>
      <nvpair id="site-url" name="statusurl" value="http://{vip}:80/server-status"/>
    </instance_attributes>
    <operations>
      <op id="site-mon" name="monitor" interval="3s" timeout="20s"/>
      <op id="site-start" name="start" interval="0s" timeout="40s"/>
    </operations>
  </primitive>
</group>
"""


def _prepare_site(loopfs: LoopFs, vip: str) -> Path:
    """An apache config on the host whose document root lives on the shared disk."""
    subprocess.run(["mount", loopfs.device, str(loopfs.directory)], check=True)
    try:
        web = loopfs.directory / "www"
        web.mkdir()
        (web / "index.html").write_text("<html><body>served from the shared disk</body></html>\n")
    finally:
        subprocess.run(["umount", str(loopfs.directory)], check=True)
    confdir = Path(tempfile.mkdtemp(prefix="pycrm-site-"))
    confdir.chmod(0o755)
    return write_apache_config(
        confdir, listen=f"{vip}:80", docroot=loopfs.directory / "www", status_require="local"
    )


def _httpd_pid(node: PacemakerNode, config: Path) -> int:
    pidfile = config.parent / "run" / "httpd.pid"
    res = node.run(["cat", str(pidfile)])
    return int(res.stdout.strip()) if res.stdout.strip().isdigit() else 0


def test_group_starts_recovers_and_stops(
    loopfs: LoopFs,
    netns_lab: NetnsLab,
    pacemaker_factory: Callable[..., PacemakerNode],
) -> None:
    ns = netns_lab.add_ns("pcmk")
    client = netns_lab.add_ns("cli")
    netns_lab.veth(ns, client, a_name="eth0", a_addrs=[netns_lab.v4(1)], b_addrs=[netns_lab.v4(2)])
    vip = netns_lab.v4(100).split("/")[0]
    # The directory sits under the host's /tmp, which the node shares; the mount
    # itself happens in the node's private mount namespace.
    config = _prepare_site(loopfs, vip)
    try:
        _run_group(loopfs, ns, client, vip, config, pacemaker_factory)
    finally:
        shutil.rmtree(config.parent, ignore_errors=True)


def _run_group(
    loopfs: LoopFs,
    ns: Netns,
    client: Netns,
    vip: str,
    config: Path,
    pacemaker_factory: Callable[..., PacemakerNode],
) -> None:
    resources = GROUP.format(
        vip=vip, device=loopfs.device, directory=loopfs.directory, config=config
    )
    node = pacemaker_factory(ns=ns, resources=resources)
    ids = ["vip", "fs", "site"]
    node.wait_for(lambda: node.all_started(ids), 90, "the group to start")
    mon = node.run(["crm_mon", "-1"]).stdout
    for rsc, agent in (("vip", "IPaddr2"), ("fs", "Filesystem"), ("site", "apache")):
        assert f"{rsc}\t(ocf:pycrm:{agent}):\t Started node1" in mon, mon
    # The site answers on the floating address from another host.
    assert vip in ns.addrs("eth0")
    status, body = _get(client, vip)
    assert status == 200 and "served from the shared disk" in body

    # kill -9 httpd: Pacemaker's recurring monitor (our agent) must notice, and
    # the group recovers in place.
    before = _httpd_pid(node, config)
    assert before > 0
    node.run(["kill", "-9", str(before)], check=True)
    node.wait_for(lambda: _failcount(node, "site") >= 1, 60, "the monitor to record a failure")
    node.wait_for(
        lambda: node.all_started(ids) and _httpd_pid(node, config) not in (0, before),
        90,
        "the group to recover",
    )
    status, _ = _get(client, vip)
    assert status == 200

    # Stopping the cluster stops every resource first and removes the address.
    node.stop()
    assert vip not in ns.addrs("eth0")
    log = (node.workdir / "var-log-pacemaker" / "pacemaker.log").read_text(errors="replace")
    for rsc in ids:
        assert f"Result of stop operation for {rsc} on node1: ok" in log
    assert _apache_processes(config) == []


def _get(client: Netns, vip: str) -> tuple[int, str]:
    res = client.run(
        [
            "python3",
            "-c",
            "import sys, urllib.request as u;"
            "r = u.urlopen(sys.argv[1], timeout=5); print(r.status); print(r.read().decode())",
            f"http://{vip}/",
        ],
        check=False,
    )
    if res.returncode != 0:
        return 0, res.stderr
    status, _, body = res.stdout.partition("\n")
    return int(status), body


def _failcount(node: PacemakerNode, rsc: str) -> int:
    res = node.run(["crm_failcount", "-G", "-q", "-r", rsc, "-N", node.node_name])
    text = res.stdout.strip()
    return int(text) if text.isdigit() else (1000000 if text == "INFINITY" else 0)


def _apache_processes(config: Path) -> list[int]:
    import psutil

    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if str(config) in " ".join(proc.info["cmdline"] or []):
            found.append(proc.pid)
    return found
