"""MembershipEngine driven over a simulated network with a fake clock."""

from __future__ import annotations

from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.fields import get_str
from heartbeat_compat.membership.timing import Timing
from tests.unit.membership.sim import FAST, Sim


def test_two_nodes_become_active_and_log_like_heartbeat() -> None:
    sim = Sim()
    sim.run_until(
        lambda: sim.status("alpha", "beta") == "active" and sim.status("beta", "alpha") == "active",
        limit=5,
    )
    texts = sim.texts("alpha")
    assert "Local status now set to: 'up'" in texts
    assert "Link beta:hb0 up." in texts
    assert "Link alpha:hb0 up." in texts
    assert "Status update for node beta: status up" in texts
    assert "Comm_now_up(): updating status to active" in texts
    assert "Local status now set to: 'active'" in texts
    assert "Status update for node beta: status active" in texts
    assert sim.engines["alpha"].comm_up


def test_status_messages_carry_heartbeat_fields_in_order() -> None:
    sim = Sim()
    engine = sim.engines["alpha"]
    first = engine.history.get(1)
    assert first is not None
    assert [k for k, _ in first] == [
        "t", "st", "dt", "protocol", "src", "srcuuid", "seq", "hg", "ts", "ld", "ttl",
    ]  # fmt: skip
    assert get_str(first, "st") == "init"
    assert get_str(first, "dt") == "7d0"  # 2000 ms in hex
    second = engine.history.get(2)
    assert second is not None and get_str(second, "st") == "up"


def test_dead_after_deadtime_within_one_keepalive() -> None:
    sim = Sim()
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    sim.run(1.0)
    sim.kill("beta")
    took = sim.run_until(lambda: sim.status("alpha", "beta") == "dead", limit=10)
    deadtime = FAST.deadtime_ms / 1000
    keepalive = FAST.keepalive_ms / 1000
    assert deadtime - keepalive <= took <= deadtime + keepalive
    texts = sim.texts("alpha")
    assert "node beta: is dead" in texts
    assert "Link beta:hb0 dead." in texts


def test_peer_dt_overrides_local_deadtime() -> None:
    long_peer = Timing(keepalive_ms=200, deadtime_ms=5000, initdead_ms=6000)
    sim = Sim()
    sim.kill("beta")
    sim.timing = long_peer
    sim.boot("beta")
    sim.timing = FAST
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=8)
    node = sim.engines["alpha"].nodes.get("beta")
    assert node is not None and node.dead_ms == 5000
    sim.kill("beta")
    took = sim.run_until(lambda: sim.status("alpha", "beta") == "dead", limit=10)
    assert 4.8 <= took <= 5.2


def test_restart_rejoins_with_new_generation() -> None:
    sim = Sim()
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    sim.kill("beta")
    sim.run_until(lambda: sim.status("alpha", "beta") == "dead", limit=10)
    sim.boot("beta")
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    texts = sim.texts("alpha")
    assert "Heartbeat restart on node beta" in texts
    assert texts.count("Link beta:hb0 up.") == 2
    assert not any("returning after partition" in t for t in texts)
    assert not any("Late heartbeat" in t for t in texts)


def test_lost_packets_are_requested_and_filled() -> None:
    sim = Sim()
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    state = {"dropped": 0}

    def drop(sender: str, msg: list[tuple[str, str | bytes]]) -> bool:
        # Drop two fresh beta status messages once each; retransmissions pass.
        if sender == "beta" and get_str(msg, "t") == "status" and state["dropped"] < 2:
            seq = get_str(msg, "seq")
            if seq is not None and seq not in state:
                state[seq] = 1
                state["dropped"] += 1
                return True
        return False

    sim.drop = drop
    sim.run(3.0)
    texts = sim.texts("alpha")
    assert any("lost packet(s) for [beta]" in t for t in texts)
    assert "No pkts missing from beta!" in texts
    assert sim.engines["alpha"].counters.get("filled", 0) >= 1
    assert sim.engines["beta"].counters.get("rexmit_sent", 0) >= 1
    assert sim.status("alpha", "beta") == "active"


