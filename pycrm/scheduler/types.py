"""Public result types of :func:`pycrm.scheduler.schedule` (all frozen dataclasses)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field

_setattr = object.__setattr__  # frozen classes set their fields like dataclasses do

NODE_STATES = ("online", "standby", "maintenance", "OFFLINE", "UNCLEAN")
ROLES = ("Stopped", "Started", "Unpromoted", "Promoted")


class NodeInfo:
    name: str
    state: str  # one of NODE_STATES
    id: str
    shutdown: bool  # shutting down (resources leave it)
    # Would be fenced (OFFLINE in the revised status).  Fencing devices are not modelled yet,
    # so this stays False: a node that left with stonith enabled stays UNCLEAN and keeps its
    # resources, as crm_simulate shows when no fencing device can reach it.
    fenced: bool

    __slots__ = ("fenced", "id", "name", "shutdown", "state")
    __match_args__ = ("name", "state", "id", "shutdown", "fenced")

    def __init__(
        self,
        name: str,
        state: str,
        id: str = "",
        shutdown: bool = False,
        fenced: bool = False,
    ) -> None:
        _setattr(self, "name", name)
        _setattr(self, "state", state)
        _setattr(self, "id", id)
        _setattr(self, "shutdown", shutdown)
        _setattr(self, "fenced", fenced)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"name={self.name!r}, "
            f"state={self.state!r}, "
            f"id={self.id!r}, "
            f"shutdown={self.shutdown!r}, "
            f"fenced={self.fenced!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NodeInfo) and other.__class__ is self.__class__:
            return (self.name, self.state, self.id, self.shutdown, self.fenced) == (
                other.name,
                other.state,
                other.id,
                other.shutdown,
                other.fenced,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name, self.state, self.id, self.shutdown, self.fenced))

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
    def revised_state(self) -> str:
        return "OFFLINE" if self.fenced else self.state


class ResourceState:
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
        _setattr(self, "id", id)
        _setattr(self, "base_id", base_id)
        _setattr(self, "role", role)
        _setattr(self, "nodes", nodes)
        _setattr(self, "agent", agent)
        _setattr(self, "failed", failed)
        _setattr(self, "blocked", blocked)
        _setattr(self, "unmanaged", unmanaged)
        _setattr(self, "orphaned", orphaned)
        _setattr(self, "failure_ignored", failure_ignored)
        _setattr(self, "disabled", disabled)
        _setattr(self, "group", group)
        _setattr(self, "clone", clone)
        _setattr(self, "promotable", promotable)
        _setattr(self, "unique", unique)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"base_id={self.base_id!r}, "
            f"role={self.role!r}, "
            f"nodes={self.nodes!r}, "
            f"agent={self.agent!r}, "
            f"failed={self.failed!r}, "
            f"blocked={self.blocked!r}, "
            f"unmanaged={self.unmanaged!r}, "
            f"orphaned={self.orphaned!r}, "
            f"failure_ignored={self.failure_ignored!r}, "
            f"disabled={self.disabled!r}, "
            f"group={self.group!r}, "
            f"clone={self.clone!r}, "
            f"promotable={self.promotable!r}, "
            f"unique={self.unique!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ResourceState) and other.__class__ is self.__class__:
            return (
                self.id,
                self.base_id,
                self.role,
                self.nodes,
                self.agent,
                self.failed,
                self.blocked,
                self.unmanaged,
                self.orphaned,
                self.failure_ignored,
                self.disabled,
                self.group,
                self.clone,
                self.promotable,
                self.unique,
            ) == (
                other.id,
                other.base_id,
                other.role,
                other.nodes,
                other.agent,
                other.failed,
                other.blocked,
                other.unmanaged,
                other.orphaned,
                other.failure_ignored,
                other.disabled,
                other.group,
                other.clone,
                other.promotable,
                other.unique,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.base_id,
                self.role,
                self.nodes,
                self.agent,
                self.failed,
                self.blocked,
                self.unmanaged,
                self.orphaned,
                self.failure_ignored,
                self.disabled,
                self.group,
                self.clone,
                self.promotable,
                self.unique,
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
    def active(self) -> bool:
        return bool(self.nodes) and self.role != "Stopped"


class Action:
    id: str  # e.g. "rsc1_start_0@node2", "grp_running_0"
    rsc: str
    task: str  # start stop promote demote monitor | running stopped promoted demoted (pseudo)
    node: str | None
    interval_ms: int
    pseudo: bool
    reason: str
    optional: bool

    __slots__ = ("id", "interval_ms", "node", "optional", "pseudo", "reason", "rsc", "task")
    __match_args__ = ("id", "rsc", "task", "node", "interval_ms", "pseudo", "reason", "optional")

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
    ) -> None:
        self.id = id
        self.rsc = rsc
        self.task = task
        self.node = node
        self.interval_ms = interval_ms
        self.pseudo = pseudo
        self.reason = reason
        self.optional = optional

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"id={self.id!r}, "
            f"rsc={self.rsc!r}, "
            f"task={self.task!r}, "
            f"node={self.node!r}, "
            f"interval_ms={self.interval_ms!r}, "
            f"pseudo={self.pseudo!r}, "
            f"reason={self.reason!r}, "
            f"optional={self.optional!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Action) and other.__class__ is self.__class__:
            return (
                self.id,
                self.rsc,
                self.task,
                self.node,
                self.interval_ms,
                self.pseudo,
                self.reason,
                self.optional,
            ) == (
                other.id,
                other.rsc,
                other.task,
                other.node,
                other.interval_ms,
                other.pseudo,
                other.reason,
                other.optional,
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class Edge:
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

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"before={self.before!r}, "
            f"after={self.after!r}, "
            f"reason={self.reason!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Edge) and other.__class__ is self.__class__:
            return (self.before, self.after, self.reason) == (
                other.before,
                other.after,
                other.reason,
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class SummaryLine:
    """One "Transition Summary" line: crm_simulate's verb and its operands."""

    verb: str  # Start Stop Move Restart Recover Promote Demote Leave
    rsc: str
    from_node: str | None
    to_node: str | None
    from_role: str | None  # Promote/Demote lines: "Unpromoted -> Promoted"
    to_role: str | None
    reason: str
    blocked: bool

    __slots__ = ("blocked", "from_node", "from_role", "reason", "rsc", "to_node", "to_role", "verb")
    __match_args__ = (
        "verb",
        "rsc",
        "from_node",
        "to_node",
        "from_role",
        "to_role",
        "reason",
        "blocked",
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
    ) -> None:
        _setattr(self, "verb", verb)
        _setattr(self, "rsc", rsc)
        _setattr(self, "from_node", from_node)
        _setattr(self, "to_node", to_node)
        _setattr(self, "from_role", from_role)
        _setattr(self, "to_role", to_role)
        _setattr(self, "reason", reason)
        _setattr(self, "blocked", blocked)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"verb={self.verb!r}, "
            f"rsc={self.rsc!r}, "
            f"from_node={self.from_node!r}, "
            f"to_node={self.to_node!r}, "
            f"from_role={self.from_role!r}, "
            f"to_role={self.to_role!r}, "
            f"reason={self.reason!r}, "
            f"blocked={self.blocked!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SummaryLine) and other.__class__ is self.__class__:
            return (
                self.verb,
                self.rsc,
                self.from_node,
                self.to_node,
                self.from_role,
                self.to_role,
                self.reason,
                self.blocked,
            ) == (
                other.verb,
                other.rsc,
                other.from_node,
                other.to_node,
                other.from_role,
                other.to_role,
                other.reason,
                other.blocked,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            (
                self.verb,
                self.rsc,
                self.from_node,
                self.to_node,
                self.from_role,
                self.to_role,
                self.reason,
                self.blocked,
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


class ScoreContribution:
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
        _setattr(self, "kind", kind)
        _setattr(self, "source", source)
        _setattr(self, "value", value)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"kind={self.kind!r}, "
            f"source={self.source!r}, "
            f"value={self.value!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ScoreContribution) and other.__class__ is self.__class__:
            return (self.kind, self.source, self.value) == (other.kind, other.source, other.value)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.kind, self.source, self.value))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)


