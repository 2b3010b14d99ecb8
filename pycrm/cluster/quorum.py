"""Quorum as corosync's votequorum computes it, for the nodes heartbeat sees.

One vote per configured node.  A partition is quorate when its members hold more than half
of the votes.  ``two_node``: one vote suffices (the other node's fate is decided by fencing,
or by nothing, as with heartbeat).  ``wait_for_all``: the partition is not quorate for the
first time until every configured node has been a member at once (votequorum(5): a two-node
cluster sets it by default, so that a node booting alone never takes the resources).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class QuorumState:
    quorate: bool
    votes: int  # members' votes
    expected: int  # all configured votes
    needed: int
    waiting_for_all: bool = False

    def text(self) -> str:
        """``quorum 2/3``, ``no quorum 1/3``, ``waiting for all nodes 1/2``."""
        if self.waiting_for_all:
            return f"waiting for all nodes {self.votes}/{self.expected}"
        word = "quorum" if self.quorate else "no quorum"
        return f"{word} {self.votes}/{self.expected}"


class Quorum:
    def __init__(self, nodes: Iterable[str], *, two_node: bool, wait_for_all: bool) -> None:
        self.nodes = tuple(nodes)
        if two_node and len(self.nodes) != 2:
            raise ValueError("two_node needs exactly two configured nodes")
        self.two_node = two_node
        self.seen_all = not wait_for_all
        self.state = self.update(())

    @property
    def needed(self) -> int:
        return 1 if self.two_node else len(self.nodes) // 2 + 1

    def update(self, members: Iterable[str]) -> QuorumState:
        """The quorum of a partition whose members (this node included) are ``members``."""
        present = set(members) & set(self.nodes)
        if not self.seen_all and present == set(self.nodes):
            self.seen_all = True
        votes = len(present)
        waiting = not self.seen_all
        state = QuorumState(
            quorate=not waiting and votes >= self.needed,
            votes=votes,
            expected=len(self.nodes),
            needed=self.needed,
            waiting_for_all=waiting,
        )
        self.state = state
        return state
