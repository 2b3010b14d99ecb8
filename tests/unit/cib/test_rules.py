from __future__ import annotations

from datetime import UTC, datetime

import pytest

import cib
from cib.model import DateExpression, DateSpec, Expression, OpExpression, RscExpression, Rule
from cib.rules import RuleContext, compare, compare_version, evaluate, rule_score
from cib.timespec import Duration

NOW = datetime(2024, 3, 5, 14, 30, 15, tzinfo=UTC)  # a Tuesday, ISO week 10, yday 65


def expr(
    op: str,
    value: str | None = None,
    typ: str | None = None,
    attr: str = "a",
    source: str = "literal",
) -> Rule:
    return Rule("r", expressions=[Expression("e", attr, op, value, typ, source)])


def ok(rule: Rule, **attrs: str) -> bool:
    return evaluate(rule, RuleContext(node_attrs=attrs, now=NOW))


@pytest.mark.parametrize(
    ("op", "value", "typ", "actual", "expected"),
    [
        ("eq", "abc", None, "ABC", True),  # string compare is case-insensitive
        ("ne", "abc", None, "abd", True),
        ("eq", "10", "integer", "010", True),
        ("lt", "9", None, "10", False),  # default integer: 10 < 9 false
        ("lt", "9", "string", "10", True),  # string: "10" < "9"
        ("gt", "9", None, "10", True),
        ("lte", "10", "integer", "10", True),
        ("gte", "11", "integer", "10", False),
        ("gt", "1.5", None, "1.75", True),  # a dot selects number
        ("lt", "2", "number", "1.9", True),
        ("gt", "1.9", "version", "1.10", True),
        ("eq", "1.0", "version", "1.0.0", True),
        ("lt", "2.1.5", "version", "2.1.10", False),
        ("gt", "abc", "integer", "abd", True),  # unparsable: string fallback
        ("eq", "5", "integer", "5xyz", True),  # leading integer, like strtoll
    ],
)
def test_comparisons(op: str, value: str, typ: str | None, actual: str, expected: bool) -> None:
    assert ok(expr(op, value, typ), a=actual) is expected


def test_defined_and_missing() -> None:
    assert ok(expr("defined"), a="x")
    assert not ok(expr("defined"))
    assert ok(expr("not_defined"))
    assert not ok(expr("not_defined"), a="")
    assert not ok(expr("eq", "x"))  # missing attribute never equals
    assert ok(expr("ne", "x"))
    assert not ok(expr("lt", "5"))  # ordering with a missing side fails
    assert not ok(expr("gt", "5"))


def test_legacy_number_is_integer() -> None:
    rule = expr("eq", "1", "number")
    assert not evaluate(rule, RuleContext(node_attrs={"a": "1.9"}))
    assert evaluate(rule, RuleContext(node_attrs={"a": "1.9"}, legacy_number=True))


def test_value_source_param_and_meta() -> None:
    rule = expr("eq", "wanted", None, source="param")
    ctx = RuleContext(node_attrs={"a": "node-x"}, rsc_params={"wanted": "node-x"})
    assert evaluate(rule, ctx)
    meta_rule = expr("eq", "wanted", None, source="meta")
    assert not evaluate(meta_rule, ctx)  # no meta table: reference is missing
    assert evaluate(meta_rule, RuleContext(node_attrs={"a": "y"}, rsc_meta={"wanted": "Y"}))


def test_boolean_ops_nesting_and_empty() -> None:
    t = Expression("t", "#uname", "eq", "n1")
    f = Expression("f", "#uname", "eq", "n2")
    attrs = {"#uname": "n1"}
    ctx = RuleContext(node_attrs=attrs)
    assert evaluate(Rule("r", "and", expressions=[t, t]), ctx)
    assert not evaluate(Rule("r", "and", expressions=[t, f]), ctx)
    assert evaluate(Rule("r", "or", expressions=[f, t]), ctx)
    assert not evaluate(Rule("r", "or", expressions=[f, f]), ctx)
    nested = Rule("outer", "and", expressions=[t, Rule("inner", "or", expressions=[f, t])])
    assert evaluate(nested, ctx)
    assert evaluate(Rule("empty-and"), ctx)
    assert not evaluate(Rule("empty-or", "or"), ctx)


def test_role_and_submatch() -> None:
    rule = expr("eq", "Promoted", attr="#role")
    assert evaluate(rule, RuleContext(role="Promoted"))
    assert not evaluate(rule, RuleContext(role="Unpromoted"))
    sub = expr("eq", "yes", attr="ok-%1")
    assert evaluate(sub, RuleContext(node_attrs={"ok-db": "yes"}, submatches=("rsc-db", "db")))


