"""Gratuitous ARP / unsolicited NA frame layout and the netlink message codec."""

from __future__ import annotations

import socket
import struct

from ocf.net import announce, rtnl

MAC = bytes.fromhex("020000aabbcc")


def test_gratuitous_arp_request_and_reply() -> None:
    ip = socket.inet_aton("10.0.0.50")
    req = announce.arp_frame(MAC, ip, announce.ARP_REQUEST)
    assert len(req) == 42
    assert req[:6] == b"\xff" * 6 and req[6:12] == MAC and req[12:14] == b"\x08\x06"
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", req[14:22])
    assert (htype, ptype, hlen, plen, op) == (1, 0x0800, 6, 4, 1)
    assert req[22:28] == MAC and req[28:32] == ip  # sender
    assert req[32:38] == b"\0" * 6 and req[38:42] == ip  # target = sender: gratuitous
    rep = announce.arp_frame(MAC, ip, announce.ARP_REPLY)
    assert struct.unpack("!H", rep[20:22])[0] == 2
    assert rep[32:38] == b"\xff" * 6


def test_arp_probe_has_zero_sender_ip() -> None:
    ip = socket.inet_aton("10.0.0.50")
    probe = announce.arp_frame(MAC, ip, announce.ARP_REQUEST, sender_ip=b"\0\0\0\0")
    assert probe[28:32] == b"\0\0\0\0" and probe[38:42] == ip


def _sum16(data: bytes) -> int:
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def test_unsolicited_neighbour_advertisement() -> None:
    ip = socket.inet_pton(socket.AF_INET6, "fd00:1::50")
    frame = announce.na_frame(MAC, ip)
    assert frame[:6] == bytes.fromhex("333300000001") and frame[6:12] == MAC
    assert frame[12:14] == b"\x86\xdd"
    ip6 = frame[14:54]
    payload_len, next_header, hop_limit = struct.unpack("!HBB", ip6[4:8])
    assert (next_header, hop_limit) == (58, 255)
    assert ip6[8:24] == ip and ip6[24:40] == socket.inet_pton(socket.AF_INET6, "ff02::1")
    icmp = frame[54:]
    assert len(icmp) == payload_len == 32
    assert icmp[0] == 136 and icmp[1] == 0
    flags = struct.unpack("!I", icmp[4:8])[0]
    assert flags == 0x20000000  # Override only: not a router, not solicited
    assert icmp[8:24] == ip
    assert icmp[24:26] == b"\x02\x01" and icmp[26:32] == MAC  # target link-layer address
    pseudo = ip6[8:40] + struct.pack("!I3xB", len(icmp), 58)
    assert _sum16(pseudo + icmp) == 0xFFFF  # checksum verifies


def _nlattr(atype: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return struct.pack("=HH", length, atype) + payload + b"\0" * ((-length) % 4)


def test_parse_addr_message() -> None:
    ip = socket.inet_aton("10.0.0.50")
    body = struct.pack("=BBBBI", socket.AF_INET, 24, 0x80, 0, 7)
    body += _nlattr(rtnl.IFA_ADDRESS, ip) + _nlattr(rtnl.IFA_LOCAL, ip)
    body += _nlattr(rtnl.IFA_BROADCAST, socket.inet_aton("10.0.0.255"))
    body += _nlattr(rtnl.IFA_LABEL, b"eth0:vip\0")
    body += _nlattr(rtnl.IFA_FLAGS, struct.pack("=I", 0x280))
    body += _nlattr(rtnl.IFA_CACHEINFO, struct.pack("=IIII", 0xFFFFFFFF, 0xFFFFFFFF, 1, 2))
    a = rtnl.parse_addr(body)
    assert (a.family, a.prefixlen, a.ifindex, a.ip) == (socket.AF_INET, 24, 7, ip)
    assert a.broadcast == socket.inet_aton("10.0.0.255")
    assert a.label == "eth0:vip"
    assert a.flags == 0x280  # IFA_FLAGS (32 bit) wins over the 8-bit field
    assert a.preferred == 0xFFFFFFFF


def test_parse_link_message() -> None:
    body = struct.pack("=BxHiII", 0, 1, 5, 0x11043, 0)
    body += _nlattr(rtnl.IFLA_IFNAME, b"veth1a\0") + _nlattr(rtnl.IFLA_OPERSTATE, b"\x03")
    body += _nlattr(rtnl.IFLA_CARRIER, b"\x00") + _nlattr(rtnl.IFLA_ADDRESS, MAC)
    link = rtnl.parse_link(body)
    assert (link.ifindex, link.name, link.mac, link.carrier) == (5, "veth1a", MAC, 0)
    assert link.operstate_name == "LOWERLAYERDOWN"
    assert link.down_reason() == "operstate LOWERLAYERDOWN, NO-CARRIER"


def test_parse_route_message() -> None:
    body = struct.pack("=BBBBBBBBI", socket.AF_INET, 24, 0, 0, 254, 2, 253, 1, 0)
    body += _nlattr(rtnl.RTA_DST, socket.inet_aton("10.0.0.0"))
    body += _nlattr(rtnl.RTA_OIF, struct.pack("=I", 5))
    body += _nlattr(rtnl.RTA_PRIORITY, struct.pack("=I", 100))
    r = rtnl.parse_route(body)
    assert (r.dst_len, r.table, r.scope, r.rtype, r.oif, r.metric) == (24, 254, 253, 1, 5, 100)
    assert r.gateway is None


def test_rtnl_dump_against_the_kernel() -> None:
    # Unprivileged dumps work anywhere: lo is always there.
    with rtnl.Rtnl() as rt:
        lo = rt.link(name="lo")
        assert lo is not None and lo.arptype == rtnl.ARPHRD_LOOPBACK
        assert rt.link(name="no-such-nic0") is None
        assert any(a.ifindex == lo.ifindex for a in rt.addrs(socket.AF_INET))
