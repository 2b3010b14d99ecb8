"""Orderings: interleaved clone orderings (an instance with no instance of the first clone
on its node may not be active, Pacemaker's multi_update_interleave_actions) and
asymmetrical ones."""

from __future__ import annotations

from pycrm.scheduler import Transition, schedule
from tests.unit.scheduler.cibtext import make, node_state, prim, running


def _clone(cid: str, child: str, interleave: bool = True) -> str:
    meta = (
        f'<meta_attributes id="{cid}-meta"><nvpair id="{cid}-il" name="interleave" '
        f'value="{str(interleave).lower()}"/></meta_attributes>'
    )
    return f'<clone id="{cid}">{meta}{prim(child)}</clone>'


def _run(constraints: str, interleave: bool = True) -> Transition:
    resources = _clone("A-clone", "A", interleave) + _clone("B-clone", "B", interleave)
    status = node_state("n1") + node_state("n2")
    return schedule(make(resources, status, constraints=constraints))


_ORDER = '<rsc_order id="o" first="A-clone" then="B-clone" kind="Mandatory"/>'
_BAN = '<rsc_location id="ban" rsc="A-clone" node="n2" score="-INFINITY"/>'


def test_unpaired_instance_is_not_started_nor_shown_blocked() -> None:
    t = _run(_ORDER + _BAN)
    # as crm_simulate: "Start A:0 (n1)", "Start B:1 (n1)", nothing about n2
    lines = [(line.verb, line.rsc[0], line.to_node, line.blocked) for line in t.summary]
    assert lines == [("Start", "A", "n1", False), ("Start", "B", "n1", False)]


def test_without_the_first_clone_anywhere_nothing_of_the_then_clone_starts() -> None:
    ban_all = _BAN + '<rsc_location id="ban1" rsc="A-clone" node="n1" score="-INFINITY"/>'
    t = _run(_ORDER + ban_all)
    assert t.summary == ()


def test_not_interleaved_the_then_instances_are_blocked() -> None:
    ban_all = _BAN + '<rsc_location id="ban1" rsc="A-clone" node="n1" score="-INFINITY"/>'
    t = _run(_ORDER + ban_all, interleave=False)
    assert {(line.rsc, line.blocked) for line in t.summary} == {("B:0", True), ("B:1", True)}


def test_optional_ordering_inhibits_nothing() -> None:
    optional = '<rsc_order id="o" first="A-clone" then="B-clone" kind="Optional"/>'
    t = _run(optional + _BAN)
    starts = sorted(line.to_node or "" for line in t.summary if line.rsc.startswith("B"))
    assert starts == ["n1", "n2"]


def test_asymmetrical_ordering_leaves_a_running_then_alone() -> None:
    """symmetrical=false: the first stopping does not stop a "then" that already runs (as
    crm_simulate); symmetrical, it does."""
    status = node_state(
        "n1",
        running("a"),
        running("b"),
    ) + node_state("n2")
    disabled = prim("a", meta={"target-role": "Stopped"})
    for symmetrical, stops in (("false", {"a"}), ("true", {"a", "b"})):
        order = (
            f'<rsc_order id="o" first="a" then="b" kind="Mandatory" symmetrical="{symmetrical}"/>'
        )
        t = schedule(make(disabled + prim("b"), status, constraints=order))
        assert {line.rsc for line in t.summary if line.verb == "Stop"} == stops
