"""The receive side: authenticate, then parse, under hard bounds; drop and count the rest.

Order of work for one datagram (nothing variable-length is trusted before the packet
is authenticated, wherever the format allows it):

* netstring: find the last `%%%\\n` (the trailer cannot contain `%`), parse the short
  trailer, verify the token over `###\\n` ... `%%%\\n` with the key of the packet's
  auth index, and only then walk the length-prefixed fields;
* classic: split the body into lines (no lengths involved), verify the last `auth`
  line over the other lines, and only then decode base64, lists and nested messages;
* a whole-message compressed packet (`_compressed_payload`) is inflated (bounded) only
  after its envelope authenticated, and its inner message is not re-authenticated
  (as heartbeat does).

Stricter than heartbeat on purpose (all [D], reference §1 item 12 / §19): canonical
decimal lengths, a required `<<<` line, at most one trailing NUL, one classic `auth`
field, and compressed fields are inflated eagerly (a field that cannot be inflated
drops the packet; heartbeat would only fail when the field is read).

`decode` never raises: a packet it cannot accept is counted in `stats` under a
`DropReason` and `None` is returned. `decode_strict` raises `DecodeError` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from . import classic, netstring
from .auth import AuthKey, parse_auth_string, verify
from .compress import COMPRESS_NAME, COMPRESSED_FIELD
from .errors import DecodeError, DropReason
from .limits import DEFAULT_LIMITS, Limits, ParseContext
from .message import Message
from .stats import DecodeStats
from .values import decompress_field

KeyLookup = Mapping[int, AuthKey]
_COMPRESSED_NAME = COMPRESSED_FIELD.encode() + b"="  # no such field without these bytes
log = logging.getLogger(__name__)


def parse_payload(data: bytes, depth: int, ctx: ParseContext) -> Message:
    """An unauthenticated message in either format (compressed payloads)."""
    if data.startswith(classic.START):
        return classic.parse_message(data, depth, ctx, allow_trailing_nul=True)
    if data.startswith(netstring.START):
        return netstring.parse_message(data, depth, ctx, allow_trailing_nul=True)
    raise DecodeError(DropReason.BAD_MAGIC, "payload is neither classic nor netstring")


def _check_auth(raw_auth: bytes, signed: bytes, keys: KeyLookup) -> None:
    parsed = parse_auth_string(raw_auth)
    if parsed is None:
        raise DecodeError(DropReason.BAD_AUTH_FORMAT, "auth string")
    index, token = parsed
    key = keys.get(index)
    if key is None:
        raise DecodeError(DropReason.UNKNOWN_AUTH_INDEX, f"auth index {index}")
    if not verify(key, signed, token):
        raise DecodeError(DropReason.BAD_AUTH, f"auth index {index}")


def _decode_netstring(data: bytes, keys: KeyLookup, ctx: ParseContext) -> Message:
    signed_len, raw_auth = netstring.split_trailer(data)
    signed = data[:signed_len]
    _check_auth(raw_auth, signed, keys)
    msg, end = netstring.parse_fields(signed, len(netstring.START), 0, ctx)
    if end != signed_len:
        raise DecodeError(DropReason.BAD_LENGTH, "fields do not end at the last %%%")
    return msg


def _decode_classic(data: bytes, keys: KeyLookup, ctx: ParseContext) -> Message:
    lines = classic.split_lines(data, allow_trailing_nul=False)
    if len(lines) > ctx.limits.max_fields:  # before any per-line work
        raise DecodeError(DropReason.TOO_MANY_FIELDS, f"{len(lines)} lines")
    signed, auth_string = classic.split_auth(lines)
    _check_auth(auth_string, signed, keys)
    return classic.parse_lines(lines, 0, ctx)


def decode_strict(
    data: bytes,
    *,
    keys: KeyLookup,
    limits: Limits = DEFAULT_LIMITS,
    decompress: bool = True,
) -> Message:
    """Authenticate and parse one datagram; raise `DecodeError` if it is not acceptable.

    `DecodeError` is the only exception: should the decoder itself fail on some input
    (a bug), that surfaces as `DecodeError(DropReason.INTERNAL)`, not as a traceback in
    the receive loop.
    """
    try:
        return _decode(data, keys, limits, decompress)
    except DecodeError:
        raise
    except Exception as exc:
        log.warning("wire: decoder failed on a packet (%s); dropped", type(exc).__name__)
        raise DecodeError(DropReason.INTERNAL, type(exc).__name__) from exc


def _decode(data: bytes, keys: KeyLookup, limits: Limits, decompress: bool) -> Message:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(DropReason.NOT_BYTES, type(data).__name__)
    if len(data) > limits.max_packet + 1:
        raise DecodeError(DropReason.OVERSIZE, f"{len(data)} bytes")
    data = bytes(data)
    if data.endswith(b"\0"):  # receivers NUL-terminate; senders need not
        data = data[:-1]
    if not data:
        raise DecodeError(DropReason.EMPTY)
    if len(data) > limits.max_packet:
        raise DecodeError(DropReason.OVERSIZE, f"{len(data)} bytes")
    ctx = ParseContext(limits, parse_payload)
    if data.startswith(netstring.START):
        msg = _decode_netstring(data, keys, ctx)
    elif data.startswith(classic.START):
        msg = _decode_classic(data, keys, ctx)
    else:
        raise DecodeError(DropReason.BAD_MAGIC, "neither >>> nor ###")
    if decompress and _COMPRESSED_NAME in data and msg.field(COMPRESSED_FIELD) is not None:
        payload = msg.get_bytes(COMPRESSED_FIELD)
        if payload is None:
            raise DecodeError(DropReason.BAD_TYPE, f"{COMPRESSED_FIELD} is not binary")
        msg = decompress_field(payload, msg.get_str(COMPRESS_NAME), -1, ctx)
        if msg.field(COMPRESSED_FIELD) is not None:
            raise DecodeError(DropReason.BAD_COMPRESSION, "compressed message inside one")
    if len(msg) == 0:  # heartbeat never sends one (msg2string refuses), nothing to act on
        raise DecodeError(DropReason.EMPTY, "message without fields")
    return msg


def decode(
    data: bytes,
    *,
    keys: KeyLookup,
    stats: DecodeStats,
    limits: Limits = DEFAULT_LIMITS,
    decompress: bool = True,
) -> Message | None:
    """Authenticate and parse one datagram; on any problem count it and return None."""
    try:
        msg = decode_strict(data, keys=keys, limits=limits, decompress=decompress)
    except DecodeError as exc:
        stats.record_drop(exc.reason)
        return None
    stats.accepted += 1
    return msg
