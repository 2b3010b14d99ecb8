"""Typed, immutable model of a Pacemaker CIB.

Build it with :func:`cib.load` (path) or :func:`cib.loads` (text); both raise
:class:`cib.errors.CibError` (``str(e)`` is ``file:line: id: message``).

API summary (all dataclasses are frozen and slotted; ``line`` is the source line, 0 if unknown):

* :class:`Cib` -- ``validate_with``, ``admin_epoch``/``epoch``/``num_updates`` (ints),
  ``crm_config``/``rsc_defaults``/``op_defaults`` (``list[NvSet]``), ``nodes`` (``list[Node]``),
  ``resources`` (top-level ``Primitive | Group | Clone`` in document order), ``locations``,
  ``colocations``, ``orders``, ``tags`` (tag id -> member ids), ``status``
  (``dict[uname, NodeStatus]``), ``source`` (file name), ``attrs`` (all raw ``<cib>`` attributes).
  Helpers: ``cib.find(id)`` (any resource at any depth, or None), ``cib.parent(id)``,
  ``cib.parents(id)`` (closest first), ``cib.primitives()`` (every primitive, document order),
  ``cib.node_by_uname(uname)``, ``cib.version`` (the triple).
* :class:`NvSet` -- ``kind`` is ``instance | meta | cluster_property | utilization``; ``score``
  (int or None), ``rule`` (:class:`Rule` or None), ``values`` (ordered ``dict[str, str]``; an
  nvpair without ``value`` is left out).  ``id-ref`` sets are resolved to a copy of the target.
  Use :func:`cib.nvsets.resolve` to apply sets in Pacemaker order with rules evaluated.
* :class:`Primitive` (``standard`` is the ``class`` attribute), :class:`Op` (``interval_ms``
  read like Pacemaker 2.1.5, see :mod:`cib.timespec`; ``timeout_ms`` None when absent or
  given in ISO 8601, which Pacemaker ignores -- the text then stays in ``extra["timeout"]``;
  ``role`` normalised to ``Promoted``/``Unpromoted``/``Started``/``Stopped``; other XML
  attributes such as ``start-delay`` in ``extra``), :class:`Group`, :class:`Clone`
  (``promotable`` true for ``<master>`` and for meta ``promotable=true``; ``legacy_master``).
* Constraints: :class:`LocationConstraint`, :class:`ColocationConstraint`,
  :class:`OrderConstraint`, each with ``resource_sets`` (:class:`ResourceSet`).  Roles are
  normalised (Master -> Promoted, Slave -> Unpromoted).  Order ``first_action`` defaults to
  ``start`` and ``then_action`` to ``first_action``; ``kind`` is resolved from the legacy ``score``.
* Not modelled: ``fencing-topology``, ``acls`` and ``alerts`` are skipped; ``bundle``,
  ``template`` and ``rsc_ticket`` raise ``CIB_UNSUPPORTED`` rather than being ignored.
* Rules: :class:`Rule` with ``expressions`` made of :class:`Expression`,
  :class:`DateExpression`, :class:`RscExpression`, :class:`OpExpression` or nested :class:`Rule`.
* Related modules: :mod:`cib.rules` (``evaluate(rule, RuleContext)``, ``rule_score``),
  :mod:`cib.nvsets` (``resolve(sets, ctx)``: Pacemaker set precedence),
  :mod:`cib.nodeattrs` (``node_attributes(cib, uname)``: what rules see for a node),
  :mod:`cib.validate` (``check_file``/``check_text``: schema + semantic checks),
  :mod:`cib.store` (``CibStore``: crash-safe persistence), :mod:`cib.version` (``Version``),
  :mod:`cib.scores` (``parse_score``, ``add_scores``, ``SCORE_INF``), :mod:`cib.timespec`.
* Status: :class:`NodeStatus` (``in_ccm``, ``crmd``, ``join``, ``expected``, ``online``,
  ``transient`` attributes, ``resources``: ``dict[rsc_id, LrmResource]``), :class:`LrmResource`
  (``standard``, ``provider``, ``type``, ``ops``: ``list[OpRecord]`` in document order),
  :class:`OpRecord` (``interval_ms``, ``call_id``, ``rc_code``, ``op_status``, ``target_rc``
  from transition-key/magic, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import FrozenInstanceError, dataclass
from datetime import datetime
from typing import Any, Literal

from cib.timespec import Duration

NvKind = Literal["instance", "meta", "cluster_property", "utilization"]
OrderKind = Literal["Mandatory", "Optional", "Serialize"]

# The classes below were dataclasses; they are written out by hand (same constructor, equality,
# hash, repr, frozenness, __slots__ and pickling) because creating ~20 dataclasses cost ~17 ms
# at every start of `pycrm simulate`.  OpRecord stays a dataclass (dataclasses.replace is used).
_setattr = object.__setattr__


class _Factory:
    """Default of a parameter whose value is made fresh per instance (like dataclasses)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY: Any = _Factory()


