"""Adapter between the membership layer's `Fields` and the wire codec.

The wire codec (`heartbeat_compat.wire`) authenticates before it trusts any
field; this module only converts representations, picks the send format
(ha.cf `msgfmt`) and keeps drop statistics for logging.
"""

from __future__ import annotations

from typing import Literal

from heartbeat_compat.membership.fields import Fields
from heartbeat_compat.wire import (
    UDP_MAX_PAYLOAD,
    AuthKey,
    AuthKeys,
    DecodeStats,
    DropReason,
    EncodeError,
    Limits,
    Message,
    decode,
    encode,
)

AUTH_FAILURES = frozenset(
    {
        DropReason.NO_AUTH,
        DropReason.BAD_AUTH,
        DropReason.BAD_AUTH_FORMAT,
        DropReason.UNKNOWN_AUTH_INDEX,
    }
)


class WireCodec:
    def __init__(self, keys: AuthKeys, fmt: Literal["classic", "netstring"] = "classic") -> None:
        self.keys = keys
        self.signing: AuthKey = keys.active
        self.fmt: Literal["classic", "netstring"] = fmt
        self.stats = DecodeStats()
        self._limits = Limits(max_packet=UDP_MAX_PAYLOAD)

    def encode(self, fields: Fields) -> bytes:
        """Raises EncodeError for a message that cannot be put on the wire."""
        msg = Message.from_pairs(fields)
        return encode(msg, fmt=self.fmt, auth=self.signing, limits=self._limits)

    def decode(self, data: bytes) -> Fields | None:
        """None: dropped (reason in `last_drop`, counted in `stats`)."""
        self.stats.last_drop = None
        msg = decode(data, keys=self.keys, stats=self.stats)
        if msg is None:
            return None
        return [(k, v) for k, v in msg.pairs() if isinstance(v, str | bytes)]

    @property
    def last_drop(self) -> DropReason | None:
        return self.stats.last_drop

    @staticmethod
    def is_auth_failure(reason: DropReason | None) -> bool:
        return reason in AUTH_FAILURES


__all__ = ["AUTH_FAILURES", "EncodeError", "WireCodec"]