class ScoreDetail:
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
        _setattr(self, "rsc", rsc)
        _setattr(self, "node", node)
        _setattr(self, "score", score)
        _setattr(self, "contributions", contributions)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}("
            f"rsc={self.rsc!r}, "
            f"node={self.node!r}, "
            f"score={self.score!r}, "
            f"contributions={self.contributions!r}"
            ")"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ScoreDetail) and other.__class__ is self.__class__:
            return (self.rsc, self.node, self.score, self.contributions) == (
                other.rsc,
                other.node,
                other.score,
                other.contributions,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.rsc, self.node, self.score, self.contributions))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, f) for f in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip(self.__match_args__, state, strict=False):
            _setattr(self, f, value)

    def explain(self) -> str:
        """e.g. ``rscA on node2: 200 = stickiness 100 + location loc1 100``."""
        from cib.scores import format_score

        parts = [f"{c.kind} {c.source} {format_score(c.value)}" for c in self.contributions]
        rhs = " + ".join(parts) if parts else "default 0"
        return f"{self.rsc} on {self.node}: {format_score(self.score)} = {rhs}"


@dataclass(frozen=True)
class Transition:
    nodes: tuple[NodeInfo, ...]
    current: tuple[ResourceState, ...]
    target: tuple[ResourceState, ...]
    actions: tuple[Action, ...]  # topologically ordered
    edges: tuple[Edge, ...]
    summary: tuple[SummaryLine, ...]
    promotion_scores: dict[str, int] = field(default_factory=dict)  # instance -> score
    have_quorum: bool = True
    score_source: Callable[[], tuple[ScoreDetail, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def scores(self) -> tuple[ScoreDetail, ...]:
        """Allocation scores per (resource, node) with their contributions (computed lazily)."""
        cached = self.__dict__.get("_scores")
        if cached is None:
            cached = self.score_source() if self.score_source is not None else ()
            object.__setattr__(self, "_scores", cached)
        return cached
