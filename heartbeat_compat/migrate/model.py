"""The migration plan: a small, typed picture of the CIB to generate.

`planner` builds it from the parsed ha.d, `cibgen` renders it as XML. Keeping
the plan separate makes both halves testable on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Op:
    """An operation: ``<op name interval timeout [role]>``."""

    name: str
    interval: str
    timeout: str
    role: str | None = None


@dataclass
class Primitive:
    """``<primitive id class [provider] type>`` with params, meta and ops."""

    id: str
    cls: str
    type: str
    provider: str | None = None
    params: list[tuple[str, str]] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    source: str = ""  # the haresources word it came from (for comments)


@dataclass
class Group:
    id: str
    members: list[Primitive]
    source: str = ""


@dataclass
class Clone:
    """A clone; ``promotable`` makes it a promotable clone (meta promotable=true)."""

    id: str
    child: Primitive
    meta: list[tuple[str, str]] = field(default_factory=list)


Resource = Primitive | Group | Clone


@dataclass(frozen=True)
class Expression:
    attribute: str
    operation: str
    value: str | None = None


@dataclass(frozen=True)
class Location:
    """``rsc_location`` with either node+score or one rule of expressions."""

    id: str
    rsc: str
    score: str
    node: str | None = None
    role: str | None = None
    rule_expressions: tuple[Expression, ...] = ()
    boolean_op: str | None = None


@dataclass(frozen=True)
class Colocation:
    id: str
    rsc: str
    with_rsc: str
    score: str
    with_rsc_role: str | None = None


@dataclass(frozen=True)
class Order:
    id: str
    first: str
    then: str
    first_action: str | None = None
    then_action: str | None = None
    kind: str = "Mandatory"


Constraint = Location | Colocation | Order


@dataclass
class Plan:
    """Everything the generated CIB contains, plus what the tool must report.

    ``version`` is the CIB's (admin_epoch, epoch, num_updates).
    """

    nodes: list[str]
    properties: list[tuple[str, str]]
    rsc_defaults: list[tuple[str, str]]
    resources: list[Resource]
    constraints: list[Constraint]
    comments: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    version: tuple[int, int, int] = (1, 1, 0)
