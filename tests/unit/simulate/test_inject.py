"""Status-section injections (crm_simulate's --node-up / --node-fail / --op-inject)."""

from __future__ import annotations

import pytest
from lxml import etree

from pycrm.simulate import inject

CIB = b"""<cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="1" num_updates="0">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2"/>
    </nodes>
    <resources>
      <primitive id="rsc_a" class="ocf" provider="pacemaker" type="Dummy"/>
      <clone id="cl"><primitive id="child" class="ocf" provider="heartbeat" type="apache"/></clone>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="rsc_a" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="rsc_a_last_0" operation="start" call-id="4" rc-code="0" interval="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>"""


def _root() -> etree._Element:
    return etree.fromstring(CIB)


def _state(root: etree._Element, uname: str) -> etree._Element:
    found = root.find(f"status/node_state[@uname='{uname}']")
    assert found is not None
    return found


def test_parse_op_spec() -> None:
    spec = inject.parse_op_spec("rsc_a_monitor_10000@node1=7")
    assert (spec.rsc, spec.task, spec.interval_ms, spec.node, spec.rc) == (
        "rsc_a",
        "monitor",
        10000,
        "node1",
        7,
    )
    assert str(spec) == "rsc_a_monitor_10000@node1=7"
    assert inject.parse_op_spec("r_migrate_to_0@n=1").task == "migrate_to"


@pytest.mark.parametrize(
    "bad", ["rsc1_monitor@node1=7", "rsc1_monitor_10000node1=7", "rsc1_start_0@node1", "x@y=z", ""]
)
def test_parse_op_spec_rejects(bad: str) -> None:
    with pytest.raises(inject.InjectError):
        inject.parse_op_spec(bad)


def test_node_up_creates_state() -> None:
    root = _root()
    assert inject.node_up(root, "node2") == "Bringing node node2 online"
    state = _state(root, "node2")
    assert state.get("id") == "2"
    assert (state.get("in_ccm"), state.get("crmd"), state.get("join")) == (
        "true",
        "online",
        "member",
    )


def test_node_fail_leaves_membership() -> None:
    root = _root()
    inject.node_fail(root, "node1")
    state = _state(root, "node1")
    assert state.get("in_ccm") == "false"
    assert state.get("expected") == "member"


def test_failed_monitor_records_failure_and_failcount() -> None:
    root = _root()
    spec = inject.parse_op_spec("rsc_a_monitor_10000@node1=7")
    lines = inject.inject_op(root, spec, now=1700000000)
    assert lines[0] == "Injecting rsc_a_monitor_10000@node1=7 into the configuration"
    entry = root.find("status/node_state[@uname='node1']/lrm/lrm_resources/lrm_resource")
    assert entry is not None
    ops = {op.get("id"): op for op in entry.iterfind("lrm_rsc_op")}
    failure = ops["rsc_a_last_failure_0"]
    assert failure.get("call-id") == "5"
    assert failure.get("rc-code") == "7"
    assert failure.get("transition-magic", "").startswith("0:7;5:-1:0:")
    assert "rsc_a_monitor_10000" not in ops  # a failed recurring op keeps only the failure
    names = {
        nv.get("name"): nv.get("value")
        for nv in root.iterfind("status/node_state/transient_attributes/instance_attributes/nvpair")
    }
    assert names["fail-count-rsc_a#monitor_10000"] == "1"
    assert names["last-failure-rsc_a#monitor_10000"] == "1700000000"
    inject.inject_op(root, spec, now=1700000001)
    names = {
        nv.get("name"): nv.get("value")
        for nv in root.iterfind("status/node_state/transient_attributes/instance_attributes/nvpair")
    }
    assert names["fail-count-rsc_a#monitor_10000"] == "2"


def test_failed_start_on_new_node_creates_history() -> None:
    root = _root()
    inject.inject_op(root, inject.parse_op_spec("child:1_start_0@node2=1"), now=1)
    entry = root.find("status/node_state[@uname='node2']/lrm/lrm_resources/lrm_resource")
    assert entry is not None
    assert (entry.get("id"), entry.get("type"), entry.get("provider")) == (
        "child:1",
        "apache",
        "heartbeat",
    )
    ids = sorted(str(op.get("id")) for op in entry.iterfind("lrm_rsc_op"))
    assert ids == ["child:1_last_0", "child:1_last_failure_0"]


def test_probe_not_running_is_no_failure() -> None:
    root = _root()
    lines = inject.inject_op(root, inject.parse_op_spec("rsc_a_monitor_0@node2=7"), now=1)
    assert len(lines) == 1
    assert root.find("status/node_state[@uname='node2']/transient_attributes") is None


def test_unknown_resource_is_an_error() -> None:
    with pytest.raises(inject.InjectError, match="no primitive"):
        inject.inject_op(_root(), inject.parse_op_spec("nope_start_0@node1=1"))


def test_apply_order_and_truthiness() -> None:
    wanted = inject.Injections(
        node_up=("node2",),
        node_fail=("node1",),
        ops=(inject.parse_op_spec("rsc_a_start_0@node2=0"),),
    )
    assert wanted
    assert not inject.Injections()
    lines = inject.apply(_root(), wanted, now=1)
    assert lines == [
        "Bringing node node2 online",
        "Failing node node1",
        "Injecting rsc_a_start_0@node2=0 into the configuration",
    ]
