"""The send side: sign, optionally compress, and frame one message.

* classic: the `auth` field is set (replacing an existing one, else appended last) to
  `"<idx> <token>"` over the other field lines, then `>>>\\n` lines `<<<\\n`
  (no trailing NUL);
* netstring: like heartbeat 3.0.6, the same inner `auth` field is set first
  (`inner_auth=False` leaves it out), then `###\\n` fields `%%%\\n` and the trailer
  `len:<idx> <token>,` over everything before it;
* `compress_threshold` (bytes; ha.cf's `compression_threshold` is in KiB): when the
  uncompressed encoding (without trailer) is longer, the message is sent as heartbeat's
  "traditional" compressed envelope (`_compressed_payload`, `_compression_algorithm`),
  always netstring with trailer.
"""

from __future__ import annotations

from typing import Literal

from . import classic, netstring
from .auth import AuthKey
from .compress import DEFAULT_ALGORITHM, envelope, needs_compression
from .errors import EncodeError
from .limits import DEFAULT_LIMITS, Limits
from .message import AUTH_FIELD, FieldType, Message
from .values import EncodeContext

WireFormat = Literal["classic", "netstring"]
_NETSTRING_ONLY = (FieldType.STRUCT, FieldType.COMPRESS, FieldType.UNCOMPRESS)


def must_use_netstring(msg: Message) -> bool:
    """cl_msg.c `must_use_netstring`: messages heartbeat never writes as classic."""
    return any(f.type in _NETSTRING_ONLY for f in msg.fields)


def encode_payload(msg: Message, depth: int, ctx: EncodeContext) -> bytes:
    """`msg2wirefmt_noac`: classic text plus NUL, or netstring without trailer.

    Like heartbeat, netstring is used when the message has nested fields; unlike it,
    also when a value cannot be written as classic text (empty, NUL, 0x13...).
    """
    if not must_use_netstring(msg):
        try:
            return classic.encode_message(msg, depth, ctx) + b"\0"
        except EncodeError:
            pass
    return netstring.encode_message(msg, depth, ctx)


def context(limits: Limits = DEFAULT_LIMITS) -> EncodeContext:
    return EncodeContext(limits, encode_payload)


def sign_classic(msg: Message, auth: AuthKey, ctx: EncodeContext) -> Message:
    """A copy of `msg` whose `auth` field is the classic signature of its other fields."""
    for f in msg.fields:
        if f.name == AUTH_FIELD and f.type is not FieldType.STRING:
            raise EncodeError("field 'auth' must be a string")
    signed = msg.copy()
    signed.set(AUTH_FIELD, auth.auth_string(classic.signed_text(msg, ctx)))
    return signed


def _netstring_packet(msg: Message, auth: AuthKey, ctx: EncodeContext) -> bytes:
    body = netstring.encode_message(msg, 0, ctx)
    return body + netstring.trailer(auth.auth_string(body))


def encode(
    msg: Message,
    *,
    fmt: WireFormat = "classic",
    auth: AuthKey,
    compress_threshold: int | None = None,
    inner_auth: bool = True,
    compression: str = DEFAULT_ALGORITHM,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """Encode one message for the wire; raise `EncodeError` if it cannot be."""
    if fmt not in ("classic", "netstring"):
        raise EncodeError(f"unknown wire format {fmt!r}")
    if len(msg) == 0:
        raise EncodeError("message has no fields")
    ctx = context(limits)
    if fmt == "classic" or inner_auth:
        msg = sign_classic(msg, auth, ctx)
    if fmt == "classic":
        plain = classic.encode_message(msg, 0, ctx)
        packet = plain
    else:
        plain = netstring.encode_message(msg, 0, ctx)
        packet = plain + netstring.trailer(auth.auth_string(plain))
    if needs_compression(len(plain), compress_threshold):
        payload = encode_payload(msg, 0, ctx)
        if len(payload) > limits.max_uncompressed:
            raise EncodeError(f"message too large to compress ({len(payload)} bytes)")
        packet = _netstring_packet(envelope(payload, compression), auth, ctx)
    if len(packet) > limits.max_packet:
        raise EncodeError(f"packet of {len(packet)} bytes exceeds {limits.max_packet}")
    return packet
