"""Mutable working set of one scheduler run (Pacemaker's ``pe_working_set_t`` in spirit).

Built from a :class:`cib.model.Cib` by :mod:`pycrm.scheduler.build`; every later stage
(placement, colocation, clones, ordering, actions) reads and updates these objects.
Scores are plain ints with Pacemaker's saturating arithmetic (:mod:`cib.scores`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from cib._record import FACTORY, Record, ValueRecord
from cib.history import active_windows
from cib.model import LrmResource, OpRecord

if TYPE_CHECKING:
    from pycrm.scheduler.bundles import BundleLayout

Variant = Literal["primitive", "group", "clone", "bundle"]


class WNode(ValueRecord):
    name: str
    id: str
    index: int  # position in the CIB <nodes> section
    online: bool
    standby: bool
    maintenance: bool
    unclean: bool
    shutdown: bool
    base_score: int  # <node score=...>
    attrs: dict[str, str]  # permanent + transient + #uname...
    transient: dict[str, str]
    num_resources: int  # primitives assigned so far (tie-breaker)
    has_fail_counts: bool  # any fail-count-* transient attribute
    fenced: bool  # a fencing action is scheduled for it
    pending: bool  # joining: not ready to run resources
    fence_reason: str  # why it is unclean (the first reason Pacemaker records)
    standby_onfail: bool  # standby because of on-fail=standby
    capacity: dict[str, int]
    kind: str  # cluster, remote (Pacemaker Remote) or guest
    remote_rsc: str | None  # connection resource of a remote/guest node
    container: str | None  # a guest node's container resource
    remote_requires_reset: bool  # must be fenced (guest: its container recovered)
    unseen: bool  # no status seen: a remote node's fencing is revoked if it reconnects
    remote_was_fenced: bool  # node_state node_fenced
    fence_action: str  # reboot/off of its fencing action
    health: str  # node-health colour crm_mon shows: "", "YELLOW" or "RED"
    bundle: bool  # a bundle replica's node (only its instance runs there)

    __slots__ = (
        "attrs",
        "base_score",
        "bundle",
        "capacity",
        "container",
        "fence_action",
        "fence_reason",
        "fenced",
        "has_fail_counts",
        "health",
        "id",
        "index",
        "kind",
        "maintenance",
        "name",
        "num_resources",
        "online",
        "pending",
        "remote_requires_reset",
        "remote_rsc",
        "remote_was_fenced",
        "shutdown",
        "standby",
        "standby_onfail",
        "transient",
        "unclean",
        "unseen",
    )
    __match_args__ = (
        "name",
        "id",
        "index",
        "online",
        "standby",
        "maintenance",
        "unclean",
        "shutdown",
        "base_score",
        "attrs",
        "transient",
        "num_resources",
        "has_fail_counts",
        "fenced",
        "pending",
        "fence_reason",
        "standby_onfail",
        "capacity",
        "kind",
        "remote_rsc",
        "container",
        "remote_requires_reset",
        "unseen",
        "remote_was_fenced",
        "fence_action",
        "health",
        "bundle",
    )

    def __init__(
        self,
        name: str,
        id: str,
        index: int,
        online: bool = False,
        standby: bool = False,
        maintenance: bool = False,
        unclean: bool = False,
        shutdown: bool = False,
        base_score: int = 0,
        attrs: dict[str, str] = FACTORY,
        transient: dict[str, str] = FACTORY,
        num_resources: int = 0,
        has_fail_counts: bool = False,
        fenced: bool = False,
        pending: bool = False,
        fence_reason: str = "",
        standby_onfail: bool = False,
        capacity: dict[str, int] = FACTORY,
        kind: str = "cluster",
        remote_rsc: str | None = None,
        container: str | None = None,
        remote_requires_reset: bool = False,
        unseen: bool = False,
        remote_was_fenced: bool = False,
        fence_action: str = "reboot",
        health: str = "",
        bundle: bool = False,
    ) -> None:
        self.name = name
        self.id = id
        self.index = index
        self.online = online
        self.standby = standby
        self.maintenance = maintenance
        self.unclean = unclean
        self.shutdown = shutdown
        self.base_score = base_score
        self.attrs = dict() if attrs is FACTORY else attrs
        self.transient = dict() if transient is FACTORY else transient
        self.num_resources = num_resources
        self.has_fail_counts = has_fail_counts
        self.fenced = fenced
        self.pending = pending
        self.fence_reason = fence_reason
        self.standby_onfail = standby_onfail
        self.capacity = dict() if capacity is FACTORY else capacity
        self.kind = kind
        self.remote_rsc = remote_rsc
        self.container = container
        self.remote_requires_reset = remote_requires_reset
        self.unseen = unseen
        self.fence_action = fence_action
        self.health = health
        self.bundle = bundle
        self.remote_was_fenced = remote_was_fenced

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
        """crm_simulate's node state word used by the normalizer (crm_mon's order)."""
        if self.unclean:
            return "UNCLEAN"
        if self.pending:
            return "pending"
        if not self.online:
            return "OFFLINE"
        if self.standby:
            return "standby"
        if self.maintenance:
            return "maintenance"
        return "online"

    def mark_unclean(self, reason: str) -> None:
        """Pacemaker's pe_fence_node for a cluster node: the first reason is kept."""
        if not self.unclean:
            self.unclean = True
            self.fence_reason = reason


