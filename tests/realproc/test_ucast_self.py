"""A ucast medium hears itself without the kernel, and only when the kernel would deliver.

Two namespaces joined by a veth pair; the medium in the first sends to both addresses.
Its own copy comes back from ``take_looped()`` (nothing arrives on its socket); with the
device administratively down the send fails for every address, its own included, as the
kernel refuses a device-bound send to a local address then, and nothing is handed back.
"""

from __future__ import annotations

import json
import sys

from tests.fixtures.netns import NetnsLab

SCRIPT = r"""
import json, select, sys
from heartbeat_compat.transport import UcastMedium
from heartbeat_compat.transport.base import TransportError
dev, own, other, port = sys.argv[1:5]
m = UcastMedium(dev, [own, other], int(port))
m.open()
out = {}
try:
    m.send(b"x")
    out["sent"] = True
except TransportError as exc:
    out["sent"] = False
    out["error"] = str(exc)
out["looped"] = [(d.data.decode(), d.link, d.peer) for d in m.take_looped()]
out["kernel"] = bool(select.select([m.fileno()], [], [], 0.3)[0])
m.close()
print(json.dumps(out))
"""


def _send(lab: NetnsLab, ns_name: str, dev: str, own: str, other: str) -> dict[str, object]:
    ns = next(n for n in lab.namespaces if n.name == ns_name)
    proc = ns.run([sys.executable, "-c", SCRIPT, dev, own, other, "6941"])
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_own_copy_is_handed_back_in_process(netns_lab: NetnsLab) -> None:
    a = netns_lab.add_ns("a")
    b = netns_lab.add_ns("b")
    own, other = netns_lab.v4(1), netns_lab.v4(2)
    netns_lab.veth(a, b, a_name="hb0", b_name="hb0", a_addrs=[own], b_addrs=[other])
    own_ip, other_ip = own.split("/")[0], other.split("/")[0]

    up = _send(netns_lab, a.name, "hb0", own_ip, other_ip)
    assert up == {"sent": True, "looped": [["x", "hb0", own_ip]], "kernel": False}

    netns_lab.link_down(b, "hb0")  # carrier lost: the kernel still delivers to itself
    carrier = _send(netns_lab, a.name, "hb0", own_ip, other_ip)
    assert carrier["looped"] == [["x", "hb0", own_ip]]

    netns_lab.link_down(a, "hb0")  # administratively down: no copy for anyone
    down = _send(netns_lab, a.name, "hb0", own_ip, other_ip)
    assert down["sent"] is False and down["looped"] == [] and down["kernel"] is False
    assert "Network is unreachable" in str(down["error"])
