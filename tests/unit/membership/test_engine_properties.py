"""Property test: no authenticated message, however odd, makes the engine raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.fields import Fields
from tests.unit.membership.sim import FAST

NAMES = ["t", "st", "src", "srcuuid", "seq", "hg", "ts", "dt", "protocol", "dest", "destuuid",
         "ackseq", "firstseq", "lastseq", "nodelist", "info", "ld", "ttl", "x"]  # fmt: skip
TYPES = ["status", "NS_ackmsg", "NS_rexmit", "NS_nak_rexmit", "reqnodes", "repnodes",
         "shutdone", "starting", "NS_st", "resource", "weird"]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(["a", "b", "c", "0", "1", "ff", "-1", "7fffffffffffffff", "", " ", "zz"]),
    st.text(max_size=12),
)
VALUE = st.one_of(TEXT, st.binary(max_size=20), st.sampled_from([b"\x01" * 16, b"\x02" * 16]))
FIELD = st.one_of(
    st.tuples(st.sampled_from(NAMES), VALUE),
    st.tuples(st.just("t"), st.sampled_from(TYPES)),
    st.tuples(st.just("src"), st.sampled_from(["a", "b", "c", "10.0.0.9"])),
)


@st.composite
def plausible(draw: st.DrawFn) -> Fields:
    """A header that passes the basic checks, then arbitrary fields."""
    head: Fields = [
        ("t", draw(st.sampled_from(TYPES))),
        ("src", draw(st.sampled_from(["b", "c", "a"]))),
        ("seq", f"{draw(st.integers(1, 600)):x}"),
        ("hg", f"{draw(st.integers(1, 8)):x}"),
        ("ts", "1"),
        ("dest", draw(st.sampled_from(["a", "b"]))),
    ]
    return head + draw(st.lists(FIELD, max_size=6))


MESSAGE = st.one_of(st.lists(FIELD, max_size=12), plausible())


@settings(max_examples=150, deadline=None)
@given(st.lists(MESSAGE, max_size=12), st.lists(st.floats(0, 30), max_size=12))
def test_engine_never_raises(messages: list[Fields], times: list[float]) -> None:
    cfg = EngineConfig(
        me="a",
        nodes=("a", "b", "c"),
        links=("hb0",),
        timing=FAST,
        uuid=b"\x01" * 16,
        generation=5,
        ping_nodes=("10.0.0.9",),
    )
    engine = MembershipEngine(cfg)
    engine.start(0.0)
    now = 0.0
    for i, msg in enumerate(messages):
        now += times[i] if i < len(times) else 0.1
        engine.receive(now, msg, "hb0")
        engine.receive(now, msg, "10.0.0.9")
        engine.tick(now)
        assert engine.next_wakeup(now) >= now
    engine.snapshot()
