"""pycrm's scheduler against Pacemaker 2.1.5's own regression cases.

For each stored case (``xml/<name>.xml`` in, ``summary/<name>.summary`` = ``crm_simulate -S``
out) the normalized "Revised Cluster Status" must equal pycrm's target state, and the
Transition Summary verbs (Start/Stop/Move/...) must match.  The cases are GPL test data read
from the shared directory at test time, never copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cib
from pycrm.scheduler import schedule
from pycrm.simulate.normalize import (
    from_summary,
    from_transition,
    group_members,
    summary_verbs,
    transition_verbs,
)
from tests.fixtures.tools import SHARED, require_path

CASES_DIR = SHARED / "pacemaker-scheduler-cases"

# Cases whose outcome pycrm does not reproduce yet: name -> precise reason.
XFAIL: dict[str, str] = {}


def _case_names() -> list[str]:
    xml_dir = CASES_DIR / "xml"
    if not xml_dir.is_dir():
        return ["<missing>"]
    return sorted(p.stem for p in xml_dir.glob("*.xml"))


def _params() -> list[object]:
    out: list[object] = []
    for name in _case_names():
        marks = []
        if name in XFAIL:
            marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[name]))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def _load(name: str) -> tuple[str, str]:
    require_path(CASES_DIR / "xml", "the Pacemaker scheduler cases")
    xml = (CASES_DIR / "xml" / f"{name}.xml").read_text()
    summary = (CASES_DIR / "summary" / f"{name}.summary").read_text()
    return xml, summary


@pytest.mark.parametrize("name", _params())
def test_revised_status_matches_crm_simulate(name: str) -> None:
    xml, summary = _load(name)
    transition = schedule(cib.loads(xml, f"{name}.xml"))
    expected = from_summary(summary, group_members(xml))
    assert from_transition(transition) == expected


@pytest.mark.parametrize("name", _params())
def test_transition_summary_verbs_match(name: str) -> None:
    xml, summary = _load(name)
    transition = schedule(cib.loads(xml, f"{name}.xml"))
    assert transition_verbs(transition) == summary_verbs(summary)


def test_case_count() -> None:
    require_path(CASES_DIR / "xml", "the Pacemaker scheduler cases")
    assert len(list(Path(CASES_DIR / "xml").glob("*.xml"))) == 60
