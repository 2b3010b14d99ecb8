"""Parse nvsets (instance/meta/cluster_property/utilization) and rules, resolving ``id-ref``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from lxml import etree

from cib import errors
from cib._xml import Located, line_of
from cib.model import (
    DateExpression,
    DateSpec,
    Expression,
    NvKind,
    NvSet,
    OpExpression,
    RscExpression,
    Rule,
    RuleItem,
    normalize_role,
)
from cib.scores import parse_score
from cib.timespec import Duration, parse_datetime, parse_interval_ms, parse_timeout_ms

EXPR_OPS = frozenset({"lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined"})
EXPR_TYPES = frozenset({"string", "integer", "number", "version"})
VALUE_SOURCES = frozenset({"literal", "param", "meta"})
DATE_OPS = frozenset({"in_range", "gt", "lt", "date_spec"})
DURATION_FIELDS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
DATE_SPEC_FIELDS = frozenset(
    {
        "hours",
        "minutes",
        "seconds",
        "monthdays",
        "weekdays",
        "yeardays",
        "months",
        "weeks",
        "years",
        "weekyears",
        "moon",
    }
)


class NvParser(Located):
    """Builds NvSet and Rule objects; ``ids`` maps every configuration id to its element."""

    __slots__ = ("ids",)

    def __init__(self, source: str, ids: dict[str, etree._Element]) -> None:
        super().__init__(source)
        self.ids = ids

    def deref(self, el: etree._Element) -> etree._Element:
        ref = el.get("id-ref")
        if ref is None:
            return el
        target = self.ids.get(ref)
        if target is None:
            raise self.error(errors.DANGLING_IDREF, f"id-ref {ref!r} names no element", el)
        if target.tag != el.tag and not (el.tag in _NVSET_TAGS and target.tag in _NVSET_TAGS):
            raise self.error(
                errors.DANGLING_IDREF, f"id-ref {ref!r} names a <{target.tag}>, not <{el.tag}>", el
            )
        if target.get("id-ref") is not None:
            raise self.error(errors.DANGLING_IDREF, f"id-ref {ref!r} names another reference", el)
        return target

    def score(self, el: etree._Element, name: str = "score") -> int | None:
        value = el.get(name)
        if value is None:
            return None
        try:
            return parse_score(value)
        except ValueError:
            raise self.error(
                errors.BAD_SCORE, f"{name}={value!r} is not a valid score", el
            ) from None

    def nvset(self, el: etree._Element, kind: NvKind) -> NvSet:
        el = self.deref(el)
        set_id = self.req(el, "id")
        values: dict[str, str] = {}
        rule: Rule | None = None
        for child in el.iterchildren(tag=etree.Element):
            tag = child.tag
            if tag == "nvpair":
                pair = self.deref(child)
                name = child.get("name") or self.req(pair, "name")
                value = pair.get("value")
                if value is not None:
                    values.setdefault(name, value)  # first one wins, as in Pacemaker
            elif tag == "rule":
                if rule is not None:
                    raise self.error(errors.INVALID, "only one <rule> is allowed per set", child)
                rule = self.rule(child)
            else:
                raise self.error(errors.UNKNOWN_ELEMENT, f"unexpected <{tag}> in <{el.tag}>", child)
        return NvSet(
            id=set_id,
            kind=kind,
            values=values,
            score=self.score(el),
            rule=rule,
            line=line_of(el),
        )

    # ------------------------------------------------------------------ rules
    def rule(self, el: etree._Element) -> Rule:
        el = self.deref(el)
        rule_id = self.req(el, "id")
        op = el.get("boolean-op", "and")
        if op not in ("and", "or"):
            raise self.error(errors.BAD_VALUE, f"boolean-op={op!r} must be 'and' or 'or'", el)
        bop: Literal["and", "or"] = "and" if op == "and" else "or"
        items: list[RuleItem] = []
        for child in el.iterchildren(tag=etree.Element):
            items.append(self.rule_item(child))
        return Rule(
            id=rule_id,
            boolean_op=bop,
            score=self.score(el),
            score_attribute=el.get("score-attribute"),
            role=normalize_role(el.get("role")),
            expressions=items,
            line=line_of(el),
        )

    def rule_item(self, el: etree._Element) -> RuleItem:
        tag = el.tag
        if tag == "rule":
            return self.rule(el)
        if tag == "expression":
            return self.expression(el)
        if tag == "date_expression":
            return self.date_expression(el)
        if tag == "rsc_expression":
            return RscExpression(
                id=self.req(el, "id"),
                standard=el.get("class"),
                provider=el.get("provider"),
                type=el.get("type"),
                line=line_of(el),
            )
        if tag == "op_expression":
            interval = el.get("interval")
            return OpExpression(
                id=self.req(el, "id"),
                name=self.req(el, "name"),
                interval_ms=None if interval is None else self.time_ms(el, "interval"),
                line=line_of(el),
            )
        raise self.error(errors.UNKNOWN_ELEMENT, f"unexpected <{tag}> in <rule>", el)

    def expression(self, el: etree._Element) -> Expression:
        op = self.req(el, "operation")
        if op not in EXPR_OPS:
            raise self.error(errors.BAD_VALUE, f"unknown expression operation {op!r}", el)
        value = el.get("value")
        if value is None and op not in ("defined", "not_defined"):
            raise self.error(errors.MISSING_ATTRIBUTE, f"operation {op!r} needs a value", el)
        typ = el.get("type")
        if typ is not None and typ not in EXPR_TYPES:
            raise self.error(errors.BAD_VALUE, f"unknown expression type {typ!r}", el)
        source = el.get("value-source", "literal")
        if source not in VALUE_SOURCES:
            raise self.error(errors.BAD_VALUE, f"unknown value-source {source!r}", el)
        return Expression(
            id=self.req(el, "id"),
            attribute=self.req(el, "attribute"),
            operation=op,
            value=value,
            type=typ,
            value_source=source,
            line=line_of(el),
        )

    def date_expression(self, el: etree._Element) -> DateExpression:
        op = el.get("operation", "in_range")
        if op not in DATE_OPS:
            raise self.error(errors.BAD_VALUE, f"unknown date operation {op!r}", el)
        duration: Duration | None = None
        spec: DateSpec | None = None
        for child in el.iterchildren(tag=etree.Element):
            if child.tag == "duration":
                duration = self.duration(child)
            elif child.tag == "date_spec":
                spec = self.date_spec(child)
            else:
                raise self.error(
                    errors.UNKNOWN_ELEMENT, f"unexpected <{child.tag}> in <date_expression>", child
                )
        expr = DateExpression(
            id=self.req(el, "id"),
            operation=op,
            start=self.when(el, "start"),
            end=self.when(el, "end"),
            duration=duration,
            date_spec=spec,
            line=line_of(el),
        )
        if op == "date_spec" and spec is None:
            raise self.error(errors.INVALID, "operation 'date_spec' needs a <date_spec>", el)
        if op == "gt" and expr.start is None:
            raise self.error(errors.MISSING_ATTRIBUTE, "operation 'gt' needs 'start'", el)
        if op == "lt" and expr.end is None:
            raise self.error(errors.MISSING_ATTRIBUTE, "operation 'lt' needs 'end'", el)
        if op == "in_range" and expr.start is None and expr.end is None:
            raise self.error(errors.MISSING_ATTRIBUTE, "in_range needs 'start' or 'end'", el)
        return expr

    def duration(self, el: etree._Element) -> Duration:
        vals: dict[str, int] = {}
        for name in DURATION_FIELDS:
            v = self.integer(el, name)
            if v is not None:
                vals[name] = v
        return Duration(**vals)

    def date_spec(self, el: etree._Element) -> DateSpec:
        fields: dict[str, str] = {}
        for name, value in el.items():
            key = str(name)
            if key in DATE_SPEC_FIELDS:
                fields[key] = str(value)
        return DateSpec(id=self.req(el, "id"), fields=fields, line=line_of(el))

    def when(self, el: etree._Element, name: str) -> datetime | None:
        value = el.get(name)
        if value is None:
            return None
        try:
            return parse_datetime(value)
        except ValueError as exc:
            raise self.error(errors.BAD_TIME, str(exc), el) from None

    def time_ms(self, el: etree._Element, name: str, interval: bool = True) -> int:
        """An interval (ISO 8601 allowed) or, with ``interval=False``, a timeout."""
        value = self.req(el, name)
        try:
            return parse_interval_ms(value) if interval else parse_timeout_ms(value)
        except ValueError:
            raise self.error(errors.BAD_TIME, f"{name}={value!r} is not a valid time", el) from None


_NVSET_TAGS = frozenset(
    {"instance_attributes", "meta_attributes", "cluster_property_set", "utilization"}
)