class Contribution(ValueRecord):
    kind: str  # default location stickiness failure colocation promotion role ...
    source: str  # constraint id or description
    value: int

    __slots__ = ("kind", "source", "value")
    __match_args__ = ("kind", "source", "value")

    def __init__(
        self,
        kind: str,
        source: str,
        value: int,
    ) -> None:
        self.kind = kind
        self.source = source
        self.value = value


class Coloc(ValueRecord):
    id: str
    dependent: WRsc
    primary: WRsc
    score: int
    dependent_role: int
    primary_role: int
    node_attribute: str
    influence: bool

    __slots__ = (
        "dependent",
        "dependent_role",
        "id",
        "influence",
        "node_attribute",
        "primary",
        "primary_role",
        "score",
    )
    __match_args__ = (
        "id",
        "dependent",
        "primary",
        "score",
        "dependent_role",
        "primary_role",
        "node_attribute",
        "influence",
    )

    def __init__(
        self,
        id: str,
        dependent: WRsc,
        primary: WRsc,
        score: int,
        dependent_role: int = 0,
        primary_role: int = 0,
        node_attribute: str = "#uname",
        influence: bool = True,
    ) -> None:
        self.id = id
        self.dependent = dependent
        self.primary = primary
        self.score = score
        self.dependent_role = dependent_role
        self.primary_role = primary_role
        self.node_attribute = node_attribute
        self.influence = influence


class Location(ValueRecord):
    id: str
    rsc: WRsc
    role: int  # ROLE_UNKNOWN: any role
    scores: dict[str, int]  # node name -> score
    discovery: str
    kind: str  # the contribution kind --show-scores names ("location", "ticket", ...)

    __slots__ = ("discovery", "id", "kind", "role", "rsc", "scores")
    __match_args__ = ("id", "rsc", "role", "scores", "discovery", "kind")

    def __init__(
        self,
        id: str,
        rsc: WRsc,
        role: int,
        scores: dict[str, int],
        discovery: str = "always",
        kind: str = "location",
    ) -> None:
        self.id = id
        self.rsc = rsc
        self.role = role
        self.scores = scores
        self.discovery = discovery
        self.kind = kind


