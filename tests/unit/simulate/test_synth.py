"""The synthetic benchmark CIBs: deterministic, the requested size, loadable, schedulable."""

from __future__ import annotations

import cib
from pycrm.scheduler import schedule
from pycrm.simulate.cibspec import CloneSpec, GroupSpec, PrimSpec
from pycrm.simulate.synth import synthetic_cib, synthetic_spec


def _count(spec_resources: list[PrimSpec | GroupSpec | CloneSpec]) -> int:
    total = 0
    for rsc in spec_resources:
        if isinstance(rsc, PrimSpec):
            total += 1
        elif isinstance(rsc, GroupSpec):
            total += len(rsc.members)
        else:
            total += 1
    return total


def test_deterministic_and_sized() -> None:
    assert synthetic_cib(120, 4) == synthetic_cib(120, 4)
    assert synthetic_cib(120, 4, seed=2) != synthetic_cib(120, 4)
    spec = synthetic_spec(120, 4)
    assert _count(spec.resources) == 120
    assert len(spec.nodes) == 4


def test_loads_and_schedules() -> None:
    model = cib.loads(synthetic_cib(60, 3), source="synth.xml")
    transition = schedule(model)
    assert {n.name for n in transition.nodes} == {"node1", "node2", "node3"}
    assert any(state.active for state in transition.target)
