"""Malformed, oversize and hostile packets are dropped and counted, never raised."""

from __future__ import annotations

import zlib

import pytest

from heartbeat_compat.wire import (
    AuthKey,
    AuthKeys,
    DecodeError,
    DecodeStats,
    DropReason,
    FieldType,
    Limits,
    Message,
    decode,
    decode_strict,
    encode,
)

SHA1 = AuthKey.of(1, "sha1", "hbv1-sha1-secret")
CRC = AuthKey.of(3, "crc")
KEYS = AuthKeys([SHA1, CRC], active=1)


def signed_netstring(body: bytes, key: AuthKey = SHA1) -> bytes:
    """`###\\n` body `%%%\\n` with a VALID trailer, so the parser itself is exercised."""
    signed = b"###\n" + body + b"%%%\n"
    auth = key.auth_string(signed).encode()
    return signed + b"%d:%b," % (len(auth), auth)


def signed_classic(*lines: bytes, key: AuthKey = SHA1) -> bytes:
    """A classic packet with a VALID auth line (signed like heartbeat: blank lines skipped)."""
    text = b"".join(line + b"\n" for line in lines)
    signed = b"".join(line + b"\n" for line in lines if line)
    return b">>>\n" + text + b"auth=" + key.auth_string(signed).encode() + b"\n<<<\n"


def reason_of(data: object, limits: Limits | None = None) -> DropReason | None:
    stats = DecodeStats()
    kwargs = {} if limits is None else {"limits": limits}
    result = decode(data, keys=KEYS, stats=stats, **kwargs)  # type: ignore[arg-type]
    if result is not None:
        assert stats.accepted == 1
        return None
    assert stats.total_dropped == 1
    return stats.last_drop


def test_the_packet_that_kills_heartbeat_3_0_6() -> None:
    """Reference §1 item 12: 25 bytes, a field without the (d) type prefix."""
    packet = b"###\n6:xt=abc,%%%\n4:1 xx,"
    stats = DecodeStats()
    assert decode(packet, keys=KEYS, stats=stats) is None
    assert decode(packet + b"\0", keys=KEYS, stats=stats) is None  # as sent, NUL-terminated
    assert stats.as_dict() == {"accepted": 0, "bad_auth_format": 2}
    with pytest.raises(DecodeError) as info:
        decode_strict(packet, keys=KEYS)
    assert info.value.reason is DropReason.BAD_AUTH_FORMAT
    # the same body with a correct sha1 or crc trailer reaches the field parser
    for key in (SHA1, CRC):
        assert reason_of(signed_netstring(b"6:xt=abc,", key)) is DropReason.BAD_TYPE
    # ... and with a correct-looking but wrong token it never gets there
    assert reason_of(b"###\n6:xt=abc,%%%\n10:3 deadbeef,") is DropReason.BAD_AUTH


