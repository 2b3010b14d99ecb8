"""cib.digest against the op-digest values Pacemaker 2.1.5 itself records.

``crm_simulate -S -O out.xml`` executes the transition it computed and records every action
in the output CIB's status, with the op-digest Pacemaker's own code computes from the action's
parameters -- what pacemaker-controld records on a live cluster.  For every such record in the
regression cases, the digest computed from the configuration (pycrm.scheduler.digests +
cib.digest) must be the same: that is what an executor must record so that Pacemaker's
scheduler and pycrm's both see no definition change.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

import cib
from cib.model import Primitive
from pycrm.scheduler.build import build_world
from pycrm.scheduler.digests import expected_digests
from tests.fixtures.tools import require_path, require_tool
from tests.support.simcompare import CASE_DIRS, case_paths, xml_path

pytestmark = pytest.mark.realproc


def _simulated_records(name: str) -> list[tuple[str, str, str]]:
    """(resource, op id, problem) for every mismatching digest crm_simulate recorded."""
    with tempfile.TemporaryDirectory(prefix="pycrm-digest-") as tmp:
        out = Path(tmp) / "out.xml"
        done = subprocess.run(
            ["crm_simulate", "-x", str(xml_path(name)), "-S", "-O", str(out)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0 or not out.exists():
            return []
        model = cib.load(out)
    before = cib.load(xml_path(name))
    old = {
        (uname, lrm_id, op.id, op.call_id, op.op_digest)
        for uname, status in before.status.items()
        for lrm_id, lrm in status.resources.items()
        for op in lrm.ops
    }
    world = build_world(model, None)
    bad: list[tuple[str, str, str]] = []
    for uname, status in model.status.items():
        node = world.nodes.get(uname)
        for lrm_id, lrm in status.resources.items():
            prim = model.find(lrm_id.partition(":")[0])
            if not isinstance(prim, Primitive) or node is None:
                continue
            for op in lrm.ops:
                if op.crm_debug_origin != "crm_simulate" or op.op_digest is None:
                    continue
                if (uname, lrm_id, op.id, op.call_id, op.op_digest) in old:
                    continue  # in the input already: not computed by this run
                if op.operation == "cancel":  # crm_simulate records cancels; executors do not
                    continue
                ours = expected_digests(model, prim, op, node.attrs, None, world.options)
                if ours.op_digest != op.op_digest:
                    bad.append((lrm_id, op.id, f"{ours.op_digest} != {op.op_digest}"))
    return bad


def test_digests_match_what_pacemaker_records() -> None:
    require_tool("crm_simulate")
    for folder in CASE_DIRS:
        require_path(folder / "xml", "the Pacemaker scheduler cases")
    checked = 0
    failures: dict[str, list[tuple[str, str, str]]] = {}
    for name in sorted(case_paths()):
        try:
            cib.load(xml_path(name))
        except cib.CibError:
            continue  # refused by pycrm: nothing to compare
        bad = _simulated_records(name)
        checked += 1
        if bad:
            failures[name] = bad
    assert checked > 500
    assert not failures, failures
