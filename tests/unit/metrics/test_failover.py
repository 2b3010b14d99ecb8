"""The failover definition (pycrm.metrics.failover), on the loop's clock, and the
per-node counters as Prometheus families."""

from __future__ import annotations

import pytest
from lxml import etree
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.registry import Collector

from pycrm.metrics.export import pycrm_families
from pycrm.metrics.failover import (
    NODE,
    RESOURCE,
    DaemonCounters,
    FailoverTracker,
    failure_records,
    recovers,
)


def test_node_loss_to_the_end_of_the_recovering_transition() -> None:
    t = FailoverTracker()
    t.detected(NODE, "node1", 10.0)
    t.transition_started(10.2)
    t.transition_finished(ok=True, recovered=True, now=12.7, wall=1000.0)
    assert t.counts == {NODE: 1, RESOURCE: 0}
    assert t.last is not None and t.last.what == ("node1",)
    assert t.last.duration == pytest.approx(2.7)
    assert t.pending == []


def test_an_aborted_transition_does_not_end_it_the_next_one_does() -> None:
    t = FailoverTracker()
    t.detected(RESOURCE, "web_monitor_10000 on node2", 5.0)
    t.transition_started(5.1)
    t.transition_finished(ok=False, recovered=True, now=6.0, wall=0.0)  # a start failed
    t.transition_started(6.1)
    t.transition_finished(ok=True, recovered=True, now=8.0, wall=0.0)
    assert t.counts[RESOURCE] == 1 and t.last is not None and t.last.duration == 3.0


def test_a_transition_started_before_the_detection_does_not_end_it() -> None:
    t = FailoverTracker()
    t.transition_started(1.0)
    t.detected(NODE, "node3", 2.0)
    t.transition_finished(ok=True, recovered=True, now=3.0, wall=0.0)
    assert t.counts[NODE] == 0 and len(t.pending) == 1


def test_nothing_to_recover_is_not_a_failover() -> None:
    t = FailoverTracker()
    t.detected(NODE, "node3", 2.0)
    t.transition_started(2.1)
    t.transition_finished(ok=True, recovered=False, now=2.5, wall=0.0)  # only clean-ups
    t.idle()
    assert t.counts[NODE] == 0 and t.pending == [] and t.last is None


def test_two_detections_one_failover_timed_from_the_first() -> None:
    t = FailoverTracker()
    t.detected(NODE, "node1", 1.0)
    t.detected(RESOURCE, "x on node2", 1.5)
    t.transition_started(1.6)
    t.transition_finished(ok=True, recovered=True, now=4.0, wall=0.0)
    assert t.counts == {NODE: 1, RESOURCE: 0}
    assert t.last is not None and t.last.duration == 3.0 and len(t.last.what) == 2


def test_a_member_drops_what_the_dc_recovers() -> None:
    t = FailoverTracker()
    t.detected(NODE, "node1", 1.0)
    t.not_dc()
    assert t.pending == []


def test_failure_records_and_recovery_tasks() -> None:
    root = etree.fromstring(
        b'<cib><status><node_state id="2" uname="node2"><lrm><lrm_resources>'
        b'<lrm_resource id="web"><lrm_rsc_op id="web_last_0" call-id="7"/>'
        b'<lrm_rsc_op id="web_last_failure_0" call-id="6"/></lrm_resource>'
        b"</lrm_resources></lrm></node_state></status></cib>"
    )
    assert failure_records(root) == frozenset({("node2", "web_last_failure_0", "6")})
    assert recovers(["stop", "start"]) and not recovers(["stop", "monitor", "cancel"])


def test_counters_as_families() -> None:
    counters = DaemonCounters()
    counters.monitor_failed("web-site")
    counters.monitor_failed("web-site")
    counters.fenced(ok=True)
    tracker = counters.failovers
    tracker.detected(NODE, "node1", 0.0)
    tracker.transition_started(0.5)
    tracker.transition_finished(ok=True, recovered=True, now=1.25, wall=1700000000.0)

    class Fixed(Collector):
        def collect(self):  # type: ignore[no-untyped-def]
            return pycrm_families(counters)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Fixed())
    text = generate_latest(registry).decode()
    for line in (
        'pycrm_failovers_total{cause="node"} 1.0',
        'pycrm_failovers_total{cause="resource"} 0.0',
        "pycrm_last_failover_duration_seconds 1.25",
        "pycrm_last_failover_timestamp_seconds 1.7e+09",
        'pycrm_fence_actions_total{result="success"} 1.0',
        'pycrm_fence_actions_total{result="failure"} 0.0',
        'pycrm_monitor_failures_total{resource="web-site"} 2.0',
    ):
        assert line in text.splitlines(), (line, text)
