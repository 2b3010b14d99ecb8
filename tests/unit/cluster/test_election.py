"""DC election on a simulated network of election cores with partitions and restarts."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pycrm.cluster.election import Election

NODES = ("node1", "node2", "node3")


class Net:
    """Delivers every election message to the nodes in the sender's partition."""

    def __init__(self, nodes: tuple[str, ...] = NODES, settle: float = 0.0) -> None:
        self.nodes = nodes
        self.settle = settle
        self.cores = {n: Election(n, nodes, timeout=1.0, settle=settle) for n in nodes}
        self.up = set(nodes)
        self.groups: list[set[str]] = [set(nodes)]
        self.now = 0.0

    def group_of(self, node: str) -> set[str]:
        for g in self.groups:
            if node in g:
                return g & self.up
        return {node} & self.up

    def membership(self) -> None:
        for n in sorted(self.up):
            self.cores[n].membership(self.group_of(n), self.now)
        self.pump()

    def pump(self, rounds: int = 50) -> None:
        for _ in range(rounds):
            moved = False
            for src in sorted(self.up):
                core = self.cores[src]
                out, core.outbox = core.outbox, []
                for kind, payload, dest in out:
                    for dst in sorted(self.group_of(src)):
                        if dst == src or (dest is not None and dest != dst):
                            continue
                        self.cores[dst].receive(src, kind, payload, self.now)
                        moved = True
            if not moved:
                return

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while self.now < end:
            self.now = round(self.now + 0.1, 3)
            for n in sorted(self.up):
                self.cores[n].tick(self.now)
            self.pump()

    def crash(self, node: str) -> None:
        self.up.discard(node)
        self.membership()

    def restart(self, node: str, keep_term: bool = True) -> None:
        term = self.cores[node].term if keep_term else 0
        self.cores[node] = Election(node, self.nodes, timeout=1.0, term=term, settle=self.settle)
        self.up.add(node)
        self.membership()

    def partition(self, *groups: set[str]) -> None:
        self.groups = [set(g) for g in groups]
        self.membership()

    def dcs(self, among: set[str] | None = None) -> set[str]:
        return {n for n in (among or self.up) if self.cores[n].is_dc}

    def followed(self, among: set[str]) -> set[str | None]:
        return {self.cores[n].dc for n in among}


def test_one_dc_at_start_and_everyone_follows_it() -> None:
    net = Net()
    net.membership()
    assert net.dcs() == {"node1"}
    assert net.followed(set(NODES)) == {"node1"}
    assert {c.term for c in net.cores.values()} == {1}


def test_dc_crash_elects_the_next_node_in_a_new_term() -> None:
    net = Net()
    net.membership()
    net.crash("node1")
    assert net.dcs() == {"node2"}
    assert net.followed({"node2", "node3"}) == {"node2"}
    assert net.cores["node2"].term == 2


def test_a_non_dc_crash_keeps_the_dc() -> None:
    net = Net()
    net.membership()
    net.crash("node3")
    assert net.dcs() == {"node1"}
    assert net.cores["node1"].term == 1


def test_restarted_node_follows_the_incumbent_without_an_election() -> None:
    net = Net()
    net.membership()
    net.crash("node1")
    net.restart("node1")
    assert net.dcs() == {"node2"}
    assert net.followed(set(NODES)) == {"node2"}


def test_node_that_lost_its_term_catches_up_instead_of_taking_over() -> None:
    net = Net()
    net.membership()
    net.crash("node1")
    net.advance(0.5)
    net.restart("node1", keep_term=False)
    net.advance(2)
    assert net.dcs() == {"node2"}
    assert net.followed(set(NODES)) == {"node2"}
    assert len({c.term for c in net.cores.values()}) == 1


def test_partition_gives_each_side_a_dc_and_healing_leaves_one() -> None:
    net = Net()
    net.membership()
    net.partition({"node1"}, {"node2", "node3"})
    assert net.dcs({"node1"}) == {"node1"}
    assert net.dcs({"node2", "node3"}) == {"node2"}
    net.partition(set(NODES))
    net.advance(2)
    dcs = net.dcs()
    assert len(dcs) == 1
    assert net.followed(set(NODES)) == dcs


def test_a_node_from_a_newer_partition_term_is_not_left_without_a_dc() -> None:
    """Two nodes split: node2 becomes DC of its half in term 2 and is fenced; node1 stays
    DC in term 1.  node2 restarts with its saved term 2: node1's announcement is older, so
    node2 tells it; node1 steps down and wins a new term that both follow."""
    net = Net(nodes=("node1", "node2"))
    net.membership()
    net.partition({"node1"}, {"node2"})
    assert net.cores["node2"].term > net.cores["node1"].term
    net.crash("node2")
    net.groups = [{"node1", "node2"}]
    net.restart("node2")
    net.advance(2)
    assert net.dcs() == {"node1"}
    assert net.followed({"node1", "node2"}) == {"node1"}
    assert net.cores["node1"].term == net.cores["node2"].term


