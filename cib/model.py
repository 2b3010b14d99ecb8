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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cib.timespec import Duration

NvKind = Literal["instance", "meta", "cluster_property", "utilization"]
OrderKind = Literal["Mandatory", "Optional", "Serialize"]


# --------------------------------------------------------------------------- rules
@dataclass(frozen=True, slots=True)
class Expression:
    id: str
    attribute: str
    operation: str  # lt gt lte gte eq ne defined not_defined
    value: str | None = None
    type: str | None = None  # string integer number version (None: Pacemaker's default)
    value_source: str = "literal"  # literal param meta
    line: int = 0


@dataclass(frozen=True, slots=True)
class DateSpec:
    id: str
    fields: dict[str, str]  # hours monthdays weekdays yeardays months weeks years weekyears ...
    line: int = 0


@dataclass(frozen=True, slots=True)
class DateExpression:
    id: str
    operation: str  # in_range gt lt date_spec
    start: datetime | None = None
    end: datetime | None = None
    duration: Duration | None = None
    date_spec: DateSpec | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class RscExpression:
    id: str
    standard: str | None = None
    provider: str | None = None
    type: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class OpExpression:
    id: str
    name: str
    interval_ms: int | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    boolean_op: Literal["and", "or"] = "and"
    score: int | None = None
    score_attribute: str | None = None
    role: str | None = None
    expressions: list[RuleItem] = field(default_factory=list)
    line: int = 0


RuleItem = Expression | DateExpression | RscExpression | OpExpression | Rule


# --------------------------------------------------------------------------- nvsets
@dataclass(frozen=True, slots=True)
class NvSet:
    id: str
    kind: NvKind
    values: dict[str, str]
    score: int | None = None
    rule: Rule | None = None
    line: int = 0


# --------------------------------------------------------------------------- resources
@dataclass(frozen=True, slots=True)
class Op:
    id: str
    name: str
    interval_ms: int
    timeout_ms: int | None = None
    role: str | None = None
    on_fail: str | None = None
    enabled: bool = True
    instance_sets: list[NvSet] = field(default_factory=list)
    meta_sets: list[NvSet] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True, slots=True)
class Primitive:
    id: str
    standard: str
    type: str
    provider: str | None = None
    instance_sets: list[NvSet] = field(default_factory=list)
    meta_sets: list[NvSet] = field(default_factory=list)
    utilization_sets: list[NvSet] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    description: str | None = None
    line: int = 0

    @property
    def agent(self) -> str:
        """``class:provider:type`` (``class:type`` without provider), like crm_mon."""
        if self.provider:
            return f"{self.standard}:{self.provider}:{self.type}"
        return f"{self.standard}:{self.type}"


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    children: list[Primitive]
    meta_sets: list[NvSet] = field(default_factory=list)
    instance_sets: list[NvSet] = field(default_factory=list)
    description: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Clone:
    id: str
    child: Primitive | Group
    meta_sets: list[NvSet] = field(default_factory=list)
    instance_sets: list[NvSet] = field(default_factory=list)
    promotable: bool = False
    legacy_master: bool = False
    description: str | None = None
    line: int = 0


Resource = Primitive | Group | Clone


# --------------------------------------------------------------------------- nodes
@dataclass(frozen=True, slots=True)
class Node:
    id: str
    uname: str
    type: str = "member"
    attr_sets: list[NvSet] = field(default_factory=list)
    utilization_sets: list[NvSet] = field(default_factory=list)
    line: int = 0
    score: str | None = None  # raw <node score=...> (base score for every resource)


# --------------------------------------------------------------------------- constraints
@dataclass(frozen=True, slots=True)
class ResourceSet:
    id: str
    resources: list[str]
    sequential: bool | None = None  # None: not given (Pacemaker default true)
    require_all: bool | None = None  # None: not given (default true)
    role: str | None = None
    action: str | None = None
    score: int | None = None
    kind: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class LocationConstraint:
    id: str
    rsc: str | None = None
    rsc_pattern: str | None = None
    node: str | None = None
    score: int | None = None
    rules: list[Rule] = field(default_factory=list)
    role: str | None = None
    resource_discovery: str = "always"
    resource_sets: list[ResourceSet] = field(default_factory=list)
    line: int = 0


@dataclass(frozen=True, slots=True)
class ColocationConstraint:
    id: str
    rsc: str | None
    with_rsc: str | None
    score: int
    rsc_role: str | None = None
    with_rsc_role: str | None = None
    node_attribute: str = "#uname"
    influence: bool | None = None
    resource_sets: list[ResourceSet] = field(default_factory=list)
    line: int = 0


@dataclass(frozen=True, slots=True)
class OrderConstraint:
    id: str
    first: str | None
    then: str | None
    first_action: str = "start"
    then_action: str = "start"
    kind: OrderKind = "Mandatory"
    score: int | None = None  # legacy
    symmetrical: bool | None = None  # None: default (true unless Serialize)
    require_all: bool | None = None
    resource_sets: list[ResourceSet] = field(default_factory=list)
    line: int = 0


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


@dataclass(frozen=True, slots=True)
class LrmResource:
    id: str
    standard: str | None
    provider: str | None
    type: str | None
    ops: list[OpRecord] = field(default_factory=list)
    container: str | None = None


@dataclass(frozen=True, slots=True)
class NodeStatus:
    id: str
    uname: str
    in_ccm: bool = False
    crmd: str | None = None
    join: str | None = None
    expected: str | None = None
    crm_debug_origin: str | None = None
    transient: dict[str, str] = field(default_factory=dict)
    resources: dict[str, LrmResource] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def online(self) -> bool:
        """Cluster member with a running controller that has joined (crm_mon's "online")."""
        crmd_ok = self.crmd == "online" or ((self.crmd or "").isdigit() and self.crmd != "0")
        return self.in_ccm and crmd_ok and self.join == "member"


# --------------------------------------------------------------------------- root
@dataclass(frozen=True, slots=True)
class Cib:
    validate_with: str | None
    admin_epoch: int
    epoch: int
    num_updates: int
    crm_config: list[NvSet] = field(default_factory=list)
    rsc_defaults: list[NvSet] = field(default_factory=list)
    op_defaults: list[NvSet] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    locations: list[LocationConstraint] = field(default_factory=list)
    colocations: list[ColocationConstraint] = field(default_factory=list)
    orders: list[OrderConstraint] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    status: dict[str, NodeStatus] = field(default_factory=dict)
    source: str = "<string>"
    attrs: dict[str, str] = field(default_factory=dict)
    _index: dict[str, Resource] = field(default_factory=dict, repr=False, compare=False)
    _parent: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

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
