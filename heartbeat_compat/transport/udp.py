"""UDP media as heartbeat's HBcomm plugins open them.

* receive: one socket bound to 0.0.0.0:<udpport> (mcast: <group>:<port>),
  SO_REUSEADDR/SO_REUSEPORT, SO_BINDTODEVICE <dev> (the Debian build binds);
* send: a separate socket bound to <dev> with an ephemeral source port;
  ucast sends to every configured peer address (one's own address included),
  bcast to the interface's broadcast address with SO_BROADCAST, mcast to the
  group with IP_MULTICAST_IF/TTL/LOOP.

A ucast line naming the node's own address is how heartbeat hears itself (and
counts its own link up). The kernel delivers that copy through the local route;
`UcastMedium` hands it back in-process instead, so an idle node does not wake
once more per heartbeat: measured on the 3-node fast-profile lab, a third of an
idle node's wake-ups were its own packets. The kernel's one refusal is kept:
with the device administratively down the send socket (bound to the device)
gets ENETUNREACH for every address, its own included, so the copy is handed back
only when a send to some other address succeeded.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import ipaddress
import socket
import struct
from collections.abc import Sequence

from heartbeat_compat.transport.base import (
    MAX_DATAGRAM,
    Datagram,
    Medium,
    MediumSetupError,
    TransportError,
)

SIOCGIFBRDADDR = 0x8919
# Drain at most this many datagrams per readiness event, so one flooding
# medium cannot starve the timers of the event loop.
MAX_DRAIN = 64


def _ifreq_ipv4(dev: str, request: int) -> str:
    """Read an IPv4 address of `dev` with an SIOCGIF* ioctl."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        req = struct.pack("16s16x", dev.encode()[:15])
        try:
            res = fcntl.ioctl(sock.fileno(), request, req)
        except OSError as exc:
            raise MediumSetupError(f"interface {dev}: {exc.strerror}") from exc
    return socket.inet_ntoa(res[20:24])


def interface_broadcast(dev: str) -> str:
    return _ifreq_ipv4(dev, SIOCGIFBRDADDR)


def _bind_to_device(sock: socket.socket, dev: str) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode() + b"\0")
    except OSError as exc:
        raise MediumSetupError(f"cannot bind socket to device {dev}: {exc.strerror}") from exc


