"""priority-fencing-delay and pcmk_delay_base in a fence race.

The requested delay is checked against crm_simulate's transition graph: Pacemaker's
scheduler writes it on the fencing action as CRM_meta_priority_fencing_delay.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree

import cib
from pycrm.fencing.device import FenceDevice
from pycrm.fencing.priority import (
    Member,
    fence_race,
    node_priorities,
    priority_fencing_delay,
    race_winner,
    requested_delay,
    resource_priority,
)
from tests.fixtures.tools import require_tool

MEMBER = 'in_ccm="true" crmd="online" join="member" expected="member"'
LOST = 'in_ccm="false" crmd="offline" join="member" expected="member"'


def _op(rsc: str, op: str, rc: int, call: int, interval: int = 0) -> str:
    key = f"{rsc}_{op}_{interval}"
    return (
        f'<lrm_rsc_op id="{key}" operation_key="{key}" operation="{op}" '
        f'crm-debug-origin="test" crm_feature_set="3.16.1" '
        f'transition-key="{call}:1:0:abc" transition-magic="0:{rc};{call}:1:0:abc" '
        f'call-id="{call}" rc-code="{rc}" op-status="0" interval="{interval}" '
        f'last-rc-change="1700000000" exec-time="10" queue-time="0" op-digest="x"/>'
    )


def _history(rsc: str, running: bool, *, failed: bool = False, call: int = 10) -> str:
    ops = _op(rsc, "start", 0, call) if running else _op(rsc, "monitor", 7, call)
    if failed:
        ops += _op(rsc, "monitor", 1, call + 1, 10000)
    agent = 'class="ocf" provider="heartbeat" type="Dummy"'
    return f'<lrm_resource id="{rsc}" {agent}>{ops}</lrm_resource>'


def make_cib(
    online: dict[str, bool],
    resources: list[tuple[str, int | None, str, bool]],  # id, priority, node, failed
    *,
    delay: str = "15s",
    group_priority: int | None = None,
) -> str:
    names = list(online)
    nodes = "".join(f'<node id="{i + 1}" uname="{n}"/>' for i, n in enumerate(names))
    prims = "".join(
        f'<primitive id="{rid}" class="ocf" provider="heartbeat" type="Dummy">'
        + (
            f'<meta_attributes id="{rid}-meta"><nvpair id="{rid}-p" name="priority" '
            f'value="{prio}"/></meta_attributes>'
            if prio is not None
            else ""
        )
        + f'<operations><op id="{rid}-mon" name="monitor" interval="10s"/></operations>'
        "</primitive>"
        for rid, prio, _node, _failed in resources
    )
    if group_priority is not None:
        prims = (
            f'<group id="grp"><meta_attributes id="grp-meta"><nvpair id="grp-p" '
            f'name="priority" value="{group_priority}"/></meta_attributes>{prims}</group>'
        )
    states = []
    for i, name in enumerate(names):
        hist = "".join(
            _history(rid, node == name, failed=failed and node == name, call=10 + 2 * k)
            for k, (rid, _p, node, failed) in enumerate(resources)
        )
        hist += '<lrm_resource id="fence" class="stonith" type="fence_dummy">'
        hist += _op("fence", "start" if i == 0 else "monitor", 0 if i == 0 else 7, 99)
        hist += "</lrm_resource>"
        state = MEMBER if online[name] else LOST
        states.append(
            f'<node_state id="{i + 1}" uname="{name}" {state}><lrm id="{i + 1}">'
            f"<lrm_resources>{hist}</lrm_resources></lrm></node_state>"
        )
    return f"""<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1"
  num_updates="1" admin_epoch="0" have-quorum="0" dc-uuid="1">
  <configuration><crm_config><cluster_property_set id="o">
    <nvpair id="o1" name="stonith-enabled" value="true"/>
    <nvpair id="o2" name="no-quorum-policy" value="ignore"/>
    <nvpair id="o3" name="priority-fencing-delay" value="{delay}"/>
  </cluster_property_set></crm_config>
  <nodes>{nodes}</nodes>
  <resources><primitive id="fence" class="stonith" type="fence_dummy"/>{prims}</resources>
  <constraints/></configuration>
  <status>{"".join(states)}</status></cib>"""


def crm_simulate_delays(xml: str, tmp_path: Path) -> dict[str, int]:
    """target -> CRM_meta_priority_fencing_delay (0 when absent) from the graph."""
    require_tool("crm_simulate")
    case, graph = tmp_path / "case.xml", tmp_path / "graph.xml"
    case.write_text(xml)
    subprocess.run(
        ["crm_simulate", "-x", str(case), "-S", "-G", str(graph)],
        capture_output=True,
        timeout=120,
        check=True,
    )
    out: dict[str, int] = {}
    for event in etree.parse(str(graph)).iterfind(".//crm_event[@operation='stonith']"):
        attrs = event.find("attributes")
        value = attrs.get("CRM_meta_priority_fencing_delay") if attrs is not None else None
        out[str(event.get("on_node"))] = int(value or 0)
    return out


SCENARIOS = {
    "target-runs-more": ({"node1": True, "node2": False},
                         [("a", 5, "node1", False), ("b", 10, "node2", False)], {}),
    "target-runs-less": ({"node1": True, "node2": False},
                         [("a", 10, "node1", False), ("b", 5, "node2", False)], {}),
    "equal": ({"node1": True, "node2": False},
              [("a", 5, "node1", False), ("b", 5, "node2", False)], {}),
    "disabled": ({"node1": True, "node2": False},
                 [("a", 5, "node1", False), ("b", 10, "node2", False)], {"delay": "0"}),
    "failed-counts-nothing": ({"node1": True, "node2": False},
                              [("a", 5, "node1", False), ("b", 10, "node2", True)], {}),
    "minutes": ({"node1": True, "node2": False},
                [("a", 1, "node1", False), ("b", 2, "node2", False)], {"delay": "2min"}),
    "group-priority-inherited": ({"node1": True, "node2": False},
                                 [("a", None, "node1", False), ("b", None, "node2", False),
                                  ("c", None, "node2", False)], {"group_priority": 3}),
    "three-nodes-one-left": ({"node1": True, "node2": False, "node3": False},
                             [("a", 1, "node1", False), ("b", 9, "node2", False),
                              ("c", 2, "node3", False)], {}),
    "three-nodes-majority": ({"node1": True, "node2": False, "node3": True},
                             [("a", 1, "node1", False), ("b", 9, "node2", False),
                              ("c", 2, "node3", False)], {}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_requested_delay_matches_crm_simulate(name: str, tmp_path: Path) -> None:
    online, resources, kw = SCENARIOS[name]
    xml = make_cib(online, resources, **kw)  # type: ignore[arg-type]
    expected = crm_simulate_delays(xml, tmp_path)
    assert expected, "crm_simulate scheduled no fencing"
    model = cib.loads(xml.encode())
    assert {t: requested_delay(model, t) for t in expected} == expected


def test_node_priorities() -> None:
    xml = make_cib(
        {"node1": True, "node2": False},
        [("a", 5, "node1", False), ("b", 10, "node2", False), ("c", 4, "node2", True)],
    )
    assert node_priorities(cib.loads(xml.encode())) == {"node1": 5, "node2": 10}
    grouped = make_cib(
        {"node1": True, "node2": False},
        [("a", None, "node1", False), ("b", None, "node2", False), ("c", None, "node2", False)],
        group_priority=7,
    )
    assert node_priorities(cib.loads(grouped.encode())) == {"node1": 7, "node2": 14}


def test_rules() -> None:
    assert resource_priority(5, promoted=True, failed=False) == 6
    assert resource_priority(0, promoted=True, failed=False) == 0
    assert resource_priority(5, promoted=False, failed=True) == 0
    members = {"a": Member(True, 1), "b": Member(False, 3)}
    assert priority_fencing_delay("b", members, 10) == 10
    assert priority_fencing_delay("a", members, 10) == 0  # online: in our partition
    assert priority_fencing_delay("zz", members, 10) == 0
    assert priority_fencing_delay("b", members, 0) == 0


def test_two_node_race_is_decided_by_priorities() -> None:
    a, b = fence_race(
        "node1", "node2", priorities={"node1": 10, "node2": 5}, priority_fencing_delay_s=15
    )
    # node2 fencing node1 (the more important node) waits; node1 fences node2 at once
    assert (a.node, a.target, a.wait_s) == ("node1", "node2", 0)
    assert (b.node, b.target, b.wait_s) == ("node2", "node1", 15)
    assert race_winner((a, b)) == "node1"


def test_two_node_race_with_static_device_delays() -> None:
    shared = FenceDevice("fence", "fence_netns", {"pcmk_delay_base": "node1:0;node2:10s"})
    delays = {t: shared.delay_base("reboot", t) for t in ("node1", "node2")}
    sides = fence_race(
        "node1",
        "node2",
        priorities={"node1": 5, "node2": 5},
        priority_fencing_delay_s=15,
        device_delay_s=delays,
    )
    # equal priorities: only the device delays count; node2 is fenced after 10 s
    assert [s.wait_s for s in sides] == [10, 0]
    assert race_winner(sides) == "node2"
    # priorities and static delays add up
    sides = fence_race(
        "node1",
        "node2",
        priorities={"node1": 1, "node2": 5},
        priority_fencing_delay_s=30,
        device_delay_s=delays,
    )
    assert [(s.priority_delay_s, s.device_delay_s) for s in sides] == [(30, 10), (0, 0)]
    assert race_winner(sides) == "node2"
    tie = fence_race("n1", "n2", priorities={}, priority_fencing_delay_s=15)
    assert race_winner(tie) is None
