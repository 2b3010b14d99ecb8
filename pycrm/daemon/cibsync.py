"""CIB replication: join, full copies, versioned diffs, forwarded updates (no I/O).

Roles follow the election: the DC is the only writer; members keep a copy.

DC side
    :meth:`start` (after winning, and for nodes that appear later) offers a join to the
    members.  Each answers with its configuration version, its own resource history and its
    transient attributes (:class:`LocalReport`).  When every offered node answered, or
    ``join_timeout`` passed, the DC takes the newest configuration (fetching it from the
    member that has it), rebuilds the status of the joined nodes from their answers and
    sends the whole CIB to them.  Afterwards every change is applied by the DC under one
    version bump and broadcast as ``(from, to, changes)``; members forward their changes to
    it (``update``).  Nodes that leave are marked offline.

Member side
    Answers offers, takes full copies, applies diffs whose ``from`` is its version (else it
    asks for a full copy: nothing relies on every diff arriving).

The controller drains ``outbox`` (``(kind, payload, dest)``) into the channel and ``applied``
(what changed, for the policy and for persistence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cib import patch
from cib.errors import CibError
from cib.live import LiveCib
from cib.version import Version
from pycrm.cluster import protocol as p
from pycrm.cluster.channel import Delivered

JOIN_OFFER = "join_offer"
JOIN_ACK = "join_ack"
JOIN_REQ = "join_req"
CIB_FULL = "cib_full"
CIB_DIFF = "cib_diff"
CIB_REQ = "cib_req"
UPDATE = "update"
UPDATE_ACK = "update_ack"
KINDS = frozenset({JOIN_OFFER, JOIN_ACK, JOIN_REQ, CIB_FULL, CIB_DIFF, CIB_REQ, UPDATE, UPDATE_ACK})

CLIENT = "pycrm-controld"
DIGEST_EVERY = 64  # status diffs between two digest checks

Outgoing = tuple[str, dict[str, Any], str | None]

MEMBER_STATE = {"in_ccm": "true", "crmd": "online", "join": "member", "expected": "member"}
# a node heartbeat shows in the partition that has not answered the join (yet): Pacemaker's
# pending node -- neither placed on nor fenced -- until it joins (its join_req brings an offer)
PENDING_STATE = {"in_ccm": "true", "crmd": "online", "join": "pending"}


def offline_state(clean: bool) -> dict[str, str]:
    """A node that left: ``expected=down`` when it announced its shutdown (clean)."""
    return {
        "in_ccm": "false",
        "crmd": "offline",
        "join": "down",
        "expected": "down" if clean else "member",
    }


@dataclass(frozen=True)
class LocalReport:
    """What a node is authoritative for: its history (``<lrm>`` XML) and transient attrs."""

    lrm_xml: str
    attrs: dict[str, str]


@dataclass(frozen=True)
class Applied:
    """A change to the local copy: ``scope`` (status/configuration/full) and its source."""

    version: Version
    scope: str  # "status" | "configuration" | "full"
    source: str  # "local" (we wrote it), a node name (forwarded/applied), "join"
    changes: tuple[patch.Change, ...] = ()
    ref: int | None = None  # the forwarding node's reference for an update


@dataclass(frozen=True)
class Ack:
    """The DC's answer to a change this node submitted with a reference."""

    ref: int
    ok: bool
    error: str = ""


@dataclass
class _Join:
    join_id: int
    offered: set[str]
    deadline: float
    acks: dict[str, tuple[Version, LocalReport]] = field(default_factory=dict)
    fetching: str | None = None
    fetch_deadline: float = 0.0
    full_round: bool = True  # after an election: everyone gets the full CIB


