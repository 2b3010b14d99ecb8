"""Public result types of :func:`pycrm.scheduler.schedule` (dataclass semantics: cib._record)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from cib._record import FACTORY, FrozenRecord, ValueRecord, setattr_

NODE_STATES = ("online", "standby", "maintenance", "pending", "OFFLINE", "UNCLEAN")
ROLES = ("Stopped", "Started", "Unpromoted", "Promoted")


class NodeInfo(FrozenRecord):
    name: str
    state: str  # one of NODE_STATES
    id: str
    shutdown: bool  # shutting down (resources leave it)
    # Will be fenced (a "stonith" action; OFFLINE in the revised status).  An UNCLEAN node
    # that cannot be fenced (no device, no quorum) keeps its state and resources.
    fenced: bool
    online: bool  # in the membership with a running controller (an UNCLEAN node may be)
    fence_reason: str  # why it is UNCLEAN, e.g. "peer is no longer part of the cluster"
    kind: str  # "cluster", "remote" (Pacemaker Remote) or "guest"
    # The state after the transition when it is not simply "OFFLINE if fenced": a remote or
    # guest node is online afterwards when its connection (and container) end up started.
    revised: str | None
    health: str  # node-health colour: "" (green or no strategy), "YELLOW" or "RED"
    # shutting down, but a stop of a managed resource there cannot run: no do_shutdown yet
    shutdown_blocked: bool

    __slots__ = (
        "fence_reason",
        "fenced",
        "health",
        "id",
        "kind",
        "name",
        "online",
        "revised",
        "shutdown",
        "shutdown_blocked",
        "state",
    )
    __match_args__ = (
        "name",
        "state",
        "id",
        "shutdown",
        "fenced",
        "online",
        "fence_reason",
        "kind",
        "revised",
        "health",
        "shutdown_blocked",
    )

    def __init__(
        self,
        name: str,
        state: str,
        id: str = "",
        shutdown: bool = False,
        fenced: bool = False,
        online: bool | None = None,
        fence_reason: str = "",
        kind: str = "cluster",
        revised: str | None = None,
        health: str = "",
        shutdown_blocked: bool = False,
    ) -> None:
        setattr_(self, "name", name)
        setattr_(self, "state", state)
        setattr_(self, "id", id)
        setattr_(self, "shutdown", shutdown)
        setattr_(self, "fenced", fenced)
        if online is None:
            online = state in ("online", "standby", "maintenance")
        setattr_(self, "online", online)
        setattr_(self, "fence_reason", fence_reason)
        setattr_(self, "kind", kind)
        setattr_(self, "revised", revised)
        setattr_(self, "health", health)
        setattr_(self, "shutdown_blocked", shutdown_blocked)

    @property
    def revised_state(self) -> str:
        if self.revised is not None:
            return self.revised
        return "OFFLINE" if self.fenced else self.state


class ResourceState(FrozenRecord):
    """One resource instance (primitive) as crm_simulate lists it."""

    id: str  # with clone instance suffix, e.g. "child_rsc1:3"
    base_id: str  # without suffix
    role: str  # one of ROLES
    nodes: tuple[str, ...]  # where it is active (empty when Stopped)
    agent: str  # e.g. "ocf:heartbeat:apache"
    failed: bool
    blocked: bool
    unmanaged: bool
    orphaned: bool
    failure_ignored: bool
    disabled: bool  # target-role Stopped
    group: str | None  # enclosing group id (instance id for cloned groups)
    clone: str | None  # enclosing clone id
    promotable: bool
    unique: bool  # globally-unique clone instance

    __slots__ = (
        "agent",
        "base_id",
        "blocked",
        "clone",
        "disabled",
        "failed",
        "failure_ignored",
        "group",
        "id",
        "nodes",
        "orphaned",
        "promotable",
        "role",
        "unique",
        "unmanaged",
    )
    __match_args__ = (
        "id",
        "base_id",
        "role",
        "nodes",
        "agent",
        "failed",
        "blocked",
        "unmanaged",
        "orphaned",
        "failure_ignored",
        "disabled",
        "group",
        "clone",
        "promotable",
        "unique",
    )

    def __init__(
        self,
        id: str,
        base_id: str,
        role: str,
        nodes: tuple[str, ...],
        agent: str,
        failed: bool = False,
        blocked: bool = False,
        unmanaged: bool = False,
        orphaned: bool = False,
        failure_ignored: bool = False,
        disabled: bool = False,
        group: str | None = None,
        clone: str | None = None,
        promotable: bool = False,
        unique: bool = False,
    ) -> None:
        setattr_(self, "id", id)
        setattr_(self, "base_id", base_id)
        setattr_(self, "role", role)
        setattr_(self, "nodes", nodes)
        setattr_(self, "agent", agent)
        setattr_(self, "failed", failed)
        setattr_(self, "blocked", blocked)
        setattr_(self, "unmanaged", unmanaged)
        setattr_(self, "orphaned", orphaned)
        setattr_(self, "failure_ignored", failure_ignored)
        setattr_(self, "disabled", disabled)
        setattr_(self, "group", group)
        setattr_(self, "clone", clone)
        setattr_(self, "promotable", promotable)
        setattr_(self, "unique", unique)

    @property
    def active(self) -> bool:
        return bool(self.nodes) and self.role != "Stopped"


_NO_META: Mapping[str, str] = MappingProxyType({})


class Action(ValueRecord):
    """One action of the transition graph.

    ``task`` is the operation: ``start stop promote demote monitor migrate_to migrate_from
    reload-agent notify`` on a resource, ``stonith`` (``rsc`` empty, ``node`` the fencing
    target, ``meta["stonith_action"]`` ``reboot``/``off``/``on``), or a pseudo action
    (``pseudo`` True: ``running stopped promoted demoted start stop ...`` of groups and
    clones, ``notify``/``notified`` of clone notifications, a stop or demote implied by
    fencing).  ``meta`` holds the ``CRM_meta_*`` attributes Pacemaker's graph would give the
    action, without the ``CRM_meta_`` prefix (``notify_type``, ``notify_operation``,
    ``notify_start_uname`` ..., ``stonith_action``), so an executor can pass them to the
    agent as ``OCF_RESKEY_CRM_meta_<name>`` without recomputing them.
    """

    id: str  # e.g. "rsc1_start_0@node2", "grp_running_0"
    rsc: str
    task: str
    node: str | None
    interval_ms: int
    pseudo: bool
    reason: str
    optional: bool
    meta: Mapping[str, str]

    __slots__ = (
        "id",
        "interval_ms",
        "meta",
        "node",
        "optional",
        "pseudo",
        "reason",
        "rsc",
        "task",
    )
    __match_args__ = (
        "id",
        "rsc",
        "task",
        "node",
        "interval_ms",
        "pseudo",
        "reason",
        "optional",
        "meta",
    )

    def __init__(
        self,
        id: str,
        rsc: str,
        task: str,
        node: str | None,
        interval_ms: int = 0,
        pseudo: bool = False,
        reason: str = "",
        optional: bool = False,
        meta: Mapping[str, str] = _NO_META,
    ) -> None:
        self.id = id
        self.rsc = rsc
        self.task = task
        self.node = node
        self.interval_ms = interval_ms
        self.pseudo = pseudo
        self.reason = reason
        self.optional = optional
        self.meta = meta


class Edge(ValueRecord):
    before: str  # Action.id
    after: str  # Action.id
    reason: str

    __slots__ = ("after", "before", "reason")
    __match_args__ = ("before", "after", "reason")

    def __init__(
        self,
        before: str,
        after: str,
        reason: str = "",
    ) -> None:
        self.before = before
        self.after = after
        self.reason = reason


class SummaryLine(FrozenRecord):
    """One "Transition Summary" line: crm_simulate's verb and its operands.

    A fencing line (``Fence (reboot) node1 'peer is no longer part of the cluster'``) has
    verb ``Fence``, ``rsc`` and ``to_node`` the target, ``fence_action`` ``reboot``/``off``/
    ``on`` and the quoted text as ``reason``; a guest node's (``Fence (reboot) guest1
    (resource: vm1) 'guest is unclean'``, a pseudo fencing done by recovering the guest's
    container) has the container as ``container``.
    """

    verb: str  # Start Stop Move Restart Recover Promote Demote Migrate Reload Fence ...
    rsc: str
    from_node: str | None
    to_node: str | None
    from_role: str | None  # role before ("Stopped" when inactive), e.g. "Unpromoted"
    to_role: str | None  # role after
    reason: str
    blocked: bool
    fence_action: str | None
    container: str | None  # a guest node's Fence line: the container whose stop fences it

    __slots__ = (
        "blocked",
        "container",
        "fence_action",
        "from_node",
        "from_role",
        "reason",
        "rsc",
        "to_node",
        "to_role",
        "verb",
    )
    __match_args__ = (
        "verb",
        "rsc",
        "from_node",
        "to_node",
        "from_role",
        "to_role",
        "reason",
        "blocked",
        "fence_action",
        "container",
    )

    def __init__(
        self,
        verb: str,
        rsc: str,
        from_node: str | None = None,
        to_node: str | None = None,
        from_role: str | None = None,
        to_role: str | None = None,
        reason: str = "",
        blocked: bool = False,
        fence_action: str | None = None,
        container: str | None = None,
    ) -> None:
        setattr_(self, "verb", verb)
        setattr_(self, "rsc", rsc)
        setattr_(self, "from_node", from_node)
        setattr_(self, "to_node", to_node)
        setattr_(self, "from_role", from_role)
        setattr_(self, "to_role", to_role)
        setattr_(self, "reason", reason)
        setattr_(self, "blocked", blocked)
        setattr_(self, "fence_action", fence_action)
        setattr_(self, "container", container)


class ScoreContribution(FrozenRecord):
    kind: str  # node-score location stickiness failure colocation promotion role ...
    source: str  # constraint id or short description
    value: int

    __slots__ = ("kind", "source", "value")
    __match_args__ = ("kind", "source", "value")

    def __init__(
        self,
        kind: str,
        source: str,
        value: int,
    ) -> None:
        setattr_(self, "kind", kind)
        setattr_(self, "source", source)
        setattr_(self, "value", value)


class ScoreDetail(FrozenRecord):
    rsc: str
    node: str
    score: int  # final allocation score (crm_simulate -s "allocation score")
    contributions: tuple[ScoreContribution, ...]

    __slots__ = ("contributions", "node", "rsc", "score")
    __match_args__ = ("rsc", "node", "score", "contributions")

    def __init__(
        self,
        rsc: str,
        node: str,
        score: int,
        contributions: tuple[ScoreContribution, ...] = (),
    ) -> None:
        setattr_(self, "rsc", rsc)
        setattr_(self, "node", node)
        setattr_(self, "score", score)
        setattr_(self, "contributions", contributions)

    def explain(self) -> str:
        """e.g. ``rscA on node2: 200 = stickiness 100 + location loc1 100``."""
        from cib.scores import format_score

        parts = [f"{c.kind} {c.source} {format_score(c.value)}" for c in self.contributions]
        rhs = " + ".join(parts) if parts else "default 0"
        return f"{self.rsc} on {self.node}: {format_score(self.score)} = {rhs}"


class Transition(FrozenRecord):
    nodes: tuple[NodeInfo, ...]
    current: tuple[ResourceState, ...]
    target: tuple[ResourceState, ...]
    actions: tuple[Action, ...]  # topologically ordered
    edges: tuple[Edge, ...]
    summary: tuple[SummaryLine, ...]
    promotion_scores: dict[str, int]  # instance -> score
    have_quorum: bool
    score_source: Callable[[], tuple[ScoreDetail, ...]] | None  # not in repr, ==, hash

    __slots__ = (
        "_scores",
        "actions",
        "current",
        "edges",
        "have_quorum",
        "nodes",
        "promotion_scores",
        "score_source",
        "summary",
        "target",
    )
    __match_args__ = (
        "nodes",
        "current",
        "target",
        "actions",
        "edges",
        "summary",
        "promotion_scores",
        "have_quorum",
        "score_source",
    )
    _hidden = ("score_source",)

    def __init__(
        self,
        nodes: tuple[NodeInfo, ...],
        current: tuple[ResourceState, ...],
        target: tuple[ResourceState, ...],
        actions: tuple[Action, ...],
        edges: tuple[Edge, ...],
        summary: tuple[SummaryLine, ...],
        promotion_scores: dict[str, int] = FACTORY,
        have_quorum: bool = True,
        score_source: Callable[[], tuple[ScoreDetail, ...]] | None = None,
    ) -> None:
        setattr_(self, "nodes", nodes)
        setattr_(self, "current", current)
        setattr_(self, "target", target)
        setattr_(self, "actions", actions)
        setattr_(self, "edges", edges)
        setattr_(self, "summary", summary)
        setattr_(self, "promotion_scores", {} if promotion_scores is FACTORY else promotion_scores)
        setattr_(self, "have_quorum", have_quorum)
        setattr_(self, "score_source", score_source)

    @property
    def scores(self) -> tuple[ScoreDetail, ...]:
        """Allocation scores per (resource, node) with their contributions (computed lazily)."""
        cached: tuple[ScoreDetail, ...] | None = getattr(self, "_scores", None)
        if cached is None:
            cached = self.score_source() if self.score_source is not None else ()
            setattr_(self, "_scores", cached)
        return cached
