"""What the demo computes from its records: the client's outage within a step, and how
long the sampler saw something held twice."""

from __future__ import annotations

import pytest

from pycrm.demo.audit import Violation, overlap
from pycrm.demo.client import outage


def test_outage_is_the_longest_gap_between_answers_within_the_window() -> None:
    ok = [(t, t + 0.01, True, "200") for t in (0.0, 0.1, 0.2, 1.5, 1.6, 5.0, 9.0)]
    bad = [(t, t + 0.2, False, "timeout") for t in (0.3, 0.6, 0.9, 1.2, 6.0)]
    records = sorted(ok + bad)
    whole = outage(records, fault=0.25)
    assert (whole.last_ok, whole.first_ok) == pytest.approx((5.01, 9.01))
    step = outage(records, fault=0.25, until=2.0)
    assert (step.last_ok, step.first_ok) == pytest.approx((0.21, 1.51))
    assert step.failed == 4
    assert step.downtime is not None and round(step.downtime, 2) == 1.3


def test_no_answer_after_the_fault_has_no_downtime_figure() -> None:
    records = [(0.0, 0.01, True, "200"), (1.0, 1.2, False, "timeout")]
    out = outage(records, fault=0.5)
    assert out.downtime is None and out.failed == 1


def test_overlap_counts_runs_of_samples_as_continuous() -> None:
    run = [Violation(10 + i * 0.02, "vip", ("node1", "node2")) for i in range(10)]
    later = [Violation(20.0, "disk", ("node1", "node2"))]
    assert overlap([]) == 0
    assert round(overlap(run), 2) == 0.2
    assert round(overlap(run + later), 2) == 0.22  # a sample alone: one interval
