"""Common interface of all heartbeat media."""

from __future__ import annotations

import abc
from dataclasses import dataclass

# heartbeat reads into a MAXMSG buffer; a UDP datagram cannot exceed 65507 bytes.
MAX_DATAGRAM = 65535


class TransportError(Exception):
    """A recoverable send/receive failure (the medium stays open)."""


class MediumSetupError(Exception):
    """A medium could not be opened (bad device, port in use...): fatal at start-up."""


@dataclass(frozen=True)
class Datagram:
    """One received packet: raw bytes, the link (medium name) and the sender's address."""

    data: bytes
    link: str
    peer: str


class Medium(abc.ABC):
    """One heartbeat medium. `link` is the name heartbeat shows for it (e.g. `hb0`)."""

    kind: str = "?"

    def __init__(self, link: str) -> None:
        self.link = link

    @abc.abstractmethod
    def open(self) -> None:
        """Create sockets / open the device. Raises MediumSetupError."""

    @abc.abstractmethod
    def fileno(self) -> int:
        """The descriptor a selector waits on for incoming data."""

    @abc.abstractmethod
    def send(self, data: bytes) -> None:
        """Send one message on this medium. Raises TransportError."""

    @abc.abstractmethod
    def recv(self) -> list[Datagram]:
        """Return every datagram that is ready, without blocking."""

    def take_looped(self) -> list[Datagram]:
        """Datagrams this medium sent to its own node and hands back without the kernel
        (see `UcastMedium`); the loop takes them before it waits."""
        return []

    @abc.abstractmethod
    def close(self) -> None:
        """Release sockets / descriptors (idempotent)."""

    def describe(self) -> str:
        return f"{self.kind} {self.link}"