class CibSync:
    def __init__(
        self,
        me: str,
        nodes: Sequence[str],
        live: LiveCib,
        *,
        report: Callable[[], LocalReport],
        join_timeout: float,
        clock_wall: Callable[[], float],
    ) -> None:
        self.me = me
        self.nodes = tuple(nodes)
        self.live = live
        self.report = report
        self.join_timeout = join_timeout
        self.wall = clock_wall
        self.term = 0
        self.dc: str | None = None
        self.members: tuple[str, ...] = ()
        self.joined: set[str] = set()
        self.synced = False
        self.quorate = False
        self.outbox: list[Outgoing] = []
        self.applied: list[Applied] = []
        self.log: list[str] = []
        self.counters: dict[str, int] = {}
        self.acks: list[Ack] = []
        self._join: _Join | None = None
        self._join_seq = 0
        self._diffs_since_digest = 0

    # ------------------------------------------------------------------ helpers
    @property
    def is_dc(self) -> bool:
        return self.dc == self.me

    @property
    def joining(self) -> bool:
        return self._join is not None

    def _count(self, key: str) -> None:
        self.counters[key] = self.counters.get(key, 0) + 1

    def _send(self, kind: str, payload: dict[str, Any], dest: str | None = None) -> None:
        payload = {"term": self.term, **payload}
        if dest == self.me:
            self.receive(Delivered(self.me, kind, payload, dest), 0.0)
        else:
            self.outbox.append((kind, payload, dest))

    def node_id(self, node: str) -> str:
        known = patch.node_id_of(self.live.root, node)
        if known is not None:
            return known
        used = {n.id for n in self.live.model().nodes}
        candidate = self.nodes.index(node) + 1 if node in self.nodes else len(self.nodes) + 1
        while str(candidate) in used:
            candidate += 1
        return str(candidate)

    def _left_cleanly(self, node: str) -> bool:
        """A node that announced its shutdown (Pacemaker's ``shutdown`` attribute), or one
        already recorded as down and not expected back (fenced: a node fenced while still
        in the membership leaves it moments later, and is not to be fenced again)."""
        status = self.live.model().status.get(node)
        if status is None:
            return False
        return "shutdown" in status.transient or (
            status.expected == "down" and status.crmd == "offline"
        )

    # ---------------------------------------------------------------- role changes
    def follow(self, dc: str | None, term: int) -> None:
        """The election's verdict: ``dc`` (maybe this node) in ``term``."""
        if dc == self.dc and term == self.term:
            return
        self.dc = dc
        self.term = term
        self._join = None
        self.joined = set()
        self.synced = False
        if dc is not None and dc != self.me:
            # A DC's offer that reached us before we knew it (we were starting) was
            # dropped; asking costs one message and the DC answers with an offer.
            self._send(JOIN_REQ, {}, dc)

    def start(self, members: Sequence[str], quorate: bool, now: float) -> None:
        """As DC: offer a join to every member (after winning the election)."""
        self.members = tuple(members)
        self.quorate = quorate
        self._join_seq += 1
        self._join = _Join(self._join_seq, set(self.members), now + self.join_timeout)
        self.joined = set()
        self.log.append(f"join round {self._join_seq} offered to {', '.join(self.members)}")
        self._send(JOIN_OFFER, {"join": self._join_seq, "nodes": list(self.members)})
        for member in self.members:
            if member == self.me:
                self._join.acks[self.me] = (self.live.version, self.report())
        self._maybe_finish(now)

    def membership(self, members: Sequence[str], quorate: bool, now: float) -> None:
        """As DC: members changed.  Newcomers are offered a join; leavers go offline."""
        self.members = tuple(members)
        quorum_changed = quorate != self.quorate
        self.quorate = quorate
        if not self.is_dc:
            return
        gone = [n for n in self.joined if n not in self.members]
        changes: list[patch.Change] = []
        for node in sorted(gone):
            self.joined.discard(node)
            changes.append(patch.SetNodeState(node, offline_state(self._left_cleanly(node))))
            changes.append(patch.ReplaceTransientAttrs(node, {}))
        if quorum_changed:
            changes.append(patch.SetRootAttrs({"have-quorum": "1" if quorate else "0"}))
        if changes and self.synced:
            self.apply(changes, source="local")
        newcomers = [n for n in self.members if n not in self.joined and n != self.me]
        if self._join is not None:
            self._join.offered &= set(self.members)
            newcomers = [n for n in newcomers if n not in self._join.offered]
            if newcomers:
                self._join.offered |= set(newcomers)
                self._send(JOIN_OFFER, {"join": self._join.join_id, "nodes": newcomers})
            self._maybe_finish(now)
        elif newcomers:
            self._join_seq += 1
            self._join = _Join(
                self._join_seq, set(newcomers), now + self.join_timeout, full_round=False
            )
            self.log.append(f"join round {self._join_seq} offered to {', '.join(newcomers)}")
            self._send(JOIN_OFFER, {"join": self._join_seq, "nodes": newcomers})

    # --------------------------------------------------------------- receiving
    def receive(self, msg: Delivered, now: float) -> None:
        payload = msg.payload
        try:
            term = p.integer(payload, "term")
            if term != self.term or self.dc is None:
                self._count("dropped_other_term")
                return
            if msg.kind == JOIN_OFFER:
                self._on_offer(msg.src, payload)
            elif msg.kind == JOIN_ACK:
                self._on_ack(msg.src, payload, now)
            elif msg.kind == JOIN_REQ:
                self._on_join_request(msg.src, now)
            elif msg.kind == CIB_FULL:
                self._on_full(msg.src, payload, now)
            elif msg.kind == CIB_DIFF:
                self._on_diff(msg.src, payload)
            elif msg.kind == CIB_REQ:
                self._on_request(msg.src)
            elif msg.kind == UPDATE:
                self._on_update(msg.src, payload)
            elif msg.kind == UPDATE_ACK:
                self._on_ack_of_update(msg.src, payload)
        except p.ProtocolError as exc:
            self._count("dropped_malformed")
            self.log.append(f"dropped {msg.kind} from {msg.src}: {exc}")

    def _on_ack_of_update(self, src: str, payload: dict[str, Any]) -> None:
        ref = payload.get("ref")
        if src != self.dc or not isinstance(ref, int) or isinstance(ref, bool):
            return
        error = payload.get("error")
        self.acks.append(
            Ack(ref, payload.get("ok") is True, error if isinstance(error, str) else "")
        )

    def _on_offer(self, src: str, payload: dict[str, Any]) -> None:
        if src != self.dc:
            return
        nodes = payload.get("nodes")
        if not isinstance(nodes, list) or self.me not in nodes:
            return
        join = p.integer(payload, "join")
        report = self.report()
        self.synced = False
        self._send(
            JOIN_ACK,
            {
                "join": join,
                "version": p.version_value(self.live.version),
                "lrm": report.lrm_xml,
                "attrs": report.attrs,
            },
            src,
        )

    def _on_join_request(self, src: str, now: float) -> None:
        """As DC: a member asks to join (it learnt of us, maybe after our offer)."""
        if not self.is_dc or src not in self.members:
            return
        join = self._join
        if join is not None:
            if src not in join.acks:
                join.offered.add(src)
                self._send(JOIN_OFFER, {"join": join.join_id, "nodes": [src]}, src)
            return
        self.joined.discard(src)
        self.membership(self.members, self.quorate, now)

    def _on_ack(self, src: str, payload: dict[str, Any], now: float) -> None:
        join = self._join
        if not self.is_dc or join is None or p.integer(payload, "join") != join.join_id:
            return
        if src not in join.offered:
            return
        report = LocalReport(p.text(payload, "lrm", limit=p.MAX_TEXT), p.mapping(payload, "attrs"))
        join.acks[src] = (p.version(payload, "version"), report)
        self._maybe_finish(now)

    def _on_request(self, src: str) -> None:
        # the DC asks for our configuration (we have the newest), or a member asks the DC
        if src == self.dc or self.is_dc:
            self._send(CIB_FULL, {"xml": self.live.to_bytes().decode("utf-8")}, src)

    def _on_full(self, src: str, payload: dict[str, Any], now: float) -> None:
        xml = p.text(payload, "xml", limit=p.MAX_TEXT)
        join = self._join
        if self.is_dc and join is not None and join.fetching == src:
            self._adopt_configuration(xml, src)
            join.fetching = None
            self._finish(now)
            return
        if src != self.dc or self.is_dc:
            return
        try:
            version = self.live.replace(xml.encode("utf-8"))
        except CibError as exc:
            self._count("bad_full_copy")
            self.log.append(f"the DC's CIB does not load: {exc}")
            return
        self.synced = True
        self._diffs_since_digest = 0
        self.applied.append(Applied(version, "full", src))

    def _on_diff(self, src: str, payload: dict[str, Any]) -> None:
        if src != self.dc or self.is_dc:
            return
        if not self.synced:
            return  # a full copy is on its way
        start = p.version(payload, "from")
        end = p.version(payload, "to")
        if self.live.version != start:
            self._resync(f"version {self.live.version} is not the diff's base {start}")
            return
        items = p.changes(payload)
        origin = p.text(payload, "origin")
        now_wall = payload.get("now")
        stamp = float(now_wall) if isinstance(now_wall, int | float) else None
        try:
            version = self.live.apply(items, origin=origin, client=CLIENT, now=stamp)
        except CibError as exc:
            self._resync(f"diff {start} -> {end} does not apply: {exc}")
            return
        digest = payload.get("digest")
        if version != end or (isinstance(digest, str) and digest != self.live.digest()):
            self._resync(f"diff {start} -> {end} gave {version} with another digest")
            return
        self.applied.append(Applied(version, patch.scope_of(items), src, tuple(items)))

    def _resync(self, why: str) -> None:
        self._count("resyncs")
        self.log.append(f"asking the DC for a full CIB: {why}")
        self.synced = False
        if self.dc is not None:
            self._send(CIB_REQ, {}, self.dc)

    def _on_update(self, src: str, payload: dict[str, Any]) -> None:
        if not self.is_dc:
            return
        ref = payload.get("ref")
        items = p.changes(payload)
        try:
            self.apply(items, source=src, ref=ref if isinstance(ref, int) else None)
        except CibError as exc:
            self._send(UPDATE_ACK, {"ref": ref, "ok": False, "error": str(exc)}, src)
            return
        self._send(UPDATE_ACK, {"ref": ref, "ok": True}, src)

    # ------------------------------------------------------------------- join
    def _maybe_finish(self, now: float) -> None:
        join = self._join
        if join is None or join.fetching is not None:
            return
        if set(join.acks) >= join.offered or now >= join.deadline:
            self._pick_configuration(now)

    def _pick_configuration(self, now: float) -> None:
        join = self._join
        if join is None:
            return
        newest_node = max(join.acks, key=lambda n: join.acks[n][0], default=self.me)
        newest = join.acks[newest_node][0] if newest_node in join.acks else self.live.version
        if newest > self.live.version and newest_node != self.me:
            self.log.append(f"{newest_node} has a newer configuration ({newest}): fetching it")
            join.fetching = newest_node
            join.fetch_deadline = now + self.join_timeout
            self._send(CIB_REQ, {}, newest_node)
            return
        self._finish(now)

    def _adopt_configuration(self, xml: str, src: str) -> None:
        try:
            self.live.replace(xml.encode("utf-8"))
        except CibError as exc:
            self.log.append(f"the configuration of {src} does not load, keeping ours: {exc}")
            return
        self.log.append(f"took the configuration {self.live.version} of {src}")

    def _finish(self, now: float) -> None:
        join = self._join
        if join is None:
            return
        self._join = None
        changes: list[patch.Change] = []
        acked = [n for n in self.members if n in join.acks]
        for node in acked:
            if patch.node_id_of(self.live.root, node) is None:
                changes.append(patch.EnsureNode(node, self.node_id(node)))
        for node in acked:
            report = join.acks[node][1]
            changes.append(patch.SetNodeState(node, MEMBER_STATE))
            changes.append(patch.ReplaceLrm(node, report.lrm_xml))
            changes.append(patch.ReplaceTransientAttrs(node, report.attrs))
        if join.full_round:
            for node in self.nodes:
                if node in join.acks or patch.node_id_of(self.live.root, node) is None:
                    continue
                if node in self.members:
                    changes.append(patch.SetNodeState(node, PENDING_STATE))
                    continue
                changes.append(patch.SetNodeState(node, offline_state(self._left_cleanly(node))))
                changes.append(patch.ReplaceTransientAttrs(node, {}))
            changes.append(
                patch.SetRootAttrs(
                    {
                        "have-quorum": "1" if self.quorate else "0",
                        "dc-uuid": self.node_id(self.me),
                    }
                )
            )
        try:
            self.live.apply(changes, origin=self.me, client=CLIENT, now=self.wall())
        except CibError as exc:  # a member's report that does not apply: leave it out
            self.log.append(f"join: reports do not apply ({exc}); retrying without them")
            self._count("bad_reports")
            changes = [c for c in changes if not isinstance(c, patch.ReplaceLrm)]
            self.live.apply(changes, origin=self.me, client=CLIENT, now=self.wall())
        self.joined |= set(acked)
        self.synced = True
        self._diffs_since_digest = 0
        # everyone gets the result: the joiners need it whole, and the members already in
        # step would otherwise stay one version behind until the next diff
        self._send(CIB_FULL, {"xml": self.live.to_bytes().decode("utf-8")})
        self.applied.append(Applied(self.live.version, "full", "join", tuple(changes)))
        missing = sorted(join.offered - set(acked))
        self.log.append(
            f"join round {join.join_id} complete: {', '.join(acked) or 'nobody'} joined"
            + (f"; no answer from {', '.join(missing)}" if missing else "")
        )

    # ------------------------------------------------------------------ writing
    def apply(
        self, changes: Sequence[patch.Change], *, source: str = "local", ref: int | None = None
    ) -> Version:
        """As DC: apply a batch, broadcast it as a diff.  Raises CibError (nothing applied)."""
        start = self.live.version
        now_wall = int(self.wall())
        version = self.live.apply(changes, origin=self.me, client=CLIENT, now=now_wall)
        if version == start:
            return version
        scope = patch.scope_of(changes)
        payload: dict[str, Any] = {
            "from": p.version_value(start),
            "to": p.version_value(version),
            "changes": p.changes_value(list(changes)),
            "origin": self.me,
            "now": now_wall,
        }
        self._diffs_since_digest += 1
        if scope == "configuration" or self._diffs_since_digest >= DIGEST_EVERY:
            payload["digest"] = self.live.digest()
            self._diffs_since_digest = 0
        self._send(CIB_DIFF, payload)
        self.applied.append(Applied(version, scope, source, tuple(changes), ref))
        return version

    def submit(self, changes: Sequence[patch.Change], ref: int | None = None) -> bool:
        """A change this node wants made: applied here as DC, else forwarded to the DC.

        False when there is no DC to take it (the caller keeps its own authoritative state
        and reports it again at the next join).  With ``ref`` the outcome arrives in
        ``acks`` (the DC's answer); a change the DC itself refuses raises CibError.
        """
        if not changes:
            if ref is not None:
                self.acks.append(Ack(ref, True))
            return True
        if self.is_dc and self.synced:
            self.apply(changes, source="local", ref=ref)  # CibError: nothing applied
            if ref is not None:
                self.acks.append(Ack(ref, True))
            return True
        if self.dc is None or self.is_dc:
            return False
        self._send(UPDATE, {"changes": p.changes_value(list(changes)), "ref": ref}, self.dc)
        return True

    def stream_broken(self, src: str) -> None:
        """Messages from ``src`` were lost: resynchronise with it."""
        if self.is_dc and src in self.joined:
            self.joined.discard(src)
            self.membership(self.members, self.quorate, 0.0)
        elif src == self.dc:
            self._resync(f"messages from the DC {src} were lost")

    # ------------------------------------------------------------------- timers
    def tick(self, now: float) -> None:
        join = self._join
        if join is None:
            return
        if join.fetching is not None and now >= join.fetch_deadline:
            self.log.append(f"{join.fetching} did not send its configuration: keeping ours")
            join.fetching = None
            self._finish(now)
        elif join.fetching is None and now >= join.deadline:
            self._pick_configuration(now)

    def next_wakeup(self) -> float | None:
        join = self._join
        if join is None:
            return None
        return join.fetch_deadline if join.fetching is not None else join.deadline
