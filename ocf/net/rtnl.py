"""A minimal rtnetlink client over a raw AF_NETLINK socket.

Just what IPaddr2 and fence_netns need: dump links, addresses and routes; get one
link; add/delete an address; set a link up or down. One request at a time, answered in
full before the next; errors come back as OSError with the kernel's errno.
Built on `_socket` + `struct` only, so a monitor costs ~1 ms here.
"""

from __future__ import annotations

import _socket
import struct

AF_NETLINK = 16
NETLINK_ROUTE = 0

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_DUMP = 0x300

RTM_NEWLINK = 16
RTM_DELLINK = 17
RTM_GETLINK = 18
RTM_NEWADDR = 20
RTM_DELADDR = 21
RTM_GETADDR = 22
RTM_GETROUTE = 26
RTM_NEWADDRLABEL = 72
RTM_DELADDRLABEL = 73

IFAL_ADDRESS = 1
IFAL_LABEL = 2

IFLA_ADDRESS = 1
IFLA_IFNAME = 3
IFLA_OPERSTATE = 16
IFLA_CARRIER = 33

IFA_ADDRESS = 1
IFA_LOCAL = 2
IFA_LABEL = 3
IFA_BROADCAST = 4
IFA_CACHEINFO = 6
IFA_FLAGS = 8

RTA_DST = 1
RTA_OIF = 4
RTA_GATEWAY = 5
RTA_PRIORITY = 6
RTA_PREFSRC = 7
RTA_TABLE = 15

IFF_UP = 0x1
IFF_LOWER_UP = 0x10000

IFA_F_NODAD = 0x02
IFA_F_DADFAILED = 0x08
IFA_F_TENTATIVE = 0x40
IFA_F_NOPREFIXROUTE = 0x200

RT_SCOPE_UNIVERSE = 0
RT_SCOPE_LINK = 253
RT_SCOPE_HOST = 254
RT_TABLE_MAIN = 254
RT_TABLE_LOCAL = 255
RTN_UNICAST = 1
RTN_LOCAL = 2

ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772

# RFC 2863 operational states as the kernel reports them (IF_OPER_*).
OPERSTATES = (
    "UNKNOWN",
    "NOTPRESENT",
    "DOWN",
    "LOWERLAYERDOWN",
    "TESTING",
    "DORMANT",
    "UP",
)

_HDR = struct.Struct("=IHHII")
_IFINFO = struct.Struct("=BxHiII")
_IFADDR = struct.Struct("=BBBBI")
_RTMSG = struct.Struct("=BBBBBBBBI")
_RTA = struct.Struct("=HH")
_U32 = struct.Struct("=I")


class _Record:
    """A small immutable-by-convention record (typing.NamedTuple costs ~10 ms to import)."""

    __slots__: tuple[str, ...] = ()

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({inner})"


class Link(_Record):
    __slots__ = ("arptype", "carrier", "flags", "ifindex", "mac", "name", "operstate")

    def __init__(
        self,
        *,
        ifindex: int,
        name: str,
        flags: int,
        operstate: int = 0,
        carrier: int | None = None,
        arptype: int = 1,
        mac: bytes = b"",
    ) -> None:
        self.ifindex = ifindex
        self.name = name
        self.flags = flags
        self.operstate = operstate
        self.carrier = carrier
        self.arptype = arptype
        self.mac = mac

    @property
    def operstate_name(self) -> str:
        return OPERSTATES[self.operstate] if self.operstate < len(OPERSTATES) else "?"

    def down_reason(self) -> str | None:
        """Why traffic cannot flow on this link, or None when it can.

        Administratively down (IFF_UP clear), or operationally DOWN /
        LOWERLAYERDOWN / NOTPRESENT (no carrier; a veth whose peer is down
        reports LOWERLAYERDOWN). UNKNOWN counts as up: lo and many virtual
        drivers never report an operstate.
        """
        if not self.flags & IFF_UP:
            return "administratively down"
        if self.operstate in (1, 2, 3):
            return f"operstate {self.operstate_name}" + (
                ", NO-CARRIER" if self.carrier == 0 else ""
            )
        return None


class Addr(_Record):
    __slots__ = (
        *("address", "broadcast", "family", "flags", "ifindex", "label", "local"),
        *("created", "preferred", "prefixlen", "scope"),
    )

    def __init__(
        self,
        *,
        family: int,
        ifindex: int,
        prefixlen: int,
        address: bytes,
        flags: int = 0,
        scope: int = 0,
        local: bytes | None = None,
        broadcast: bytes | None = None,
        label: str | None = None,
        preferred: int | None = None,
        created: int | None = None,
    ) -> None:
        self.family = family
        self.ifindex = ifindex
        self.prefixlen = prefixlen
        self.flags = flags
        self.scope = scope
        self.address = address
        self.local = local
        self.broadcast = broadcast
        self.label = label
        self.preferred = preferred
        self.created = created  # IFA_CACHEINFO cstamp: hundredths of a second since boot

    @property
    def ip(self) -> bytes:
        """The interface's own address (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6)."""
        return self.local if self.local is not None else self.address


