"""Choose the interface, prefix length and broadcast for an address (findif, done right).

Pure functions over parsed link / address / route tables, so every rule is
unit-tested without a kernel. Differences from resource-agents' findif.sh:

- Several matching routes are not an error ("More than 1 routes match"):
  the most specific prefix wins, then the lowest metric, then the lowest
  ifindex, so the answer is deterministic and is the route the kernel itself
  would use for the subnet.
- With `nic` given, only that interface's routes are considered, so the
  netmask comes from the right route (resource-agents #380).
- The IPv4 broadcast is taken from an existing address of the subnet on the
  interface or, when there is none, computed from the prefix (#656: findif
  left it empty).
"""

from __future__ import annotations

from ocf.net import inet
from ocf.net.rtnl import (
    RT_SCOPE_LINK,
    RT_TABLE_LOCAL,
    RT_TABLE_MAIN,
    RTN_LOCAL,
    RTN_UNICAST,
    Addr,
    Link,
    Route,
)

TYPE_CHECKING = False  # collections.abc would import `collections` (~3 ms) at run time
if TYPE_CHECKING:
    from collections.abc import Sequence


class Choice:
    """The chosen interface, prefix length, IPv4 broadcast (None: none) and source route."""

    __slots__ = ("broadcast", "nic", "prefixlen", "route")

    def __init__(
        self, nic: Link, prefixlen: int, broadcast: bytes | None, route: Route | None
    ) -> None:
        self.nic = nic
        self.prefixlen = prefixlen
        self.broadcast = broadcast
        self.route = route


class NoInterface(LookupError):
    """No interface/prefix can be determined; the message says why."""


def connected_routes(routes: Sequence[Route], family: int, ip: bytes) -> list[Route]:
    """Main-table, on-link unicast routes whose prefix contains `ip` (no default route).

    This is what `ip route list match <ip> scope link` yields for IPv4: routes
    with a gateway or a wider scope are not subnets the address can live in.
    IPv6 prefix routes are scope universe, so for IPv6 "no gateway" decides.
    """
    out = []
    for r in routes:
        if r.family != family or r.table != RT_TABLE_MAIN or r.rtype != RTN_UNICAST:
            continue
        if r.dst is None or r.dst_len == 0 or r.oif is None or r.gateway is not None:
            continue
        if family == inet.AF_INET and r.scope != RT_SCOPE_LINK:
            continue
        if inet.contains(family, r.dst, r.dst_len, ip):
            out.append(r)
    return out


def loopback_routes(routes: Sequence[Route], family: int, ip: bytes) -> list[Route]:
    """Local-table prefix routes (127.0.0.0/8 dev lo) containing `ip`: findif's 127.* case."""
    return [
        r
        for r in routes
        if r.family == family
        and r.table == RT_TABLE_LOCAL
        and r.rtype == RTN_LOCAL
        and r.dst is not None
        and 0 < r.dst_len < inet.bits(family)
        and r.oif is not None
        and inet.contains(family, r.dst, r.dst_len, ip)
    ]


def best_route(candidates: Sequence[Route]) -> Route | None:
    """Most specific prefix, then lowest metric, then lowest ifindex."""
    if not candidates:
        return None
    return min(candidates, key=lambda r: (-r.dst_len, r.metric, r.oif or 0))


def pick_broadcast(
    family: int,
    ip: bytes,
    plen: int,
    nic_index: int,
    addrs: Sequence[Addr],
    param: str,
) -> bytes | None:
    """The IPv4 broadcast to configure (IPv6 has none).

    '+' / '-' set / clear the host bits; an explicit address is used as is;
    empty: the broadcast of an address already in the subnet on this nic,
    else the all-ones host part (none for /31 and /32).
    """
    if family != inet.AF_INET:
        return None
    if param == "+":
        return inet.broadcast_of(ip, plen, host_bits_set=True)
    if param == "-":
        return inet.broadcast_of(ip, plen, host_bits_set=False)
    if param:
        return inet.parse_ip_any4(param)
    for a in addrs:
        if (
            a.family == family
            and a.ifindex == nic_index
            and a.prefixlen == plen
            and a.broadcast is not None
            and a.ip != ip
            and inet.contains(family, a.ip, plen, ip)
        ):
            return a.broadcast
    return inet.broadcast_of(ip, plen)


def choose(
    *,
    family: int,
    ip: bytes,
    nic: str | None,
    prefixlen: int | None,
    broadcast: str,
    links: Sequence[Link],
    addrs: Sequence[Addr],
    routes: Sequence[Route],
) -> Choice:
    """Resolve nic, prefix length and broadcast for `ip`; NoInterface when impossible."""
    by_name = {link.name: link for link in links}
    by_index = {link.ifindex: link for link in links}
    text = inet.ntop(family, ip)
    if nic is not None and nic not in by_name:
        raise NoInterface(f"interface {nic} does not exist")
    if nic is None and family == inet.AF_INET6 and ip[0] == 0xFE and ip[1] & 0xC0 == 0x80:
        raise NoInterface(f"'nic' parameter is mandatory for a link local address [{text}]")
    candidates = connected_routes(routes, family, ip)
    if not candidates and family == inet.AF_INET and ip[0] == 127:
        candidates = loopback_routes(routes, family, ip)
    if nic is not None:
        nic_index = by_name[nic].ifindex
        candidates = [r for r in candidates if r.oif == nic_index]
    if prefixlen is not None:
        # Like `ip route list match <ip>/<prefixlen>`: only a subnet that contains
        # the whole requested network can say which interface it belongs on.
        candidates = [r for r in candidates if r.dst_len <= prefixlen]
    route = best_route(candidates)
    if nic is None:
        if route is None or route.oif not in by_index:
            wanted = text if prefixlen is None else f"{text}/{prefixlen}"
            raise NoInterface(
                f"no interface has a connected route containing {wanted}; set the nic parameter"
            )
        link = by_index[route.oif]
    else:
        link = by_name[nic]
    if prefixlen is None:
        if route is None:
            raise NoInterface(
                f"no connected route on {link.name} contains {text};"
                " cannot determine the netmask, set cidr_netmask"
            )
        prefixlen = route.dst_len
    brd = pick_broadcast(family, ip, prefixlen, link.ifindex, addrs, broadcast)
    return Choice(link, prefixlen, brd, route)


def find_served(
    family: int, ip: bytes, addrs: Sequence[Addr], *, index: int | None = None
) -> list[Addr]:
    """Addresses equal to `ip` (optionally only on interface `index`)."""
    return [
        a
        for a in addrs
        if a.family == family and a.ip == ip and (index is None or a.ifindex == index)
    ]
