"""The live CIB's write path: typed changes, version bumps, all-or-nothing, wire form."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from cib import history, patch, schema
from cib.errors import CibError
from cib.live import LiveCib, WritePolicy, empty_cib_bytes
from cib.version import Version
from tests.fixtures.tools import require

LRM_RESOURCE = (
    '<lrm_resource id="vip" class="ocf" provider="pycrm" type="IPaddr2">'
    '<lrm_rsc_op id="vip_last_0" operation_key="vip_start_0" operation="start"'
    ' transition-key="3:1:0:dc" transition-magic="0:0;3:1:0:dc" call-id="4" rc-code="0"'
    ' op-status="0" interval="0" on_node="node1"/>'
    "</lrm_resource>"
)
PRIMITIVE = (
    '<configuration><crm_config/><nodes/><resources><primitive id="vip" class="ocf"'
    ' provider="pycrm" type="IPaddr2"/></resources><constraints/></configuration>'
)


def _live(name: str | None = "web") -> LiveCib:
    return LiveCib.from_bytes(empty_cib_bytes(cluster_name=name))


def _validator(root: etree._Element) -> None:
    problems = schema.validate(root)
    if problems:
        raise problems[0]


def test_empty_cib_is_valid_pacemaker() -> None:
    require(schema.available("pacemaker-3.9"), "needs Pacemaker's RelaxNG schemas")
    live = LiveCib.from_bytes(empty_cib_bytes(cluster_name="web"), validator=_validator)
    assert live.version == Version(0, 0, 0)
    assert live.model().crm_config[0].values["cluster-name"] == "web"


def test_status_change_bumps_num_updates_config_change_bumps_epoch() -> None:
    live = _live()
    v1 = live.apply([patch.SetNodeState("node1", {"in_ccm": "true", "crmd": "online"})])
    assert v1 == Version(0, 0, 1)
    v2 = live.apply(
        [patch.EnsureNode("node1", "1"), patch.SetClusterOption("stonith-enabled", "false")],
        origin="node1",
        client="test",
        now=1_700_000_000,
    )
    assert v2 == Version(0, 1, 0)
    assert live.root.get("update-origin") == "node1"
    assert live.root.get("cib-last-written") == "Tue Nov 14 22:13:20 2023"
    v3 = live.apply([patch.SetTransientAttr("node1", "pingd", "1000")])
    assert v3 == Version(0, 1, 1)
    assert live.model().status["node1"].transient == {"pingd": "1000"}


def test_empty_batch_changes_nothing() -> None:
    live = _live()
    before = live.to_bytes()
    assert live.apply([]) == Version(0, 0, 0)
    assert live.to_bytes() == before


def test_lrm_resource_round_trips_through_the_status_parser() -> None:
    live = _live()
    live.apply([patch.EnsureNode("node1", "1")])
    live.apply(
        [
            patch.SetNodeState(
                "node1",
                {"in_ccm": "true", "crmd": "online", "join": "member", "expected": "member"},
            ),
            patch.SetLrmResource("node1", LRM_RESOURCE),
        ]
    )
    status = live.model().status["node1"]
    assert status.id == "1"
    rsc = status.resources["vip"]
    assert [op.call_id for op in rsc.ops] == [4]
    state = history.unpack_node_history(rsc, "node1", lambda task, interval: "restart")
    assert state.role == history.ROLE_STARTED
    # replacing the same resource keeps one element
    live.apply([patch.SetLrmResource("node1", LRM_RESOURCE.replace('call-id="4"', 'call-id="9"'))])
    assert [op.call_id for op in live.model().status["node1"].resources["vip"].ops] == [9]
    live.apply([patch.DeleteLrmResource("node1", "vip")])
    assert live.model().status["node1"].resources == {}


def test_same_batch_gives_identical_copies() -> None:
    batch = [
        patch.EnsureNode("node1", "1"),
        patch.EnsureNode("node2", "2"),
        patch.SetNodeAttr("node2", "standby", "on"),
        patch.ReplaceConfiguration(PRIMITIVE),
    ]
    a, b = _live(), _live()
    a.apply(batch[:3], origin="node1", client="c", now=100)
    b.apply(batch[:3], origin="node1", client="c", now=100)
    assert a.to_bytes() == b.to_bytes()
    assert a.digest() == b.digest()


def test_invalid_configuration_change_leaves_the_tree_untouched() -> None:
    live = _live()
    live.apply([patch.ReplaceConfiguration(PRIMITIVE)], now=1)
    before = live.to_bytes()
    dangling = '<rsc_colocation id="c1" rsc="vip" with-rsc="nothing" score="INFINITY"/>'
    with pytest.raises(CibError):
        live.apply([patch.SetConstraint(dangling)], now=2)
    assert live.to_bytes() == before
    assert live.version == Version(0, 1, 0)


def test_bad_status_payload_is_refused_before_anything_applies() -> None:
    live = _live()
    before = live.to_bytes()
    with pytest.raises(patch.PatchError):
        live.apply(
            [
                patch.SetTransientAttr("node1", "a", "1"),
                patch.SetLrmResource("node1", "<lrm_resource id='x'>"),
            ]
        )
    assert live.to_bytes() == before
    with pytest.raises(patch.PatchError):
        live.apply([patch.SetRootAttrs({"epoch": "99"})])


def test_schema_validator_refuses_a_configuration_pacemaker_would_refuse() -> None:
    require(schema.available("pacemaker-3.9"), "needs Pacemaker's RelaxNG schemas")
    live = LiveCib.from_bytes(empty_cib_bytes(), validator=_validator)
    bad = PRIMITIVE.replace('class="ocf"', 'class="nonsense"')
    with pytest.raises(CibError):
        live.apply([patch.ReplaceConfiguration(bad)])
    assert live.version == Version(0, 0, 0)


def test_resource_meta_and_constraints() -> None:
    live = _live()
    live.apply([patch.ReplaceConfiguration(PRIMITIVE)], now=1)
    live.apply([patch.SetResourceMeta("vip", "target-role", "Stopped")], now=2)
    prim = live.model().find("vip")
    assert prim is not None
    assert prim.meta_sets[0].values == {"target-role": "Stopped"}
    live.apply([patch.SetResourceMeta("vip", "target-role", None)], now=3)
    live.apply([patch.EnsureNode("node1", "1")], now=4)
    loc = '<rsc_location id="cli-ban-vip-on-node1" rsc="vip" node="node1" score="-INFINITY"/>'
    live.apply([patch.SetConstraint(loc)], now=5)
    assert [c.id for c in live.model().locations] == ["cli-ban-vip-on-node1"]
    live.apply([patch.DeleteConstraint("cli-ban-vip-on-node1")], now=6)
    assert live.model().locations == []
    with pytest.raises(patch.PatchError):
        live.apply([patch.SetResourceMeta("nope", "target-role", "Stopped")])


def test_root_attrs_and_transient_replace() -> None:
    live = _live()
    live.apply([patch.SetRootAttrs({"have-quorum": "1", "dc-uuid": "1"})])
    assert live.root.get("have-quorum") == "1"
    live.apply([patch.SetRootAttrs({"dc-uuid": ""})])
    assert "dc-uuid" not in live.root.attrib
    live.apply([patch.ReplaceTransientAttrs("node1", {"a": "1", "b": "2"})])
    live.apply([patch.ReplaceTransientAttrs("node1", {"b": "3"})])
    assert live.model().status["node1"].transient == {"b": "3"}


def test_wire_form_round_trip_and_validation() -> None:
    changes: list[patch.Change] = [
        patch.SetNodeState("n1", {"in_ccm": "true"}),
        patch.SetLrmResource("n1", LRM_RESOURCE),
        patch.DeleteLrmResource("n1", "vip"),
        patch.ReplaceLrm("n1", "<lrm><lrm_resources/></lrm>"),
        patch.SetTransientAttr("n1", "x", None),
        patch.ReplaceTransientAttrs("n1", {"x": "1"}),
        patch.ClearNodeState("n1", "all"),
        patch.SetRootAttrs({"have-quorum": "0"}),
        patch.EnsureNode("n1", "1"),
        patch.SetNodeAttr("n1", "standby", "on"),
        patch.SetClusterOption("no-quorum-policy", "stop"),
        patch.SetResourceMeta("vip", "is-managed", "false"),
        patch.SetConstraint("<rsc_location id='l' rsc='vip' node='n1' score='1'/>"),
        patch.DeleteConstraint("l"),
        patch.ReplaceConfiguration(PRIMITIVE),
    ]
    assert {c.kind for c in changes} == set(patch.CHANGES)
    for change in changes:
        wire = json.loads(json.dumps(patch.to_dict(change)))
        assert patch.from_dict(wire) == change
    for bad in (
        [],
        {"kind": "nope"},
        {"kind": "transient-attr", "node": "n1", "name": 3, "value": "x"},
        {"kind": "node-state", "node": "n1", "attrs": {"a": 1}},
        {"kind": "lrm-resource", "node": "n1"},
    ):
        with pytest.raises(patch.PatchError):
            patch.from_dict(bad)


def test_write_policy_coalesces_status_writes() -> None:
    policy = WritePolicy(status_interval=0.2)
    assert not policy.due(0.0)
    policy.changed(0.0)
    assert policy.due(0.0)
    policy.written(0.0)
    policy.changed(0.05)
    assert not policy.due(0.1)
    assert policy.next_wakeup() == pytest.approx(0.2)
    assert policy.due(0.2)