class Route(_Record):
    __slots__ = (
        *("dst", "dst_len", "family", "gateway", "metric", "oif", "prefsrc", "rtype"),
        *("scope", "table"),
    )

    def __init__(
        self,
        *,
        family: int,
        dst: bytes | None,
        dst_len: int,
        oif: int | None,
        table: int = 254,
        rtype: int = 1,
        scope: int = 0,
        metric: int = 0,
        gateway: bytes | None = None,
        prefsrc: bytes | None = None,
    ) -> None:
        self.family = family
        self.dst = dst
        self.dst_len = dst_len
        self.table = table
        self.rtype = rtype
        self.scope = scope
        self.oif = oif
        self.metric = metric
        self.gateway = gateway
        self.prefsrc = prefsrc


def _attrs(data: bytes, offset: int) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    end = len(data)
    while offset + 4 <= end:
        length, atype = _RTA.unpack_from(data, offset)
        if length < 4:
            break
        out[atype & 0x3FFF] = data[offset + 4 : offset + length]
        offset += (length + 3) & ~3
    return out


def _attr(atype: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return _RTA.pack(length, atype) + payload + b"\0" * (((length + 3) & ~3) - length)


def _cstr(raw: bytes | None) -> str | None:
    return None if raw is None else raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def _u32(raw: bytes | None) -> int | None:
    return None if raw is None or len(raw) < 4 else int(_U32.unpack_from(raw)[0])


def parse_link(body: bytes) -> Link:
    _family, arptype, index, flags, _change = _IFINFO.unpack_from(body)
    a = _attrs(body, _IFINFO.size)
    oper = a.get(IFLA_OPERSTATE)
    carrier = a.get(IFLA_CARRIER)
    return Link(
        ifindex=index,
        name=_cstr(a.get(IFLA_IFNAME)) or "",
        flags=flags,
        operstate=oper[0] if oper else 0,
        carrier=carrier[0] if carrier else None,
        arptype=arptype,
        mac=a.get(IFLA_ADDRESS, b""),
    )


def parse_addr(body: bytes) -> Addr:
    family, plen, flags8, scope, index = _IFADDR.unpack_from(body)
    a = _attrs(body, _IFADDR.size)
    flags = _u32(a.get(IFA_FLAGS))
    cache = a.get(IFA_CACHEINFO)
    return Addr(
        family=family,
        ifindex=index,
        prefixlen=plen,
        flags=flags if flags is not None else flags8,
        scope=scope,
        address=a.get(IFA_ADDRESS) or a.get(IFA_LOCAL, b""),
        local=a.get(IFA_LOCAL),
        broadcast=a.get(IFA_BROADCAST),
        label=_cstr(a.get(IFA_LABEL)),
        preferred=_u32(cache),
        created=_u32(cache[8:12]) if cache is not None else None,
    )


def parse_route(body: bytes) -> Route:
    family, dst_len, _src_len, _tos, table, _proto, scope, rtype, _flags = _RTMSG.unpack_from(body)
    a = _attrs(body, _RTMSG.size)
    return Route(
        family=family,
        dst=a.get(RTA_DST),
        dst_len=dst_len,
        table=_u32(a.get(RTA_TABLE)) or table,
        rtype=rtype,
        scope=scope,
        oif=_u32(a.get(RTA_OIF)),
        metric=_u32(a.get(RTA_PRIORITY)) or 0,
        gateway=a.get(RTA_GATEWAY),
        prefsrc=a.get(RTA_PREFSRC),
    )


def split_messages(data: bytes) -> list[tuple[int, bytes]]:
    """The (message type, body) pairs of one netlink datagram (multicast events)."""
    out: list[tuple[int, bytes]] = []
    offset = 0
    while offset + _HDR.size <= len(data):
        length, rtype, _flags, _seq, _pid = _HDR.unpack_from(data, offset)
        if length < _HDR.size or offset + length > len(data):
            break  # truncated or malformed: the rest cannot be trusted
        out.append((rtype, data[offset + _HDR.size : offset + length]))
        offset += (length + 3) & ~3
    return out


class Rtnl:
    """One NETLINK_ROUTE socket, opened in the caller's current network namespace."""

    def __init__(self) -> None:
        self.sock = _socket.socket(
            AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC, NETLINK_ROUTE
        )
        self.sock.bind((0, 0))
        self.sock.settimeout(10.0)  # the kernel answers at once; never hang an action
        self.seq = 0

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Rtnl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transport
    def _request(self, mtype: int, flags: int, body: bytes) -> list[bytes]:
        """Send one request; the bodies of all answers (dump parts, or none for an ACK)."""
        self.seq += 1
        seq = self.seq
        msg = _HDR.pack(_HDR.size + len(body), mtype, flags | NLM_F_REQUEST, seq, 0) + body
        self.sock.sendto(msg, (0, 0))
        out: list[bytes] = []
        while True:
            data = self.sock.recv(1 << 16)
            offset = 0
            while offset + _HDR.size <= len(data):
                length, rtype, rflags, rseq, _pid = _HDR.unpack_from(data, offset)
                if length < _HDR.size:
                    raise OSError(71, "malformed netlink message")  # EPROTO
                payload = data[offset + _HDR.size : offset + length]
                offset += (length + 3) & ~3
                if rseq != seq:
                    continue
                if rtype == NLMSG_DONE:
                    return out
                if rtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", payload)[0]
                    if err:
                        raise OSError(err, _errname(err))
                    return out
                out.append(payload)
                if not rflags & NLM_F_MULTI:
                    return out

    # -------------------------------------------------------------- queries
    def links(self) -> list[Link]:
        body = _IFINFO.pack(0, 0, 0, 0, 0)
        return [parse_link(b) for b in self._request(RTM_GETLINK, NLM_F_DUMP, body)]

    def link(self, *, index: int = 0, name: str | None = None) -> Link | None:
        """One link by index or name; None when there is no such device."""
        body = _IFINFO.pack(0, 0, index, 0, 0)
        if name is not None:
            body += _attr(IFLA_IFNAME, name.encode() + b"\0")
        try:
            found = self._request(RTM_GETLINK, 0, body)
        except OSError as exc:
            if exc.errno in (19, 22, 34):  # ENODEV; EINVAL/ERANGE for over-long names
                return None
            raise
        return parse_link(found[0]) if found else None

    def addrs(self, family: int = 0) -> list[Addr]:
        body = _IFADDR.pack(family, 0, 0, 0, 0)
        return [parse_addr(b) for b in self._request(RTM_GETADDR, NLM_F_DUMP, body)]

    def routes(self, family: int) -> list[Route]:
        """Every route of `family` in every table."""
        body = _RTMSG.pack(family, 0, 0, 0, 0, 0, 0, 0, 0)
        return [parse_route(b) for b in self._request(RTM_GETROUTE, NLM_F_DUMP, body)]

    # -------------------------------------------------------------- changes
    def add_addr(
        self,
        family: int,
        index: int,
        addr: bytes,
        plen: int,
        *,
        broadcast: bytes | None = None,
        label: str | None = None,
        flags: int = 0,
        scope: int = RT_SCOPE_UNIVERSE,
        preferred: int | None = None,
    ) -> None:
        body = _IFADDR.pack(family, plen, flags & 0xFF, scope, index)
        body += _attr(IFA_LOCAL, addr) + _attr(IFA_ADDRESS, addr)
        if broadcast is not None:
            body += _attr(IFA_BROADCAST, broadcast)
        if label:
            body += _attr(IFA_LABEL, label.encode() + b"\0")
        body += _attr(IFA_FLAGS, _U32.pack(flags))
        if preferred is not None:
            body += _attr(IFA_CACHEINFO, struct.pack("=IIII", preferred, 0xFFFFFFFF, 0, 0))
        self._request(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, body)

    def del_addr(self, family: int, index: int, addr: bytes, plen: int) -> None:
        body = _IFADDR.pack(family, plen, 0, 0, index) + _attr(IFA_LOCAL, addr)
        if family != _socket.AF_INET:
            body = _IFADDR.pack(family, plen, 0, 0, index) + _attr(IFA_ADDRESS, addr)
        self._request(RTM_DELADDR, NLM_F_ACK, body)

    def addrlabel(self, add: bool, prefix: bytes, plen: int, label: int) -> None:
        """`ip addrlabel add|del prefix <prefix>/<plen> label <label>` (IPv6 policy table)."""
        body = struct.pack("=BBBBII", _socket.AF_INET6, 0, plen, 0, 0, 0)
        body += _attr(IFAL_ADDRESS, prefix) + _attr(IFAL_LABEL, _U32.pack(label))
        flags = NLM_F_ACK | (NLM_F_CREATE | NLM_F_EXCL if add else 0)
        self._request(RTM_NEWADDRLABEL if add else RTM_DELADDRLABEL, flags, body)

    def set_up(self, index: int) -> None:
        body = _IFINFO.pack(0, 0, index, IFF_UP, IFF_UP)
        self._request(RTM_NEWLINK, NLM_F_ACK, body)

    def set_down(self, index: int) -> None:
        body = _IFINFO.pack(0, 0, index, 0, IFF_UP)
        self._request(RTM_NEWLINK, NLM_F_ACK, body)


def _errname(err: int) -> str:
    import os

    return os.strerror(err)
