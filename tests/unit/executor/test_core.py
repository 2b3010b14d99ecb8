"""The executor's sans-I/O core: queues, parallelism, timeouts and recurring operations."""

from __future__ import annotations

import pytest

from pycrm.daemon.executor.codes import (
    EXEC_CANCELLED,
    EXEC_DONE,
    EXEC_ERROR,
    EXEC_NOT_INSTALLED,
    EXEC_TIMEOUT,
)
from pycrm.daemon.executor.core import ExecutorCore
from pycrm.daemon.executor.outcome import TIMEOUT_REASON, ProcessEnd
from tests.unit.executor.helpers import Harness, fake_resolve, req


def test_operations_on_one_resource_run_in_submission_order() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", target_rc=7))
    h.submit(req("r1", "start"))
    assert h.running_keys() == ["r1_monitor_0"]
    h.finish("r1_monitor_0", ProcessEnd("exited", 7))
    assert h.running_keys() == ["r1_start_0"]
    h.finish("r1_start_0")
    assert h.results() == [("r1_monitor_0", 7, EXEC_DONE), ("r1_start_0", 0, EXEC_DONE)]


def test_different_resources_run_in_parallel_up_to_the_limit_longest_waiting_first() -> None:
    h = Harness(max_parallel=2)
    for name in ("a", "b", "c", "d"):
        h.submit(req(name))
    assert h.running_keys() == ["a_start_0", "b_start_0"]
    h.finish("b_start_0")
    assert h.running_keys() == ["a_start_0", "c_start_0"]
    h.finish("a_start_0")
    assert h.running_keys() == ["c_start_0", "d_start_0"]


def test_call_ids_count_up_from_the_first_one() -> None:
    core = ExecutorCore(fake_resolve, first_call_id=40)
    assert [core.submit(req(f"r{i}"), 0.0) for i in range(3)] == [40, 41, 42]


def test_max_parallel_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_parallel"):
        ExecutorCore(fake_resolve, max_parallel=0)


def test_unknown_agent_is_not_installed_without_running_anything() -> None:
    h = Harness()
    h.submit(req("r1", agent="Missing"))
    assert h.spawned == []
    [result] = h.core.take_results()
    assert (result.rc, result.op_status) == (5, EXEC_NOT_INSTALLED)


def test_timeout_kills_the_process_group_and_reports_a_timeout() -> None:
    h = Harness()
    h.submit(req("r1", timeout_ms=5000))
    assert h.core.next_wakeup() == pytest.approx(105.0)
    h.advance(4.9)
    assert h.kills == []
    h.advance(0.2)
    [kill] = h.kills
    assert kill.group and kill.run.request.key == "r1_start_0"
    assert h.core.next_wakeup() is None  # no second kill while waiting for the exit
    h.finish("r1_start_0", ProcessEnd("signaled", 9))
    [result] = h.core.take_results()
    assert (result.rc, result.op_status, result.exit_reason) == (1, EXEC_TIMEOUT, TIMEOUT_REASON)
    assert result.exec_ms == 5100


def test_on_fail_block_kills_only_the_agent_process_at_its_timeout() -> None:
    h = Harness()
    h.submit(req("r1", "stop", timeout_ms=1000, meta={"on_fail": "block"}))
    h.advance(1.0)
    assert [k.group for k in h.kills] == [False]


def test_an_agent_that_exits_by_itself_at_its_timeout_keeps_its_own_result() -> None:
    h = Harness()
    h.submit(req("r1", timeout_ms=1000))
    h.advance(1.0)
    h.finish("r1_start_0", ProcessEnd("exited", 0))
    assert h.results() == [("r1_start_0", 0, EXEC_DONE)]


def test_a_signal_from_elsewhere_is_an_execution_error() -> None:
    h = Harness()
    h.submit(req("r1"))
    h.finish("r1_start_0", ProcessEnd("signaled", 15))
    assert h.results() == [("r1_start_0", 1, EXEC_ERROR)]


def test_start_delay_holds_the_queue_of_that_resource_only() -> None:
    h = Harness()
    h.submit(req("r1", start_delay_ms=2000))
    h.submit(req("r1", "monitor", interval_ms=0))
    h.submit(req("r2"))
    assert h.running_keys() == ["r2_start_0"]
    assert h.core.next_wakeup() == pytest.approx(102.0)
    h.advance(2.0)
    assert h.running_keys() == ["r1_start_0", "r2_start_0"]
    h.finish("r1_start_0")
    [result] = h.core.take_results()
    assert result.queue_ms == 2000


def test_recurring_monitor_runs_now_then_every_interval_after_each_run() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", interval_ms=10_000))
    assert h.running_keys() == ["r1_monitor_10000"]
    h.advance(0.5)
    h.finish("r1_monitor_10000")
    assert h.core.next_wakeup() == pytest.approx(110.5)
    h.advance(9.9)
    assert h.running_keys() == []
    h.advance(0.1)
    assert h.running_keys() == ["r1_monitor_10000"]


