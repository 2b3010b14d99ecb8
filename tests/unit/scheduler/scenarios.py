# ruff: noqa: E501  (long literal CIB fragments, verified against crm_simulate)
"""Small hand-written scheduler scenarios with the placements Pacemaker 2.1.5 computes.

Each expected result was checked against ``crm_simulate -S`` (2.1.5) on the same CIB text;
``tests/unit/scheduler/test_scenarios.py`` also re-checks them when crm_simulate is present.
"""

from __future__ import annotations

from typing import Any

from tests.unit.scheduler.cibtext import lrm, node_state, op, prim, running

Placement = tuple[str, str, str, tuple[str, ...]]

MON = '<op id="{0}-mon" name="monitor" interval="10s"{1}/>'


def _mon(rid: str, extra: str = "") -> str:
    return MON.format(rid, extra)


SCENARIOS: dict[str, tuple[dict[str, Any], list[Placement]]] = {
    "stickiness-keeps-resource": (
        {
            "resources": prim("a") + prim("b"),
            "status": node_state("n1", running("a"), running("b")) + node_state("n2"),
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n1", ())],
    ),
    "no-stickiness-balances": (
        {
            "resources": prim("a") + prim("b"),
            "status": node_state("n1", running("a"), running("b")) + node_state("n2"),
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n2", ())],
    ),
    "location-ban-moves": (
        {
            "resources": prim("a"),
            "status": node_state("n1", running("a")) + node_state("n2"),
            "constraints": '<rsc_location id="l1" rsc="a" node="n1" score="-INFINITY"/>',
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n2", ())],
    ),
    "opt-in-cluster-needs-location": (
        {
            "resources": prim("a") + prim("b"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": '<rsc_location id="l1" rsc="a" node="n2" score="0"/>',
            "props": {"symmetric-cluster": "false"},
        },
        [("a", "Started", "n2", ())],
    ),
    "mandatory-colocation-follows": (
        {
            "resources": prim("a") + prim("b"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": '<rsc_location id="l1" rsc="a" node="n2" score="50"/>'
            '<rsc_colocation id="c1" rsc="b" with-rsc="a" score="INFINITY"/>',
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ())],
    ),
    "anti-colocation-separates": (
        {
            "resources": prim("a") + prim("b"),
            "status": node_state("n1", running("a"), running("b")) + node_state("n2"),
            "constraints": '<rsc_colocation id="c1" rsc="b" with-rsc="a" score="-INFINITY"/>',
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n2", ())],
    ),
    "mandatory-order-unrunnable-first": (
        {
            "resources": prim("a", {"target-role": "Stopped"}) + prim("b"),
            "status": node_state("n1", running("b")) + node_state("n2"),
            "constraints": '<rsc_order id="o1" first="a" then="b" kind="Mandatory"/>',
        },
        [],
    ),
    "optional-order-does-not-block": (
        {
            "resources": prim("a", {"target-role": "Stopped"}) + prim("b"),
            "status": node_state("n1", running("b")) + node_state("n2"),
            "constraints": '<rsc_order id="o1" first="a" then="b" kind="Optional"/>',
        },
        [("b", "Started", "n1", ())],
    ),
    "group-follows-first-member-ban": (
        {
            "resources": '<group id="g">' + prim("a") + prim("b") + "</group>",
            "status": node_state("n1", running("a"), running("b")) + node_state("n2"),
            "constraints": '<rsc_location id="l1" rsc="b" node="n1" score="-INFINITY"/>',
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ())],
    ),
    "standby-node-empties": (
        {
            "resources": prim("a"),
            "status": node_state("n1", running("a"), attrs={"standby": "on"}) + node_state("n2"),
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n2", ())],
    ),
    "unmanaged-stays": (
        {
            "resources": prim("a", {"is-managed": "false"}),
            "status": node_state("n1", running("a")) + node_state("n2"),
            "constraints": '<rsc_location id="l1" rsc="a" node="n1" score="-INFINITY"/>',
        },
        [("a", "Started", "n1", ("unmanaged",))],
    ),
    "stop-all-resources": (
        {
            "resources": prim("a"),
            "status": node_state("n1", running("a")) + node_state("n2"),
            "props": {"stop-all-resources": "true"},
        },
        [],
    ),
    "no-quorum-stop": (
        {
            "resources": prim("a"),
            "status": node_state("n1", running("a")) + node_state("n2"),
            "props": {"no-quorum-policy": "stop"},
            "quorum": False,
        },
        [],
    ),
    "no-quorum-freeze-keeps-running": (
        {
            "resources": prim("a") + prim("b"),
            "status": node_state("n1", running("a")) + node_state("n2"),
            "props": {"no-quorum-policy": "freeze"},
            "quorum": False,
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n1", ())],
    ),
    "migration-threshold-moves": (
        {
            "resources": prim("a", {"migration-threshold": "2"}),
            "status": node_state("n1", running("a"), attrs={"fail-count-a": "2"})
            + node_state("n2"),
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n2", ())],
    ),
    "failure-timeout-expired": (
        {
            "resources": prim("a", {"migration-threshold": "1", "failure-timeout": "60s"}),
            "status": node_state(
                "n1", running("a"), attrs={"fail-count-a": "1", "last-failure-a": "1000"}
            )
            + node_state("n2"),
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n1", ())],
    ),
    "monitor-failure-recovers-in-place": (
        {
            "resources": prim("a", ops=_mon("a")),
            "status": node_state(
                "n1", lrm("a", op("a", "start", 1), op("a", "monitor", 2, 1, 10000))
            )
            + node_state("n2"),
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n1", ())],
    ),
    "on-fail-stop": (
        {
            "resources": prim("a", ops=_mon("a", ' on-fail="stop"')),
            "status": node_state(
                "n1", lrm("a", op("a", "start", 1), op("a", "monitor", 2, 1, 10000))
            )
            + node_state("n2"),
        },
        [],
    ),
    "failed-stop-blocks": (
        {
            "resources": prim("a"),
            "status": node_state("n1", lrm("a", op("a", "start", 1), op("a", "stop", 2, 1)))
            + node_state("n2"),
        },
        [("a", "Started", "n1", ("failed", "blocked"))],
    ),
    "orphan-stopped": (
        {
            "resources": prim("a"),
            "status": node_state("n1", running("a"), running("gone")) + node_state("n2"),
            "defaults": {"resource-stickiness": "100"},
        },
        [("a", "Started", "n1", ())],
    ),
    "offline-node-resources-restart-elsewhere": (
        {
            "resources": prim("a"),
            "status": node_state("n1", online=False) + node_state("n2"),
        },
        [("a", "Started", "n2", ())],
    ),
    "unclean-node-keeps-resources-without-fencing": (
        {
            "props": {"stonith-enabled": "true"},
            "resources": prim("a") + prim("b"),
            "status": node_state("n1", running("a"))
            + '<node_state id="n2" uname="n2" in_ccm="false" crmd="offline" join="down" '
            'expected="member"><lrm id="n2"><lrm_resources>'
            + running("b")
            + "</lrm_resources></lrm></node_state>"
            + node_state("n3"),
            "nodes": ("n1", "n2", "n3"),
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n2", ())],
    ),
    "lost-node-without-stonith-is-offline": (
        {
            "resources": prim("a") + prim("b"),
            "status": node_state("n1", running("a"))
            + '<node_state id="n2" uname="n2" in_ccm="false" crmd="offline" join="down" '
            'expected="member"><lrm id="n2"><lrm_resources>'
            + running("b")
            + "</lrm_resources></lrm></node_state>"
            + node_state("n3"),
            "nodes": ("n1", "n2", "n3"),
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n3", ())],
    ),
    "anonymous-clone-one-per-node": (
        {
            "resources": '<clone id="c">' + prim("a") + "</clone>",
            "status": node_state("n1") + node_state("n2") + node_state("n3"),
            "nodes": ("n1", "n2", "n3"),
        },
        [("a", "Started", "n1", ()), ("a", "Started", "n2", ()), ("a", "Started", "n3", ())],
    ),
    "promotable-clone-promotes-highest-score": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm">'
            '<nvpair id="cm1" name="promotable" value="true"/></meta_attributes>'
            + prim("a")
            + "</clone>",
            "status": node_state("n1", attrs={"master-a": "5"})
            + node_state("n2", attrs={"master-a": "10"}),
        },
        [("a", "Promoted", "n2", ()), ("a", "Unpromoted", "n1", ())],
    ),
    "colocation-with-promoted-role": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm">'
            '<nvpair id="cm1" name="promotable" value="true"/></meta_attributes>'
            + prim("a")
            + "</clone>"
            + prim("b"),
            "status": node_state("n1", attrs={"master-a": "10"})
            + node_state("n2", attrs={"master-a": "5"}),
            "constraints": '<rsc_colocation id="c1" rsc="b" with-rsc="c" '
            'with-rsc-role="Promoted" score="INFINITY"/>',
        },
        [("a", "Promoted", "n1", ()), ("a", "Unpromoted", "n2", ()), ("b", "Started", "n1", ())],
    ),
    "score-attribute-rule": (
        {
            "resources": prim("a"),
            "status": node_state("n1", attrs={"pingd": "100"})
            + node_state("n2", attrs={"pingd": "300"}),
            "constraints": '<rsc_location id="l1" rsc="a"><rule id="r1" score-attribute="pingd">'
            '<expression id="e1" attribute="pingd" operation="defined"/></rule></rsc_location>',
        },
        [("a", "Started", "n2", ())],
    ),
    "set-coloc-set-seq": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="a" node="n2" score="100"/>'
                '<rsc_colocation id="cs" score="INFINITY"><resource_set id="s1">'
                '<resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/>'
                "</resource_set></rsc_colocation>"
            ),
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ()), ("c", "Started", "n2", ())],
    ),
    "set-coloc-set-seq-c": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="c" node="n2" score="100"/>'
                '<rsc_colocation id="cs" score="INFINITY"><resource_set id="s1">'
                '<resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/>'
                "</resource_set></rsc_colocation>"
            ),
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ()), ("c", "Started", "n2", ())],
    ),
    "set-coloc-two-sets": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="c" node="n2" score="100"/>'
                '<rsc_colocation id="cs" score="INFINITY"><resource_set id="s1">'
                '<resource_ref id="a"/><resource_ref id="b"/></resource_set>'
                '<resource_set id="s2"><resource_ref id="c"/></resource_set>'
                "</rsc_colocation>"
            ),
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ()), ("c", "Started", "n2", ())],
    ),
    "set-coloc-two-sets-a": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="a" node="n2" score="100"/>'
                '<rsc_colocation id="cs" score="INFINITY"><resource_set id="s1">'
                '<resource_ref id="a"/><resource_ref id="b"/></resource_set>'
                '<resource_set id="s2"><resource_ref id="c"/></resource_set>'
                "</rsc_colocation>"
            ),
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ()), ("c", "Started", "n2", ())],
    ),
    "set-coloc-nonseq": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="c" node="n2" score="100"/>'
                '<rsc_colocation id="cs" score="INFINITY">'
                '<resource_set id="s1" sequential="false"><resource_ref id="a"/>'
                '<resource_ref id="b"/></resource_set><resource_set id="s2">'
                '<resource_ref id="c"/></resource_set></rsc_colocation>'
            ),
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ()), ("c", "Started", "n2", ())],
    ),
    "set-coloc-neg-set": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_colocation id="cs" score="-INFINITY"><resource_set id="s1">'
                '<resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/>'
                "</resource_set></rsc_colocation>"
            ),
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n2", ())],
    ),
    "set-coloc-neg-set3": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="a" node="n2" score="100"/>'
                '<rsc_colocation id="cs" score="-100"><resource_set id="s1">'
                '<resource_ref id="a"/><resource_ref id="b"/></resource_set>'
                "</rsc_colocation>"
            ),
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n1", ()), ("c", "Started", "n1", ())],
    ),
    "set-order-set-nonseq-stopped": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="a" node="n1" score="-INFINITY"/>'
                '<rsc_location id="l2" rsc="a" node="n2" score="-INFINITY"/>'
                '<rsc_order id="os" kind="Mandatory">'
                '<resource_set id="s1" sequential="false"><resource_ref id="a"/>'
                '<resource_ref id="b"/></resource_set><resource_set id="s2">'
                '<resource_ref id="c"/></resource_set></rsc_order>'
            ),
        },
        [("b", "Started", "n1", ())],
    ),
    "set-order-set": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="a" node="n1" score="-INFINITY"/>'
                '<rsc_location id="l2" rsc="a" node="n2" score="-INFINITY"/>'
                '<rsc_order id="os" kind="Mandatory"><resource_set id="s1">'
                '<resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/>'
                "</resource_set></rsc_order>"
            ),
        },
        [],
    ),
    "set-order-two-sets": (
        {
            "resources": prim("a") + prim("b") + prim("c"),
            "status": node_state("n1") + node_state("n2"),
            "constraints": (
                '<rsc_location id="l" rsc="b" node="n1" score="-INFINITY"/>'
                '<rsc_location id="l2" rsc="b" node="n2" score="-INFINITY"/>'
                '<rsc_order id="os" kind="Mandatory">'
                '<resource_set id="s1" sequential="false"><resource_ref id="a"/>'
                '<resource_ref id="b"/></resource_set><resource_set id="s2">'
                '<resource_ref id="c"/></resource_set></rsc_order>'
            ),
        },
        [("a", "Started", "n1", ())],
    ),
    "misc-discovery-exclusive": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n3"><instance_attributes id="n3-ta"></instance_attributes></transient_attributes><lrm id="n3"><lrm_resources></lrm_resources></lrm></node_state>',
            "nodes": ("n1", "n2", "n3"),
            "constraints": '<rsc_location id="l" rsc="a" node="n3" score="0" resource-discovery="exclusive"/><rsc_location id="l2" rsc="a" node="n1" score="10"/>',
        },
        [("a", "Started", "n3", ())],
    ),
    "misc-nq-demote": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_promote_0_2" operation_key="a_promote_0" operation="promote" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource><lrm_resource id="b" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="b_start_0_1" operation_key="b_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state>',
            "props": {"no-quorum-policy": "demote"},
            "quorum": False,
        },
        [("a", "Unpromoted", "n1", ()), ("a", "Unpromoted", "n2", ())],
    ),
    "misc-nq-ignore": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "props": {"no-quorum-policy": "ignore"},
            "quorum": False,
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n2", ())],
    ),
    "misc-target-role-unpromoted": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm"><nvpair id="cm2" name="target-role" value="Unpromoted"/><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-master-a" name="master-a" value="10"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_promote_0_2" operation_key="a_promote_0" operation="promote" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state>',
        },
        [("a", "Unpromoted", "n1", ()), ("a", "Unpromoted", "n2", ())],
    ),
    "misc-promoted-max-2": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm"><nvpair id="cm2" name="promoted-max" value="2"/><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-master-a" name="master-a" value="10"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"><nvpair id="n2-master-a" name="master-a" value="5"/></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [("a", "Promoted", "n1", ()), ("a", "Promoted", "n2", ())],
    ),
    "misc-node-maintenance-attr": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-maintenance" name="maintenance" value="true"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "constraints": '<rsc_location id="l" rsc="a" node="n1" score="-INFINITY"/>',
        },
        [("a", "Started", "n1", ("unmanaged",)), ("b", "Started", "n2", ())],
    ),
    "misc-maintenance-mode": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "props": {"maintenance-mode": "true"},
        },
        [("a", "Started", "n1", ("unmanaged",))],
    ),
    "misc-rsc-maintenance": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="a-meta"><nvpair id="a-maintenance" name="maintenance" value="true"/></meta_attributes></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "constraints": '<rsc_location id="l" rsc="a" node="n1" score="-INFINITY"/>',
        },
        [("a", "Started", "n1", ("unmanaged",))],
    ),
    "misc-shutdown": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-shutdown" name="shutdown" value="1234"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [("a", "Started", "n2", ())],
    ),
    "misc-on-fail-ignore-monitor": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="a-m" name="monitor" interval="10s" on-fail="ignore"/></operations></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_monitor_10000_2" operation_key="a_monitor_10000" operation="monitor" call-id="2" rc-code="1" op-status="0" interval="10000" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:1;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [("a", "Started", "n1", ())],
    ),
    "misc-on-fail-standby": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="a-m" name="monitor" interval="10s" on-fail="standby"/></operations></primitive><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_monitor_10000_2" operation_key="a_monitor_10000" operation="monitor" call-id="2" rc-code="1" op-status="0" interval="10000" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:1;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource><lrm_resource id="b" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="b_start_0_1" operation_key="b_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [("a", "Started", "n2", ()), ("b", "Started", "n2", ())],
    ),
    "misc-on-fail-block-monitor": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="a-m" name="monitor" interval="10s" on-fail="block"/></operations></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_monitor_10000_2" operation_key="a_monitor_10000" operation="monitor" call-id="2" rc-code="1" op-status="0" interval="10000" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:1;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [("a", "Started", "n1", ("failed", "blocked"))],
    ),
    "misc-clone-max-0-anon": (
        {
            "resources": '<clone id="c"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n3"><instance_attributes id="n3-ta"></instance_attributes></transient_attributes><lrm id="n3"><lrm_resources></lrm_resources></lrm></node_state>',
            "nodes": ("n1", "n2", "n3"),
        },
        [("a", "Started", "n1", ()), ("a", "Started", "n2", ()), ("a", "Started", "n3", ())],
    ),
    "misc-unique-clone-node-max": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="globally-unique" value="true"/><nvpair id="cm2" name="clone-max" value="3"/><nvpair id="cm3" name="clone-node-max" value="3"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [("a", "Started", "n1", ()), ("a", "Started", "n1", ()), ("a", "Started", "n2", ())],
    ),
    "misc-rule-date-expired": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "constraints": '<rsc_location id="l" rsc="a"><rule id="r" score="100"><date_expression id="d" operation="lt" end="2000-01-01"/></rule></rsc_location><rsc_location id="l2" rsc="a" node="n2" score="10"/>',
        },
        [("a", "Started", "n2", ())],
    ),
    "misc-rule-or": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-x" name="x" value="1"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"><nvpair id="n2-y" name="y" value="2"/></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "constraints": '<rsc_location id="l" rsc="a"><rule id="r" score="-INFINITY" boolean-op="or"><expression id="e1" attribute="x" operation="not_defined"/><expression id="e2" attribute="x" operation="lte" value="0"/></rule></rsc_location>',
        },
        [("a", "Started", "n1", ())],
    ),
    "misc-rsc-pattern": (
        {
            "resources": '<primitive id="web1" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="web2" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="db" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "constraints": '<rsc_location id="l" rsc-pattern="^web" node="n2" score="100"/>',
        },
        [("db", "Started", "n1", ()), ("web1", "Started", "n2", ()), ("web2", "Started", "n2", ())],
    ),
    "misc-on-fail-demote": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="a-m" name="monitor" interval="10s" role="Promoted" on-fail="demote"/></operations></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-master-a" name="master-a" value="10"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_promote_0_2" operation_key="a_promote_0" operation="promote" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_monitor_10000_3" operation_key="a_monitor_10000" operation="monitor" call-id="3" rc-code="1" op-status="0" interval="10000" transition-key="3:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:1;3:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"><nvpair id="n2-master-a" name="master-a" value="5"/></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state>',
        },
        [("a", "Promoted", "n1", ()), ("a", "Unpromoted", "n2", ())],
    ),
    "misc-promoted-monitor-fail-restart": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="a-m" name="monitor" interval="10s" role="Promoted"/></operations></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-master-a" name="master-a" value="10"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_promote_0_2" operation_key="a_promote_0" operation="promote" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_monitor_10000_3" operation_key="a_monitor_10000" operation="monitor" call-id="3" rc-code="1" op-status="0" interval="10000" transition-key="3:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:1;3:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"><nvpair id="n2-master-a" name="master-a" value="5"/></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state>',
        },
        [("a", "Promoted", "n1", ()), ("a", "Unpromoted", "n2", ())],
    ),
    "misc-failed-promoted-rc9": (
        {
            "resources": '<clone id="c"><meta_attributes id="cm"><nvpair id="cm1" name="promotable" value="true"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="a-m" name="monitor" interval="10s" role="Promoted"/></operations></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"><nvpair id="n1-master-a" name="master-a" value="10"/></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_promote_0_2" operation_key="a_promote_0" operation="promote" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="a_monitor_10000_3" operation_key="a_monitor_10000" operation="monitor" call-id="3" rc-code="9" op-status="0" interval="10000" transition-key="3:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:9;3:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"><nvpair id="n2-master-a" name="master-a" value="5"/></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state>',
        },
        [("a", "Promoted", "n1", ()), ("a", "Unpromoted", "n2", ())],
    ),
    "misc-cloned-group": (
        {
            "resources": '<clone id="cg"><group id="g"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive></group></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [
            ("a", "Started", "n1", ()),
            ("a", "Started", "n2", ()),
            ("b", "Started", "n1", ()),
            ("b", "Started", "n2", ()),
        ],
    ),
    "misc-cloned-group-running": (
        {
            "resources": '<clone id="cg"><group id="g"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive></group></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource><lrm_resource id="b" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="b_start_0_1" operation_key="b_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "constraints": '<rsc_location id="l" rsc="cg" node="n2" score="-INFINITY"/>',
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n1", ())],
    ),
    "misc-cloned-group-member-fail": (
        {
            "resources": '<clone id="cg"><group id="g"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive></group></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource><lrm_resource id="b" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="b_start_0_1" operation_key="b_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/><lrm_rsc_op id="b_monitor_10000_2" operation_key="b_monitor_10000" operation="monitor" call-id="2" rc-code="1" op-status="0" interval="10000" transition-key="2:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:1;2:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_start_0_1" operation_key="a_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource><lrm_resource id="b" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="b_start_0_1" operation_key="b_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:00000000-0000-0000-0000-000000000000" transition-magic="0:0;1:1:0:00000000-0000-0000-0000-000000000000" op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/></lrm_resource></lrm_resources></lrm></node_state>',
        },
        [
            ("a", "Started", "n1", ()),
            ("a", "Started", "n2", ()),
            ("b", "Started", "n1", ()),
            ("b", "Started", "n2", ()),
        ],
    ),
    "misc-empty": (
        {
            "resources": "",
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
        },
        [],
    ),
    "misc-no-status": (
        {
            "resources": '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": "",
        },
        [],
    ),
    "misc-clone-colocated-with-primitive": (
        {
            "resources": '<clone id="c"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n3"><instance_attributes id="n3-ta"></instance_attributes></transient_attributes><lrm id="n3"><lrm_resources></lrm_resources></lrm></node_state>',
            "nodes": ("n1", "n2", "n3"),
            "constraints": '<rsc_colocation id="cc" rsc="c" with-rsc="b" score="INFINITY"/>',
        },
        [("a", "Started", "n1", ()), ("b", "Started", "n1", ())],
    ),
    "misc-primitive-with-clone": (
        {
            "resources": '<clone id="c"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n3"><instance_attributes id="n3-ta"></instance_attributes></transient_attributes><lrm id="n3"><lrm_resources></lrm_resources></lrm></node_state>',
            "nodes": ("n1", "n2", "n3"),
            "constraints": '<rsc_location id="l" rsc="c" node="n1" score="-INFINITY"/><rsc_colocation id="cc" rsc="b" with-rsc="c" score="INFINITY"/>',
        },
        [("a", "Started", "n2", ()), ("a", "Started", "n3", ()), ("b", "Started", "n2", ())],
    ),
    "misc-order-clone-then-primitive": (
        {
            "resources": '<clone id="c"><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state>',
            "constraints": '<rsc_location id="l" rsc="c" node="n1" score="-INFINITY"/><rsc_location id="l2" rsc="c" node="n2" score="-INFINITY"/><rsc_order id="o" first="c" then="b" kind="Mandatory"/>',
        },
        [],
    ),
    "misc-interleave-clones": (
        {
            "resources": '<clone id="c1"><meta_attributes id="m1"><nvpair id="m11" name="interleave" value="true"/></meta_attributes><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone><clone id="c2"><meta_attributes id="m2"><nvpair id="m21" name="interleave" value="true"/></meta_attributes><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"></primitive></clone>',
            "status": '<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="n1-ta"></instance_attributes></transient_attributes><lrm id="n1"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n2"><instance_attributes id="n2-ta"></instance_attributes></transient_attributes><lrm id="n2"><lrm_resources></lrm_resources></lrm></node_state><node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n3"><instance_attributes id="n3-ta"></instance_attributes></transient_attributes><lrm id="n3"><lrm_resources></lrm_resources></lrm></node_state>',
            "nodes": ("n1", "n2", "n3"),
            "constraints": '<rsc_location id="l" rsc="c1" node="n3" score="-INFINITY"/><rsc_colocation id="cc" rsc="c2" with-rsc="c1" score="INFINITY"/><rsc_order id="o" first="c1" then="c2"/>',
        },
        [
            ("a", "Started", "n1", ()),
            ("a", "Started", "n2", ()),
            ("b", "Started", "n1", ()),
            ("b", "Started", "n2", ()),
        ],
    ),
}
