"""The CRM channel: order, fragmentation, loss handling, hostile input."""

from __future__ import annotations

import random
import zlib

import pytest

from heartbeat_compat.membership.fields import Fields
from pycrm.cluster.channel import Channel, ChannelError, StreamBroken


def _pair(**kw: float) -> tuple[Channel, Channel]:
    return Channel("a", gap_timeout=2.0, **kw), Channel("b", gap_timeout=2.0, **kw)  # type: ignore[arg-type]


def test_in_order_delivery_and_dest_filter() -> None:
    a, b = _pair()
    msgs = a.send("hello", {"n": 1}) + a.send("exec", {"n": 2}, dest="c") + a.send("x", {"n": 3})
    got = []
    for m in msgs:
        delivered, broken = b.receive("a", 7, m, 0.0)
        assert broken == []
        got.extend(delivered)
    assert [(d.kind, d.payload["n"]) for d in got] == [("hello", 1), ("x", 3)]


def test_reordering_is_undone() -> None:
    a, b = _pair()
    msgs = [a.send("m", {"n": i})[0] for i in range(20)]
    first, rest = msgs[0], msgs[1:]
    random.Random(3).shuffle(rest)
    out = b.receive("a", 1, first, 0.0)[0]
    for m in rest:
        out.extend(b.receive("a", 1, m, 0.1)[0])
    assert [d.payload["n"] for d in out] == list(range(20))


def test_large_message_is_fragmented_and_joined() -> None:
    a = Channel("a", gap_timeout=2.0, max_fragment=1000)
    b = Channel("b", gap_timeout=2.0, max_fragment=1000)
    blob = random.Random(1).randbytes(20000).hex()  # incompressible-ish
    parts = a.send("cib", {"xml": blob})
    assert len(parts) > 10
    out = []
    for part in reversed(parts[1:]):
        out.extend(b.receive("a", 1, part, 0.0)[0])
    assert out == []
    # the first fragment arrives last: everything is delivered at once, in one piece
    b2 = Channel("b", gap_timeout=2.0, max_fragment=1000)
    out = []
    for part in parts:
        out.extend(b2.receive("a", 1, part, 0.0)[0])
    assert len(out) == 1 and out[0].payload["xml"] == blob


def test_gap_times_out_and_breaks_the_stream() -> None:
    a, b = _pair()
    msgs = [a.send("m", {"n": i})[0] for i in range(5)]
    b.receive("a", 1, msgs[0], 0.0)
    b.receive("a", 1, msgs[2], 0.1)  # msgs[1] lost
    b.receive("a", 1, msgs[3], 0.2)
    assert b.next_wakeup() == pytest.approx(2.1)
    assert b.tick(1.0) == ([], [])
    delivered, broken = b.tick(2.2)
    assert [d.payload["n"] for d in delivered] == [2, 3]
    assert broken and broken[0].src == "a"
    assert b.next_wakeup() is None
    assert [d.payload["n"] for d in b.receive("a", 1, msgs[4], 2.3)[0]] == [4]
    # the late message 1 is now old: dropped
    assert b.receive("a", 1, msgs[1], 2.4) == ([], [])


def test_restarted_sender_starts_a_new_stream() -> None:
    a, b = _pair()
    b.receive("a", 1, a.send("m", {"n": 0})[0], 0.0)
    a2 = Channel("a", gap_timeout=2.0)  # a new process: cseq from 1 again
    delivered, broken = b.receive("a", 2, a2.send("m", {"n": 1})[0], 0.1)
    assert [d.payload["n"] for d in delivered] == [1]
    assert broken == [StreamBroken("a", "sender restarted")]
    # a packet of the old generation is ignored
    assert b.receive("a", 1, a.send("m", {"n": 9})[0], 0.2) == ([], [])


def test_duplicates_are_dropped() -> None:
    a, b = _pair()
    m = a.send("m", {"n": 0})[0]
    assert len(b.receive("a", 1, m, 0.0)[0]) == 1
    assert b.receive("a", 1, m, 0.0) == ([], [])


@pytest.mark.parametrize(
    "fields",
    [
        [("t", "crm")],
        [("t", "crm"), ("ck", "m"), ("cs", "zz"), ("cp", b"x")],
        [("t", "crm"), ("ck", "m"), ("cs", "1"), ("cp", "not-bytes")],
        [("t", "crm"), ("ck", "m"), ("cs", "1"), ("cf", "5/2"), ("cp", b"x")],
        [("t", "crm"), ("ck", "m"), ("cs", "1"), ("cf", "a/b"), ("cp", b"x")],
    ],
)
def test_malformed_messages_raise(fields: Fields) -> None:
    with pytest.raises(ChannelError):
        Channel("b", gap_timeout=1.0).receive("a", 1, fields, 0.0)


@pytest.mark.parametrize(
    "payload",
    [
        b"not zlib",
        zlib.compress(b"[1, 2]"),
        zlib.compress(b"{bad json"),
        zlib.compress(b" " * (17 * 1024 * 1024)),
    ],
)
def test_bad_payloads_are_dropped_and_counted(payload: bytes) -> None:
    b = Channel("b", gap_timeout=1.0)
    fields: Fields = [("t", "crm"), ("ck", "m"), ("cs", "1"), ("cp", payload)]
    assert b.receive("a", 1, fields, 0.0) == ([], [])
    assert b.counters["dropped_payload"] == 1


def test_mid_stream_start_waits_for_retransmissions_then_starts_lowest() -> None:
    a, b = _pair()
    msgs = [a.send("m", {"n": i})[0] for i in range(6)]
    assert b.receive("a", 1, msgs[4], 0.0) == ([], [])  # cseq 5: is 4 still coming?
    assert b.receive("a", 1, msgs[3], 0.1) == ([], [])
    assert b.next_wakeup() == pytest.approx(0.5)
    delivered, broken = b.tick(0.5)
    assert [d.payload["n"] for d in delivered] == [3, 4] and broken == []
    assert [d.payload["n"] for d in b.receive("a", 1, msgs[5], 0.6)[0]] == [5]


def test_mid_stream_message_after_the_window_starts_at_once() -> None:
    a, b = _pair()
    msgs = [a.send("m", {"n": i})[0] for i in range(3)]
    b.receive("a", 1, msgs[1], 0.0)
    assert [d.payload["n"] for d in b.tick(0.6)[0]] == [1]
    assert [d.payload["n"] for d in b.receive("a", 1, msgs[2], 0.7)[0]] == [2]
