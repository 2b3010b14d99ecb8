"""OpRequest / OpResult: JSON round trips and the checks on what comes off the network."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pycrm.daemon.executor._fields import FieldError
from pycrm.daemon.executor.codes import EXEC_CANCELLED, EXEC_DONE, EXEC_TIMEOUT
from pycrm.daemon.executor.request import OpRequest, OpResult
from tests.unit.executor.helpers import req


def _full_request() -> OpRequest:
    return req(
        "web:2",
        "monitor",
        interval_ms=10_000,
        timeout_ms=30_000,
        start_delay_ms=500,
        node_uuid="3",
        params={"configfile": "/etc/apache2/apache2.conf", "OCF_CHECK_LEVEL": "10"},
        meta={"name": "monitor", "clone": "2", "notify_start_uname": " "},
        transition_key="12:3:0:6c0f3b2e-0000-4000-8000-000000000000",
        target_rc=0,
    )


def test_request_round_trips_through_json() -> None:
    original = _full_request()
    wire = json.loads(json.dumps(original.to_dict()))
    assert OpRequest.from_dict(wire) == original
    assert original.key == "web:2_monitor_10000" and original.recurring and not original.probe


def test_result_round_trips_through_json() -> None:
    result = OpResult(
        request=_full_request(),
        call_id=7,
        rc=7,
        op_status=EXEC_DONE,
        exit_reason="not running",
        run_at=1_700_000_000.25,
        rc_changed_at=1_699_999_990.0,
        exec_ms=12,
        queue_ms=3,
        main_pid=4242,
        output="stdout tail",
        first_report=False,
    )
    assert OpResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def _wire(**changes: Any) -> dict[str, Any]:
    d = _full_request().to_dict()
    d.update(changes)
    return d


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rsc_id": 5}, "rsc_id"),
        ({"interval_ms": True}, "interval_ms"),
        ({"interval_ms": "10000"}, "interval_ms"),
        ({"interval_ms": -1}, "interval_ms"),
        ({"interval_ms": 2**32}, "interval_ms"),
        ({"timeout_ms": 0}, "timeout_ms"),
        ({"target_rc": 256}, "target_rc"),
        ({"agent": "../../bin/sh"}, "agent"),
        ({"agent": ".."}, "agent"),
        ({"provider": "a/b"}, "provider"),
        ({"rsc_class": ""}, "rsc_class"),
        ({"action": "start; rm"}, "action"),
        ({"node": "a b"}, "node"),
        ({"params": []}, "params"),
        ({"params": {"a=b": "x"}}, "params"),
        ({"params": {"a": 1}}, "params.a"),
        ({"params": {"a": "x\0y"}}, "params.a"),
        ({"params": {str(i): "v" for i in range(1025)}}, "params"),
        ({"meta": {"timeout": "20000"}}, "meta"),
        ({"transition_key": "x" * 300}, "transition_key"),
    ],
)
def test_bad_request_fields_are_rejected_by_name(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(FieldError) as err:
        OpRequest.from_dict(_wire(**changes))
    assert str(err.value).startswith(f"{field}:")


def test_missing_field_and_wrong_container_are_rejected() -> None:
    wire = _wire()
    del wire["node"]
    with pytest.raises(FieldError, match="node: missing"):
        OpRequest.from_dict(wire)
    with pytest.raises(FieldError, match="expected an object"):
        OpRequest.from_dict(["not", "a", "dict"])
    with pytest.raises(FieldError, match="request"):
        OpResult.from_dict({"call_id": 1})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("call_id", 0),
        ("op_status", 12),
        ("main_pid", 0),
        ("run_at", float("nan")),
        ("exit_reason", "x" * 600),
        ("first_report", 1),
    ],
)
def test_bad_result_fields_are_rejected(key: str, value: object) -> None:
    result = OpResult(request=_full_request(), call_id=1, rc=0, op_status=0)
    wire = result.to_dict()
    wire[key] = value
    with pytest.raises(FieldError, match=key):
        OpResult.from_dict(wire)


def test_the_caller_cannot_change_a_request_after_building_it() -> None:
    params = {"ip": "10.0.0.1"}
    request = req(params=params)
    params["ip"] = "10.0.0.2"
    assert request.params["ip"] == "10.0.0.1"


@pytest.mark.parametrize(
    ("rc", "status", "target", "failed"),
    [
        (0, EXEC_DONE, 0, False),
        (7, EXEC_DONE, 7, False),
        (7, EXEC_DONE, 0, True),
        (0, EXEC_TIMEOUT, 0, True),
        (0, EXEC_CANCELLED, 7, False),
        (190, EXEC_DONE, 0, True),  # did_rsc_op_fail compares the raw rc
    ],
)
def test_failed_follows_did_rsc_op_fail(rc: int, status: int, target: int, failed: bool) -> None:
    result = OpResult(request=req(target_rc=target), call_id=1, rc=rc, op_status=status)
    assert result.failed is failed
