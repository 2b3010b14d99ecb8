"""Cross-check set precedence with Pacemaker: two meta_attributes sets disagree on
target-role; crm_simulate shows whether the resource gets started."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import cib
from cib.model import Primitive
from cib.nvsets import resolve
from tests.fixtures.tools import require_tool

CASES = [
    ("", ""),
    ('score="1"', 'score="10"'),
    ('score="10"', 'score="1"'),
    ("", 'score="-5"'),
    ('score="3"', 'score="3"'),
]


def build(first: str, second: str) -> str:
    return (
        '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" '
        'have-quorum="1"><configuration><crm_config><cluster_property_set '
        'id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/>'
        '</cluster_property_set></crm_config><nodes><node id="1" uname="n1"/></nodes>'
        '<resources><primitive id="A" class="ocf" provider="heartbeat" type="Dummy">'
        f'<meta_attributes id="m1" {first}><nvpair id="m1a" name="target-role" value="Stopped"/>'
        f'</meta_attributes><meta_attributes id="m2" {second}><nvpair id="m2a" '
        'name="target-role" value="Started"/></meta_attributes></primitive></resources>'
        '<constraints/></configuration><status><node_state id="1" uname="n1" in_ccm="true" '
        'crmd="online" join="member" expected="member"/></status></cib>'
    )


@pytest.mark.parametrize(("first", "second"), CASES)
def test_meta_set_precedence(tmp_path: Path, first: str, second: str) -> None:
    require_tool("crm_simulate")
    path = tmp_path / "nv.xml"
    path.write_text(build(first, second))
    out = subprocess.run(
        ["crm_simulate", "-x", str(path), "-S"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    ).stdout
    summary = out.split("Transition Summary:", 1)[1].split("Executing", 1)[0]
    theirs = "Started" if "Start " in summary else "Stopped"
    prim = cib.load(path).find("A")
    assert isinstance(prim, Primitive)
    assert resolve(prim.meta_sets)["target-role"] == theirs


@pytest.mark.parametrize(
    ("first_id", "first_score", "second_id", "expected"),
    [
        ("a", "", "b", "false"),  # equal scores: the later set wins
        ("a", 'score="5"', "b", "true"),  # higher score wins
        ("a", 'score="100"', "cib-bootstrap-options", "false"),  # always first
    ],
)
def test_cluster_option_precedence(
    tmp_path: Path, first_id: str, first_score: str, second_id: str, expected: str
) -> None:
    """stonith-enabled=true without fencing devices makes crm_verify call the CIB invalid."""
    require_tool("crm_verify")
    from cib.nvsets import cluster_options

    text = build("", "").replace(
        '<cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" '
        'name="stonith-enabled" value="false"/></cluster_property_set>',
        f'<cluster_property_set id="{first_id}" {first_score}><nvpair id="o1" '
        'name="stonith-enabled" value="true"/></cluster_property_set>'
        f'<cluster_property_set id="{second_id}"><nvpair id="o2" name="stonith-enabled" '
        'value="false"/></cluster_property_set>',
    )
    path = tmp_path / "opts.xml"
    path.write_text(text)
    rc = subprocess.run(
        ["crm_verify", "-x", str(path)], capture_output=True, check=False, timeout=60
    ).returncode
    assert (rc == 0) == (expected == "false")
    assert cluster_options(cib.load(path).crm_config)["stonith-enabled"] == expected
