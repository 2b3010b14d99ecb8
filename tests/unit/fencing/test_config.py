"""The devices a node's fencer registers, from the CIB."""

from __future__ import annotations

import cib
from pycrm.fencing.config import allowed_by_scores, stonith_devices
from pycrm.scheduler import schedule

CIB = """<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0"
  admin_epoch="0"><configuration><crm_config/>
  <nodes><node id="1" uname="node1"><instance_attributes id="n1-ia">
    <nvpair id="n1-rack" name="rack" value="a"/></instance_attributes></node>
    <node id="2" uname="node2"/></nodes>
  <resources>
    <primitive id="f-map" class="stonith" type="fence_netns">
      <instance_attributes id="f-map-ia">
        <nvpair id="f-map-m" name="pcmk_host_map" value="node1:ns1;node2:ns2"/>
        <nvpair id="f-map-a" name="action" value="off"/>
      </instance_attributes>
      <instance_attributes id="f-map-rack">
        <rule id="f-map-rule" score="0"><expression id="f-map-e" attribute="rack"
          operation="eq" value="a"/></rule>
        <nvpair id="f-map-d" name="pcmk_delay_base" value="3s"/>
      </instance_attributes>
    </primitive>
    <primitive id="f-off" class="stonith" type="fence_dummy">
      <meta_attributes id="f-off-meta"><nvpair id="f-off-t" name="target-role"
        value="Stopped"/></meta_attributes>
    </primitive>
    <primitive id="f-banned" class="stonith" type="fence_dummy"/>
    <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
  </resources>
  <constraints><rsc_location id="ban" rsc="f-banned" node="node2" score="-INFINITY"/>
  </constraints></configuration><status/></cib>"""


def test_devices_are_read_for_the_node() -> None:
    model = cib.loads(CIB.encode())
    on1 = stonith_devices(model, "node1")
    assert [d.id for d in on1] == ["f-map", "f-banned"]
    # the "action" parameter is mapped; rules see the node's attributes
    assert on1[0].params == {
        "pcmk_host_map": "node1:ns1;node2:ns2",
        "pcmk_reboot_action": "off",
        "pcmk_delay_base": "3s",
    }
    on2 = stonith_devices(model, "node2")
    assert "pcmk_delay_base" not in on2[0].params
    allowed = allowed_by_scores(schedule(model), "node2")
    assert [d.id for d in stonith_devices(model, "node2", allowed=allowed)] == ["f-map"]
