"""The netlink watcher inside a network namespace reacts to carrier loss, link down and a
removed address, through pyroute2's decoding of real rtnetlink messages."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.fixtures.netns import NetnsLab

PROBE = r"""
import selectors, socket, sys, time
from pycrm.daemon.watch import LinkWatcher, WatchTable
table = WatchTable()
table.watch_address("vip", "10.77.0.100", socket.if_nametoindex("eth0"))
sel = selectors.DefaultSelector()
watcher = LinkWatcher(table, lambda rsc, why: print("TRIGGER", rsc, why, flush=True))
watcher.open(sel)
print("READY", flush=True)
end = time.monotonic() + 20
while time.monotonic() < end:
    for key, mask in sel.select(0.2):
        key.data.on_ready(mask)
"""


def _expect(proc: subprocess.Popen[str], text: str, timeout: float = 10) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if text in line:
            return line
    raise AssertionError(f"no {text!r} from the watcher")


def test_link_events_trigger_the_ipaddr2_monitor(netns_lab: NetnsLab) -> None:
    node = netns_lab.add_ns("w")
    peer = netns_lab.add_ns("p")
    netns_lab.veth(
        node, peer, a_name="eth0", b_name="eth0", a_addrs=["10.77.0.1/24"], b_addrs=["10.77.0.2/24"]
    )
    node.add_addr("eth0", "10.77.0.100/24")
    proc = node.popen([sys.executable, "-c", PROBE], stdout=subprocess.PIPE, text=True)
    _expect(proc, "READY")
    peer.ip("link", "set", "eth0", "down")  # carrier lost under the VIP
    assert "went down" in _expect(proc, "TRIGGER vip")
    peer.ip("link", "set", "eth0", "up")
    node.ip("addr", "del", "10.77.0.100/24", "dev", "eth0")
    assert "address 10.77.0.100 removed" in _expect(proc, "TRIGGER vip")
