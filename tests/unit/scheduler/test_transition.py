"""The Transition API: shape, DAG, summary verbs, score explanations."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from pycrm.scheduler import Transition, schedule
from tests.unit.scheduler.cibtext import lrm, make, node_state, op, prim, running


def _transition() -> Transition:
    resources = (
        '<group id="g">'
        + prim("a", ops='<op id="a-m" name="monitor" interval="10s"/>')
        + prim("b")
        + "</group>"
        + prim("c")
        + prim("d")
    )
    status = node_state(
        "n1",
        running("a"),
        lrm("b", op("b", "start", 1), op("b", "monitor", 2, 1, 10000)),
        running("c"),
    ) + node_state("n2")
    constraints = (
        '<rsc_location id="loc-c" rsc="c" node="n2" score="200"/>'
        '<rsc_order id="o1" first="c" then="d" kind="Mandatory"/>'
    )
    return schedule(
        make(resources, status, constraints=constraints, defaults={"resource-stickiness": "100"})
    )


def test_nodes_and_states() -> None:
    t = _transition()
    assert [(n.name, n.state) for n in t.nodes] == [("n1", "online"), ("n2", "online")]
    current = {r.id: r for r in t.current}
    assert current["b"].failed and current["b"].group == "g"
    assert current["a"].agent == "ocf:heartbeat:Dummy"
    target = {r.id: r for r in t.target}
    assert target["b"].nodes == ("n1",) and not target["b"].failed
    assert target["c"].nodes == ("n2",)
    assert target["d"].role == "Started"


def test_summary_lines() -> None:
    t = _transition()
    lines = {(s.verb, s.rsc) for s in t.summary}
    assert ("Recover", "b") in lines
    assert ("Move", "c") in lines
    assert ("Start", "d") in lines
    move = next(s for s in t.summary if s.rsc == "c")
    assert (move.from_node, move.to_node) == ("n1", "n2")


def test_actions_are_topologically_ordered() -> None:
    t = _transition()
    position = {a.id: i for i, a in enumerate(t.actions)}
    assert len(position) == len(t.actions)
    for edge in t.edges:
        assert position[edge.before] < position[edge.after], edge
    tasks = {(a.rsc, a.task, a.node) for a in t.actions}
    assert ("c", "stop", "n1") in tasks and ("c", "start", "n2") in tasks
    assert ("b", "stop", "n1") in tasks and ("b", "start", "n1") in tasks
    c_start = position["c_start_0@n2"]
    d_start = next(a.id for a in t.actions if a.rsc == "d" and a.task == "start")
    assert c_start < position[d_start]


def test_scores_explained() -> None:
    t = _transition()
    scores = {(s.rsc, s.node): s for s in t.scores}
    c_n2 = scores[("c", "n2")]
    assert c_n2.score == 200
    assert [(x.kind, x.source, x.value) for x in c_n2.contributions] == [("location", "loc-c", 200)]
    c_n1 = scores[("c", "n1")]
    assert c_n1.score == 100
    assert c_n1.explain() == "c on n1: 100 = stickiness resource-stickiness 100"


def test_pure_and_deterministic() -> None:
    first, second = _transition(), _transition()
    assert first.target == second.target
    assert [a.id for a in first.actions] == [a.id for a in second.actions]
    assert first == second


def test_transition_value_semantics() -> None:
    t = _transition()
    with pytest.raises(FrozenInstanceError):
        t.have_quorum = False  # type: ignore[misc]
    assert "score_source" not in repr(t) and repr(t).startswith("Transition(nodes=(")
    assert t.scores is t.scores  # computed once
    fields = {name: getattr(t, name) for name in t.__match_args__}
    assert Transition(**{**fields, "score_source": None}) == t  # not compared
    assert Transition(**{**fields, "have_quorum": False}) != t
    bare = Transition(nodes=(), current=(), target=(), actions=(), edges=(), summary=())
    assert bare.promotion_scores == {} and bare.scores == () and bare.have_quorum


@pytest.mark.parametrize("value", [None, "true", "false", "off"])
def test_enable_startup_probes(value: str | None) -> None:
    """enable-startup-probes=false schedules no probes (Pacemaker's default is true); the
    expected actions are crm_simulate 2.1.5's for the same CIB."""
    status = node_state("n1", running("a")) + node_state("n2")
    props = {} if value is None else {"enable-startup-probes": value}
    t = schedule(make(prim("a") + prim("b"), status, props=props))
    probes = {(a.rsc, a.node) for a in t.actions if a.task == "monitor" and a.interval_ms == 0}
    enabled = value in (None, "true")
    assert probes == ({("a", "n2"), ("b", "n1"), ("b", "n2")} if enabled else set())
    assert [(a.task, a.rsc, a.node) for a in t.actions if a.task != "monitor"] == [
        ("start", "b", "n2")
    ]
