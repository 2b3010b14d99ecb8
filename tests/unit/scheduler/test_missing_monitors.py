"""A configured recurring monitor missing from the history of an active resource is scheduled
(checked with crm_simulate 2.1.5: after a probe finds the resource running, the transition
holds only ``vip monitor=10000 on node1``)."""

from __future__ import annotations

import cib
from pycrm.scheduler import schedule

DIGEST = "f2317cad3d54cec5d7d7aa7d0bf35cf8"  # Pacemaker's op-digest of a Dummy without params
# ... and of its 10 s monitor (CRM_meta_timeout=20000 is kept for recurring operations); a
# recorded monitor without one is rescheduled by crm_simulate 2.1.5, so the fixture needs it
MONITOR_DIGEST = "4811cef7f7f94e3a35a70be7916cb2fd"


def _cib(node1_ops: str) -> str:
    return f"""<cib validate-with="pacemaker-3.9" epoch="3" num_updates="0" admin_epoch="0"
      have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources><primitive id="vip" class="ocf" provider="heartbeat" type="Dummy">
      <operations><op id="vip-mon" name="monitor" interval="10s"/></operations>
    </primitive></resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources><lrm_resource id="vip" class="ocf" provider="heartbeat"
          type="Dummy">{node1_ops}</lrm_resource></lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="2"><lrm_resources><lrm_resource id="vip" class="ocf" provider="heartbeat"
          type="Dummy"><lrm_rsc_op id="vip_last_0" operation_key="vip_monitor_0"
          operation="monitor" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x"
          call-id="1" rc-code="7" op-status="0" interval="0" op-digest="{DIGEST}"
          on_node="node2"/></lrm_resource></lrm_resources></lrm>
    </node_state>
  </status>
</cib>"""


PROBE_FOUND_RUNNING = (
    '<lrm_rsc_op id="vip_last_0" operation_key="vip_monitor_0" operation="monitor"'
    ' transition-key="1:1:7:x" transition-magic="0:0;1:1:7:x" call-id="1" rc-code="0"'
    f' op-status="0" interval="0" op-digest="{DIGEST}" on_node="node1"/>'
)
MONITOR_RECORDED = (
    '<lrm_rsc_op id="vip_monitor_10000" operation_key="vip_monitor_10000" operation="monitor"'
    ' transition-key="2:1:0:x" transition-magic="0:0;2:1:0:x" call-id="2" rc-code="0"'
    f' op-status="0" interval="10000" op-digest="{MONITOR_DIGEST}" on_node="node1"/>'
)


def _actions(xml: str) -> list[tuple[str, str, str | None, int]]:
    t = schedule(cib.loads(xml))
    return [(a.rsc, a.task, a.node, a.interval_ms) for a in t.actions if not a.pseudo]


def test_adopted_resource_gets_its_recurring_monitor() -> None:
    assert _actions(_cib(PROBE_FOUND_RUNNING)) == [("vip", "monitor", "node1", 10000)]


def test_recorded_monitor_is_not_scheduled_again() -> None:
    assert _actions(_cib(PROBE_FOUND_RUNNING + MONITOR_RECORDED)) == []
