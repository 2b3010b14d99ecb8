"""The history against Pacemaker's own records in the scheduler regression cases.

The cases are GPL test data read at test time from the shared directory (never copied):
* every record the real controller wrote (``crm-debug-origin="do_update_resource"``) with
  a modern attribute set has exactly our attribute order;
* replaying each node's recorded results through :class:`LocalHistory` gives the state
  Pacemaker's scheduler reads from the original records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cib
from cib._parse_status import StatusParser
from cib.errors import CibError
from cib.history import unpack_node_history
from cib.model import LrmResource, OpRecord
from pycrm.daemon.executor.request import OpRequest, OpResult
from pycrm.daemon.lrm import LocalHistory
from tests.fixtures.tools import SHARED, require_path

CASE_DIRS = [
    SHARED / "pacemaker-scheduler-cases" / "xml",
    SHARED / "pacemaker-scheduler-cases-extended" / "xml",
]
IGNORED = (
    "op-digest",
    "op-force-restart",
    "op-restart-digest",
    "op-secure-params",
    "op-secure-digest",
    "last-run",
    "migrate_source",
    "migrate_target",
)
RECORDED = ("start", "stop", "monitor", "promote", "demote")


def _case_files() -> list[Path]:
    for directory in CASE_DIRS:
        require_path(directory, "Pacemaker's scheduler regression cases")
    return sorted(p for d in CASE_DIRS for p in d.glob("*.xml"))


def test_controller_records_have_our_attribute_order() -> None:
    from lxml import etree

    from pycrm.daemon.lrm import OpEntry

    ours = [
        name
        for name, _ in OpEntry(
            "i", "k", "o", "d", "f", "t", "m", "", "n", 1, 0, 0, 0, 0, 0, 0
        ).attributes()
    ]
    checked = 0
    for path in _case_files():
        for op in etree.parse(str(path)).iter("lrm_rsc_op"):
            if op.get("crm-debug-origin") != "do_update_resource" or "on_node" not in op.attrib:
                continue
            if op.get("operation", "").startswith("migrate"):
                continue  # migration records carry migrate_source/target (not done here)
            names = [name for name in op.attrib if name not in IGNORED]
            if "exit-reason" not in names or names[-1] == "on_node":
                continue  # records from before the current layout
            assert names == ours, f"{path.name}: {op.get('id')}"
            checked += 1
    assert checked > 50


def _replayable(lrm: LrmResource) -> bool:
    if "/" in (lrm.type or ""):
        return False  # an absolute agent path: pycrm refuses those
    return all(
        op.operation in RECORDED
        and op.op_status in (0, 1, 2, 4, 5, 6, 7)
        and op.call_id > 0
        and op.transition_key is not None
        and op.id in _expected_ids(lrm.id, op)
        for op in lrm.ops
    )


def _expected_ids(rsc: str, op: OpRecord) -> tuple[str, ...]:
    return (f"{rsc}_last_0", f"{rsc}_last_failure_0", f"{rsc}_{op.operation}_{op.interval_ms}")


def _as_result(rsc: LrmResource, op: OpRecord, node: str) -> OpResult:
    request = OpRequest(
        rsc_id=rsc.id,
        rsc_class=rsc.standard or "ocf",
        provider=rsc.provider,
        agent=rsc.type or "Dummy",
        action=op.operation,
        node=node,
        interval_ms=op.interval_ms,
        transition_key=op.transition_key,
        target_rc=op.target_rc if op.target_rc is not None else 0,
    )
    changed = float(op.last_rc_change or 0)
    return OpResult(
        request=request,
        call_id=op.call_id,
        rc=op.rc_code,
        op_status=op.op_status,
        exit_reason=op.exit_reason,
        run_at=changed,
        rc_changed_at=changed,
    )


def _histories() -> Iterator[tuple[str, str, LrmResource]]:
    for path in _case_files():
        try:
            model = cib.load(path)
        except CibError:
            continue  # bundles and other parts cib/ does not model
        for uname, state in model.status.items():
            for lrm in state.resources.values():
                if lrm.ops and _replayable(lrm):
                    yield path.name, uname, lrm


def test_replaying_recorded_results_gives_the_same_state() -> None:
    compared = 0
    for case, node, lrm in _histories():
        history = LocalHistory(node, node)
        replay = sorted(lrm.ops, key=lambda op: (op.call_id, op.last_rc_change or 0))
        for op in replay:
            history.record(_as_result(lrm, op, node))
        el = history.resource_xml(lrm.id)
        assert el is not None
        rebuilt = StatusParser(case).lrm_resource(el)
        for on_fail in ("restart", "ignore", "block"):
            resolver = _constant(on_fail)
            want = unpack_node_history(lrm, node, resolver)
            got = unpack_node_history(rebuilt, node, resolver)
            assert (got.role, got.failed, got.stop_failed, got.on_fail) == (
                want.role,
                want.failed,
                want.stop_failed,
                want.on_fail,
            ), f"{case}: {lrm.id} on {node}"
        compared += 1
    assert compared > 100


def _constant(on_fail: str) -> Callable[[str, int], str]:
    def resolver(task: str, interval_ms: int) -> str:
        return on_fail

    return resolver


@pytest.fixture(autouse=True)
def _module_needs_cases() -> None:
    _case_files()
