"""`pycrm explain`: why each resource is where it is, in words.

Drawn from three sources, nothing guessed:

* the scheduler's allocation scores and their contributions (``schedule(cib).scores``,
  :class:`pycrm.scheduler.ScoreDetail`), read the way Pacemaker places resources: a group by
  its first member (whose score carries the other members' preferences through the group's
  internal colocation), a clone by its instances;
* the nodes' states as `pycrm status` shows them (OFFLINE, standby, UNCLEAN ...) and the
  fencer's history (``DaemonSnapshot.fence_history``);
* the DC's recent events (the daemon's ``history`` command): its one-line verdicts say what
  it last did with the resource and which node left when.

One line per resource, e.g.::

    web on node2: last decision 12:03:04 "moved web to node2: node1 left; quorum 2/3";
    node2 score 2100 = location prefer-node2 100 + stickiness 1000 + group members 1000;
    node1 OFFLINE, left at 12:03:04; node3 banned: site fail-count 3 reached
    migration-threshold 3

(printed as one line).  A node that cannot run the resource is ``banned`` with the causes
of its -INFINITY score; a node that could but scores lower shows its score.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cib.model import Cib, Clone, Group, Resource
from cib.scores import SCORE_MINUS_INF, format_score
from pycrm.fencing.history import FenceEvent
from pycrm.ops import find
from pycrm.ops.resource import TARGET_ROLE, own_meta
from pycrm.scheduler import ScoreContribution, ScoreDetail, Transition, schedule
from pycrm.status.collect import ClusterStatus, NodeRow, collect
from pycrm.status.snapshot import DaemonSnapshot

INTERNAL = ":internal_colocation"


@dataclass(frozen=True)
class Event:
    """One entry of the daemon's recent-events ring."""

    time: float
    kind: str
    text: str

    @classmethod
    def parse(cls, raw: object) -> Event | None:
        if not isinstance(raw, dict):
            return None
        when, kind, text = raw.get("time"), raw.get("kind"), raw.get("text")
        if isinstance(when, bool) or not isinstance(when, int | float):
            return None
        if not isinstance(kind, str) or not isinstance(text, str):
            return None
        return cls(float(when), kind, text)


@dataclass
class Explanation:
    resource: str
    kind: str  # primitive | group | clone | promotable clone
    nodes: list[str]  # where it is active
    clauses: list[str] = field(default_factory=list)
    scores: list[ScoreDetail] = field(default_factory=list)
    decision: Event | None = None

    @property
    def text(self) -> str:
        where = f"on {', '.join(self.nodes)}" if self.nodes else "stopped"
        return f"{self.resource} {where}: " + "; ".join(self.clauses)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "kind": self.kind,
            "nodes": self.nodes,
            "explanation": self.text,
            "reasons": self.clauses,
            "scores": [
                {
                    "resource": d.rsc,
                    "node": d.node,
                    "score": d.score,
                    "contributions": [
                        {"kind": c.kind, "source": c.source, "value": c.value}
                        for c in d.contributions
                    ],
                    "explanation": d.explain(),
                }
                for d in self.scores
            ],
            "last_decision": None
            if self.decision is None
            else {"time": self.decision.time, "text": self.decision.text},
        }


