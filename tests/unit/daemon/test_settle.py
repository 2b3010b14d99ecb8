"""The membership gate: a cut-off node sees its peers die one by one; the controller must
see them go together, while a lone crash is handed on at once."""

from __future__ import annotations

from pycrm.daemon.settle import MembershipGate
from tests.unit.membership.sim import FAST, Sim

NAMES = ("alpha", "beta", "gamma")


def _watch(sim: Sim, gate: MembershipGate, seconds: float) -> list[tuple[str, ...]]:
    """Run the simulation, offering alpha's view to the gate at every step."""
    engine = sim.engines["alpha"]
    handed: list[tuple[str, ...]] = []
    end = sim.now + seconds
    while sim.now < end:
        sim.run(0.01, 0.01)
        silent = engine.silent_peers(sim.now, gate.quiet)
        settled = gate.offer(tuple(engine.members()), silent, sim.now)
        if settled is not None:
            handed.append(settled)
    return handed


def _formed(phase: float = 0.1) -> tuple[Sim, MembershipGate]:
    """Three engines up; gamma's heartbeats come ``phase`` seconds after beta's."""
    sim = Sim(NAMES)
    sim.run(phase)
    sim.kill("gamma")
    sim.boot("gamma")
    sim.run_until(lambda: all(sim.status("alpha", n) == "active" for n in NAMES[1:]), limit=5)
    sim.run(1.0)
    gate = MembershipGate(FAST.keepalive_ms / 1000, FAST.deadtime_ms / 1000)
    assert _watch(sim, gate, 0.1) == [NAMES]
    return sim, gate


def test_a_node_cut_off_from_both_peers_loses_them_together() -> None:
    for phase in (0.05, 0.1, 0.15):
        sim, gate = _formed(phase)
        sim.drop = lambda sender, msg: sender != "alpha"  # alpha hears nobody any more
        handed = _watch(sim, gate, 3 * FAST.deadtime_ms / 1000)
        assert handed == [("alpha",)], (phase, handed)


def test_a_lone_crash_is_handed_on_without_waiting() -> None:
    sim, gate = _formed()
    sim.kill("beta")
    handed = _watch(sim, gate, 3 * FAST.deadtime_ms / 1000)
    assert handed == [("alpha", "gamma")]
    assert gate.log == []


def test_the_wait_is_bounded_by_one_dead_time() -> None:
    gate = MembershipGate(0.1, 0.4)
    assert gate.offer(NAMES, [], 0.0) == NAMES
    assert gate.offer(("alpha", "gamma"), ["gamma"], 1.0) is None
    wakeup = gate.next_wakeup()
    assert wakeup is not None and wakeup <= 1.05
    assert "beta lost; waiting up to 0.4 s for gamma" in gate.log[0]
    assert gate.offer(("alpha", "gamma"), ["gamma"], 1.2) is None
    assert gate.offer(("alpha", "gamma"), ["gamma"], 1.4) == ("alpha", "gamma")
    assert gate.next_wakeup() is None


def test_a_silent_peer_that_is_heard_again_releases_the_change() -> None:
    gate = MembershipGate(0.1, 0.4)
    gate.offer(NAMES, [], 0.0)
    assert gate.offer(("alpha", "gamma"), ["gamma"], 1.0) is None
    assert gate.offer(("alpha", "gamma"), [], 1.05) == ("alpha", "gamma")
    assert gate.offer(NAMES, [], 2.0) == NAMES  # a node coming back never waits
