"""Every field type in both encodings, with the exact bytes cluster-glue would write."""

from __future__ import annotations

import zlib

import pytest

from heartbeat_compat.wire import (
    AuthKey,
    EncodeError,
    FieldType,
    Limits,
    Message,
    decode_strict,
    encode,
    must_use_netstring,
)
from heartbeat_compat.wire.classic import SPECIAL_SYMS, signed_text
from heartbeat_compat.wire.classic import encode_message as classic_message
from heartbeat_compat.wire.encode import context
from heartbeat_compat.wire.netstring import encode_message as netstring_message

KEY = AuthKey.of(1, "sha1", "k")
KEYS = {1: KEY}
CTX = context()


def roundtrip(msg: Message, fmt: str, *, inner_auth: bool = True) -> Message:
    data = encode(msg, fmt=fmt, auth=KEY, inner_auth=inner_auth)  # type: ignore[arg-type]
    got = decode_strict(data, keys=KEYS)
    assert encode(got, fmt=fmt, auth=KEY, inner_auth=inner_auth) == data  # type: ignore[arg-type]
    if fmt == "classic" or inner_auth:
        assert got.get_str("auth") == KEY.auth_string(signed_text(msg, CTX))
    return got.remove("auth")


def test_string_newline_becomes_0x13_in_classic_only() -> None:
    msg = Message.of(t="x", info="two\nlines")
    assert classic_message(msg, 0, CTX) == b">>>\nt=x\ninfo=two\x13lines\n<<<\n"
    assert netstring_message(msg, 0, CTX) == b"###\n6:(0)t=x,17:(0)info=two\nlines,%%%\n"
    for fmt in ("classic", "netstring"):
        assert roundtrip(msg, fmt).get_str("info") == "two\nlines"


def test_binary_is_base64_in_classic_and_raw_in_netstring() -> None:
    uuid = bytes.fromhex("59e774c037c147bf8692b01d3dc54de8")
    msg = Message.of(srcuuid=uuid)
    assert classic_message(msg, 0, CTX) == b">>>\n(1)srcuuid=Wed0wDfBR7+GkrAdPcVN6A==\n<<<\n"
    assert netstring_message(msg, 0, CTX) == b"###\n27:(1)srcuuid=" + uuid + b",%%%\n"
    for fmt in ("classic", "netstring"):
        assert roundtrip(msg, fmt).get_bytes("srcuuid") == uuid


def test_binary_may_hold_separator_bytes_in_netstring() -> None:
    raw = b",=\n\0%%%\n###\n:1,"
    assert roundtrip(Message.of(b=raw), "netstring").get_bytes("b") == raw


def test_list_is_packed() -> None:
    msg = Message.of(nodes=("abc", "defg"))
    assert msg.field("nodes") is not None
    assert classic_message(msg, 0, CTX) == b">>>\n(3)nodes=3:abc,4:defg,\n<<<\n"
    assert netstring_message(msg, 0, CTX) == b"###\n22:(3)nodes=3:abc,4:defg,,%%%\n"
    for fmt in ("classic", "netstring"):
        assert roundtrip(msg, fmt).get_list("nodes") == ("abc", "defg")


def test_struct_in_classic_uses_the_special_symbol_of_each_depth() -> None:
    inner = Message.of(a="1", deeper=Message.of(b="2"))
    msg = Message.of(t="x", sub=inner)
    text = classic_message(msg, 0, CTX)
    s0, s1 = SPECIAL_SYMS[0:1], SPECIAL_SYMS[1:2]
    assert s0 == b"\x14"
    assert s1 == b"\x15"
    expected_inner = (
        b">>>"
        + s0
        + b"a=1"
        + s0
        + b"(2)deeper=>>>"
        + s1
        + b"b=2"
        + s1
        + b"<<<"
        + s1
        + s0
        + b"<<<"
        + s0
    )
    assert text == b">>>\nt=x\n(2)sub=" + expected_inner + b"\n<<<\n"
    got = roundtrip(msg, "classic")
    assert got == msg
    sub = got.get_message("sub")
    assert sub is not None
    assert sub.get_message("deeper") == Message.of(b="2")


