"""Heartbeat v1 media: UDP ucast/bcast/mcast on the ha.cf port, serial lines, ICMP ping.

Each medium owns its sockets (or tty), exposes one readable file descriptor for
a selector, sends whole datagrams and drains received ones without blocking.
Per-link liveness is tracked by the membership layer, not here.
"""

from heartbeat_compat.transport.base import (
    Datagram,
    Medium,
    MediumSetupError,
    TransportError,
)
from heartbeat_compat.transport.serial import SerialMedium
from heartbeat_compat.transport.udp import BcastMedium, McastMedium, UcastMedium

__all__ = [
    "BcastMedium",
    "Datagram",
    "McastMedium",
    "Medium",
    "MediumSetupError",
    "SerialMedium",
    "TransportError",
    "UcastMedium",
]
