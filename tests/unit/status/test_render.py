"""pycrm status rendering details: words, node states, the daemon snapshot, payload, JSON."""

from __future__ import annotations

import json
import time

import pytest
from lxml import etree

import cib
from pycrm.status import jsonout, text, xmlout
from pycrm.status.collect import collect, format_time, node_membership
from pycrm.status.payload import PayloadError, parse_status_payload, status_payload
from pycrm.status.snapshot import DaemonSnapshot, LastChange, offline_snapshot
from pycrm.status.words import exec_text, rc_text, readable_interval
from tests.support.statuscib import scenario_xml

NOW = 1_700_000_500.0


@pytest.mark.parametrize(
    ("ms", "words"),
    [
        (0, "0s"),
        (1, "1ms"),
        (1000, "1000ms"),  # a unit is used only for strictly more than one of it
        (1500, "1.500s"),
        (10_000, "10s"),
        (60_000, "60s"),
        (61_000, "1m1000ms"),
        (3_600_000, "60m"),
        (3_661_001, "1h1m1.001s"),
        (86_400_000, "24h"),
        (172_800_000, "2d"),
    ],
)
def test_readable_interval_is_pacemaker_2_1_5s(ms: int, words: str) -> None:
    assert readable_interval(ms) == words


def test_result_words() -> None:
    assert [rc_text(rc) for rc in (0, 7, 8, 190, 42)] == [
        "ok",
        "not running",
        "promoted",
        "OCF_DEGRADED",
        "unknown",
    ]
    assert [exec_text(s) for s in (0, 2, 4, 99)] == [
        "complete",
        "Timed Out",
        "Error",
        "Unrecognized status (bug?)",
    ]


def _status(**attrs: str) -> cib.model.NodeStatus:
    in_ccm = attrs.get("in_ccm") == "true"
    return cib.model.NodeStatus(id="1", uname="n", in_ccm=in_ccm, attrs=attrs)


@pytest.mark.parametrize(
    ("attrs", "fencing", "expect"),
    [
        ({"in_ccm": "true", "crmd": "online", "join": "member", "expected": "member"}, False,
         (True, False, False)),
        ({"in_ccm": "true", "crmd": "online", "join": "pending", "expected": "member"}, False,
         (False, False, False)),
        ({"in_ccm": "true", "crmd": "online", "join": "pending", "expected": "member"}, True,
         (True, True, False)),
        ({"in_ccm": "true", "crmd": "offline", "join": "down", "expected": "member"}, False,
         (False, False, True)),
        ({"in_ccm": "false", "crmd": "offline", "join": "down", "expected": "member"}, False,
         (False, False, False)),
        ({"in_ccm": "false", "crmd": "offline", "join": "down", "expected": "member"}, True,
         (False, False, True)),
        ({"in_ccm": "false", "crmd": "offline", "join": "down", "expected": "down"}, True,
         (False, False, False)),
    ],
)  # fmt: skip
def test_node_membership_follows_pacemaker(
    attrs: dict[str, str], fencing: bool, expect: tuple[bool, bool, bool]
) -> None:
    mem = node_membership(_status(**attrs), {}, fencing=fencing, startup_fencing=True)
    assert (mem.online, mem.pending, mem.unclean) == expect


def test_never_seen_node_is_unclean_only_with_fencing() -> None:
    assert node_membership(None, {}, fencing=True, startup_fencing=True).unclean
    assert not node_membership(None, {}, fencing=True, startup_fencing=False).unclean
    assert not node_membership(None, {}, fencing=False, startup_fencing=True).unclean


def _daemon_snapshot(**changes: object) -> DaemonSnapshot:
    base = DaemonSnapshot(
        cluster_name="web",
        stack="pycrm",
        local_node="node2",
        dc="node3",
        dc_version="0.1.0",
        have_quorum=False,
        last_updated=NOW,
        membership={"node1": "member", "node2": "member", "node3": "member", "node4": "member",
                    "node5": "lost"},
        last_change=LastChange(time=NOW - 60, user="root", client="pycrm", origin="node2"),
        cib_version=(0, 5, 17),
    )  # fmt: skip
    fields = {**base.__dict__, **changes}
    return DaemonSnapshot(**fields)  # type: ignore[arg-type]


def test_text_takes_what_only_the_daemon_knows_from_the_snapshot() -> None:
    model = cib.loads(scenario_xml("healthy"))  # its CIB names node1 as DC
    st = collect(model, _daemon_snapshot())
    out = text.render(st)
    lines = out.splitlines()
    assert lines[0] == "Cluster name: web"
    assert lines[1] == "Cluster Summary:"
    assert "  * Stack: pycrm" in lines
    assert "  * Current DC: node3 (version 0.1.0) - partition WITHOUT quorum" in lines
    assert f"  * Last updated: {format_time(NOW)} on node2" in lines
    assert f"  * Last change:  {format_time(NOW - 60)} by root via pycrm on node2" in lines
    # node4 and node5 are configured in the daemon but not (yet) in the CIB
    assert "  * 5 nodes configured" in lines
    assert "  * Node node4: pending" in lines
    assert "  * OFFLINE: [ node5 ]" in lines
    assert "  * Online: [ node1 node2 node3 ]" in lines
    assert "Migration Summary:" not in out
    assert "Failed Resource Actions:" not in out


