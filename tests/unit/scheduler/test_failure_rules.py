"""Failure handling read from the history: hard and fatal errors, multiply active
resources, last failures recorded with other parameters."""

from __future__ import annotations

import pytest

from cib.history import fail_count, hard_failure, sorted_ops
from cib.model import LrmResource, OpRecord
from pycrm.scheduler import Transition, schedule
from tests.unit.scheduler.cibtext import lrm, make, node_state, op, prim, running


def _record(rc: int, status: int = 0, interval: int = 0, task: str = "monitor") -> OpRecord:
    return OpRecord(
        id="r_last_failure_0",
        operation_key=f"r_{task}_{interval}",
        operation=task,
        call_id=3,
        rc_code=rc,
        op_status=status,
        interval_ms=interval,
    )


@pytest.mark.parametrize(
    ("rc", "status", "interval", "scope"),
    [
        (5, 0, 0, "node"),  # not installed
        (2, 4, 0, "node"),  # invalid parameter
        (4, 0, 0, "node"),  # insufficient privileges
        (3, 0, 0, "node"),  # unimplemented feature
        (3, 0, 10000, ""),  # ... of a recurring operation: only not supported
        (6, 0, 0, "everywhere"),  # not configured
        (7, 7, 0, "node"),  # the executor says: not installed
        (1, 5, 0, "node"),  # the executor says: hard error
        (1, 6, 0, "everywhere"),  # the executor says: fatal error
        (1, 0, 0, ""),  # a generic error
        (1, 2, 0, ""),  # a timeout
    ],
)
def test_hard_failure_scope(rc: int, status: int, interval: int, scope: str) -> None:
    assert hard_failure(_record(rc, status, interval)) == scope


def _scores(t: Transition, rsc: str) -> dict[str, int]:
    return {d.node: d.score for d in t.scores if d.rsc == rsc}


def test_probe_not_installed_bans_the_node() -> None:
    status = node_state("n1", lrm("a", op("a", "monitor", 1, rc=5))) + node_state("n2")
    t = schedule(make(prim("a"), status))
    scores = _scores(t, "a")
    assert scores["n1"] == -1_000_000 and scores["n2"] == 0
    assert [(s.id, s.nodes) for s in t.target] == [("a", ("n2",))]
    detail = next(d for d in t.scores if d.rsc == "a" and d.node == "n1")
    assert "hard-error" in detail.explain()


def test_not_configured_bans_everywhere() -> None:
    status = node_state("n1", lrm("a", op("a", "start", 1, rc=6))) + node_state("n2")
    t = schedule(make(prim("a"), status))
    assert set(_scores(t, "a").values()) == {-1_000_000}
    assert [s.nodes for s in t.target if s.id == "a"] == [()]


def _twice(meta: dict[str, str] | None = None) -> Transition:
    status = node_state("n1", running("a")) + node_state("n2", running("a"))
    return schedule(make(prim("a", meta=meta), status))


def test_multiply_active_default_stops_everywhere_and_starts_once() -> None:
    t = _twice()
    verbs = [(line.verb, line.from_node, line.to_node) for line in t.summary]
    assert verbs == [("Restart", "n1", "n1")]


def test_multiply_active_stop_only() -> None:
    t = _twice({"multiple-active": "stop_only"})
    verbs = sorted((line.verb, line.from_node) for line in t.summary)
    assert verbs == [("Stop", "n1"), ("Stop", "n2")]


def test_multiply_active_block() -> None:
    t = _twice({"multiple-active": "block"})
    assert t.summary == ()
    state = next(s for s in t.target if s.id == "a")
    assert state.blocked and state.nodes == ("n1", "n2")


def test_last_failure_with_changed_parameters_clears_the_fail_count() -> None:
    failed = op("a", "start", 2, rc=1).replace('id="a_start_0_2"', 'id="a_last_failure_0"')
    status = node_state("n1", lrm("a", failed), attrs={"fail-count-a#start_0": "1"}) + node_state(
        "n2"
    )
    resources = prim("a").replace(
        "</primitive>",
        '<instance_attributes id="a-ia"><nvpair id="a-p" name="state" value="/x"/>'
        "</instance_attributes></primitive>",
    )
    t = schedule(make(resources, status, feature_set="3.3.0"))
    clears = [(a.rsc, a.node) for a in t.actions if a.task == "clear_failcount"]
    assert clears == [("a", "n1")]


def _reloadable(status_op: str) -> Transition:
    record = status_op.replace(
        'op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"',
        'op-digest="0" op-force-restart=" dummy " '
        'op-restart-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"',
    )
    resources = prim("a").replace(
        "</primitive>",
        '<instance_attributes id="a-ia"><nvpair id="a-p" name="state" value="/x"/>'
        "</instance_attributes></primitive>",
    )
    return schedule(make(resources, node_state("n1", lrm("a", record)) + node_state("n2")))


def test_changed_parameters_reload_an_agent_that_supports_it() -> None:
    t = _reloadable(op("a", "start", 1))
    assert [(line.verb, line.rsc) for line in t.summary] == [("Reload", "a")]


