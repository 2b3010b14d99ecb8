"""The CIB record of a fencing, checked against crm_simulate's simulated fencing.

For every upstream scheduler case whose transition fences a cluster node, crm_simulate -S
writes the fenced node's node_state (simulate_fencing_action); applying
pycrm.fencing.record.fenced_changes to the input CIB must give the same node_state
attributes (crm-debug-origin aside), with the resource history and transient attributes
gone.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from cib import patch
from cib._xml import make_parser
from pycrm.fencing.record import FENCED_STATE, fenced_changes
from tests.fixtures.tools import SHARED, require_path, require_tool

CASES = SHARED / "pacemaker-scheduler-cases-extended"
FENCING = re.compile(r"^  \* Fencing (\S+) \((\w+)\)$", re.M)


def _member(root: etree._Element, node: str) -> bool:
    """A cluster node (remote and guest nodes are recorded differently: not modelled)."""
    for el in root.iterfind("configuration/nodes/node"):
        if el.get("uname") == node:
            state = _state(root, node)
            return el.get("type", "member") in ("member", "normal") and (
                state is None or state.get("remote_node") != "true"
            )
    return False


def _fencing_cases() -> list[tuple[str, str, str]]:
    """(case, node, action) for every fencing of a cluster node in the upstream cases."""
    out: list[tuple[str, str, str]] = []
    summaries = sorted((CASES / "summary").glob("*.summary")) if CASES.is_dir() else []
    for summary in summaries:
        fencings = FENCING.findall(summary.read_text())
        if not fencings:
            continue
        source = (CASES / "xml" / f"{summary.stem}.xml").read_bytes()
        root = etree.fromstring(source, parser=make_parser())
        out += [(summary.stem, node, action) for node, action in fencings if _member(root, node)]
    return out


def _state(root: etree._Element, node: str) -> etree._Element | None:
    return next((s for s in root.iterfind("status/node_state") if s.get("uname") == node), None)


def _attrs(state: etree._Element) -> dict[str, str]:
    attrs = dict(state.attrib)
    attrs.pop("crm-debug-origin", None)
    return attrs


@pytest.mark.parametrize(("case", "node", "action"), _fencing_cases() or [("none", "", "")])
def test_fenced_node_state_matches_crm_simulate(
    case: str, node: str, action: str, tmp_path: Path
) -> None:
    require_path(CASES, "the extended scheduler cases")
    require_tool("crm_simulate")
    source = CASES / "xml" / f"{case}.xml"
    root = etree.fromstring(source.read_bytes(), parser=make_parser())
    out = tmp_path / "out.xml"
    subprocess.run(
        ["crm_simulate", "-x", str(source), "-S", "-O", str(out)],
        capture_output=True,
        timeout=120,
        check=True,
    )
    simulated = _state(etree.fromstring(out.read_bytes(), parser=make_parser()), node)
    changes = fenced_changes(node, action)
    for change in changes:
        change.check()
        change.apply(root)
    ours = _state(root, node)
    if action == "on":  # unfencing: nothing recorded
        assert changes == []
    else:
        assert simulated is not None and ours is not None
        assert _attrs(ours) == _attrs(simulated)
        for state in (ours, simulated):
            assert state.find("lrm") is None and state.find("transient_attributes") is None
        assert simulated.get("crm-debug-origin") == "simulate_fencing_action"


def test_failed_fencing_changes_nothing_and_changes_travel() -> None:
    assert fenced_changes("node2", "reboot", ok=False) == []
    changes = fenced_changes("node2", "off")
    assert changes[0] == patch.SetNodeState(
        "node2", {**FENCED_STATE, "crm-debug-origin": "send_stonith_update"}
    )
    for change in changes:
        assert patch.from_dict(patch.to_dict(change)) == change
    with pytest.raises(patch.PatchError, match="sections"):
        patch.ClearNodeState("node2", "everything").check()
    # a node without a node_state is left alone
    root = etree.fromstring(b"<cib><configuration/><status/></cib>")
    patch.ClearNodeState("node2", "lrm").apply(root)
    assert etree.tostring(root) == b"<cib><configuration/><status/></cib>"