def ns(field: bytes) -> bytes:
    """One netstring field with a correct length prefix."""
    return b"%d:%b," % (len(field), field)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (ns(b"(0)t=x"), None),  # control: well-formed
        (b"99:(0)t=x,", DropReason.BAD_LENGTH),  # length beyond the buffer
        (b"9999999:(0)t=x,", DropReason.BAD_LENGTH),
        (b"99999999999999999999:(0)t=x,", DropReason.BAD_LENGTH),  # absurd digit count
        (b"06:(0)t=x,", DropReason.BAD_LENGTH),  # leading zero
        (b"+6:(0)t=x,", DropReason.BAD_LENGTH),
        (b" 6:(0)t=x,", DropReason.BAD_LENGTH),
        (b"6(0)t=x,", DropReason.BAD_LENGTH),  # no colon
        (b"5:(0)t=x,", DropReason.BAD_LENGTH),  # length lies (short)
        (b"7:(0)t=x,", DropReason.BAD_LENGTH),  # length lies (long)
        (b"6:(0)t=x", DropReason.BAD_LENGTH),  # missing comma
        (ns(b"(9)t=x"), DropReason.BAD_TYPE),
        (ns(b"(6)t=x"), DropReason.BAD_TYPE),
        (ns(b"(/)t=x"), DropReason.BAD_TYPE),
        (ns(b"[0)t=x"), DropReason.BAD_TYPE),
        (ns(b"(0]t=x"), DropReason.BAD_TYPE),
        (ns(b"(0)"), DropReason.BAD_TYPE),
        (ns(b"(0)tax"), DropReason.MALFORMED),  # no '='
        (ns(b"(0)=xy"), DropReason.BAD_NAME),  # empty name
        (ns(b"(0)(x=1"), DropReason.BAD_NAME),
        (ns(b"(0)a\0b=1"), DropReason.BAD_NAME),
        (ns(b"(0)t="), None),  # empty netstring value: accepted
        (ns(b"(3)l=3:ab,"), DropReason.BAD_LENGTH),  # list element overruns
        (ns(b"(3)l=03:abc,"), DropReason.BAD_LENGTH),
        (ns(b"(3)l=3:abc;"), DropReason.BAD_LENGTH),
        (ns(b"(3)l=0:,"), DropReason.BAD_LENGTH),
        (ns(b"(3)l="), DropReason.BAD_VALUE),  # empty list
        (ns(b"(3)l=3:abc,"), None),
        (ns(b"(2)s=abcd"), DropReason.BAD_VALUE),  # struct not a message
        (ns(b"(2)s=###\n%%%\nJUNK"), DropReason.TRAILING_GARBAGE),
        (ns(b"(2)s=###\n%%%\n"), None),  # empty nested message
        (ns(b"(5)s=###\n%%%\n"), None),
        (ns(b"(2)s=###\n"), DropReason.TRUNCATED),  # nested without end
        (ns(b"(2)s=###\n5:(0)x"), DropReason.BAD_LENGTH),
        (ns(b"(2)s=###\n99:(0)x=1,%%%\n"), DropReason.BAD_LENGTH),
        (ns(b"(4)c=abcd") + ns(b"(0)_compression_algorithm=zlib"), DropReason.BAD_COMPRESSION),
        (ns(b"(4)c=abcd") + ns(b"(0)_compression_algorithm=bz2"), DropReason.BAD_COMPRESSION),
        (ns(b"(4)c=abcd") + ns(b"(0)_compression_algorithm=lzma"), DropReason.UNKNOWN_COMPRESSION),
        (ns(b"(4)c=abcd"), DropReason.UNKNOWN_COMPRESSION),
        (
            ns(b"(4)c=" + zlib.compress(b"junk")) + ns(b"(0)_compression_algorithm=zlib"),
            DropReason.BAD_MAGIC,
        ),
        (
            ns(b"(4)c=" + zlib.compress(b"junk")[:-3]) + ns(b"(0)_compression_algorithm=zlib"),
            DropReason.BAD_COMPRESSION,
        ),
        (
            ns(b"(4)c=" + zlib.compress(b">>>\na=1\n<<<\n\0"))
            + ns(b"(0)_compression_algorithm=zlib"),
            None,
        ),
        (ns(b"(0)t=x") + b"%%%\n" + ns(b"(0)t=y"), DropReason.BAD_LENGTH),  # two end markers
    ],
)
def test_netstring_parser_rejects_malformed_fields(body: bytes, reason: DropReason | None) -> None:
    assert reason_of(signed_netstring(body)) is reason


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ((b"t=x",), None),
        ((b"t=x", b"nonsense"), DropReason.MALFORMED),
        ((b"t=x", b"=v"), DropReason.MALFORMED),
        ((b"t=x", b"v="), DropReason.BAD_VALUE),  # classic rejects empty values
        ((b"(0)x=1",), DropReason.BAD_TYPE),
        ((b"(5)x=1",), DropReason.BAD_TYPE),
        ((b"(7)x=1",), DropReason.BAD_TYPE),
        ((b"(1x=1",), DropReason.BAD_TYPE),
        ((b"(1)=AA==",), DropReason.BAD_TYPE),
        ((b"(1)x=!!!!",), DropReason.BAD_VALUE),
        ((b"(1)x=AAA",), DropReason.BAD_VALUE),  # missing padding
        ((b"(3)x=9:a,",), DropReason.BAD_LENGTH),
        ((b"(2)x=garbage",), DropReason.BAD_MAGIC),
        ((b"(2)x=>>>\x14a=1\x14",), DropReason.TRUNCATED),
        ((b"(2)x=>>>\x14a=1\x14<<<\x14junk",), DropReason.TRAILING_GARBAGE),
        ((b"(2)x=>>>\x14a=1\x14<<<\x14",), None),
        ((b"(4)x=AAAA", b"_compression_algorithm=zlib"), DropReason.BAD_COMPRESSION),
        ((b"(1)auth=AAAA",), DropReason.BAD_AUTH_FORMAT),
        ((b"t=x", b"", b"", b"u=y"), None),  # blank lines are skipped
        ((b"t=a\rb",), None),  # CR is data
    ],
)
def test_classic_parser_rejects_malformed_lines(
    lines: tuple[bytes, ...], reason: DropReason | None
) -> None:
    assert reason_of(signed_classic(*lines)) is reason


