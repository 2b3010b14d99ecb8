"""ha_cluster_exporter's metrics from pycrm's status view, against what the exporter itself
would export from the installed crm_mon's XML on the same CIBs (its collector's rules,
re-implemented here from its source: node flags, resources by group and clone, node history,
cluster options, last change), plus the corosync-side mapping of heartbeat's membership."""

from __future__ import annotations

import calendar
import itertools
import math
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from lxml import etree
from prometheus_client.metrics_core import Metric

import cib
from pycrm.cluster.quorum import QuorumState
from pycrm.metrics.cluster import RESOURCE_STATUSES, corosync_families, pacemaker_families
from pycrm.metrics.model import Membership, Ring
from tests.support.statuscib import SCENARIOS, scenario_xml
from tests.unit.status.golden import crm_mon, status_of

Sample = tuple[str, frozenset[tuple[str, str]], float]


def samples(families: Iterable[Metric]) -> set[Sample]:
    return {(s.name, frozenset(s.labels.items()), s.value) for f in families for s in f.samples}


def _flag(element: etree._Element, name: str) -> float:
    return 1.0 if element.get(name) == "true" else 0.0


def exporter_view(xml: str) -> set[Sample]:
    """What ha_cluster_exporter's pacemaker collector makes of ``crm_mon --output-as=xml``."""
    root = etree.fromstring(xml.encode())
    out: set[Sample] = set()

    def add(metric: str, number: float, **labels: str) -> None:
        out.add((f"ha_cluster_pacemaker_{metric}", frozenset(labels.items()), number))

    options = root.find("summary/cluster_options")
    assert options is not None
    add("stonith_enabled", _flag(options, "stonith-enabled"))
    add("maintenance_mode_enabled", _flag(options, "maintenance-mode"))
    for node in root.iterfind("nodes/node"):
        flags = {
            "online": "online",
            "standby": "standby",
            "standby_onfail": "standby_onfail",
            "maintenance": "maintenance",
            "pending": "pending",
            "unclean": "unclean",
            "shutdown": "shutdown",
            "expected_up": "expected_up",
            "dc": "is_dc",
        }
        for status, attr in flags.items():
            add("nodes", _flag(node, attr), node=node.get("name", ""), type="member", status=status)
    for name, attrs in _node_attributes(root):
        for attr in attrs:
            add(
                "node_attributes",
                1,
                node=name,
                name=attr.get("name", ""),
                value=attr.get("value", ""),
            )

    def resource(rsc: etree._Element, group: str, clone: str) -> None:
        # the exporter keeps one <node> of a resource active on several; pycrm lists each
        nodes = [n.get("name", "") for n in rsc.iterfind("node")] or [""]
        for node, status in itertools.product(nodes, RESOURCE_STATUSES):
            add(
                "resources",
                _flag(rsc, status),
                node=node,
                resource=rsc.get("id", ""),
                role=rsc.get("role", "").lower(),
                managed=rsc.get("managed", ""),
                status=status,
                agent=rsc.get("resource_agent", ""),
                group=group,
                clone=clone,
            )

    for item in root.iterfind("resources/*"):
        if item.tag == "resource":
            resource(item, "", "")
        elif item.tag == "group":
            for rsc in item.iterfind("resource"):
                resource(rsc, item.get("id", ""), "")
        elif item.tag == "clone":
            for rsc in item.iterfind("resource"):  # the exporter skips cloned groups
                resource(rsc, "", item.get("id", ""))
    for node in root.iterfind("node_history/node"):
        for hist in node.iterfind("resource_history"):
            count = float(hist.get("fail-count", "0"))
            args = {"node": node.get("name", ""), "resource": hist.get("id", "")}
            add("fail_count", math.inf if count >= 1_000_000 else count, **args)
            add("migration_threshold", float(hist.get("migration-threshold", "0")), **args)
    change = root.find("summary/last_change")
    if change is not None and change.get("time"):
        parsed = time.strptime(" ".join(change.get("time", "").split()), "%a %b %d %H:%M:%S %Y")
        add("config_last_change", time.mktime(parsed))
    return out


def _node_attributes(root: etree._Element) -> Iterable[tuple[str, list[etree._Element]]]:
    for node in root.iterfind("node_attributes/node"):
        yield node.get("name", ""), list(node.iterfind("attribute"))


