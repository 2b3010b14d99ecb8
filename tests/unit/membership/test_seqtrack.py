from heartbeat_compat.membership.seqtrack import FLOWCONTROL_LIMIT, SeqTracker, Verdict


def test_in_order_then_duplicate() -> None:
    t = SeqTracker()
    assert t.check(1, 5).verdict is Verdict.ACCEPT
    assert t.check(2, 5).verdict is Verdict.ACCEPT
    assert t.check(2, 5).verdict is Verdict.DUPLICATE


def test_gap_and_fill() -> None:
    t = SeqTracker()
    t.check(93, 5)
    res = t.check(95, 5)
    assert res.verdict is Verdict.GAP
    assert (res.gap_from, res.gap_count) == (93, 1)
    assert t.missing == {94}
    res = t.check(94, 5)
    assert res.verdict is Verdict.FILLED and res.missing_now_empty
    assert t.check(94, 5).verdict is Verdict.OLD


def test_generation_replay_and_restart() -> None:
    t = SeqTracker()
    t.check(10, 7)
    assert t.check(11, 6).verdict is Verdict.REPLAY
    res = t.check(1, 8)
    assert res.restarted and res.verdict is Verdict.ACCEPT
    assert t.generation == 8 and t.last_seq == 1


def test_huge_gap_resets() -> None:
    t = SeqTracker()
    t.check(1, 1)
    res = t.check(FLOWCONTROL_LIMIT + 10, 1)
    assert res.verdict is Verdict.RESET
    assert not t.missing