def test_classic_framing() -> None:
    good = signed_classic(b"t=x")
    assert reason_of(good) is None
    assert reason_of(good + b"\0") is None  # receivers' NUL terminator
    assert reason_of(good + b"\0\0") is DropReason.TRAILING_GARBAGE
    assert reason_of(good + b"more") is DropReason.TRAILING_GARBAGE
    assert reason_of(good[:-4]) is DropReason.TRUNCATED  # heartbeat would accept this
    assert reason_of(good.replace(b"t=x", b"t=\0")) is DropReason.MALFORMED
    assert reason_of(b">>>\n<<<\n") is DropReason.NO_AUTH
    assert reason_of(b">>>") is DropReason.BAD_MAGIC
    assert reason_of(b">> >\nt=x\n<<<\n") is DropReason.BAD_MAGIC


def test_netstring_framing() -> None:
    good = signed_netstring(b"6:(0)t=x,")
    assert reason_of(good) is None
    assert reason_of(good + b"\0") is None
    assert reason_of(good + b",") is DropReason.BAD_AUTH_FORMAT
    assert reason_of(good[:-1]) is DropReason.BAD_AUTH_FORMAT
    assert reason_of(good[:10]) is DropReason.TRUNCATED
    assert reason_of(good[:20]) is DropReason.BAD_AUTH_FORMAT
    assert reason_of(b"###\n%%%\n") is DropReason.NO_AUTH
    assert reason_of(signed_netstring(b"")) is DropReason.EMPTY  # no fields at all
    assert reason_of(signed_netstring(b"")[:-1] + b",\0") is DropReason.EMPTY
    assert reason_of(b"###\n") is DropReason.TRUNCATED
    assert reason_of(b"##") is DropReason.BAD_MAGIC
    assert reason_of(b"###\n6:(0)t=x,%%%\n999:1 ab,") is DropReason.BAD_AUTH_FORMAT


@pytest.mark.parametrize("data", [None, "###\n", 42, ["a"], b"", b"\0", bytearray()])
def test_non_packets(data: object) -> None:
    assert reason_of(data) in (DropReason.NOT_BYTES, DropReason.EMPTY)


def test_bytearray_and_memoryview_are_accepted() -> None:
    good = signed_netstring(b"6:(0)t=x,")
    assert reason_of(bytearray(good)) is None
    assert reason_of(memoryview(good)) is None


def test_oversize_is_dropped_before_any_parsing() -> None:
    small = Limits(max_packet=100)
    big = signed_netstring(b"96:(0)t=" + b"x" * 91 + b",")
    assert reason_of(big) is None
    assert reason_of(big, small) is DropReason.OVERSIZE
    assert reason_of(b"x" * 10_000_000, Limits()) is DropReason.OVERSIZE


def test_field_count_and_name_length_limits() -> None:
    many = b"".join(b"6:(0)f=x," for _ in range(1025))
    assert reason_of(signed_netstring(many)) is DropReason.TOO_MANY_FIELDS
    assert reason_of(signed_netstring(many), Limits(max_fields=2000)) is None
    lines = [b"f=x"] * 1025
    assert reason_of(signed_classic(*lines)) is DropReason.TOO_MANY_FIELDS
    long_name = b"n" * 300
    assert reason_of(signed_classic(long_name + b"=1")) is DropReason.BAD_NAME
    tight = Limits(max_field_len=50)
    assert reason_of(signed_classic(b"v=" + b"x" * 60), tight) is DropReason.BAD_LENGTH
    assert reason_of(signed_netstring(ns(b"(0)v=" + b"x" * 60)), tight) is DropReason.BAD_LENGTH
    assert reason_of(signed_netstring(ns(b"(0)v=" + b"x" * 40)), tight) is None