def clock_time(epoch: float, now: float) -> str:
    """``12:03:04`` the same day, else ``2026-12-06 12:03:04`` (local time)."""
    same_day = time.localtime(epoch)[:3] == time.localtime(now)[:3]
    return time.strftime("%H:%M:%S" if same_day else "%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def contribution_text(c: ScoreContribution) -> str:
    if c.kind == "stickiness":
        return f"stickiness {format_score(c.value)}"
    if c.kind == "failure":
        return (
            c.source.rstrip(": ")
            if c.value <= SCORE_MINUS_INF
            else (f"failures {c.source.rstrip(': ')} {format_score(c.value)}")
        )
    if c.source.endswith(INTERNAL):
        return f"group members {format_score(c.value)}"
    return f"{c.kind} {c.source} {format_score(c.value)}"


def score_text(detail: ScoreDetail) -> str:
    parts = [contribution_text(c) for c in detail.contributions]
    return f"{format_score(detail.score)} = {' + '.join(parts) if parts else 'default 0'}"


class _Scores:
    def __init__(self, details: Iterable[ScoreDetail]) -> None:
        self.by: dict[tuple[str, str], ScoreDetail] = {(d.rsc, d.node): d for d in details}

    def get(self, rsc: str, node: str) -> ScoreDetail | None:
        return self.by.get((rsc, node))


def _deciders(model: Cib, rsc: Resource, transition: Transition) -> list[str]:
    """The primitives (or clone instances) whose scores place ``rsc``."""
    if isinstance(rsc, Group):
        return [rsc.children[0].id] if rsc.children else []
    if isinstance(rsc, Clone):
        child = rsc.child.children[0].id if isinstance(rsc.child, Group) else rsc.child.id
        return sorted({s.id for s in transition.current if s.base_id == child})
    return [rsc.id]


def _ban_causes(model: Cib, rsc: Resource, node: str, scores: _Scores, decider: str) -> list[str]:
    detail = scores.get(decider, node)
    if detail is None:
        return ["not allowed"]
    causes = [
        contribution_text(c)
        for c in detail.contributions
        if c.value <= SCORE_MINUS_INF and not c.source.endswith(INTERNAL)
    ]
    if causes:
        return causes
    members = rsc.children if isinstance(rsc, Group) else []
    for member in members:
        inner = scores.get(member.id, node)
        if inner is None:
            continue
        for c in inner.contributions:
            if c.value <= SCORE_MINUS_INF and not c.source.endswith(INTERNAL):
                causes.append(f"{member.id} {contribution_text(c)}")
    return causes or ["not allowed"]


def _base(word: str) -> str:
    head, sep, tail = word.rpartition(":")
    return head if sep and tail.isdigit() and head else word


def _left_at(node: str, events: Sequence[Event]) -> Event | None:
    pattern = re.compile(rf"(?<![\w.-]){re.escape(node)} left\b")
    for event in reversed(events):
        if pattern.search(event.text):
            return event
    return None


def _fenced(node: str, fencing: Sequence[FenceEvent]) -> FenceEvent | None:
    done = [e for e in fencing if e.target == node and e.state == "done" and e.completed]
    return max(done, key=lambda e: e.completed or 0.0) if done else None


def _node_clause(
    row: NodeRow, events: Sequence[Event], fencing: Sequence[FenceEvent], now: float
) -> str:
    fenced = _fenced(row.name, fencing)
    if fenced is not None and fenced.completed is not None:
        return (
            f"{row.name} was fenced at {clock_time(fenced.completed, now)} ({fenced.action});"
            f" now {row.text_state}"
        )
    text = f"{row.name} {row.text_state}"
    left = _left_at(row.name, events)
    if left is not None and not row.online:
        text += f", left at {clock_time(left.time, now)}"
    return text


def _decision(ids: set[str], events: Sequence[Event]) -> Event | None:
    for event in reversed(events):
        if event.kind != "verdict" or event.text.startswith("no action"):
            continue
        words = set(re.findall(r"[\w.:-]+", event.text))
        words |= {_base(w) for w in words}  # clone instances "ping:0" name "ping"
        if words & ids:
            return event
    return None


def _stopped_reason(model: Cib, rsc: Resource) -> str | None:
    for holder in [rsc, *model.parents(rsc.id)]:
        if (own_meta(holder, TARGET_ROLE) or "").lower() == "stopped":
            return f"disabled ({holder.id} has target-role=Stopped)"
        if (own_meta(holder, "is-managed") or "").lower() in ("false", "no", "off", "0"):
            return f"unmanaged ({holder.id} has is-managed=false)"
    return None


def explain_one(
    model: Cib,
    rsc: Resource,
    transition: Transition,
    status: ClusterStatus,
    events: Sequence[Event],
    now: float,
) -> Explanation:
    where = find.locations(model, transition.current)
    active = find.active_nodes(where.get(rsc.id, ()))
    out = Explanation(rsc.id, find.kind(rsc), active)
    scores = _Scores(transition.scores)
    deciders = _deciders(model, rsc, transition)
    ids = {rsc.id, *find.primitive_ids(rsc)}
    out.decision = _decision(ids, events)
    if out.decision is not None:
        stamp = clock_time(out.decision.time, now)
        out.clauses.append(f'last decision {stamp} "{out.decision.text}"')
    if not active:
        reason = _stopped_reason(model, rsc)
        if reason is not None:  # the operator's choice: the nodes' scores say only that
            out.clauses.append(reason)
            return out
    fencing = status.snapshot.fence_history
    others: list[str] = []
    for row in status.nodes:
        node = row.name
        details = [d for d in (scores.get(x, node) for x in deciders) if d is not None]
        out.scores.extend(details)
        best = max(details, key=lambda d: d.score, default=None)
        if node in active:
            if best is not None:
                out.clauses.append(f"{node} score {score_text(best)}")
        elif not row.online or row.standby or row.unclean or row.pending:
            others.append(_node_clause(row, events, fencing, now))
        elif best is None or best.score <= SCORE_MINUS_INF:
            decider = deciders[0] if deciders else rsc.id
            causes = _ban_causes(model, rsc, node, scores, decider)
            others.append(f"{node} banned: {', '.join(causes)}")
        else:
            others.append(f"{node} score {score_text(best)}")
    out.clauses += others
    return out


def explain(
    model: Cib,
    snapshot: DaemonSnapshot,
    events: Iterable[Event],
    rsc_id: str | None = None,
) -> list[Explanation]:
    """Explanations of every top-level resource (or of ``rsc_id``), in CIB order."""
    now = snapshot.last_updated
    stamp = datetime.fromtimestamp(now, UTC)
    transition = schedule(model, now=stamp)
    status = collect(model, snapshot)
    history = sorted(events, key=lambda e: e.time)
    targets = [find.resource(model, rsc_id)] if rsc_id is not None else list(model.resources)
    return [explain_one(model, r, transition, status, history, now) for r in targets]
