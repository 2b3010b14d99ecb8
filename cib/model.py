"""Typed, immutable model of a Pacemaker CIB.

Build it with :func:`cib.load` (path) or :func:`cib.loads` (text); both raise
:class:`cib.errors.CibError` (``str(e)`` is ``file:line: id: message``).

API summary (all classes are frozen and slotted, with dataclass semantics -- see :mod:`cib._record`;
``line`` is the source line, 0 if unknown):

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
* :class:`Bundle` (``<bundle>``): its container settings and optional primitive; the
  resources it implies are made by the scheduler (:mod:`pycrm.scheduler.bundles`).
* Not modelled: ``fencing-topology``, ``acls`` and ``alerts`` are skipped.
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
from datetime import datetime
from typing import Literal

from cib._record import FACTORY, FrozenRecord, setattr_
from cib.timespec import Duration

NvKind = Literal["instance", "meta", "cluster_property", "utilization"]
OrderKind = Literal["Mandatory", "Optional", "Serialize"]


# --------------------------------------------------------------------------- rules
class Expression(FrozenRecord):
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
        setattr_(self, "id", id)
        setattr_(self, "attribute", attribute)
        setattr_(self, "operation", operation)
        setattr_(self, "value", value)
        setattr_(self, "type", type)
        setattr_(self, "value_source", value_source)
        setattr_(self, "line", line)


class DateSpec(FrozenRecord):
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
        setattr_(self, "id", id)
        setattr_(self, "fields", fields)
        setattr_(self, "line", line)


class DateExpression(FrozenRecord):
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
        setattr_(self, "id", id)
        setattr_(self, "operation", operation)
        setattr_(self, "start", start)
        setattr_(self, "end", end)
        setattr_(self, "duration", duration)
        setattr_(self, "date_spec", date_spec)
        setattr_(self, "line", line)


class RscExpression(FrozenRecord):
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
        setattr_(self, "id", id)
        setattr_(self, "standard", standard)
        setattr_(self, "provider", provider)
        setattr_(self, "type", type)
        setattr_(self, "line", line)


class OpExpression(FrozenRecord):
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
        setattr_(self, "id", id)
        setattr_(self, "name", name)
        setattr_(self, "interval_ms", interval_ms)
        setattr_(self, "line", line)


class Rule(FrozenRecord):
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
        expressions: list[RuleItem] = FACTORY,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "boolean_op", boolean_op)
        setattr_(self, "score", score)
        setattr_(self, "score_attribute", score_attribute)
        setattr_(self, "role", role)
        setattr_(self, "expressions", list() if expressions is FACTORY else expressions)
        setattr_(self, "line", line)


RuleItem = Expression | DateExpression | RscExpression | OpExpression | Rule


# --------------------------------------------------------------------------- nvsets
class NvSet(FrozenRecord):
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
        setattr_(self, "id", id)
        setattr_(self, "kind", kind)
        setattr_(self, "values", values)
        setattr_(self, "score", score)
        setattr_(self, "rule", rule)
        setattr_(self, "line", line)


# --------------------------------------------------------------------------- resources
class Op(FrozenRecord):
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
        instance_sets: list[NvSet] = FACTORY,
        meta_sets: list[NvSet] = FACTORY,
        extra: dict[str, str] = FACTORY,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "name", name)
        setattr_(self, "interval_ms", interval_ms)
        setattr_(self, "timeout_ms", timeout_ms)
        setattr_(self, "role", role)
        setattr_(self, "on_fail", on_fail)
        setattr_(self, "enabled", enabled)
        setattr_(self, "instance_sets", list() if instance_sets is FACTORY else instance_sets)
        setattr_(self, "meta_sets", list() if meta_sets is FACTORY else meta_sets)
        setattr_(self, "extra", dict() if extra is FACTORY else extra)
        setattr_(self, "line", line)


class Primitive(FrozenRecord):
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
        instance_sets: list[NvSet] = FACTORY,
        meta_sets: list[NvSet] = FACTORY,
        utilization_sets: list[NvSet] = FACTORY,
        ops: list[Op] = FACTORY,
        description: str | None = None,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "standard", standard)
        setattr_(self, "type", type)
        setattr_(self, "provider", provider)
        setattr_(self, "instance_sets", list() if instance_sets is FACTORY else instance_sets)
        setattr_(self, "meta_sets", list() if meta_sets is FACTORY else meta_sets)
        setattr_(
            self, "utilization_sets", list() if utilization_sets is FACTORY else utilization_sets
        )
        setattr_(self, "ops", list() if ops is FACTORY else ops)
        setattr_(self, "description", description)
        setattr_(self, "line", line)

    @property
    def agent(self) -> str:
        """``class:provider:type`` (``class:type`` without provider), like crm_mon."""
        if self.provider:
            return f"{self.standard}:{self.provider}:{self.type}"
        return f"{self.standard}:{self.type}"


class Group(FrozenRecord):
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
        meta_sets: list[NvSet] = FACTORY,
        instance_sets: list[NvSet] = FACTORY,
        description: str | None = None,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "children", children)
        setattr_(self, "meta_sets", list() if meta_sets is FACTORY else meta_sets)
        setattr_(self, "instance_sets", list() if instance_sets is FACTORY else instance_sets)
        setattr_(self, "description", description)
        setattr_(self, "line", line)


class Clone(FrozenRecord):
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
        meta_sets: list[NvSet] = FACTORY,
        instance_sets: list[NvSet] = FACTORY,
        promotable: bool = False,
        legacy_master: bool = False,
        description: str | None = None,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "child", child)
        setattr_(self, "meta_sets", list() if meta_sets is FACTORY else meta_sets)
        setattr_(self, "instance_sets", list() if instance_sets is FACTORY else instance_sets)
        setattr_(self, "promotable", promotable)
        setattr_(self, "legacy_master", legacy_master)
        setattr_(self, "description", description)
        setattr_(self, "line", line)


class BundleMount(FrozenRecord):
    """A ``storage-mapping`` of a bundle (``subdir``: ``source-dir-root``, a directory per
    replica below it)."""

    source: str
    target: str
    options: str | None
    subdir: bool

    __slots__ = ("options", "source", "subdir", "target")
    __match_args__ = ("source", "target", "options", "subdir")

    def __init__(self, source: str, target: str, options: str | None, subdir: bool) -> None:
        setattr_(self, "source", source)
        setattr_(self, "target", target)
        setattr_(self, "options", options)
        setattr_(self, "subdir", subdir)


class Bundle(FrozenRecord):
    """A ``<bundle>``: ``replicas`` containers (``docker``, ``podman`` or ``rkt``), each with
    an optional IP address and, when ``child`` is set, a Pacemaker Remote guest node that
    runs one instance of ``child`` (the scheduler expands it; ports are ``(source,
    target)`` port mappings)."""

    id: str
    agent: str  # docker, podman or rkt
    image: str | None
    replicas: int
    replicas_per_host: int
    promoted_max: int
    run_command: str | None
    options: str | None
    network: str | None  # the container's --net
    ip_range_start: str | None
    host_interface: str | None
    host_netmask: str | None
    control_port: str | None
    add_host: bool
    ports: list[tuple[str, str]]
    mounts: list[BundleMount]
    child: Primitive | None
    meta_sets: list[NvSet]
    description: str | None
    line: int

    __slots__ = (
        "add_host",
        "agent",
        "child",
        "control_port",
        "description",
        "host_interface",
        "host_netmask",
        "id",
        "image",
        "ip_range_start",
        "line",
        "meta_sets",
        "mounts",
        "network",
        "options",
        "ports",
        "promoted_max",
        "replicas",
        "replicas_per_host",
        "run_command",
    )
    __match_args__ = (
        "id",
        "agent",
        "image",
        "replicas",
        "replicas_per_host",
        "promoted_max",
        "run_command",
        "options",
        "network",
        "ip_range_start",
        "host_interface",
        "host_netmask",
        "control_port",
        "add_host",
        "ports",
        "mounts",
        "child",
        "meta_sets",
        "description",
        "line",
    )

    def __init__(
        self,
        id: str,
        agent: str,
        image: str | None = None,
        replicas: int = 1,
        replicas_per_host: int = 1,
        promoted_max: int = 0,
        run_command: str | None = None,
        options: str | None = None,
        network: str | None = None,
        ip_range_start: str | None = None,
        host_interface: str | None = None,
        host_netmask: str | None = None,
        control_port: str | None = None,
        add_host: bool = True,
        ports: list[tuple[str, str]] = FACTORY,
        mounts: list[BundleMount] = FACTORY,
        child: Primitive | None = None,
        meta_sets: list[NvSet] = FACTORY,
        description: str | None = None,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "agent", agent)
        setattr_(self, "image", image)
        setattr_(self, "replicas", replicas)
        setattr_(self, "replicas_per_host", replicas_per_host)
        setattr_(self, "promoted_max", promoted_max)
        setattr_(self, "run_command", run_command)
        setattr_(self, "options", options)
        setattr_(self, "network", network)
        setattr_(self, "ip_range_start", ip_range_start)
        setattr_(self, "host_interface", host_interface)
        setattr_(self, "host_netmask", host_netmask)
        setattr_(self, "control_port", control_port)
        setattr_(self, "add_host", add_host)
        setattr_(self, "ports", list() if ports is FACTORY else ports)
        setattr_(self, "mounts", list() if mounts is FACTORY else mounts)
        setattr_(self, "child", child)
        setattr_(self, "meta_sets", list() if meta_sets is FACTORY else meta_sets)
        setattr_(self, "description", description)
        setattr_(self, "line", line)


Resource = Primitive | Group | Clone | Bundle


# --------------------------------------------------------------------------- nodes
class Node(FrozenRecord):
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
        attr_sets: list[NvSet] = FACTORY,
        utilization_sets: list[NvSet] = FACTORY,
        line: int = 0,
        score: str | None = None,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "uname", uname)
        setattr_(self, "type", type)
        setattr_(self, "attr_sets", list() if attr_sets is FACTORY else attr_sets)
        setattr_(
            self, "utilization_sets", list() if utilization_sets is FACTORY else utilization_sets
        )
        setattr_(self, "line", line)
        setattr_(self, "score", score)


# --------------------------------------------------------------------------- constraints
class ResourceSet(FrozenRecord):
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
        setattr_(self, "id", id)
        setattr_(self, "resources", resources)
        setattr_(self, "sequential", sequential)
        setattr_(self, "require_all", require_all)
        setattr_(self, "role", role)
        setattr_(self, "action", action)
        setattr_(self, "score", score)
        setattr_(self, "kind", kind)
        setattr_(self, "line", line)


class LocationConstraint(FrozenRecord):
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
        rules: list[Rule] = FACTORY,
        role: str | None = None,
        resource_discovery: str = "always",
        resource_sets: list[ResourceSet] = FACTORY,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "rsc", rsc)
        setattr_(self, "rsc_pattern", rsc_pattern)
        setattr_(self, "node", node)
        setattr_(self, "score", score)
        setattr_(self, "rules", list() if rules is FACTORY else rules)
        setattr_(self, "role", role)
        setattr_(self, "resource_discovery", resource_discovery)
        setattr_(self, "resource_sets", list() if resource_sets is FACTORY else resource_sets)
        setattr_(self, "line", line)


class ColocationConstraint(FrozenRecord):
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
        resource_sets: list[ResourceSet] = FACTORY,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "rsc", rsc)
        setattr_(self, "with_rsc", with_rsc)
        setattr_(self, "score", score)
        setattr_(self, "rsc_role", rsc_role)
        setattr_(self, "with_rsc_role", with_rsc_role)
        setattr_(self, "node_attribute", node_attribute)
        setattr_(self, "influence", influence)
        setattr_(self, "resource_sets", list() if resource_sets is FACTORY else resource_sets)
        setattr_(self, "line", line)


class TicketConstraint(FrozenRecord):
    """``rsc_ticket``: ``rsc`` (or the resources of ``resource_sets``, each set with its own
    role) may only run while ``ticket`` is granted and not in standby."""

    id: str
    ticket: str
    rsc: str | None
    rsc_role: str | None
    loss_policy: str | None  # stop demote fence freeze (None: Pacemaker's default)
    resource_sets: list[ResourceSet]
    line: int

    __slots__ = ("id", "line", "loss_policy", "resource_sets", "rsc", "rsc_role", "ticket")
    __match_args__ = ("id", "ticket", "rsc", "rsc_role", "loss_policy", "resource_sets", "line")

    def __init__(
        self,
        id: str,
        ticket: str,
        rsc: str | None = None,
        rsc_role: str | None = None,
        loss_policy: str | None = None,
        resource_sets: list[ResourceSet] = FACTORY,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "ticket", ticket)
        setattr_(self, "rsc", rsc)
        setattr_(self, "rsc_role", rsc_role)
        setattr_(self, "loss_policy", loss_policy)
        setattr_(self, "resource_sets", list() if resource_sets is FACTORY else resource_sets)
        setattr_(self, "line", line)


class OrderConstraint(FrozenRecord):
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
        resource_sets: list[ResourceSet] = FACTORY,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "first", first)
        setattr_(self, "then", then)
        setattr_(self, "first_action", first_action)
        setattr_(self, "then_action", then_action)
        setattr_(self, "kind", kind)
        setattr_(self, "score", score)
        setattr_(self, "symmetrical", symmetrical)
        setattr_(self, "require_all", require_all)
        setattr_(self, "resource_sets", list() if resource_sets is FACTORY else resource_sets)
        setattr_(self, "line", line)


# --------------------------------------------------------------------------- status
class OpRecord(FrozenRecord):
    id: str
    operation_key: str
    operation: str
    interval_ms: int
    call_id: int
    rc_code: int
    op_status: int
    target_rc: int | None
    transition_key: str | None
    transition_magic: str | None
    exit_reason: str
    last_rc_change: int | None
    last_run: int | None
    exec_time: int | None
    queue_time: int | None
    op_digest: str | None
    on_node: str | None
    crm_debug_origin: str | None
    line: int
    # digests the controller records (cib.digest computes them)
    op_restart_digest: str | None
    op_force_restart: str | None  # " a b " parameters a reload cannot change
    op_secure_digest: str | None
    op_secure_params: str | None  # " passwd " private parameters
    crm_feature_set: str | None
    migrate_source: str | None  # a migrate_to/migrate_from record's source node
    migrate_target: str | None  # ... and target node

    __slots__ = (
        "call_id",
        "crm_debug_origin",
        "crm_feature_set",
        "exec_time",
        "exit_reason",
        "id",
        "interval_ms",
        "last_rc_change",
        "last_run",
        "line",
        "migrate_source",
        "migrate_target",
        "on_node",
        "op_digest",
        "op_force_restart",
        "op_restart_digest",
        "op_secure_digest",
        "op_secure_params",
        "op_status",
        "operation",
        "operation_key",
        "queue_time",
        "rc_code",
        "target_rc",
        "transition_key",
        "transition_magic",
    )
    __match_args__ = (
        "id",
        "operation_key",
        "operation",
        "interval_ms",
        "call_id",
        "rc_code",
        "op_status",
        "target_rc",
        "transition_key",
        "transition_magic",
        "exit_reason",
        "last_rc_change",
        "last_run",
        "exec_time",
        "queue_time",
        "op_digest",
        "on_node",
        "crm_debug_origin",
        "line",
        "op_restart_digest",
        "op_force_restart",
        "op_secure_digest",
        "op_secure_params",
        "crm_feature_set",
        "migrate_source",
        "migrate_target",
    )

    def __init__(
        self,
        id: str,
        operation_key: str,
        operation: str,
        interval_ms: int,
        call_id: int,
        rc_code: int,
        op_status: int,
        target_rc: int | None = None,
        transition_key: str | None = None,
        transition_magic: str | None = None,
        exit_reason: str = "",
        last_rc_change: int | None = None,
        last_run: int | None = None,
        exec_time: int | None = None,
        queue_time: int | None = None,
        op_digest: str | None = None,
        on_node: str | None = None,
        crm_debug_origin: str | None = None,
        line: int = 0,
        op_restart_digest: str | None = None,
        op_force_restart: str | None = None,
        op_secure_digest: str | None = None,
        op_secure_params: str | None = None,
        crm_feature_set: str | None = None,
        migrate_source: str | None = None,
        migrate_target: str | None = None,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "operation_key", operation_key)
        setattr_(self, "operation", operation)
        setattr_(self, "interval_ms", interval_ms)
        setattr_(self, "call_id", call_id)
        setattr_(self, "rc_code", rc_code)
        setattr_(self, "op_status", op_status)
        setattr_(self, "target_rc", target_rc)
        setattr_(self, "transition_key", transition_key)
        setattr_(self, "transition_magic", transition_magic)
        setattr_(self, "exit_reason", exit_reason)
        setattr_(self, "last_rc_change", last_rc_change)
        setattr_(self, "last_run", last_run)
        setattr_(self, "exec_time", exec_time)
        setattr_(self, "queue_time", queue_time)
        setattr_(self, "op_digest", op_digest)
        setattr_(self, "on_node", on_node)
        setattr_(self, "crm_debug_origin", crm_debug_origin)
        setattr_(self, "line", line)
        setattr_(self, "op_restart_digest", op_restart_digest)
        setattr_(self, "op_force_restart", op_force_restart)
        setattr_(self, "op_secure_digest", op_secure_digest)
        setattr_(self, "op_secure_params", op_secure_params)
        setattr_(self, "crm_feature_set", crm_feature_set)
        setattr_(self, "migrate_source", migrate_source)
        setattr_(self, "migrate_target", migrate_target)


class LrmResource(FrozenRecord):
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
        ops: list[OpRecord] = FACTORY,
        container: str | None = None,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "standard", standard)
        setattr_(self, "provider", provider)
        setattr_(self, "type", type)
        setattr_(self, "ops", list() if ops is FACTORY else ops)
        setattr_(self, "container", container)


class NodeStatus(FrozenRecord):
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
        transient: dict[str, str] = FACTORY,
        resources: dict[str, LrmResource] = FACTORY,
        attrs: dict[str, str] = FACTORY,
        line: int = 0,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "uname", uname)
        setattr_(self, "in_ccm", in_ccm)
        setattr_(self, "crmd", crmd)
        setattr_(self, "join", join)
        setattr_(self, "expected", expected)
        setattr_(self, "crm_debug_origin", crm_debug_origin)
        setattr_(self, "transient", dict() if transient is FACTORY else transient)
        setattr_(self, "resources", dict() if resources is FACTORY else resources)
        setattr_(self, "attrs", dict() if attrs is FACTORY else attrs)
        setattr_(self, "line", line)

    @property
    def online(self) -> bool:
        """Cluster member with a running controller that has joined (crm_mon's "online")."""
        crmd_ok = self.crmd == "online" or ((self.crmd or "").isdigit() and self.crmd != "0")
        return self.in_ccm and crmd_ok and self.join == "member"


# --------------------------------------------------------------------------- root
class Cib(FrozenRecord):
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
    tickets: list[TicketConstraint]
    ticket_state: dict[str, dict[str, str]]

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
        "ticket_state",
        "tickets",
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
        "tickets",
        "ticket_state",
    )
    _hidden = ("_index", "_parent")

    def __init__(
        self,
        validate_with: str | None,
        admin_epoch: int,
        epoch: int,
        num_updates: int,
        crm_config: list[NvSet] = FACTORY,
        rsc_defaults: list[NvSet] = FACTORY,
        op_defaults: list[NvSet] = FACTORY,
        nodes: list[Node] = FACTORY,
        resources: list[Resource] = FACTORY,
        locations: list[LocationConstraint] = FACTORY,
        colocations: list[ColocationConstraint] = FACTORY,
        orders: list[OrderConstraint] = FACTORY,
        tags: dict[str, list[str]] = FACTORY,
        status: dict[str, NodeStatus] = FACTORY,
        source: str = "<string>",
        attrs: dict[str, str] = FACTORY,
        _index: dict[str, Resource] = FACTORY,
        _parent: dict[str, str] = FACTORY,
        tickets: list[TicketConstraint] = FACTORY,
        ticket_state: dict[str, dict[str, str]] = FACTORY,
    ) -> None:
        setattr_(self, "validate_with", validate_with)
        setattr_(self, "admin_epoch", admin_epoch)
        setattr_(self, "epoch", epoch)
        setattr_(self, "num_updates", num_updates)
        setattr_(self, "crm_config", list() if crm_config is FACTORY else crm_config)
        setattr_(self, "rsc_defaults", list() if rsc_defaults is FACTORY else rsc_defaults)
        setattr_(self, "op_defaults", list() if op_defaults is FACTORY else op_defaults)
        setattr_(self, "nodes", list() if nodes is FACTORY else nodes)
        setattr_(self, "resources", list() if resources is FACTORY else resources)
        setattr_(self, "locations", list() if locations is FACTORY else locations)
        setattr_(self, "colocations", list() if colocations is FACTORY else colocations)
        setattr_(self, "orders", list() if orders is FACTORY else orders)
        setattr_(self, "tags", dict() if tags is FACTORY else tags)
        setattr_(self, "status", dict() if status is FACTORY else status)
        setattr_(self, "source", source)
        setattr_(self, "attrs", dict() if attrs is FACTORY else attrs)
        setattr_(self, "_index", dict() if _index is FACTORY else _index)
        setattr_(self, "_parent", dict() if _parent is FACTORY else _parent)
        setattr_(self, "tickets", list() if tickets is FACTORY else tickets)
        setattr_(self, "ticket_state", dict() if ticket_state is FACTORY else ticket_state)

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
        return None if isinstance(found, Primitive | Bundle) else found

    def bundle_of(self, rsc_id: str) -> Bundle | None:
        """The bundle whose primitive ``rsc_id`` is (:meth:`parent` says None for it)."""
        pid = self._parent.get(rsc_id)
        found = self._index.get(pid) if pid is not None else None
        return found if isinstance(found, Bundle) else None

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
    """Every configured primitive below ``resources``, depth first in document order (a
    bundle's own primitive, not the resources it implies)."""
    for rsc in resources:
        if isinstance(rsc, Primitive):
            yield rsc
        elif isinstance(rsc, Group):
            yield from rsc.children
        elif isinstance(rsc, Bundle):
            if rsc.child is not None:
                yield rsc.child
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
        elif isinstance(rsc, Bundle) and rsc.child is not None:
            yield rsc.child


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
