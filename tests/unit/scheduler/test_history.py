"""cib.history: replaying operation history like Pacemaker's status unpacking."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError

import pytest

from cib._record import replace
from cib.history import (
    ROLE_PROMOTED,
    ROLE_STARTED,
    ROLE_STOPPED,
    ROLE_UNPROMOTED,
    fail_count,
    judge,
    per_op_fail_counts,
    unpack_node_history,
)
from cib.model import LrmResource, OpRecord


def rec(
    task: str, call: int, rc: int = 0, interval: int = 0, target: int | None = 0, status: int = 0
) -> OpRecord:
    return OpRecord(
        id=f"{task}_{call}",
        operation_key=f"r_{task}_{interval}",
        operation=task,
        interval_ms=interval,
        call_id=call,
        rc_code=rc,
        op_status=status,
        target_rc=target,
    )


def replay(
    *ops: OpRecord, on_fail: str = "restart", promotable: bool = False, managed: bool = True
):  # type: ignore[no-untyped-def]
    lrm = LrmResource(id="r", standard="ocf", provider="heartbeat", type="Dummy", ops=list(ops))
    return unpack_node_history(
        lrm, "n1", lambda task, interval: on_fail, promotable=promotable, managed=managed
    )


def test_probe_results() -> None:
    assert replay(rec("monitor", 1, rc=7, target=7)).role == ROLE_STOPPED
    found = replay(rec("monitor", 1, rc=0, target=7))
    assert found.role == ROLE_STARTED and not found.failed
    assert replay(rec("monitor", 1, rc=8, target=7)).role == ROLE_PROMOTED


def test_ops_replayed_by_call_id() -> None:
    hist = replay(rec("stop", 5), rec("start", 3))
    assert hist.role == ROLE_STOPPED


def test_failed_start_is_active_and_failed() -> None:
    hist = replay(rec("start", 1, rc=1, status=4))
    assert hist.role == ROLE_STARTED and hist.failed


def test_timeout_is_failure_even_with_expected_rc() -> None:
    assert judge(rec("start", 1, rc=0, status=2)) == "failed"


def test_recurring_monitor_not_running_is_failure_unless_unmanaged() -> None:
    ops = (rec("start", 1), rec("monitor", 2, rc=7, interval=10000))
    assert replay(*ops).failed
    assert replay(*ops, managed=False).role == ROLE_STOPPED


def test_later_start_clears_restart_failure_but_not_stop() -> None:
    ops = (rec("monitor", 1, rc=1, interval=10000), rec("stop", 2), rec("start", 3))
    assert not replay(*ops).failed
    assert replay(*ops, on_fail="stop").on_fail == "stop"


def test_failed_stop_bans_and_block() -> None:
    hist = replay(rec("start", 1), rec("stop", 2, rc=1, status=4), on_fail="block")
    assert hist.stop_failed and hist.on_fail == "block" and hist.active


def test_ignored_failure_counts_as_success() -> None:
    hist = replay(rec("start", 1), rec("stop", 2, rc=1, status=4), on_fail="ignore")
    assert hist.role == ROLE_STOPPED and hist.failure_ignored and not hist.failed


def test_promotable_roles() -> None:
    assert replay(rec("start", 1), promotable=True).role == ROLE_UNPROMOTED
    assert replay(rec("start", 1), rec("promote", 2), promotable=True).role == ROLE_PROMOTED
    demoted = replay(rec("start", 1), rec("promote", 2), rec("demote", 3), promotable=True)
    assert demoted.role == ROLE_UNPROMOTED


def test_fail_count_naming_and_expiry() -> None:
    attrs = {
        "fail-count-r": "1",
        "fail-count-r#monitor_10000": "2",
        "last-failure-r#monitor_10000": "1000",
        "fail-count-other": "9",
    }
    assert fail_count(attrs, ("r",)) == 2
    assert fail_count(attrs, ("r",), per_op=False) == 1
    assert fail_count(attrs, ("r",), now_epoch=5000, failure_timeout_s=60) == 0
    assert fail_count({"fail-count-r": "INFINITY"}, ("r",), per_op=False) == 1_000_000


def test_per_op_fail_counts_by_feature_set() -> None:
    assert not per_op_fail_counts(None)
    assert not per_op_fail_counts("3.0.12")
    assert per_op_fail_counts("3.0.13")
    assert per_op_fail_counts("3.16.2")


def test_op_record_is_a_frozen_value_and_replace_copies_it() -> None:
    first = rec("start", 3, rc=1)
    assert first == rec("start", 3, rc=1) and hash(first) == hash(rec("start", 3, rc=1))
    with pytest.raises(FrozenInstanceError):
        first.rc_code = 0  # type: ignore[misc]
    fixed = replace(first, rc_code=0, op_status=0)
    assert (fixed.rc_code, first.rc_code) == (0, 1)
    assert fixed == rec("start", 3, rc=0) and fixed.last_run is None and fixed.line == 0
    assert pickle.loads(pickle.dumps(fixed)) == fixed  # noqa: S301 (own data)
    with pytest.raises(TypeError, match="no field 'rc'"):
        replace(first, rc=0)
