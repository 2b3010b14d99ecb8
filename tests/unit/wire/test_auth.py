"""crc/md5/sha1 in the classic `auth` field and in the netstring trailer."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from heartbeat_compat.wire import (
    AuthKey,
    AuthKeys,
    AuthMethod,
    DecodeStats,
    Message,
    crc_token,
    decode,
    encode,
)

SHA1 = AuthKey.of(1, "sha1", "hbv1-sha1-secret")
MD5 = AuthKey.of(2, "md5", "hbv1-md5-secret")
CRC = AuthKey.of(3, "crc")
ALL = AuthKeys([SHA1, MD5, CRC], active=1)
MSG = Message.of(t="status", st="up", src="n1", seq="1", hg="1", ts="1", ttl="3")


def _reference_token(key: AuthKey, data: bytes) -> str:
    if key.method is AuthMethod.SHA1:
        return hmac.new(key.secret, data, hashlib.sha1).hexdigest()
    if key.method is AuthMethod.MD5:
        return hmac.new(key.secret, data, hashlib.md5).hexdigest()
    table = []
    for i in range(256):
        c = i << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04C11DB7) if c & 0x80000000 else (c << 1)
        table.append(c & 0xFFFFFFFF)
    c = 0
    for b in data:
        c = ((c << 8) & 0xFFFFFFFF) ^ table[((c >> 24) ^ b) & 0xFF]
    return f"{~c & 0xFFFFFFFF:x}"


@pytest.mark.parametrize("key", [SHA1, MD5, CRC], ids=lambda k: k.method.value)
def test_classic_auth_field(key: AuthKey) -> None:
    data = encode(MSG, fmt="classic", auth=key)
    body = data.removeprefix(b">>>\n").removesuffix(b"<<<\n")
    lines = body.splitlines(keepends=True)
    assert lines[-1].startswith(b"auth=")  # appended as the last field
    signed = b"".join(lines[:-1])
    assert lines[-1] == f"auth={key.index} {_reference_token(key, signed)}\n".encode()
    stats = DecodeStats()
    assert decode(data, keys=ALL, stats=stats) is not None


@pytest.mark.parametrize("key", [SHA1, MD5, CRC], ids=lambda k: k.method.value)
def test_netstring_trailer_and_inner_field(key: AuthKey) -> None:
    data = encode(MSG, fmt="netstring", auth=key)
    end = data.rindex(b"%%%\n") + 4
    auth_string = f"{key.index} {_reference_token(key, data[:end])}"
    assert data[end:] == f"{len(auth_string)}:{auth_string},".encode()
    classic = encode(MSG, fmt="classic", auth=key)
    inner = classic.split(b"auth=")[1].split(b"\n")[0]
    assert b"(0)auth=" + inner + b"," in data  # same inner field as 3.0.6 sends
    assert decode(data, keys=ALL, stats=DecodeStats()) is not None
    no_inner = encode(MSG, fmt="netstring", auth=key, inner_auth=False)
    assert b"auth=" not in no_inner
    assert decode(no_inner, keys=ALL, stats=DecodeStats()) is not None


def test_crc_matches_a_bitwise_reference() -> None:
    for data in (b"", b"1", b"123456789", bytes(range(256)) * 3):
        assert crc_token(data) == _reference_token(CRC, data)


@pytest.mark.parametrize("fmt", ["classic", "netstring"])
def test_tampering_is_detected(fmt: str) -> None:
    data = encode(MSG, fmt=fmt, auth=SHA1)  # type: ignore[arg-type]
    tampered = data.replace(b"st=up", b"st=dn")
    stats = DecodeStats()
    assert decode(tampered, keys=ALL, stats=stats) is None
    assert stats.as_dict() == {"accepted": 0, "bad_auth": 1}


@pytest.mark.parametrize("fmt", ["classic", "netstring"])
def test_any_configured_index_is_accepted_with_its_own_key(fmt: str) -> None:
    """Unlike 3.0.6's netstring path, the packet's index selects method AND key."""
    stats = DecodeStats()
    for key in (SHA1, MD5, CRC):
        data = encode(MSG, fmt=fmt, auth=key)  # type: ignore[arg-type]
        assert decode(data, keys=ALL, stats=stats) is not None
    only_sha1 = AuthKeys([SHA1], active=1)
    assert decode(encode(MSG, fmt=fmt, auth=MD5), keys=only_sha1, stats=stats) is None  # type: ignore[arg-type]
    assert stats.dropped["unknown_auth_index"] == 1
    same_index_other_key = AuthKeys([AuthKey.of(2, "md5", "other")])
    assert decode(encode(MSG, fmt=fmt, auth=MD5), keys=same_index_other_key, stats=stats) is None  # type: ignore[arg-type]
    assert stats.dropped["bad_auth"] == 1


def test_missing_and_malformed_auth() -> None:
    stats = DecodeStats()
    assert decode(b">>>\nt=x\n<<<\n", keys=ALL, stats=stats) is None
    assert decode(b"###\n6:(0)t=x,%%%\n", keys=ALL, stats=stats) is None
    assert stats.dropped["no_auth"] == 2
    for bad in (b"1", b"1 ", b"1 XYZ", b"01 ab", b"1  ab", b"-1 ab", b"1 AB"):
        assert decode(b">>>\nt=x\nauth=" + bad + b"\n<<<\n", keys=ALL, stats=stats) is None
        trailer = b"%d:%b," % (len(bad), bad)
        assert decode(b"###\n6:(0)t=x,%%%\n" + trailer, keys=ALL, stats=stats) is None
    assert stats.dropped["bad_auth_format"] == 14
    two = encode(MSG, fmt="classic", auth=SHA1).replace(b"<<<\n", b"auth=1 00\n<<<\n")
    assert decode(two, keys=ALL, stats=stats) is None
    assert stats.dropped["bad_auth_format"] == 15


def test_key_rules_follow_authkeys() -> None:
    with pytest.raises(ValueError):
        AuthKey.of(1, "crc", "a key")
    with pytest.raises(ValueError):
        AuthKey.of(1, "sha1")
    with pytest.raises(ValueError):
        AuthKey.of(16, "crc")
    with pytest.raises(ValueError):
        AuthKey.of(1, "sha256", "k")
    assert "hbv1-sha1-secret" not in repr(SHA1)
    assert AuthKey.of(1, "sha1", b"k") == AuthKey.of(1, AuthMethod.SHA1, "k")


def test_long_keys_are_hashed_first_as_rfc2104_says() -> None:
    key = AuthKey.of(1, "sha1", "k" * 100)
    assert key.token(b"data") == hmac.new(b"k" * 100, b"data", hashlib.sha1).hexdigest()


def test_authkeys_collection() -> None:
    keys = AuthKeys.from_mapping({1: ("sha1", "s"), 3: ("crc", None)}, active=3)
    assert keys.active.method is AuthMethod.CRC
    assert sorted(keys) == [1, 3]
    assert len(keys) == 2
    with pytest.raises(ValueError):
        AuthKeys([SHA1], active=2)
    with pytest.raises(LookupError):
        _ = AuthKeys([SHA1]).active
    assert AuthKey(1, AuthMethod.SHA1, b"k", line=7) == AuthKey.of(1, "sha1", "k")  # line aside


def test_keyed_only_drops_crc() -> None:
    spare = AuthKeys([SHA1, MD5, CRC], active=1, source="ak", warnings=("w",))
    kept = spare.keyed_only()
    assert sorted(kept) == [1, 2]
    assert kept.active == SHA1
    assert (kept.source, kept.warnings) == ("ak", ("w",))
    stats = DecodeStats()
    assert decode(encode(MSG, fmt="classic", auth=CRC), keys=kept, stats=stats) is None
    assert stats.dropped["unknown_auth_index"] == 1
    with pytest.raises(LookupError):
        _ = AuthKeys([SHA1, CRC], active=3).keyed_only().active


def test_the_authkeys_parser_produces_this_model() -> None:
    from heartbeat_compat.config.authkeys import parse_authkeys

    keys = parse_authkeys(b"auth 2\n1 sha1 hbv1-sha1-secret\n2 md5 hbv1-md5-secret\n3 crc\n")
    assert keys.active == AuthKey.of(2, "md5", "hbv1-md5-secret")
    assert keys[1] == SHA1
    assert keys[3] == CRC
    assert [keys[i].line for i in (1, 2, 3)] == [2, 3, 4]
    data = encode(MSG, fmt="netstring", auth=keys.active)
    assert decode(data, keys=keys, stats=DecodeStats()) is not None
