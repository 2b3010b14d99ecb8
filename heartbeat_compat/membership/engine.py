"""The membership state machine of a Heartbeat v1 node (no I/O, injected clock).

Feed it with `receive(now, fields, link)` for every authenticated message and
call `tick(now)` whenever `next_wakeup()` is due; drain `outbox` (messages to
send on all media), `ping_outbox` (per ping node) and `events` (to log).
`now` is a monotonic time in seconds.

Peer generations survive restarts through the shell: start the engine with the
saved ones (`EngineConfig.peer_generations`), and save `peer_generations()`
whenever `peers_changed` is set (then clear it): that happens when a peer's
generation increases, not per packet.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from heartbeat_compat.membership import events as ev
from heartbeat_compat.membership.events import Event
from heartbeat_compat.membership.fields import (
    T_ACKMSG,
    T_NAKREXMIT,
    T_NS_STATUS,
    T_REPNODES,
    T_REQNODES,
    T_REXMIT,
    T_SHUTDONE,
    T_STARTING,
    T_STATUS,
    Fields,
    get_bytes,
    get_str,
    parse_dec,
    parse_hex,
)
from heartbeat_compat.membership.history import SendHistory
from heartbeat_compat.membership.liveness import dead_deadline, engine_snapshot, expired_links
from heartbeat_compat.membership.nodes import (
    LINK_DEAD,
    LINK_UP,
    NORMAL,
    PING,
    ST_ACTIVE,
    ST_DEAD,
    ST_INIT,
    ST_PING,
    ST_UP,
    LinkState,
    NodeInfo,
    NodeTable,
)
from heartbeat_compat.membership.outgoing import MessageFactory
from heartbeat_compat.membership.seqtrack import Verdict
from heartbeat_compat.membership.timing import POLL_INTERVAL_MS, Timing

REQNODES_INTERVAL = 1.0
HOPFUDGE = 1


@dataclass(frozen=True)
class EngineConfig:
    me: str
    nodes: tuple[str, ...]  # configured `node` names, lowercase, config order
    links: tuple[str, ...]  # link (medium) names of the normal media
    timing: Timing
    uuid: bytes
    generation: int
    ping_nodes: tuple[str, ...] = ()
    answer_starting: bool = True  # reply `resource rsc_hold=none` to nice_failback `starting`
    hopfudge: int = HOPFUDGE  # ttl = hopfudge + number of nodes
    # Message types handed to the application (`app_inbox`) instead of being ignored,
    # e.g. pycrm's `crm` messages; they are sequenced and retransmitted like any other.
    app_types: frozenset[str] = frozenset()
    # last generation seen from each peer before our restart: older ones are replays
    peer_generations: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


class MembershipEngine:
    def __init__(
        self,
        cfg: EngineConfig,
        factory: MessageFactory | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.cfg = cfg
        self.me = cfg.me
        self.timing = cfg.timing
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not crypto
        self.factory = factory or MessageFactory(
            cfg.me, cfg.uuid, cfg.generation, ttl=cfg.hopfudge + len(cfg.nodes)
        )
        self.nodes = NodeTable()
        for name in cfg.nodes:
            node = NodeInfo(name=name, ack_trigger=self.rng.randrange(10))
            node.links = {link: LinkState() for link in cfg.links}
            if name == cfg.me:
                node.uuid = cfg.uuid
            else:
                node.seq.generation = cfg.peer_generations.get(name, 0)
            self.nodes.add(node)
        for ip in cfg.ping_nodes:
            self.nodes.add(NodeInfo(name=ip, kind=PING, links={ip: LinkState()}))
        self.local_status = ST_INIT
        self.comm_up = False
        self.flow_control = True
        self.history = SendHistory()
        self.outbox: list[Fields] = []
        self.ping_outbox: list[tuple[str, Fields]] = []
        self.events: list[Event] = []
        self.app_inbox: list[tuple[str, int, Fields]] = []  # (node, its generation, fields)
        self.counters: dict[str, int] = {}
        self.peers_changed = False  # a peer's generation increased: save peer_generations()
        self.started_at = 0.0
        self._next_status = 0.0
        self._next_poll = 0.0
        self._next_reqnodes: float | None = None
        self._reqnodes_waiting = False
        self._reported: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def _count(self, key: str) -> None:
        self.counters[key] = self.counters.get(key, 0) + 1

    def _emit(self, event: Event) -> None:
        self.events.append(event)

    def _once(self, key: str, event: Event) -> None:
        """Emit `event` only the first time `key` is seen (misconfiguration reports)."""
        if key not in self._reported:
            self._reported.add(key)
            self._emit(event)

    def _send(self, body: Fields, dest: NodeInfo | None = None) -> None:
        msg, seq = self.factory.finish(body, dest.uuid if dest is not None else None)
        if seq is not None:
            self.history.add(seq, msg)
        self.outbox.append(msg)
        self._count("sent")

    def _status_body(self) -> Fields:
        body: Fields = [
            ("t", T_STATUS),
            ("st", self.local_status),
            ("dt", f"{self.timing.deadtime_ms:x}"),
        ]
        if self.flow_control:
            body.append(("protocol", "1"))
        return body

    def _set_local_status(self, status: str, now: float) -> None:
        self.local_status = status
        me = self.nodes.get(self.me)
        if me is not None:
            me.status = status
        self._emit(ev.local_status(status))
        self._send(self._status_body())
        self._next_status = now + self.timing.keepalive_ms / 1000

    # ---------------------------------------------------------------- lifecycle
    def start(self, now: float) -> None:
        """First status `init`, then `up` at once, as heartbeat does."""
        self.started_at = now
        self._send(self._status_body())
        self._set_local_status(ST_UP, now)
        self._next_poll = now + POLL_INTERVAL_MS / 1000
        self._send_pings()

    def send_app(self, body: Fields) -> None:
        """Queue an application message (its `t` in `app_types`) to every node, sequenced
        and kept for retransmission like heartbeat's own messages."""
        self._send(body)

    def members(self) -> list[str]:
        """This node and the peers heartbeat currently sees alive (`up` or `active`)."""
        return [
            n.name
            for n in self.nodes.normal()
            if n.name == self.me or n.status in (ST_UP, ST_ACTIVE)
        ]

    def silent_peers(self, now: float, quiet: float) -> list[str]:
        """Peers still counted alive (`up` or `active`) that no link has heard from for
        ``quiet`` seconds or more."""
        silent = []
        for n in self.nodes.normal():
            if n.name == self.me or n.status not in (ST_UP, ST_ACTIVE):
                continue
            heard = [s.last_heard for s in n.links.values() if s.last_heard is not None]
            if not heard or now - max(heard) >= quiet:
                silent.append(n.name)
        return silent

    def shutdown(self) -> None:
        """Announce a graceful stop: `shutdone st=dead` (peers then wait deadtime)."""
        self._send([("t", T_SHUTDONE), ("st", ST_DEAD)])

    # ------------------------------------------------------------------ receive
    def receive(self, now: float, fields: Fields, link: str) -> None:
        """Process one authenticated message that arrived on `link`."""
        self._count("received")
        msgtype = get_str(fields, "t")
        src = get_str(fields, "src")
        ts = parse_hex(get_str(fields, "ts"))
        if not msgtype or not src or not ts:
            self._count("dropped_malformed")
            return
        if msgtype == T_NS_STATUS:
            self._receive_ping(now, fields, src, link)
            return
        node = self._identify(fields, src)
        if node is None or node.kind != NORMAL:
            self._count("dropped_unknown_node")
            return
        if node.name == self.me:
            uuid = get_bytes(fields, "srcuuid")
            if uuid is not None and uuid != self.cfg.uuid:
                self._once(f"dup:{uuid.hex()}", ev.duplicate_name(self.me))
                self._count("dropped_duplicate_name")
                return
            self._refresh_link(node, link, now)
            self._count("own_packets")
            return
        if not msgtype.startswith("NS_"):
            seq = parse_hex(get_str(fields, "seq"))
            if not seq:
                self._count("dropped_malformed")
                return
            gen = parse_hex(get_str(fields, "hg")) or 0
            verdict = self._track(node, seq, gen, now)
            if verdict is Verdict.REPLAY:
                return
            # A duplicate is the same packet arriving on another medium: it
            # still proves that link alive.
            self._refresh_link(node, link, now)
            if verdict in (Verdict.DUPLICATE, Verdict.OLD):
                return
        else:
            seq = 0
            self._refresh_link(node, link, now)
        if not self._for_me(fields):
            self._count("not_for_me")
            return
        self._dispatch(node, msgtype, seq, fields, now)

    def _identify(self, fields: Fields, src: str) -> NodeInfo | None:
        uuid = get_bytes(fields, "srcuuid")
        node = self.nodes.by_uuid(uuid) if uuid else None
        if node is not None and node.name != src:
            # heartbeat renames the node; we keep the configured name and say so (once).
            self._once(f"rename:{node.name}:{src}", ev.uuid_rename(node.name, src))
            return None
        if node is None:
            node = self.nodes.get(src)
            if node is None:
                self._once(f"bad:{src}", ev.bad_node(src))
                return None
            if uuid is not None and len(uuid) == 16 and node.name != self.me:
                self.nodes.learn_uuid(node, uuid)
        return node

    def _for_me(self, fields: Fields) -> bool:
        destuuid = get_bytes(fields, "destuuid")
        if destuuid is not None:
            return destuuid == self.cfg.uuid
        dest = get_str(fields, "dest")
        return dest is None or dest == self.me

    def _refresh_link(self, node: NodeInfo, link: str, now: float) -> None:
        state = node.links.setdefault(link, LinkState())
        state.last_heard = now
        if state.status != LINK_UP:
            state.status = LINK_UP
            self._emit(ev.link_up(node.name, link))

    def _track(self, node: NodeInfo, seq: int, gen: int, now: float) -> Verdict:
        res = node.seq.check(seq, gen)
        if res.verdict is Verdict.REPLAY:
            self._emit(ev.replay(node.name, gen, node.seq.generation))
            self._count("dropped_replay")
            return res.verdict
        if node.seq.generation > res.old_generation:
            self.peers_changed = True
        if res.restarted:
            self._emit(ev.restart(node.name))
            node.rexmit_due.clear()
            node.status_seq = 0
            node.shutting_down = False
            node.restarted = True
            if node.last_status is not None:
                node.last_status = now  # a fresh process: no late-heartbeat verdict
        if res.verdict in (Verdict.DUPLICATE, Verdict.OLD):
            self._count("dropped_duplicate")
            return res.verdict
        if res.verdict is Verdict.GAP:
            self._emit(ev.lost_packets(node.name, res.gap_count, res.gap_from, seq))
            self._count("gaps")
            for missing in range(res.gap_from + 1, seq):
                delay = self.rng.uniform(0.05, self.timing.max_rexmit_delay_ms / 1000)
                node.rexmit_due[missing] = now + delay
        elif res.verdict is Verdict.RESET:
            self._emit(ev.lost_a_lot(node.name))
            node.rexmit_due.clear()
        elif res.verdict is Verdict.FILLED:
            node.rexmit_due.pop(seq, None)
            self._count("filled")
            if res.missing_now_empty:
                self._emit(ev.none_missing(node.name))
        if (
            self.flow_control
            and node.protocol
            and not node.seq.missing
            and seq % 10 == node.ack_trigger
            and seq == node.seq.last_seq
        ):
            self._send([("t", T_ACKMSG), ("dest", node.name), ("ackseq", f"{seq:x}")], node)
            self._count("acks_sent")
        return res.verdict

    def _dispatch(self, node: NodeInfo, msgtype: str, seq: int, fields: Fields, now: float) -> None:
        if msgtype == T_STATUS:
            self._on_status(node, seq, fields, now)
        elif msgtype == T_ACKMSG:
            acked = parse_hex(get_str(fields, "ackseq"))
            if acked is not None:
                node.acked = max(node.acked, acked)
                self._count("acks_received")
        elif msgtype == T_REXMIT:
            self._on_rexmit(node, fields, now)
        elif msgtype == T_NAKREXMIT:
            lost = parse_hex(get_str(fields, "firstseq"))
            if lost is not None and lost in node.seq.missing:
                node.seq.missing.discard(lost)
                node.rexmit_due.pop(lost, None)
                self._emit(ev.irretrievable(node.name, lost))
        elif msgtype == T_REQNODES:
            nodelist = "".join(f"{n} " for n in self.cfg.nodes)
            self._send(
                [
                    ("dest", node.name),
                    ("t", T_REPNODES),
                    ("nodelist", nodelist),
                    ("delnodelist", " "),
                ],
                node,
            )
        elif msgtype == T_REPNODES:
            if self._reqnodes_waiting:
                self._reqnodes_waiting = False
                self._comm_now_up(now)
        elif msgtype == T_SHUTDONE:
            node.shutting_down = True
            self._emit(ev.shutdown_notice(node.name))
        elif msgtype in self.cfg.app_types:
            self.app_inbox.append((node.name, node.seq.generation, fields))
        elif msgtype == T_STARTING and self.cfg.answer_starting:
            # A membership-only node holds no resources and is always stable.
            self._send(
                [("t", "resource"), ("rsc_hold", "none"), ("rtype", "full"), ("isstable", "1")]
            )
        else:
            self._count(f"ignored_{msgtype}"[:40])

    def _on_status(self, node: NodeInfo, seq: int, fields: Fields, now: float) -> None:
        status = get_str(fields, "st")
        if not status or len(status) > 32:
            self._count("dropped_malformed")
            return
        if seq < node.status_seq:
            return  # a retransmitted old status: the newer one stands
        node.status_seq = seq
        dt = parse_hex(get_str(fields, "dt"))
        if dt:
            node.dead_ms = dt
        if get_str(fields, "protocol") is None:
            node.protocol = False
            if self.flow_control:
                self.flow_control = False
                self._emit(ev.flow_control_off())
        else:
            node.protocol = True
        if node.status == ST_DEAD and not node.restarted and node.seq.generation:
            # Same generation after we declared it dead: a healed partition.
            self._emit(ev.partition_return(node.name))
        node.restarted = False
        if node.last_status is not None and node.status != ST_DEAD:
            interval_ms = int((now - node.last_status) * 1000)
            if interval_ms > self.timing.warn_ms:
                dead_ms = node.dead_interval_ms(self.timing.deadtime_ms)
                self._emit(ev.late_heartbeat(node.name, interval_ms, interval_ms > dead_ms))
        node.last_status = now
        if status != node.status:
            node.status = status
            self._emit(ev.status_update(node.name, status))

    def _on_rexmit(self, node: NodeInfo, fields: Fields, now: float) -> None:
        first = parse_dec(get_str(fields, "firstseq"))
        last = parse_dec(get_str(fields, "lastseq"))
        if first is None or last is None:
            self._count("dropped_malformed")
            return
        min_interval = (self.timing.max_rexmit_delay_ms - 10) / 1000
        resend, naks = self.history.rexmit(first, last, now, min_interval)
        for msg in resend:
            self.outbox.append(msg)
            self._count("rexmit_sent")
        for lost, reason in naks:
            self._emit(ev.cannot_rexmit(lost, node.name, reason))
            self._send(
                [
                    ("t", T_NAKREXMIT),
                    ("firstseq", f"{lost:x}"),
                    ("dest", node.name),
                    ("info", reason),
                ],
                node,
            )

    def _receive_ping(self, now: float, fields: Fields, src: str, link: str) -> None:
        node = self.nodes.get(src)
        if node is None or node.kind != PING or link != node.name:
            self._count("dropped_unknown_node")
            return
        self._refresh_link(node, link, now)
        node.last_status = now
        if node.status != ST_PING:
            node.status = ST_PING
            self._emit(ev.status_update(node.name, ST_PING))

    # ---------------------------------------------------------------- timers
    def _comm_now_up(self, now: float) -> None:
        if self.comm_up:
            return
        self.comm_up = True
        self._next_reqnodes = None
        self._emit(ev.comm_up())
        self._set_local_status(ST_ACTIVE, now)

    def _send_pings(self) -> None:
        for node in self.nodes.pings():
            body: Fields = [
                ("t", T_NS_STATUS),
                ("st", ST_PING),
                ("info", "ping"),
                ("src", node.name),
                ("ts", self.factory.ts()),
            ]
            self.ping_outbox.append((node.name, body))

    def tick(self, now: float) -> None:
        if now >= self._next_status:
            self._send(self._status_body())
            self._send_pings()
            step = self.timing.keepalive_ms / 1000
            self._next_status += step
            if self._next_status <= now:  # we were stalled: do not burst
                self._next_status = now + step
        self._check_dead(now)
        self._check_comm(now)
        self._check_rexmit(now)
        if now >= self._next_poll:
            self._next_poll = now + POLL_INTERVAL_MS / 1000

    def _deadline(self, node: NodeInfo) -> float | None:
        return dead_deadline(node, self.timing, self.comm_up, self.started_at)

    def _check_dead(self, now: float) -> None:
        for node in self.nodes:
            if node.name == self.me:
                self._check_links(node, now, self.timing.deadtime_ms)
                continue
            deadline = self._deadline(node)
            if deadline is not None and now >= deadline:
                self._declare_dead(node)
            interval = self.timing.ping_ms if node.kind == PING else self.timing.deadtime_ms
            self._check_links(node, now, node.dead_interval_ms(interval))

    def _check_links(self, node: NodeInfo, now: float, interval_ms: int) -> None:
        for link in expired_links(node, now, interval_ms):
            self._emit(ev.link_dead(node.name, link))

    def _declare_dead(self, node: NodeInfo) -> None:
        node.status = ST_DEAD
        self._emit(ev.node_dead(node.name))
        for link, state in node.links.items():
            if state.status == LINK_UP:
                state.status = LINK_DEAD
                self._emit(ev.link_dead(node.name, link))
        node.seq.reset()
        node.rexmit_due.clear()
        node.status_seq = 0
        node.last_status = None

    def _check_comm(self, now: float) -> None:
        if self.comm_up:
            return
        peers = [n for n in self.nodes.normal() if n.name != self.me]
        if any(n.status == ST_INIT for n in peers):
            return
        live = [n for n in peers if n.status != ST_DEAD]
        if not live or not self.flow_control:
            self._comm_now_up(now)
            return
        if self._next_reqnodes is None or now >= self._next_reqnodes:
            self._reqnodes_waiting = True
            self._send([("t", T_REQNODES), ("dest", live[0].name)], live[0])
            self._next_reqnodes = now + REQNODES_INTERVAL

    def _check_rexmit(self, now: float) -> None:
        step = self.timing.max_rexmit_delay_ms / 1000
        for node in self.nodes.normal():
            if not node.rexmit_due:
                continue
            if node.status not in (ST_UP, ST_ACTIVE):
                continue
            for seq, due in sorted(node.rexmit_due.items()):
                if now < due:
                    continue
                if seq not in node.seq.missing:
                    del node.rexmit_due[seq]
                    continue
                self._send(
                    [
                        ("t", T_REXMIT),
                        ("dest", node.name),
                        ("firstseq", str(seq)),
                        ("lastseq", str(seq)),
                    ],
                    node,
                )
                self._count("rexmit_requested")
                node.rexmit_due[seq] = now + step

    def next_wakeup(self, now: float) -> float:
        """The monotonic time at which `tick` must run next."""
        times = [self._next_status, self._next_poll]
        if self._next_reqnodes is not None and not self.comm_up:
            times.append(self._next_reqnodes)
        for node in self.nodes:
            deadline = self._deadline(node) if node.name != self.me else None
            if deadline is not None:
                times.append(deadline)
            times.extend(node.rexmit_due.values())
        return max(min(times), now)

    # ------------------------------------------------------------------ queries
    def peer_generations(self) -> dict[str, int]:
        """Last generation seen from each configured peer (those heard from, or seeded)."""
        return {
            n.name: n.seq.generation
            for n in self.nodes.normal()
            if n.name != self.me and n.seq.generation > 0
        }

    def snapshot(self) -> dict[str, Any]:
        """Everything a status client may ask, as plain data."""
        return engine_snapshot(self)
