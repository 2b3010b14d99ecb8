"""The operator library (pycrm.ops): pure functions from the CIB to changes or reports.

Shapes and ids are checked against what the installed crm_resource writes for the same CIB
(``CIB_file=... crm_resource --move/--ban --lifetime``), when it is installed.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

import cib
from cib import patch
from cib.live import LiveCib
from pycrm.ops import cibfile, constraints, errors, heartbeat, nodes, resource
from pycrm.ops.explain import contribution_text
from pycrm.scheduler import ScoreContribution
from tests.fixtures.tools import require_tool
from tests.unit.cli.transcript import CIBS, utc

NOW = datetime(2026, 12, 7, 16, 0, 2, tzinfo=UTC)
PROMOTABLE = b"""<cib validate-with="pacemaker-3.9" crm_feature_set="3.16.1" epoch="3"
     num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <clone id="db-clone">
        <meta_attributes id="db-clone-meta">
          <nvpair id="db-clone-promotable" name="promotable" value="true"/>
        </meta_attributes>
        <primitive id="db" class="ocf" provider="pacemaker" type="Stateful"/>
      </clone>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>"""


def model(name: str = "web") -> cib.Cib:
    return cib.loads(CIBS[name])


def xml_of(change: patch.Change) -> str:
    assert isinstance(change, patch.SetConstraint)
    return change.xml


def codes(exc: pytest.ExceptionInfo[errors.OpsError]) -> list[str]:
    return [r.code for r in exc.value.reports]


# ----------------------------------------------------------------------------- constraints
def test_move_and_ban_write_crm_resources_locations() -> None:
    m = model()
    placed = constraints.prefer(m, "web", "node2", active_on=["node1"], now=NOW)
    assert xml_of(placed.change) == (
        '<rsc_location id="cli-prefer-web" rsc="web" role="Started" node="node2" score="INFINITY"/>'
    )
    assert placed.warning is None and placed.expires is None
    banned = constraints.ban(m, "web", None, active_on=["node1"], now=NOW)
    assert banned.constraint_id == "cli-ban-web-on-node1"
    assert xml_of(banned.change) == (
        '<rsc_location id="cli-ban-web-on-node1" rsc="web" role="Started" node="node1"'
        ' score="-INFINITY"/>'
    )
    assert banned.warning is not None
    assert banned.warning.startswith(
        "WARNING: Creating rsc_location constraint 'cli-ban-web-on-node1' with a score of"
        " -INFINITY for resource web on node1."
    )


def test_a_lifetime_is_crm_resources_rule_with_an_end() -> None:
    with utc():
        placed = constraints.prefer(
            model(), "web", "node2", active_on=["node1"], lifetime="PT1H", now=NOW
        )
        banned = constraints.ban(
            model(), "web", "node2", active_on=["node1"], lifetime="P1D", now=NOW
        )
    assert placed.expires == "2026-12-07 17:00:02Z"
    assert xml_of(placed.change) == (
        '<rsc_location id="cli-prefer-web" rsc="web" role="Started">'
        '<rule id="cli-prefer-rule-web" score="INFINITY" boolean-op="and">'
        '<expression id="cli-prefer-expr-web" attribute="#uname" operation="eq"'
        ' value="node2" type="string"/>'
        '<date_expression id="cli-prefer-lifetime-end-web" operation="lt"'
        ' end="2026-12-07 17:00:02Z"/></rule></rsc_location>'
    )
    assert banned.expires == "2026-12-08 16:00:02Z"
    assert 'id="cli-ban-web-on-node2-lifetime"' in xml_of(banned.change)
    # the rule form is understood: the CIB still loads and the prefer is cleared by node
    root = etree.fromstring(CIBS["web"])
    placed.change.apply(root)
    loaded = cib.loads(etree.tostring(root))
    assert constraints.clear(loaded, "web", "node2") == ["cli-prefer-web"]
    assert constraints.clear(loaded, "web", "node3") == []


def test_lifetime_end_in_a_local_zone() -> None:
    paris = datetime(2026, 12, 7, 17, 0, 2, tzinfo=timezone(timedelta(hours=1)))
    with utc("Europe/Paris"):
        assert constraints.lifetime_end("PT1M", paris) == "2026-12-07 17:01:02 +01:00"


def test_the_same_constraints_as_the_installed_crm_resource(tmp_path: Path) -> None:
    require_tool("crm_resource")
    path = tmp_path / "cib.xml"
    path.write_bytes(CIBS["web"])
    env = dict(os.environ, CIB_file=str(path), TZ="UTC")
    for argv in (
        ["--move", "-r", "web", "-N", "node2"],
        ["--ban", "-r", "vip", "-N", "node3", "-Q"],
    ):
        subprocess.run(["crm_resource", *argv], env=env, check=True, capture_output=True)
    theirs = etree.parse(str(path)).getroot().find("configuration/constraints")
    assert theirs is not None
    m = model()
    ours = [
        constraints.prefer(m, "web", "node2", active_on=[], now=NOW).change,
        constraints.ban(m, "vip", "node3", active_on=[], now=NOW).change,
    ]
    expected = [
        etree.tostring(el, with_tail=False).decode()
        for el in theirs
        if el.get("id", "").startswith("cli-")
    ]
    assert [xml_of(c) for c in ours] == expected


def test_bad_input_is_a_report_with_a_stable_code() -> None:
    m = model()
    prefer, ban = constraints.prefer, constraints.ban
    cases = [
        (lambda: prefer(m, "nosuch", "node1", active_on=[], now=NOW), errors.RESOURCE_NOT_FOUND),
        (lambda: prefer(m, "web", "node9", active_on=[], now=NOW), errors.NODE_NOT_FOUND),
        (lambda: prefer(m, "web", "node1", active_on=["node1"], now=NOW), errors.ALREADY),
        (lambda: prefer(m, "web", "node2", active_on=[], lifetime="1h", now=NOW), errors.BAD_VALUE),
        (lambda: ban(m, "web", None, active_on=[], now=NOW), errors.NOT_ACTIVE),
        (
            lambda: ban(m, "web", None, active_on=["node1", "node2"], now=NOW),
            errors.MULTIPLE_ACTIVE,
        ),
        (lambda: ban(m, "web", "node2", active_on=[], promoted=True, now=NOW), errors.BAD_VALUE),
    ]
    for call, code in cases:
        with pytest.raises(errors.OpsError) as exc:
            call()
        assert codes(exc) == [code], exc.value
    with pytest.raises(errors.OpsError) as exc:
        constraints.prefer(m, "web", "node1", active_on=["node1"], now=NOW)
    assert exc.value.forceable


def test_promoted_role_of_a_promotable_clone() -> None:
    m = cib.loads(PROMOTABLE)
    banned = constraints.ban(m, "db-clone", "node1", active_on=[], promoted=True, now=NOW)
    assert 'role="Promoted"' in xml_of(banned.change)
    assert "from being promoted on node1" in (banned.warning or "")


# ----------------------------------------------------------------------------- resource
def test_enable_drops_the_members_own_target_role() -> None:
    root = etree.fromstring(CIBS["web"])
    patch.SetResourceMeta("fs", "target-role", "Stopped").apply(root)
    patch.SetResourceMeta("web", "target-role", "Stopped").apply(root)
    m = cib.loads(etree.tostring(root))
    done = resource.enable(m, "web")
    assert done.changes == [
        patch.SetResourceMeta("web", "target-role", "Started"),
        patch.SetResourceMeta("fs", "target-role", None),
    ]
    assert resource.enable(m, "vip").notes == [
        "vip stays stopped while web has target-role=Stopped: enable web too"
    ]
    plan = resource.restart_plan(m, "fs", ["node1"])
    assert plan.stop == [patch.SetResourceMeta("fs", "target-role", "Stopped")]
    assert plan.start == [patch.SetResourceMeta("fs", "target-role", "Stopped")]  # as it was


def test_cleanup_scope_is_the_whole_collective_unless_forced() -> None:
    m = model("sticky")
    assert resource.cleanup_scope(m, "www") == ["vip", "fs", "www"]
    assert resource.cleanup_scope(m, "www", force=True) == ["www"]
    assert resource.cleanup_scope(m, "ping") == ["ping"]
    assert resource.cleanup_scope(m, None) is None


# ----------------------------------------------------------------------------- nodes
def test_node_attributes_forever_and_reboot() -> None:
    m = model()
    forever = nodes.update(m, ["node1"], "rack", "r1", "forever")
    assert forever == nodes.Update([patch.SetNodeAttr("node1", "rack", "r1")], [])
    reboot = nodes.standby(m, ["node2"], True, "reboot")
    assert reboot == nodes.Update([], [nodes.Transient("node2", "standby", "on")])
    with pytest.raises(errors.OpsError) as exc:
        nodes.update(m, ["node1"], "rack", None, "forever")
    assert codes(exc) == [errors.ATTRIBUTE_NOT_FOUND]
    with pytest.raises(errors.OpsError) as exc:
        nodes.update(m, ["node1"], "rack", "a\nb", "forever")
    assert codes(exc) == [errors.BAD_VALUE]


# ----------------------------------------------------------------------------- cib files
def live_bytes() -> bytes:
    return LiveCib.from_bytes(CIBS["web"]).to_bytes()


def test_a_bare_configuration_keeps_its_line_numbers() -> None:
    text = (
        b'<?xml version="1.0"?>\n<configuration>\n  <crm_config/>\n  <nodes/>\n'
        b'  <resources>\n    <primitive id="x" class="ocf" type="Dummy"/>\n  </resources>\n'
        b"  <constraints/>\n</configuration>\n"
    )
    with pytest.raises(errors.OpsError) as exc:
        cibfile.plan_load(live_bytes(), text, "f.xml")
    assert codes(exc) == [errors.CIB_INVALID]
    assert str(exc.value).startswith("f.xml:6: x: "), exc.value


def test_load_refuses_an_older_version_unless_forced() -> None:
    newer = CIBS["web"].replace(b'epoch="1"', b'epoch="5"', 1)
    live = LiveCib.from_bytes(newer).to_bytes()
    with pytest.raises(errors.OpsError) as exc:
        cibfile.plan_load(live, CIBS["web"], "old.xml")
    assert codes(exc) == [errors.CIB_OLDER] and exc.value.forceable
    plan = cibfile.plan_load(live, CIBS["web"], "old.xml", force=True)
    assert plan.unchanged and plan.file_version is not None
    changed = (
        CIBS["web"].replace(b'score="100"', b'score="200"').replace(b'epoch="1"', b'epoch="7"', 1)
    )
    plan = cibfile.plan_load(live, changed, "new.xml")
    assert not plan.unchanged
    assert (
        '<rsc_location id="location-web-node1" rsc="web" node="node1" score="200"/>'
        in plan.change.xml
    )
    assert (
        '+    <rsc_location id="location-web-node1" rsc="web" node="node1" score="200"/>'
        in cibfile.diff(live, plan, "new.xml")
    )


def test_verify_reports_fencing_without_a_device_like_crm_verify() -> None:
    fenced = CIBS["web"].replace(
        b'name="stonith-enabled" value="false"', b'name="stonith-enabled" value="true"'
    )
    verdict = cibfile.verify(LiveCib.from_bytes(fenced).to_bytes(), "<live>")
    assert verdict.errors == (
        "<live>:0: cib-bootstrap-options: Resource start-up disabled since no STONITH"
        " resources have been defined; either configure some or disable STONITH with the"
        " stonith-enabled option",
    )
    assert cibfile.verify(live_bytes(), "<live>").errors == ()


# ----------------------------------------------------------------------------- heartbeat
def test_heartbeat_sets_follow_the_preferred_node() -> None:
    m = model("sticky")
    assert heartbeat.home(m, "web") == "node1"
    assert heartbeat.home(m, "db") == "node2"
    assert heartbeat.home(m, "ping-clone") is None
    assert [r for r, _ in heartbeat.selected(m, "node1", "local")] == ["web"]
    assert [r for r, _ in heartbeat.selected(m, "node1", "foreign")] == ["db"]
    assert [r for r, _ in heartbeat.selected(m, "node3", "all")] == ["web", "db"]
    assert heartbeat.parse_set("failback") == "foreign"
    with pytest.raises(errors.OpsError):
        heartbeat.parse_set("everything")
    where = {"web": [("node1", "Started")], "db": [("node1", "Started")]}
    assert heartbeat.rscstatus(m, where, "node1") == "all"
    assert heartbeat.rscstatus(m, where, "node2") == "none"
    standby = heartbeat.standby(m, where, "node1", "foreign", NOW)
    assert standby.lines == ["db: leaves node1 (cli-ban-db-on-node1)"]


def test_explain_words_for_score_contributions() -> None:
    assert contribution_text(ScoreContribution("stickiness", "resource-stickiness", 1000)) == (
        "stickiness 1000"
    )
    failure = ScoreContribution(
        "failure", "fail-count 3 reached migration-threshold 3:", -1_000_000
    )
    assert contribution_text(failure) == "fail-count 3 reached migration-threshold 3"
    assert contribution_text(ScoreContribution("colocation", "web:internal_colocation", 10)) == (
        "group members 10"
    )
    assert contribution_text(ScoreContribution("location", "loc1", 100)) == "location loc1 100"
