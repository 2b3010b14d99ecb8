"""lvs_support: an LVS-DR real server's VIP on loopback, moved aside while we hold it.

On start the VIP (/32 on a loopback device) is removed and remembered in
$HA_RSCTMP/<ip>, the same file and format resource-agents uses
("<ip> 32 255.255.255.255 <dev>"), so a node can switch agents in flight;
on stop it is put back.
"""

from __future__ import annotations

import contextlib
import os

from ocf.net import inet
from ocf.net.rtnl import ARPHRD_LOOPBACK, RT_SCOPE_HOST, Rtnl

DEFAULT_RSCTMP = "/run/resource-agents"


def state_path(rsctmp: str, ip_text: str) -> str:
    return os.path.join(rsctmp, ip_text)


def take_from_loopback(rt: Rtnl, ip: bytes, ip_text: str, rsctmp: str) -> list[str]:
    """Remove ip/32 from loopback devices, saving where it was; the devices it left."""
    moved = []
    for addr in rt.addrs(inet.AF_INET):
        if addr.ip != ip or addr.prefixlen != 32:
            continue
        link = rt.link(index=addr.ifindex)
        if link is None or link.arptype != ARPHRD_LOOPBACK:
            continue
        os.makedirs(rsctmp, mode=0o755, exist_ok=True)
        with open(state_path(rsctmp, ip_text), "w", encoding="ascii") as fh:
            fh.write(f"{ip_text} 32 255.255.255.255 {link.name}\n")
        with contextlib.suppress(OSError):
            rt.del_addr(inet.AF_INET, link.ifindex, ip, 32)
        moved.append(link.name)
    return moved


def restore_loopback(rt: Rtnl, ip: bytes, ip_text: str, rsctmp: str) -> str | None:
    """Put a saved loopback VIP back; the device name, or None when nothing was saved."""
    path = state_path(rsctmp, ip_text)
    try:
        with open(path, encoding="ascii") as fh:
            fields = fh.read().split()
    except FileNotFoundError:
        return None
    dev = fields[3] if len(fields) >= 4 else "lo"
    link = rt.link(name=dev)
    if link is not None:
        try:
            rt.add_addr(
                inet.AF_INET,
                link.ifindex,
                ip,
                32,
                broadcast=b"\xff\xff\xff\xff",
                scope=RT_SCOPE_HOST if ip[0] == 127 else 0,
            )
        except OSError as exc:
            if exc.errno != 17:  # EEXIST: already back
                raise
    os.unlink(path)
    return dev
