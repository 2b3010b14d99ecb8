"""Pure address arithmetic: parsing ip / netmask / broadcast, prefixes, labels.

Addresses are handled as (family, packed bytes) pairs through `_socket.inet_pton`
so that the monitor does not have to import `ipaddress` (~4 ms).
"""

from __future__ import annotations

import _socket

AF_INET = _socket.AF_INET
AF_INET6 = _socket.AF_INET6
IFNAMSIZ = 16  # including the trailing NUL: names and labels hold at most 15 characters


class AddrError(ValueError):
    """A malformed address, netmask or broadcast value (the message names it)."""


def family_of(text: str) -> int:
    """IPv6 when the text has a colon, like the shell agent decides."""
    return AF_INET6 if ":" in text else AF_INET


def parse_ip(text: str) -> tuple[int, bytes]:
    """(family, packed address); AddrError for anything that is not one host address."""
    text = text.strip()
    family = family_of(text)
    try:
        packed = _socket.inet_pton(family, text)
    except (OSError, ValueError):
        raise AddrError(f"IP address [{text}] is not valid") from None
    if family == AF_INET and packed[0] == 0:
        raise AddrError(f"IP address [{text}] is not valid (first octet 0)")
    if family == AF_INET and packed == b"\xff\xff\xff\xff":
        raise AddrError(f"IP address [{text}] is not valid (broadcast)")
    if family == AF_INET6 and (packed == bytes(16) or packed[0] == 0xFF):
        raise AddrError(f"IP address [{text}] is not a unicast address")
    if family == AF_INET and 224 <= packed[0] <= 239:
        raise AddrError(f"IP address [{text}] is a multicast address")
    return family, packed


def ntop(family: int, packed: bytes) -> str:
    return _socket.inet_ntop(family, packed)


def bits(family: int) -> int:
    return 32 if family == AF_INET else 128


def to_int(packed: bytes) -> int:
    return int.from_bytes(packed, "big")


def from_int(value: int, family: int) -> bytes:
    return value.to_bytes(bits(family) // 8, "big")


def mask_int(family: int, plen: int) -> int:
    total = bits(family)
    return ((1 << total) - 1) ^ ((1 << (total - plen)) - 1)


def parse_prefix(text: str, family: int) -> int:
    """A prefix length from `24` or (IPv4 only) a dotted quad `255.255.255.0`.

    The shell agent accepts 1..32 (1..128 for IPv6); so do we, and a dotted
    quad must be a contiguous mask.
    """
    text = text.strip()
    total = bits(family)
    if text.isdigit() and len(text) <= 3:
        plen = int(text)
        if 1 <= plen <= total:
            return plen
        raise AddrError(f"Invalid netmask specification [{text}]: must be 1..{total}")
    if family == AF_INET and text.count(".") == 3:
        try:
            value = to_int(_socket.inet_pton(AF_INET, text))
        except (OSError, ValueError):
            raise AddrError(f"Invalid netmask specification [{text}]") from None
        plen = bin(value).count("1")
        if plen >= 1 and value == mask_int(AF_INET, plen):
            return plen
    raise AddrError(f"Invalid netmask specification [{text}]")


def contains(family: int, net: bytes, plen: int, addr: bytes) -> bool:
    """Whether `addr` lies in `net`/`plen`."""
    mask = mask_int(family, plen)
    return (to_int(net) & mask) == (to_int(addr) & mask)


def network(family: int, addr: bytes, plen: int) -> bytes:
    return from_int(to_int(addr) & mask_int(family, plen), family)


def broadcast_of(addr: bytes, plen: int, *, host_bits_set: bool = True) -> bytes | None:
    """IPv4 broadcast for addr/plen ('+' sets the host bits, '-' clears them).

    /31 and /32 have no broadcast address (RFC 3021), so None.
    """
    if plen >= 31:
        return None
    mask = mask_int(AF_INET, plen)
    base = to_int(addr) & mask
    return from_int(base | (~mask & 0xFFFFFFFF) if host_bits_set else base, AF_INET)


def parse_broadcast(text: str) -> str:
    """Validate the broadcast parameter: '', '+', '-' or a dotted quad (returned as given)."""
    text = text.strip()
    if text in ("", "+", "-"):
        return text
    try:
        _socket.inet_pton(AF_INET, text)
    except (OSError, ValueError):
        raise AddrError(f"Invalid broadcast address [{text}]") from None
    return text


def split_nic(nic: str) -> tuple[str, str | None]:
    """`eth0:1` -> ('eth0', '1'), as the shell agent splits a label out of nic."""
    if ":" in nic:
        base, label = nic.split(":", 1)
        return base, label
    return nic, None


def full_label(nic: str, iflabel: str) -> str:
    """The kernel label `<nic>:<iflabel>`; AddrError when it exceeds 15 characters."""
    label = f"{nic}:{iflabel}"
    if len(label) > IFNAMSIZ - 1:
        raise AddrError(f"Interface label [{label}] exceeds maximum character limit of 15")
    return label


def parse_lifetime(text: str) -> int:
    """preferred_lft: 'forever' (0xFFFFFFFF) or seconds, as `ip address` accepts."""
    text = text.strip()
    if text == "forever":
        return 0xFFFFFFFF
    if text.isdigit() and int(text) < 0xFFFFFFFF:
        return int(text)
    raise AddrError(f"Invalid preferred_lft [{text}]: expected 'forever' or seconds")


def clone_address(text: str, clone: int) -> str:
    """unique_clone_address: add the clone number to the last IPv4 octet."""
    family, packed = parse_ip(text)
    if family != AF_INET:
        raise AddrError("unique_clone_address is only supported for IPv4 addresses")
    last = packed[3] + clone
    if last > 254:
        raise AddrError(f"unique_clone_address: {text} + clone {clone} leaves the octet range")
    return ntop(AF_INET, packed[:3] + bytes([last]))


def parse_ip_any4(text: str) -> bytes:
    """Any dotted quad (broadcast values may be 255.255.255.255); AddrError otherwise."""
    try:
        return _socket.inet_pton(AF_INET, text.strip())
    except (OSError, ValueError):
        raise AddrError(f"Invalid IPv4 address [{text}]") from None
