"""Heartbeat v1 wire codec: byte-exact with heartbeat 3.0.6 / cluster-glue 1.0.12.

Reference: /work/shared/reference/heartbeat-v1.md §3-§8, §11. Both encodings are read
and written: classic `>>>`...`<<<` (heartbeat 1.x/2.x, accepted by 3.0.6) and
netstring `###`...`%%%` + auth trailer (what 3.0.6 always sends on UDP).

Building messages::

    from heartbeat_compat.wire import Message, control
    msg = control.status("up", deadtime_ms=10000)                  # t, st, dt, protocol
    control.add_control_fields(msg, src="node1", srcuuid=uuid16, seq=1,
                               hg=generation, ts=now, ld="0.00 0.00 0.00 1/1 1", ttl=3)

`Message` is an ordered list of fields (name, FieldType, value) with mapping-style
reads of the first field of a name (`msg["t"]`, `msg.get_str("seq")`), `add`
(append) and `set` (replace first or append, heartbeat's `ha_msg_mod`). Values:
`str` (STRING), `bytes` (BINARY), `Message` (STRUCT, COMPRESS, UNCOMPRESS) and
`tuple[str, ...]` (LIST).

Sending::

    key = AuthKey.of(1, "sha1", "secret")          # or load_authkeys(path).active
    data = encode(msg, fmt="classic", auth=key)    # or fmt="netstring" (3.0.6-identical)

`encode` sets the classic `auth` field (also in netstring, like 3.0.6; `inner_auth=False`
omits it), appends the netstring trailer, compresses heartbeat-style when
`compress_threshold` (bytes) is exceeded, and raises `EncodeError` for messages that
cannot be put on the wire (bad names, empty classic values, too deep, too big).

Receiving::

    stats = DecodeStats()
    keys = AuthKeys.from_mapping({1: ("sha1", "secret"), 3: ("crc", None)}, active=1)
    msg = decode(datagram, keys=keys, stats=stats)  # None => dropped, counted in stats

`AuthKey`/`AuthKeys` are the one key model: `heartbeat_compat.config.authkeys`
parses an authkeys file into them (with line numbers, source and warnings), and its
`auth_policy` decides which keys a node may verify with (crc only on request).

`decode` never raises: malformed, oversize, unauthenticated or badly signed packets
are dropped and counted per `DropReason` in `stats.dropped`. It authenticates before
it trusts any length field (see `decode.py`), verifies a netstring trailer with the key
of the packet's own auth index (heartbeat 3.0.6 wrongly uses its active key: peers must
share one `auth N`), and transparently inflates compressed packets.
`decode_strict` raises `DecodeError` (a `WireError`) instead of counting.

Limits (`Limits`): packet <= 256 KiB, inflated <= 2 MiB, nesting <= 16, <= 1024 fields per
message; pass `Limits(max_packet=UDP_MAX_PAYLOAD)` for UDP sends.

cluster-glue semantics kept: a LIST field whose name is already used extends the earlier
list when received (or invalidates the message if that field is not a list), so `encode`
refuses such messages; whole-message compression payloads are classic text + NUL.

Verified: the 29 packets captured from heartbeat 3.0.6 decode and re-encode byte for
byte (tests/unit/wire/test_vectors.py); the real cluster-glue 1.0.12 library parses
what we encode and writes back identical bytes for every field type, both encodings and
both compressions (test_cluster_glue.py); bench/fuzz_wire.py fuzzes the decoder.
"""

from . import control
from .auth import AuthKey, AuthKeys, AuthMethod, crc_token
from .compress import COMPRESS_NAME, COMPRESSED_FIELD
from .decode import decode, decode_strict
from .encode import encode, must_use_netstring
from .errors import DecodeError, DropReason, EncodeError, WireError
from .limits import DEFAULT_LIMITS, MAXDEPTH, MAXMSG, MAXUNCOMPRESSED, UDP_MAX_PAYLOAD, Limits
from .message import Field, FieldType, Message, Value
from .stats import DecodeStats

__all__ = [
    "COMPRESSED_FIELD",
    "COMPRESS_NAME",
    "DEFAULT_LIMITS",
    "MAXDEPTH",
    "MAXMSG",
    "MAXUNCOMPRESSED",
    "UDP_MAX_PAYLOAD",
    "AuthKey",
    "AuthKeys",
    "AuthMethod",
    "DecodeError",
    "DecodeStats",
    "DropReason",
    "EncodeError",
    "Field",
    "FieldType",
    "Limits",
    "Message",
    "Value",
    "WireError",
    "control",
    "crc_token",
    "decode",
    "decode_strict",
    "encode",
    "must_use_netstring",
]
