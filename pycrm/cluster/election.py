"""Term-numbered DC election within a partition (no I/O, injected clock).

The partition is what heartbeat's membership shows this node (``members``, in the cluster's
configured order).  Rules:

* A live DC keeps its office: nobody stands while the DC it follows is a member.
* With no live DC, the first member in configured order stands: it moves to
  ``term = highest term seen + 1``, votes for itself and asks the others.  A member grants
  one vote per term, and only to a candidate that is the first member in its own view (two
  views that disagree for a dead time then elect nobody rather than two DCs).  The candidate
  wins with the votes of a majority of the members it sees, then announces itself.  A
  candidate that has not won after ``timeout`` seconds stands again in a new term.
* A member that knows no DC and may not stand asks (``dc_query``, again every ``timeout``
  while it has none); a DC answers with its announcement.  Announcements are sent when the
  membership changes, and one that reaches a node still starting is lost.
* Every DC message carries its term.  A node follows the DC with the highest ``(term, -rank)``
  it has heard; a DC that hears of a DC that outranks it (two partitions healing) steps
  down.  A node tells a DC with a lower term that it is stale (``not_dc``); a DC told so,
  or asked for votes in a newer term while it is alive, keeps its office and moves to that
  term, announcing itself there (the node that knew the newer term was DC of a partition
  that is gone, or restarted: it has no DC to offer, and the members that follow this DC
  would never hear that it stepped down).  Any change of DC *or term* is an event, so the
  layers that stamp messages with the term move with it.  The term is persisted by the
  caller (``term_changed``), so a node that comes back after a crash or a partition never
  acts on an old election.

Outputs are drained from ``outbox`` as ``(kind, payload, dest)``; ``events`` names what
happened (``elected``, ``deposed``, ``new-dc``, ``lost-dc``, ``new-term``, ``standing``) for
the controller and the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

VOTE_REQ = "vote_req"
VOTE = "vote"
DC_ANNOUNCE = "dc"
NOT_DC = "not_dc"
DC_QUERY = "dc_query"
KINDS = frozenset({VOTE_REQ, VOTE, DC_ANNOUNCE, NOT_DC, DC_QUERY})

Outgoing = tuple[str, dict[str, Any], str | None]


@dataclass(frozen=True)
class ElectionEvent:
    kind: str  # elected deposed new-dc lost-dc new-term standing
    dc: str | None
    term: int
    text: str


@dataclass
class Election:
    me: str
    order: Sequence[str]  # every configured node, in configured order
    timeout: float
    term: int = 0
    dc: str | None = None
    members: tuple[str, ...] = ()
    voted: tuple[int, str] | None = None  # (term, candidate) of the last vote given
    outbox: list[Outgoing] = field(default_factory=list)
    events: list[ElectionEvent] = field(default_factory=list)
    term_changed: bool = False
    _grants: set[str] = field(default_factory=set)
    _standing_until: float | None = None
    _max_term: int = 0
    settle: float = 0.0  # before the first DC is known: wait this long for an announcement
    _quiet_until: float | None = None
    _had_dc: bool = False
    _query_at: float | None = None  # when to ask who the DC is again

    def __post_init__(self) -> None:
        self._rank = {name: i for i, name in enumerate(self.order)}
        self._max_term = self.term

    # ------------------------------------------------------------------ queries
    @property
    def is_dc(self) -> bool:
        return self.dc == self.me

    @property
    def candidate(self) -> bool:
        return self._standing_until is not None

    def rank(self, node: str) -> int:
        return self._rank.get(node, len(self._rank))

    def _first_member(self) -> str | None:
        return min(self.members, key=self.rank) if self.members else None

    # ------------------------------------------------------------------ helpers
    def _emit(self, kind: str, text: str) -> None:
        self.events.append(ElectionEvent(kind, self.dc, self.term, text))

    def _send(self, kind: str, payload: dict[str, Any], dest: str | None = None) -> None:
        self.outbox.append((kind, payload, dest))

    def _see_term(self, term: int) -> None:
        self._max_term = max(self._max_term, term)

    def _move_to(self, term: int) -> None:
        if term > self.term:
            self.term = term
            self.term_changed = True
        self._see_term(term)

    def _follow(self, dc: str | None, term: int, text: str) -> None:
        old, old_term = self.dc, self.term
        self._move_to(term)
        self._standing_until = None
        self._grants.clear()
        self.dc = dc
        if dc is not None:
            self._had_dc = True
        if dc == old:
            if dc is not None and self.term != old_term:
                self._emit("new-term", text)
            return
        if dc == self.me:
            self._emit("elected", text)
        elif old == self.me:
            self._emit("deposed", text)  # the event names the new DC, if any
        elif dc is None:
            self._emit("lost-dc", text)
        else:
            self._emit("new-dc", text)

    def _outranks(self, term: int, node: str) -> bool:
        """Does a DC ``node`` in ``term`` beat the DC this node follows?"""
        if self.dc is None:
            return term >= self.term
        return (term, -self.rank(node)) > (self.term, -self.rank(self.dc))

    # ------------------------------------------------------------------- inputs
    def membership(self, members: Iterable[str], now: float) -> None:
        """Heartbeat's view changed (``members`` includes this node)."""
        self.members = tuple(sorted(set(members) | {self.me}, key=self.rank))
        if self.dc is not None and self.dc not in self.members:
            self._follow(None, self.term, f"DC {self.dc} left the partition")
        if self.is_dc:
            # newcomers learn who the DC is (and a healed partition's DC learns about us)
            self._send(DC_ANNOUNCE, {"term": self.term})
        self._maybe_stand(now)

    def receive(self, src: str, kind: str, payload: dict[str, Any], now: float) -> None:
        term = payload.get("term")
        if not isinstance(term, int) or term < 0 or kind not in KINDS:
            return
        self._see_term(term)
        if kind == VOTE_REQ:
            self._on_vote_request(src, term, now)
        elif kind == VOTE:
            self._on_vote(src, term, payload.get("granted") is True, now)
        elif kind == DC_ANNOUNCE:
            self._on_announce(src, term, now)
        elif kind == DC_QUERY:
            if self.is_dc:
                self._send(DC_ANNOUNCE, {"term": self.term}, src)
        elif kind == NOT_DC and term > self.term:
            if self.is_dc:
                self._catch_up(term, f"{src} knows a newer term")
            else:
                self._follow(None, term, f"{src} knows a newer election (term {term})")
                self._maybe_stand(now)

    def stale_dc(self, src: str, term: int) -> None:
        """A DC instruction from ``src`` in an older term arrived: tell it."""
        if term < self.term:
            self._send(NOT_DC, {"term": self.term}, src)

    def _on_vote_request(self, src: str, term: int, now: float) -> None:
        if term < self.term:
            self._send(VOTE, {"term": self.term, "granted": False}, src)
            return
        if self.dc is not None and self.dc != src and self.dc in self.members:
            # A DC is alive here: a candidate that did not hear of it (it just started, or
            # cannot see it) does not depose it.  The DC catches up with the term and
            # announces itself, so that the candidate follows it.
            if self.is_dc:
                self._catch_up(term, f"{src} stood for election")
            else:
                self._send(VOTE, {"term": term, "granted": False}, src)
            return
        if term > self.term:
            self._follow(None, term, f"{src} stands for election (term {term})")
        first = self._first_member()
        granted = self.voted == (term, src) or (
            first == src and (self.voted is None or self.voted[0] < term)
        )
        if granted:
            self.voted = (term, src)
        self._send(VOTE, {"term": term, "granted": granted}, src)

    def _catch_up(self, term: int, why: str) -> None:
        """As a live DC: move to ``term`` (if newer) and announce ourselves in it."""
        if term > self.term:
            self._follow(self.me, term, f"still DC, in term {term}: {why}")
        self._send(DC_ANNOUNCE, {"term": self.term})

    def _on_vote(self, src: str, term: int, granted: bool, now: float) -> None:
        if not self.candidate or term != self.term or not granted:
            return
        self._grants.add(src)
        self._check_won()

    def _on_announce(self, src: str, term: int, now: float) -> None:
        if src == self.dc and term == self.term:
            return
        if self._outranks(term, src):
            self._follow(src, term, f"{src} is DC (term {term})")
        elif self.is_dc and src != self.me:
            # two DCs (a healed partition): the lesser one hears about us
            self._send(DC_ANNOUNCE, {"term": self.term})
        elif self.dc is None and term < self.term:
            # A DC from an older term (we were DC in a partition it never heard of, then
            # restarted): without a word it keeps its office and we never follow it.
            self._send(NOT_DC, {"term": self.term}, src)

    # ------------------------------------------------------------------- timers
    def _maybe_stand(self, now: float) -> None:
        if self.dc is not None or self.candidate:
            self._query_at = None
            return
        if self._first_member() != self.me:
            if self._query_at is None or now >= self._query_at:
                self._query_at = now + self.timeout
                self._send(DC_QUERY, {"term": self.term})
            return
        if not self._had_dc and self.settle > 0:
            if self._quiet_until is None:
                self._quiet_until = now + self.settle
            if now < self._quiet_until:
                return
        self._move_to(max(self.term, self._max_term) + 1)
        self.voted = (self.term, self.me)
        self._grants = {self.me}
        self._standing_until = now + self.timeout
        self._emit("standing", f"standing for election in term {self.term}")
        if not self._check_won():
            self._send(VOTE_REQ, {"term": self.term})

    def _check_won(self) -> bool:
        if len(self._grants & set(self.members)) * 2 <= len(self.members):
            return False
        self._follow(self.me, self.term, f"won the election in term {self.term}")
        self._send(DC_ANNOUNCE, {"term": self.term})
        return True

    def tick(self, now: float) -> None:
        if self._standing_until is not None and now >= self._standing_until:
            self._standing_until = None
            self._grants.clear()
            self._maybe_stand(now)
        elif self.dc is None:
            self._maybe_stand(now)

    def next_wakeup(self) -> float | None:
        if self._standing_until is not None:
            return self._standing_until
        if self.dc is None and self._query_at is not None:
            return self._query_at
        if self.dc is None and self._quiet_until is not None and not self._had_dc:
            return self._quiet_until
        return None