# --------------------------------------------------------------------------- rules
class Expression:
    id: str
    attribute: str
    operation: str  # lt gt lte gte eq ne defined not_defined
    value: str | None
    type: str | None  # string integer number version (None: Pacemaker's default)
    value_source: str  # literal param meta
    line: int

    __slots__ = ("attribute", "id", "line", "operation", "type", "value", "value_source")
    __match_args__ = ("id", "attribute", "operation", "value", "type", "value_source", "line")

    def __init__(
        self,
        id: str,
        attribute: str,
        operation: str,
        value: str | None = None,
        type: str | None = None,
        value_source: str = "literal",
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "attribute", attribute)
        _setattr(self, "operation", operation)
        _setattr(self, "value", value)
        _setattr(self, "type", type)
        _setattr(self, "value_source", value_source)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"attribute={self.attribute!r}, "
            f"operation={self.operation!r}, "
            f"value={self.value!r}, "
            f"type={self.type!r}, "
            f"value_source={self.value_source!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Expression) and other.__class__ is self.__class__:
            return (
                self.id,
                self.attribute,
                self.operation,
                self.value,
                self.type,
                self.value_source,
                self.line,
            ) == (
                other.id,
                other.attribute,
                other.operation,
                other.value,
                other.type,
                other.value_source,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.attribute,
                self.operation,
                self.value,
                self.type,
                self.value_source,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class DateSpec:
    id: str
    fields: dict[str, str]  # hours monthdays weekdays yeardays months weeks years weekyears ...
    line: int

    __slots__ = ("fields", "id", "line")
    __match_args__ = ("id", "fields", "line")

    def __init__(
        self,
        id: str,
        fields: dict[str, str],
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "fields", fields)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"fields={self.fields!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DateSpec) and other.__class__ is self.__class__:
            return (self.id, self.fields, self.line) == (other.id, other.fields, other.line)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.fields, self.line))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class DateExpression:
    id: str
    operation: str  # in_range gt lt date_spec
    start: datetime | None
    end: datetime | None
    duration: Duration | None
    date_spec: DateSpec | None
    line: int

    __slots__ = ("date_spec", "duration", "end", "id", "line", "operation", "start")
    __match_args__ = ("id", "operation", "start", "end", "duration", "date_spec", "line")

    def __init__(
        self,
        id: str,
        operation: str,
        start: datetime | None = None,
        end: datetime | None = None,
        duration: Duration | None = None,
        date_spec: DateSpec | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "operation", operation)
        _setattr(self, "start", start)
        _setattr(self, "end", end)
        _setattr(self, "duration", duration)
        _setattr(self, "date_spec", date_spec)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"operation={self.operation!r}, "
            f"start={self.start!r}, "
            f"end={self.end!r}, "
            f"duration={self.duration!r}, "
            f"date_spec={self.date_spec!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DateExpression) and other.__class__ is self.__class__:
            return (
                self.id,
                self.operation,
                self.start,
                self.end,
                self.duration,
                self.date_spec,
                self.line,
            ) == (
                other.id,
                other.operation,
                other.start,
                other.end,
                other.duration,
                other.date_spec,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.operation,
                self.start,
                self.end,
                self.duration,
                self.date_spec,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class RscExpression:
    id: str
    standard: str | None
    provider: str | None
    type: str | None
    line: int

    __slots__ = ("id", "line", "provider", "standard", "type")
    __match_args__ = ("id", "standard", "provider", "type", "line")

    def __init__(
        self,
        id: str,
        standard: str | None = None,
        provider: str | None = None,
        type: str | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "standard", standard)
        _setattr(self, "provider", provider)
        _setattr(self, "type", type)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"standard={self.standard!r}, "
            f"provider={self.provider!r}, "
            f"type={self.type!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RscExpression) and other.__class__ is self.__class__:
            return (self.id, self.standard, self.provider, self.type, self.line) == (
                other.id,
                other.standard,
                other.provider,
                other.type,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.standard, self.provider, self.type, self.line))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class OpExpression:
    id: str
    name: str
    interval_ms: int | None
    line: int

    __slots__ = ("id", "interval_ms", "line", "name")
    __match_args__ = ("id", "name", "interval_ms", "line")

    def __init__(
        self,
        id: str,
        name: str,
        interval_ms: int | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "name", name)
        _setattr(self, "interval_ms", interval_ms)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"name={self.name!r}, "
            f"interval_ms={self.interval_ms!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OpExpression) and other.__class__ is self.__class__:
            return (self.id, self.name, self.interval_ms, self.line) == (
                other.id,
                other.name,
                other.interval_ms,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.name, self.interval_ms, self.line))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class Rule:
    id: str
    boolean_op: Literal["and", "or"]
    score: int | None
    score_attribute: str | None
    role: str | None
    expressions: list[RuleItem]
    line: int

    __slots__ = ("boolean_op", "expressions", "id", "line", "role", "score", "score_attribute")
    __match_args__ = ("id", "boolean_op", "score", "score_attribute", "role", "expressions", "line")

    def __init__(
        self,
        id: str,
        boolean_op: Literal["and", "or"] = "and",
        score: int | None = None,
        score_attribute: str | None = None,
        role: str | None = None,
        expressions: list[RuleItem] = _FACTORY,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "boolean_op", boolean_op)
        _setattr(self, "score", score)
        _setattr(self, "score_attribute", score_attribute)
        _setattr(self, "role", role)
        _setattr(self, "expressions", list() if expressions is _FACTORY else expressions)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"boolean_op={self.boolean_op!r}, "
            f"score={self.score!r}, "
            f"score_attribute={self.score_attribute!r}, "
            f"role={self.role!r}, "
            f"expressions={self.expressions!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rule) and other.__class__ is self.__class__:
            return (
                self.id,
                self.boolean_op,
                self.score,
                self.score_attribute,
                self.role,
                self.expressions,
                self.line,
            ) == (
                other.id,
                other.boolean_op,
                other.score,
                other.score_attribute,
                other.role,
                other.expressions,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.boolean_op,
                self.score,
                self.score_attribute,
                self.role,
                self.expressions,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


RuleItem = Expression | DateExpression | RscExpression | OpExpression | Rule


# --------------------------------------------------------------------------- nvsets
class NvSet:
    id: str
    kind: NvKind
    values: dict[str, str]
    score: int | None
    rule: Rule | None
    line: int

    __slots__ = ("id", "kind", "line", "rule", "score", "values")
    __match_args__ = ("id", "kind", "values", "score", "rule", "line")

    def __init__(
        self,
        id: str,
        kind: NvKind,
        values: dict[str, str],
        score: int | None = None,
        rule: Rule | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "kind", kind)
        _setattr(self, "values", values)
        _setattr(self, "score", score)
        _setattr(self, "rule", rule)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"kind={self.kind!r}, "
            f"values={self.values!r}, "
            f"score={self.score!r}, "
            f"rule={self.rule!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NvSet) and other.__class__ is self.__class__:
            return (self.id, self.kind, self.values, self.score, self.rule, self.line) == (
                other.id,
                other.kind,
                other.values,
                other.score,
                other.rule,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.kind, self.values, self.score, self.rule, self.line))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


