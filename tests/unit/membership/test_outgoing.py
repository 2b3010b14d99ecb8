from __future__ import annotations

from heartbeat_compat.membership.outgoing import MessageFactory


def test_loadavg_is_read_at_most_once_a_second() -> None:
    clock = [100.0]
    reads: list[float] = []

    def loadavg() -> str:
        reads.append(clock[0])
        return f"{len(reads)}"

    factory = MessageFactory("a", b"u" * 16, 1, 3, wallclock=lambda: clock[0], loadavg=loadavg)
    lds = []
    for step in range(25):  # 2.5 s of heartbeats every 100 ms
        clock[0] = 100.0 + step / 10
        fields, _ = factory.finish([("t", "status")])
        lds.append(dict(fields)["ld"])
    assert reads == [100.0, 101.0, 102.0]
    assert lds[0] == "1" and lds[-1] == "3"
    clock[0] = 50.0  # the wall clock stepped back: read again rather than keep a stale value
    factory.finish([("t", "status")])
    assert len(reads) == 4


def test_load_period_zero_reads_for_every_message_as_heartbeat_does() -> None:
    calls: list[int] = []

    def loadavg() -> str:
        calls.append(1)
        return str(len(calls))

    factory = MessageFactory(
        "a", b"u" * 16, 1, 3, wallclock=lambda: 5.0, loadavg=loadavg, load_period=0
    )
    lds = [dict(factory.finish([("t", "status")])[0])["ld"] for _ in range(3)]
    assert lds == ["1", "2", "3"]