def test_unknown_node_and_replay_are_dropped() -> None:
    sim = Sim()
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    alpha = sim.engines["alpha"]
    alpha.receive(sim.now, [("t", "status"), ("st", "up"), ("src", "mallory"), ("seq", "1"),
                            ("hg", "5"), ("ts", "1")], "hb0")  # fmt: skip
    beta = alpha.nodes.get("beta")
    assert beta is not None
    old_gen = beta.seq.generation - 1
    alpha.receive(sim.now, [("t", "status"), ("st", "dead"), ("src", "beta"), ("seq", "99"),
                            ("hg", f"{old_gen:x}"), ("ts", "1")], "hb0")  # fmt: skip
    texts = [e.text for e in alpha.events]
    assert "process_status_message: bad node [mallory] in message" in texts
    assert any("attempted replay attack [beta]" in t for t in texts)
    assert beta.status == "active"


def test_malformed_fields_never_raise() -> None:
    cfg = EngineConfig(
        me="a", nodes=("a", "b"), links=("hb0",), timing=FAST, uuid=b"\1" * 16, generation=1
    )
    engine = MembershipEngine(cfg)
    engine.start(0.0)
    bad: list[list[tuple[str, str | bytes]]] = [
        [],
        [("t", "status")],
        [("t", "status"), ("src", "b"), ("ts", "zz")],
        [("t", "status"), ("src", "b"), ("ts", "1"), ("seq", "-1")],
        [("t", "NS_rexmit"), ("src", "b"), ("ts", "1"), ("firstseq", "x"), ("lastseq", "1")],
        [("t", "status"), ("src", "b"), ("ts", "1"), ("seq", "1"), ("st", "x" * 100)],
        [("t", "status"), ("src", b"b"), ("ts", b"1")],
    ]
    for fields in bad:
        engine.receive(1.0, fields, "hb0")
    assert engine.counters["dropped_malformed"] >= 4


def test_reqnodes_is_answered_with_configured_nodes() -> None:
    sim = Sim()
    sim.run_until(lambda: sim.engines["beta"].comm_up, limit=5)
    repnodes = [
        m for _, m in sorted(sim.engines["beta"].history._msgs.items())
        if get_str(m, "t") == "repnodes"
    ] + [
        m for _, m in sorted(sim.engines["alpha"].history._msgs.items())
        if get_str(m, "t") == "repnodes"
    ]  # fmt: skip
    assert repnodes
    msg = repnodes[0]
    assert [k for k, _ in msg][:4] == ["dest", "t", "nodelist", "delnodelist"]
    assert get_str(msg, "nodelist") == "alpha beta "
    assert get_str(msg, "delnodelist") == " "


def test_peer_without_protocol_disables_flow_control() -> None:
    sim = Sim()
    alpha = sim.engines["alpha"]
    alpha.receive(sim.now, [("t", "status"), ("st", "up"), ("src", "beta"), ("seq", "1"),
                            ("hg", "ff"), ("ts", "1")], "hb0")  # fmt: skip
    assert not alpha.flow_control
    assert "flow control disabled due to different version heartbeat" in [
        e.text for e in alpha.events
    ]


def test_misconfigurations_are_reported_once() -> None:
    sim = Sim()
    alpha = sim.engines["alpha"]
    for seq in (1, 2, 3):
        alpha.receive(sim.now, [("t", "status"), ("st", "up"), ("src", "alpha"),
                                ("srcuuid", b"\x09" * 16), ("seq", str(seq)), ("hg", "5"),
                                ("ts", "1")], "hb0")  # fmt: skip
        alpha.receive(sim.now, [("t", "status"), ("st", "up"), ("src", "zed"), ("seq", str(seq)),
                                ("hg", "5"), ("ts", "1")], "hb0")  # fmt: skip
    kinds = [e.kind for e in alpha.events]
    assert kinds.count("duplicate-name") == 1
    assert kinds.count("bad-node") == 1
    assert alpha.counters["dropped_duplicate_name"] == 3


def test_return_after_partition_is_critical() -> None:
    sim = Sim()
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    # Cut the link both ways without restarting beta: a partition.
    sim.drop = lambda sender, msg: True
    sim.run_until(lambda: sim.status("alpha", "beta") == "dead", limit=5)
    sim.drop = lambda sender, msg: False
    sim.run_until(lambda: sim.status("alpha", "beta") == "active", limit=5)
    texts = sim.texts("alpha")
    assert "Cluster node beta returning after partition." in texts
    assert "Heartbeat restart on node beta" not in texts