def test_recurring_results_are_reported_only_when_they_change() -> None:
    h = Harness()
    call_id = h.submit(req("r1", "monitor", interval_ms=1000))
    sequence = [0, 0, 0, 7, 7, 0]
    reported = []
    for rc in sequence:
        h.advance(1.0)
        h.finish("r1_monitor_1000", ProcessEnd("exited", rc))
        for result in h.core.take_results():
            reported.append((result.rc, result.first_report, result.call_id))
    assert reported == [(0, True, call_id), (7, False, call_id), (0, False, call_id)]


def test_last_rc_change_is_when_the_rc_changed_not_the_latest_run() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", interval_ms=1000))
    h.finish("r1_monitor_1000", ProcessEnd("exited", 7))
    first = h.core.take_results()[0]
    for _ in range(3):
        h.advance(1.0)
        h.finish("r1_monitor_1000", ProcessEnd("exited", 7))
    h.advance(1.0)
    h.finish("r1_monitor_1000", ProcessEnd("exited", 0))
    changed = h.core.take_results()[0]
    assert first.rc_changed_at == first.run_at
    assert changed.rc_changed_at == changed.run_at == first.run_at + 4


def test_same_recurring_op_again_replaces_it_and_reports_its_next_result() -> None:
    h = Harness()
    first = h.submit(req("r1", "monitor", interval_ms=1000, transition_key="1:1:0:u"))
    h.finish("r1_monitor_1000")
    h.core.take_results()
    second = h.submit(req("r1", "monitor", interval_ms=1000, transition_key="9:2:0:u"))
    assert second != first
    assert h.running_keys() == ["r1_monitor_1000"]  # ran at once
    h.finish("r1_monitor_1000")
    [result] = h.core.take_results()
    assert (result.call_id, result.request.transition_key) == (second, "9:2:0:u")
    assert result.first_report


def test_cancel_reports_cancelled_results_for_idle_queued_and_running_ops() -> None:
    h = Harness(max_parallel=1)
    h.submit(req("r1", "monitor", interval_ms=1000))
    h.finish("r1_monitor_1000")  # now idle, waiting for its interval
    h.core.take_results()
    idle = h.core.cancel("r1", 1000, None, h.now)
    h.pump()
    assert h.results() == [("r1_monitor_1000", 0, EXEC_CANCELLED)]
    assert idle and h.core.next_wakeup() is None

    h.submit(req("r2", "monitor", interval_ms=2000))  # running
    h.submit(req("r3", "monitor", interval_ms=3000))  # queued behind the limit
    h.core.cancel("r3", None, None, h.now)
    assert h.results() == [("r3_monitor_3000", 0, EXEC_CANCELLED)]
    h.core.cancel("r2", None, "monitor", h.now)
    h.pump()
    assert [k.group for k in h.kills] == [True]
    h.finish("r2_monitor_2000", ProcessEnd("signaled", 9))
    assert h.results() == [("r2_monitor_2000", 0, EXEC_CANCELLED)]


def test_a_cancelled_run_that_exits_before_the_kill_lands_is_still_cancelled() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", interval_ms=1000))
    h.core.cancel("r1", None, None, h.now)
    h.finish("r1_monitor_1000", ProcessEnd("exited", 0))
    assert h.results() == [("r1_monitor_1000", 0, EXEC_CANCELLED)]


def test_cancel_filters_by_interval_and_action() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", interval_ms=1000))
    h.submit(req("r1", "monitor", interval_ms=2000))
    h.finish("r1_monitor_1000")
    h.finish("r1_monitor_2000")
    h.core.take_results()
    assert h.core.cancel("r1", 3000, None, h.now) == []
    assert h.core.cancel("r1", None, "notify", h.now) == []
    assert len(h.core.cancel("r1", 2000, "monitor", h.now)) == 1
    assert [k for k in h.core.resources["r1"].recurring] == [("monitor", 1000)]
    assert h.core.cancel("unknown", None, None, h.now) == []


def test_stop_and_promote_cancel_recurring_ops_first_but_a_probe_does_not() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", interval_ms=1000))
    h.finish("r1_monitor_1000")
    h.core.take_results()
    h.submit(req("r1", "monitor", target_rc=7))
    assert ("monitor", 1000) in h.core.resources["r1"].recurring
    h.finish("r1_monitor_0")
    h.submit(req("r1", "stop"))
    assert h.core.resources["r1"].recurring == {}
    results = h.results()
    assert ("r1_monitor_1000", 0, EXEC_CANCELLED) in results