def test_a_member_whose_announcement_was_lost_asks_who_the_dc_is() -> None:
    net = Net(nodes=("node1", "node2"))
    net.membership()
    net.partition({"node1"}, {"node2"})
    net.crash("node2")
    net.groups = [{"node1", "node2"}]
    term = net.cores["node2"].term
    net.cores["node2"] = Election("node2", net.nodes, timeout=1.0, term=term)
    net.up.add("node2")
    for node in ("node1", "node2"):
        net.cores[node].membership({"node1", "node2"}, net.now)
    net.cores["node1"].outbox.clear()  # the announcement reached node2 before it listened
    net.cores["node2"].outbox.clear()  # and so did its first question
    net.advance(3)
    assert net.dcs() == {"node1"}
    assert net.followed({"node1", "node2"}) == {"node1"}


def test_settle_delays_the_first_election_only() -> None:
    net = Net(settle=0.5)
    net.membership()
    assert net.dcs() == set()
    net.advance(0.6)
    assert net.dcs() == {"node1"}
    net.crash("node1")
    assert net.dcs() == {"node2"}  # no settle once a DC was known


def test_a_dc_told_of_a_newer_term_moves_to_it_and_announces_itself() -> None:
    core = Election("node1", NODES, timeout=1.0, term=3)
    core.stale_dc("node2", 2)
    assert core.outbox == [("not_dc", {"term": 3}, "node2")]
    dc = Election("node2", NODES, timeout=1.0, term=2, dc="node2")
    dc.receive("node1", "not_dc", {"term": 3}, 0.0)
    assert dc.is_dc and dc.term == 3 and dc.term_changed
    assert [e.kind for e in dc.events] == ["new-term"]
    assert dc.outbox == [("dc", {"term": 3}, None)]


def test_a_restarted_first_node_that_stands_in_a_newer_term_follows_the_dc() -> None:
    """node1 crashes while DC; node2 takes over.  node1 comes back knowing a newer term than
    node2's (it stood for election just before it went): node2 keeps its office in that
    term, and every node, node1 included, follows it there (each of them saw the change of
    term, which the CIB layer stamps its messages with)."""
    net = Net()
    net.membership()
    net.crash("node1")
    net.cores["node1"].term = net.cores["node2"].term + 1  # what it persisted before it died
    for core in net.cores.values():
        core.events.clear()
    net.restart("node1")
    net.advance(2)
    assert net.dcs() == {"node2"}
    assert net.followed(set(NODES)) == {"node2"}
    assert len({c.term for c in net.cores.values()}) == 1
    assert [e.kind for e in net.cores["node3"].events] == ["new-term"]


def test_a_node_back_from_a_minority_term_does_not_leave_the_cluster_without_a_dc() -> None:
    """node2 is DC (node1 crashed); node3 is cut off, makes itself DC of its own half in a
    newer term, is fenced and restarts.  node2 hears from it that a newer term exists: it
    keeps its office in that term, and node1 (which follows node2 and could stand) is never
    left following a DC that stepped down without telling it."""
    net = Net()
    net.membership()
    net.crash("node1")
    net.restart("node1")
    net.partition({"node1", "node2"}, {"node3"})
    assert net.cores["node3"].term > net.cores["node2"].term
    net.crash("node3")
    net.groups = [set(NODES)]
    net.restart("node3")
    net.advance(3)
    assert net.dcs() == {"node2"}
    assert net.followed(set(NODES)) == {"node2"}
    assert len({c.term for c in net.cores.values()}) == 1


def test_garbage_is_ignored() -> None:
    core = Election("node1", NODES, timeout=1.0)
    for payload in ({}, {"term": "x"}, {"term": -1}):
        core.receive("node2", "dc", payload, 0.0)
    core.receive("node2", "unknown", {"term": 4}, 0.0)
    assert core.dc is None and core.term == 0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=12), st.integers(0, 10_000))
def test_random_faults_then_heal_converge_to_one_dc(steps: list[int], seed: int) -> None:
    rng = random.Random(seed)
    net = Net(("n1", "n2", "n3", "n4", "n5"))
    net.membership()
    for step in steps:
        node = rng.choice(net.nodes)
        if step == 0 and len(net.up) > 1:
            net.crash(node)
        elif step == 1 and node not in net.up:
            net.restart(node, keep_term=rng.random() < 0.5)
        elif step == 2:
            cut = set(rng.sample(net.nodes, rng.randint(1, 4)))
            net.partition(cut, set(net.nodes) - cut)
        elif step == 3:
            net.partition(set(net.nodes))
        else:
            net.advance(rng.choice((0.1, 0.5, 1.5)))
        # in every connected group, at most one node believes it is the DC
        for group in net.groups:
            assert len(net.dcs(group & net.up) if group & net.up else set()) <= 1
    for node in net.nodes:
        if node not in net.up:
            net.restart(node)
    net.partition(set(net.nodes))
    net.advance(3)
    dcs = net.dcs()
    assert len(dcs) == 1
    assert net.followed(set(net.nodes)) == dcs
