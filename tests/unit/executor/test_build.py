"""build_request: a scheduler action + the CIB -> the request a node executes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

import cib
from pycrm.daemon.executor.build import BuildError, build_request
from pycrm.daemon.executor.request import OpRequest
from pycrm.scheduler.types import Action

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

CIB = """<cib validate-with="pacemaker-3.9" crm_feature_set="3.16.1" epoch="1"
     num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="node1">
        <instance_attributes id="n1"><nvpair id="n1-site" name="site" value="east"/>
        </instance_attributes>
      </node>
      <node id="2" uname="node2"/>
      <node id="3" uname="node3"/>
    </nodes>
    <resources>
      <primitive id="vip" class="ocf" provider="pycrm" type="IPaddr2">
        <instance_attributes id="vip-east" score="10">
          <rule id="vip-east-r" score="0">
            <expression id="vip-east-e" attribute="site" operation="eq" value="east"/>
          </rule>
          <nvpair id="vip-east-nic" name="nic" value="eth-east"/>
        </instance_attributes>
        <instance_attributes id="vip-ia">
          <nvpair id="vip-ip" name="ip" value="10.0.0.50"/>
          <nvpair id="vip-nic" name="nic" value="eth0"/>
        </instance_attributes>
        <operations>
          <op id="vip-start" name="start" interval="0" timeout="30s" on-fail="restart"/>
          <op id="vip-mon" name="monitor" interval="10s" timeout="15s" start-delay="2s"
              description="deep">
            <instance_attributes id="vip-mon-ia">
              <nvpair id="vip-mon-cl" name="OCF_CHECK_LEVEL" value="10"/>
              <nvpair id="vip-mon-ip" name="ip" value="ignored: the resource sets ip"/>
            </instance_attributes>
          </op>
          <op id="vip-mon30" name="monitor" interval="30s">
            <meta_attributes id="vip-mon30-meta">
              <nvpair id="vip-mon30-t" name="timeout" value="45s"/>
              <nvpair id="vip-mon30-rp" name="record-pending" value="true"/>
            </meta_attributes>
          </op>
          <op id="vip-stop" name="stop" interval="0" timeout="PT30S"/>
          <op id="vip-off" name="promote" interval="0" timeout="99s" enabled="false"/>
        </operations>
      </primitive>
      <primitive id="plain" class="lsb" type="svc"/>
      <group id="grp">
        <instance_attributes id="grp-ia"><nvpair id="grp-x" name="x" value="from-group"/>
        </instance_attributes>
        <primitive id="member" class="heartbeat" type="Filesystem">
          <instance_attributes id="member-ia">
            <nvpair id="member-1" name="1" value="/dev/sdb1"/>
            <nvpair id="member-x" name="x" value="own"/>
          </instance_attributes>
        </primitive>
        <primitive id="member2" class="ocf" provider="heartbeat" type="Dummy"/>
      </group>
      <clone id="anon">
        <meta_attributes id="anon-meta"><nvpair id="anon-n" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="anon-rsc" class="ocf" provider="heartbeat" type="Dummy"/>
      </clone>
      <clone id="uniq">
        <meta_attributes id="uniq-meta">
          <nvpair id="uniq-u" name="globally-unique" value="true"/>
          <nvpair id="uniq-m" name="clone-max" value="4"/>
          <nvpair id="uniq-nm" name="clone-node-max" value="2"/>
        </meta_attributes>
        <primitive id="uniq-rsc" class="ocf" provider="heartbeat" type="Dummy"/>
      </clone>
      <master id="ms">
        <meta_attributes id="ms-meta"><nvpair id="ms-mm" name="master-max" value="2"/>
        </meta_attributes>
        <primitive id="st" class="ocf" provider="pacemaker" type="Stateful">
          <operations>
            <op id="st-mon" name="monitor" interval="11s" role="Master" timeout="25s"/>
          </operations>
        </primitive>
      </master>
    </resources>
    <op_defaults>
      <meta_attributes id="op-defaults">
        <nvpair id="opd-t" name="timeout" value="40s"/>
      </meta_attributes>
    </op_defaults>
    <constraints/>
  </configuration>
  <status>
    <node_state id="4" uname="node4" in_ccm="true" crmd="online" join="member"/>
  </status>
