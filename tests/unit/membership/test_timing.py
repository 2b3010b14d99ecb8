import pytest

from heartbeat_compat.membership.timing import Timing, TimingError


def test_defaults_follow_heartbeat() -> None:
    t = Timing()
    assert (t.keepalive_ms, t.deadtime_ms, t.warn_ms, t.init_ms) == (1000, 30000, 15000, 30000)
    assert Timing(deadtime_ms=2000, keepalive_ms=200).init_ms == 12000
    assert Timing(deadtime_ms=8000).init_ms == 16000


def test_deadtime_must_exceed_twice_keepalive() -> None:
    with pytest.raises(TimingError, match="too small compared to keeplive"):
        Timing(keepalive_ms=1000, deadtime_ms=2000).validate()
    assert Timing(keepalive_ms=200, deadtime_ms=2000, initdead_ms=4000).validate() == [
        "Initial dead time [4000 ms] may be too small!"
    ]


def test_initdead_below_deadtime_is_fatal() -> None:
    with pytest.raises(TimingError):
        Timing(keepalive_ms=200, deadtime_ms=2000, initdead_ms=1000).validate()