def _deep_netstring(levels: int) -> bytes:
    inner = b"###\n6:(0)x=1,%%%\n"
    for _ in range(levels):
        field = b"(2)s=" + inner
        inner = b"###\n" + b"%d:%b," % (len(field), field) + b"%%%\n"
    return inner


def test_deep_nesting_is_bounded() -> None:
    ok = _deep_netstring(16)
    assert reason_of(ok + SHA1_TRAILER(ok)) is None
    deep = _deep_netstring(17)
    assert reason_of(deep + SHA1_TRAILER(deep)) is DropReason.TOO_DEEP
    very_deep = _deep_netstring(500)  # would be a RecursionError without the bound
    assert reason_of(very_deep + SHA1_TRAILER(very_deep)) is DropReason.TOO_DEEP


def SHA1_TRAILER(signed: bytes) -> bytes:
    auth = SHA1.auth_string(signed).encode()
    return b"%d:%b," % (len(auth), auth)


def test_decompression_bomb_is_bounded() -> None:
    bomb = zlib.compress(b">>>\n" + b"a=" + b"x" * 20_000_000 + b"\n<<<\n", 9)
    assert len(bomb) < 64_000
    envelope = Message.of(_compressed_payload=bomb, _compression_algorithm="zlib")
    data = encode(envelope, fmt="netstring", auth=SHA1, inner_auth=False)
    assert reason_of(data) is DropReason.DECOMPRESSED_TOO_BIG
    field = Message.of(t="x").add("c", b"", FieldType.BINARY)
    field = Message([("t", "x"), ("c", bomb, FieldType.BINARY), ("_compression_algorithm", "zlib")])
    raw = encode(field, fmt="netstring", auth=SHA1, inner_auth=False).replace(b"(1)c=", b"(4)c=")
    # the trailer no longer matches after the edit: re-sign the body
    body = raw[: raw.rindex(b"%%%\n") + 4]
    assert reason_of(body + SHA1_TRAILER(body)) is DropReason.DECOMPRESSED_TOO_BIG


def test_compressed_inside_compressed_is_refused() -> None:
    inner = encode(Message.of(t="x"), fmt="netstring", auth=SHA1, compress_threshold=0)
    env = Message.of(_compressed_payload=zlib.compress(inner[: inner.rindex(b"%%%\n") + 4]))
    env.add("_compression_algorithm", "zlib")
    data = encode(env, fmt="netstring", auth=SHA1, inner_auth=False)
    assert reason_of(data) is DropReason.BAD_COMPRESSION


def test_decompress_false_returns_the_envelope() -> None:
    data = encode(Message.of(t="x" * 50), fmt="classic", auth=SHA1, compress_threshold=10)
    env = decode_strict(data, keys=KEYS, decompress=False)
    assert env.keys() == ["_compressed_payload", "_compression_algorithm"]
    assert decode_strict(data, keys=KEYS).get_str("t") == "x" * 50


def test_stats_count_per_reason() -> None:
    stats = DecodeStats()
    good = signed_netstring(b"6:(0)t=x,")
    for data in (good, good, b"junk", b"###\n", good[:-2]):
        decode(data, keys=KEYS, stats=stats)
    assert stats.accepted == 2
    assert stats.total_dropped == 3
    assert stats.total == 5
    assert stats.as_dict() == {
        "accepted": 2,
        "bad_auth_format": 1,
        "bad_magic": 1,
        "truncated": 1,
    }


def test_a_decoder_bug_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even an unexpected exception inside the decoder only ever drops the packet."""
    import importlib

    decode_module = importlib.import_module("heartbeat_compat.wire.decode")

    def broken(*args: object) -> Message:
        raise IndexError("simulated decoder bug")

    monkeypatch.setattr(decode_module, "_decode_netstring", broken)
    good = signed_netstring(ns(b"(0)t=x"))
    stats = DecodeStats()
    assert decode(good, keys=KEYS, stats=stats) is None
    assert stats.as_dict() == {"accepted": 0, "internal_error": 1}
    with pytest.raises(DecodeError) as info:
        decode_strict(good, keys=KEYS)
    assert info.value.reason is DropReason.INTERNAL
    assert isinstance(info.value.__cause__, IndexError)