class OrderDef(ValueRecord):
    id: str
    first: WRsc
    first_action: str
    then: WRsc
    then_action: str
    kind: str  # Mandatory Optional Serialize
    symmetrical: bool
    # "then" needs only this many of its firsts runnable: a clone first's clone-min (its
    # instances count), or 1 for a set with require-all=false (``firsts`` its members)
    min_first: int
    firsts: list[WRsc]

    __slots__ = (
        "first",
        "first_action",
        "firsts",
        "id",
        "kind",
        "min_first",
        "symmetrical",
        "then",
        "then_action",
    )
    __match_args__ = (
        "id",
        "first",
        "first_action",
        "then",
        "then_action",
        "kind",
        "symmetrical",
        "min_first",
        "firsts",
    )

    def __init__(
        self,
        id: str,
        first: WRsc,
        first_action: str,
        then: WRsc,
        then_action: str,
        kind: str,
        symmetrical: bool,
        min_first: int = 0,
        firsts: list[WRsc] = FACTORY,
    ) -> None:
        self.id = id
        self.first = first
        self.first_action = first_action
        self.then = then
        self.then_action = then_action
        self.kind = kind
        self.symmetrical = symmetrical
        self.min_first = min_first
        self.firsts = list() if firsts is FACTORY else firsts


