"""nic / netmask / broadcast selection over parsed tables (findif without its failures)."""

from __future__ import annotations

import socket

import pytest

from ocf.net import inet, nicsel
from ocf.net.inet import AF_INET, AF_INET6
from ocf.net.rtnl import (
    RT_SCOPE_HOST,
    RT_SCOPE_LINK,
    RT_SCOPE_UNIVERSE,
    RT_TABLE_LOCAL,
    RTN_LOCAL,
    Addr,
    Link,
    Route,
)

LO = Link(ifindex=1, name="lo", flags=0x49, arptype=772)
ETH0 = Link(ifindex=2, name="eth0", flags=0x11043, operstate=6, mac=b"\x02" * 6)
ETH1 = Link(ifindex=3, name="eth1", flags=0x11043, operstate=6, mac=b"\x04" * 6)
LINKS = [LO, ETH0, ETH1]


def ip(text: str) -> bytes:
    return socket.inet_pton(inet.family_of(text), text)


def r4(dst: str, plen: int, oif: int, **kw: object) -> Route:
    args: dict[str, object] = {"scope": RT_SCOPE_LINK, "metric": 0, **kw}
    return Route(family=AF_INET, dst=ip(dst), dst_len=plen, oif=oif, **args)  # type: ignore[arg-type]


def a4(addr: str, plen: int, index: int, brd: str | None = None) -> Addr:
    packed = ip(addr)
    return Addr(
        family=AF_INET,
        ifindex=index,
        prefixlen=plen,
        address=packed,
        local=packed,
        broadcast=ip(brd) if brd else None,
    )


def choose(
    addr: str, routes: list[Route], addrs: list[Addr] | None = None, **kw: object
) -> nicsel.Choice:
    family, packed = inet.parse_ip(addr)
    args: dict[str, object] = {"nic": None, "prefixlen": None, "broadcast": ""}
    args.update(kw)
    return nicsel.choose(
        family=family,
        ip=packed,
        links=LINKS,
        addrs=addrs or [],
        routes=routes,
        **args,  # type: ignore[arg-type]
    )


def brd(choice: nicsel.Choice) -> str | None:
    return None if choice.broadcast is None else inet.ntop(AF_INET, choice.broadcast)


def test_autodetect_from_connected_route() -> None:
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], [a4("10.0.0.1", 24, 2, "10.0.0.255")])
    assert (c.nic.name, c.prefixlen, brd(c)) == ("eth0", 24, "10.0.0.255")


def test_several_matching_routes_most_specific_wins() -> None:
    # findif.sh: "More than 1 routes match" in some versions; here: deterministic.
    routes = [r4("10.0.0.0", 16, 3), r4("10.0.0.0", 24, 2), r4("10.0.0.0", 8, 3)]
    c = choose("10.0.0.50", routes)
    assert (c.nic.name, c.prefixlen) == ("eth0", 24)


def test_equal_prefixes_lowest_metric_then_lowest_ifindex() -> None:
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2, metric=100), r4("10.0.0.0", 24, 3, metric=10)])
    assert c.nic.name == "eth1"
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 3), r4("10.0.0.0", 24, 2)])
    assert c.nic.name == "eth0"


def test_gateway_default_and_other_tables_are_ignored() -> None:
    routes = [
        r4("0.0.0.0", 0, 2),
        r4("10.0.0.0", 24, 2, gateway=ip("10.9.9.9"), scope=RT_SCOPE_UNIVERSE),
        r4("10.0.0.0", 24, 3, table=100),
        r4("10.0.0.0", 24, 3, scope=RT_SCOPE_UNIVERSE),
    ]
    with pytest.raises(nicsel.NoInterface, match="set the nic parameter"):
        choose("10.0.0.50", routes)


def test_nic_given_uses_only_that_nics_route_for_the_netmask() -> None:
    # resource-agents #380: with nic given, the netmask must come from that nic's route.
    routes = [r4("10.0.0.0", 24, 2), r4("10.0.0.0", 16, 3)]
    c = choose("10.0.0.50", routes, nic="eth1")
    assert (c.nic.name, c.prefixlen) == ("eth1", 16)


def test_nic_and_netmask_given_need_no_route() -> None:
    c = choose("192.168.7.7", [], nic="eth1", prefixlen=26)
    assert (c.nic.name, c.prefixlen, brd(c)) == ("eth1", 26, "192.168.7.63")


def test_nic_given_without_route_or_netmask_fails_clearly() -> None:
    with pytest.raises(nicsel.NoInterface, match="set cidr_netmask"):
        choose("192.168.7.7", [r4("10.0.0.0", 24, 2)], nic="eth1")