def test_struct_in_netstring_is_a_nested_message_without_trailer() -> None:
    msg = Message.of(t="x", sub=Message.of(a="1"))
    assert netstring_message(msg, 0, CTX) == b"###\n6:(0)t=x,24:(2)sub=###\n6:(0)a=1,%%%\n,%%%\n"
    assert roundtrip(msg, "netstring") == msg
    assert must_use_netstring(msg)


def test_compressed_field_roundtrips_and_names_its_algorithm() -> None:
    child = Message.of(cib="x" * 500)
    for algorithm in ("zlib", "bz2"):
        msg = Message.of(t="cib").add("data", child, FieldType.COMPRESS)
        msg.add("_compression_algorithm", algorithm)
        for fmt in ("classic", "netstring"):
            got = roundtrip(msg, fmt)
            assert got.field("data") is not None
            assert got.get_message("data") == child
            assert got == msg


def test_compressed_field_payload_is_classic_text_plus_nul() -> None:
    child = Message.of(a="1")
    msg = Message.of(t="x").add("data", child, FieldType.COMPRESS)
    body = netstring_message(msg, 0, CTX)
    raw = body.split(b"(4)data=", 1)[1].rsplit(b",%%%\n", 1)[0]
    assert zlib.decompress(raw) == b">>>\na=1\n<<<\n\0"
    # with no _compression_algorithm the default is zlib and decoding needs the field
    data = encode(msg, fmt="netstring", auth=KEY)
    from heartbeat_compat.wire import DecodeStats, decode

    stats = DecodeStats()
    assert decode(data, keys=KEYS, stats=stats) is None
    assert stats.dropped["unknown_compression"] == 1


def test_uncompress_type_is_netstring_only() -> None:
    msg = Message.of(t="x").add("u", Message.of(a="1"), FieldType.UNCOMPRESS)
    assert b"(5)u=###\n" in netstring_message(msg, 0, CTX)
    assert roundtrip(msg, "netstring", inner_auth=False) == msg
    with pytest.raises(EncodeError):
        encode(msg, fmt="classic", auth=KEY)
    with pytest.raises(EncodeError):  # the inner classic auth field cannot be computed
        encode(msg, fmt="netstring", auth=KEY)


def test_every_type_together_in_both_formats() -> None:
    msg = Message.of(
        t="all",
        s="text with = and ,",
        b=b"\x00\xff",
        l=("one", "two three"),
        st=Message.of(x="1", y=b"\x01"),
    )
    msg.add("c", Message.of(z="compressed"), FieldType.COMPRESS)
    msg.add("_compression_algorithm", "zlib")
    for fmt in ("classic", "netstring"):
        assert roundtrip(msg, fmt) == msg


@pytest.mark.parametrize(
    "msg",
    [
        Message.of(t=""),  # empty string value
        Message.of(t="a\0b"),  # NUL
        Message.of(t="a\x13b"),  # would read back as newline
        Message.of(b=b""),  # empty binary
        Message.of(l=()),  # empty list
        Message.of(l=("",)),  # empty element
        Message.of(l=("a\nb",)),  # newline in a list element
        Message.of(st=Message.of(a="\x14")),  # the depth-0 struct symbol inside a struct
    ],
)
def test_classic_refuses_values_it_cannot_carry(msg: Message) -> None:
    with pytest.raises(EncodeError):
        encode(msg, fmt="classic", auth=KEY)


@pytest.mark.parametrize("name", ["", "a=b", "a\nb", "a\0b", "(1)x", ">>>x", "x" * 300])
def test_bad_names_are_refused(name: str) -> None:
    msg = Message([(name, "v")])
    for fmt in ("classic", "netstring"):
        with pytest.raises(EncodeError):
            encode(msg, fmt=fmt, auth=KEY)


def test_netstring_carries_values_classic_cannot() -> None:
    msg = Message.of(t="", n="a\0b", x="\x13", l=("a\nb",))
    assert roundtrip(msg, "netstring", inner_auth=False) == msg


def test_nesting_limit_both_ways() -> None:
    def nested(levels: int) -> Message:
        msg = Message.of(leaf="1")
        for _ in range(levels):
            msg = Message.of(x="1", sub=msg)
        return msg

    for fmt in ("classic", "netstring"):
        ok = nested(16)
        assert roundtrip(ok, fmt) == ok
        with pytest.raises(EncodeError):
            encode(nested(17), fmt=fmt, auth=KEY)
    shallow = Limits(max_depth=3)
    with pytest.raises(EncodeError):
        encode(nested(4), fmt="netstring", auth=KEY, limits=shallow)


