"""Cross-check date rule evaluation against Pacemaker's own ``crm_rule`` (2.1.5 needs
``years`` in every date_spec)."""

from __future__ import annotations

import subprocess

import pytest
from lxml import etree

import cib
from cib.rules import RuleContext, evaluate
from cib.timespec import parse_datetime
from tests.fixtures.tools import require_tool

RULES = {
    "office": '<date_spec id="s1" hours="9-16" weekdays="1-5" years="2024"/>',
    "early-march": '<date_spec id="s2" monthdays="1-10" months="3" years="2024"/>',
    "week10": '<date_spec id="s3" weeks="10" weekyears="2024" years="2024"/>',
    "ydays": '<date_spec id="s4" yeardays="60-70" years="2024"/>',
    "half-hour": '<date_spec id="s5" minutes="0-29" years="2024"/>',
    "open-range": '<date_spec id="s6" years="2023-2025" hours="-12"/>',
    "sundays": '<date_spec id="s7" weekdays="7" years="2024"/>',
}
RANGES = {
    "range": 'operation="in_range" start="2024-03-01T00:00:00Z" end="2024-03-05T14:30:15Z"',
    "after": 'operation="gt" start="2024-03-05T14:30:15Z"',
    "before": 'operation="lt" end="2024-03-05T14:30:15Z"',
    "until": 'operation="in_range" end="2024-03-04T00:00:00Z"',
}
DURATIONS = {
    "month": ('start="2024-02-05T00:00:00Z"', 'months="1"'),
    "mixed": ('start="2024-02-25T20:00:00Z"', 'weeks="1" days="2" hours="3"'),
}
DATES = [
    "2024-03-05 14:30:15Z",
    "2024-03-05 14:30:16Z",
    "2024-03-03 08:15:00Z",
    "2024-03-04 00:00:00Z",
    "2024-03-10 23:59:59Z",
    "2024-12-31 12:45:00Z",
    "2025-01-01 00:00:00Z",
]


def build_cib() -> str:
    parts = []
    for rid, spec in RULES.items():
        parts.append(
            f'<rule id="{rid}" score="1"><date_expression id="{rid}-d" '
            f'operation="date_spec">{spec}</date_expression></rule>'
        )
    for rid, attrs in RANGES.items():
        parts.append(f'<rule id="{rid}" score="1"><date_expression id="{rid}-d" {attrs}/></rule>')
    for rid, (start, dur) in DURATIONS.items():
        parts.append(
            f'<rule id="{rid}" score="1"><date_expression id="{rid}-d" '
            f'operation="in_range" {start}><duration id="{rid}-du" {dur}/>'
            "</date_expression></rule>"
        )
    locs = "".join(
        f'<rsc_location id="l{i}" rsc="A">{p}</rsc_location>' for i, p in enumerate(parts)
    )
    return (
        '<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">'
        '<configuration><crm_config/><nodes/><resources><primitive id="A" class="ocf" '
        f'provider="heartbeat" type="Dummy"/></resources><constraints>{locs}</constraints>'
        "</configuration><status/></cib>"
    )


@pytest.mark.parametrize("when", DATES)
def test_date_rules_match_crm_rule(when: str) -> None:
    require_tool("crm_rule")
    text = build_cib()
    ids = [*RULES, *RANGES, *DURATIONS]
    argv = ["crm_rule", "-c", "-X", text, "-d", when, "--output-as=xml"]
    for rid in ids:
        argv += ["-r", rid]
    out = subprocess.run(argv, capture_output=True, check=False, timeout=30).stdout
    theirs = {
        str(el.get("rule-id")): el.get("rc") == "0"
        for el in etree.fromstring(out).iter("rule-check")
    }
    assert sorted(theirs) == sorted(ids)
    model = cib.loads(text)
    now = parse_datetime(when)
    ours = {
        loc.rules[0].id: evaluate(loc.rules[0], RuleContext(now=now)) for loc in model.locations
    }
    assert ours == theirs
