"""Property tests: round trips, and hostile input that must only ever be dropped."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heartbeat_compat.wire import (
    AuthKey,
    AuthKeys,
    DecodeStats,
    DropReason,
    Message,
    decode,
    decode_strict,
    encode,
)
from heartbeat_compat.wire.classic import split_lines

from .strategies import messages, messages_with_compression, netstring_messages

SHA1 = AuthKey.of(1, "sha1", "s")
MD5 = AuthKey.of(2, "md5", "m")
CRC = AuthKey.of(3, "crc")
KEYS = AuthKeys([SHA1, MD5, CRC], active=1)
KEY_CHOICE = st.sampled_from([SHA1, MD5, CRC])
FORMATS = st.sampled_from(["classic", "netstring"])

QUICK = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PER_PACKET_HANG_GUARD_S = 5.0  # not a speed check: a hang would otherwise block the suite


class Hang(Exception):
    pass


@contextlib.contextmanager
def hang_guard() -> Iterator[None]:
    def fire(signum: int, frame: object) -> None:
        raise Hang("decode did not return")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, PER_PACKET_HANG_GUARD_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def must_drop_or_accept(data: bytes) -> Message | None:
    """decode() either returns a message or counts exactly one drop; it never raises."""
    stats = DecodeStats()
    with hang_guard():
        result = decode(data, keys=KEYS, stats=stats)
    assert stats.total == 1
    assert (result is None) == (stats.total_dropped == 1)
    assert stats.last_drop is not DropReason.INTERNAL
    return result


def unsigned(msg: Message) -> Message:
    return msg.copy().remove("auth")


@QUICK
@given(msg=messages, fmt=FORMATS, key=KEY_CHOICE)
def test_roundtrip(msg: Message, fmt: str, key: AuthKey) -> None:
    data = encode(msg, fmt=fmt, auth=key)  # type: ignore[arg-type]
    got = decode_strict(data, keys=KEYS)
    assert unsigned(got) == msg
    assert encode(got, fmt=fmt, auth=key) == data  # type: ignore[arg-type]


@settings(QUICK, max_examples=60)
@given(msg=messages_with_compression(), fmt=FORMATS, threshold=st.none() | st.integers(0, 400))
def test_roundtrip_with_compression(msg: Message, fmt: str, threshold: int | None) -> None:
    data = encode(msg, fmt=fmt, auth=SHA1, compress_threshold=threshold)  # type: ignore[arg-type]
    assert unsigned(decode_strict(data, keys=KEYS)) == msg


@QUICK
@given(msg=netstring_messages, key=KEY_CHOICE)
def test_netstring_roundtrip_of_raw_values(msg: Message, key: AuthKey) -> None:
    data = encode(msg, fmt="netstring", auth=key, inner_auth=False)
    got = decode_strict(data, keys=KEYS)
    assert got == msg
    assert encode(got, fmt="netstring", auth=key, inner_auth=False) == data


@settings(QUICK, max_examples=300)
@given(
    data=st.binary(max_size=300)
    | st.builds(lambda p, b: p + b, st.sampled_from([b"###\n", b">>>\n"]), st.binary(max_size=300))
)
def test_arbitrary_bytes_are_only_ever_dropped(data: bytes) -> None:
    must_drop_or_accept(data)


def resign(packet: bytes, key: AuthKey = SHA1) -> bytes:
    """Give a (mutated) packet a valid signature again, so the parser proper is exercised."""
    if packet.startswith(b"###\n"):
        end = packet.rfind(b"%%%\n")
        if end < 0:
            return packet
        body = packet[: end + 4]
        auth = key.auth_string(body).encode()
        return body + b"%d:%b," % (len(auth), auth)
    try:
        lines = split_lines(packet, allow_trailing_nul=False)
    except Exception:
        return packet
    kept = [line for line in lines if not line.startswith(b"auth=")]
    text = b"".join(line + b"\n" for line in kept)
    return b">>>\n" + text + b"auth=" + key.auth_string(text).encode() + b"\n<<<\n"


MUTATIONS = st.sampled_from(["flip", "truncate", "insert", "delete", "length", "dup", "deep"])


@st.composite
def mutated_packets(draw: st.DrawFn) -> bytes:
    msg = draw(messages)
    fmt = draw(FORMATS)
    data = bytearray(encode(msg, fmt=fmt, auth=SHA1))  # type: ignore[arg-type]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(MUTATIONS)
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[i:]
        elif kind == "insert":
            data[i:i] = draw(st.sampled_from([b"\n", b",", b":", b"=", b"%%%\n", b"###\n", b"\0"]))
        elif kind == "delete":
            del data[i : i + draw(st.integers(1, 8))]
        elif kind == "length":
            # lie in a length prefix: replace the digits before the next ':'
            colon = data.find(b":", i)
            start = colon
            while start > 0 and data[start - 1 : start].isdigit():
                start -= 1
            if colon > 0 and start < colon:
                lie = draw(st.sampled_from([b"0", b"1", b"99999", b"4294967296", b"9" * 30]))
                data[start:colon] = lie
        elif kind == "dup":
            data[i:i] = data[i : i + draw(st.integers(1, 40))]
        elif kind == "deep":
            nest = b"###\n" * draw(st.integers(1, 200))
            data[i:i] = nest
    packet = bytes(data)
    return resign(packet) if draw(st.booleans()) else packet


@settings(QUICK, max_examples=400)
@given(packet=mutated_packets())
def test_mutated_packets_never_crash_or_hang(packet: bytes) -> None:
    must_drop_or_accept(packet)


@settings(QUICK, max_examples=50)
@given(levels=st.integers(17, 2000), fmt=FORMATS)
def test_pathological_nesting_is_dropped(levels: int, fmt: str) -> None:
    if fmt == "netstring":
        inner = b"###\n%%%\n"
        for _ in range(levels):
            field = b"(2)s=" + inner
            inner = b"###\n%d:%b,%%%%%%\n" % (len(field), field)
        packet = resign(inner)
    else:
        packet = resign(b">>>\n" + b"(2)s=>>>\x14" * levels + b"\n<<<\n")
    assert must_drop_or_accept(packet) is None