def test_non_ascii_and_undecodable_bytes_survive() -> None:
    msg = Message.of(t="grüße", raw=b"\xff".decode("utf-8", "surrogateescape"))
    for fmt in ("classic", "netstring"):
        data = encode(msg, fmt=fmt, auth=KEY)
        assert "grüße".encode() in data
        assert b"raw=\xff\n" in data or b"raw=\xff," in data
        assert roundtrip(msg, fmt) == msg
    with pytest.raises(EncodeError):
        encode(Message.of(t="\ud800"), fmt="classic", auth=KEY)


def test_oversize_messages_are_refused() -> None:
    big = Message.of(t="x", blob=b"\x01" * 70000)
    with pytest.raises(EncodeError):
        encode(big, fmt="netstring", auth=KEY, limits=Limits(max_packet=65507))
    assert len(encode(big, fmt="netstring", auth=KEY)) > 70000


def test_whole_message_compression_gets_under_the_limit() -> None:
    big = Message.of(t="x", blob="a" * 100000)
    data = encode(big, fmt="classic", auth=KEY, compress_threshold=2048)
    assert data.startswith(b"###\n") and b"_compressed_payload" in data
    assert len(data) < 2048
    assert decode_strict(data, keys=KEYS).get_str("blob") == "a" * 100000
    data2 = encode(big, fmt="netstring", auth=KEY, compress_threshold=2048, compression="bz2")
    assert b"(0)_compression_algorithm=bz2," in data2
    assert decode_strict(data2, keys=KEYS) == decode_strict(data, keys=KEYS)


def test_empty_message_and_unknown_format_are_refused() -> None:
    with pytest.raises(EncodeError):
        encode(Message(), fmt="classic", auth=KEY)
    with pytest.raises(EncodeError):
        encode(Message.of(t="x"), fmt="xml", auth=KEY)  # type: ignore[arg-type]


def test_list_names_follow_cluster_glue() -> None:
    """add_list_field: a list reusing a name extends the earlier list, or is an error."""
    from heartbeat_compat.wire import DecodeStats, decode

    with pytest.raises(EncodeError):
        encode(Message.of(a=("x",)).add("a", ("y",)), fmt="netstring", auth=KEY)
    with pytest.raises(EncodeError):
        encode(Message.of(a="s").add("a", ("y",)), fmt="classic", auth=KEY)
    # a string after a list of the same name is fine (heartbeat appends it)
    ok = Message.of(a=("x",)).add("a", "s")
    assert roundtrip(ok, "classic") == ok

    # received: the second list is merged into the first, as cluster-glue does
    def signed(fmt: str, lines: list[bytes]) -> bytes:
        if fmt == "classic":
            text = b"".join(line + b"\n" for line in lines)
            return b">>>\n" + text + b"auth=" + KEY.auth_string(text).encode() + b"\n<<<\n"
        body = b"###\n" + b"".join(b"%d:%b," % (len(f), f) for f in lines) + b"%%%\n"
        auth = KEY.auth_string(body).encode()
        return body + b"%d:%b," % (len(auth), auth)

    for fmt, prefix in (("classic", b""), ("netstring", b"(0)")):
        lines = [b"(3)a=1:x,", prefix + b"t=1", b"(3)a=1:y,"]
        got = decode_strict(signed(fmt, lines), keys=KEYS)
        assert got.copy().remove("auth").items() == [("a", ("x", "y")), ("t", "1")]
        stats = DecodeStats()
        clash = [b"(3)a=1:x,", prefix + b"a=1", prefix + b"b=1"]
        assert decode(signed(fmt, clash), keys=KEYS, stats=stats) is not None
        clash = [prefix + b"a=1", b"(3)a=1:y,"]
        assert decode(signed(fmt, clash), keys=KEYS, stats=stats) is None
        assert stats.last_drop == "bad_value"


def test_compression_threshold_semantics() -> None:
    from heartbeat_compat.wire.compress import needs_compression

    assert not needs_compression(1024, 1024)  # strictly longer, as msg2wirefmt_ll
    assert needs_compression(1025, 1024)
    assert not needs_compression(10**6, None)
