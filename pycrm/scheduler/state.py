"""Mutable working set of one scheduler run (Pacemaker's ``pe_working_set_t`` in spirit).

Built from a :class:`cib.model.Cib` by :mod:`pycrm.scheduler.build`; every later stage
(placement, colocation, clones, ordering, actions) reads and updates these objects.
Scores are plain ints with Pacemaker's saturating arithmetic (:mod:`cib.scores`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cib.history import ROLE_STOPPED, ROLE_UNKNOWN

Variant = Literal["primitive", "group", "clone"]


@dataclass(slots=True)
class WNode:
    name: str
    id: str
    index: int  # position in the CIB <nodes> section
    online: bool = False
    standby: bool = False
    maintenance: bool = False
    unclean: bool = False
    shutdown: bool = False
    base_score: int = 0  # <node score=...>
    attrs: dict[str, str] = field(default_factory=dict)  # permanent + transient + #uname...
    transient: dict[str, str] = field(default_factory=dict)
    num_resources: int = 0  # primitives assigned so far (tie-breaker)
    has_fail_counts: bool = False  # any fail-count-* transient attribute
    fenced: bool = False

    @property
    def available(self) -> bool:
        """Can run resources (Pacemaker's pcmk__node_available without score)."""
        return (
            self.online
            and not self.standby
            and not self.maintenance
            and not self.unclean
            and not self.shutdown
        )

    @property
    def state(self) -> str:
        """crm_simulate's node state word used by the normalizer."""
        if self.unclean and not self.online:
            return "UNCLEAN"
        if not self.online:
            return "OFFLINE"
        if self.standby:
            return "standby"
        if self.maintenance:
            return "maintenance"
        return "online"


@dataclass(slots=True)
class Contribution:
    kind: str  # default location stickiness failure colocation promotion role ...
    source: str  # constraint id or description
    value: int


@dataclass(slots=True)
class Coloc:
    id: str
    dependent: WRsc
    primary: WRsc
    score: int
    dependent_role: int = ROLE_UNKNOWN
    primary_role: int = ROLE_UNKNOWN
    node_attribute: str = "#uname"
    influence: bool = True


@dataclass(slots=True)
class Location:
    id: str
    rsc: WRsc
    role: int  # ROLE_UNKNOWN: any role
    scores: dict[str, int]  # node name -> score
    discovery: str = "always"


@dataclass(slots=True)
class OrderDef:
    id: str
    first: WRsc
    first_action: str
    then: WRsc
    then_action: str
    kind: str  # Mandatory Optional Serialize
    symmetrical: bool


@dataclass(eq=False, slots=True)
class WRsc:
    """A primitive (or clone instance), group, or clone in the working set."""

    id: str
    variant: Variant
    base_id: str  # id without a clone instance suffix
    config_id: str  # id of the configuration element
    parent: WRsc | None = None
    children: list[WRsc] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    agent: str = ""
    priority: int = 0
    stickiness: int = 0
    managed: bool = True
    unique: bool = True  # globally-unique (False: anonymous clone instance)
    orphan: bool = False
    blocked: bool = False
    failed: bool = False
    failure_ignored: bool = False
    order_index: int = 0  # position in the CIB (stable tie-breaker)
    # current state
    role: int = ROLE_STOPPED  # highest current role
    running_on: list[str] = field(default_factory=list)
    node_roles: dict[str, int] = field(default_factory=dict)
    history_name: str | None = None  # id the status section knows it by
    known_on: set[str] = field(default_factory=set)  # nodes with any history (probed)
    failed_ops: list[tuple[str, int]] = field(default_factory=list)  # (task, interval_ms)
    monitor_intervals: set[int] = field(default_factory=set)  # configured recurring monitors
    maintenance: bool = False  # unmanaged because of maintenance (no monitors run)
    # placement
    allowed: dict[str, int] = field(default_factory=dict)  # node -> score
    explain: dict[str, list[Contribution]] = field(default_factory=dict)
    this_with: list[Coloc] = field(default_factory=list)  # rsc_cons (self is dependent)
    with_this: list[Coloc] = field(default_factory=list)  # rsc_cons_lhs (self is primary)
    locations: list[Location] = field(default_factory=list)
    provisional: bool = True
    allocating: bool = False
    merging: bool = False
    assigned: str | None = None
    next_role: int = ROLE_UNKNOWN  # ROLE_UNKNOWN: not decided yet
    target_role: int = ROLE_UNKNOWN  # from meta target-role (ROLE_UNKNOWN: default)
    # clone data
    clone_max: int = 0
    clone_node_max: int = 1
    promoted_max: int = 1
    promoted_node_max: int = 1
    promotable: bool = False
    interleave: bool = False
    promotion_priority: int = 0
    sort_index: int = 0
    # failure handling
    migration_threshold: int = 1_000_000
    failure_timeout_s: int = 0
    on_fail_stop: bool = False  # next role forced to Stopped by on-fail=stop
    on_fail_demote: bool = False  # a promoted-role failure handled by demoting
    # action state (filled by ordering)
    start_runnable: bool = True
    promote_runnable: bool = True
    unrunnable_reason: str = ""
    restart_reason: str = ""

    @property
    def is_primitive(self) -> bool:
        return self.variant == "primitive"

    @property
    def top(self) -> WRsc:
        cur = self
        while cur.parent is not None:
            cur = cur.parent
        return cur

    @property
    def current_node(self) -> str | None:
        return self.running_on[0] if self.running_on else None

    @property
    def clone_parent(self) -> WRsc | None:
        cur = self.parent
        while cur is not None:
            if cur.variant == "clone":
                return cur
            cur = cur.parent
        return None

    def primitives(self) -> list[WRsc]:
        if self.variant == "primitive":
            return [self]
        out: list[WRsc] = []
        for child in self.children:
            out.extend(child.primitives())
        return out


@dataclass(slots=True)
class World:
    nodes: dict[str, WNode]
    node_order: list[str]  # names sorted for stable iteration
    options: dict[str, str]
    have_quorum: bool
    no_quorum_policy: str
    symmetric: bool
    stonith_enabled: bool
    stop_all: bool
    maintenance_mode: bool
    start_failure_fatal: bool
    stop_orphans: bool
    resources: list[WRsc]  # top-level, CIB order (orphans appended)
    by_id: dict[str, WRsc] = field(default_factory=dict)
    colocations: list[Coloc] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    orders: list[OrderDef] = field(default_factory=list)
    now_epoch: float = 0.0
    dc_name: str | None = None
    rsc_defaults: dict[str, str] | None = None  # resolved rsc_defaults (no rules)
    per_op_fail_counts: bool = True  # crm_feature_set >= 3.0.13
    orders_by_then: dict[int, list[OrderDef]] | None = None  # built after constraints
    sibling_cache: dict[tuple[int, str], list[WRsc]] = field(default_factory=dict)

    def all_primitives(self) -> list[WRsc]:
        out: list[WRsc] = []
        for rsc in self.resources:
            out.extend(rsc.primitives())
        return out
