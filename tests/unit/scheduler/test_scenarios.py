"""Hand-written scheduler scenarios (expected results verified with crm_simulate 2.1.5)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import Any

import pytest

import cib
from pycrm.scheduler import schedule
from pycrm.simulate.normalize import from_summary, from_transition, group_members
from tests.fixtures.tools import require_tool
from tests.unit.scheduler.cibtext import make_text
from tests.unit.scheduler.multi_colocation import MULTI_COLOCATION
from tests.unit.scheduler.scenarios import SCENARIOS, Placement

CASES = {**SCENARIOS, **MULTI_COLOCATION}


def _normalized(kwargs: dict[str, Any]) -> list[Placement]:
    return from_transition(schedule(cib.loads(make_text(**kwargs), "t.xml")))["rsc"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_scenario(name: str) -> None:
    kwargs, expected = CASES[name]
    assert _normalized(kwargs) == sorted(expected)


@pytest.mark.parametrize("name", sorted(CASES))
def test_scenario_matches_installed_crm_simulate(name: str) -> None:
    require_tool("crm_simulate")
    kwargs, _ = CASES[name]
    text = make_text(**kwargs)
    fd, path = tempfile.mkstemp(suffix=".xml")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        out = subprocess.run(
            ["crm_simulate", "-x", path, "-S"], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(path)
    expected = from_summary(out.replace("ocf::", "ocf:"), group_members(text))
    assert _normalized(kwargs) == expected["rsc"]