</cib>
"""


@pytest.fixture(scope="module")
def model() -> cib.model.Cib:
    return cib.loads(CIB)


def _build(
    model: cib.model.Cib, rsc: str, task: str, node: str = "node1", interval: int = 0
) -> OpRequest:
    action = Action(f"{rsc}_{task}_{interval}@{node}", rsc, task, node, interval_ms=interval)
    return build_request(model, action, node, transition_key="3:7:0:uuid", target_rc=0, now=NOW)


def test_instance_attributes_are_evaluated_for_the_target_node(model: cib.model.Cib) -> None:
    east = _build(model, "vip", "start", "node1")
    west = _build(model, "vip", "start", "node2")
    assert dict(east.params) == {"nic": "eth-east", "ip": "10.0.0.50"}
    assert dict(west.params) == {"ip": "10.0.0.50", "nic": "eth0"}
    assert (east.rsc_id, east.rsc_class, east.provider, east.agent) == (
        "vip",
        "ocf",
        "pycrm",
        "IPaddr2",
    )
    assert (east.node, east.node_uuid, west.node_uuid) == ("node1", "1", "2")
    assert (east.transition_key, east.target_rc) == ("3:7:0:uuid", 0)


def test_the_op_definition_gives_timeout_name_and_on_fail(model: cib.model.Cib) -> None:
    start = _build(model, "vip", "start")
    assert start.timeout_ms == 30_000
    assert dict(start.meta) == {"name": "start", "on_fail": "restart"}


def test_recurring_monitor_gets_check_level_start_delay_and_xml_extras(
    model: cib.model.Cib,
) -> None:
    mon = _build(model, "vip", "monitor", interval=10_000)
    assert (mon.interval_ms, mon.timeout_ms, mon.start_delay_ms) == (10_000, 15_000, 2000)
    assert mon.params["OCF_CHECK_LEVEL"] == "10"
    assert mon.params["ip"] == "10.0.0.50"  # the resource's value wins over the op's
    assert dict(mon.meta) == {"name": "monitor", "description": "deep"}


def test_op_meta_attributes_override_op_defaults(model: cib.model.Cib) -> None:
    mon = _build(model, "vip", "monitor", interval=30_000)
    assert mon.timeout_ms == 45_000
    assert mon.meta["record_pending"] == "true"


def test_probe_takes_the_shortest_interval_monitors_timeout(model: cib.model.Cib) -> None:
    probe = _build(model, "vip", "monitor")
    assert probe.timeout_ms == 15_000
    assert "name" not in probe.meta  # no <op> for the probe itself


def test_timeouts_fall_back_to_op_defaults_and_unreadable_ones_to_20s(
    model: cib.model.Cib,
) -> None:
    assert _build(model, "plain", "start").timeout_ms == 40_000  # op_defaults
    assert _build(model, "vip", "stop").timeout_ms == 20_000  # ISO 8601: unreadable
    assert _build(model, "vip", "promote").timeout_ms == 40_000  # disabled op: not used


def test_group_members_inherit_group_instance_attributes(model: cib.model.Cib) -> None:
    member = _build(model, "member", "start")
    assert dict(member.params) == {"1": "/dev/sdb1", "x": "own"}
    assert member.rsc_class == "heartbeat" and member.provider is None
    assert dict(_build(model, "member2", "start").params) == {"x": "from-group"}


def test_clone_meta_for_anonymous_instances(model: cib.model.Cib) -> None:
    inst = _build(model, "anon-rsc:1", "start")
    assert inst.rsc_id == "anon-rsc"
    assert dict(inst.meta) == {
        "clone": "1",
        "clone_max": "3",  # the number of nodes
        "clone_node_max": "1",
        "globally_unique": "false",
        "notify": "true",
    }


def test_unique_clone_instances_keep_their_number(model: cib.model.Cib) -> None:
    inst = _build(model, "uniq-rsc:3", "stop")
    assert inst.rsc_id == "uniq-rsc:3"
    assert inst.meta["clone"] == "3"
    assert (inst.meta["clone_max"], inst.meta["clone_node_max"]) == ("4", "2")
    assert inst.meta["globally_unique"] == "true"


def test_promotable_clone_meta_with_legacy_names(model: cib.model.Cib) -> None:
    mon = _build(model, "st:0", "monitor", interval=11_000)
    assert mon.rsc_id == "st"
    assert mon.meta["role"] == "Promoted" and mon.timeout_ms == 25_000
    for name in ("promoted_max", "master_max"):
        assert mon.meta[name] == "2"
    for name in ("promoted_node_max", "master_node_max"):
        assert mon.meta[name] == "1"


class _NotifyAction(Action):
    __slots__ = ("meta",)

    def __init__(self, meta: Mapping[str, str], *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.meta = meta


def test_action_meta_is_added_when_the_scheduler_provides_it(model: cib.model.Cib) -> None:
    action = _NotifyAction(
        {"CRM_meta_notify_type": "pre", "notify_operation": "start", "CRM_meta_timeout": "1"},
        "anon-rsc:0_pre_notify_start_0@node2",
        "anon-rsc:0",
        "notify",
        "node2",
    )
    notify = build_request(model, action, "node2", transition_key="k:1:0:u", target_rc=0, now=NOW)
    assert notify.meta["notify_type"] == "pre"
    assert notify.meta["notify_operation"] == "start"
    assert "timeout" not in notify.meta and notify.timeout_ms == 40_000


def test_node_uuid_from_the_status_section_or_the_name(model: cib.model.Cib) -> None:
    assert _build(model, "plain", "start", "node4").node_uuid == "4"
    assert _build(model, "plain", "start", "node9").node_uuid == "node9"


def test_pseudo_and_unknown_resources_are_rejected(model: cib.model.Cib) -> None:
    with pytest.raises(BuildError, match="pseudo"):
        build_request(
            model,
            Action("grp_running_0", "grp", "running", None, pseudo=True),
            "node1",
            transition_key="k",
            target_rc=0,
        )
    with pytest.raises(BuildError, match="no primitive"):
        _build(model, "grp", "start")
    with pytest.raises(BuildError, match="no primitive"):
        _build(model, "ghost", "start")
