"""The node's resource history (lrm_rsc_op records) and the fail-count updates."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

import cib
from cib.history import ROLE_STARTED, ROLE_STOPPED, unpack_node_history
from pycrm.daemon.executor.codes import EXEC_CANCELLED, EXEC_DONE, EXEC_TIMEOUT
from pycrm.daemon.executor.request import OpResult
from pycrm.daemon.lrm import FAKE_TE_UUID, LocalHistory, failure_updates
from tests.fixtures.tools import SHARED, require_path
from tests.unit.executor.helpers import req

T0 = 1_795_313_798


def result(
    action: str = "start",
    rc: int = 0,
    *,
    call_id: int = 1,
    status: int = EXEC_DONE,
    rsc: str = "ClusterIP",
    run_at: float = T0,
    changed: float = 0.0,
    reason: str = "",
    first: bool = True,
    **kw: Any,
) -> OpResult:
    kw.setdefault("provider", "heartbeat")
    kw.setdefault("agent", "IPaddr2")
    return OpResult(
        request=req(rsc, action, **kw),
        call_id=call_id,
        rc=rc,
        op_status=status,
        exit_reason=reason,
        run_at=run_at,
        rc_changed_at=changed or run_at,
        exec_ms=12,
        queue_ms=1,
        first_report=first,
    )


def ops(history: LocalHistory, rsc: str = "ClusterIP") -> dict[str, dict[str, str]]:
    el = history.resource_xml(rsc)
    assert el is not None
    return {
        op.get("id", ""): {str(k): str(v) for k, v in op.items()}
        for op in el.iterchildren("lrm_rsc_op")
    }


def test_records_match_a_pacemaker_recorded_cib_attribute_for_attribute() -> None:
    path = SHARED / "reference" / "tool-output-samples" / "pcmk_demo_cib_running.xml"
    require_path(path, "the Pacemaker-recorded demo CIB")
    ref = etree.parse(str(path)).getroot()
    history = LocalHistory("node1", "1", origin="crm_simulate")
    params = {"ip": "10.203.0.100", "cidr_netmask": "24"}  # as configured in that CIB
    history.record(result("start", call_id=2, params=params))
    history.record(result("monitor", call_id=3, interval_ms=30_000, params=params))
    ours = history.resource_xml("ClusterIP")
    theirs = ref.find("status/node_state[@uname='node1']//lrm_resource[@id='ClusterIP']")
    assert ours is not None and theirs is not None
    assert list(ours.items()) == list(theirs.items())
    for mine, real in zip(ours, theirs, strict=True):
        # crm_simulate records without a node (its on_node is the controller's only)
        assert mine.get("on_node") == "node1"
        expected = list(real.items())  # op-digest included: cib.digest computes Pacemaker's
        got = [
            (k, "0" if k in ("exec-time", "queue-time") else v)
            for k, v in mine.items()
            if k != "on_node"
        ]
        assert got == expected


def test_a_probe_on_an_inactive_node_is_recorded_like_pacemaker_does() -> None:
    path = SHARED / "reference" / "tool-output-samples" / "pcmk_demo_cib_running.xml"
    require_path(path, "the Pacemaker-recorded demo CIB")
    ref = etree.parse(str(path)).getroot()
    history = LocalHistory("node2", "2", origin="crm_simulate")
    params = {"ip": "10.203.0.100", "cidr_netmask": "24"}
    history.record(result("monitor", 7, call_id=1, target_rc=7, run_at=1795313794, params=params))
    theirs = ref.find("status/node_state[@uname='node2']//lrm_rsc_op[@id='ClusterIP_last_0']")
    assert theirs is not None
    mine = ops(history)["ClusterIP_last_0"]
    expected = dict(theirs.items())  # op-digest included
    assert mine.pop("on_node") == "node2"
    assert {**mine, "exec-time": "0", "queue-time": "0"} == expected


def test_history_of_start_monitor_failure_and_stop() -> None:
    h = LocalHistory("node1", "1")
    key = "5:2:0:0a9b"
    h.record(result("monitor", 7, call_id=1, target_rc=7, transition_key="1:1:7:0a9b"))
    h.record(result("start", call_id=2, transition_key="4:2:0:0a9b"))
    h.record(result("monitor", call_id=3, interval_ms=10_000, transition_key=key))
    h.record(
        result(
            "monitor",
            7,
            call_id=3,
            interval_ms=10_000,
            transition_key=key,
            run_at=T0 + 60,
            reason="not running",
            first=False,
        )
    )
    records = ops(h)
    assert sorted(records) == [
        "ClusterIP_last_0",
        "ClusterIP_last_failure_0",
        "ClusterIP_monitor_10000",
    ]
    assert records["ClusterIP_last_0"]["operation_key"] == "ClusterIP_start_0"
    assert records["ClusterIP_monitor_10000"]["rc-code"] == "0"  # failures do not land here
    failure = records["ClusterIP_last_failure_0"]
    assert (failure["operation_key"], failure["rc-code"], failure["exit-reason"]) == (
        "ClusterIP_monitor_10000",
        "7",
        "not running",
    )
    assert failure["transition-magic"] == f"0:7;{key}"
    assert failure["last-rc-change"] == str(T0 + 60)
    h.record(result("stop", call_id=4, transition_key="6:3:0:0a9b"))
    assert ops(h)["ClusterIP_last_0"]["operation"] == "stop"


def test_a_failed_start_is_the_last_op_and_the_last_failure() -> None:
    h = LocalHistory("node1", "1")
    h.record(result("start", 1, call_id=9, reason="no such nic"))
    records = ops(h)
    for op_id in ("ClusterIP_last_0", "ClusterIP_last_failure_0"):
        assert records[op_id]["exit-reason"] == "no such nic"
        assert records[op_id]["transition-key"] == f"9:-1:0:{FAKE_TE_UUID}"


def test_timeouts_are_failures_whatever_their_rc() -> None:
    h = LocalHistory("node1", "1")
    h.record(result("stop", 1, call_id=3, status=EXEC_TIMEOUT))
    assert ops(h)["ClusterIP_last_failure_0"]["op-status"] == str(EXEC_TIMEOUT)


def test_reloads_are_recorded_as_start_or_monitor() -> None:
    h = LocalHistory("node1", "1")
    h.record(result("reload-agent", call_id=1))
    assert ops(h)["ClusterIP_last_0"]["operation_key"] == "ClusterIP_start_0"
    h.record(result("reload", 1, call_id=2, status=EXEC_TIMEOUT))
    assert ops(h)["ClusterIP_last_failure_0"]["operation"] == "monitor"


@pytest.mark.parametrize(
    ("action", "status"),
    [("notify", EXEC_DONE), ("meta-data", EXEC_DONE), ("monitor", EXEC_CANCELLED)],
)
def test_what_pacemaker_does_not_record(action: str, status: int) -> None:
    h = LocalHistory("node1", "1")
    assert not h.record(result(action, status=status, interval_ms=0))
    assert h.resource_xml("ClusterIP") is None


def test_a_pending_entry_is_recorded_on_request_and_replaced_by_the_result() -> None:
    h = LocalHistory("node1", "1")
    plain = req("ClusterIP", "start", provider="heartbeat", agent="IPaddr2")
    assert not h.record_pending(plain, T0)
    asked = req(
        "ClusterIP",
        "start",
        provider="heartbeat",
        agent="IPaddr2",
        meta={"record_pending": "true"},
        transition_key="4:2:0:u",
    )
    assert h.record_pending(asked, T0)
    pending = ops(h)["ClusterIP_last_0"]
    assert (pending["call-id"], pending["op-status"], pending["rc-code"]) == ("-1", "-1", "193")
    assert pending["transition-magic"] == "-1:193;4:2:0:u"
    model = _cib_with(h)
    state = unpack_node_history(
        model.status["node1"].resources["ClusterIP"], "node1", lambda task, interval: "restart"
    )
    assert (state.pending, state.role) == ("start", ROLE_STARTED)
    h.record(result("start", call_id=5, transition_key="4:2:0:u"))
    assert ops(h)["ClusterIP_last_0"]["call-id"] == "5"


def test_text_forms_for_cib_changes() -> None:
    h = LocalHistory("node1", "1")
    assert h.resource_text("ClusterIP") is None
    assert h.lrm_text() == '<lrm id="1"><lrm_resources/></lrm>'
    h.record(result("start", call_id=1))
    text = h.resource_text("ClusterIP")
    assert text is not None and text.startswith('<lrm_resource id="ClusterIP" class="ocf"')
    assert text in h.lrm_text()


def test_forgetting_entries() -> None:
    h = LocalHistory("node1", "1")
    h.record(result("start", call_id=1))
    h.record(result("monitor", call_id=2, interval_ms=5000))
    h.record(result("monitor", 1, call_id=2, interval_ms=5000, first=False))
    assert h.forget_op("ClusterIP", "monitor", 5000)
    assert not h.forget_op("ClusterIP", "monitor", 5000)
    assert h.forget_failure("ClusterIP")
    assert sorted(ops(h)) == ["ClusterIP_last_0"]
    assert h.forget("ClusterIP") and not h.forget("ClusterIP")


def test_entries_are_written_in_replay_order() -> None:
    h = LocalHistory("node1", "1")
    h.record(result("monitor", call_id=5, interval_ms=1000))
    h.record(result("start", call_id=4))
    h.record(result("monitor", 7, call_id=5, interval_ms=1000, run_at=T0 + 9, first=False))
    el = h.resource_xml("ClusterIP")
    assert el is not None
    assert [op.get("id") for op in el] == [
        "ClusterIP_last_0",
        "ClusterIP_monitor_1000",
        "ClusterIP_last_failure_0",
    ]


def _cib_with(history: LocalHistory) -> cib.model.Cib:
    root = etree.fromstring(
        b"""<cib validate-with="pacemaker-3.9" crm_feature_set="3.16.1" epoch="1"
        num_updates="0" admin_epoch="0"><configuration><crm_config/>
        <nodes><node id="1" uname="node1"/></nodes><resources>
        <primitive id="ClusterIP" class="ocf" provider="heartbeat" type="IPaddr2"/>
        </resources><constraints/></configuration><status>
        <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member"
         expected="member"/></status></cib>"""
    )
    state = root.find("status/node_state")
    assert state is not None
    state.append(history.lrm_xml())
    return cib.loads(etree.tostring(root))


@pytest.mark.parametrize(
    ("results", "role", "failed"),
    [
        ([result("monitor", 7, call_id=1, target_rc=7)], ROLE_STOPPED, False),
        (
            [result("start", call_id=1), result("monitor", call_id=2, interval_ms=9000)],
            ROLE_STARTED,
            False,
        ),
        (
            [
                result("start", call_id=1),
                result("monitor", call_id=2, interval_ms=9000),
                result("monitor", 7, call_id=2, interval_ms=9000, run_at=T0 + 9, first=False),
            ],
            ROLE_STARTED,
            True,
        ),
        ([result("start", 1, call_id=1)], ROLE_STARTED, True),
        ([result("start", call_id=1), result("stop", call_id=2)], ROLE_STOPPED, False),
    ],
)
def test_round_trip_through_the_cib_parser_gives_the_state(
    results: list[OpResult], role: int, failed: bool
) -> None:
    h = LocalHistory("node1", "1")
    for res in results:
        h.record(res)
    model = _cib_with(h)
    lrm = model.status["node1"].resources["ClusterIP"]
    assert (lrm.standard, lrm.provider, lrm.type) == ("ocf", "heartbeat", "IPaddr2")
    state = unpack_node_history(lrm, "node1", lambda task, interval: "restart")
    assert (state.role, state.failed) == (role, failed)


# ------------------------------------------------------------------ fail counts
def _fail(action: str, rc: int = 1, **kw: Any) -> OpResult:
    kw.setdefault("transition_key", "7:3:0:uuid")
    return result(action, rc, call_id=7, **kw)


def test_a_failed_recurring_monitor_increments_the_count() -> None:
    res = _fail("monitor", 7, interval_ms=10_000, first=False)
    assert failure_updates(res, {"fail-count-ClusterIP#monitor_10000": "2"}) == {
        "fail-count-ClusterIP#monitor_10000": "3",
        "last-failure-ClusterIP#monitor_10000": str(T0),
    }


@pytest.mark.parametrize(("fatal", "value"), [(True, "INFINITY"), (False, "1")])
def test_a_failed_start_sets_infinity_unless_not_fatal(fatal: bool, value: str) -> None:
    updates = failure_updates(_fail("start"), {}, start_failure_is_fatal=fatal, now_epoch=42)
    assert updates == {
        "fail-count-ClusterIP#start_0": value,
        "last-failure-ClusterIP#start_0": "42",
    }


def test_a_failed_stop_or_timed_out_stop_sets_infinity() -> None:
    res = _fail("stop", 1, status=EXEC_TIMEOUT)
    assert failure_updates(res, {})["fail-count-ClusterIP#stop_0"] == "INFINITY"


def test_promote_and_demote_failures_increment() -> None:
    assert failure_updates(_fail("promote"), {})["fail-count-ClusterIP#promote_0"] == "1"
    assert failure_updates(_fail("demote"), {})["fail-count-ClusterIP#demote_0"] == "1"


def test_the_count_saturates_at_infinity() -> None:
    updates = failure_updates(_fail("promote"), {"fail-count-ClusterIP#promote_0": "INFINITY"})
    assert updates["fail-count-ClusterIP#promote_0"] == "1000000"


@pytest.mark.parametrize(
    "res",
    [
        result("start", 0, call_id=1),
        result("monitor", 190, call_id=1, interval_ms=5000),  # degraded is success
        result("monitor", 191, call_id=1, interval_ms=5000, target_rc=8),
        result("monitor", 0, call_id=1, status=EXEC_CANCELLED, interval_ms=5000),
        _fail("monitor", 0, target_rc=7),  # a probe in a transition never counts
        _fail("notify"),
    ],
)
def test_no_update_for_successes_probes_and_notifications(res: OpResult) -> None:
    assert failure_updates(res, {}) == {}


def test_a_probe_outside_any_transition_counts() -> None:
    res = result("monitor", 7, call_id=4, target_rc=0)
    assert failure_updates(res, {})["fail-count-ClusterIP#monitor_0"] == "1"


def test_on_fail_ignore_records_only_the_time_for_the_confirming_result() -> None:
    first = _fail("monitor", 7, interval_ms=5000, meta={"on_fail": "ignore"})
    assert failure_updates(first, {}) == {"last-failure-ClusterIP#monitor_5000": str(T0)}
    later = _fail("monitor", 1, interval_ms=5000, meta={"on_fail": "ignore"}, first=False)
    assert "fail-count-ClusterIP#monitor_5000" in failure_updates(later, {})
