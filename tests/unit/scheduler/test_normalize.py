"""pycrm.simulate.normalize: crm_simulate text/XML and pycrm transitions in one shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import cib
from pycrm.scheduler import schedule
from pycrm.simulate.normalize import (
    base_id,
    from_crm_simulate_xml,
    from_summary,
    from_transition,
    group_members,
    summary_verbs,
)
from tests.unit.scheduler.cibtext import make, node_state, prim, running

TEXT = """Current cluster status:
  * Node List:
    * Online: [ n1 ]

Transition Summary:
  * Move       a       ( n1 -> n2 )
  * Start      c:1     (       n3 )

Executing Cluster Transition:

Revised Cluster Status:
  * Node List:
    * Node n4: standby
    * Node n5: UNCLEAN (offline)
    * Online: [ n1 n2 ]
    * OFFLINE: [ n3 ]

  * Full List of Resources:
    * a\t(ocf:heartbeat:Dummy):\t Started n2
    * b\t(ocf:heartbeat:Dummy):\t FAILED [ n1 n2 ]
    * x\t(ocf:heartbeat:Dummy):\t FAILED n2 (blocked)
    * y\t(ocf:heartbeat:Dummy):\t Started n1 (disabled, unmanaged)
    * z\t(ocf:heartbeat:Dummy):\t Stopped (disabled)
    * Clone Set: cl [g] (promotable):
      * Promoted: [ n1 ]
      * Unpromoted: [ n2 ]
      * Stopped: [ n3 ]
    * Clone Set: u [p] (unique):
      * p:0\t(ocf:heartbeat:Dummy):\t Unpromoted n1
"""

XML = """<pacemaker-result api-version="2.25" request="crm_simulate -S">
<revised_cluster_status>
  <nodes>
    <node name="n1" online="true" standby="false" maintenance="false"/>
    <node name="n2" online="true" standby="true" maintenance="false"/>
    <node name="n3" online="false" unclean="true"/>
  </nodes>
  <resources>
    <resource id="a" role="Started" managed="true" failed="false" blocked="false">
      <node name="n1"/>
    </resource>
    <clone id="c">
      <resource id="p:0" role="Promoted" managed="false" failed="false" blocked="false">
        <node name="n2"/>
      </resource>
      <resource id="p:1" role="Stopped" managed="true" failed="false" blocked="false"/>
    </clone>
  </resources>
</revised_cluster_status>
</pacemaker-result>"""


def test_from_summary() -> None:
    got = from_summary(TEXT, {"g": ["m1", "m2"]})
    assert got["nodes"] == {
        "n1": "online",
        "n2": "online",
        "n3": "OFFLINE",
        "n4": "standby",
        "n5": "UNCLEAN",
    }
    assert got["rsc"] == sorted(
        [
            ("a", "Started", "n2", ()),
            ("b", "Started", "n1", ("failed",)),
            ("b", "Started", "n2", ("failed",)),
            ("x", "Started", "n2", ("failed", "blocked")),
            ("y", "Started", "n1", ("unmanaged",)),
            ("m1", "Promoted", "n1", ()),
            ("m2", "Promoted", "n1", ()),
            ("m1", "Unpromoted", "n2", ()),
            ("m2", "Unpromoted", "n2", ()),
            ("p", "Unpromoted", "n1", ()),
        ]
    )


def test_from_summary_requires_section() -> None:
    with pytest.raises(ValueError):
        from_summary("nothing here")


def test_from_xml() -> None:
    got = from_crm_simulate_xml(XML)
    assert got["nodes"] == {"n1": "online", "n2": "standby", "n3": "UNCLEAN"}
    assert got["rsc"] == [("a", "Started", "n1", ()), ("p", "Promoted", "n2", ("unmanaged",))]


def test_summary_verbs_and_ids() -> None:
    assert summary_verbs(TEXT) == [("Move", "a"), ("Start", "c")]
    assert base_id("rsc:12") == "rsc" and base_id("rsc") == "rsc"


def test_group_members() -> None:
    xml = '<cib><group id="g"><primitive id="a"/><primitive id="b"/></group></cib>'
    assert group_members(xml) == {"g": ["a", "b"]}


def test_from_transition_target_and_current() -> None:
    c = make(
        prim("a") + prim("b", {"target-role": "Stopped"}),
        node_state("n1", running("a"), running("b")) + node_state("n2"),
    )
    transition = schedule(c)
    assert from_transition(transition)["rsc"] == [("a", "Started", "n1", ())]
    assert from_transition(transition, revised=False)["rsc"] == [
        ("a", "Started", "n1", ()),
        ("b", "Started", "n1", ()),
    ]


@pytest.mark.parametrize("read", [group_members, from_crm_simulate_xml])
def test_xml_inputs_go_through_the_hardened_parser(read: Callable[[str], object]) -> None:
    with pytest.raises(cib.CibError, match="DOCTYPE"):
        read("<!DOCTYPE cib>\n<cib/>")
    network = '<!DOCTYPE cib SYSTEM "http://example.invalid/cib.dtd">\n<cib/>'
    with pytest.raises(cib.CibError, match="network"):
        read(network)
    entity = '<!DOCTYPE cib [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<cib id="&x;"/>'
    with pytest.raises(cib.CibError):
        read(entity)
