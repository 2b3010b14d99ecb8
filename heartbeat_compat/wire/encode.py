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


def _auth_fields(msg: Message) -> list[int]:
    """The positions of the `auth` fields, which must all be strings."""
    found = [index for index, f in enumerate(msg.fields) if f.name == AUTH_FIELD]
    if any(msg.fields[index].type is not FieldType.STRING for index in found):
        raise EncodeError("field 'auth' must be a string")
    return found


def sign_classic(msg: Message, auth: AuthKey, ctx: EncodeContext) -> Message:
    """A copy of `msg` whose `auth` field is the classic signature of its other fields."""
    _auth_fields(msg)
    signed = msg.copy()
    signed.set(AUTH_FIELD, auth.auth_string(classic.signed_text(msg, ctx)))
    return signed


def _classic_packet(msg: Message, auth: AuthKey, ctx: EncodeContext) -> bytes:
    """`classic.encode_message(sign_classic(msg))`, with the fields serialised once: the
    packet is the signed lines with the auth line put where the `auth` field was (or last)."""
    auth_at = _auth_fields(msg)
    if len(auth_at) > 1:  # the later ones stay, unsigned (heartbeat never sends this)
        return classic.encode_message(sign_classic(msg, auth, ctx), 0, ctx)
    lines = classic.field_lines(msg, 0, ctx, skip_auth=True)
    token = auth.auth_string(b"".join(lines))
    lines.insert(auth_at[0] if auth_at else len(lines), classic.auth_line(token))
    return classic.START + b"".join(lines) + classic.END


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
    if fmt == "classic":
        plain = packet = _classic_packet(msg, auth, ctx)
    else:
        if inner_auth:
            msg = sign_classic(msg, auth, ctx)
        plain = netstring.encode_message(msg, 0, ctx)
        packet = plain + netstring.trailer(auth.auth_string(plain))
    if needs_compression(len(plain), compress_threshold):
        if fmt == "classic":
            msg = sign_classic(msg, auth, ctx)
        payload = encode_payload(msg, 0, ctx)
        if len(payload) > limits.max_uncompressed:
            raise EncodeError(f"message too large to compress ({len(payload)} bytes)")
        packet = _netstring_packet(envelope(payload, compression), auth, ctx)
    if len(packet) > limits.max_packet:
        raise EncodeError(f"packet of {len(packet)} bytes exceeds {limits.max_packet}")
    return packet