# --------------------------------------------------------------------------- resources
class Op:
    id: str
    name: str
    interval_ms: int
    timeout_ms: int | None
    role: str | None
    on_fail: str | None
    enabled: bool
    instance_sets: list[NvSet]
    meta_sets: list[NvSet]
    extra: dict[str, str]
    line: int

    __slots__ = (
        "enabled",
        "extra",
        "id",
        "instance_sets",
        "interval_ms",
        "line",
        "meta_sets",
        "name",
        "on_fail",
        "role",
        "timeout_ms",
    )
    __match_args__ = (
        "id",
        "name",
        "interval_ms",
        "timeout_ms",
        "role",
        "on_fail",
        "enabled",
        "instance_sets",
        "meta_sets",
        "extra",
        "line",
    )

    def __init__(
        self,
        id: str,
        name: str,
        interval_ms: int,
        timeout_ms: int | None = None,
        role: str | None = None,
        on_fail: str | None = None,
        enabled: bool = True,
        instance_sets: list[NvSet] = _FACTORY,
        meta_sets: list[NvSet] = _FACTORY,
        extra: dict[str, str] = _FACTORY,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "name", name)
        _setattr(self, "interval_ms", interval_ms)
        _setattr(self, "timeout_ms", timeout_ms)
        _setattr(self, "role", role)
        _setattr(self, "on_fail", on_fail)
        _setattr(self, "enabled", enabled)
        _setattr(self, "instance_sets", list() if instance_sets is _FACTORY else instance_sets)
        _setattr(self, "meta_sets", list() if meta_sets is _FACTORY else meta_sets)
        _setattr(self, "extra", dict() if extra is _FACTORY else extra)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"name={self.name!r}, "
            f"interval_ms={self.interval_ms!r}, "
            f"timeout_ms={self.timeout_ms!r}, "
            f"role={self.role!r}, "
            f"on_fail={self.on_fail!r}, "
            f"enabled={self.enabled!r}, "
            f"instance_sets={self.instance_sets!r}, "
            f"meta_sets={self.meta_sets!r}, "
            f"extra={self.extra!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Op) and other.__class__ is self.__class__:
            return (
                self.id,
                self.name,
                self.interval_ms,
                self.timeout_ms,
                self.role,
                self.on_fail,
                self.enabled,
                self.instance_sets,
                self.meta_sets,
                self.extra,
                self.line,
            ) == (
                other.id,
                other.name,
                other.interval_ms,
                other.timeout_ms,
                other.role,
                other.on_fail,
                other.enabled,
                other.instance_sets,
                other.meta_sets,
                other.extra,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.name,
                self.interval_ms,
                self.timeout_ms,
                self.role,
                self.on_fail,
                self.enabled,
                self.instance_sets,
                self.meta_sets,
                self.extra,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class Primitive:
    id: str
    standard: str
    type: str
    provider: str | None
    instance_sets: list[NvSet]
    meta_sets: list[NvSet]
    utilization_sets: list[NvSet]
    ops: list[Op]
    description: str | None
    line: int

    __slots__ = (
        "description",
        "id",
        "instance_sets",
        "line",
        "meta_sets",
        "ops",
        "provider",
        "standard",
        "type",
        "utilization_sets",
    )
    __match_args__ = (
        "id",
        "standard",
        "type",
        "provider",
        "instance_sets",
        "meta_sets",
        "utilization_sets",
        "ops",
        "description",
        "line",
    )

    def __init__(
        self,
        id: str,
        standard: str,
        type: str,
        provider: str | None = None,
        instance_sets: list[NvSet] = _FACTORY,
        meta_sets: list[NvSet] = _FACTORY,
        utilization_sets: list[NvSet] = _FACTORY,
        ops: list[Op] = _FACTORY,
        description: str | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "standard", standard)
        _setattr(self, "type", type)
        _setattr(self, "provider", provider)
        _setattr(self, "instance_sets", list() if instance_sets is _FACTORY else instance_sets)
        _setattr(self, "meta_sets", list() if meta_sets is _FACTORY else meta_sets)
        _setattr(
            self, "utilization_sets", list() if utilization_sets is _FACTORY else utilization_sets
        )
        _setattr(self, "ops", list() if ops is _FACTORY else ops)
        _setattr(self, "description", description)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"standard={self.standard!r}, "
            f"type={self.type!r}, "
            f"provider={self.provider!r}, "
            f"instance_sets={self.instance_sets!r}, "
            f"meta_sets={self.meta_sets!r}, "
            f"utilization_sets={self.utilization_sets!r}, "
            f"ops={self.ops!r}, "
            f"description={self.description!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Primitive) and other.__class__ is self.__class__:
            return (
                self.id,
                self.standard,
                self.type,
                self.provider,
                self.instance_sets,
                self.meta_sets,
                self.utilization_sets,
                self.ops,
                self.description,
                self.line,
            ) == (
                other.id,
                other.standard,
                other.type,
                other.provider,
                other.instance_sets,
                other.meta_sets,
                other.utilization_sets,
                other.ops,
                other.description,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.standard,
                self.type,
                self.provider,
                self.instance_sets,
                self.meta_sets,
                self.utilization_sets,
                self.ops,
                self.description,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)

    @property
    def agent(self) -> str:
        """``class:provider:type`` (``class:type`` without provider), like crm_mon."""
        if self.provider:
            return f"{self.standard}:{self.provider}:{self.type}"
        return f"{self.standard}:{self.type}"


class Group:
    id: str
    children: list[Primitive]
    meta_sets: list[NvSet]
    instance_sets: list[NvSet]
    description: str | None
    line: int

    __slots__ = ("children", "description", "id", "instance_sets", "line", "meta_sets")
    __match_args__ = ("id", "children", "meta_sets", "instance_sets", "description", "line")

    def __init__(
        self,
        id: str,
        children: list[Primitive],
        meta_sets: list[NvSet] = _FACTORY,
        instance_sets: list[NvSet] = _FACTORY,
        description: str | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "children", children)
        _setattr(self, "meta_sets", list() if meta_sets is _FACTORY else meta_sets)
        _setattr(self, "instance_sets", list() if instance_sets is _FACTORY else instance_sets)
        _setattr(self, "description", description)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"children={self.children!r}, "
            f"meta_sets={self.meta_sets!r}, "
            f"instance_sets={self.instance_sets!r}, "
            f"description={self.description!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Group) and other.__class__ is self.__class__:
            return (
                self.id,
                self.children,
                self.meta_sets,
                self.instance_sets,
                self.description,
                self.line,
            ) == (
                other.id,
                other.children,
                other.meta_sets,
                other.instance_sets,
                other.description,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.children,
                self.meta_sets,
                self.instance_sets,
                self.description,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class Clone:
    id: str
    child: Primitive | Group
    meta_sets: list[NvSet]
    instance_sets: list[NvSet]
    promotable: bool
    legacy_master: bool
    description: str | None
    line: int

    __slots__ = (
        "child",
        "description",
        "id",
        "instance_sets",
        "legacy_master",
        "line",
        "meta_sets",
        "promotable",
    )
    __match_args__ = (
        "id",
        "child",
        "meta_sets",
        "instance_sets",
        "promotable",
        "legacy_master",
        "description",
        "line",
    )

    def __init__(
        self,
        id: str,
        child: Primitive | Group,
        meta_sets: list[NvSet] = _FACTORY,
        instance_sets: list[NvSet] = _FACTORY,
        promotable: bool = False,
        legacy_master: bool = False,
        description: str | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "child", child)
        _setattr(self, "meta_sets", list() if meta_sets is _FACTORY else meta_sets)
        _setattr(self, "instance_sets", list() if instance_sets is _FACTORY else instance_sets)
        _setattr(self, "promotable", promotable)
        _setattr(self, "legacy_master", legacy_master)
        _setattr(self, "description", description)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"child={self.child!r}, "
            f"meta_sets={self.meta_sets!r}, "
            f"instance_sets={self.instance_sets!r}, "
            f"promotable={self.promotable!r}, "
            f"legacy_master={self.legacy_master!r}, "
            f"description={self.description!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Clone) and other.__class__ is self.__class__:
            return (
                self.id,
                self.child,
                self.meta_sets,
                self.instance_sets,
                self.promotable,
                self.legacy_master,
                self.description,
                self.line,
            ) == (
                other.id,
                other.child,
                other.meta_sets,
                other.instance_sets,
                other.promotable,
                other.legacy_master,
                other.description,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.child,
                self.meta_sets,
                self.instance_sets,
                self.promotable,
                self.legacy_master,
                self.description,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


Resource = Primitive | Group | Clone


# --------------------------------------------------------------------------- nodes
class Node:
    id: str
    uname: str
    type: str
    attr_sets: list[NvSet]
    utilization_sets: list[NvSet]
    line: int
    score: str | None  # raw <node score=...> (base score for every resource)

    __slots__ = ("attr_sets", "id", "line", "score", "type", "uname", "utilization_sets")
    __match_args__ = ("id", "uname", "type", "attr_sets", "utilization_sets", "line", "score")

    def __init__(
        self,
        id: str,
        uname: str,
        type: str = "member",
        attr_sets: list[NvSet] = _FACTORY,
        utilization_sets: list[NvSet] = _FACTORY,
        line: int = 0,
        score: str | None = None,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "uname", uname)
        _setattr(self, "type", type)
        _setattr(self, "attr_sets", list() if attr_sets is _FACTORY else attr_sets)
        _setattr(
            self, "utilization_sets", list() if utilization_sets is _FACTORY else utilization_sets
        )
        _setattr(self, "line", line)
        _setattr(self, "score", score)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"uname={self.uname!r}, "
            f"type={self.type!r}, "
            f"attr_sets={self.attr_sets!r}, "
            f"utilization_sets={self.utilization_sets!r}, "
            f"line={self.line!r}, "
            f"score={self.score!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Node) and other.__class__ is self.__class__:
            return (
                self.id,
                self.uname,
                self.type,
                self.attr_sets,
                self.utilization_sets,
                self.line,
                self.score,
            ) == (
                other.id,
                other.uname,
                other.type,
                other.attr_sets,
                other.utilization_sets,
                other.line,
                other.score,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.uname,
                self.type,
                self.attr_sets,
                self.utilization_sets,
                self.line,
                self.score,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


# --------------------------------------------------------------------------- constraints
class ResourceSet:
    id: str
    resources: list[str]
    sequential: bool | None  # None: not given (Pacemaker default true)
    require_all: bool | None  # None: not given (default true)
    role: str | None
    action: str | None
    score: int | None
    kind: str | None
    line: int

    __slots__ = (
        "action",
        "id",
        "kind",
        "line",
        "require_all",
        "resources",
        "role",
        "score",
        "sequential",
    )
    __match_args__ = (
        "id",
        "resources",
        "sequential",
        "require_all",
        "role",
        "action",
        "score",
        "kind",
        "line",
    )

    def __init__(
        self,
        id: str,
        resources: list[str],
        sequential: bool | None = None,
        require_all: bool | None = None,
        role: str | None = None,
        action: str | None = None,
        score: int | None = None,
        kind: str | None = None,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "resources", resources)
        _setattr(self, "sequential", sequential)
        _setattr(self, "require_all", require_all)
        _setattr(self, "role", role)
        _setattr(self, "action", action)
        _setattr(self, "score", score)
        _setattr(self, "kind", kind)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"resources={self.resources!r}, "
            f"sequential={self.sequential!r}, "
            f"require_all={self.require_all!r}, "
            f"role={self.role!r}, "
            f"action={self.action!r}, "
            f"score={self.score!r}, "
            f"kind={self.kind!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ResourceSet) and other.__class__ is self.__class__:
            return (
                self.id,
                self.resources,
                self.sequential,
                self.require_all,
                self.role,
                self.action,
                self.score,
                self.kind,
                self.line,
            ) == (
                other.id,
                other.resources,
                other.sequential,
                other.require_all,
                other.role,
                other.action,
                other.score,
                other.kind,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.resources,
                self.sequential,
                self.require_all,
                self.role,
                self.action,
                self.score,
                self.kind,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class LocationConstraint:
    id: str
    rsc: str | None
    rsc_pattern: str | None
    node: str | None
    score: int | None
    rules: list[Rule]
    role: str | None
    resource_discovery: str
    resource_sets: list[ResourceSet]
    line: int

    __slots__ = (
        "id",
        "line",
        "node",
        "resource_discovery",
        "resource_sets",
        "role",
        "rsc",
        "rsc_pattern",
        "rules",
        "score",
    )
    __match_args__ = (
        "id",
        "rsc",
        "rsc_pattern",
        "node",
        "score",
        "rules",
        "role",
        "resource_discovery",
        "resource_sets",
        "line",
    )

    def __init__(
        self,
        id: str,
        rsc: str | None = None,
        rsc_pattern: str | None = None,
        node: str | None = None,
        score: int | None = None,
        rules: list[Rule] = _FACTORY,
        role: str | None = None,
        resource_discovery: str = "always",
        resource_sets: list[ResourceSet] = _FACTORY,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "rsc", rsc)
        _setattr(self, "rsc_pattern", rsc_pattern)
        _setattr(self, "node", node)
        _setattr(self, "score", score)
        _setattr(self, "rules", list() if rules is _FACTORY else rules)
        _setattr(self, "role", role)
        _setattr(self, "resource_discovery", resource_discovery)
        _setattr(self, "resource_sets", list() if resource_sets is _FACTORY else resource_sets)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"rsc={self.rsc!r}, "
            f"rsc_pattern={self.rsc_pattern!r}, "
            f"node={self.node!r}, "
            f"score={self.score!r}, "
            f"rules={self.rules!r}, "
            f"role={self.role!r}, "
            f"resource_discovery={self.resource_discovery!r}, "
            f"resource_sets={self.resource_sets!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LocationConstraint) and other.__class__ is self.__class__:
            return (
                self.id,
                self.rsc,
                self.rsc_pattern,
                self.node,
                self.score,
                self.rules,
                self.role,
                self.resource_discovery,
                self.resource_sets,
                self.line,
            ) == (
                other.id,
                other.rsc,
                other.rsc_pattern,
                other.node,
                other.score,
                other.rules,
                other.role,
                other.resource_discovery,
                other.resource_sets,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.rsc,
                self.rsc_pattern,
                self.node,
                self.score,
                self.rules,
                self.role,
                self.resource_discovery,
                self.resource_sets,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class ColocationConstraint:
    id: str
    rsc: str | None
    with_rsc: str | None
    score: int
    rsc_role: str | None
    with_rsc_role: str | None
    node_attribute: str
    influence: bool | None
    resource_sets: list[ResourceSet]
    line: int

    __slots__ = (
        "id",
        "influence",
        "line",
        "node_attribute",
        "resource_sets",
        "rsc",
        "rsc_role",
        "score",
        "with_rsc",
        "with_rsc_role",
    )
    __match_args__ = (
        "id",
        "rsc",
        "with_rsc",
        "score",
        "rsc_role",
        "with_rsc_role",
        "node_attribute",
        "influence",
        "resource_sets",
        "line",
    )

    def __init__(
        self,
        id: str,
        rsc: str | None,
        with_rsc: str | None,
        score: int,
        rsc_role: str | None = None,
        with_rsc_role: str | None = None,
        node_attribute: str = "#uname",
        influence: bool | None = None,
        resource_sets: list[ResourceSet] = _FACTORY,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "rsc", rsc)
        _setattr(self, "with_rsc", with_rsc)
        _setattr(self, "score", score)
        _setattr(self, "rsc_role", rsc_role)
        _setattr(self, "with_rsc_role", with_rsc_role)
        _setattr(self, "node_attribute", node_attribute)
        _setattr(self, "influence", influence)
        _setattr(self, "resource_sets", list() if resource_sets is _FACTORY else resource_sets)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"rsc={self.rsc!r}, "
            f"with_rsc={self.with_rsc!r}, "
            f"score={self.score!r}, "
            f"rsc_role={self.rsc_role!r}, "
            f"with_rsc_role={self.with_rsc_role!r}, "
            f"node_attribute={self.node_attribute!r}, "
            f"influence={self.influence!r}, "
            f"resource_sets={self.resource_sets!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColocationConstraint) and other.__class__ is self.__class__:
            return (
                self.id,
                self.rsc,
                self.with_rsc,
                self.score,
                self.rsc_role,
                self.with_rsc_role,
                self.node_attribute,
                self.influence,
                self.resource_sets,
                self.line,
            ) == (
                other.id,
                other.rsc,
                other.with_rsc,
                other.score,
                other.rsc_role,
                other.with_rsc_role,
                other.node_attribute,
                other.influence,
                other.resource_sets,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.rsc,
                self.with_rsc,
                self.score,
                self.rsc_role,
                self.with_rsc_role,
                self.node_attribute,
                self.influence,
                self.resource_sets,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class OrderConstraint:
    id: str
    first: str | None
    then: str | None
    first_action: str
    then_action: str
    kind: OrderKind
    score: int | None  # legacy
    symmetrical: bool | None  # None: default (true unless Serialize)
    require_all: bool | None
    resource_sets: list[ResourceSet]
    line: int

    __slots__ = (
        "first",
        "first_action",
        "id",
        "kind",
        "line",
        "require_all",
        "resource_sets",
        "score",
        "symmetrical",
        "then",
        "then_action",
    )
    __match_args__ = (
        "id",
        "first",
        "then",
        "first_action",
        "then_action",
        "kind",
        "score",
        "symmetrical",
        "require_all",
        "resource_sets",
        "line",
    )

    def __init__(
        self,
        id: str,
        first: str | None,
        then: str | None,
        first_action: str = "start",
        then_action: str = "start",
        kind: OrderKind = "Mandatory",
        score: int | None = None,
        symmetrical: bool | None = None,
        require_all: bool | None = None,
        resource_sets: list[ResourceSet] = _FACTORY,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "first", first)
        _setattr(self, "then", then)
        _setattr(self, "first_action", first_action)
        _setattr(self, "then_action", then_action)
        _setattr(self, "kind", kind)
        _setattr(self, "score", score)
        _setattr(self, "symmetrical", symmetrical)
        _setattr(self, "require_all", require_all)
        _setattr(self, "resource_sets", list() if resource_sets is _FACTORY else resource_sets)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"first={self.first!r}, "
            f"then={self.then!r}, "
            f"first_action={self.first_action!r}, "
            f"then_action={self.then_action!r}, "
            f"kind={self.kind!r}, "
            f"score={self.score!r}, "
            f"symmetrical={self.symmetrical!r}, "
            f"require_all={self.require_all!r}, "
            f"resource_sets={self.resource_sets!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OrderConstraint) and other.__class__ is self.__class__:
            return (
                self.id,
                self.first,
                self.then,
                self.first_action,
                self.then_action,
                self.kind,
                self.score,
                self.symmetrical,
                self.require_all,
                self.resource_sets,
                self.line,
            ) == (
                other.id,
                other.first,
                other.then,
                other.first_action,
                other.then_action,
                other.kind,
                other.score,
                other.symmetrical,
                other.require_all,
                other.resource_sets,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.first,
                self.then,
                self.first_action,
                self.then_action,
                self.kind,
                self.score,
                self.symmetrical,
                self.require_all,
                self.resource_sets,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


# --------------------------------------------------------------------------- status
@dataclass(frozen=True, slots=True)
class OpRecord:
    id: str
    operation_key: str
    operation: str
    interval_ms: int
    call_id: int
    rc_code: int
    op_status: int
    target_rc: int | None = None
    transition_key: str | None = None
    transition_magic: str | None = None
    exit_reason: str = ""
    last_rc_change: int | None = None
    last_run: int | None = None
    exec_time: int | None = None
    queue_time: int | None = None
    op_digest: str | None = None
    on_node: str | None = None
    crm_debug_origin: str | None = None
    line: int = 0


class LrmResource:
    id: str
    standard: str | None
    provider: str | None
    type: str | None
    ops: list[OpRecord]
    container: str | None

    __slots__ = ("container", "id", "ops", "provider", "standard", "type")
    __match_args__ = ("id", "standard", "provider", "type", "ops", "container")

    def __init__(
        self,
        id: str,
        standard: str | None,
        provider: str | None,
        type: str | None,
        ops: list[OpRecord] = _FACTORY,
        container: str | None = None,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "standard", standard)
        _setattr(self, "provider", provider)
        _setattr(self, "type", type)
        _setattr(self, "ops", list() if ops is _FACTORY else ops)
        _setattr(self, "container", container)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"standard={self.standard!r}, "
            f"provider={self.provider!r}, "
            f"type={self.type!r}, "
            f"ops={self.ops!r}, "
            f"container={self.container!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LrmResource) and other.__class__ is self.__class__:
            return (self.id, self.standard, self.provider, self.type, self.ops, self.container) == (
                other.id,
                other.standard,
                other.provider,
                other.type,
                other.ops,
                other.container,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.standard, self.provider, self.type, self.ops, self.container))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class NodeStatus:
    id: str
    uname: str
    in_ccm: bool
    crmd: str | None
    join: str | None
    expected: str | None
    crm_debug_origin: str | None
    transient: dict[str, str]
    resources: dict[str, LrmResource]
    attrs: dict[str, str]
    line: int

    __slots__ = (
        "attrs",
        "crm_debug_origin",
        "crmd",
        "expected",
        "id",
        "in_ccm",
        "join",
        "line",
        "resources",
        "transient",
        "uname",
    )
    __match_args__ = (
        "id",
        "uname",
        "in_ccm",
        "crmd",
        "join",
        "expected",
        "crm_debug_origin",
        "transient",
        "resources",
        "attrs",
        "line",
    )

    def __init__(
        self,
        id: str,
        uname: str,
        in_ccm: bool = False,
        crmd: str | None = None,
        join: str | None = None,
        expected: str | None = None,
        crm_debug_origin: str | None = None,
        transient: dict[str, str] = _FACTORY,
        resources: dict[str, LrmResource] = _FACTORY,
        attrs: dict[str, str] = _FACTORY,
        line: int = 0,
    ) -> None:
        _setattr(self, "id", id)
        _setattr(self, "uname", uname)
        _setattr(self, "in_ccm", in_ccm)
        _setattr(self, "crmd", crmd)
        _setattr(self, "join", join)
        _setattr(self, "expected", expected)
        _setattr(self, "crm_debug_origin", crm_debug_origin)
        _setattr(self, "transient", dict() if transient is _FACTORY else transient)
        _setattr(self, "resources", dict() if resources is _FACTORY else resources)
        _setattr(self, "attrs", dict() if attrs is _FACTORY else attrs)
        _setattr(self, "line", line)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"uname={self.uname!r}, "
            f"in_ccm={self.in_ccm!r}, "
            f"crmd={self.crmd!r}, "
            f"join={self.join!r}, "
            f"expected={self.expected!r}, "
            f"crm_debug_origin={self.crm_debug_origin!r}, "
            f"transient={self.transient!r}, "
            f"resources={self.resources!r}, "
            f"attrs={self.attrs!r}, "
            f"line={self.line!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NodeStatus) and other.__class__ is self.__class__:
            return (
                self.id,
                self.uname,
                self.in_ccm,
                self.crmd,
                self.join,
                self.expected,
                self.crm_debug_origin,
                self.transient,
                self.resources,
                self.attrs,
                self.line,
            ) == (
                other.id,
                other.uname,
                other.in_ccm,
                other.crmd,
                other.join,
                other.expected,
                other.crm_debug_origin,
                other.transient,
                other.resources,
                other.attrs,
                other.line,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.uname,
                self.in_ccm,
                self.crmd,
                self.join,
                self.expected,
                self.crm_debug_origin,
                self.transient,
                self.resources,
                self.attrs,
                self.line,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)

    @property
    def online(self) -> bool:
        """Cluster member with a running controller that has joined (crm_mon's "online")."""
        crmd_ok = self.crmd == "online" or ((self.crmd or "").isdigit() and self.crmd != "0")
        return self.in_ccm and crmd_ok and self.join == "member"


# --------------------------------------------------------------------------- root
class Cib:
    validate_with: str | None
    admin_epoch: int
    epoch: int
    num_updates: int
    crm_config: list[NvSet]
    rsc_defaults: list[NvSet]
    op_defaults: list[NvSet]
    nodes: list[Node]
    resources: list[Resource]
    locations: list[LocationConstraint]
    colocations: list[ColocationConstraint]
    orders: list[OrderConstraint]
    tags: dict[str, list[str]]
    status: dict[str, NodeStatus]
    source: str
    attrs: dict[str, str]
    _index: dict[str, Resource]
    _parent: dict[str, str]

    __slots__ = (
        "_index",
        "_parent",
        "admin_epoch",
        "attrs",
        "colocations",
        "crm_config",
        "epoch",
        "locations",
        "nodes",
        "num_updates",
        "op_defaults",
        "orders",
        "resources",
        "rsc_defaults",
        "source",
        "status",
        "tags",
        "validate_with",
    )
    __match_args__ = (
        "validate_with",
        "admin_epoch",
        "epoch",
        "num_updates",
        "crm_config",
        "rsc_defaults",
        "op_defaults",
        "nodes",
        "resources",
        "locations",
        "colocations",
        "orders",
        "tags",
        "status",
        "source",
        "attrs",
        "_index",
        "_parent",
    )

    def __init__(
        self,
        validate_with: str | None,
        admin_epoch: int,
        epoch: int,
        num_updates: int,
        crm_config: list[NvSet] = _FACTORY,
        rsc_defaults: list[NvSet] = _FACTORY,
        op_defaults: list[NvSet] = _FACTORY,
        nodes: list[Node] = _FACTORY,
        resources: list[Resource] = _FACTORY,
        locations: list[LocationConstraint] = _FACTORY,
        colocations: list[ColocationConstraint] = _FACTORY,
        orders: list[OrderConstraint] = _FACTORY,
        tags: dict[str, list[str]] = _FACTORY,
        status: dict[str, NodeStatus] = _FACTORY,
        source: str = "<string>",
        attrs: dict[str, str] = _FACTORY,
        _index: dict[str, Resource] = _FACTORY,
        _parent: dict[str, str] = _FACTORY,
    ) -> None:
        _setattr(self, "validate_with", validate_with)
        _setattr(self, "admin_epoch", admin_epoch)
        _setattr(self, "epoch", epoch)
        _setattr(self, "num_updates", num_updates)
        _setattr(self, "crm_config", list() if crm_config is _FACTORY else crm_config)
        _setattr(self, "rsc_defaults", list() if rsc_defaults is _FACTORY else rsc_defaults)
        _setattr(self, "op_defaults", list() if op_defaults is _FACTORY else op_defaults)
        _setattr(self, "nodes", list() if nodes is _FACTORY else nodes)
        _setattr(self, "resources", list() if resources is _FACTORY else resources)
        _setattr(self, "locations", list() if locations is _FACTORY else locations)
        _setattr(self, "colocations", list() if colocations is _FACTORY else colocations)
        _setattr(self, "orders", list() if orders is _FACTORY else orders)
        _setattr(self, "tags", dict() if tags is _FACTORY else tags)
        _setattr(self, "status", dict() if status is _FACTORY else status)
        _setattr(self, "source", source)
        _setattr(self, "attrs", dict() if attrs is _FACTORY else attrs)
        _setattr(self, "_index", dict() if _index is _FACTORY else _index)
        _setattr(self, "_parent", dict() if _parent is _FACTORY else _parent)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"validate_with={self.validate_with!r}, "
            f"admin_epoch={self.admin_epoch!r}, "
            f"epoch={self.epoch!r}, "
            f"num_updates={self.num_updates!r}, "
            f"crm_config={self.crm_config!r}, "
            f"rsc_defaults={self.rsc_defaults!r}, "
            f"op_defaults={self.op_defaults!r}, "
            f"nodes={self.nodes!r}, "
            f"resources={self.resources!r}, "
            f"locations={self.locations!r}, "
            f"colocations={self.colocations!r}, "
            f"orders={self.orders!r}, "
            f"tags={self.tags!r}, "
            f"status={self.status!r}, "
            f"source={self.source!r}, "
            f"attrs={self.attrs!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Cib) and other.__class__ is self.__class__:
            return (
                self.validate_with,
                self.admin_epoch,
                self.epoch,
                self.num_updates,
                self.crm_config,
                self.rsc_defaults,
                self.op_defaults,
                self.nodes,
                self.resources,
                self.locations,
                self.colocations,
                self.orders,
                self.tags,
                self.status,
                self.source,
                self.attrs,
            ) == (
                other.validate_with,
                other.admin_epoch,
                other.epoch,
                other.num_updates,
                other.crm_config,
                other.rsc_defaults,
                other.op_defaults,
                other.nodes,
                other.resources,
                other.locations,
                other.colocations,
                other.orders,
                other.tags,
                other.status,
                other.source,
                other.attrs,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.validate_with,
                self.admin_epoch,
                self.epoch,
                self.num_updates,
                self.crm_config,
                self.rsc_defaults,
                self.op_defaults,
                self.nodes,
                self.resources,
                self.locations,
                self.colocations,
                self.orders,
                self.tags,
                self.status,
                self.source,
                self.attrs,
            )
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)

    @property
    def version(self) -> tuple[int, int, int]:
        return (self.admin_epoch, self.epoch, self.num_updates)

    def find(self, rsc_id: str) -> Resource | None:
        return self._index.get(rsc_id)

    def parent(self, rsc_id: str) -> Group | Clone | None:
        pid = self._parent.get(rsc_id)
        if pid is None:
            return None
        found = self._index[pid]
        return None if isinstance(found, Primitive) else found

    def parents(self, rsc_id: str) -> list[Group | Clone]:
        """Enclosing resources, closest first (a primitive in a cloned group: [group, clone])."""
        out: list[Group | Clone] = []
        cur = self.parent(rsc_id)
        while cur is not None:
            out.append(cur)
            cur = self.parent(cur.id)
        return out

    def primitives(self) -> Iterator[Primitive]:
        return iter_primitives(self.resources)

    def node_by_uname(self, uname: str) -> Node | None:
        for node in self.nodes:
            if node.uname == uname:
                return node
        return None


def iter_primitives(resources: list[Resource]) -> Iterator[Primitive]:
    """Every primitive below ``resources``, depth first in document order."""
    for rsc in resources:
        if isinstance(rsc, Primitive):
            yield rsc
        elif isinstance(rsc, Group):
            yield from rsc.children
        elif isinstance(rsc.child, Primitive):
            yield rsc.child
        else:
            yield from rsc.child.children


def iter_resources(resources: list[Resource]) -> Iterator[Resource]:
    """Every resource (collective ones before their members), document order."""
    for rsc in resources:
        yield rsc
        if isinstance(rsc, Group):
            yield from rsc.children
        elif isinstance(rsc, Clone):
            yield from iter_resources([rsc.child])


ROLE_ALIASES = {
    "started": "Started",
    "stopped": "Stopped",
    "promoted": "Promoted",
    "unpromoted": "Unpromoted",
    "master": "Promoted",
    "slave": "Unpromoted",
}


def normalize_role(role: str | None) -> str | None:
    """Canonical role name (case-insensitive; Master -> Promoted, Slave -> Unpromoted).

    Unknown names are returned unchanged (validation reports them).
    """
    if role is None:
        return None
    return ROLE_ALIASES.get(role.strip().lower(), role)
