from heartbeat_compat.membership.history import MAX_REXMIT_BATCH, SendHistory


def test_rexmit_and_rate_limit() -> None:
    h = SendHistory(size=5)
    for seq in range(1, 9):
        h.add(seq, [("t", "x"), ("seq", f"{seq:x}")])
    resend, naks = h.rexmit(2, 5, now=10.0, min_interval=0.24)
    assert [m[1][1] for m in resend] == ["4", "5"]
    assert naks == [(2, "seqno too low"), (3, "seqno too low")]
    again, _ = h.rexmit(4, 4, now=10.1, min_interval=0.24)
    assert again == []
    later, _ = h.rexmit(4, 4, now=10.5, min_interval=0.24)
    assert len(later) == 1
    _, naks = h.rexmit(20, 20, now=11.0, min_interval=0.24)
    assert naks == [(20, "seqno not found")]


def test_batch_is_bounded() -> None:
    h = SendHistory()
    for seq in range(1, 200):
        h.add(seq, [("seq", str(seq))])
    resend, _ = h.rexmit(1, 199, now=1.0, min_interval=0.1)
    assert len(resend) == MAX_REXMIT_BATCH
