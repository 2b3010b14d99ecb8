"""`pycrm simulate`: output shapes, injections and one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from pycrm.cli.simulate import simulate
from pycrm.simulate.normalize import from_crm_simulate_xml, from_summary, group_members
from tests.fixtures.tools import SHARED, require_path

CASES = SHARED / "pacemaker-scheduler-cases"

GOOD = """<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" have-quorum="1">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-stonith" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2"/>
    </nodes>
    <resources>
      <primitive id="rscA" class="ocf" provider="pacemaker" type="Dummy"/>
      <group id="grp">
        <primitive id="m1" class="ocf" provider="pacemaker" type="Dummy"/>
        <primitive id="m2" class="ocf" provider="pacemaker" type="Dummy"/>
      </group>
      <clone id="cl"><primitive id="child" class="ocf" provider="pacemaker" type="Dummy"/></clone>
    </resources>
    <constraints>
      <rsc_location id="loc1" rsc="rscA" node="node2" score="100"/>
      <rsc_colocation id="col1" rsc="grp" with-rsc="rscA" score="INFINITY"/>
    </constraints>
    <rsc_defaults>
      <meta_attributes id="rd"><nvpair id="rd-st" name="resource-stickiness" value="50"/>
      </meta_attributes>
    </rsc_defaults>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
