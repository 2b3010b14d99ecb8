"""Hearing one's own datagram back gives exactly what decoding it would."""

from __future__ import annotations

from heartbeat_compat.membership.codec import OWN_SENDS_REMEMBERED, WireCodec
from heartbeat_compat.membership.fields import Fields
from heartbeat_compat.membership.outgoing import MessageFactory
from heartbeat_compat.wire import AuthKeys

KEYS = AuthKeys.from_mapping({1: ("sha1", "own-test")}, active=1)


def messages(n: int) -> list[Fields]:
    factory = MessageFactory(
        "alpha", b"a" * 16, 7, 3, wallclock=lambda: 1.0e9, loadavg=lambda: "0.1"
    )
    out = []
    for i in range(n):
        body: Fields = [("t", "status"), ("st", "active"), ("dt", "7d0"), ("protocol", "1")]
        if i % 2:
            body = [("t", "crm"), ("blob", b"\x00\x01binary"), ("dest", "beta")]
        fields, _ = factory.finish(body, destuuid=b"b" * 16)
        out.append(fields)
    return out


def test_own_datagram_decodes_as_a_fresh_codec_would() -> None:
    for fmt in ("classic", "netstring"):
        sender = WireCodec(KEYS, fmt=fmt)  # type: ignore[arg-type]
        for fields in messages(6):
            data = sender.encode(fields)
            assert sender.decode(data) == WireCodec(KEYS, fmt=fmt).decode(data)  # type: ignore[arg-type]


def test_a_tampered_copy_is_still_authenticated() -> None:
    codec = WireCodec(KEYS)
    data = codec.encode(messages(1)[0])
    assert codec.decode(data.replace(b"active", b"activf")) is None
    assert codec.is_auth_failure(codec.last_drop)


def test_only_the_last_sends_are_remembered_and_the_rest_still_decode() -> None:
    codec = WireCodec(KEYS)
    sent = [codec.encode(f) for f in messages(OWN_SENDS_REMEMBERED + 5)]
    assert len(codec._own) == OWN_SENDS_REMEMBERED
    before = codec.stats.accepted
    assert all(codec.decode(d) is not None for d in sent)
    assert codec.stats.accepted == before + len(sent)


def test_callers_cannot_alter_the_remembered_fields() -> None:
    codec = WireCodec(KEYS)
    data = codec.encode(messages(1)[0])
    first = codec.decode(data)
    assert first is not None
    first.clear()
    assert codec.decode(data)
