"""Cross-check interval/timeout parsing against the op keys and CRM_meta_timeout values that
Pacemaker's scheduler writes into a transition graph."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from lxml import etree

import cib
from tests.fixtures.tools import require_tool

VALUES = [
    "10",
    "1.5s",
    "90s",
    "2min",
    "1h",
    "500ms",
    "5000us",
    "10 s",
    "10S",
    "1hr",
    "10sec",
    "PT1M30S",
    "PT24H",
    "P2D",
    "P1W",
    "P1M",
    "P1DT1S",
]


def build() -> str:
    rscs = "".join(
        f'<primitive id="r{i}" class="ocf" provider="heartbeat" type="Dummy"><operations>'
        f'<op id="m{i}" name="monitor" interval="{v}" timeout="{v}"/></operations></primitive>'
        for i, v in enumerate(VALUES)
    )
    return (
        '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" '
        'have-quorum="1"><configuration><crm_config><cluster_property_set '
        'id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/>'
        '</cluster_property_set></crm_config><nodes><node id="1" uname="n1"/></nodes>'
        f"<resources>{rscs}</resources><constraints/></configuration><status>"
        '<node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" '
        'expected="member"/></status></cib>'
    )


def test_intervals_and_timeouts_match_scheduler(tmp_path: Path) -> None:
    require_tool("crm_simulate")
    path = tmp_path / "ops.xml"
    graph = tmp_path / "graph.xml"
    path.write_text(build())
    subprocess.run(
        ["crm_simulate", "-x", str(path), "-S", "-G", str(graph)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    theirs: dict[int, tuple[int, int]] = {}
    for op in etree.parse(str(graph)).iter("rsc_op"):
        m = re.fullmatch(r"r(\d+)_monitor_(\d+)", str(op.get("operation_key")))
        attrs = op.find("attributes")
        if m is None or attrs is None or attrs.get("CRM_meta_interval", "0") == "0":
            continue  # probes
        theirs[int(m.group(1))] = (int(m.group(2)), int(str(attrs.get("CRM_meta_timeout"))))
    assert len(theirs) == len(VALUES)
    model = cib.loads(path.read_bytes())
    ours = {}
    for i, prim in enumerate(model.primitives()):
        op = prim.ops[0]
        ours[i] = (op.interval_ms, 20_000 if op.timeout_ms is None else op.timeout_ms)
    mismatches = {VALUES[i]: (ours[i], theirs[i]) for i in ours if ours[i] != theirs[i]}
    assert mismatches == {}
