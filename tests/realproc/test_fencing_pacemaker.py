"""The fencing history in Pacemaker's words: a real fencer (Pacemaker 2.1.5) fences with
Debian's fence_dummy -- a success, an agent failure, a timeout, no capable device -- and
crm_mon shows its history; pycrm renders the same events the same way (text at every
--fence-history level, and XML), and pycrm's own fencer records the same outcomes."""

from __future__ import annotations

import calendar
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from lxml import etree

from pycrm.fencing.device import FenceDevice
from pycrm.fencing.fencer import FenceRequest
from pycrm.fencing.history import FenceEvent
from pycrm.status import fencing
from tests.fixtures.pacemaker import PacemakerNode
from tests.fixtures.tools import require_path
from tests.support.fencebench import FenceBench

pytestmark = [pytest.mark.realproc, pytest.mark.root]

SECTIONS = ("Failed Fencing Actions:", "Pending Fencing Actions:", "Fencing History:")


def _epoch(text: str) -> float:
    """crm_mon's "2026-12-07 16:19:33Z" (or with +hh:mm) -> epoch seconds."""
    stamp, zone = text[:19], text[19:]
    base = calendar.timegm(time.strptime(stamp, "%Y-%m-%d %H:%M:%S"))
    if zone in ("", "Z"):
        return float(base)
    sign = 1 if zone[0] == "+" else -1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    return float(base - sign * (hours * 3600 + minutes * 60))


def _events(xml: str) -> list[FenceEvent]:
    root = etree.fromstring(xml.encode())
    states = {"success": "done", "failed": "failed", "pending": "pending"}
    return [
        FenceEvent(
            target=str(e.get("target")),
            action=str(e.get("action")),
            state=states[str(e.get("status"))],
            origin=str(e.get("origin")),
            client=str(e.get("client")),
            delegate=e.get("delegate"),
            completed=_epoch(str(e.get("completed"))) if e.get("completed") else None,
            exit_reason=e.get("exit-reason") or "",
        )
        for e in root.iterfind("fence_history/fence_event")
    ]


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line in SECTIONS:
            current = out.setdefault(line, [])
        elif current is not None and line.startswith("  * "):
            current.append(line)
        else:
            current = None
    return out


def _attrs(parent: etree._Element) -> list[list[tuple[str, str]]]:
    return sorted(sorted(dict(e.attrib).items()) for e in parent.iter("fence_event"))


def test_history_matches_crm_mon(pacemaker_node: PacemakerNode) -> None:
    require_path("/usr/sbin/fence_dummy", "fence-agents' fence_dummy")
    node = pacemaker_node
    work = Path(tempfile.mkdtemp(prefix="pycrm-fhist-"))
    status = work / "dummy.status"
    status.write_text("on")
    devices = {
        "fgood": {"status_file": str(status), "pcmk_host_list": "node2"},
        "fbad": {"random_sleep_range": "abc", "pcmk_host_list": "node3"},
        "fslow": {"type": "fail", "pcmk_host_list": "node4"},
    }
    for name, params in devices.items():
        options = [arg for k, v in params.items() for arg in ("--option", f"{k}={v}")]
        reg = node.run(["stonith_admin", "--register", name, "--agent", "fence_dummy", *options])
        assert reg.returncode == 0, reg.stderr
    assert node.run(["stonith_admin", "--fence", "node2", "--timeout", "20"]).returncode == 0
    assert node.run(["stonith_admin", "--fence", "node3", "--timeout", "20"]).returncode != 0
    assert node.run(["stonith_admin", "--fence", "node4", "--timeout", "3"]).returncode != 0
    assert node.run(["stonith_admin", "--reboot", "node9", "--timeout", "5"]).returncode != 0

    xml = node.run(["crm_mon", "-1", "--fence-history=3", "--output-as=xml"], check=True).stdout
    events = _events(xml)
    by_target = {e.target: e for e in events}
    assert set(by_target) == {"node2", "node3", "node4", "node9"}
    for level in (1, 2, 3):
        text = node.run(["crm_mon", "-1", f"--fence-history={level}"], check=True).stdout
        theirs = _sections(text)
        lines = [*fencing.failed_lines(events, level), "", *fencing.history_lines(events, level)]
        ours = _sections("\n".join(lines))
        assert {k: sorted(v) for k, v in ours.items()} == {
            k: sorted(v) for k, v in theirs.items()
        }, text
    ours_xml = etree.Element("pacemaker-result")
    fencing.add_xml(ours_xml, events, 3)
    theirs_xml = etree.fromstring(xml.encode()).find("fence_history")
    assert theirs_xml is not None
    assert _attrs(ours_xml) == _attrs(theirs_xml)

    # pycrm's fencer, with the same devices, records the same kind of outcome
    bench = FenceBench("node1", str(work))
    try:
        bench.fencer.set_devices([FenceDevice(n, "fence_dummy", p) for n, p in devices.items()])
        for target, timeout in (("node2", 20), ("node3", 20), ("node4", 3), ("node9", 5)):
            action = "reboot" if target == "node9" else "off"
            out = bench.fence(
                FenceRequest(f"op-{target}", target, action, timeout_s=timeout, origin="node1")
            )
            ours_event, theirs_event = out.event(), by_target[target]
            assert ours_event.state == theirs_event.state, target
            assert ours_event.delegate == theirs_event.delegate, target
            assert ours_event.exit_reason == theirs_event.exit_reason, target
    finally:
        bench.close()
        shutil.rmtree(work, ignore_errors=True)
