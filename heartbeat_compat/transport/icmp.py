"""`ping <ip>`: ping nodes, as heartbeat's ping plugin does it.

An ICMP echo request carries a whole signed heartbeat message
(`t=NS_st st=ping info=ping src=<ip> ts=...`) as its payload; the echo reply
brings it back, and the reply counts as a heartbeat from the ping node only
if the payload authenticates. Needs a raw socket (root / CAP_NET_RAW).
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct

from heartbeat_compat.transport.base import (
    MAX_DATAGRAM,
    Datagram,
    Medium,
    MediumSetupError,
    TransportError,
)

ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0


def icmp_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, ident, seq)
    csum = icmp_checksum(header + payload)
    return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, csum, ident, seq) + payload


def parse_echo_reply(packet: bytes, ident: int) -> bytes | None:
    """The payload of an echo reply with our identifier inside an IPv4 packet, else None."""
    if len(packet) < 20:
        return None
    ihl = (packet[0] & 0x0F) * 4
    if ihl < 20 or len(packet) < ihl + 8:
        return None
    icmp = packet[ihl:]
    icmp_type, _code, _csum, rid, _seq = struct.unpack("!BBHHH", icmp[:8])
    if icmp_type != ICMP_ECHO_REPLY or rid != ident:
        return None
    return icmp[8:]


class PingMedium(Medium):
    """One ping node; the link name is its IP address (as heartbeat lists it)."""

    kind = "ping"

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address
        self.ident = os.getpid() & 0xFFFF
        self._seq = 0
        self._sock: socket.socket | None = None

    def open(self) -> None:
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        except PermissionError as exc:
            raise MediumSetupError(f"ping {self.address}: raw ICMP socket needs root") from exc
        except OSError as exc:
            raise MediumSetupError(f"ping {self.address}: {exc.strerror}") from exc
        sock.setblocking(False)
        self._sock = sock

    def fileno(self) -> int:
        if self._sock is None:
            raise TransportError(f"{self.describe()}: not open")
        return self._sock.fileno()

    def send(self, data: bytes) -> None:
        if self._sock is None:
            raise TransportError(f"{self.describe()}: not open")
        self._seq = (self._seq + 1) & 0xFFFF
        try:
            self._sock.sendto(echo_request(self.ident, self._seq, data), (self.address, 0))
        except OSError as exc:
            raise TransportError(f"{self.describe()}: send failed: {exc.strerror}") from exc

    def recv(self) -> list[Datagram]:
        if self._sock is None:
            return []
        out = []
        for _ in range(64):
            try:
                packet, addr = self._sock.recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                raise TransportError(f"{self.describe()}: receive failed: {exc.strerror}") from exc
            if addr[0] != self.address:
                continue
            payload = parse_echo_reply(packet, self.ident)
            if payload is not None:
                out.append(Datagram(data=payload, link=self.link, peer=self.address))
        return out

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None
