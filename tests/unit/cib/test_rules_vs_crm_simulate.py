"""Cross-check node-attribute expressions against Pacemaker's scheduler: each expression guards
a +5 location rule of its own resource; ``crm_simulate -s`` shows whether the rule passed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from lxml import etree

import cib
from cib.nodeattrs import node_attributes
from cib.rules import RuleContext, evaluate
from tests.fixtures.tools import require_tool

NODE_ATTRS = {"a": "10", "s": "Abc", "v": "1.10", "f": "1.5", "neg": "-3", "lead": "5xyz"}
PARAMS = {"ref": "10", "name": "n1"}
# (attribute, operation, value, type, value-source)
EXPRESSIONS: list[tuple[str, str, str | None, str | None, str | None]] = [
    ("a", "gt", "9", None, None),
    ("a", "lt", "9", None, None),
    ("a", "lt", "9", "string", None),
    ("a", "gte", "10", "integer", None),
    ("a", "eq", "010", "integer", None),
    ("a", "eq", "010", None, None),
    ("s", "eq", "abc", None, None),
    ("s", "ne", "abd", "string", None),
    ("s", "gt", "abb", "string", None),
    ("v", "gt", "1.9", "version", None),
    ("v", "gt", "1.9", "number", None),
    ("v", "eq", "1.10.0", "version", None),
    ("f", "gt", "1.25", None, None),
    ("f", "lte", "1", None, None),
    ("neg", "lt", "-2", "integer", None),
    ("lead", "eq", "5", "integer", None),
    ("s", "gt", "5", "integer", None),
    ("missing", "eq", "x", None, None),
    ("missing", "ne", "x", None, None),
    ("missing", "lt", "5", None, None),
    ("missing", "not_defined", None, None, None),
    ("a", "defined", None, None, None),
    ("a", "eq", "ref", None, "param"),
    ("#uname", "eq", "name", None, "param"),
    ("a", "eq", "nope", None, "param"),
    ("#uname", "eq", "N1", None, None),
    ("#kind", "eq", "cluster", None, None),
    ("#id", "eq", "1", None, None),
]


def build() -> str:
    nvs = "".join(f'<nvpair id="na-{k}" name="{k}" value="{v}"/>' for k, v in NODE_ATTRS.items())
    params = "".join(
        f'<nvpair id="p-{{i}}-{k}" name="{k}" value="{v}"/>' for k, v in PARAMS.items()
    )
    rscs, locs = [], []
    for i, (attr, op, value, typ, source) in enumerate(EXPRESSIONS):
        rscs.append(
            f'<primitive id="r{i}" class="ocf" provider="heartbeat" type="Dummy">'
            f'<instance_attributes id="ia{i}">{params.format(i=i)}</instance_attributes>'
            "</primitive>"
        )
        extra = "".join(
            f' {k}="{v}"'
            for k, v in (("value", value), ("type", typ), ("value-source", source))
            if v
        )
        locs.append(
            f'<rsc_location id="l{i}" rsc="r{i}"><rule id="ru{i}" score="5">'
            f'<expression id="e{i}" attribute="{attr}" operation="{op}"{extra}/>'
            "</rule></rsc_location>"
        )
    return (
        '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" '
        'have-quorum="1"><configuration><crm_config><cluster_property_set '
        'id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/>'
        '</cluster_property_set></crm_config><nodes><node id="1" uname="n1">'
        f'<instance_attributes id="na">{nvs}</instance_attributes></node></nodes>'
        f"<resources>{''.join(rscs)}</resources><constraints>{''.join(locs)}</constraints>"
        '</configuration><status><node_state id="1" uname="n1" in_ccm="true" crmd="online" '
        'join="member" expected="member"/></status></cib>'
    )


def test_expressions_match_pacemaker_scheduler(tmp_path: Path) -> None:
    require_tool("crm_simulate")
    path = tmp_path / "exprs.xml"
    path.write_text(build())
    out = subprocess.run(
        ["crm_simulate", "-x", str(path), "-s"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    ).stdout
    theirs = {
        int(m.group(1)): m.group(2) == "5"
        for m in re.finditer(r"primitive_assign: r(\d+) allocation score on n1: (\S+)", out)
    }
    assert len(theirs) == len(EXPRESSIONS), out
    model = cib.loads(path.read_bytes())
    attrs = node_attributes(model, "n1")
    ours = {}
    for i, loc in enumerate(model.locations):
        ctx = RuleContext(node_attrs=attrs, rsc_params=PARAMS)
        ours[i] = evaluate(loc.rules[0], ctx)
    mismatches = {EXPRESSIONS[i]: (ours[i], theirs[i]) for i in ours if ours[i] != theirs[i]}
    assert mismatches == {}
    assert etree.fromstring(path.read_bytes()).tag == "cib"


DATE_SPECS = [
    'hours="9-16" weekdays="1-5"',
    'hours="junk"',
    'hours=" 14 "',
    'hours="+14"',
    'hours="16-9"',
    'hours="-13"',
    'hours="15-"',
    'monthdays="5" months="3"',
    'yeardays="60-70"',
    'weeks="10" weekyears="2024"',
    'weekdays="7"',
    'minutes="0-29"',
    'minutes="30-59" seconds="10-20"',
    'years="2023-2025" months="1-2"',
]
WHEN = ["2024-03-05 14:30:15Z", "2024-03-03 08:15:00Z", "2024-12-30 23:59:59Z"]


def build_dates() -> str:
    rscs, locs = [], []
    for i, spec in enumerate(DATE_SPECS):
        rscs.append(f'<primitive id="r{i}" class="ocf" provider="heartbeat" type="Dummy"/>')
        locs.append(
            f'<rsc_location id="l{i}" rsc="r{i}"><rule id="ru{i}" score="5">'
            f'<date_expression id="d{i}" operation="date_spec"><date_spec id="s{i}" '
            f"{spec}/></date_expression></rule></rsc_location>"
        )
    return (
        '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" '
        'have-quorum="1"><configuration><crm_config><cluster_property_set '
        'id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/>'
        '</cluster_property_set></crm_config><nodes><node id="1" uname="n1"/></nodes>'
        f"<resources>{''.join(rscs)}</resources><constraints>{''.join(locs)}</constraints>"
        '</configuration><status><node_state id="1" uname="n1" in_ccm="true" crmd="online" '
        'join="member" expected="member"/></status></cib>'
    )


def test_date_specs_match_pacemaker_scheduler(tmp_path: Path) -> None:
    require_tool("crm_simulate")
    from cib.timespec import parse_datetime

    path = tmp_path / "dates.xml"
    path.write_text(build_dates())
    model = cib.loads(path.read_bytes())
    for when in WHEN:
        out = subprocess.run(
            ["crm_simulate", "-x", str(path), "-s", "-t", when],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        ).stdout
        theirs = {
            int(m.group(1)): m.group(2) == "5"
            for m in re.finditer(r"primitive_assign: r(\d+) allocation score on n1: (\S+)", out)
        }
        assert len(theirs) == len(DATE_SPECS), out
        ctx = RuleContext(now=parse_datetime(when))
        ours = {i: evaluate(loc.rules[0], ctx) for i, loc in enumerate(model.locations)}
        mismatches = {DATE_SPECS[i]: (ours[i], theirs[i]) for i in ours if ours[i] != theirs[i]}
        assert mismatches == {}, when