class WRsc(Record):
    """A primitive (or clone instance), group, or clone in the working set."""

    id: str
    variant: Variant
    base_id: str  # id without a clone instance suffix
    config_id: str  # id of the configuration element
    parent: WRsc | None
    children: list[WRsc]
    meta: dict[str, str]
    agent: str
    priority: int
    stickiness: int
    managed: bool
    unique: bool  # globally-unique (False: anonymous clone instance)
    orphan: bool
    blocked: bool
    failed: bool
    failure_ignored: bool
    order_index: int  # position in the CIB (stable tie-breaker)
    # current state
    role: int  # highest current role
    running_on: list[str]
    node_roles: dict[str, int]
    history_name: str | None  # id the status section knows it by
    known_on: set[str]  # nodes with any history (probed)
    failed_ops: list[tuple[str, int]]  # (task, interval_ms)
    monitor_intervals: set[int]  # configured recurring monitors
    maintenance: bool  # unmanaged because of maintenance (no monitors run)
    # placement
    allowed: dict[str, int]  # node -> score
    explain: dict[str, list[Contribution]]
    this_with: list[Coloc]  # rsc_cons (self is dependent)
    with_this: list[Coloc]  # rsc_cons_lhs (self is primary)
    locations: list[Location]
    provisional: bool
    allocating: bool
    merging: bool
    assigned: str | None
    next_role: int  # ROLE_UNKNOWN: not decided yet
    target_role: int  # from meta target-role (ROLE_UNKNOWN: default)
    # clone data
    clone_max: int
    clone_node_max: int
    promoted_max: int
    promoted_node_max: int
    promotable: bool
    interleave: bool
    promotion_priority: int
    sort_index: int
    # failure handling
    migration_threshold: int
    failure_timeout_s: int
    on_fail_stop: bool  # next role forced to Stopped by on-fail=stop
    on_fail_demote: bool  # a promoted-role failure handled by demoting
    # action state (filled by ordering)
    start_runnable: bool
    promote_runnable: bool
    unrunnable_reason: str
    restart_reason: str
    requires: str
    fence_device: bool
    managed_shown: bool
    history: dict[str, LrmResource]
    promotion_tickets: list[str]
    utilization: dict[str, int]
    remote_node: str | None  # a connection resource: the remote/guest node it creates
    container_id: str | None  # meta container (a filler of that resource)
    internal: bool  # meta internal_rsc (a guest's implicit connection: not listed)
    stop_nodes: set[str]  # a stop is required there (restart-container)
    reconnect_s: int  # a connection's reconnect_interval (its failure timeout)
    ticket_frozen: bool  # frozen by a lost ticket (loss-policy freeze): flags not shown
    partial_migration: tuple[str, str] | None  # (source, target) of a migration half done
    dangling: set[str]  # sources of completed migrations never stopped there
    no_migrate: bool  # a failed migration forbids another
    left_on: list[str]  # unclean nodes it is still shown on but not counted active on
    bundle_part: str | None  # container, ip or remote of a bundle replica

    __slots__ = (
        "agent",
        "allocating",
        "allowed",
        "assigned",
        "base_id",
        "blocked",
        "bundle_part",
        "children",
        "clone_max",
        "clone_node_max",
        "config_id",
        "container_id",
        "dangling",
        "explain",
        "failed",
        "failed_ops",
        "failure_ignored",
        "failure_timeout_s",
        "fence_device",
        "history",
        "history_name",
        "id",
        "interleave",
        "internal",
        "known_on",
        "left_on",
        "locations",
        "maintenance",
        "managed",
        "managed_shown",
        "merging",
        "meta",
        "migration_threshold",
        "monitor_intervals",
        "next_role",
        "no_migrate",
        "node_roles",
        "on_fail_demote",
        "on_fail_stop",
        "order_index",
        "orphan",
        "parent",
        "partial_migration",
        "priority",
        "promotable",
        "promote_runnable",
        "promoted_max",
        "promoted_node_max",
        "promotion_priority",
        "promotion_tickets",
        "provisional",
        "reconnect_s",
        "remote_node",
        "requires",
        "restart_reason",
        "role",
        "running_on",
        "sort_index",
        "start_runnable",
        "stickiness",
        "stop_nodes",
        "target_role",
        "this_with",
        "ticket_frozen",
        "unique",
        "unrunnable_reason",
        "utilization",
        "variant",
        "with_this",
    )
    __match_args__ = (
        "id",
        "variant",
        "base_id",
        "config_id",
        "parent",
        "children",
        "meta",
        "agent",
        "priority",
        "stickiness",
        "managed",
        "unique",
        "orphan",
        "blocked",
        "failed",
        "failure_ignored",
        "order_index",
        "role",
        "running_on",
        "node_roles",
        "history_name",
        "known_on",
        "failed_ops",
        "monitor_intervals",
        "maintenance",
        "allowed",
        "explain",
        "this_with",
        "with_this",
        "locations",
        "provisional",
        "allocating",
        "merging",
        "assigned",
        "next_role",
        "target_role",
        "clone_max",
        "clone_node_max",
        "promoted_max",
        "promoted_node_max",
        "promotable",
        "interleave",
        "promotion_priority",
        "sort_index",
        "migration_threshold",
        "failure_timeout_s",
        "on_fail_stop",
        "on_fail_demote",
        "start_runnable",
        "promote_runnable",
        "unrunnable_reason",
        "restart_reason",
        "requires",
        "fence_device",
        "managed_shown",
        "history",
        "promotion_tickets",
        "utilization",
        "remote_node",
        "container_id",
        "internal",
        "stop_nodes",
        "reconnect_s",
        "ticket_frozen",
        "partial_migration",
        "dangling",
        "no_migrate",
        "left_on",
        "bundle_part",
    )

    def __init__(
        self,
        id: str,
        variant: Variant,
        base_id: str,
        config_id: str,
        parent: WRsc | None = None,
        children: list[WRsc] = FACTORY,
        meta: dict[str, str] = FACTORY,
        agent: str = "",
        priority: int = 0,
        stickiness: int = 0,
        managed: bool = True,
        unique: bool = True,
        orphan: bool = False,
        blocked: bool = False,
        failed: bool = False,
        failure_ignored: bool = False,
        order_index: int = 0,
        role: int = 1,
        running_on: list[str] = FACTORY,
        node_roles: dict[str, int] = FACTORY,
        history_name: str | None = None,
        known_on: set[str] = FACTORY,
        failed_ops: list[tuple[str, int]] = FACTORY,
        monitor_intervals: set[int] = FACTORY,
        maintenance: bool = False,
        allowed: dict[str, int] = FACTORY,
        explain: dict[str, list[Contribution]] = FACTORY,
        this_with: list[Coloc] = FACTORY,
        with_this: list[Coloc] = FACTORY,
        locations: list[Location] = FACTORY,
        provisional: bool = True,
        allocating: bool = False,
        merging: bool = False,
        assigned: str | None = None,
        next_role: int = 0,
        target_role: int = 0,
        clone_max: int = 0,
        clone_node_max: int = 1,
        promoted_max: int = 1,
        promoted_node_max: int = 1,
        promotable: bool = False,
        interleave: bool = False,
        promotion_priority: int = 0,
        sort_index: int = 0,
        migration_threshold: int = 1000000,
        failure_timeout_s: int = 0,
        on_fail_stop: bool = False,
        on_fail_demote: bool = False,
        start_runnable: bool = True,
        promote_runnable: bool = True,
        unrunnable_reason: str = "",
        restart_reason: str = "",
        requires: str = "quorum",
        fence_device: bool = False,
        managed_shown: bool = False,
        history: dict[str, LrmResource] = FACTORY,
        promotion_tickets: list[str] = FACTORY,
        utilization: dict[str, int] = FACTORY,
        remote_node: str | None = None,
        container_id: str | None = None,
        internal: bool = False,
        stop_nodes: set[str] = FACTORY,
        reconnect_s: int = 0,
        ticket_frozen: bool = False,
        partial_migration: tuple[str, str] | None = None,
        dangling: set[str] = FACTORY,
        no_migrate: bool = False,
        left_on: list[str] = FACTORY,
        bundle_part: str | None = None,
    ) -> None:
        self.id = id
        self.variant = variant
        self.base_id = base_id
        self.config_id = config_id
        self.parent = parent
        self.children = list() if children is FACTORY else children
        self.meta = dict() if meta is FACTORY else meta
        self.agent = agent
        self.priority = priority
        self.stickiness = stickiness
        self.managed = managed
        self.unique = unique
        self.orphan = orphan
        self.blocked = blocked
        self.failed = failed
        self.failure_ignored = failure_ignored
        self.order_index = order_index
        self.role = role
        self.running_on = list() if running_on is FACTORY else running_on
        self.node_roles = dict() if node_roles is FACTORY else node_roles
        self.history_name = history_name
        self.known_on = set() if known_on is FACTORY else known_on
        self.failed_ops = list() if failed_ops is FACTORY else failed_ops
        self.monitor_intervals = set() if monitor_intervals is FACTORY else monitor_intervals
        self.maintenance = maintenance
        self.allowed = dict() if allowed is FACTORY else allowed
        self.explain = dict() if explain is FACTORY else explain
        self.this_with = list() if this_with is FACTORY else this_with
        self.with_this = list() if with_this is FACTORY else with_this
        self.locations = list() if locations is FACTORY else locations
        self.provisional = provisional
        self.allocating = allocating
        self.merging = merging
        self.assigned = assigned
        self.next_role = next_role
        self.target_role = target_role
        self.clone_max = clone_max
        self.clone_node_max = clone_node_max
        self.promoted_max = promoted_max
        self.promoted_node_max = promoted_node_max
        self.promotable = promotable
        self.interleave = interleave
        self.promotion_priority = promotion_priority
        self.sort_index = sort_index
        self.migration_threshold = migration_threshold
        self.failure_timeout_s = failure_timeout_s
        self.on_fail_stop = on_fail_stop
        self.on_fail_demote = on_fail_demote
        self.start_runnable = start_runnable
        self.promote_runnable = promote_runnable
        self.unrunnable_reason = unrunnable_reason
        self.restart_reason = restart_reason
        self.requires = requires
        self.fence_device = fence_device
        self.managed_shown = managed_shown
        self.history = dict() if history is FACTORY else history
        self.promotion_tickets = list() if promotion_tickets is FACTORY else promotion_tickets
        self.utilization = dict() if utilization is FACTORY else utilization
        self.remote_node = remote_node
        self.container_id = container_id
        self.stop_nodes = set() if stop_nodes is FACTORY else stop_nodes
        self.reconnect_s = reconnect_s
        self.ticket_frozen = ticket_frozen
        self.partial_migration = partial_migration
        self.dangling = set() if dangling is FACTORY else dangling
        self.no_migrate = no_migrate
        self.left_on = list() if left_on is FACTORY else left_on
        self.bundle_part = bundle_part
        self.internal = internal

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


