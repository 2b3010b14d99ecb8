"""What the metrics are computed from, beyond the CIB (plain data)."""

from __future__ import annotations

from dataclasses import dataclass

from cib.model import Cib
from pycrm.cluster.quorum import QuorumState
from pycrm.status.snapshot import DaemonSnapshot


@dataclass(frozen=True)
class Ring:
    """A heartbeat link as this node sees it."""

    number: int
    name: str
    peers_alive: int  # peers alive on any link
    peers_heard: int  # ... of which this link carries


@dataclass(frozen=True)
class Membership:
    """What only the membership layer knows: quorum, the partition, the links."""

    local_node: str
    quorum: QuorumState
    members: tuple[str, ...]  # the partition, this node included
    rings: tuple[Ring, ...] = ()


@dataclass(frozen=True)
class Scrape:
    """What a scrape needs from the node, taken when it is asked for."""

    cib: Cib
    snapshot: DaemonSnapshot
    membership: Membership
