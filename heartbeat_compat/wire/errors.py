"""The one exception family of the wire codec, and the stable drop-reason codes."""

from __future__ import annotations

from enum import StrEnum


class DropReason(StrEnum):
    """Why a received packet was dropped (the keys of `DecodeStats.dropped`)."""

    NOT_BYTES = "not_bytes"
    EMPTY = "empty"
    OVERSIZE = "oversize"
    BAD_MAGIC = "bad_magic"
    TRUNCATED = "truncated"
    TRAILING_GARBAGE = "trailing_garbage"
    MALFORMED = "malformed"
    BAD_LENGTH = "bad_length"
    BAD_TYPE = "bad_type"
    BAD_NAME = "bad_name"
    BAD_VALUE = "bad_value"
    TOO_MANY_FIELDS = "too_many_fields"
    TOO_DEEP = "too_deep"
    NO_AUTH = "no_auth"
    BAD_AUTH_FORMAT = "bad_auth_format"
    UNKNOWN_AUTH_INDEX = "unknown_auth_index"
    BAD_AUTH = "bad_auth"
    BAD_COMPRESSION = "bad_compression"
    UNKNOWN_COMPRESSION = "unknown_compression"
    DECOMPRESSED_TOO_BIG = "decompressed_too_big"
    INTERNAL = "internal_error"  # a decoder bug: never expected, counted as a crash by fuzzing


class WireError(Exception):
    """Base class of every error the wire codec raises on purpose."""

    code = "wire-error"


class DecodeError(WireError):
    """A received packet is not acceptable; `reason` says why (it is also counted)."""

    code = "wire-decode"

    def __init__(self, reason: DropReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


class EncodeError(WireError):
    """A message cannot be put on the wire (bad name/value, too big, ...)."""

    code = "wire-encode"
