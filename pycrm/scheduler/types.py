"""Public result types of :func:`pycrm.scheduler.schedule` (all frozen dataclasses)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

NODE_STATES = ("online", "standby", "maintenance", "OFFLINE", "UNCLEAN")
ROLES = ("Stopped", "Started", "Unpromoted", "Promoted")


@dataclass(frozen=True, slots=True)
class NodeInfo:
    name: str
    state: str  # one of NODE_STATES
    id: str = ""
    shutdown: bool = False  # shutting down (resources leave it)
    # Would be fenced (OFFLINE in the revised status).  Fencing devices are not modelled yet,
    # so this stays False: a node that left with stonith enabled stays UNCLEAN and keeps its
    # resources, as crm_simulate shows when no fencing device can reach it.
    fenced: bool = False

    @property
    def revised_state(self) -> str:
        return "OFFLINE" if self.fenced else self.state


@dataclass(frozen=True, slots=True)
class ResourceState:
    """One resource instance (primitive) as crm_simulate lists it."""

    id: str  # with clone instance suffix, e.g. "child_rsc1:3"
    base_id: str  # without suffix
    role: str  # one of ROLES
    nodes: tuple[str, ...]  # where it is active (empty when Stopped)
    agent: str  # e.g. "ocf:heartbeat:apache"
    failed: bool = False
    blocked: bool = False
    unmanaged: bool = False
    orphaned: bool = False
    failure_ignored: bool = False
    disabled: bool = False  # target-role Stopped
    group: str | None = None  # enclosing group id (instance id for cloned groups)
    clone: str | None = None  # enclosing clone id
    promotable: bool = False
    unique: bool = False  # globally-unique clone instance

    @property
    def active(self) -> bool:
        return bool(self.nodes) and self.role != "Stopped"


@dataclass(slots=True)
class Action:
    id: str  # e.g. "rsc1_start_0@node2", "grp_running_0"
    rsc: str
    task: str  # start stop promote demote monitor | running stopped promoted demoted (pseudo)
    node: str | None
    interval_ms: int = 0
    pseudo: bool = False
    reason: str = ""
    optional: bool = False


@dataclass(slots=True)
class Edge:
    before: str  # Action.id
    after: str  # Action.id
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One "Transition Summary" line: crm_simulate's verb and its operands."""

    verb: str  # Start Stop Move Restart Recover Promote Demote Leave
    rsc: str
    from_node: str | None = None
    to_node: str | None = None
    from_role: str | None = None  # Promote/Demote lines: "Unpromoted -> Promoted"
    to_role: str | None = None
    reason: str = ""
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class ScoreContribution:
    kind: str  # node-score location stickiness failure colocation promotion role ...
    source: str  # constraint id or short description
    value: int


@dataclass(frozen=True, slots=True)
class ScoreDetail:
    rsc: str
    node: str
    score: int  # final allocation score (crm_simulate -s "allocation score")
    contributions: tuple[ScoreContribution, ...] = ()

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