def _without_cloned_groups(found: set[Sample]) -> set[Sample]:
    def cloned_group(labels: frozenset[tuple[str, str]]) -> bool:
        d = dict(labels)
        return bool(d.get("group")) and bool(d.get("clone"))

    return {
        s
        for s in found
        if not cloned_group(s[1]) and s[0] != "ha_cluster_pacemaker_location_constraints"
    }


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_pacemaker_metrics_equal_the_exporters_view_of_crm_mon(name: str) -> None:
    data = scenario_xml(name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cib.xml"
        path.write_bytes(data)
        theirs = exporter_view(crm_mon(path, "--output-as=xml"))
    model = cib.loads(data, source=name)
    ours = samples(pacemaker_families(status_of(data, name), model))
    assert _without_cloned_groups(ours) == theirs


def test_cloned_groups_are_exported_with_group_and_clone() -> None:
    data = scenario_xml("clones")
    ours = samples(pacemaker_families(status_of(data), cib.loads(data, source="clones")))
    labels = dict(
        next(
            s[1]
            for s in ours
            if s[0] == "ha_cluster_pacemaker_resources" and dict(s[1]).get("resource") == "dlm"
        )
    )
    assert labels["clone"] == "base-clone" and labels["group"].startswith("base:")


CIB = """<cib validate-with="pacemaker-3.9" epoch="3" num_updates="0" admin_epoch="0">
<configuration><crm_config/>
<nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>
<resources><primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/></resources>
<constraints>
 <rsc_location id="prefer" rsc="web" node="node1" score="100"/>
 <rsc_location id="ban" rsc="web" node="node3" score="-INFINITY" role="Promoted"/>
 <rsc_location id="ruled" rsc="web"><rule id="r" score="5"><expression id="e"
   attribute="#uname" operation="eq" value="node2"/></rule></rsc_location>
</constraints></configuration><status/></cib>"""


def test_location_constraints_carry_their_score() -> None:
    model = cib.loads(CIB.encode(), source="t")
    found = {
        s
        for s in samples(pacemaker_families(status_of(CIB.encode()), model))
        if s[0] == "ha_cluster_pacemaker_location_constraints"
    }
    name = "ha_cluster_pacemaker_location_constraints"
    prefer = {"constraint": "prefer", "node": "node1", "resource": "web", "role": ""}
    ban = {"constraint": "ban", "node": "node3", "resource": "web", "role": "promoted"}
    assert found == {
        (name, frozenset(prefer.items()), 100.0),
        (name, frozenset(ban.items()), -math.inf),
    }


def test_corosync_side_from_quorum_and_links() -> None:
    model = cib.loads(CIB.encode(), source="t")
    view = Membership(
        local_node="node2",
        quorum=QuorumState(quorate=True, votes=2, expected=3, needed=2),
        members=("node1", "node2"),
        rings=(Ring(0, "eth0", 1, 1), Ring(1, "eth1", 1, 0)),
    )
    found = samples(corosync_families(model, view))
    assert ("ha_cluster_corosync_quorate", frozenset(), 1.0) in found
    votes = {dict(s[1])["type"]: s[2] for s in found if s[0] == "ha_cluster_corosync_quorum_votes"}
    assert votes == {"expected_votes": 3, "highest_expected": 3, "total_votes": 2, "quorum": 2}
    members = {
        (dict(s[1])["node"], dict(s[1])["node_id"], dict(s[1])["local"], s[2])
        for s in found
        if s[0] == "ha_cluster_corosync_member_votes"
    }
    assert members == {("node1", "1", "false", 1), ("node2", "2", "true", 1)}
    rings = {dict(s[1])["number"]: s[2] for s in found if s[0] == "ha_cluster_corosync_rings"}
    assert rings == {"0": 1, "1": 0}  # eth1 does not carry the alive peer: faulty
    assert ("ha_cluster_corosync_ring_errors", frozenset(), 1.0) in found


def test_config_last_change_is_cib_last_written_in_local_time() -> None:
    stamp = calendar.timegm((2026, 12, 7, 14, 17, 28, 0, 0, 0))
    written = time.ctime(stamp)
    data = CIB.replace('admin_epoch="0"', f'admin_epoch="0" cib-last-written="{written}"').encode()
    found = samples(pacemaker_families(status_of(data), cib.loads(data, source="t")))
    assert ("ha_cluster_pacemaker_config_last_change", frozenset(), float(stamp)) in found
