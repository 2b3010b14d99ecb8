"""Rule evaluation with Pacemaker 2.1 semantics.

``evaluate(rule, ctx)`` returns whether a :class:`cib.model.Rule` passes for a
:class:`RuleContext`.  Semantics follow Pacemaker's rule engine:

* ``boolean-op`` ``and`` (default) / ``or``; an empty rule passes with ``and`` and fails with
  ``or`` (Pacemaker 2.1 behaviour; it logs a configuration error).
* ``expression``: ``defined``/``not_defined`` test presence; otherwise the node attribute value
  (``ctx.node_attrs``, which should include ``#uname``, ``#id``, ``#kind`` ...) is compared with
  the reference value.  ``value-source="param"``/``"meta"`` take the reference from the
  resource's instance/meta attributes named by ``value``.  Without ``type`` the comparison is
  ``string`` for eq/ne and ``integer`` (``number`` if either side contains a dot) for
  lt/lte/gt/gte.  ``string`` is case-insensitive; ``integer`` reads the leading integer;
  ``number`` is floating point; ``version`` compares dotted components numerically (missing
  components are 0).  Unparsable numbers fall back to a string comparison.  A missing value
  compares lower than any value; lt/lte/gt/gte with a missing side fail.
  Pacemaker 2.0.5+ compares ``type="number"`` as floating point whatever the CIB's
  ``validate-with`` (checked with crm_simulate 2.1.5 on pacemaker-3.0 .. 3.9 CIBs);
  ``ctx.legacy_number`` emulates Pacemaker before 2.0.5, where ``number`` meant integer.
  ``#role`` falls back to ``ctx.role`` when absent from ``node_attrs``; ``%0``..``%9`` in the
  attribute name expand to ``ctx.submatches`` (rsc-pattern locations).
* ``date_expression`` ``in_range`` (start <= now <= end, end may come from ``duration``),
  ``gt`` (now > start), ``lt`` (now < end), ``date_spec`` (all given fields match; each field is
  ``N``, ``A-B``, ``A-`` or ``-B``; weekdays 1=Monday..7; weeks/weekyears are ISO weeks; a
  field that does not parse is ignored, as Pacemaker 2.1.5 does -- checked with crm_simulate).
* ``rsc_expression`` / ``op_expression`` compare with ``ctx.rsc_*`` / ``ctx.op_*``
  (for rsc_defaults / op_defaults).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from cib._record import FACTORY, FrozenRecord, setattr_
from cib.model import (
    DateExpression,
    DateSpec,
    Expression,
    OpExpression,
    RscExpression,
    Rule,
    RuleItem,
)
from cib.scores import parse_score

_EMPTY: Mapping[str, str] = {}


class RuleContext(FrozenRecord):
    node_attrs: Mapping[str, str]
    now: datetime | None  # None: the current time (naive values are taken as UTC)
    role: str | None
    rsc_standard: str | None
    rsc_provider: str | None
    rsc_agent: str | None
    rsc_params: Mapping[str, str] | None
    rsc_meta: Mapping[str, str] | None
    op_name: str | None
    op_interval_ms: int | None
    submatches: tuple[str, ...]
    legacy_number: bool

    __slots__ = (
        "legacy_number",
        "node_attrs",
        "now",
        "op_interval_ms",
        "op_name",
        "role",
        "rsc_agent",
        "rsc_meta",
        "rsc_params",
        "rsc_provider",
        "rsc_standard",
        "submatches",
    )
    __match_args__ = (
        "node_attrs",
        "now",
        "role",
        "rsc_standard",
        "rsc_provider",
        "rsc_agent",
        "rsc_params",
        "rsc_meta",
        "op_name",
        "op_interval_ms",
        "submatches",
        "legacy_number",
    )

    def __init__(
        self,
        node_attrs: Mapping[str, str] = FACTORY,
        now: datetime | None = None,
        role: str | None = None,
        rsc_standard: str | None = None,
        rsc_provider: str | None = None,
        rsc_agent: str | None = None,
        rsc_params: Mapping[str, str] | None = None,
        rsc_meta: Mapping[str, str] | None = None,
        op_name: str | None = None,
        op_interval_ms: int | None = None,
        submatches: tuple[str, ...] = (),
        legacy_number: bool = False,
    ) -> None:
        setattr_(self, "node_attrs", dict() if node_attrs is FACTORY else node_attrs)
        setattr_(self, "now", now)
        setattr_(self, "role", role)
        setattr_(self, "rsc_standard", rsc_standard)
        setattr_(self, "rsc_provider", rsc_provider)
        setattr_(self, "rsc_agent", rsc_agent)
        setattr_(self, "rsc_params", rsc_params)
        setattr_(self, "rsc_meta", rsc_meta)
        setattr_(self, "op_name", op_name)
        setattr_(self, "op_interval_ms", op_interval_ms)
        setattr_(self, "submatches", submatches)
        setattr_(self, "legacy_number", legacy_number)

    def current_time(self) -> datetime:
        if self.now is None:
            return datetime.now(UTC)
        if self.now.tzinfo is None:
            return self.now.replace(tzinfo=UTC)
        return self.now


def evaluate(rule: Rule, ctx: RuleContext) -> bool:
    """Whether ``rule`` passes in ``ctx``."""
    if rule.boolean_op == "or":
        return any(evaluate_item(item, ctx) for item in rule.expressions)
    return all(evaluate_item(item, ctx) for item in rule.expressions)


def evaluate_item(item: RuleItem, ctx: RuleContext) -> bool:
    if isinstance(item, Expression):
        return evaluate_expression(item, ctx)
    if isinstance(item, Rule):
        return evaluate(item, ctx)
    if isinstance(item, DateExpression):
        return evaluate_date(item, ctx.current_time())
    if isinstance(item, RscExpression):
        return (
            (item.standard is None or item.standard == ctx.rsc_standard)
            and (item.provider is None or item.provider == ctx.rsc_provider)
            and (item.type is None or item.type == ctx.rsc_agent)
        )
    return _op_matches(item, ctx)


def _op_matches(item: OpExpression, ctx: RuleContext) -> bool:
    if item.name != ctx.op_name:
        return False
    return item.interval_ms is None or item.interval_ms == ctx.op_interval_ms


def rule_score(rule: Rule, node_attrs: Mapping[str, str]) -> int:
    """The score a passing location rule contributes (``score`` or ``score-attribute``)."""
    if rule.score is not None:
        return rule.score
    if rule.score_attribute is not None:
        value = node_attrs.get(rule.score_attribute)
        if value is None:
            return 0
        try:
            return parse_score(value)
        except ValueError:
            return 0
    return 0


# --------------------------------------------------------------------------- expressions
# The patterns of this module are compiled on first use (re caches them): only CIBs with rules
# need them, and compiling one costs ~0.1 ms at every start of a short-lived process such as
# `pycrm simulate`.
_SUBMATCH = r"%([0-9])"


def _expand(attr: str, subs: tuple[str, ...]) -> str:
    if not subs or "%" not in attr:
        return attr
    return re.sub(
        _SUBMATCH, lambda m: subs[int(m.group(1))] if int(m.group(1)) < len(subs) else "", attr
    )


def evaluate_expression(expr: Expression, ctx: RuleContext) -> bool:
    attr = _expand(expr.attribute, ctx.submatches)
    actual = ctx.node_attrs.get(attr)
    if actual is None and attr == "#role":
        actual = ctx.role
    op = expr.operation
    if op == "defined":
        return actual is not None
    if op == "not_defined":
        return actual is None
    reference = _reference(expr, ctx)
    typ = expr.type
    if typ is None:
        if op in ("lt", "lte", "gt", "gte"):
            dotted = "." in (actual or "") or "." in (reference or "")
            typ = "number" if dotted else "integer"
        else:
            typ = "string"
    elif typ == "number" and ctx.legacy_number:
        typ = "integer"
    cmp = compare(actual, reference, typ)
    if op == "eq":
        return cmp == 0
    if op == "ne":
        return cmp != 0
    if actual is None or reference is None:
        return False
    if op == "lt":
        return cmp < 0
    if op == "lte":
        return cmp <= 0
    if op == "gt":
        return cmp > 0
    return cmp >= 0  # gte


def _reference(expr: Expression, ctx: RuleContext) -> str | None:
    value = expr.value
    if not value:
        return None
    if expr.value_source == "param":
        return (ctx.rsc_params or _EMPTY).get(value)
    if expr.value_source == "meta":
        return (ctx.rsc_meta or _EMPTY).get(value)
    return value


_LEADING_INT = r"\s*([+-]?\d+)"


def _as_int(text: str) -> int | None:
    m = re.match(_LEADING_INT, text)
    return int(m.group(1)) if m else None


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _sign(a: float, b: float) -> int:
    return (a > b) - (a < b)


def _strcmp(a: str, b: str) -> int:
    la, lb = a.lower(), b.lower()
    return (la > lb) - (la < lb)


def compare(a: str | None, b: str | None, typ: str) -> int:
    """Three-way comparison of two attribute values as ``typ`` (None sorts first)."""
    if b is None:
        return 0 if a is None else 1
    if a is None:
        return -1
    if typ == "integer":
        ia, ib = _as_int(a), _as_int(b)
        return _strcmp(a, b) if ia is None or ib is None else _sign(ia, ib)
    if typ == "number":
        fa, fb = _as_float(a), _as_float(b)
        return _strcmp(a, b) if fa is None or fb is None else _sign(fa, fb)
    if typ == "version":
        return compare_version(a, b)
    return _strcmp(a, b)


def compare_version(a: str, b: str) -> int:
    pa = [_as_int(p) or 0 for p in a.split(".")]
    pb = [_as_int(p) or 0 for p in b.split(".")]
    width = max(len(pa), len(pb))
    pa += [0] * (width - len(pa))
    pb += [0] * (width - len(pb))
    return (pa > pb) - (pa < pb)


# --------------------------------------------------------------------------- dates
def evaluate_date(expr: DateExpression, now: datetime) -> bool:
    op = expr.operation
    if op == "date_spec":
        return expr.date_spec is not None and date_spec_matches(expr.date_spec, now)
    if op == "gt":
        return expr.start is not None and now > expr.start
    end = expr.end
    if end is None and expr.start is not None and expr.duration is not None:
        end = expr.duration.add_to(expr.start)
    if op == "lt":
        return end is not None and now < end
    # in_range
    if expr.start is not None and now < expr.start:
        return False
    return not (end is not None and now > end)


_RANGE = r"(\+?\d+)?(-(\+?\d+)?)?"


def _in_range(spec: str, value: int) -> bool:
    """``N``, ``N-``, ``-N`` or ``N-M`` (a low > high range matches nothing).  Like Pacemaker
    2.1, a value that does not parse exactly (blanks, junk, ``-``) does not restrict at all."""
    m = re.fullmatch(_RANGE, spec)
    if m is None or (m.group(1) is None and m.group(3) is None):
        return True
    low = int(m.group(1)) if m.group(1) is not None else None
    if m.group(2) is None:
        return low == value
    high = int(m.group(3)) if m.group(3) is not None else None
    return (low is None or value >= low) and (high is None or value <= high)


def date_spec_field_ok(spec: str) -> bool:
    """Whether a date_spec field parses (Pacemaker ignores fields that do not)."""
    m = re.fullmatch(_RANGE, spec)
    return m is not None and (m.group(1) is not None or m.group(3) is not None)


def date_spec_matches(spec: DateSpec, now: datetime) -> bool:
    iso = now.isocalendar()
    values = {
        "years": now.year,
        "months": now.month,
        "monthdays": now.day,
        "hours": now.hour,
        "minutes": now.minute,
        "seconds": now.second,
        "yeardays": now.timetuple().tm_yday,
        "weekyears": iso[0],
        "weeks": iso[1],
        "weekdays": iso[2],
        "moon": _moon_phase(now),
    }
    return all(_in_range(text, values[name]) for name, text in spec.fields.items())


def _moon_phase(now: datetime) -> int:
    """Deprecated ``moon`` field: phase 0 (new) .. 7, computed like Pacemaker's crm_time code."""
    golden = now.year % 19 + 1
    epact = (11 * golden + 18) % 30
    if (epact == 25 and golden > 11) or epact == 24:
        epact += 1
    yday = now.timetuple().tm_yday
    return ((((yday + epact) * 6) + 11) % 177) // 22 & 7
