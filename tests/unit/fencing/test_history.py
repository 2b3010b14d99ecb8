"""The fencing history: ordering, reduction, the daemon's record, crm_mon's sections."""

from __future__ import annotations

import json

import pytest
from lxml import etree

import cib
from pycrm.fencing.history import (
    HISTORY_LIMIT,
    FenceEvent,
    FenceHistory,
    later_succeeded,
    reduce_history,
    sort_history,
)
from pycrm.status import fencing, jsonout, text, xmlout
from pycrm.status.collect import collect
from pycrm.status.snapshot import DaemonSnapshot
from pycrm.status.words import iso_time
from tests.fixtures.tools import require_path
from tests.support.statuscib import scenario_xml

RNG = "/usr/share/pacemaker/api/api-result-2.25.rng"
T0 = 1_700_000_000.0


def ev(target: str, state: str, at: float | None = None, **kw: object) -> FenceEvent:
    kw.setdefault("action", "reboot")
    kw.setdefault("delegate", "node1" if state != "pending" else None)
    return FenceEvent(  # type: ignore[arg-type]
        target=target,
        state=state,
        origin="node1",
        client="pycrm-controld",
        completed=at,
        **kw,
    )


def test_sorting_reduction_and_later_success() -> None:
    events = [
        ev("node2", "failed", T0 + 1, exit_reason="Timed out"),
        ev("node2", "done", T0 + 5),
        ev("node2", "done", T0 + 3),
        ev("node3", "pending"),
        ev("node2", "failed", T0 + 2, delegate="node3"),
        ev("node2", "failed", T0 + 0.5),
    ]
    ordered = sort_history(events)
    assert ordered[0].state == "pending"
    assert [e.completed for e in ordered[1:]] == [T0 + 5, T0 + 3, T0 + 2, T0 + 1, T0 + 0.5]
    reduced = reduce_history(ordered)
    # newest success; newest failure per delegate; pending kept
    assert [(e.state, e.completed, e.delegate) for e in reduced] == [
        ("pending", None, None),
        ("done", T0 + 5, "node1"),
        ("failed", T0 + 2, "node3"),
        ("failed", T0 + 1, "node1"),
    ]
    assert later_succeeded(reduced[3], reduced) == "node1"
    assert later_succeeded(reduced[1], reduced) is None


def test_the_daemon_record() -> None:
    hist = FenceHistory()
    hist.pending("op1", "node2", "reboot", "node1", "pycrm-controld")
    assert [e.state for e in hist] == ["pending"]
    hist.record(ev("node2", "done", T0, op_id="op1"))
    assert [e.state for e in hist] == ["done"] and len(hist) == 1
    assert hist.last_fenced("NODE2") == T0 and hist.last_fenced("node3") is None
    again = FenceHistory.from_list(json.loads(json.dumps(hist.to_list())))
    assert list(again) == list(hist)
    hist.clear("node2")
    assert len(hist) == 0
    small = FenceHistory(limit=3)
    for i in range(5):
        small.record(ev("node2", "done", T0 + i))
    assert [e.completed for e in small.events()] == [T0 + 4, T0 + 3, T0 + 2]
    assert FenceHistory().limit == HISTORY_LIMIT
    with pytest.raises(ValueError, match="state"):
        ev("node2", "exploded")
    with pytest.raises(ValueError, match="completed"):
        FenceEvent.from_dict({**ev("n", "done", T0).to_dict(), "completed": "soon"})
    with pytest.raises(ValueError, match="expected a list"):
        FenceHistory.from_list({})


def test_crm_mon_lines() -> None:
    failed = ev("node2", "failed", T0, exit_reason="Timed out")
    later = ev("node2", "done", T0 + 60)
    off = ev("node3", "pending", action="off")
    at = iso_time(int(T0))
    assert fencing.describe(failed, full=False, later=None) == (
        f"reboot of node2 by node1 for pycrm-controld@node1 last failed (Timed out) at {at}"
    )
    assert fencing.describe(failed, full=True, later="node3").endswith(
        f"failed (Timed out) at {at} (a later attempt from node3 succeeded)"
    )
    assert fencing.describe(off, full=False, later=None) == (
        "turning off of node3 for pycrm-controld@node1 last pending"
    )
    unfence = ev("node4", "done", T0, action="on")
    assert fencing.describe(unfence, full=True, later=None).startswith("unfencing of node4 by")
    events = [failed, later, off]
    assert fencing.failed_lines(events, 1)[0] == "Failed Fencing Actions:"
    assert "(a later attempt from node1 succeeded)" in fencing.failed_lines(events, 1)[1]
    assert fencing.history_lines(events, 1) == [
        "Pending Fencing Actions:",
        "  * turning off of node3 for pycrm-controld@node1 last pending",
    ]
    two = fencing.history_lines(events, 2)
    assert two[0] == "Fencing History:" and len(two) == 3
    done_at = iso_time(int(T0 + 60))
    assert (
        two[2] == f"  * reboot of node2 by node1 for pycrm-controld@node1 successful at {done_at}"
    )
    assert fencing.failed_lines(events, 2)[1].startswith(
        "  * reboot of node2 by node1 for pycrm-controld@node1 failed (Timed out)"
    )
    assert fencing.failed_lines(events, 0) == fencing.history_lines(events, 0) == []
    assert fencing.failed_lines([later], 1) == [] and fencing.history_lines([later], 1) == []


def _status(events: tuple[FenceEvent, ...]) -> object:
    model = cib.loads(scenario_xml("healthy"))
    snap = DaemonSnapshot(
        cluster_name="web",
        stack="pycrm",
        local_node="node1",
        dc="node1",
        dc_version="0.1.0",
        have_quorum=True,
        last_updated=T0 + 100,
        fence_history=events,
    )
    assert DaemonSnapshot.from_dict(json.loads(json.dumps(snap.to_dict()))) == snap
    return collect(model, snap)


def test_status_outputs_show_the_history() -> None:
    events = (
        ev("node2", "failed", T0, exit_reason="Timed out"),
        ev("node3", "done", T0 + 5),
        ev("node2", "pending"),
    )
    st = _status(events)
    out = text.render(st)  # type: ignore[arg-type]
    assert "\nFailed Fencing Actions:\n  * reboot of node2 by node1" in out
    assert out.rstrip().endswith("reboot of node2 for pycrm-controld@node1 last pending")
    assert "Fencing History:" not in out
    assert "Fencing History:" in text.render(st, fence_history=2)  # type: ignore[arg-type]
    doc = xmlout.render(st, "pycrm status --output-as=xml")  # type: ignore[arg-type]
    root = etree.fromstring(doc.encode())
    events_xml = root.findall("fence_history/fence_event")
    assert [e.get("status") for e in events_xml] == ["pending", "success", "failed"]
    assert events_xml[2].get("exit-reason") == "Timed out"
    require_path(RNG, "Pacemaker's API schema")
    schema = etree.RelaxNG(etree.parse(RNG))
    assert schema.validate(root), schema.error_log.filter_from_errors()
    data = jsonout.document(st, "x")  # type: ignore[arg-type]
    assert [e["status"] for e in data["fence_history"]] == ["pending", "success", "failed"]
    assert root.find("fence_history") is not None
    empty = xmlout.render(_status(()), "x")  # type: ignore[arg-type]
    assert "fence_history" not in empty
