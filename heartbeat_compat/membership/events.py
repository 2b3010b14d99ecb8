"""Membership events, worded exactly like heartbeat 3.0.6 logs them."""

from __future__ import annotations

from dataclasses import dataclass, field

# heartbeat's log levels as they appear in ha-log: "info:", "WARN:", "ERROR:", "CRIT:", "debug:".
INFO = "info"
WARN = "WARN"
ERROR = "ERROR"
CRIT = "CRIT"
DEBUG = "debug"


@dataclass(frozen=True)
class Event:
    """Something worth logging. `kind` is a stable code for tests and clients."""

    level: str
    kind: str
    text: str
    node: str = ""
    data: dict[str, str] = field(default_factory=dict)


def link_up(node: str, link: str) -> Event:
    return Event(INFO, "link-up", f"Link {node}:{link} up.", node, {"link": link})


def link_dead(node: str, link: str) -> Event:
    return Event(INFO, "link-dead", f"Link {node}:{link} dead.", node, {"link": link})


def status_update(node: str, status: str) -> Event:
    return Event(
        INFO,
        "status-update",
        f"Status update for node {node}: status {status}",
        node,
        {"status": status},
    )


def node_dead(node: str) -> Event:
    return Event(WARN, "node-dead", f"node {node}: is dead", node)


def local_status(status: str) -> Event:
    return Event(
        INFO, "local-status", f"Local status now set to: '{status}'", data={"status": status}
    )


def comm_up() -> Event:
    return Event(INFO, "comm-up", "Comm_now_up(): updating status to active")


def late_heartbeat(node: str, interval_ms: int, beyond_deadtime: bool) -> Event:
    if beyond_deadtime:
        return Event(
            CRIT,
            "late-heartbeat",
            f"Late heartbeat: Node {node}: interval {interval_ms} ms (> deadtime)",
            node,
        )
    return Event(
        WARN, "late-heartbeat", f"Late heartbeat: Node {node}: interval {interval_ms} ms", node
    )


def restart(node: str) -> Event:
    return Event(INFO, "restart", f"Heartbeat restart on node {node}", node)


def replay(node: str, gen: int, curgen: int) -> Event:
    return Event(
        ERROR,
        "replay",
        f"should_drop_message: attempted replay attack [{node}]? [gen = {gen}, curgen = {curgen}]",
        node,
    )


def lost_packets(node: str, count: int, last: int, seq: int) -> Event:
    return Event(WARN, "lost-packets", f"{count} lost packet(s) for [{node}] [{last}:{seq}]", node)


def lost_a_lot(node: str) -> Event:
    return Event(ERROR, "lost-a-lot", f"lost a lot of packets from {node}!", node)


def none_missing(node: str) -> Event:
    return Event(INFO, "no-missing", f"No pkts missing from {node}!", node)


def irretrievable(node: str, seq: int) -> Event:
    return Event(ERROR, "irretrievable", f"Irretrievably lost packet: node {node}: seq {seq}", node)


def cannot_rexmit(seq: int, node: str, reason: str) -> Event:
    return Event(ERROR, "cannot-rexmit", f"Cannot rexmit pkt {seq} for {node}: {reason}", node)


def bad_node(name: str) -> Event:
    return Event(ERROR, "bad-node", f"process_status_message: bad node [{name}] in message", name)


def flow_control_off() -> Event:
    return Event(
        INFO, "flow-control-off", "flow control disabled due to different version heartbeat"
    )


def shutdown_notice(node: str) -> Event:
    return Event(INFO, "shutdown-notice", f"Received shutdown notice from '{node}'.", node)


def uuid_rename(old: str, new: str) -> Event:
    return Event(WARN, "uuid-rename", f"nodename {old} uuid changed to {new}", new)


def duplicate_name(me: str) -> Event:
    return Event(
        ERROR,
        "duplicate-name",
        f"another node with a different uuid uses our node name [{me}]: its packets are ignored",
        me,
    )


def partition_return(node: str) -> Event:
    return Event(CRIT, "partition-return", f"Cluster node {node} returning after partition.", node)
