"""Hard bounds applied while decoding (and encoding), plus the per-packet budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import DecodeError, DropReason
from .message import Message

MAXMSG = 256 * 1024  # include/clplumbing/ipc.h: largest final wire message
MAXUNCOMPRESSED = 2 * 1024 * 1024  # largest message before compression
MAXDEPTH = 16  # nesting limit of struct fields (SPECIAL_SYMS has 16 entries)
UDP_MAX_PAYLOAD = 65507  # practical IPv4 UDP limit
V1_MAXMSG = 1400  # heartbeat 1.2.x MAXMSG


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds for one packet. Defaults follow heartbeat's own limits."""

    max_packet: int = MAXMSG
    max_uncompressed: int = MAXUNCOMPRESSED
    max_depth: int = MAXDEPTH
    max_fields: int = 1024  # per message (heartbeat grows without bound)
    max_total_fields: int = 8192  # all nesting levels of one packet together
    max_name_len: int = 256
    max_field_len: int = MAXMSG  # one encoded field (name and value)
    max_list_items: int = 4096
    max_decompressed_total: int = 2 * MAXUNCOMPRESSED  # all compressed fields of a packet


DEFAULT_LIMITS = Limits()

PayloadParser = Callable[[bytes, int, "ParseContext"], Message]


@dataclass(slots=True)
class ParseContext:
    """Running totals for one packet, and the parser used for compressed payloads."""

    limits: Limits
    parse_payload: PayloadParser
    total_fields: int = 0
    decompressed: int = 0

    def count_fields(self, n: int) -> None:
        self.total_fields += n
        if self.total_fields > self.limits.max_total_fields:
            raise DecodeError(DropReason.TOO_MANY_FIELDS, "packet has too many fields")

    def check_depth(self, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise DecodeError(DropReason.TOO_DEEP, f"nesting depth {depth}")
