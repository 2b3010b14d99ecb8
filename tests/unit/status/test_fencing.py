"""The fencing history seam (pycrm.status.fencing): crm_mon's words in the text, its
fence_history element in the XML (valid against the installed API schema), the JSON."""

from __future__ import annotations

import dataclasses
import json

from lxml import etree

import cib
from pycrm.status import jsonout, text, xmlout
from pycrm.status.collect import collect
from pycrm.status.fencing import FenceEvent
from pycrm.status.snapshot import DaemonSnapshot
from tests.fixtures.tools import require_path
from tests.support.statuscib import scenario_xml
from tests.unit.cli.transcript import utc
from tests.unit.status.golden import RNG
from tests.unit.status.test_cli import _snapshot

T = 1_700_000_000.0
HISTORY = (
    FenceEvent("node3", "reboot", "pending", "pycrm-controld.77", "node1"),
    FenceEvent("node2", "reboot", "success", "pycrm-controld.77", "node1", "node3", T + 60),
    FenceEvent("node2", "reboot", "failed", "pycrm-controld.77", "node1", "node3", T, "timed out"),
)


def _status(history: tuple[FenceEvent, ...]) -> tuple[DaemonSnapshot, cib.Cib]:
    snap = dataclasses.replace(_snapshot(), fencing=history)
    return snap, cib.loads(scenario_xml("healthy"))


def test_text_shows_failed_and_pending_actions_like_crm_mon() -> None:
    snap, model = _status(HISTORY)
    with utc():
        out = text.render(collect(model, snap))
        full = text.render(collect(model, snap), fence_history=3)
    assert out.endswith(
        "\nFailed Fencing Actions:\n"
        "  * reboot of node2 failed: delegate=node3, client=pycrm-controld.77, origin=node1,"
        " last-failed='2023-11-14 22:13:20Z' (a later attempt succeeded)\n"
        "\nPending Fencing Actions:\n"
        "  * reboot of node3 pending: client=pycrm-controld.77, origin=node1\n"
    )
    assert "\nFencing History:\n  * reboot of node3 pending: client=pycrm-controld.77" in full
    assert (
        "  * reboot of node2 successful: delegate=node3, client=pycrm-controld.77,"
        " origin=node1, completed='2023-11-14 22:14:20Z'\n"
    ) in full
    assert "Fencing" not in text.render(collect(model, snap), fence_history=0)
    plain, model = _status(())
    assert "Fencing" not in text.render(collect(model, plain), fence_history=3)


def test_xml_and_json_carry_the_whole_history() -> None:
    snap, model = _status(HISTORY)
    with utc():
        doc = etree.fromstring(xmlout.render(collect(model, snap), "pycrm status").encode())
    events = doc.findall("fence_history/fence_event")
    assert [(e.get("target"), e.get("status")) for e in events] == [
        ("node3", "pending"),
        ("node2", "success"),
        ("node2", "failed"),
    ]
    assert events[2].get("exit-reason") == "timed out"
    assert events[1].get("completed") == "2023-11-14 22:14:20Z"
    assert [child.tag for child in doc][-2:] == ["fence_history", "status"]
    require_path(RNG, "Pacemaker's API schema")
    schema = etree.RelaxNG(etree.parse(str(RNG)))
    assert schema.validate(doc), schema.error_log
    data = json.loads(jsonout.render(collect(model, snap), "pycrm status"))
    assert data["fence_history"][2] == {
        "action": "reboot",
        "target": "node2",
        "client": "pycrm-controld.77",
        "origin": "node1",
        "status": "failed",
        "delegate": "node3",
        "completed": T,
        "exit_reason": "timed out",
    }


def test_the_snapshot_carries_it_through_the_control_socket() -> None:
    snap, _ = _status(HISTORY)
    again = DaemonSnapshot.from_dict(json.loads(json.dumps(snap.to_dict())))
    assert again == snap
    old = snap.to_dict()
    del old["fencing"]  # a daemon without a fencer
    assert DaemonSnapshot.from_dict(old).fencing == ()