"""


def _run(*args: str) -> Result:
    return CliRunner().invoke(simulate, list(args))


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.xml"
    path.write_text(GOOD)
    return path


def _section(text: str, start: str, end: str | None) -> str:
    part = text.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def _squash(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def test_text_shape(good: Path) -> None:
    result = _run("-x", str(good), "-S")
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in (
        "Current cluster status:",
        "Transition Summary:",
        "Executing Cluster Transition:",
        "Revised Cluster Status:",
    ):
        assert heading in out
    revised = _section(out, "Revised Cluster Status:", None)
    assert "* Online: [ node1 node2 ]" in revised
    assert "* rscA\t(ocf:pacemaker:Dummy):\t Started node2" in revised
    assert "* Resource Group: grp:" in revised
    assert "* Clone Set: cl [child]:" in revised
    assert "* Started: [ node1 node2 ]" in revised
    summary = _squash(_section(out, "Transition Summary:", "Executing"))
    assert "* Start rscA ( node2 )" in summary


def test_without_simulate_only_current_status(good: Path) -> None:
    out = _run("-x", str(good)).output
    assert "Current cluster status:" in out
    assert "Revised Cluster Status:" not in out


def test_show_scores_explains_in_words(good: Path) -> None:
    out = _run("-x", str(good), "-S", "--show-scores").output
    scores = _section(out, "Allocation scores:", "Transition Summary:")
    assert re.search(r"rscA on node2: \d+ = .*location loc1 100", scores), scores


def test_xml_output(good: Path) -> None:
    result = _run("-x", str(good), "-S", "--output-as=xml")
    assert result.exit_code == 0
    root = etree.fromstring(result.output.encode())
    assert root.tag == "pacemaker-result"
    assert root.find("status").get("code") == "0"  # type: ignore[union-attr]
    node = root.find("revised_cluster_status/nodes/node")
    assert node is not None
    for attr in ("name", "id", "online", "standby", "maintenance", "unclean"):
        assert node.get(attr) is not None
    res = root.find("revised_cluster_status/resources/resource")
    assert res is not None
    for attr in ("id", "resource_agent", "role", "active", "managed", "failed", "blocked"):
        assert res.get(attr) is not None
    assert root.find("revised_cluster_status/resources/group").get("number_resources") == "2"  # type: ignore[union-attr]
    assert root.find("revised_cluster_status/resources/clone").get("multi_state") == "false"  # type: ignore[union-attr]
    norm = from_crm_simulate_xml(result.output)
    assert ("rscA", "Started", "node2", ()) in norm["rsc"]
    assert ("m1", "Started", "node2", ()) in norm["rsc"]


def test_json_output(good: Path) -> None:
    result = _run("-x", str(good), "-S", "--output-as=json", "--show-scores")
    doc = json.loads(result.output)
    assert doc["schema"] == "pycrm-simulate/1"
    assert doc["status"] == {"code": 0, "message": "OK"}
    kinds = [r["type"] for r in doc["revised_cluster_status"]["resources"]]
    assert kinds == ["primitive", "group", "clone"]
    assert doc["revised_cluster_status"]["resources"][0]["nodes"] == ["node2"]
    assert any(a["resource"] == "rscA" and a["action"] == "start" for a in doc["actions"])
    assert any(s["explanation"].startswith("rscA on node2:") for s in doc["scores"])


def test_injections(good: Path) -> None:
    out = _run(
        "-x", str(good), "-S", "--node-fail", "node2", "--op-fail", "child_start_0@node1=1"
    ).output
    mods = _section(out, "Performing Requested Modifications:", "Transition Summary:")
    assert "* Failing node node2" in mods
    assert "* Injecting child_start_0@node1=1 into the configuration" in mods
    assert "fail-count-child#start_0=value++" in mods
    current = _section(out, "Current cluster status:", "Performing")
    assert "* Online: [ node1 node2 ]" in current  # shown before the injections
    assert "rscA\t(ocf:pacemaker:Dummy):\t Started node1" in _section(
        out, "Revised Cluster Status:", None
    )


def _error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines() if result.stderr else result.output.splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda t: t.replace('with-rsc="rscA"', 'with-rsc="nope"'), r":\d+: col1: .*nope"),
        (lambda t: t.replace('score="100"', 'score="lots"'), r":\d+: loc1: .*score"),
        (lambda t: t.replace("<constraints>", '<constraints><bogus id="b1"/>'), r":\d+: b1: "),
        (lambda t: t.replace("<nodes>", "<nodes"), r":\d+: -: "),
    ],
    ids=["dangling-idref", "bad-score", "unknown-element", "malformed"],
)
def test_bad_input_is_one_line(tmp_path: Path, edit: object, pattern: str) -> None:
    assert callable(edit)
    path = tmp_path / "bad.xml"
    path.write_text(edit(GOOD))
    line = _error(_run("-x", str(path), "-S"))
    assert line.startswith(f"pycrm simulate: {path}:")
    assert re.search(pattern, line), line


def test_missing_file(tmp_path: Path) -> None:
    line = _error(_run("-x", str(tmp_path / "absent.xml")))
    assert "absent.xml:0: -: No such file or directory" in line


def test_bad_op_spec(good: Path) -> None:
    result = _run("-x", str(good), "--op-fail", "garbage")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_unknown_injected_resource(good: Path) -> None:
    line = _error(_run("-x", str(good), "-S", "--op-fail", "ghost_start_0@node1=1"))
    assert "no primitive resource named 'ghost'" in line


def _case_names() -> list[str]:
    if not (CASES / "xml").is_dir():
        return []
    return sorted(p.stem for p in (CASES / "xml").glob("*.xml"))


@pytest.mark.parametrize("case", _case_names() or ["(no cases)"])
def test_text_matches_upstream_summary(case: str) -> None:
    """Everything but the (unordered) executed-action list equals crm_simulate's text."""
    require_path(CASES / "xml", "the stored Pacemaker scheduler cases")
    expected = (CASES / "summary" / f"{case}.summary").read_text()
    result = _run("-x", str(CASES / "xml" / f"{case}.xml"), "-S")
    assert result.exit_code == 0, result.output

    def strip_actions(text: str) -> list[str]:
        head, rest = text.split("Executing Cluster Transition:", 1)
        _, tail = rest.split("Revised Cluster Status:", 1)
        return [line.rstrip() for line in (head + tail).splitlines()]

    assert strip_actions(result.output) == strip_actions(expected)
    groups = group_members((CASES / "xml" / f"{case}.xml").read_text())
    assert from_summary(result.output, groups) == from_summary(expected, groups)


def test_unexpected_failure_is_one_line(good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pycrm.simulate.run as run_mod

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("synthetic failure")

    monkeypatch.delenv("PYCRM_DEBUG", raising=False)
    monkeypatch.setattr(run_mod, "simulate", boom)
    result = _run("-x", str(good), "-S")
    assert result.exit_code == 1
    assert "internal error" in result.output
    assert "RuntimeError: synthetic failure" in result.output
    assert "Traceback" not in result.output
