"""pycrm's scheduler against Pacemaker 2.1.5's own regression cases (60 + 572).

Three comparisons per case (see :mod:`tests.support.simcompare`):

* the normalized "Revised Cluster Status" of the stored ``crm_simulate -S`` summary equals
  pycrm's target state;
* the "Transition Summary" lines (verb, resource, nodes and roles, fencing lines) match;
* the executed actions of the transition graph match those of the installed
  ``crm_simulate -S --output-as=xml`` (run at test time, once per case).

Cases pycrm does not reproduce yet are listed, with the reason, in
:mod:`tests.conformance.scheduler_xfail` (strict: a case that starts passing must leave the
list).  No case may crash: a CIB pycrm does not model is refused with a CibError naming the
feature.  The cases are GPL test data read from the shared directory at test time.
"""

from __future__ import annotations

import pytest

import cib
from cib import errors
from cib.errors import CibError
from pycrm.scheduler import Transition, schedule
from pycrm.simulate.normalize import from_summary, from_transition, group_members
from tests.conformance.scheduler_xfail import XFAIL
from tests.fixtures.tools import require_path, require_tool
from tests.support.simcompare import (
    CASE_DIRS,
    case_paths,
    crm_simulate_actions,
    expected_summary,
    our_actions,
    our_summary,
    summary_text,
    xml_path,
)

EXPECTED_CASES = 632


def _names() -> list[str]:
    names = sorted(case_paths())
    return names or ["<missing>"]


def _params(check: str) -> list[object]:
    out: list[object] = []
    for name in _names():
        marks = []
        entry = XFAIL.get(name)
        if entry is not None and check in entry[0].split():
            marks.append(
                pytest.mark.xfail(strict=True, raises=(AssertionError, CibError), reason=entry[1])
            )
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def _schedule(name: str) -> tuple[str, Transition]:
    for folder in CASE_DIRS:
        require_path(folder / "xml", "the Pacemaker scheduler cases")
    xml = xml_path(name).read_text()
    return xml, schedule(cib.loads(xml, f"{name}.xml"), sanitized=True)


@pytest.mark.parametrize("name", _params("status"))
def test_revised_status_matches_crm_simulate(name: str) -> None:
    xml, transition = _schedule(name)
    expected = from_summary(summary_text(name), group_members(xml))
    assert from_transition(transition) == expected


@pytest.mark.parametrize("name", _params("summary"))
def test_transition_summary_matches(name: str) -> None:
    _, transition = _schedule(name)
    assert our_summary(transition) == expected_summary(summary_text(name))


@pytest.mark.parametrize("name", _params("actions"))
def test_graph_actions_match(name: str) -> None:
    require_tool("crm_simulate")
    _, transition = _schedule(name)
    assert our_actions(transition) == crm_simulate_actions(name)


@pytest.mark.parametrize("name", _names())
def test_case_is_scheduled_or_refused_clearly(name: str) -> None:
    """Never a crash: either a transition, or a CibError naming what is not supported."""
    try:
        _schedule(name)
    except CibError as exc:
        assert exc.code == errors.UNSUPPORTED, str(exc)
        assert "not supported" in exc.message


def test_case_count() -> None:
    for folder in CASE_DIRS:
        require_path(folder / "xml", "the Pacemaker scheduler cases")
    assert len(case_paths()) == EXPECTED_CASES


def test_expected_failures_name_existing_cases() -> None:
    for folder in CASE_DIRS:
        require_path(folder / "xml", "the Pacemaker scheduler cases")
    names = case_paths()
    for name, (checks, reason) in XFAIL.items():
        assert name in names, name
        assert set(checks.split()) <= {"status", "summary", "actions"}, name
        assert reason, name
