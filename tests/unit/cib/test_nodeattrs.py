from __future__ import annotations

from datetime import UTC, datetime

import cib
from cib.nodeattrs import node_attributes
from tests.fixtures.tools import require_path

from .conftest import CASES_DIR

TEXT = """<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" dc-uuid="2">
<configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    <nvpair id="cn" name="cluster-name" value="demo"/></cluster_property_set></crm_config>
  <nodes>
    <node id="1" uname="n1">
      <instance_attributes id="n1-a">
        <nvpair id="n1-a1" name="rack" value="r1"/><nvpair id="n1-a2" name="pingd" value="1"/>
      </instance_attributes>
      <instance_attributes id="n1-night" score="10">
        <rule id="night" score="0"><date_expression id="nd" operation="date_spec">
          <date_spec id="nds" hours="0-5"/></date_expression></rule>
        <nvpair id="n1-n1" name="rack" value="night-rack"/>
      </instance_attributes>
    </node>
    <node id="2" uname="n2"/>
  </nodes><resources/><constraints/>
</configuration>
<status>
  <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
    <transient_attributes id="1"><instance_attributes id="st-1">
      <nvpair id="st-1-p" name="pingd" value="300"/></instance_attributes></transient_attributes>
  </node_state>
</status></cib>"""


def test_builtins_permanent_and_transient() -> None:
    c = cib.loads(TEXT)
    day = datetime(2024, 1, 1, 12, tzinfo=UTC)
    attrs = node_attributes(c, "n1", now=day)
    assert attrs == {
        "#uname": "n1",
        "#id": "1",
        "#kind": "cluster",
        "#is_dc": "false",
        "#cluster-name": "demo",
        "#site-name": "demo",
        "rack": "r1",
        "pingd": "300",  # transient overrides permanent
    }
    night = datetime(2024, 1, 1, 3, tzinfo=UTC)
    assert node_attributes(c, "n1", now=night)["rack"] == "night-rack"
    assert node_attributes(c, "n2")["#is_dc"] == "true"


def test_case_transient_attributes() -> None:
    require_path(CASES_DIR, "the stored Pacemaker scheduler cases")
    c = cib.load(CASES_DIR / "attrs8.xml")
    assert node_attributes(c, "node2")["pingd"] == "400"
