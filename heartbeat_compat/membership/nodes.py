"""The node table: configured nodes, ping nodes, their links and liveness."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from heartbeat_compat.membership.seqtrack import SeqTracker

NORMAL = "normal"
PING = "ping"

# Node status strings exactly as heartbeat reports them.
ST_INIT = "init"
ST_UP = "up"
ST_ACTIVE = "active"
ST_DEAD = "dead"
ST_PING = "ping"

LINK_UP = "up"
LINK_DEAD = "dead"


@dataclass
class LinkState:
    status: str = LINK_DEAD
    last_heard: float | None = None


@dataclass
class NodeInfo:
    name: str
    kind: str = NORMAL
    uuid: bytes | None = None
    status: str = ST_INIT
    links: dict[str, LinkState] = field(default_factory=dict)
    last_status: float | None = None  # monotonic time of the last accepted status
    dead_ms: int | None = None  # from the peer's `dt` field
    status_seq: int = 0  # seq of the status message `status` came from
    seq: SeqTracker = field(default_factory=SeqTracker)
    ack_trigger: int = 0
    acked: int = 0  # highest seq this peer acknowledged for us
    rexmit_due: dict[int, float] = field(default_factory=dict)
    protocol: bool = False  # peer speaks flow control (protocol=1)
    shutting_down: bool = False
    restarted: bool = False  # a new generation was seen since the last status

    def dead_interval_ms(self, default_ms: int) -> int:
        return self.dead_ms if self.dead_ms else default_ms

    @property
    def alive(self) -> bool:
        return self.status not in (ST_DEAD, ST_INIT)


class NodeTable:
    """Nodes in configuration order; lookups by name and by UUID."""

    def __init__(self) -> None:
        self._nodes: dict[str, NodeInfo] = {}
        self._by_uuid: dict[bytes, str] = {}

    def add(self, node: NodeInfo) -> None:
        self._nodes[node.name] = node
        if node.uuid is not None:
            self._by_uuid[node.uuid] = node.name

    def get(self, name: str) -> NodeInfo | None:
        return self._nodes.get(name)

    def by_uuid(self, uuid: bytes) -> NodeInfo | None:
        name = self._by_uuid.get(uuid)
        return self._nodes.get(name) if name is not None else None

    def learn_uuid(self, node: NodeInfo, uuid: bytes) -> None:
        if node.uuid is not None and node.uuid != uuid:
            self._by_uuid.pop(node.uuid, None)
        node.uuid = uuid
        self._by_uuid[uuid] = node.name

    def __iter__(self) -> Iterator[NodeInfo]:
        return iter(list(self._nodes.values()))

    def names(self) -> list[str]:
        return list(self._nodes)

    def normal(self) -> list[NodeInfo]:
        return [n for n in self._nodes.values() if n.kind == NORMAL]

    def pings(self) -> list[NodeInfo]:
        return [n for n in self._nodes.values() if n.kind == PING]
