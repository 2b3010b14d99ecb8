"""Gratuitous ARP, unsolicited Neighbour Advertisements and ARP probes over AF_PACKET.

Replaces resource-agents' send_arp / send_ua / `arping -D` binaries: the
frames are built here and sent on a raw packet socket bound to the
interface, in the caller's network namespace.
"""

from __future__ import annotations

import _socket
import os
import struct
import time

ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
BROADCAST_MAC = b"\xff" * 6
ALL_NODES = bytes.fromhex("ff020000000000000000000000000001")
ALL_NODES_MAC = b"\x33\x33\x00\x00\x00\x01"

ARP_REQUEST = 1
ARP_REPLY = 2


def arp_frame(mac: bytes, ip: bytes, op: int, *, sender_ip: bytes | None = None) -> bytes:
    """An Ethernet ARP frame; gratuitous when sender_ip == target ip (the default)."""
    sender = ip if sender_ip is None else sender_ip
    target_mac = BROADCAST_MAC if op == ARP_REPLY else b"\0" * 6
    eth = BROADCAST_MAC + mac + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac + sender + target_mac + ip
    return eth + arp


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return int(~total & 0xFFFF)


def na_frame(mac: bytes, ip: bytes) -> bytes:
    """An unsolicited Neighbour Advertisement (RFC 4861 7.2.6) for `ip` to all-nodes.

    Override set, Solicited clear, with the target link-layer address option;
    source is the address itself, hop limit 255 (receivers drop anything else).
    """
    flags = 0x20000000  # O (override)
    icmp_wo_sum = struct.pack("!BBHI", 136, 0, 0, flags) + ip + struct.pack("!BB", 2, 1) + mac
    pseudo = ip + ALL_NODES + struct.pack("!I3xB", len(icmp_wo_sum), 58)
    csum = _checksum(pseudo + icmp_wo_sum)
    icmp = icmp_wo_sum[:2] + struct.pack("!H", csum) + icmp_wo_sum[4:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 255) + ip + ALL_NODES
    eth = ALL_NODES_MAC + mac + struct.pack("!H", ETH_P_IPV6)
    return eth + ip6 + icmp


def _open(ifname: str, proto: int) -> _socket.socket:
    sock = _socket.socket(_socket.AF_PACKET, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC, 0)
    sock.bind((ifname, proto))
    return sock


def announce(
    ifname: str,
    mac: bytes,
    family: int,
    ip: bytes,
    *,
    count: int,
    interval_ms: int,
    deadline: float,
) -> int:
    """Send `count` rounds (interval_ms apart) of announcements; returns rounds sent.

    IPv4: each round is a gratuitous ARP request and a gratuitous ARP reply
    (like send_arp: some stacks only honour one of them). IPv6: one
    unsolicited NA per round. Stops early, without error, when the next
    round would pass `deadline` (time.monotonic()); raises OSError when the
    socket cannot be opened or a send fails.
    """
    if family == _socket.AF_INET:
        frames = [arp_frame(mac, ip, ARP_REQUEST), arp_frame(mac, ip, ARP_REPLY)]
        proto = ETH_P_ARP
    else:
        frames = [na_frame(mac, ip)]
        proto = ETH_P_IPV6
    sent = 0
    sock = _open(ifname, proto)
    try:
        for i in range(count):
            if i:
                pause = interval_ms / 1000.0
                if time.monotonic() + pause >= deadline:
                    break
                time.sleep(pause)
            for frame in frames:
                sock.send(frame)
            sent += 1
    finally:
        sock.close()
    return sent


def announce_in_background(
    ifname: str, mac: bytes, family: int, ip: bytes, *, count: int, interval_ms: int
) -> None:
    """Send `count` more rounds from a detached process (the agent returns at once).

    The child has its own session, /dev/null for its standard streams (the executor that
    ran the agent must not wait for it) and no other inherited descriptor; it first waits
    one interval, then sends. It ends by itself within count * interval_ms.
    """
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)  # the intermediate child exits at once
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 65536)
        time.sleep(interval_ms / 1000.0)
        announce(
            ifname,
            mac,
            family,
            ip,
            count=count,
            interval_ms=interval_ms,
            deadline=time.monotonic() + count * interval_ms / 1000.0 + 1.0,
        )
    except BaseException:  # noqa: S110 - a detached sender has nobody to tell
        pass
    os._exit(0)


def arp_probe(
    ifname: str, mac: bytes, ip: bytes, *, probes: int = 2, wait_s: float = 1.0, deadline: float
) -> bytes | None:
    """IPv4 duplicate address detection (RFC 5227 probe, like `arping -D`).

    Sends ARP probes (sender IP 0.0.0.0) for `ip` and listens for any ARP
    packet from another host that claims `ip`. Returns the MAC of the
    conflicting host, or None when nobody answered within the wait.
    """
    sock = _socket.socket(
        _socket.AF_PACKET, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC, _socket.htons(ETH_P_ARP)
    )
    try:
        sock.bind((ifname, ETH_P_ARP))
        probe = arp_frame(mac, ip, ARP_REQUEST, sender_ip=b"\0\0\0\0")
        for _ in range(probes):
            sock.send(probe)
            until = min(time.monotonic() + wait_s, deadline)
            while True:
                left = until - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                try:
                    frame = sock.recv(2048)
                except TimeoutError:
                    break
                if len(frame) < 42 or frame[12:14] != b"\x08\x06":
                    continue
                sender_mac, sender_ip = frame[22:28], frame[28:32]
                if sender_ip == ip and sender_mac != mac:
                    return sender_mac
            if time.monotonic() >= deadline:
                break
    finally:
        sock.close()
    return None
