"""A captured packet from an older generation of a peer stays a replay across our restart.

The engine and the state file together, with packets as bytes through the real codec:
beta runs at generation G (we capture one of its packets), restarts at G+1, stops; then
our node restarts and the G packet is replayed.
"""

from __future__ import annotations

from pathlib import Path

from heartbeat_compat.membership.codec import WireCodec
from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.fields import Fields
from heartbeat_compat.membership.outgoing import MessageFactory
from heartbeat_compat.membership.persist import NodeState, load_state, save_state, start
from heartbeat_compat.wire import AuthKeys
from tests.unit.membership.sim import FAST

CODEC = WireCodec(AuthKeys.from_mapping({1: ("sha1", "replay-test")}, active=1))
BETA_UUID = b"b" * 16
G = 1_800_000_000


def beta_status(generation: int, seq_from: int = 0) -> bytes:
    factory = MessageFactory("beta", BETA_UUID, generation, 3, wallclock=lambda: 1.0e9)
    factory.seq = seq_from
    fields, _ = factory.finish(
        [("t", "status"), ("st", "active"), ("dt", "7d0"), ("protocol", "1")]
    )
    return CODEC.encode(fields)


def boot(state: NodeState) -> MembershipEngine:
    cfg = EngineConfig(
        me="alpha",
        nodes=("alpha", "beta"),
        links=("hb0",),
        timing=FAST,
        uuid=state.uuid,
        generation=state.generation,
        peer_generations=state.peers,
    )
    engine = MembershipEngine(cfg)
    engine.start(0.0)
    return engine


def deliver(engine: MembershipEngine, packet: bytes, now: float) -> None:
    fields: Fields | None = CODEC.decode(packet)
    assert fields is not None
    engine.receive(now, fields, "hb0")


def save_if_changed(engine: MembershipEngine, state_dir: Path, state: NodeState) -> NodeState:
    """What the daemon shell does after every cycle."""
    if engine.peers_changed:
        state = state.with_peers(engine.peer_generations())
        save_state(state_dir, state)
        engine.peers_changed = False
    return state


def beta(engine: MembershipEngine) -> str:
    node = engine.nodes.get("beta")
    assert node is not None
    return node.status


def test_replay_of_an_older_generation_after_our_restart(tmp_path: Path) -> None:
    state = start(tmp_path).state
    engine = boot(state)
    captured = beta_status(G)
    deliver(engine, captured, 0.1)
    assert beta(engine) == "active"
    state = save_if_changed(engine, tmp_path, state)
    assert dict(load_state(tmp_path).peers) == {"beta": G}  # type: ignore[union-attr]

    for seq in range(1, 30):  # more beta traffic, same generation: nothing to write
        deliver(engine, beta_status(G, seq), 0.1 + seq * 0.2)
        assert not engine.peers_changed

    deliver(engine, beta_status(G + 1), 7.0)  # beta restarted
    assert "Heartbeat restart on node beta" in [e.text for e in engine.events]
    state = save_if_changed(engine, tmp_path, state)
    assert dict(load_state(tmp_path).peers) == {"beta": G + 1}  # type: ignore[union-attr]

    # beta stops; we restart (new generation, the peers' generations loaded back)
    begun = start(tmp_path)
    assert begun.state.generation == state.generation + 1
    engine = boot(begun.state)
    engine.tick(FAST.init_ms / 1000 + 0.1)
    assert beta(engine) == "dead"
    engine.events.clear()
    deliver(engine, captured, 5.0)
    engine.tick(5.0)
    assert beta(engine) == "dead"
    assert engine.counters["dropped_replay"] == 1
    assert [e.text for e in engine.events] == [
        f"should_drop_message: attempted replay attack [beta]? [gen = {G}, curgen = {G + 1}]"
    ]
    assert not engine.peers_changed


def test_without_the_saved_generations_the_replay_would_pass(tmp_path: Path) -> None:
    """The defect this guards against: a restarted tracker starts at generation 0."""
    engine = boot(NodeState(b"a" * 16, 5))
    engine.tick(FAST.init_ms / 1000 + 0.1)
    assert beta(engine) == "dead"
    deliver(engine, beta_status(G), 5.0)
    assert beta(engine) == "active"


def test_a_newer_generation_after_our_restart_is_a_restart_not_a_replay(tmp_path: Path) -> None:
    engine = boot(NodeState(b"a" * 16, 5, {"beta": G, "gone": 9}))  # "gone" left ha.cf
    deliver(engine, beta_status(G + 3), 0.5)
    assert beta(engine) == "active"
    assert engine.peers_changed
    assert engine.peer_generations() == {"beta": G + 3}
    assert "dropped_replay" not in engine.counters