def test_missing_nic() -> None:
    with pytest.raises(nicsel.NoInterface, match="does not exist"):
        choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], nic="eth9")


def test_broadcast_computed_when_no_address_in_subnet() -> None:
    # resource-agents #656: findif left the broadcast empty in this case.
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], [a4("172.16.0.1", 16, 2, "172.16.255.255")])
    assert brd(c) == "10.0.0.255"


def test_broadcast_reused_from_existing_address_of_the_subnet() -> None:
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], [a4("10.0.0.1", 24, 2, "10.0.0.254")])
    assert brd(c) == "10.0.0.254"
    # ... but not from another interface or another prefix length
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], [a4("10.0.0.1", 24, 3, "10.0.0.254")])
    assert brd(c) == "10.0.0.255"


@pytest.mark.parametrize(
    ("param", "plen", "expected"),
    [
        ("+", 24, "10.0.0.255"),
        ("-", 24, "10.0.0.0"),
        ("10.0.0.77", 24, "10.0.0.77"),
        ("", 31, None),
        ("", 32, None),
        ("+", 32, None),
    ],
)
def test_broadcast_parameter(param: str, plen: int, expected: str | None) -> None:
    c = choose("10.0.0.50", [], nic="eth0", prefixlen=plen, broadcast=param)
    assert brd(c) == expected


def test_given_netmask_with_route_keeps_netmask() -> None:
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], prefixlen=28)
    assert (c.nic.name, c.prefixlen) == ("eth0", 28)


def test_netmask_wider_than_every_connected_subnet_needs_the_nic() -> None:
    # Like `ip route list match 10.0.0.50/16`: a /24 route does not contain the /16
    # network, so it cannot say where a /16 address belongs (findif refuses too).
    with pytest.raises(nicsel.NoInterface, match=r"containing 10\.0\.0\.50/16; set the nic"):
        choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], prefixlen=16)
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2), r4("10.0.0.0", 8, 3)], prefixlen=16)
    assert (c.nic.name, c.prefixlen) == ("eth1", 16)
    c = choose("10.0.0.50", [r4("10.0.0.0", 24, 2)], prefixlen=16, nic="eth0")
    assert (c.nic.name, c.prefixlen, brd(c)) == ("eth0", 16, "10.0.255.255")


def test_loopback_address_uses_local_table() -> None:
    lo_route = r4("127.0.0.0", 8, 1, table=RT_TABLE_LOCAL, rtype=RTN_LOCAL, scope=RT_SCOPE_HOST)
    c = choose("127.0.0.2", [lo_route])
    assert (c.nic.name, c.prefixlen) == ("lo", 8)


def r6(dst: str, plen: int, oif: int, **kw: object) -> Route:
    return Route(family=AF_INET6, dst=ip(dst), dst_len=plen, oif=oif, metric=256, **kw)  # type: ignore[arg-type]


def test_ipv6_prefix_route_and_no_broadcast() -> None:
    routes = [r6("fd00:1::", 64, 2), r6("fd00::", 16, 3), r6("fe80::", 64, 2)]
    c = choose("fd00:1::50", routes)
    assert (c.nic.name, c.prefixlen, c.broadcast) == ("eth0", 64, None)


def test_ipv6_link_local_needs_nic() -> None:
    with pytest.raises(nicsel.NoInterface, match="mandatory for a link local"):
        choose("fe80::50", [r6("fe80::", 64, 2)])
    c = choose("fe80::50", [r6("fe80::", 64, 2)], nic="eth0")
    assert c.prefixlen == 64


def test_find_served() -> None:
    addrs = [a4("10.0.0.50", 24, 2), a4("10.0.0.50", 24, 3), a4("10.0.0.51", 24, 2)]
    assert len(nicsel.find_served(AF_INET, ip("10.0.0.50"), addrs)) == 2
    assert [a.ifindex for a in nicsel.find_served(AF_INET, ip("10.0.0.50"), addrs, index=3)] == [3]
    assert nicsel.find_served(AF_INET6, ip("10.0.0.50"), addrs) == []


def test_link_down_reason() -> None:
    assert ETH0.down_reason() is None
    assert LO.down_reason() is None  # operstate UNKNOWN counts as up
    admin_down = Link(ifindex=2, name="eth0", flags=0x1002, operstate=2)
    assert admin_down.down_reason() == "administratively down"
    no_carrier = Link(ifindex=2, name="eth0", flags=0x1003, operstate=7 - 4, carrier=0)
    assert no_carrier.down_reason() == "operstate LOWERLAYERDOWN, NO-CARRIER"
