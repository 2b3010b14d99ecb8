"""Liveness rules (when a node or link counts as dead) and the status snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heartbeat_compat.membership.nodes import LINK_DEAD, LINK_UP, PING, ST_DEAD, NodeInfo
from heartbeat_compat.membership.timing import Timing

if TYPE_CHECKING:
    from heartbeat_compat.membership.engine import MembershipEngine


def dead_deadline(node: NodeInfo, timing: Timing, comm_up: bool, started_at: float) -> float | None:
    """When `node` is due to be declared dead (None: it already is).

    The interval is the peer's own `dt` if it sent one, else our deadtime
    (deadping for ping nodes); before comm is up heartbeat waits at least
    initdead, and a node never heard from is judged from our start time.
    """
    if node.status == ST_DEAD:
        return None
    if node.kind == PING:
        interval_ms = timing.ping_ms
    else:
        interval_ms = node.dead_interval_ms(timing.deadtime_ms)
        if not comm_up:
            interval_ms = max(interval_ms, timing.init_ms)
    if node.last_status is None:
        return started_at + timing.init_ms / 1000
    return node.last_status + interval_ms / 1000


def expired_links(node: NodeInfo, now: float, interval_ms: int) -> list[str]:
    """Mark links not heard from for `interval_ms` dead; return their names."""
    expired = []
    for link, state in node.links.items():
        if state.status != LINK_UP or state.last_heard is None:
            continue
        if now >= state.last_heard + interval_ms / 1000:
            state.status = LINK_DEAD
            expired.append(link)
    return expired


def engine_snapshot(engine: MembershipEngine) -> dict[str, Any]:
    """Everything a status client may ask, as plain data (JSON-serialisable)."""
    timing = engine.timing
    nodes = []
    for node in engine.nodes:
        default_ms = timing.ping_ms if node.kind == PING else timing.deadtime_ms
        nodes.append(
            {
                "name": node.name,
                "type": node.kind,
                "status": node.status,
                "links": {k: v.status for k, v in node.links.items()},
                "deadtime_ms": node.dead_interval_ms(default_ms),
                "generation": node.seq.generation,
                "last_seq": node.seq.last_seq,
                "missing": len(node.seq.missing),
                "uuid": node.uuid.hex() if node.uuid else "",
            }
        )
    return {
        "me": engine.me,
        "status": engine.local_status,
        "comm_up": engine.comm_up,
        "flow_control": engine.flow_control,
        "generation": engine.factory.generation,
        "seq": engine.factory.seq,
        "keepalive_ms": timing.keepalive_ms,
        "deadtime_ms": timing.deadtime_ms,
        "warntime_ms": timing.warn_ms,
        "initdead_ms": timing.init_ms,
        "nodes": nodes,
        "counters": dict(engine.counters),
    }