class World(ValueRecord):
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
    by_id: dict[str, WRsc]
    colocations: list[Coloc]
    locations: list[Location]
    orders: list[OrderDef]
    now_epoch: float
    dc_name: str | None
    rsc_defaults: dict[str, str] | None  # resolved rsc_defaults (no rules)
    per_op_fail_counts: bool  # crm_feature_set >= 3.0.13
    orders_by_then: dict[int, list[OrderDef]] | None  # built after constraints
    sibling_cache: dict[tuple[int, str], list[WRsc]]
    have_stonith: bool
    stonith_action: str
    fence_actions: list[str]
    enable_unfencing: bool
    cleanups: list[tuple[str, str]]
    placement_strategy: str
    op_cache: dict[int, tuple[list[OpRecord], list[OpRecord]]]
    stop_orphan_actions: bool
    expired_clears: list[tuple[str, str]]
    expired_reschedule: set[tuple[str, str, str, int]]
    forgotten: set[tuple[str, str]]  # (history id, node) known by expired failures only
    unfence: dict[str, str]  # node -> why it is unfenced (a fencing 'on')
    frozen_prims: tuple[WRsc, ...] | None  # all_primitives() once the resources are final
    bundles: dict[str, BundleLayout]  # bundle id -> what it expands to

    __slots__ = (
        "bundles",
        "by_id",
        "cleanups",
        "colocations",
        "dc_name",
        "enable_unfencing",
        "expired_clears",
        "expired_reschedule",
        "fence_actions",
        "forgotten",
        "frozen_prims",
        "have_quorum",
        "have_stonith",
        "locations",
        "maintenance_mode",
        "no_quorum_policy",
        "node_order",
        "nodes",
        "now_epoch",
        "op_cache",
        "options",
        "orders",
        "orders_by_then",
        "per_op_fail_counts",
        "placement_strategy",
        "resources",
        "rsc_defaults",
        "sibling_cache",
        "start_failure_fatal",
        "stonith_action",
        "stonith_enabled",
        "stop_all",
        "stop_orphan_actions",
        "stop_orphans",
        "symmetric",
        "unfence",
    )
    __match_args__ = (
        "nodes",
        "node_order",
        "options",
        "have_quorum",
        "no_quorum_policy",
        "symmetric",
        "stonith_enabled",
        "stop_all",
        "maintenance_mode",
        "start_failure_fatal",
        "stop_orphans",
        "resources",
        "by_id",
        "colocations",
        "locations",
        "orders",
        "now_epoch",
        "dc_name",
        "rsc_defaults",
        "per_op_fail_counts",
        "orders_by_then",
        "sibling_cache",
        "have_stonith",
        "stonith_action",
        "fence_actions",
        "enable_unfencing",
        "cleanups",
        "placement_strategy",
        "op_cache",
        "stop_orphan_actions",
        "expired_clears",
        "expired_reschedule",
        "forgotten",
        "unfence",
        "frozen_prims",
        "bundles",
    )

    def __init__(
        self,
        nodes: dict[str, WNode],
        node_order: list[str],
        options: dict[str, str],
        have_quorum: bool,
        no_quorum_policy: str,
        symmetric: bool,
        stonith_enabled: bool,
        stop_all: bool,
        maintenance_mode: bool,
        start_failure_fatal: bool,
        stop_orphans: bool,
        resources: list[WRsc],
        by_id: dict[str, WRsc] = FACTORY,
        colocations: list[Coloc] = FACTORY,
        locations: list[Location] = FACTORY,
        orders: list[OrderDef] = FACTORY,
        now_epoch: float = 0.0,
        dc_name: str | None = None,
        rsc_defaults: dict[str, str] | None = None,
        per_op_fail_counts: bool = True,
        orders_by_then: dict[int, list[OrderDef]] | None = None,
        sibling_cache: dict[tuple[int, str], list[WRsc]] = FACTORY,
        have_stonith: bool = False,
        stonith_action: str = "reboot",
        fence_actions: list[str] = FACTORY,
        enable_unfencing: bool = False,
        cleanups: list[tuple[str, str]] = FACTORY,
        placement_strategy: str = "default",
        op_cache: dict[int, tuple[list[OpRecord], list[OpRecord]]] = FACTORY,
        stop_orphan_actions: bool = True,
        expired_clears: list[tuple[str, str]] = FACTORY,
        expired_reschedule: set[tuple[str, str, str, int]] = FACTORY,
        forgotten: set[tuple[str, str]] = FACTORY,
        unfence: dict[str, str] = FACTORY,
        frozen_prims: tuple[WRsc, ...] | None = None,
        bundles: dict[str, BundleLayout] = FACTORY,
    ) -> None:
        self.nodes = nodes
        self.node_order = node_order
        self.options = options
        self.have_quorum = have_quorum
        self.no_quorum_policy = no_quorum_policy
        self.symmetric = symmetric
        self.stonith_enabled = stonith_enabled
        self.stop_all = stop_all
        self.maintenance_mode = maintenance_mode
        self.start_failure_fatal = start_failure_fatal
        self.stop_orphans = stop_orphans
        self.resources = resources
        self.by_id = dict() if by_id is FACTORY else by_id
        self.colocations = list() if colocations is FACTORY else colocations
        self.locations = list() if locations is FACTORY else locations
        self.orders = list() if orders is FACTORY else orders
        self.now_epoch = now_epoch
        self.dc_name = dc_name
        self.rsc_defaults = rsc_defaults
        self.per_op_fail_counts = per_op_fail_counts
        self.orders_by_then = orders_by_then
        self.sibling_cache = dict() if sibling_cache is FACTORY else sibling_cache
        self.have_stonith = have_stonith
        self.stonith_action = stonith_action
        self.fence_actions = list() if fence_actions is FACTORY else fence_actions
        self.enable_unfencing = enable_unfencing
        self.cleanups = list() if cleanups is FACTORY else cleanups
        self.placement_strategy = placement_strategy
        self.op_cache = dict() if op_cache is FACTORY else op_cache
        self.expired_clears = list() if expired_clears is FACTORY else expired_clears
        self.expired_reschedule = set() if expired_reschedule is FACTORY else expired_reschedule
        self.forgotten = set() if forgotten is FACTORY else forgotten
        self.unfence = dict() if unfence is FACTORY else unfence
        self.frozen_prims = frozen_prims
        self.bundles = dict() if bundles is FACTORY else bundles
        self.stop_orphan_actions = stop_orphan_actions

    def active_ops(self, lrm: LrmResource) -> tuple[list[OpRecord], list[OpRecord]]:
        """(operations since the last start, active recurring operations) of a history
        entry (cib.history.active_since_start / active_recurring), computed once."""
        found = self.op_cache.get(id(lrm))
        if found is None:
            found = active_windows(lrm)
            self.op_cache[id(lrm)] = found
        return found

    def all_primitives(self) -> list[WRsc]:
        """Every primitive (clone instances included), in resource order; once the status
        is read (:meth:`freeze_primitives`) the list is computed only once."""
        if self.frozen_prims is not None:
            return list(self.frozen_prims)
        out: list[WRsc] = []
        for rsc in self.resources:
            out.extend(rsc.primitives())
        return out

    def clones(self) -> list[WRsc]:
        """The clones: top-level ones and those of bundles' primitives."""
        out: list[WRsc] = []
        for rsc in self.resources:
            if rsc.variant == "clone":
                out.append(rsc)
            elif rsc.variant == "bundle":
                out.extend(c for c in rsc.children if c.variant == "clone")
        return out

    def freeze_primitives(self) -> None:
        """The resources are final (orphans known): remember the primitive list."""
        self.frozen_prims = None
        self.frozen_prims = tuple(self.all_primitives())
