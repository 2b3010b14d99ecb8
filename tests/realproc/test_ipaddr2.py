"""ocf:pycrm:IPaddr2 against the real kernel, in private network namespaces.

Each test builds a small lab (`netns_lab`): namespace "a" runs the agent,
namespace "b" is the neighbour on the other end of a veth pair. The agent
is installed like Pacemaker would run it and exec'd with OCF_* variables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ocf.install import install
from tests.fixtures.netns import Link, Netns, NetnsLab, wait_for
from tests.fixtures.tools import require_path, require_root, require_tool

SHELL_AGENT = "/usr/lib/ocf/resource.d/heartbeat/IPaddr2"
OCF_TESTER = "/usr/sbin/ocf-tester"


@pytest.fixture(scope="module")
def agent() -> Iterator[str]:
    """Our IPaddr2 installed into a world-readable temporary OCF root.

    ocf-tester runs meta-data as `nobody`, so every path component must be
    traversable by others (pytest's tmp_path is 0700).
    """
    require_root()
    root = tempfile.mkdtemp(prefix="pycrm-ocf-", dir="/tmp")
    os.chmod(root, 0o755)
    try:
        install(root, "pycrm", names=["IPaddr2"])
        yield str(Path(root) / "resource.d" / "pycrm" / "IPaddr2")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Pair:
    lab: NetnsLab
    a: Netns  # runs the agent
    b: Netns  # the neighbour
    la: Link
    lb: Link

    def vip4(self, host: int = 50) -> str:
        return self.lab.v4(host).split("/")[0]

    def vip6(self, host: int = 0x50) -> str:
        return self.lab.v6(host).split("/")[0]

    def mac(self) -> str:
        out = self.a.link_show(self.la.name)
        return out.split("link/ether ", 1)[1].split()[0]


@pytest.fixture
def pair(netns_lab: NetnsLab) -> Pair:
    require_tool("ip")
    a, b = netns_lab.add_ns("a"), netns_lab.add_ns("b")
    la, lb = netns_lab.veth(
        a,
        b,
        a_addrs=[netns_lab.v4(1), netns_lab.v6(1)],
        b_addrs=[netns_lab.v4(2), netns_lab.v6(2)],
    )
    return Pair(netns_lab, a, b, la, lb)


def ocf_env(probe: bool = False, **params: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
        "OCF_ROOT": "/usr/lib/ocf",
        "OCF_RESOURCE_INSTANCE": "vip",
        "OCF_RESOURCE_TYPE": "IPaddr2",
        "OCF_RESKEY_CRM_meta_timeout": "20000",
        "HA_LOGFACILITY": "none",
    }
    if not probe:
        env["OCF_RESKEY_CRM_meta_interval"] = "10000"
    env.update({k if k.startswith("HA_") else f"OCF_RESKEY_{k}": v for k, v in params.items()})
    return env


def act(
    ns: Netns | None, agent: str, action: str, probe: bool = False, **params: str
) -> subprocess.CompletedProcess[str]:
    """Run one agent action (inside `ns`, or in the root namespace when None)."""
    argv = [agent, action]
    env = ocf_env(probe, **params)
    if ns is None:
        return subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    return ns.run(argv, env=env, check=False)


def reason(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("ocf-exit-reason:")]
    return lines[-1] if lines else ""


def addr_line(ns: Netns, ifname: str, ip: str) -> str:
    for line in ns.addrs(ifname).splitlines():
        if f" {ip}/" in line:
            return line
    return ""


# --------------------------------------------------------------------- ocf-tester
@pytest.mark.parametrize("family", ["ipv4-autodetect", "ipv6"])
def test_ocf_tester_passes_inside_a_namespace(agent: str, pair: Pair, family: str) -> None:
    require_path(OCF_TESTER, "ocf-tester (resource-agents)")
    if family == "ipv6":
        opts = ["-o", f"ip={pair.vip6()}", "-o", f"nic={pair.la.name}", "-o", "cidr_netmask=64"]
    else:
        opts = ["-o", f"ip={pair.vip4()}"]
    proc = pair.a.run(
        ["timeout", "120", OCF_TESTER, "-n", "vip1", *opts, agent], check=False, timeout=130
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "passed all tests" in proc.stdout


# ------------------------------------------------------------------ IPv4 basics
def test_ipv4_start_monitor_stop_with_nic_autodetection(agent: str, pair: Pair) -> None:
    lab, a = pair.lab, pair.a
    # A second, wider connected route also contains the address: findif's
    # "More than 1 routes match"; the most specific (/24 on la) must win.
    other, _ = lab.veth(a, pair.b, a_addrs=[f"{lab.net4}.200/16"], b_addrs=[])
    vip = pair.vip4()
    assert act(a, agent, "monitor", probe=True, ip=vip).returncode == 7
    assert act(a, agent, "validate-all", ip=vip).returncode == 0
    started = act(a, agent, "start", ip=vip)
    assert started.returncode == 0, started.stderr
    line = addr_line(a, pair.la.name, vip)
    assert f"inet {vip}/24 brd {lab.net4}.255 " in line
    assert addr_line(a, other.name, vip) == ""
    assert act(a, agent, "monitor", ip=vip).returncode == 0
    assert act(a, agent, "monitor", probe=True, ip=vip).returncode == 0
    assert act(a, agent, "start", ip=vip).returncode == 0  # idempotent
    assert act(a, agent, "stop", ip=vip).returncode == 0
    assert addr_line(a, pair.la.name, vip) == ""
    assert act(a, agent, "stop", ip=vip).returncode == 0  # idempotent
    assert act(a, agent, "monitor", ip=vip).returncode == 7
    assert act(a, agent, "monitor", probe=True, ip=vip).returncode == 7


def test_link_down_fails_the_monitor_where_the_shell_agent_says_running(
    agent: str, pair: Pair
) -> None:
    require_path(SHELL_AGENT, "resource-agents IPaddr2")
    a, vip = pair.a, pair.vip4()
    params = {"ip": vip, "nic": pair.la.name, "cidr_netmask": "24"}
    assert act(a, agent, "start", **params).returncode == 0
    # Peer end down: our end goes LOWERLAYERDOWN / NO-CARRIER.
    pair.lab.link_down(pair.b, pair.lb.name)
    ours = act(a, agent, "monitor", **params)
    assert ours.returncode == 1
    assert "link is down" in reason(ours) and pair.la.name in reason(ours)
    shell = act(a, SHELL_AGENT, "monitor", **params)
    assert shell.returncode == 0, "the regression fixture no longer reproduces 4.12's blind spot"
    pair.lab.link_up(pair.b, pair.lb.name)
    wait_for(lambda: act(a, agent, "monitor", **params).returncode == 0, what="monitor rc 0")
    # Our own end administratively down.
    pair.lab.link_down(a, pair.la.name)
    down = act(a, agent, "monitor", **params)
    assert down.returncode == 1 and "administratively down" in reason(down)
    # A stopped resource on a dead link is simply not running, and stop works.
    assert act(a, agent, "stop", **params).returncode == 0
    assert act(a, agent, "monitor", probe=True, **params).returncode == 7


def test_stop_succeeds_when_the_nic_has_vanished(agent: str, pair: Pair) -> None:
    a, vip = pair.a, pair.vip4()
    params = {"ip": vip, "nic": pair.la.name}
    assert act(a, agent, "start", **params).returncode == 0
    a.ip("link", "del", pair.la.name)
    # A recurring monitor: the address was up, its nic is gone, that is a failure.
    gone = act(a, agent, "monitor", **params)
    assert gone.returncode == 1
    assert f"interface {pair.la.name} does not exist" in reason(gone)
    assert act(a, agent, "monitor", probe=True, **params).returncode == 7
    assert act(a, agent, "stop", **params).returncode == 0


def test_a_copy_on_loopback_is_neither_reported_nor_removed(agent: str, pair: Pair) -> None:
    """LVS-DR real servers keep the VIP on lo: without nic, that copy is not ours."""
    a, vip = pair.a, pair.vip4(90)
    a.ip("addr", "add", f"{vip}/32", "dev", "lo")
    assert act(a, agent, "monitor", ip=vip).returncode == 7
    assert act(a, agent, "start", ip=vip).returncode == 0
    assert addr_line(a, pair.la.name, vip)
    assert act(a, agent, "stop", ip=vip).returncode == 0
    assert addr_line(a, pair.la.name, vip) == ""
    assert addr_line(a, "lo", vip)


def test_lvs_support_moves_the_vip_off_loopback_and_back(agent: str, pair: Pair) -> None:
    a, vip = pair.a, pair.vip4(91)
    a.ip("addr", "add", f"{vip}/32", "dev", "lo")
    with tempfile.TemporaryDirectory() as rsctmp:
        params = {"ip": vip, "lvs_support": "true", "HA_RSCTMP": rsctmp}
        assert act(a, agent, "start", **params).returncode == 0
        assert addr_line(a, pair.la.name, vip) and addr_line(a, "lo", vip) == ""
        saved = Path(rsctmp, vip).read_text()
        assert saved.split() == [vip, "32", "255.255.255.255", "lo"]
        assert act(a, agent, "monitor", **params).returncode == 0
        assert act(a, agent, "stop", **params).returncode == 0
        assert addr_line(a, pair.la.name, vip) == ""
        assert f"inet {vip}/32 " in addr_line(a, "lo", vip)
        assert not Path(rsctmp, vip).exists()


def test_iflabel_broadcast_noprefixroute_and_nic_with_label(agent: str, pair: Pair) -> None:
    a, lab = pair.a, pair.lab
    vip = f"{lab.net4}.60"
    params = {
        "ip": vip,
        "nic": pair.la.name,
        "cidr_netmask": "255.255.255.0",
        "iflabel": "svc",
        "broadcast": f"{lab.net4}.254",
        "noprefixroute": "true",
    }
    assert act(a, agent, "start", **params).returncode == 0
    line = addr_line(a, pair.la.name, vip)
    assert f"inet {vip}/24 brd {lab.net4}.254 " in line
    assert f"{pair.la.name}:svc" in line and "noprefixroute" in line
    routes = a.ip("route", "show", "table", "main").stdout
    assert f"src {vip}" not in routes
    assert act(a, agent, "monitor", **params).returncode == 0
    assert act(a, agent, "stop", **params).returncode == 0
    # nic=<dev>:<label> is split like the shell agent does; '+' computes the broadcast.
    vip2 = f"{lab.net4}.61"
    p2 = {"ip": vip2, "nic": f"{pair.la.name}:lbl", "cidr_netmask": "25", "broadcast": "+"}
    assert act(a, agent, "start", **p2).returncode == 0
    line = addr_line(a, pair.la.name, vip2)
    assert f"inet {vip2}/25 brd {lab.net4}.127 " in line and f"{pair.la.name}:lbl" in line
    assert act(a, agent, "stop", **p2).returncode == 0


def test_validate_all_and_start_on_a_missing_nic(agent: str, pair: Pair) -> None:
    a, vip = pair.a, pair.vip4()
    # Like findif: a nic name that does not exist is a configuration error (6).
    assert act(a, agent, "validate-all", ip=vip, nic="nosuch0").returncode == 6
    assert act(a, agent, "start", ip=vip, nic="nosuch0").returncode == 6
    assert act(a, agent, "monitor", probe=True, ip=vip, nic="nosuch0").returncode == 7
    assert act(a, agent, "monitor", ip=vip, nic="nosuch0").returncode == 1
    assert act(a, agent, "stop", ip=vip, nic="nosuch0").returncode == 0
    # no connected route anywhere and no nic: nothing to choose from
    assert act(a, agent, "validate-all", ip="10.254.254.1").returncode == 2
    assert act(a, agent, "validate-all", ip="10.0.0.999").returncode == 6


def test_netmask_wider_than_the_connected_subnet_needs_a_nic(agent: str, pair: Pair) -> None:
    """The lab's subnet is a /24: it cannot say where a /16 address belongs."""
    a, vip = pair.a, pair.vip4(40)
    refused = act(a, agent, "start", ip=vip, cidr_netmask="16")
    assert refused.returncode == 1
    assert f"{vip}/16" in reason(refused) and "set the nic parameter" in reason(refused)
    assert addr_line(a, pair.la.name, vip) == ""
    params = {"ip": vip, "cidr_netmask": "16", "nic": pair.la.name}
    assert act(a, agent, "start", **params).returncode == 0
    assert f"inet {vip}/16 " in addr_line(a, pair.la.name, vip)
    assert act(a, agent, "stop", **params).returncode == 0


def test_start_and_stop_need_root(agent: str, pair: Pair) -> None:
    require_tool("setpriv")
    vip = pair.vip4()
    argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", agent, "start"]
    proc = pair.a.run(argv, env=ocf_env(ip=vip), check=False)
    assert proc.returncode == 4, proc.stderr
    argv[-1] = "monitor"
    assert pair.a.run(argv, env=ocf_env(ip=vip), check=False).returncode == 7


# -------------------------------------------------------------- announcements
def test_gratuitous_arp_is_accepted_by_the_neighbour(agent: str, pair: Pair) -> None:
    """The peer kernel learns the address from our gratuitous ARP alone."""
    b, vip = pair.b, pair.vip4()
    b.sysctl(f"net.ipv4.conf.{pair.lb.name}.arp_accept", "1")
    assert vip not in b.neigh(pair.lb.name)
    params = {"ip": vip, "arp_count": "2", "arp_interval": "50"}
    assert act(pair.a, agent, "start", **params).returncode == 0
    mac = pair.mac()
    entry = wait_for(
        lambda: [ln for ln in b.neigh(pair.lb.name).splitlines() if ln.startswith(f"{vip} ")],
        what=f"neighbour entry for {vip}",
    )
    assert f"lladdr {mac}" in entry[0]
    # arp_count_refresh: a recurring monitor re-announces (the probe does not).
    b.ip("neigh", "flush", "dev", pair.lb.name)
    assert (
        act(pair.a, agent, "monitor", probe=True, arp_count_refresh="1", **params).returncode == 0
    )
    assert vip not in b.neigh(pair.lb.name)
    assert act(pair.a, agent, "monitor", arp_count_refresh="1", **params).returncode == 0
    wait_for(lambda: vip in b.neigh(pair.lb.name), what="refreshed neighbour entry")
    assert act(pair.a, agent, "stop", **params).returncode == 0


def test_ipv6_nodad_preferred_lft_and_unsolicited_na(agent: str, pair: Pair) -> None:
    a, b, vip = pair.a, pair.b, pair.vip6()
    # The peer acts as a router that learns untracked neighbours from NAs (RFC 9131):
    # only a well-formed NA (checksum, hop limit 255, target option) creates the entry.
    b.sysctl(f"net.ipv6.conf.{pair.lb.name}.forwarding", "1")
    b.sysctl(f"net.ipv6.conf.{pair.lb.name}.accept_untracked_na", "1")
    params = {
        "ip": vip,
        "nodad": "true",
        "preferred_lft": "0",
        "arp_count": "2",
        "lvs_ipv6_addrlabel": "true",
        "lvs_ipv6_addrlabel_value": "77",
    }
    started = act(a, agent, "start", **params)
    assert started.returncode == 0, started.stderr
    line = addr_line(a, pair.la.name, vip)
    assert f"inet6 {vip}/64 " in line
    assert "nodad" in line and "tentative" not in line
    assert "preferred_lft 0sec" in line and "deprecated" in line
    assert f"prefix {vip}/128 label 77" in a.ip("addrlabel", "list").stdout
    mac = pair.mac()
    entry = wait_for(
        lambda: [ln for ln in b.ip("-6", "neigh", "show").stdout.splitlines() if vip in ln],
        what=f"IPv6 neighbour entry for {vip} from the unsolicited NA",
    )
    assert f"lladdr {mac}" in entry[0]
    assert act(a, agent, "monitor", **params).returncode == 0
    assert act(a, agent, "stop", **params).returncode == 0
    assert addr_line(a, pair.la.name, vip) == ""
    assert f"prefix {vip}/128" not in a.ip("addrlabel", "list").stdout


def test_ipv6_dad_waits_and_succeeds(agent: str, pair: Pair) -> None:
    a, vip = pair.a, pair.vip6(0x51)
    params = {"ip": vip, "nic": pair.la.name, "arp_count": "1"}
    assert act(a, agent, "start", **params).returncode == 0
    line = addr_line(a, pair.la.name, vip)
    assert line and "tentative" not in line and "nodad" not in line
    assert act(a, agent, "monitor", **params).returncode == 0
    assert act(a, agent, "stop", **params).returncode == 0


def test_ipv6_duplicate_address_fails_start_and_removes_it(agent: str, pair: Pair) -> None:
    a, vip = pair.a, pair.vip6(0x52)
    pair.b.add_addr(pair.lb.name, f"{vip}/64")  # the neighbour already owns it
    proc = act(a, agent, "start", ip=vip, nic=pair.la.name)
    assert proc.returncode == 1
    assert "DAD" in reason(proc) and "address removed" in reason(proc)
    assert addr_line(a, pair.la.name, vip) == ""
    assert act(a, agent, "monitor", ip=vip, nic=pair.la.name).returncode == 7


def test_run_arping_detects_an_ipv4_collision(agent: str, pair: Pair) -> None:
    a, vip = pair.a, f"{pair.lab.net4}.2"  # the neighbour's own address
    proc = act(a, agent, "start", ip=vip, run_arping="true")
    assert proc.returncode == 1 and "collision" in reason(proc)
    assert addr_line(a, pair.la.name, vip) == ""
    free = pair.vip4(70)
    assert act(a, agent, "start", ip=free, run_arping="true").returncode == 0
    assert act(a, agent, "stop", ip=free).returncode == 0


# ----------------------------------------------------------- network_namespace
def test_network_namespace_parameter_from_the_root_namespace(agent: str, pair: Pair) -> None:
    vip = pair.vip4(80)
    params = {"ip": vip, "network_namespace": pair.a.name, "flush_routes": "true"}
    assert act(None, agent, "monitor", probe=True, **params).returncode == 7
    assert act(None, agent, "start", **params).returncode == 0
    assert addr_line(pair.a, pair.la.name, vip)
    root_addrs = subprocess.run(
        ["ip", "-o", "addr", "show"], capture_output=True, text=True, check=True
    ).stdout
    assert f" {vip}/" not in root_addrs
    assert act(None, agent, "monitor", **params).returncode == 0
    assert act(None, agent, "stop", **params).returncode == 0
    assert addr_line(pair.a, pair.la.name, vip) == ""
    missing = {"ip": vip, "network_namespace": f"{pair.lab.prefix}-nope"}
    assert act(None, agent, "monitor", probe=True, **missing).returncode == 7
    assert act(None, agent, "stop", **missing).returncode == 0
    assert act(None, agent, "start", **missing).returncode == 2


def _rx_packets(ns: Netns, ifname: str) -> int:
    out = ns.ip("-s", "-o", "link", "show", "dev", ifname).stdout
    return int(out.split("RX:")[1].split("\\")[1].split()[1])


@pytest.mark.parametrize("arp_bg", ["", "false"])
def test_arp_bg_sends_every_round_foreground_or_background(
    agent: str, pair: Pair, arp_bg: str, tmp_path: Path
) -> None:
    """arp_bg (empty = true for IPv4): start sends the first round itself and the other
    rounds from a detached process; with false it sends them all before returning.  Either
    way the neighbour receives every round (a request and a reply each)."""
    log = tmp_path / "agent.log"
    before = _rx_packets(pair.b, pair.lb.name)
    vip = pair.vip4(61)
    proc = act(pair.a, agent, "start", ip=vip, arp_count="4", arp_bg=arp_bg, HA_LOGFILE=str(log))
    assert proc.returncode == 0, proc.stderr
    text = log.read_text()
    if arp_bg == "":
        assert "sent 1 gratuitous ARP round" in text and "3 more from the background" in text
    else:
        assert "sent 4 gratuitous ARP rounds" in text
    wait_for(
        lambda: _rx_packets(pair.b, pair.lb.name) - before >= 8,
        timeout=10,
        what="4 rounds of gratuitous ARP at the neighbour",
    )
    assert act(pair.a, agent, "stop", ip=vip).returncode == 0
