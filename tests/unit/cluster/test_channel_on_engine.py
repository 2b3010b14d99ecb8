"""CRM messages through heartbeat's engine: a lost datagram is retransmitted by heartbeat and
the channel still delivers everything in order."""

from __future__ import annotations

from heartbeat_compat.membership.fields import Fields, get_str
from pycrm.cluster.channel import MSG_TYPE, Channel
from tests.unit.membership.sim import Sim


def test_lost_crm_datagram_is_retransmitted_and_order_kept() -> None:
    sim = Sim(app_types=frozenset({MSG_TYPE}))
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    dropped: list[Fields] = []

    def drop(sender: str, msg: Fields) -> bool:
        if sender == "alpha" and get_str(msg, "t") == MSG_TYPE and not dropped:
            dropped.append(msg)
            return True
        return False

    sim.drop = drop
    sender = Channel("alpha", gap_timeout=2.0, max_fragment=500)
    receiver = Channel("beta", gap_timeout=2.0)
    blob = "x" * 3000 + "".join(str(i) for i in range(2000))
    for n in range(5):
        for body in sender.send("m", {"n": n, "blob": blob}):
            sim.engines["alpha"].send_app(body)
    got: list[int] = []

    def pump() -> bool:
        beta = sim.engines["beta"]
        inbox, beta.app_inbox = beta.app_inbox, []
        for src, gen, fields in inbox:
            assert src == "alpha" and gen > 0
            delivered, broken = receiver.receive(src, gen, fields, sim.now)
            assert broken == []
            got.extend(d.payload["n"] for d in delivered)
        return len(got) == 5

    sim.run_until(pump, limit=5)
    assert dropped, "the test dropped nothing"
    assert got == [0, 1, 2, 3, 4]
    assert sim.engines["beta"].counters.get("gaps", 0) >= 1