def _recv_socket(dev: str, host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        _bind_to_device(sock, dev)
        sock.bind((host, port))
        sock.setblocking(False)
    except MediumSetupError:
        sock.close()
        raise
    except OSError as exc:
        sock.close()
        raise MediumSetupError(f"cannot bind {host}:{port} on {dev}: {exc.strerror}") from exc
    return sock


def _is_local_address(ip: str) -> bool:
    """Whether `ip` is an address of this host (namespace): only then can a socket bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((ip, 0))
        except OSError:
            return False
    return True


def _send_socket(dev: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        _bind_to_device(sock, dev)
        sock.setblocking(False)
    except MediumSetupError:
        sock.close()
        raise
    return sock


class _UdpMedium(Medium):
    """Shared receive/send plumbing; subclasses choose addresses and options."""

    def __init__(self, dev: str, port: int) -> None:
        super().__init__(dev)
        self.dev = dev
        self.port = port
        self._rx: socket.socket | None = None
        self._tx: socket.socket | None = None

    def _destinations(self) -> Sequence[tuple[str, int]]:
        raise NotImplementedError

    def fileno(self) -> int:
        if self._rx is None:
            raise TransportError(f"{self.describe()}: not open")
        return self._rx.fileno()

    def send(self, data: bytes) -> None:
        self._send_all(data, self._destinations())

    def _send_all(self, data: bytes, destinations: Sequence[tuple[str, int]]) -> int:
        """Send to each destination; the number that succeeded, or TransportError
        naming those that failed."""
        if self._tx is None:
            raise TransportError(f"{self.describe()}: not open")
        failures = []
        sent = 0
        for dest in destinations:
            try:
                self._tx.sendto(data, dest)
                sent += 1
            except OSError as exc:
                # ENETUNREACH/EHOSTUNREACH/ENOBUFS/EAGAIN: link trouble, not ours to die of.
                failures.append(
                    f"{dest[0]}:{dest[1]}: {exc.strerror or errno.errorcode.get(exc.errno or 0)}"
                )
        if failures:
            raise TransportError(f"{self.describe()}: send failed: {'; '.join(failures)}")
        return sent

    def recv(self) -> list[Datagram]:
        if self._rx is None:
            return []
        out: list[Datagram] = []
        for _ in range(MAX_DRAIN):
            try:
                data, addr = self._rx.recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                raise TransportError(f"{self.describe()}: receive failed: {exc.strerror}") from exc
            out.append(Datagram(data=data, link=self.link, peer=str(addr[0])))
        return out

    def close(self) -> None:
        for sock in (self._rx, self._tx):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self._rx = self._tx = None


class UcastMedium(_UdpMedium):
    """`ucast <dev> <ip>` lines for one device, grouped: send to each address."""

    kind = "ucast"

    def __init__(self, dev: str, peers: Sequence[str], port: int) -> None:
        super().__init__(dev, port)
        self.peers = list(peers)
        self._own: str | None = None  # our own address among the peers, if any
        self._others: list[tuple[str, int]] = []
        self._looped: list[Datagram] = []

    def _destinations(self) -> Sequence[tuple[str, int]]:
        return [(peer, self.port) for peer in self.peers]

    def send(self, data: bytes) -> None:
        if self._own is None or not self._others:
            self._send_all(data, self._destinations())
            return
        try:
            sent = self._send_all(data, self._others)
        except TransportError:
            # some other address failed; the copy for ourselves goes through the kernel,
            # which refuses it exactly when the device is down
            with contextlib.suppress(TransportError):
                self._send_all(data, [(self._own, self.port)])
            raise
        if sent:
            self._looped.append(Datagram(data=data, link=self.link, peer=self._own))

    def take_looped(self) -> list[Datagram]:
        out, self._looped = self._looped, []
        return out

    def open(self) -> None:
        for peer in self.peers:
            try:
                ipaddress.IPv4Address(peer)
            except ValueError:
                try:
                    socket.inet_aton(socket.gethostbyname(peer))
                except OSError as exc:
                    raise MediumSetupError(f"ucast {self.dev}: cannot resolve {peer}") from exc
        self.peers = [socket.gethostbyname(p) for p in self.peers]
        own = [p for p in self.peers if _is_local_address(p)]
        self._own = own[0] if len(own) == 1 else None
        self._others = [(p, self.port) for p in self.peers if p not in own]
        self._rx = _recv_socket(self.dev, "0.0.0.0", self.port)  # noqa: S104 - heartbeat does
        try:
            self._tx = _send_socket(self.dev)
        except MediumSetupError:
            self.close()
            raise

    def describe(self) -> str:
        return f"ucast {self.dev} to {','.join(self.peers)} port {self.port}"


class BcastMedium(_UdpMedium):
    """`bcast <dev>`: send to the interface's broadcast address."""

    kind = "bcast"

    def __init__(self, dev: str, port: int, broadcast: str | None = None) -> None:
        super().__init__(dev, port)
        self.broadcast = broadcast

    def _destinations(self) -> Sequence[tuple[str, int]]:
        if self.broadcast is None:
            raise TransportError(f"bcast {self.dev}: not open")
        return [(self.broadcast, self.port)]

    def open(self) -> None:
        if self.broadcast is None:
            self.broadcast = interface_broadcast(self.dev)
        self._rx = _recv_socket(self.dev, "0.0.0.0", self.port)  # noqa: S104 - heartbeat does
        try:
            self._tx = _send_socket(self.dev)
            self._tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        except (MediumSetupError, OSError) as exc:
            self.close()
            raise MediumSetupError(f"bcast {self.dev}: {exc}") from exc

    def describe(self) -> str:
        return f"bcast {self.dev} to {self.broadcast} port {self.port}"


class McastMedium(_UdpMedium):
    """`mcast <dev> <group> <port> <ttl> <loop>`."""

    kind = "mcast"

    def __init__(self, dev: str, group: str, port: int, ttl: int, loop: bool) -> None:
        super().__init__(dev, port)
        if not ipaddress.IPv4Address(group).is_multicast:
            raise MediumSetupError(f"mcast {dev}: {group} is not a multicast address")
        if not 0 <= ttl <= 4:
            raise MediumSetupError(f"mcast {dev}: ttl {ttl} out of range 0..4")
        self.group = group
        self.ttl = ttl
        self.loop = loop

    def _destinations(self) -> Sequence[tuple[str, int]]:
        return [(self.group, self.port)]

    def open(self) -> None:
        ifindex = socket.if_nametoindex(self.dev) if self._dev_exists() else 0
        if ifindex == 0:
            raise MediumSetupError(f"mcast {self.dev}: no such interface")
        self._rx = _recv_socket(self.dev, self.group, self.port)
        try:
            mreqn = struct.pack("4s4si", socket.inet_aton(self.group), b"\0" * 4, ifindex)
            self._rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
            self._rx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(self.loop))
            self._tx = _send_socket(self.dev)
            ifreq = struct.pack("4s4si", b"\0" * 4, b"\0" * 4, ifindex)
            self._tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, ifreq)
            self._tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, self.ttl)
            self._tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(self.loop))
        except OSError as exc:
            self.close()
            raise MediumSetupError(f"mcast {self.dev} {self.group}: {exc.strerror}") from exc

    def _dev_exists(self) -> bool:
        try:
            socket.if_nametoindex(self.dev)
        except OSError:
            return False
        return True

    def describe(self) -> str:
        return f"mcast {self.dev} group {self.group} port {self.port} ttl {self.ttl}"