def test_a_pending_start_restarts_instead_of_reloading() -> None:
    pending = op("a", "start", 1).replace('op-status="0"', 'op-status="-1"')
    t = _reloadable(pending)
    assert [(line.verb, line.rsc) for line in t.summary] == [("Restart", "a")]


def test_stopped_role_monitor_follows_a_stop_everywhere() -> None:
    ops = (
        '<op id="a-m10" name="monitor" interval="10s"/>'
        '<op id="a-m20" name="monitor" interval="20s" role="Stopped"/>'
    )
    resources = prim("a", meta={"target-role": "Stopped"}, ops=ops)
    t = schedule(make(resources, node_state("n1", running("a")) + node_state("n2")))
    monitors = {(a.node, a.interval_ms) for a in t.actions if a.task == "monitor"}
    assert monitors == {("n1", 20000), ("n2", 20000), ("n2", 0)}  # and the probe of n2
    stop = next(a.id for a in t.actions if a.task == "stop")
    after_stop = {e.after for e in t.edges if e.before == stop}
    assert any(a.node == "n1" and a.id in after_stop for a in t.actions if a.task == "monitor")


def test_anonymous_clone_fail_counts_match_any_instance_number() -> None:
    attrs = {"fail-count-ping:3": "2", "fail-count-other:1": "5"}
    assert fail_count(attrs, ("ping",), per_op=False) == 0
    assert fail_count(attrs, ("ping",), per_op=False, any_instance=True) == 2
    assert fail_count(attrs, ("ping:0",), per_op=False, any_instance=True) == 0


def test_inactive_history_of_another_agent_is_cleaned_up() -> None:
    other = lrm("a", op("a", "stop", 1)).replace('type="Dummy"', 'type="Stateful"')
    t = schedule(make(prim("a"), node_state("n1", other) + node_state("n2")))
    assert ("a", "delete", "n1") in {(x.rsc, x.task, x.node) for x in t.actions}


def test_history_named_like_a_clone_is_an_orphan() -> None:
    resources = f'<clone id="c">{prim("a")}</clone>'
    t = schedule(make(resources, node_state("n1", lrm("c", op("c", "stop", 1)))))
    actions = {(x.rsc, x.task, x.node) for x in t.actions}
    assert ("c", "delete", "n1") in actions  # the orphan's history is cleaned up
    assert ("a:0", "monitor", "n1") in actions  # and the clone's child still probed


def test_a_pending_probe_is_probed_again() -> None:
    pending = op("a", "monitor", 2).replace('op-status="0"', 'op-status="-1"')
    t = schedule(make(prim("a"), node_state("n1", lrm("a", pending)), nodes=("n1",)))
    actions = {(x.rsc, x.task, x.node, x.interval_ms) for x in t.actions}
    assert ("a", "monitor", "n1", 0) in actions


def test_a_pending_start_is_issued_again_without_a_summary_line() -> None:
    pending = op("a", "start", 2).replace('op-status="0"', 'op-status="-1"')
    ops = '<op id="a-m" name="monitor" interval="5s"/>'
    resources = prim("a", ops=ops)
    t = schedule(make(resources, node_state("n1", lrm("a", pending)), nodes=("n1",)))
    actions = {(x.rsc, x.task, x.node, x.interval_ms) for x in t.actions}
    assert {("a", "start", "n1", 0), ("a", "monitor", "n1", 5000)} <= actions
    assert t.summary == ()


def test_a_group_is_not_its_own_members_container_and_a_fillers_failed_stop_restarts_it() -> None:
    resources = (
        '<group id="g"><meta_attributes id="g-meta"><nvpair id="g-c" name="container" '
        'value="box"/></meta_attributes>' + prim("box") + prim("a") + "</group>"
    )
    failed_stop = op("a", "stop", 3, rc=1)
    status = node_state("n1", running("box"), lrm("a", op("a", "start", 2), failed_stop))
    t = schedule(make(resources, status + node_state("n2")))
    lines = {(line.verb, line.rsc, line.to_node) for line in t.summary}
    # the failed stop is ignored (no ban, no fencing): the container restarts in place
    assert lines == {("Restart", "box", "n1"), ("Start", "a", "n1")}
    a = next(s for s in t.target if s.id == "a")
    assert a.failure_ignored and a.nodes == ("n1",)
    assert ("box", "monitor", "n2") in {(x.rsc, x.task, x.node) for x in t.actions}  # probed


def test_clone_instance_history_of_another_agent_elsewhere_is_cleaned_up() -> None:
    resources = (
        '<clone id="c"><meta_attributes id="c-meta"><nvpair id="c-max" name="clone-max" '
        'value="1"/></meta_attributes>' + prim("a") + "</clone>"
    )
    other = lrm("a:0", op("a:0", "monitor", 1, rc=7)).replace('type="Dummy"', 'type="Stateful"')
    status = node_state("n1", running("a:0")) + node_state("n2", other)
    t = schedule(make(resources, status))
    assert ("a:0", "delete", "n2") in {(x.rsc, x.task, x.node) for x in t.actions}