def test_no_dc_and_no_quorum_words() -> None:
    model = cib.loads(scenario_xml("empty"))
    out = text.render(collect(model, _daemon_snapshot(dc=None)))
    assert "  * Current DC: NONE" in out.splitlines()
    assert "Active Resources:\n  * No active resources\n" in out
    assert "Full List of Resources:\n  * No resources\n" in text.render(
        collect(model, _daemon_snapshot()), inactive=True
    )


def test_fail_counts_and_failures_are_shown_whenever_there_are_some() -> None:
    model = cib.loads(scenario_xml("monitor-failure"))
    out = text.render(collect(model, offline_snapshot(model, now=NOW)))
    assert "Migration Summary:\n  * Node: node1:\n    * website: migration-threshold=3" in out
    assert (
        "  * website 10s-interval monitor on node1 returned 'not running'"
        " (httpd is not running) at "
    ) in out


def test_json_has_the_xml_content() -> None:
    model = cib.loads(scenario_xml("failure-handling"))
    st = collect(model, _daemon_snapshot())
    doc = json.loads(jsonout.render(st, "pycrm status --output-as=json"))
    xml = etree.fromstring(xmlout.render(st, "pycrm status --output-as=xml").encode())
    assert doc["schema"] == "pycrm-status/1"
    assert doc["cluster"] == {
        "name": "web",
        "local_node": "node2",
        "cib_version": [0, 5, 17],
        "membership": dict(_daemon_snapshot().membership),
    }
    assert [n["name"] for n in doc["nodes"]] == xml.xpath("nodes/node/@name")
    assert [n["online"] for n in doc["nodes"]] == [
        v == "true" for v in xml.xpath("nodes/node/@online")
    ]
    assert doc["summary"]["current_dc"]["name"] == xml.xpath("summary/current_dc/@name")[0]
    assert doc["summary"]["resources_configured"]["number"] == int(
        xml.xpath("summary/resources_configured/@number")[0]
    )
    assert [f["op_key"] for f in doc["failures"]] == xml.xpath("failures/failure/@op_key")
    assert [f["status"] for f in doc["failures"]] == xml.xpath("failures/failure/@status")
    assert [r["id"] for r in doc["resources"]] == xml.xpath("resources/*/@id")
    history = [(h["node"], r["id"], r["fail_count"]) for h in doc["node_history"]
               for r in h["resources"]]  # fmt: skip
    assert [(n, r) for n, r, _ in history] == [
        (h.getparent().get("name"), h.get("id"))
        for h in xml.xpath("node_history/node/resource_history")
    ]


def test_snapshot_round_trip_and_errors() -> None:
    snap = _daemon_snapshot()
    assert DaemonSnapshot.from_dict(json.loads(json.dumps(snap.to_dict()))) == snap
    bare = offline_snapshot(cib.loads(scenario_xml("healthy")), now=NOW)
    assert DaemonSnapshot.from_dict(bare.to_dict()) == bare
    bad = snap.to_dict()
    bad["have_quorum"] = "yes"
    with pytest.raises(ValueError, match="have_quorum"):
        DaemonSnapshot.from_dict(bad)
    bad = snap.to_dict()
    bad["membership"] = {"node1": "dancing"}
    with pytest.raises(ValueError, match="membership of node1"):
        DaemonSnapshot.from_dict(bad)


def test_payload_round_trip_keeps_the_bytes() -> None:
    data = scenario_xml("healthy").replace(b"</cib>", b"<!-- \xe9\xff --></cib>")
    snap = _daemon_snapshot()
    payload = json.loads(json.dumps(status_payload(data, snap)))
    assert parse_status_payload(payload) == (data, snap)
    for bad in (None, [], {"format": "x"}, {**payload, "cib": 3}, {**payload, "snapshot": {}}):
        with pytest.raises(PayloadError):
            parse_status_payload(bad)


def test_offline_snapshot_reads_the_cib_like_crm_mon() -> None:
    model = cib.loads(scenario_xml("no-quorum"))
    snap = offline_snapshot(model, now=NOW)
    assert (snap.stack, snap.dc, snap.dc_version, snap.have_quorum) == (
        "pycrm",
        "node3",
        "0.1.0-pycrm",
        False,
    )
    assert snap.cluster_name == "web" and snap.cib_version == model.version
    assert time.time() - offline_snapshot(model).last_updated < 60