def test_rsc_and_op_expressions() -> None:
    rsc = Rule("r", expressions=[RscExpression("x", "ocf", "heartbeat", "IPaddr2")])
    assert evaluate(
        rsc, RuleContext(rsc_standard="ocf", rsc_provider="heartbeat", rsc_agent="IPaddr2")
    )
    assert not evaluate(
        rsc, RuleContext(rsc_standard="ocf", rsc_provider="pacemaker", rsc_agent="IPaddr2")
    )
    op = Rule("r", expressions=[OpExpression("o", "monitor", 10000)])
    assert evaluate(op, RuleContext(op_name="monitor", op_interval_ms=10000))
    assert not evaluate(op, RuleContext(op_name="monitor", op_interval_ms=20000))
    any_interval = Rule("r", expressions=[OpExpression("o", "start")])
    assert evaluate(any_interval, RuleContext(op_name="start", op_interval_ms=0))


def date(
    op: str,
    start: str | None = None,
    end: str | None = None,
    duration: Duration | None = None,
    spec: dict[str, str] | None = None,
) -> Rule:
    from cib.timespec import parse_datetime

    de = DateExpression(
        "d",
        op,
        parse_datetime(start) if start else None,
        parse_datetime(end) if end else None,
        duration,
        DateSpec("s", spec) if spec is not None else None,
    )
    return Rule("r", expressions=[de])


def test_date_expressions() -> None:
    assert ok(date("in_range", "2024-03-01", "2024-03-31"))
    assert not ok(date("in_range", "2024-03-06", "2024-03-31"))
    assert ok(date("in_range", "2024-03-01"))  # open end
    assert ok(date("in_range", end="2024-03-05T15:00:00Z"))
    assert ok(date("in_range", "2024-02-06", duration=Duration(months=1)))
    assert not ok(date("in_range", "2024-02-05", duration=Duration(months=1)))
    assert ok(date("gt", "2024-03-05T14:30:14Z"))
    assert not ok(date("gt", "2024-03-05T14:30:15Z"))
    assert ok(date("lt", end="2024-03-05T14:30:16Z"))
    assert ok(date("lt", "2024-03-04", duration=Duration(days=2)))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"hours": "9-16"}, True),
        ({"hours": "15-"}, False),
        ({"hours": "-14"}, True),
        ({"hours": "14", "minutes": "30"}, True),
        ({"weekdays": "1-5"}, True),
        ({"weekdays": "6-7"}, False),
        ({"weekdays": "2"}, True),
        ({"monthdays": "5"}, True),
        ({"months": "3"}, True),
        ({"months": "4-12"}, False),
        ({"years": "2024"}, True),
        ({"yeardays": "65"}, True),
        ({"weeks": "10"}, True),
        ({"weekyears": "2024"}, True),
        ({"seconds": "0-10"}, False),
        ({"hours": "junk"}, True),  # unparsable fields are ignored, like Pacemaker
        ({"hours": " 14 "}, True),
        ({"hours": "+14"}, True),
        ({"hours": "+13"}, False),
        ({"hours": "16-9"}, False),
        ({"hours": "-"}, True),
    ],
)
def test_date_spec(spec: dict[str, str], expected: bool) -> None:
    assert ok(date("date_spec", spec=spec)) is expected


def test_rule_score() -> None:
    assert rule_score(Rule("r", score=50), {}) == 50
    pingd = Rule("r", score_attribute="pingd")
    assert rule_score(pingd, {"pingd": "200"}) == 200
    assert rule_score(pingd, {"pingd": "INFINITY"}) == 1_000_000
    assert rule_score(pingd, {}) == 0


def test_compare_helpers() -> None:
    assert compare(None, None, "string") == 0
    assert compare(None, "a", "string") == -1
    assert compare_version("3.10", "3.9") == 1


def test_rules_from_parsed_cib() -> None:
    text = """<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
    <configuration><crm_config/><nodes/><resources>
      <primitive id="A" class="ocf" provider="heartbeat" type="Dummy"/></resources>
    <constraints><rsc_location id="l" rsc="A"><rule id="r" score="-INFINITY" boolean-op="or">
      <expression id="e1" attribute="pingd" operation="not_defined"/>
      <expression id="e2" attribute="pingd" operation="lte" value="0"/>
      <date_expression id="d1" operation="date_spec">
        <date_spec id="ds" hours="9-17"/></date_expression>
    </rule></rsc_location></constraints></configuration><status/></cib>"""
    rule = cib.loads(text).locations[0].rules[0]
    night = datetime(2024, 1, 1, 3, tzinfo=UTC)
    assert evaluate(rule, RuleContext(node_attrs={}, now=night))
    assert not evaluate(rule, RuleContext(node_attrs={"pingd": "100"}, now=night))
    assert evaluate(rule, RuleContext(node_attrs={"pingd": "0"}, now=night))
    assert evaluate(rule, RuleContext(node_attrs={"pingd": "100"}, now=NOW))
