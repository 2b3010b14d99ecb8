"""The 29 packets captured from real heartbeat 3.0.6 reproduce byte for byte."""

from __future__ import annotations

import zlib

import pytest

from heartbeat_compat.wire import (
    COMPRESSED_FIELD,
    AuthKey,
    DecodeStats,
    FieldType,
    Message,
    crc_token,
    decode,
    decode_strict,
    encode,
)
from heartbeat_compat.wire.auth import parse_auth_string
from heartbeat_compat.wire.classic import signed_text
from heartbeat_compat.wire.encode import context

from .conftest import CAPTURES, KEYS, Vector

EXPECTED_VECTORS = 29


def _by_name(vectors: list[Vector], prefix: str) -> Vector:
    return next(v for v in vectors if v.name.startswith(prefix))


def test_all_29_vectors_present(vectors: list[Vector]) -> None:
    assert len(vectors) == EXPECTED_VECTORS
    for v in vectors:
        hexfile = CAPTURES / f"{v.name}.hex"
        assert bytes.fromhex(hexfile.read_text().strip()) == v.payload
        assert len(v.payload) == v.raw["payload_len"]


def test_every_vector_decodes_to_the_listed_fields(vectors: list[Vector]) -> None:
    stats = DecodeStats()
    for v in vectors:
        got = decode(v.payload, keys=KEYS, stats=stats, decompress=False)
        assert got is not None, (v.name, stats.last_drop)
        expected = v.message
        if expected is not None:
            assert got == expected, v.name
    assert stats.accepted == EXPECTED_VECTORS
    assert stats.total_dropped == 0


def test_every_vector_encodes_byte_for_byte(vectors: list[Vector]) -> None:
    """Encode the JSON's logical content; vector 29 (bytes only) round-trips decode->encode."""
    for v in vectors:
        key = KEYS[v.auth_index]
        expected = v.message
        if expected is None:  # 29: classic, given as bytes only
            msg = decode_strict(v.payload, keys=KEYS)
            assert encode(msg, fmt="classic", auth=key) == v.payload, v.name
            continue
        has_inner_auth = "auth" in expected
        unsigned = expected.copy().remove("auth")
        out = encode(unsigned, fmt="netstring", auth=key, inner_auth=has_inner_auth)
        assert out == v.payload, v.name
        # the already-signed message re-encodes identically (auth is replaced in place)
        assert encode(expected, fmt="netstring", auth=key, inner_auth=has_inner_auth) == out


def test_trailer_and_classic_tokens_match_the_recorded_ones(vectors: list[Vector]) -> None:
    ctx = context()
    for v in vectors:
        key = KEYS[v.auth_index]
        if "netstring_signed_len" in v.raw:
            signed = v.payload[: v.raw["netstring_signed_len"]]
            assert signed.endswith(b"%%%\n")
            assert key.auth_string(signed) == v.raw["netstring_trailer"], v.name
        if "classic_signed_text" in v.raw:
            msg = decode_strict(v.payload, keys=KEYS, decompress=False)
            text = signed_text(msg, ctx)
            assert text == v.raw["classic_signed_text"].encode(), v.name
            assert key.auth_string(text) == v.raw["classic_auth"], v.name


def test_crc_token_has_no_leading_zeros(vectors: list[Vector]) -> None:
    v = _by_name(vectors, "24-")
    parsed = parse_auth_string(v.raw["netstring_trailer"].encode())
    assert parsed is not None
    assert parsed == (3, "8a4154d")  # 7 digits: printf("%lx"), reference §6.1
    assert crc_token(b"123456789") == "765e7680"  # CRC-32/POSIX check value
    assert crc_token(b"") == "ffffffff"


def test_compressed_vector_inflates_and_recompresses_identically(vectors: list[Vector]) -> None:
    v = _by_name(vectors, "25-")
    inner = decode_strict(v.payload, keys=KEYS)
    assert inner.get_str("t") == "hbv1test"
    assert COMPRESSED_FIELD not in inner
    assert inner.get_str("auth") == "3 334d51b0"  # inner auth is carried, not checked
    # the payload is the classic text of the original message plus its NUL
    envelope = decode_strict(v.payload, keys=KEYS, decompress=False)
    payload = zlib.decompress(envelope.get_bytes(COMPRESSED_FIELD) or b"")
    assert payload.startswith(b">>>\nt=hbv1test\n")
    assert payload.endswith(b"<<<\n\0")
    # compression_threshold 1 (KiB) as in the capture run: byte-identical envelope
    assert encode(inner, fmt="netstring", auth=KEYS[3], compress_threshold=1024) == v.payload
    # below the threshold nothing is compressed
    plain = encode(inner, fmt="netstring", auth=KEYS[3], compress_threshold=4096)
    assert COMPRESSED_FIELD.encode() not in plain