def test_a_blocked_stop_holds_its_nodes_shutdown_back() -> None:
    shutting = node_state("n1", running("a"), running("b"), attrs={"shutdown": "1234"})
    resources = '<group id="g">' + prim("a") + prim("b") + "</group>"
    failed_stop = lrm("b", op("b", "start", 1), op("b", "stop", 2, rc=1))
    blocked = shutting.replace(running("b"), failed_stop)
    for status, held in ((shutting, False), (blocked, True)):
        t = schedule(make(resources, status + node_state("n2"), props={"stonith-enabled": "false"}))
        n1 = next(n for n in t.nodes if n.name == "n1")
        assert n1.shutdown and n1.shutdown_blocked is held


def test_a_pending_migration_on_a_node_to_be_fenced_stops_its_target() -> None:
    pending = (
        op("a", "migrate_to", 5)
        .replace('op-status="0"', 'op-status="-1"')
        .replace("/>", ' migrate_source="n1" migrate_target="n2"/>')
    )
    down = (
        '<node_state id="n1" uname="n1" in_ccm="false" crmd="offline" join="down" '
        f'expected="member"><lrm id="n1"><lrm_resources>{lrm("a", op("a", "start", 1), pending)}'
        "</lrm_resources></lrm></node_state>"
    )
    fencer = '<primitive id="fence" class="stonith" type="fence_xvm"/>'
    resources = fencer + prim("a", meta={"allow-migrate": "true"})
    t = schedule(
        make(
            resources,
            down + node_state("n2"),
            nodes=("n1", "n2"),
            props={"stonith-enabled": "true"},
        )
    )
    actions = {(x.rsc, x.task, x.node, x.pseudo) for x in t.actions}
    assert ("a", "stop", "n2", False) in actions  # the migration's target
    assert ("a", "stop", "n1", True) in actions  # implied by fencing n1


def test_multiply_active_stop_unexpected_leaves_the_expected_copy() -> None:
    t = _twice({"multiple-active": "stop_unexpected"})
    stops = {x.node for x in t.actions if x.task == "stop"}
    starts = [(x.node, x.pseudo) for x in t.actions if x.task == "start"]
    assert stops == {"n2"} and starts == [("n1", True)]
    assert [(line.verb, line.from_node) for line in t.summary] == [("Restart", "n1")]


def test_a_promoted_resource_active_twice_is_demoted_everywhere_before_its_stops() -> None:
    def promoted(node: str) -> str:
        return node_state(node, lrm("a", op("a", "start", 1), op("a", "promote", 2)))

    t = schedule(make(prim("a"), promoted("n1") + promoted("n2")))
    demotes = {x.node for x in t.actions if x.task == "demote"}
    assert demotes == {"n1", "n2"}


def test_an_anonymous_clone_with_a_pending_probe_is_probed_again() -> None:
    resources = f'<clone id="c">{prim("a")}</clone>'
    pending = op("a", "monitor", 2).replace('op-status="0"', 'op-status="-1"')
    t = schedule(make(resources, node_state("n1", lrm("a", pending)), nodes=("n1",)))
    assert ("a:0", "monitor", "n1", 0) in {
        (x.rsc, x.task, x.node, x.interval_ms) for x in t.actions
    }


def test_a_clone_with_an_lsb_resource_is_forced_anonymous() -> None:
    lsb = '<primitive id="l" class="lsb" type="foo"/>'
    resources = (
        '<clone id="c"><meta_attributes id="c-meta">'
        '<nvpair id="c-u" name="globally-unique" value="true"/>'
        '<nvpair id="c-max" name="clone-max" value="5"/>'
        '<nvpair id="c-nmax" name="clone-node-max" value="3"/>'
        f"</meta_attributes>{lsb}</clone>"
    )
    t = schedule(make(resources, node_state("n1") + node_state("n2")))
    starts = sorted(line.to_node or "" for line in t.summary if line.verb == "Start")
    assert starts == ["n1", "n2"]  # clone-max capped at the node count, one per node


def test_pending_operations_sort_as_pacemaker_replays_them() -> None:
    def rec(task: str, call: int, transition: int, status: int = 0) -> OpRecord:
        key = f"1:{transition}:0:uuid"
        return OpRecord(
            id=f"a_{task}_{call}",
            operation_key=f"a_{task}_0",
            operation=task,
            interval_ms=0,
            call_id=call,
            rc_code=0,
            op_status=status,
            transition_magic=f"{status}:0;{key}",
        )

    start_pending = rec("start", -1, 8, status=-1)
    stop = rec("stop", 8, 9)
    lrm_ = LrmResource("a", "ocf", "heartbeat", "Dummy", [start_pending, stop])
    assert sorted_ops(lrm_) == [start_pending, stop]  # scheduled before the stop's transition
    later = rec("start", -1, 10, status=-1)
    lrm_ = LrmResource("a", "ocf", "heartbeat", "Dummy", [later, stop])
    assert sorted_ops(lrm_) == [stop, later]
    numbered = rec("start", 3, 8, status=-1)  # a pending start with a call-id: by call-id
    lrm_ = LrmResource("a", "ocf", "heartbeat", "Dummy", [stop, numbered])
    assert sorted_ops(lrm_) == [numbered, stop]
