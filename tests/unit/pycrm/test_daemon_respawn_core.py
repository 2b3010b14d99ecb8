"""heartbeat's respawn rules, on an injected clock."""

from __future__ import annotations

import logging

from pycrm.daemon.config_model import RespawnEntry
from pycrm.daemon.respawn_core import MAX_SHORT_RUNS, RespawnCore


def entry(command: str = "/usr/bin/prog", *, failfast: bool = False) -> RespawnEntry:
    return RespawnEntry("root", (command,), command, failfast, 1)


def started_core(*entries: RespawnEntry) -> RespawnCore:
    core = RespawnCore(entries or (entry(),))
    core.start(0.0)
    for i in core.due(0.0):
        core.started(i, 100 + i, 0.0)
    return core


def test_everything_starts_at_once() -> None:
    core = RespawnCore([entry("/a"), entry("/b")])
    assert core.next_wakeup() is None
    core.start(5.0)
    assert core.next_wakeup() == 5.0
    assert core.due(4.9) == []
    assert core.due(5.0) == [0, 1]
    assert core.due(5.0) == []  # reported once
    core.started(0, 10, 5.0)
    assert core.children[0].state == "running" and core.children[0].pid == 10


def test_exit_1_is_restarted_after_a_second_when_short() -> None:
    core = started_core()
    core.exited(0, 2.0, exit_code=1, signal=None)
    child = core.children[0]
    assert (child.state, child.short_runs, child.restarts) == ("waiting", 1, 1)
    assert core.next_wakeup() == 3.0
    assert core.due(2.5) == [] and core.due(3.0) == [0]
    levels = [level for level, _ in core.events]
    assert logging.ERROR in levels and logging.WARNING in levels


def test_a_long_run_restarts_at_once_and_resets_the_count() -> None:
    core = started_core()
    core.exited(0, 1.0, exit_code=0, signal=None)
    core.started(0, 200, 2.0)
    core.exited(0, 40.0, exit_code=0, signal=None)
    assert core.children[0].short_runs == 0
    assert core.next_wakeup() == 40.0


def test_killed_by_a_signal_is_restarted() -> None:
    core = started_core()
    core.exited(0, 50.0, exit_code=None, signal=9)
    assert core.children[0].state == "waiting"
    assert any("killed by signal 9" in text for _, text in core.events)


def test_exit_100_is_not_restarted() -> None:
    core = started_core()
    core.exited(0, 50.0, exit_code=100, signal=None)
    assert core.children[0].state == "stopped"
    assert core.next_wakeup() is None


def test_too_many_short_runs_give_up_for_good() -> None:
    core = started_core()
    now = 0.0
    for run in range(MAX_SHORT_RUNS):
        now += 2.0
        core.exited(0, now, exit_code=1, signal=None)
        assert core.children[0].state == "waiting", run
        (due,) = core.due(core.next_wakeup() or now)
        core.started(due, 300 + run, now)
    core.exited(0, now + 2.0, exit_code=1, signal=None)
    assert core.children[0].state == "given up"
    assert core.children[0].restarts == MAX_SHORT_RUNS
    assert core.next_wakeup() is None
    assert "respawning too fast" in core.events[-1][1]


def test_spawn_failure_is_not_retried() -> None:
    core = RespawnCore([entry()])
    core.start(0.0)
    core.due(0.0)
    core.spawn_failed(0, "Permission denied")
    assert core.children[0].state == "given up" and core.next_wakeup() is None


def test_failfast_reports_abnormal_deaths_only() -> None:
    core = started_core(entry("/ff", failfast=True), entry("/plain"))
    core.exited(0, 1.0, exit_code=0, signal=None)
    assert core.failfast == []
    core.due(2.0)
    core.started(0, 400, 2.0)
    core.exited(0, 3.0, exit_code=3, signal=None)
    assert core.failfast == [(0, 'failfast client "/ff" died (exit code 3)')]
    core.exited(1, 3.0, exit_code=3, signal=None)
    assert len(core.failfast) == 1  # a plain respawn child never asks for it


def test_stop_reverses_the_order_and_restarts_nothing() -> None:
    core = started_core(entry("/a"), entry("/b"), entry("/c"))
    core.exited(1, 50.0, exit_code=1, signal=None)  # /b waits for its restart
    assert core.stop() == [2, 0]
    assert core.children[1].state == "stopped"
    assert core.due(100.0) == [] and core.next_wakeup() is None
    core.exited(2, 51.0, exit_code=None, signal=15)
    assert core.children[2].state == "stopped"
    assert core.events[-1][0] == logging.DEBUG  # expected during shutdown


def test_failfast_not_reported_for_our_own_shutdown() -> None:
    core = started_core(entry("/ff", failfast=True))
    core.stop()
    core.exited(0, 1.0, exit_code=None, signal=15)
    assert core.failfast == []