def test_a_stop_uses_the_parameters_the_resource_was_started_with() -> None:
    h = Harness()
    h.submit(req("r1", params={"ip": "10.0.0.1"}))
    h.finish("r1_start_0")
    h.submit(req("r1", "stop", params={"ip": "10.0.0.2"}, meta={"name": "stop"}))
    [run] = h.core.running
    assert dict(run.request.params) == {"ip": "10.0.0.1"}
    assert dict(run.request.meta) == {"name": "stop"}


def test_kick_runs_the_recurring_monitor_at_once() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", interval_ms=60_000))
    h.finish("r1_monitor_60000")
    h.core.take_results()
    assert h.core.kick_monitor("r1", h.now)
    h.pump()
    assert h.running_keys() == ["r1_monitor_60000"]
    assert h.core.kick_monitor("r1", h.now)  # already running: nothing more
    assert len(h.core.running) == 1


def test_kick_without_recurring_monitor_runs_a_probe_expecting_the_last_state() -> None:
    h = Harness()
    assert not h.core.kick_monitor("r1", h.now)
    h.submit(req("r1", params={"a": "1"}, meta={"name": "start", "clone": "0"}, timeout_ms=90_000))
    h.finish("r1_start_0")
    h.core.take_results()
    assert h.core.kick_monitor("r1", h.now)
    assert h.core.kick_monitor("r1", h.now)  # one is on its way already
    h.pump()
    [run] = h.core.running
    probe = run.request
    assert (probe.action, probe.interval_ms, probe.target_rc) == ("monitor", 0, 0)
    assert probe.transition_key is None and probe.timeout_ms == 20_000
    assert dict(probe.meta) == {"clone": "0"} and dict(probe.params) == {"a": "1"}
    h.finish("r1_monitor_0", ProcessEnd("exited", 7))
    h.submit(req("r1", "stop"))
    h.finish("r1_stop_0")
    h.core.kick_monitor("r1", h.now)
    h.pump()
    assert h.core.running[0].request.target_rc == 7


def test_main_pid_is_kept_only_for_a_successful_run() -> None:
    h = Harness()
    h.submit(req("r1"))
    h.submit(req("r2"))
    h.finish("r1_start_0", main_pid=1234)
    h.finish("r2_start_0", ProcessEnd("exited", 1), main_pid=1235)
    by_rsc = {r.rsc_id: r.main_pid for r in h.core.take_results()}
    assert by_rsc == {"r1": 1234, "r2": None}


def test_exit_reason_only_from_ocf_agents() -> None:
    h = Harness()
    h.submit(req("r1"))
    h.submit(req("r2", rsc_class="lsb", provider=None, agent="svc"))
    h.finish("r1_start_0", ProcessEnd("exited", 1), exit_reason="no config")
    h.finish("r2_start_0", ProcessEnd("exited", 1), exit_reason="ignored")
    reasons = {r.rsc_id: r.exit_reason for r in h.core.take_results()}
    assert reasons == {"r1": "no config", "r2": ""}


def test_forget_drops_an_idle_resource_and_cancels_its_recurring_ops() -> None:
    h = Harness()
    h.submit(req("r1", "monitor", interval_ms=1000))
    assert not h.core.forget("r1", h.now)  # busy
    h.finish("r1_monitor_1000")
    h.core.take_results()
    assert h.core.forget("r1", h.now)
    assert h.results() == [("r1_monitor_1000", 0, EXEC_CANCELLED)]
    assert "r1" not in h.core.resources and not h.core.kick_monitor("r1", h.now)
    assert not h.core.forget("r1", h.now)


def test_only_meta_data_keeps_a_long_output() -> None:
    h = Harness()
    h.submit(req("r1", "meta-data"))
    h.submit(req("r2", "monitor", target_rc=7))
    long_text = "x" * 10_000
    h.finish("r1_meta-data_0", stdout=long_text)
    h.finish("r2_monitor_0", stdout=long_text)
    lengths = {r.rsc_id: len(r.output) for r in h.core.take_results()}
    assert lengths == {"r1": 10_000, "r2": 4096}


def test_idle_and_next_wakeup() -> None:
    h = Harness()
    assert h.core.idle() and h.core.next_wakeup() is None
    h.submit(req("r1", "monitor", interval_ms=5000))
    assert not h.core.idle()
    h.finish("r1_monitor_5000")
    assert h.core.idle()  # a recurring timer alone is not work
    assert h.core.next_wakeup() == pytest.approx(105.0)


def test_a_finished_call_for_an_unknown_run_is_ignored() -> None:
    h = Harness()
    h.submit(req("r1"))
    run = h.core.running[0]
    h.finish("r1_start_0")
    h.core.finished(run, ProcessEnd("exited", 0), h.now)
    assert len(h.core.take_results()) == 1
