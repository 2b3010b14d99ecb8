from __future__ import annotations

from datetime import UTC, datetime

import cib
from cib.model import Expression, NvSet, Rule
from cib.nvsets import cluster_options, ordered, resolve
from cib.rules import RuleContext


def nv(set_id: str, score: int | None = None, rule: Rule | None = None, **values: str) -> NvSet:
    return NvSet(set_id, "meta", dict(values), score, rule)


def test_score_order_first_wins() -> None:
    sets = [
        nv("low", 1, x="low"),
        nv("high", 10, x="high", y="h"),
        nv("none", None, x="none", z="z"),
    ]
    assert [s.id for s in ordered(sets)] == ["high", "low", "none"]
    assert resolve(sets) == {"x": "high", "y": "h", "z": "z"}


def test_equal_scores_later_set_wins() -> None:
    # Pacemaker 2.1.5 behaviour (see test_nvsets_vs_pacemaker.py)
    assert resolve([nv("a", x="1"), nv("b", x="2")]) == {"x": "2"}
    assert resolve([nv("a", 5, x="1"), nv("b", 5, x="2"), nv("c", 1, x="3")]) == {"x": "2"}


def test_rules_select_sets() -> None:
    on_n1 = Rule("r", expressions=[Expression("e", "#uname", "eq", "n1")])
    sets = [nv("special", 5, on_n1, stickiness="100"), nv("plain", 0, stickiness="0")]
    assert resolve(sets, RuleContext(node_attrs={"#uname": "n1"})) == {"stickiness": "100"}
    assert resolve(sets, RuleContext(node_attrs={"#uname": "n2"})) == {"stickiness": "0"}
    assert resolve(sets) == {"stickiness": "0"}  # no context: rule sets are skipped


def test_default_marker_and_layering() -> None:
    own = [nv("own", x="#default", y="own")]
    defaults = [nv("rsc-defaults", x="dflt", y="dflt", z="dflt")]
    merged = resolve(own)
    resolve(defaults, into=merged)
    assert merged == {"y": "own", "x": "dflt", "z": "dflt"}


def test_cluster_options_bootstrap_first() -> None:
    sets = [
        NvSet("extra", "cluster_property", {"no-quorum-policy": "stop"}, 100),
        NvSet("cib-bootstrap-options", "cluster_property", {"no-quorum-policy": "ignore"}),
    ]
    assert cluster_options(sets) == {"no-quorum-policy": "ignore"}


def test_rsc_defaults_with_date_rule() -> None:
    text = """<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
    <configuration><crm_config/>
    <rsc_defaults>
      <meta_attributes id="business-hours" score="2">
        <rule id="bh" score="0"><date_expression id="bh-d" operation="date_spec">
          <date_spec id="bh-ds" hours="9-16" weekdays="1-5"/></date_expression></rule>
        <nvpair id="bh-s" name="resource-stickiness" value="INFINITY"/>
      </meta_attributes>
      <meta_attributes id="default" score="1">
        <nvpair id="d-s" name="resource-stickiness" value="0"/>
      </meta_attributes>
    </rsc_defaults><nodes/><resources/><constraints/></configuration><status/></cib>"""
    c = cib.loads(text)
    monday_noon = datetime(2024, 3, 4, 12, tzinfo=UTC)
    sunday = datetime(2024, 3, 3, 12, tzinfo=UTC)
    assert resolve(c.rsc_defaults, RuleContext(now=monday_noon)) == {
        "resource-stickiness": "INFINITY"
    }
    assert resolve(c.rsc_defaults, RuleContext(now=sunday)) == {"resource-stickiness": "0"}