def test_classic_vector_signed_text_is_the_lines_without_markers(vectors: list[Vector]) -> None:
    v = _by_name(vectors, "29-")
    text = v.payload.decode()
    body = text.removeprefix(">>>\n").removesuffix("<<<\n")
    lines = [line for line in body.splitlines(keepends=True) if not line.startswith("auth=")]
    expected_token = text.split("auth=")[1].split("\n")[0]
    assert KEYS[1].auth_string("".join(lines).encode()) == expected_token


def test_builders_reproduce_the_status_vector(vectors: list[Vector]) -> None:
    from heartbeat_compat.wire import control

    v = _by_name(vectors, "02-")
    expected = v.message
    assert expected is not None
    msg = control.status("up", deadtime_ms=12000)
    control.add_control_fields(
        msg,
        src="hbv1a",
        srcuuid=expected.get_bytes("srcuuid"),
        seq=2,
        hg=0x6B024F72,
        ts=0x6B024F71,
        ld="0.32 0.23 0.10 4/102 19210",
        ttl=3,
    )
    assert encode(msg, fmt="netstring", auth=KEYS[1]) == v.payload


@pytest.mark.parametrize(
    ("prefix", "build"),
    [
        ("03-", "ack"),
        ("05-", "repnodes"),
        ("23-", "rexmit"),
        ("07-", "resource"),
    ],
)
def test_builders_keep_heartbeats_field_order(
    vectors: list[Vector], prefix: str, build: str
) -> None:
    from heartbeat_compat.wire import control

    v = _by_name(vectors, prefix)
    exp = v.message
    assert exp is not None
    if build == "ack":
        msg = control.ackmsg(str(exp["dest"]), int(str(exp["ackseq"]), 16))
    elif build == "repnodes":
        nodes = str(exp["nodelist"]).split()
        msg = control.repnodes(str(exp["dest"]), nodes)
    elif build == "rexmit":
        msg = control.rexmit(str(exp["dest"]), int(str(exp["firstseq"])), int(str(exp["lastseq"])))
    else:
        msg = control.resource("none", isstable=False)
    seq = exp.get_str("seq")
    control.add_control_fields(
        msg,
        src=str(exp["src"]),
        srcuuid=exp.get_bytes("srcuuid"),
        destuuid=exp.get_bytes("destuuid"),
        seq=None if seq is None else int(seq, 16),
        hg=int(str(exp["hg"]), 16),
        ts=int(str(exp["ts"]), 16),
        ld=exp.get_str("ld"),
        ttl=int(str(exp["ttl"])),
    )
    assert encode(msg, fmt="netstring", auth=KEYS[v.auth_index]) == v.payload


def test_wrong_key_rejects_every_vector(vectors: list[Vector]) -> None:
    wrong = {
        1: AuthKey.of(1, "sha1", "not-the-secret"),
        2: AuthKey.of(2, "md5", "not-the-secret"),
        3: AuthKey.of(3, "crc"),
    }
    stats = DecodeStats()
    for v in vectors:
        result = decode(v.payload, keys=wrong, stats=stats)
        if v.auth_index == 3:  # crc has no key: still accepted
            assert result is not None
        else:
            assert result is None, v.name
    assert stats.dropped["bad_auth"] == sum(1 for v in vectors if v.auth_index != 3)


def test_field_types_of_vectors_are_strings_and_uuids(vectors: list[Vector]) -> None:
    for v in vectors:
        msg = v.message
        if msg is None:
            continue
        for f in msg.fields:
            assert f.type in (FieldType.STRING, FieldType.BINARY)
        uuid = msg.get_bytes("srcuuid")
        assert uuid is None or len(uuid) == 16
    assert isinstance(_by_name(vectors, "01-").message, Message)
